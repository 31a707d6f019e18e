"""Imports: each uploaded list (a batch, with history) and each of its rows."""

import django.db.models.deletion
import django.utils.timezone
import powtracker.permanence
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0012_name_keys'),
        ('diplomacy', '0005_state_language'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalImportBatch',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('source', models.CharField(help_text='Who sent the list, e.g. “NIB Ukraine, list 14 of 2026-11-20” or “ICRC CTA”.', max_length=200, verbose_name='source')),
                ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                ('file_sha256', models.CharField(db_index=True, max_length=64, verbose_name='SHA-256 of the file')),
                ('file_size', models.PositiveIntegerField(verbose_name='bytes')),
                ('file_format', models.CharField(max_length=8, verbose_name='format')),
                ('sheet', models.CharField(blank=True, max_length=100, verbose_name='sheet')),
                ('headers', models.JSONField(blank=True, default=list, verbose_name='columns')),
                ('mapping', models.JSONField(blank=True, default=dict, help_text='Register field of each column, by its index.', verbose_name='mapping')),
                ('status', models.CharField(choices=[('uploaded', 'Uploaded: map the columns'), ('analysing', 'Analysing'), ('preview', 'Preview: waiting for confirmation'), ('writing', 'Writing'), ('done', 'Done'), ('cancelled', 'Cancelled')], default='uploaded', max_length=16, verbose_name='status')),
                ('row_count', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('analysed_count', models.PositiveIntegerField(default=0, verbose_name='rows analysed')),
                ('written_count', models.PositiveIntegerField(default=0, verbose_name='rows written')),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='uploaded')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('updated_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('confirmed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                ('detaining_power', models.ForeignKey(blank=True, db_constraint=False, help_text='For the rows that do not name one.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='diplomacy.state', verbose_name='detaining power')),
                ('history_user', models.ForeignKey(null=True, on_delete=powtracker.permanence.protect_authorship, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('uploaded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'historical import',
                'verbose_name_plural': 'historical imports',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ImportBatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(help_text='Who sent the list, e.g. “NIB Ukraine, list 14 of 2026-11-20” or “ICRC CTA”.', max_length=200, verbose_name='source')),
                ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                ('file_sha256', models.CharField(db_index=True, max_length=64, verbose_name='SHA-256 of the file')),
                ('file_size', models.PositiveIntegerField(verbose_name='bytes')),
                ('file_format', models.CharField(max_length=8, verbose_name='format')),
                ('sheet', models.CharField(blank=True, max_length=100, verbose_name='sheet')),
                ('headers', models.JSONField(blank=True, default=list, verbose_name='columns')),
                ('mapping', models.JSONField(blank=True, default=dict, help_text='Register field of each column, by its index.', verbose_name='mapping')),
                ('status', models.CharField(choices=[('uploaded', 'Uploaded: map the columns'), ('analysing', 'Analysing'), ('preview', 'Preview: waiting for confirmation'), ('writing', 'Writing'), ('done', 'Done'), ('cancelled', 'Cancelled')], default='uploaded', max_length=16, verbose_name='status')),
                ('row_count', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('analysed_count', models.PositiveIntegerField(default=0, verbose_name='rows analysed')),
                ('written_count', models.PositiveIntegerField(default=0, verbose_name='rows written')),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='uploaded')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='confirmed')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('confirmed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed by')),
                ('detaining_power', models.ForeignKey(help_text='For the rows that do not name one.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='diplomacy.state', verbose_name='detaining power')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'import',
                'verbose_name_plural': 'imports',
                'ordering': ['-uploaded_at', '-id'],
                'permissions': [('run_import', 'Can import lists of names')],
            },
        ),
        migrations.CreateModel(
            name='ImportRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(help_text='As a spreadsheet numbers it.', verbose_name='row')),
                ('cells', models.JSONField(blank=True, default=list, verbose_name='cells')),
                ('status', models.CharField(choices=[('pending', 'Not analysed yet'), ('invalid', 'Errors: not imported'), ('repeated', 'Repeats an earlier row of this file'), ('imported_before', 'Imported before'), ('ready', 'Ready'), ('written', 'Written'), ('held', 'Held: possible duplicates to decide')], default='pending', max_length=16, verbose_name='status')),
                ('values', models.JSONField(blank=True, default=dict, help_text='As mapped and read.', verbose_name='values')),
                ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                ('fingerprint', models.CharField(blank=True, db_index=True, max_length=64)),
                ('candidates', models.JSONField(blank=True, default=list, verbose_name='possible duplicates')),
                ('decision', models.CharField(blank=True, choices=[('', 'Hold until decided'), ('new', 'New case (decide about the candidates later)'), ('not_same', 'New case, not the same as any candidate'), ('same', 'Same person as the chosen candidate')], default='', max_length=16, verbose_name='decision')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                ('written_at', models.DateTimeField(blank=True, null=True, verbose_name='written')),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rows', to='imports.importbatch')),
                ('captive', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='import_rows', to='cases.captive', verbose_name='captive')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('decided_same_as', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.captive', verbose_name='same person as')),
                ('earlier', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='imports.importrow', verbose_name='same row as')),
            ],
            options={
                'verbose_name': 'imported row',
                'verbose_name_plural': 'imported rows',
                'ordering': ['batch', 'number'],
                'indexes': [models.Index(fields=['batch', 'status'], name='imports_row_status_idx')],
                'constraints': [models.UniqueConstraint(fields=('batch', 'number'), name='imports_row_unique_number'), models.UniqueConstraint(condition=models.Q(('captive__isnull', False)), fields=('fingerprint',), name='imports_row_written_once')],
            },
        ),
    ]
