import powtracker.permanence
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("diplomacy", "0009_one_power_at_a_time"),
    ]

    # The list of states moves here from the diplomacy app, keeping its tables: the migration state
    # alone changes (no DDL).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalState',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('code', models.CharField(help_text='Three capital letters, e.g. UKR.', max_length=3, verbose_name='ISO 3166-1 alpha-3 code')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('gc3_party', models.BooleanField(default=True, verbose_name='party to the Third Geneva Convention')),
                        ('language', models.CharField(blank=True, choices=[('en', 'English'), ('ko', '한국어'), ('uk', 'Українська'), ('ru', 'Русский')], help_text="The language its captives' capture cards are printed in, beside the detaining power's. Blank: English.", max_length=8, verbose_name='language of its documents')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=powtracker.permanence.protect_authorship, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical state',
                        'verbose_name_plural': 'historical states',
                        'db_table': 'diplomacy_historicalstate',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='State',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(help_text='Three capital letters, e.g. UKR.', max_length=3, verbose_name='ISO 3166-1 alpha-3 code')),
                        ('name', models.CharField(max_length=120, verbose_name='name')),
                        ('gc3_party', models.BooleanField(default=True, verbose_name='party to the Third Geneva Convention')),
                        ('language', models.CharField(blank=True, choices=[('en', 'English'), ('ko', '한국어'), ('uk', 'Українська'), ('ru', 'Русский')], help_text="The language its captives' capture cards are printed in, beside the detaining power's. Blank: English.", max_length=8, verbose_name='language of its documents')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                    ],
                    options={
                        'verbose_name': 'state',
                        'verbose_name_plural': 'states',
                        'db_table': 'diplomacy_state',
                        'ordering': ['code'],
                        'constraints': [models.UniqueConstraint(fields=('code',), name='diplomacy_state_unique_code'), models.CheckConstraint(condition=models.Q(('code__regex', '^[A-Z]{3}$')), name='diplomacy_state_code_alpha3')],
                    },
                ),
            ],
        ),
    ]
