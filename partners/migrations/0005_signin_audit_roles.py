from django.db import migrations

from powtracker.roles import roles_sync


def grant_signin_audit(apps, schema_editor):
    # Supervisors read the sign-in audit (django-axes' records); nobody edits it.
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0004_history_user_protects"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant_signin_audit, migrations.RunPython.noop)]
