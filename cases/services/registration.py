"""Case numbers, registering and editing a captive, and the versions partners are told of."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    CAPTIVE_DERIVED_FIELDS,
    CAPTIVE_REGISTER,
    CAPTIVE_UPDATE,
    CustodyEventKind,
)
from cases.dates import start_of_day
from cases.models import (
    NAME_FIELDS,
    Captive,
    CaptiveName,
    CaseNumberSequence,
    captive_name_skeleton,
    name_keys_add,
)
from cases.names import captive_forms, name_forms, name_skeleton
from cases.services.common import User, _lock
from cases.services.custody import (
    _custody_event_permission,
    _custody_events_write,
    custody_event_check,
)
from cases.services.involvements import captive_powers_initial, captive_powers_involve
from cases.services.obligations import health_reports_sync
from powtracker.constraints import constraint_refusals
from powtracker.disclosed import version_fields
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import (
    history_save,
)
from powtracker.roles import acting_partner
from powtracker.steps import step_require
from powtracker.writes import service

# --- case numbers ------------------------------------------------------------------------------


def case_number_next(*, detaining_power_code: str, year: int) -> str:
    """Take the next case number for a detaining power and year.

    The increment is one UPDATE on a per-key row, so concurrent registrations queue on the row
    lock and never share a number.
    """
    value = _case_number_increment(detaining_power_code, year)
    if value is None:  # the first case of that power and year
        CaseNumberSequence.objects.get_or_create(
            detaining_power_code=detaining_power_code, year=year
        )
        value = _case_number_increment(detaining_power_code, year)
    return f"{detaining_power_code}-{year}-{value:05d}"


def _case_number_increment(detaining_power_code: str, year: int) -> int | None:
    """Increment the key's row and read the new value in one statement (UPDATE … RETURNING,
    PostgreSQL and SQLite 3.35+); None if the key has no row yet."""
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + 1 "  # noqa: S608 (names only)
            "WHERE detaining_power_code = %s AND year = %s RETURNING last_value",
            [detaining_power_code, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None


# --- captives ----------------------------------------------------------------------------------


def _captive_build(
    *,
    detaining_power: Any,
    captured_on: date,
    family_name: str,
    names: Sequence[tuple[str, str]],
    validate_constraints: bool,
    **attributes: Any,
) -> tuple[Captive, list[CaptiveName]]:
    """The captive and his renderings as registering would write them, validated (his CHECK
    constraints only if asked: registering leaves them to the database)."""
    captive = Captive(
        detaining_power=detaining_power,
        captured_on=captured_on,
        family_name=family_name,
        **attributes,
    )
    captive.case_number = "pending"
    captive.full_clean(exclude=["case_number"], validate_constraints=validate_constraints)
    renderings: list[CaptiveName] = []
    given: set[tuple[str, str]] = set()
    for system, full_name in names:
        rendering = CaptiveName(captive=captive, system=system, full_name=full_name)
        # He is new: he exists once inserted, and a rendering can repeat only one given here.
        rendering.full_clean(exclude=["captive"])
        if (rendering.system, rendering.full_name) in given:
            repeated = rendering.unique_error_message(
                CaptiveName, ("captive", "system", "full_name")
            )
            raise ValidationError(
                {NON_FIELD_ERRORS: [ValidationError(repeated, code=repeated.code)]}
            )
        given.add((rendering.system, rendering.full_name))
        renderings.append(rendering)
    return captive, renderings


def _with_powers(detaining_power: Any, attributes: dict[str, Any]) -> dict[str, Any]:
    """His attributes with his power and its ally as registering records them (the power named,
    else his nationality): cases.services.involvements keeps them, as involvements."""
    powers = captive_powers_initial(
        detaining_power=detaining_power,
        nationality=attributes.get("nationality"),
        power_depended_on=attributes.get("power_depended_on"),
        allied_power=attributes.get("allied_power"),
    )
    return {**attributes, **powers}


def capture_moment(captured_on: date, captured_at: datetime | None) -> datetime:
    """The moment of his capture: the one given, which must fall on the capture date (in the
    configured time zone), else the start of that day."""
    if captured_at is None:
        return start_of_day(captured_on)
    if timezone.localtime(captured_at).date() != captured_on:
        raise ValidationError(
            {
                "captured_at": ValidationError(
                    _("The moment of capture is not on the capture date (%(day)s)."),
                    code="invalid",
                    params={"day": captured_on.isoformat()},
                )
            }
        )
    return captured_at


def captive_register_check(
    *,
    acting_user: User,
    detaining_power: Any,
    captured_on: date,
    family_name: str,
    captured_at: datetime | None = None,
    names: Sequence[tuple[str, str]] = (),
    **attributes: Any,
) -> Captive:
    """Say whether captive_register would register him, writing nothing: the same checks, his
    CHECK constraints asked of the database first (one query). Raises what it would raise;
    returns the captive unsaved. An import's preview asks this of every row."""
    step_require(acting_user, CAPTIVE_REGISTER)
    captive, _renderings = _captive_build(
        detaining_power=detaining_power,
        captured_on=captured_on,
        family_name=family_name,
        names=names,
        validate_constraints=True,
        **_with_powers(detaining_power, attributes),
    )
    custody_event_check(
        captive=captive,
        kind=CustodyEventKind.CAPTURED,
        occurred_at=capture_moment(captured_on, captured_at),
        custodian=detaining_power,
        timeline=[],
    )
    return captive


