"""Media records that expose captives to public curiosity: creating and editing them."""

from collections.abc import Collection
from typing import Any

from cases.choices import MEDIA_FIELDS, MEDIA_RECORD_ADD, MEDIA_RECORD_UPDATE
from cases.models import (
    Captive,
    MediaRecord,
)
from cases.services.common import User, captive_version_move
from powtracker.history import (
    acting_person,
    history_save,
)
from powtracker.steps import step_require
from powtracker.writes import keywords_check, service

# --- media records ------------------------------------------------------------------------------


def _media_captives_touch(
    captives: Collection[Captive], *, acting_user: User, reason: str, disclosed: bool = True
) -> None:
    """A media record is read with each captive it shows: each gets a new version (the one
    partners read only if they may see the change)."""
    for captive in Captive.objects.select_for_update().filter(
        pk__in={captive.pk for captive in captives}
    ):
        captive_version_move(captive, acting_user=acting_user, reason=reason, disclosed=disclosed)


@service
def media_record_create(
    *,
    acting_user: User,
    captives: Collection[Captive] = (),
    reason: str = "Media record added",
    **fields: Any,
) -> MediaRecord:
    """Record a video, photo or document about captives, and whether it exposes them to
    public curiosity (Art. 13)."""
    step_require(acting_user, MEDIA_RECORD_ADD)
    keywords_check("media_record_create", fields, MEDIA_FIELDS)
    record = MediaRecord(recorded_by=acting_person(acting_user), **fields)
    record.full_clean()
    history_save(record, acting_user=acting_user, reason=reason)
    record.captives.set(captives)
    _media_captives_touch(captives, acting_user=acting_user, reason=reason)
    return record


@service
def media_record_update(
    *,
    acting_user: User,
    record: MediaRecord,
    captives: Collection[Captive] | None = None,
    reason: str = "Media record changed",
    **changes: Any,
) -> MediaRecord:
    """Change a media record, and (if given) the captives it shows."""
    step_require(acting_user, MEDIA_RECORD_UPDATE)
    keywords_check("media_record_update", changes, MEDIA_FIELDS)
    locked = MediaRecord.objects.select_for_update().get(pk=record.pk)
    before = set(locked.captives.all())
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if changes:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(changes))
    after = before if captives is None else set(captives)
    if after != before:
        locked.captives.set(after)
    if changes or after != before:
        _media_captives_touch(
            before | after,
            acting_user=acting_user,
            reason=reason,
            disclosed=after != before or bool(set(changes) & set(MediaRecord.PARTNER_FIELDS)),
        )
    return locked
