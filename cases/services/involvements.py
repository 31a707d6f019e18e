"""Every write about the states involved in a captive's case, his power and its ally among them.

His power depended on and its ally are involvements, and nowhere else: the captive's columns of
the same names are a copy that only _captive_powers_sync writes, from his involvements not
ended, in the same transaction as every change to them. Hostility (partners.disclosure) reads
the involvements themselves, ended ones included.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import (
    HIDDEN_FROM_HOSTILE_ROLES,
    INVOLVEMENT_ADD,
    INVOLVEMENT_CHANGE,
    INVOLVEMENT_CHANGEABLE_FIELDS,
    POWER_ROLE_FIELDS,
    InvolvementRole,
)
from cases.dates import case_date_check, not_future_check
from cases.models import Captive, Involvement
from cases.services.common import User, captive_writable_check
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import history_bulk_create, history_save
from powtracker.steps import step_require
from powtracker.writes import changes_check, keywords_check, service
from states.models import State


def captive_powers_initial(
    *,
    detaining_power: State | None,
    nationality: State | None,
    power_depended_on: State | None,
    allied_power: State | None,
) -> dict[str, State | None]:
    """His power and its ally as registering records them: the power named, else his
    nationality (GC III's usual case: a soldier depends on the state whose national he is) —
    unless that is the state holding him, which no prisoner of war depends on (a national who
    fought for the other side): then his power stays unknown, and hostility fails closed.
    Refuses an ally that is his power."""
    held_by_own_state = (
        nationality is not None
        and detaining_power is not None
        and nationality.pk == detaining_power.pk
    )
    if power_depended_on is None and not held_by_own_state:
        power_depended_on = nationality
    if (
        allied_power is not None
        and power_depended_on is not None
        and allied_power.pk == power_depended_on.pk
    ):
        raise ValidationError(
            {
                "allied_power": ValidationError(
                    _("His ally cannot be the power he depends on."), code="invalid"
                )
            }
        )
    return {"power_depended_on": power_depended_on, "allied_power": allied_power}


def captive_powers_involve(*, acting_user: User, captive: Captive, reason: str) -> None:
    """Record, for a captive just registered, the states his registration names as the
    involvements they are, since his capture: his detaining power, and his power and its ally
    (the columns captive_powers_initial gave). At every door alike, so that the detaining
    state's agency sees the captives it holds however they were registered."""
    roles = [(InvolvementRole.DETAINING_POWER, captive.detaining_power_id)]
    roles += [(role, getattr(captive, f"{field}_id")) for role, field in POWER_ROLE_FIELDS.items()]
    involvements = [
        Involvement(captive=captive, state_id=state_id, role=role, started_on=captive.captured_on)
        for role, state_id in roles
        if state_id is not None
    ]
    history_bulk_create(involvements, acting_user=acting_user, reason=reason)


def _active_power(captive: Captive, role: str, *, exclude: Involvement | None = None) -> Any:
    active = Involvement.objects.filter(captive=captive, role=role, ended_on__isnull=True)
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    return active.select_related("state").first()


def _involvement_check(involvement: Involvement) -> None:
    """The dates an involvement may carry, and one power (one ally) at a time in time as well
    as in the database: no date before his capture (nor GC III) or after today — an end still
    to come is recorded when it comes, so that "not ended" is what holds today — and no two
    states' spans in his power's (or its ally's) role overlapping."""
    captured_on = involvement.captive.captured_on
    for day, what in (
        (involvement.started_on, _("the day it started")),
        (involvement.ended_on, _("the day it ended")),
    ):
        if day is None:
            continue
        case_date_check(day, what=what, captured_on=captured_on)
        not_future_check(day, what=what)
    if involvement.role not in POWER_ROLE_FIELDS:
        return
    start = involvement.started_on or date.min
    end = involvement.ended_on or date.max
    others = Involvement.objects.filter(captive=involvement.captive, role=involvement.role)
    if involvement.pk is not None:
        others = others.exclude(pk=involvement.pk)
    for other in others.select_related("state"):
        # A span ends the day the next begins: ended on the 5th, the next may start on the 5th.
        if not (start < (other.ended_on or date.max) and (other.started_on or date.min) < end):
            continue
        if other.ended_on is None:
            raise RuleError(
                ErrorCode.POWER_ALREADY_RECORDED,
                _(
                    "%(state)s is recorded as his %(role)s and has not ended: end that "
                    "involvement first, or change it on his page."
                ),
                {"state": other.state.code, "role": InvolvementRole(other.role).label.lower()},
            )
        raise RuleError(
            ErrorCode.POWER_ALREADY_RECORDED,
            _(
                "%(state)s was his %(role)s from %(start)s to %(end)s: two states cannot "
                "hold that role at once."
            ),
            {
                "state": other.state.code,
                "role": InvolvementRole(other.role).label.lower(),
                "start": other.started_on.isoformat() if other.started_on else "—",
                "end": other.ended_on.isoformat() if other.ended_on else "—",
            },
        )


def _ally_is_not_power_check(captive: Captive, role: str, state: State) -> None:
    """Refuse a state as his ally while it is his power, or as his power while it is his ally."""
    other = next(r for r in POWER_ROLE_FIELDS if r != role)
    holder = _active_power(captive, other)
    if holder is not None and holder.state_id == state.pk:
        raise RuleError(
            ErrorCode.INVALID,
            _("%(state)s is his %(role)s: it cannot also be the other."),
            {"state": state.code, "role": InvolvementRole(other).label.lower()},
        )


def _captive_powers_sync(
    captive: Captive, *, acting_user: User, reason: str, disclosed: bool
) -> None:
    """Copy his involvements not ended into his power and ally columns, and give him a new
    version: the one partners read (`disclosed`) unless the change is hidden from some of them
    (who offers to receive him), which moves only `updated_at`."""
    locked = Captive.objects.select_for_update().get(pk=captive.pk)
    active = dict(
        Involvement.objects.filter(
            captive=locked, role__in=POWER_ROLE_FIELDS, ended_on__isnull=True
        ).values_list("role", "state_id")
    )
    fields = ["updated_at", "disclosed_changed_at"]
    for role, field in POWER_ROLE_FIELDS.items():
        if getattr(locked, f"{field}_id") != active.get(role):
            setattr(locked, f"{field}_id", active.get(role))
            fields.append(field)
            disclosed = True
    if disclosed:
        locked.disclosed_changed_at = timezone.now()
    history_save(locked, acting_user=acting_user, reason=reason, update_fields=fields)
    # The caller's instance follows, so that what it saves next does not put the old back.
    for attname in (
        "power_depended_on_id",
        "allied_power_id",
        "updated_at",
        "disclosed_changed_at",
    ):
        setattr(captive, attname, getattr(locked, attname))


def _involvement_disclosed(role: str) -> bool:
    return role not in HIDDEN_FROM_HOSTILE_ROLES


@service
def involvement_record(
    *,
    acting_user: User,
    captive: Captive,
    state: State,
    role: str,
    position: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
    notes: str = "",
    reason: str = "Involvement recorded",
) -> Involvement:
    """Record the role a state plays in his case. His power and its ally are each held by one
    state at a time: a second is refused until the first has ended (captive_powers_set changes
    them in one step)."""
    step_require(acting_user, INVOLVEMENT_ADD)
    captive = Captive.objects.select_for_update().get(pk=captive.pk)
    captive_writable_check(captive)
    involvement = Involvement(
        captive=captive,
        state=state,
        role=role,
        position=position,
        started_on=started_on,
        ended_on=ended_on,
        notes=notes,
    )
    involvement.full_clean()
    if role in POWER_ROLE_FIELDS and ended_on is None:
        _ally_is_not_power_check(captive, role, state)
    _involvement_check(involvement)
    history_save(involvement, acting_user=acting_user, reason=reason)
    _captive_powers_sync(
        captive, acting_user=acting_user, reason=reason, disclosed=_involvement_disclosed(role)
    )
    return involvement


@service
def involvement_update(
    *,
    acting_user: User,
    involvement: Involvement,
    reason: str = "Involvement changed",
    **changes: Any,
) -> Involvement:
    """Change what an involvement says (its position, dates, notes) or end it (`ended_on`). Its
    state, role and captive stay what they are: a different one is another involvement."""
    step_require(acting_user, INVOLVEMENT_CHANGE)
    changes_check(
        changes,
        INVOLVEMENT_CHANGEABLE_FIELDS,
        _("%(fields)s of an involvement cannot be changed: record another involvement."),
    )
    locked = Involvement.objects.select_for_update().get(pk=involvement.pk)
    captive_writable_check(locked.captive)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    _involvement_check(locked)
    if changes:
        history_save(locked, acting_user=acting_user, reason=reason, update_fields=sorted(changes))
        _captive_powers_sync(
            locked.captive,
            acting_user=acting_user,
            reason=reason,
            disclosed=_involvement_disclosed(locked.role)
            and bool(set(changes) & set(Involvement.PARTNER_FIELDS)),
        )
    return locked


@service
def captive_powers_set(
    *,
    acting_user: User,
    captive: Captive,
    on: date | None = None,
    reason: str = "Power depended on or its ally changed",
    **powers: State | None,
) -> Captive:
    """Make `power_depended_on` and/or `allied_power` (the keywords given) the states holding
    those roles in his case from `on` (default today): the involvement of the state that held
    the role ends, the new state's begins (or begins again). None ends the role. What the captive
    form's fields and anything else naming his power write."""
    step_require(acting_user, INVOLVEMENT_CHANGE)
    keywords_check("captive_powers_set", powers, POWER_ROLE_FIELDS.values())
    captive = Captive.objects.select_for_update().get(pk=captive.pk)
    captive_writable_check(captive)
    day = on or timezone.localdate()
    changed = False
    for role, field in POWER_ROLE_FIELDS.items():
        if field not in powers:
            continue
        state = powers[field]
        holder = _active_power(captive, role)
        if holder is not None and state is not None and holder.state_id == state.pk:
            continue
        if holder is None and state is None:
            continue
        changed = True
        if holder is not None:
            holder.ended_on = max(day, holder.started_on or day)
            history_save(holder, acting_user=acting_user, reason=reason, update_fields=["ended_on"])
        if state is None:
            continue
        earlier = Involvement.objects.filter(captive=captive, state=state, role=role).first()
        if earlier is not None:
            # He depends on it again from `day`: its span is the latest (the record of when it
            # held the role before stays in its history).
            earlier.started_on, earlier.ended_on = day, None
            _involvement_check(earlier)
            history_save(
                earlier,
                acting_user=acting_user,
                reason=reason,
                update_fields=["started_on", "ended_on"],
            )
        else:
            involvement = Involvement(captive=captive, state=state, role=role, started_on=day)
            involvement.full_clean()
            _involvement_check(involvement)
            history_save(involvement, acting_user=acting_user, reason=reason)
    if changed:
        power = _active_power(captive, InvolvementRole.POWER_DEPENDED_ON)
        if power is not None:
            _ally_is_not_power_check(captive, InvolvementRole.POWER_DEPENDED_ON, power.state)
        _captive_powers_sync(captive, acting_user=acting_user, reason=reason, disclosed=True)
    return captive
