"""The duplicate lookup's blocking keys (cases.models.NameKey), filled for existing captives."""

import django.db.models.deletion
from django.db import migrations, models

from cases.models import name_keys_fill


def keys_fill(apps, schema_editor):
    name_keys_fill(
        captive_model=apps.get_model("cases", "Captive"),
        name_model=apps.get_model("cases", "CaptiveName"),
        key_model=apps.get_model("cases", "NameKey"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_duplicates'),
    ]

    operations = [
        migrations.CreateModel(
            name='NameKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('family', models.CharField(max_length=200)),
                ('given', models.CharField(blank=True, max_length=400)),
                ('captive', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.captive')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('family', 'given', 'captive'), name='cases_namekey_unique')],
            },
        ),
        migrations.RunPython(keys_fill, migrations.RunPython.noop),
    ]