@service
def captive_register(
    *,
    acting_user: User,
    detaining_power: Any,
    captured_on: date,
    family_name: str,
    captured_at: datetime | None = None,
    names: Sequence[tuple[str, str]] = (),
    reason: str = "Registered",
    **attributes: Any,
) -> Captive:
    """Register a captive, give him a case number and open his timeline with the capture.
    `reason`: what his history says of it ("Registered", or the import and row he came from)."""
    step_require(acting_user, CAPTIVE_REGISTER)
    # A partner's agency registers only captives its own state holds (partners.models).
    partner = acting_partner(acting_user)
    if partner is not None:
        partner.register_check(detaining_power)
    # His CHECK constraints are left to the database, which refuses a row breaking one with the
    # message and code full_clean would give (asking first cost a query each, then one).
    captive, renderings = _captive_build(
        detaining_power=detaining_power,
        captured_on=captured_on,
        family_name=family_name,
        names=names,
        validate_constraints=False,
        **_with_powers(detaining_power, attributes),
    )
    moment = capture_moment(captured_on, captured_at)
    captive.case_number = case_number_next(
        detaining_power_code=detaining_power.code, year=captured_on.year
    )
    captive.name_skeleton = captive_name_skeleton(captive)
    with constraint_refusals(Captive):
        history_save(captive, acting_user=acting_user, reason=reason)
    forms = captive_forms(captive.family_name, captive.given_names, captive.name_original)
    for rendering in renderings:
        rendering.captive = captive
        rendering.skeleton = name_skeleton(rendering.full_name)
        history_save(rendering, acting_user=acting_user, reason=reason)
        forms.extend(name_forms(rendering.full_name))
    # The duplicate lookup's keys of his names and renderings, in one query once all are in.
    name_keys_add(captive.pk, forms)
    # His detaining power, his power and its ally are involvements.
    captive_powers_involve(acting_user=acting_user, captive=captive, reason=reason)
    # He was inserted in this transaction, so nobody else can see him, let alone lock him or
    # add to his records: the event is written on this very instance, which it keeps in step
    # (custody, health reports), knowing he has no events or duties yet.
    _custody_event_permission(acting_user)
    _custody_events_write(
        acting_user=acting_user,
        locked=[captive],
        timelines={captive.pk: []},
        kind=CustodyEventKind.CAPTURED,
        occurred_at=moment,
        place=captive.capture_place,
        custodian=detaining_power,
        notes="",
        refused=_("Nothing was recorded. %(problems)s"),
    )
    return captive

    step_require(acting_user, CAPTIVE_REGISTER)
    # A partner's agency registers only captives its own state holds (partners.models).


@service
def captive_update(*, acting_user: User, captive: Captive, **changes: Any) -> Captive:
    """Change a captive's recorded particulars (never his case number or derived status)."""
    step_require(acting_user, CAPTIVE_UPDATE)
    forbidden = CAPTIVE_DERIVED_FIELDS.intersection(changes)
    if forbidden:
        raise RuleError(
            ErrorCode.INVALID,
            _("%(fields)s cannot be edited; they follow from events and statements."),
            {"fields": ", ".join(sorted(forbidden))},
        )
    locked = _lock(captive)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    renamed = bool(NAME_FIELDS.intersection(changes))
    if renamed:
        # The search's key follows the names it is made of.
        locked.name_skeleton = captive_name_skeleton(locked)
    if changes:
        history_save(
            locked,
            acting_user=acting_user,
            reason="Particulars changed",
            update_fields=version_fields(
                locked, [*changes, *(["name_skeleton"] if renamed else [])]
            ),
        )
    if renamed:
        name_keys_add(
            locked.pk, captive_forms(locked.family_name, locked.given_names, locked.name_original)
        )
    if "health" in changes:
        health_reports_sync(locked, acting_user=acting_user)
    return locked
