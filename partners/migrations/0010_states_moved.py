import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0009_security_idempotency_replay'),
        ('states', '0001_initial'),
    ]

    # Its foreign keys to a state now name states.State (same table): state only, no DDL.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalpartner',
                    name='state',
                    field=models.ForeignKey(blank=True, db_constraint=False, help_text='The state it speaks for; it sees the cases that state is involved in.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='state'),
                ),
                migrations.AlterField(
                    model_name='partner',
                    name='state',
                    field=models.ForeignKey(blank=True, help_text='The state it speaks for; it sees the cases that state is involved in.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='partners', to='states.state', verbose_name='state'),
                ),
            ],
        ),
    ]
