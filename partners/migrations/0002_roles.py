from django.db import migrations

from powtracker.roles import roles_sync


def grant_partner_permissions(apps, schema_editor):
    # Every role reads the disclosure ledger; supervisors manage partners and shares.
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_initial"),
        ("cases", "0005_roles_case_rules"),
    ]

    operations = [migrations.RunPython(grant_partner_permissions, migrations.RunPython.noop)]
