"""Writes to the list of states."""

from typing import Any

from powtracker.history import history_save
from powtracker.steps import step_require
from powtracker.writes import keywords_check, service
from states.choices import STATE_ADD, STATE_CHANGE, STATE_FIELDS
from states.models import State

User = Any


@service
def state_create(*, acting_user: User, reason: str = "State added", **fields: Any) -> State:
    """Add a state to the list (supervisors manage it)."""
    step_require(acting_user, STATE_ADD)
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
    step_require(acting_user, STATE_CHANGE)
    keywords_check("state_update", changes, STATE_FIELDS)
    locked = State.objects.select_for_update().get(pk=state.pk)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if changes:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(changes))
    return locked
