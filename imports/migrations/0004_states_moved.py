import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('imports', '0003_verbose_names'),
        ('states', '0001_initial'),
    ]

    # Its foreign keys to a state now name states.State (same table): state only, no DDL.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalimportbatch',
                    name='detaining_power',
                    field=models.ForeignKey(blank=True, db_constraint=False, help_text='For the rows that do not name one.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='states.state', verbose_name='detaining power'),
                ),
                migrations.AlterField(
                    model_name='importbatch',
                    name='detaining_power',
                    field=models.ForeignKey(help_text='For the rows that do not name one.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='states.state', verbose_name='detaining power'),
                ),
            ],
        ),
    ]
