from django.db import migrations

from powtracker.roles import roles_sync


def grant_export_permissions(apps, schema_editor):
    # Every role exports; supervisors read the export audit.
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("partners", "0005_signin_audit_roles"),
    ]

    operations = [migrations.RunPython(grant_export_permissions, migrations.RunPython.noop)]
