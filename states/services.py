"""Writes to the list of states."""

from typing import Any

from django.utils.translation import pgettext_lazy

from powtracker.history import history_save
from powtracker.roles import role_require
from powtracker.writes import keywords_check, service
from states.choices import STATE_FIELDS
from states.models import State

User = Any


@service
def state_create(*, acting_user: User, reason: str = "State added", **fields: Any) -> State:
    """Add a state to the list (supervisors manage it)."""
    role_require(
        acting_user,
        "states.add_state",
        pgettext_lazy("your role does not allow you to …", "manage the list of states"),
    )
    keywords_check("state_create", fields, STATE_FIELDS)
    state = State(**fields)
    state.full_clean()
    history_save(state, acting_user=acting_user, reason=reason)
    return state


@service
def state_update(
    *, acting_user: User, state: State, reason: str = "State changed", **changes: Any
) -> State:
    """Change a state's record: its name, party to GC III, the language of its documents."""
    role_require(
        acting_user,
        "states.change_state",
        pgettext_lazy("your role does not allow you to …", "manage the list of states"),
    )
    keywords_check("state_update", changes, STATE_FIELDS)
    locked = State.objects.select_for_update().get(pk=state.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if changes:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(changes))
    return locked
