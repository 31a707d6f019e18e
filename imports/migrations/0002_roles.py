"""Caseworkers and supervisors import lists of names (imports.run_import); every staff role reads
the imports (imports.view_importbatch)."""

from django.db import migrations

from powtracker.roles import roles_sync


def grant_imports(apps, schema_editor):
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_initial"),
        # The role sync sets every role's permissions: after the apps that grant theirs.
        ("cases", "0012_name_keys"),
        ("diplomacy", "0005_state_language"),
        ("partners", "0005_signin_audit_roles"),
        ("reports", "0004_document_reprints"),
    ]

    operations = [migrations.RunPython(grant_imports, migrations.RunPython.noop)]
