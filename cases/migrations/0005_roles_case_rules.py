from django.db import migrations

from powtracker.roles import roles_sync


def grant_case_rule_permissions(apps, schema_editor):
    # Supervisors gain assessing wishes, reviews, agreeing and executing exchanges, approving
    # transfers; caseworkers the reviews' view permission.
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_case_rules"),
        ("diplomacy", "0002_case_rules"),
    ]

    operations = [migrations.RunPython(grant_case_rule_permissions, migrations.RunPython.noop)]
