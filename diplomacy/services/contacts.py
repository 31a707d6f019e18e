"""Writes about diplomatic contacts between states about cases."""

from typing import Any

from django.utils import timezone

from diplomacy.choices import CONTACT_ADD, CONTACT_CHANGE, CONTACT_FIELDS
from diplomacy.models import DiplomaticContact
from diplomacy.services.common import User
from powtracker.history import acting_person, history_save
from powtracker.steps import step_require
from powtracker.writes import keywords_check, service


@service
def diplomatic_contact_record(
    *,
    acting_user: User,
    captives: Any = (),
    reason: str = "Contact recorded",
    **fields: Any,
) -> DiplomaticContact:
    """Record a contact between states about cases, and the captives it concerns."""
    step_require(acting_user, CONTACT_ADD)
    keywords_check("diplomatic_contact_record", fields, CONTACT_FIELDS)
    contact = DiplomaticContact(recorded_by=acting_person(acting_user), **fields)
    contact.full_clean()
    history_save(contact, acting_user=acting_user, reason=reason)
    contact.captives.set(captives)
    return contact


@service
def diplomatic_contact_update(
    *,
    acting_user: User,
    contact: DiplomaticContact,
    captives: Any = None,
    reason: str = "Contact changed",
    **changes: Any,
) -> DiplomaticContact:
    """Change a recorded contact, and (if given) the captives it concerns. Its version, which
    partners read, moves unless only its internal notes changed."""
    step_require(acting_user, CONTACT_CHANGE)
    keywords_check("diplomatic_contact_update", changes, CONTACT_FIELDS)
    locked = DiplomaticContact.objects.select_for_update().get(pk=contact.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    before = set(locked.captives.all())
    after = before if captives is None else set(captives)
    fields = {*changes, "updated_at"}
    if after != before or not fields <= DiplomaticContact.UNDISCLOSED_FIELDS:
        locked.disclosed_changed_at = timezone.now()
        fields.add("disclosed_changed_at")
    if changes or after != before:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(fields))
    if after != before:
        locked.captives.set(after)
    return locked
