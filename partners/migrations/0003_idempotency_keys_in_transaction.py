from django.db import migrations


def forget_stale_keys(apps, schema_editor):
    """Keys left "in progress" by a request that crashed before this release would refuse every
    retry for ever. From now on a key is written in the same transaction as its response, so
    such rows never arise again; they carry no response to replay."""
    IdempotencyRecord = apps.get_model("partners", "IdempotencyRecord")
    IdempotencyRecord.objects.filter(completed=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0002_roles"),
    ]

    operations = [
        migrations.RunPython(forget_stale_keys, migrations.RunPython.noop),
    ]
