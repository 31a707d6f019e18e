"""Renderings of a captive's name: adding and editing them."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.choices import CAPTIVE_NAME_ADD, CAPTIVE_NAME_UPDATE, RENDERING_CHANGEABLE_FIELDS
from cases.models import (
    Captive,
    CaptiveName,
    name_keys_add,
)
from cases.names import name_forms, name_skeleton
from cases.services.common import User, _lock, captive_version_move
from powtracker.history import (
    history_save,
)
from powtracker.steps import step_require
from powtracker.writes import changes_check, service

# --- renderings of his name ----------------------------------------------------------------------


@service
def captive_name_add(
    *,
    acting_user: User,
    captive: Captive,
    system: str,
    full_name: str,
    note: str = "",
    reason: str = "Rendering of his name added",
) -> CaptiveName:
    """Add another rendering of his name (a romanization, a Cyrillic spelling, an alias), with
    its keys for the search and the duplicate lookup."""
    step_require(acting_user, CAPTIVE_NAME_ADD)
    locked = _lock(captive)
    rendering = CaptiveName(captive=locked, system=system, full_name=full_name, note=note)
    rendering.full_clean()
    rendering.skeleton = name_skeleton(rendering.full_name)
    history_save(rendering, acting_user=acting_user, reason=reason)
    name_keys_add(locked.pk, name_forms(rendering.full_name))
    captive_version_move(locked, acting_user=acting_user, reason=reason)
    return rendering


@service
def captive_name_update(
    *,
    acting_user: User,
    rendering: CaptiveName,
    reason: str = "Rendering of his name changed",
    **changes: Any,
) -> CaptiveName:
    """Correct a rendering of his name (its system, spelling or note)."""
    step_require(acting_user, CAPTIVE_NAME_UPDATE)
    changes_check(
        changes,
        RENDERING_CHANGEABLE_FIELDS,
        _("%(fields)s of a rendering cannot be changed: add another rendering."),
    )
    locked_captive = _lock(rendering.captive)
    locked = CaptiveName.objects.select_for_update().get(pk=rendering.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if not changes:
        return locked
    fields = sorted(changes)
    if "full_name" in changes:
        locked.skeleton = name_skeleton(locked.full_name)
        fields.append("skeleton")
    history_save(locked, acting_user=acting_user, reason=reason, update_fields=fields)
    if "full_name" in changes:
        name_keys_add(locked_captive.pk, name_forms(locked.full_name))
    captive_version_move(
        locked_captive,
        acting_user=acting_user,
        reason=reason,
        disclosed=bool(set(changes) & set(CaptiveName.PARTNER_FIELDS)),
    )
    return locked
