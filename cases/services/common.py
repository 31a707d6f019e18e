"""What every write to a case shares: the acting user's type, the clock tolerance, the lock."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from cases.duplicates import linked_duplicate_refusal
from cases.models import (
    Captive,
)
from powtracker.history import history_save

User = AbstractBaseUser | AnonymousUser | None


def _lock(captive: Captive) -> Captive:
    locked = Captive.objects.select_for_update().get(pk=captive.pk)
    captive_writable_check(locked)
    return locked


def captive_writable_check(captive: Captive) -> None:
    """Refuse any write to a linked duplicate: his case is the one kept (duplicate_decide)."""
    if captive.duplicate_of_id is not None:
        raise linked_duplicate_refusal(captive)


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
