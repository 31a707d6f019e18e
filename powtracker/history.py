"""Saving with history: every service write names who made it and why."""

from collections.abc import Iterable
from typing import Any

from django.db import models


def acting_person(acting_user: Any) -> Any:
    """The signed-in user behind a change, or None for the system itself."""
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def history_save(
    instance: models.Model,
    *,
    acting_user: Any,
    reason: str,
    update_fields: Iterable[str] | None = None,
) -> None:
    """Save with the acting user and a change reason in the history row."""
    person = acting_person(acting_user)
    if person is not None:
        instance._history_user = person  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(update_fields=list(update_fields) if update_fields is not None else None)
