import django.db.models.deletion
import powtracker.permanence
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_name_key_lengths'),
        ('states', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Involvements move here from the diplomacy app, keeping their tables and constraints, and every
    # foreign key to a state now names states.State: the migration state alone changes (no DDL).
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='captive',
                    name='allied_power',
                    field=models.ForeignKey(blank=True, help_text='The belligerent he fought alongside.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='allied power'),
                ),
                migrations.AlterField(
                    model_name='captive',
                    name='capture_territory_state',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name="territory's state"),
                ),
                migrations.AlterField(
                    model_name='captive',
                    name='custodian',
                    field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='custodian'),
                ),
                migrations.AlterField(
                    model_name='captive',
                    name='detaining_power',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='detaining power'),
                ),
                migrations.AlterField(
                    model_name='captive',
                    name='effective_wish_destination',
                    field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='effective wish destination'),
                ),
                migrations.AlterField(
                    model_name='captive',
                    name='nationality',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='nationality'),
                ),
                migrations.AlterField(
                    model_name='captive',
                    name='power_depended_on',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='power depended on'),
                ),
                migrations.AlterField(
                    model_name='custodyevent',
                    name='custodian',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='custodian state'),
                ),
                migrations.AlterField(
                    model_name='historicalcaptive',
                    name='allied_power',
                    field=models.ForeignKey(blank=True, db_constraint=False, help_text='The belligerent he fought alongside.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='allied power'),
                ),
                migrations.AlterField(
                    model_name='historicalcaptive',
                    name='capture_territory_state',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name="territory's state"),
                ),
                migrations.AlterField(
                    model_name='historicalcaptive',
                    name='custodian',
                    field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='custodian'),
                ),
                migrations.AlterField(
                    model_name='historicalcaptive',
                    name='detaining_power',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='detaining power'),
                ),
                migrations.AlterField(
                    model_name='historicalcaptive',
                    name='effective_wish_destination',
                    field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='effective wish destination'),
                ),
                migrations.AlterField(
                    model_name='historicalcaptive',
                    name='nationality',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='nationality'),
                ),
                migrations.AlterField(
                    model_name='historicalcaptive',
                    name='power_depended_on',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='power depended on'),
                ),
                migrations.AlterField(
                    model_name='historicalcustodyevent',
                    name='custodian',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='custodian state'),
                ),
                migrations.AlterField(
                    model_name='historicalmediarecord',
                    name='publisher_state',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='publisher state'),
                ),
                migrations.AlterField(
                    model_name='historicalnonrefoulementreview',
                    name='destination',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='destination'),
                ),
                migrations.AlterField(
                    model_name='historicalwishstatement',
                    name='destination',
                    field=models.ForeignKey(blank=True, db_constraint=False, help_text='The state he wishes to go to; required for a defect wish.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='destination'),
                ),
                migrations.AlterField(
                    model_name='mediarecord',
                    name='publisher_state',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='publisher state'),
                ),
                migrations.AlterField(
                    model_name='nonrefoulementreview',
                    name='destination',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='destination'),
                ),
                migrations.AlterField(
                    model_name='wishstatement',
                    name='destination',
                    field=models.ForeignKey(blank=True, help_text='The state he wishes to go to; required for a defect wish.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='destination'),
                ),
                migrations.CreateModel(
                    name='HistoricalInvolvement',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('role', models.CharField(choices=[('detaining_power', 'Detaining power'), ('power_depended_on', 'Power depended on'), ('allied_power', 'Allied power'), ('receiving_state', 'Receiving state'), ('protecting_power', 'Protecting power'), ('mediator', 'Mediator'), ('verifier', 'Verifier')], max_length=32, verbose_name='role')),
                        ('position', models.TextField(blank=True, verbose_name='stated position')),
                        ('started_on', models.DateField(blank=True, null=True, verbose_name='started on')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('captive', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='cases.captive', verbose_name='captive')),
                        ('history_user', models.ForeignKey(null=True, on_delete=powtracker.permanence.protect_authorship, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('state', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='state')),
                    ],
                    options={
                        'verbose_name': 'historical involvement',
                        'verbose_name_plural': 'historical involvements',
                        'db_table': 'diplomacy_historicalinvolvement',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Involvement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('detaining_power', 'Detaining power'), ('power_depended_on', 'Power depended on'), ('allied_power', 'Allied power'), ('receiving_state', 'Receiving state'), ('protecting_power', 'Protecting power'), ('mediator', 'Mediator'), ('verifier', 'Verifier')], max_length=32, verbose_name='role')),
                        ('position', models.TextField(blank=True, verbose_name='stated position')),
                        ('started_on', models.DateField(blank=True, null=True, verbose_name='started on')),
                        ('ended_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                        ('notes', models.TextField(blank=True, verbose_name='notes')),
                        ('captive', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='involvements', to='cases.captive', verbose_name='captive')),
                        ('state', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='involvements', to='states.state', verbose_name='state')),
                    ],
                    options={
                        'verbose_name': 'involvement',
                        'verbose_name_plural': 'involvements',
                        'db_table': 'diplomacy_involvement',
                        'ordering': ['captive', 'role', 'state__code'],
                        'constraints': [models.UniqueConstraint(fields=('captive', 'state', 'role'), name='diplomacy_involvement_unique_role'), models.UniqueConstraint(condition=models.Q(('ended_on__isnull', True), ('role__in', ['power_depended_on', 'allied_power'])), fields=('captive', 'role'), name='diplomacy_involvement_one_active_power', violation_error_code='power_already_recorded', violation_error_message='Another state holds this role in his case and has not ended: end that involvement first.'), models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('started_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='diplomacy_involvement_ends_after_start', violation_error_code='invalid', violation_error_message='An involvement cannot end before it started.')],
                    },
                ),
            ],
        ),
    ]
