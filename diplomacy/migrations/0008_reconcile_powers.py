"""His power depended on and its ally: one truth (issue 16).

Until now a captive's power and its ally were written in two places that nothing kept in step:
his own fields (the captive form, registration) and involvements (the involvement form). From now
on the involvements are the truth and his fields a copy kept by diplomacy.services. This migration
reconciles what exists, losing no fact:

- a state in his field that no active involvement in that role names becomes an involvement
  (reopened if it had ended and no other state holds the role; else recorded as ended today, so
  that it still counts as a record of his power for hostility);
- a second active involvement in the same role is ended today (the one his field names, else the
  latest begun, is kept);
- his fields become the states of his active involvements;
- a captive with no power recorded anywhere gets his nationality as his power (what registration
  now does: GC III's usual case).

Each change leaves a history row ("Reconciled by migration diplomacy 0008") and gives him a new
version, so partners' syncs read him again. It prints what it changed.
"""

from collections import defaultdict
from datetime import date

from django.db import migrations
from django.utils import timezone

ROLES = {"power_depended_on": "power_depended_on", "allied_power": "allied_power"}
REASON = "Reconciled by migration diplomacy 0008: his power and its ally are involvements"


def _history(model, obj, kind, now):
    """A history row of `obj` as it now is (simple-history's own columns filled by hand)."""
    data = {
        field.attname: getattr(obj, field.attname)
        for field in model._meta.concrete_fields
        if not field.attname.startswith("history_") and hasattr(obj, field.attname)
    }
    return model(
        **data,
        history_date=now,
        history_type=kind,
        history_change_reason=REASON,
        history_user_id=None,
    )


def reconcile(apps, schema_editor):
    Captive = apps.get_model("cases", "Captive")
    Involvement = apps.get_model("diplomacy", "Involvement")
    HistoricalCaptive = apps.get_model("cases", "HistoricalCaptive")
    HistoricalInvolvement = apps.get_model("diplomacy", "HistoricalInvolvement")
    now = timezone.now()
    today = date.today()

    held = defaultdict(list)  # (captive id, role) -> his involvements in that role
    for involvement in Involvement.objects.filter(role__in=ROLES).order_by("pk"):
        held[(involvement.captive_id, involvement.role)].append(involvement)

    created, changed = [], {}
    counts = defaultdict(int)
    touched = set()
    checked = 0
    for captive in Captive.objects.order_by("pk").iterator(chunk_size=2000):
        checked += 1
        for role, field in ROLES.items():
            rows = held[(captive.pk, role)]
            named = getattr(captive, f"{field}_id")
            if role == "power_depended_on" and named is None and not rows:
                named = captive.nationality_id  # registration's default
                if named is not None:
                    counts["nationality recorded as his power"] += 1
            active = [row for row in rows if row.ended_on is None]
            if len(active) > 1:
                keep = next(
                    (row for row in active if row.state_id == named),
                    max(active, key=lambda row: (row.started_on or date.min, row.pk)),
                )
                for row in active:
                    if row is not keep:
                        row.ended_on = max(today, row.started_on or today)
                        changed[row.pk] = row
                        counts["second active involvement ended"] += 1
                        touched.add(captive.pk)
                active = [keep]
            if named is not None and not any(row.state_id == named for row in active):
                earlier = next((row for row in rows if row.state_id == named), None)
                if earlier is not None and not active:
                    earlier.ended_on = None
                    changed[earlier.pk] = earlier
                    active = [earlier]
                    counts["ended involvement reopened (his field named it)"] += 1
                elif earlier is None:
                    row = Involvement(
                        captive_id=captive.pk,
                        state_id=named,
                        role=role,
                        started_on=captive.captured_on,
                        ended_on=max(today, captive.captured_on) if active else None,
                        notes="Recorded on his page before involvements were the one record.",
                    )
                    created.append(row)
                    if not active:
                        active = [row]
                        counts["involvement added from his field"] += 1
                    else:
                        counts["involvement added from his field, ended (another holds it)"] += 1
                touched.add(captive.pk)
            now_named = active[0].state_id if active else None
            if getattr(captive, f"{field}_id") != now_named:
                setattr(captive, f"{field}_id", now_named)
                counts[f"captive's {field.replace('_', ' ')} set from his involvements"] += 1
                touched.add(captive.pk)
        if captive.pk in touched:
            captive.updated_at = now
            captive.disclosed_changed_at = now
            changed.setdefault(("captive", captive.pk), captive)

    captives = [obj for key, obj in changed.items() if isinstance(key, tuple)]
    involvements = [obj for key, obj in changed.items() if not isinstance(key, tuple)]
    Involvement.objects.bulk_create(created, batch_size=1000)
    Involvement.objects.bulk_update(involvements, ["ended_on"], batch_size=1000)
    Captive.objects.bulk_update(
        captives,
        ["power_depended_on", "allied_power", "updated_at", "disclosed_changed_at"],
        batch_size=1000,
    )
    HistoricalInvolvement.objects.bulk_create(
        [_history(HistoricalInvolvement, row, "+", now) for row in created]
        + [_history(HistoricalInvolvement, row, "~", now) for row in involvements],
        batch_size=1000,
    )
    HistoricalCaptive.objects.bulk_create(
        [_history(HistoricalCaptive, captive, "~", now) for captive in captives], batch_size=1000
    )
    if not checked:
        return  # a new installation: nothing to tell
    print(f"\n  {REASON}: {checked} captives checked, {len(touched)} changed.")  # noqa: T201
    for what, number in sorted(counts.items()):
        print(f"    {number:>7} {what}")  # noqa: T201


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_void_verbose_names"),
        ("diplomacy", "0007_void_verbose_names"),
    ]

    operations = [
        migrations.RunPython(reconcile, migrations.RunPython.noop, elidable=False),
    ]
