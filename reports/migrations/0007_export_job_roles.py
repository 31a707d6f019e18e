from django.conf import settings
from django.db import migrations

from powtracker.roles import roles_sync


def grant_export_jobs(apps, schema_editor):
    # Supervisors read the export jobs (reports.view_exportjob) and the jobs (jobs.view_job).
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_export_jobs"),
        ("jobs", "0001_initial"),
        # The role sync sets every role's permissions: after the apps that grant theirs.
        ("cases", "0018_states_involvements_moved"),
        ("diplomacy", "0010_states_involvements_moved_out"),
        ("partners", "0010_states_moved"),
        ("imports", "0004_states_moved"),
        ("states", "0002_state_code_message"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(grant_export_jobs, migrations.RunPython.noop)]
