"""His power depended on and its ally: one state each at a time, as the database holds it.

Apart from the reconciliation (0008) because PostgreSQL builds no index on a table with pending
trigger events in the same transaction.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("diplomacy", "0008_reconcile_powers")]

    operations = [
        # Its refusal in words, not the constraint's name (AlterConstraint: no SQL).
        migrations.AlterConstraint(
            model_name="involvement",
            name="diplomacy_involvement_ends_after_start",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ended_on__isnull", True),
                    ("started_on__isnull", True),
                    ("ended_on__gte", models.F("started_on")),
                    _connector="OR",
                ),
                name="diplomacy_involvement_ends_after_start",
                violation_error_code="invalid",
                violation_error_message="An involvement cannot end before it started.",
            ),
        ),
        migrations.AddConstraint(
            model_name="involvement",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("ended_on__isnull", True), ("role__in", ["power_depended_on", "allied_power"])
                ),
                fields=("captive", "role"),
                name="diplomacy_involvement_one_active_power",
                violation_error_code="power_already_recorded",
                violation_error_message=(
                    "Another state holds this role in his case and has not ended: end that "
                    "involvement first."
                ),
            ),
        ),
    ]
