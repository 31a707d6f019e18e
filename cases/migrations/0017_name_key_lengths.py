"""The skeleton keys of names unbounded (Captive.name_skeleton, CaptiveName.skeleton): a key can
be several times longer than the name it is made of, so a name within its field's limit (200
Hangul syllables make a key of 600 letters) overflowed its key's column. Only trigram (GIN)
indexes read these columns, and PostgreSQL rebuilds them with the column; they take any length.

The duplicate lookup's keys (NameKey) stay bounded, under a unique btree index: cases.names.Form
cuts them to fit, the same when they are stored and when they are asked for."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_void_verbose_names"),
    ]

    operations = [
        migrations.AlterField(
            model_name="captive",
            name="name_skeleton",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name="captivename",
            name="skeleton",
            field=models.TextField(blank=True, editable=False),
        ),
    ]
