"""What every write to a case shares: the acting user's type, the clock tolerance, the lock."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.duplicates import linked_duplicate_refusal
from cases.models import (
    Captive,
)
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import history_save

User = AbstractBaseUser | AnonymousUser | None

# Clocks drift; an event a few minutes "in the future" is a typing delay, not a mistake.
CLOCK_TOLERANCE = timedelta(minutes=5)


def _lock(captive: Captive) -> Captive:
    locked = Captive.objects.select_for_update().get(pk=captive.pk)
    captive_writable_check(locked)
    return locked


def captive_writable_check(captive: Captive) -> None:
    """Refuse any write to a linked duplicate: his case is the one kept (duplicate_decide)."""
    if captive.duplicate_of_id is not None:
        raise linked_duplicate_refusal(captive)


def _check_not_future(moment: datetime, field: Any) -> None:
    if moment > timezone.now() + CLOCK_TOLERANCE:
        raise RuleError(
            ErrorCode.EVENT_IN_FUTURE,
            _("%(field)s is in the future."),
            {"field": str(field).capitalize()},
        )


def start_of_day(day: date) -> datetime:
    """The first moment of a calendar day in the configured time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- versions: what partners are told has changed -----------------------------------------------


def captive_version_move(
    captive: Captive, *, acting_user: User, reason: str, disclosed: bool = True
) -> None:
    """Give him a new version after a change to a record partners read with him (a rendering
    of his name, a media record, a state involved): `updated_at` always, and the version every
    partner reads (`disclosed_changed_at`) when the change is one they may all see."""
    now = timezone.now()
    captive.updated_at = now
    fields = ["updated_at"]
    if disclosed:
        captive.disclosed_changed_at = now
        fields.append("disclosed_changed_at")
    history_save(captive, acting_user=acting_user, reason=reason, update_fields=fields)
