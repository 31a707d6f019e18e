from django.conf import settings
from django.db import migrations

from powtracker.roles import roles_sync


def grant_webhooks(apps, schema_editor):
    # Supervisors manage partners' webhook endpoints, read their deliveries, and redeliver.
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_endpoints_deliveries"),
        # The role sync sets every role's permissions: after the apps that grant theirs.
        ("cases", "0018_states_involvements_moved"),
        ("diplomacy", "0010_states_involvements_moved_out"),
        ("partners", "0010_states_moved"),
        ("imports", "0004_states_moved"),
        ("states", "0002_state_code_message"),
        ("reports", "0007_export_job_roles"),
        ("jobs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(grant_webhooks, migrations.RunPython.noop)]
