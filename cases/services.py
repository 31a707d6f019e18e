"""Every write to a case: registration, custody events, wish statements and their voiding.

Each function is one transaction that locks the captive, checks the rule, saves and leaves
history with the acting user.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from cases.choices import (
    CUSTODY_TRANSITIONS,
    FINAL_CUSTODY_STATUSES,
    CustodyEventKind,
    Voluntariness,
)
from cases.models import Captive, CaptiveName, CaseNumberSequence, CustodyEvent, WishStatement
from powtracker.errors import ErrorCode, RuleError

User = AbstractBaseUser | AnonymousUser | None

# Clocks drift; an event a few minutes "in the future" is a typing delay, not a mistake.
CLOCK_TOLERANCE = timedelta(minutes=5)

# Event kinds after which the captive stays with the same custodian unless told otherwise.
_SAME_CUSTODIAN = frozenset(
    {CustodyEventKind.IN_TRANSIT, CustodyEventKind.HOSPITALIZED, CustodyEventKind.INTERNED}
)


def _save(
    instance: models.Model,
    *,
    acting_user: User,
    reason: str,
    update_fields: Iterable[str] | None = None,
) -> None:
    """Save with the acting user and a change reason in the history row."""
    if acting_user is not None and getattr(acting_user, "is_authenticated", False):
        instance._history_user = acting_user  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance.save(update_fields=list(update_fields) if update_fields is not None else None)


def _user_or_none(acting_user: User) -> AbstractBaseUser | None:
    return acting_user if getattr(acting_user, "is_authenticated", False) else None  # type: ignore[return-value]


def _lock(captive: Captive) -> Captive:
    return Captive.objects.select_for_update().get(pk=captive.pk)


def _check_not_future(moment: datetime, field: str) -> None:
    if moment > timezone.now() + CLOCK_TOLERANCE:
        raise RuleError(
            ErrorCode.EVENT_IN_FUTURE, "%(field)s is in the future.", {"field": field.capitalize()}
        )


def start_of_day(day: date) -> datetime:
    """The first moment of a calendar day in the configured time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- case numbers ------------------------------------------------------------------------------


def case_number_next(*, detaining_power_code: str, year: int) -> str:
    """Take the next case number for a detaining power and year.

    The increment is one UPDATE on a per-key row, so concurrent registrations queue on the row
    lock and never share a number.
    """
    sequence, _ = CaseNumberSequence.objects.get_or_create(
        detaining_power_code=detaining_power_code, year=year
    )
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    value = CaseNumberSequence.objects.values_list("last_value", flat=True).get(pk=sequence.pk)
    return f"{detaining_power_code}-{year}-{value:05d}"


# --- captives ----------------------------------------------------------------------------------


@transaction.atomic
def captive_register(
    *,
    acting_user: User,
    detaining_power: Any,
    captured_on: date,
    family_name: str,
    captured_at: datetime | None = None,
    names: Sequence[tuple[str, str]] = (),
    **attributes: Any,
) -> Captive:
    """Register a captive, give him a case number and open his timeline with the capture."""
    captive = Captive(
        detaining_power=detaining_power,
        captured_on=captured_on,
        family_name=family_name,
        **attributes,
    )
    captive.case_number = "pending"
    captive.full_clean(exclude=["case_number"])
    captive.case_number = case_number_next(
        detaining_power_code=detaining_power.code, year=captured_on.year
    )
    _save(captive, acting_user=acting_user, reason="Registered")
    for system, full_name in names:
        rendering = CaptiveName(captive=captive, system=system, full_name=full_name)
        rendering.full_clean()
        _save(rendering, acting_user=acting_user, reason="Registered")
    custody_event_record(
        acting_user=acting_user,
        captive=captive,
        kind=CustodyEventKind.CAPTURED,
        occurred_at=captured_at or start_of_day(captured_on),
        place=captive.capture_place,
        custodian=detaining_power,
    )
    captive.refresh_from_db()
    return captive


# Fields kept in step by the services; no edit may touch them.
CAPTIVE_DERIVED_FIELDS = frozenset(
    {
        "case_number",
        "fictional",
        "custody_status",
        "custody_place",
        "custodian",
        "custody_since",
        "effective_wish",
        "effective_wish_destination",
        "effective_wish_statement",
        "latest_wish_statement",
    }
)


@transaction.atomic
def captive_update(*, acting_user: User, captive: Captive, **changes: Any) -> Captive:
    """Change a captive's recorded particulars (never his case number or derived status)."""
    forbidden = CAPTIVE_DERIVED_FIELDS.intersection(changes)
    if forbidden:
        raise RuleError(
            ErrorCode.INVALID,
            "%(fields)s cannot be edited; they follow from events and statements.",
            {"fields": ", ".join(sorted(forbidden))},
        )
    locked = _lock(captive)
    for field, value in changes.items():
        setattr(locked, field, value)
    locked.full_clean()
    if changes:
        _save(
            locked,
            acting_user=acting_user,
            reason="Particulars changed",
            update_fields=[*changes, "updated_at"],
        )
    return locked


# --- custody timeline --------------------------------------------------------------------------


def custody_timeline_check(kinds: Sequence[str]) -> None:
    """Refuse a timeline (kinds in time order) that takes a step the transition table forbids."""
    status: str | None = None
    for kind in kinds:
        allowed = CUSTODY_TRANSITIONS[status]
        if kind not in allowed:
            if status is None:
                message = "A custody timeline starts with the capture, not with “%(kind)s”."
            elif status in FINAL_CUSTODY_STATUSES:
                message = "“%(status)s” ends the case: nothing can follow it, not even “%(kind)s”."
            else:
                message = "“%(kind)s” cannot follow “%(status)s”. Allowed next: %(allowed)s."
            raise RuleError(
                ErrorCode.TRANSITION_NOT_ALLOWED,
                message,
                {
                    "kind": CustodyEventKind(kind).label,
                    "status": CustodyEventKind(status).label if status else "",
                    "allowed": ", ".join(
                        CustodyEventKind(k).label for k in CustodyEventKind.values if k in allowed
                    ),
                },
            )
        status = kind


def _active_events(captive: Captive) -> list[CustodyEvent]:
    return list(captive.custody_events.active().order_by("occurred_at", "id"))


def custody_event_check(*, captive: Captive, kind: str, occurred_at: datetime) -> None:
    """Say whether an event of `kind` at `occurred_at` may be added to the captive's timeline."""
    _check_not_future(occurred_at, "the event's date")
    events = _active_events(captive)
    # A back-dated event goes into the timeline where its date puts it; ties go after.
    kinds = [e.kind for e in events if e.occurred_at <= occurred_at]
    kinds.append(kind)
    kinds.extend(e.kind for e in events if e.occurred_at > occurred_at)
    custody_timeline_check(kinds)


def _captive_sync_custody(captive: Captive, *, acting_user: User, reason: str) -> None:
    latest = captive.custody_events.active().order_by("-occurred_at", "-id").first()
    captive.custody_status = latest.kind if latest else ""
    captive.custody_place = latest.place if latest else ""
    captive.custodian = latest.custodian if latest else None
    captive.custody_since = latest.occurred_at if latest else None
    _save(
        captive,
        acting_user=acting_user,
        reason=reason,
        update_fields=[
            "custody_status",
            "custody_place",
            "custodian",
            "custody_since",
            "updated_at",
        ],
    )


@transaction.atomic
def custody_event_record(
    *,
    acting_user: User,
    captive: Captive,
    kind: str,
    occurred_at: datetime,
    place: str = "",
    custodian: Any = None,
    notes: str = "",
) -> CustodyEvent:
    """Add an event to the custody timeline if the transition table allows it."""
    captive = _lock(captive)
    custody_event_check(captive=captive, kind=kind, occurred_at=occurred_at)
    if custodian is None and kind in _SAME_CUSTODIAN:
        custodian = captive.custodian
    event = CustodyEvent(
        captive=captive,
        kind=kind,
        occurred_at=occurred_at,
        place=place,
        custodian=custodian,
        notes=notes,
        recorded_by=_user_or_none(acting_user),
    )
    event.full_clean()
    _save(event, acting_user=acting_user, reason="Recorded")
    _captive_sync_custody(
        captive, acting_user=acting_user, reason=f"Custody event: {event.get_kind_display()}"
    )
    return event


def _check_void(record: Any, reason: str) -> None:
    if record.voided_at is not None:
        raise RuleError(ErrorCode.ALREADY_VOIDED, "This record was voided already.")
    if not reason.strip():
        raise RuleError(ErrorCode.VOID_REASON_REQUIRED, "Give the reason for voiding.")


def _mark_voided(record: Any, *, acting_user: User, reason: str) -> None:
    record.voided_at = timezone.now()
    record.voided_by = _user_or_none(acting_user)
    record.void_reason = reason.strip()
    _save(
        record,
        acting_user=acting_user,
        reason=f"Voided: {record.void_reason}",
        update_fields=["voided_at", "voided_by", "void_reason"],
    )


def custody_event_void_check(*, event: CustodyEvent, reason: str) -> None:
    """Say whether the event may be voided: the timeline without it must still be allowed."""
    _check_void(event, reason)
    remaining = [e.kind for e in _active_events(event.captive) if e.pk != event.pk]
    try:
        custody_timeline_check(remaining)
    except RuleError as refusal:
        raise RuleError(
            ErrorCode.TIMELINE_BROKEN,
            "Voiding this event would leave an impossible timeline (%(why)s). "
            "Void the later events first.",
            {"why": refusal.message % refusal.params},
        ) from refusal


@transaction.atomic
def custody_event_void(*, acting_user: User, event: CustodyEvent, reason: str) -> CustodyEvent:
    """Void a mistaken event; its obligations and status computations then ignore it."""
    captive = _lock(event.captive)
    event = CustodyEvent.objects.select_related("captive").get(pk=event.pk)
    custody_event_void_check(event=event, reason=reason)
    _mark_voided(event, acting_user=acting_user, reason=reason)
    _captive_sync_custody(captive, acting_user=acting_user, reason="Custody event voided")
    return event


# --- wishes ------------------------------------------------------------------------------------


def wish_statement_check(*, stated_at: datetime) -> None:
    """Refuse a statement dated in the future (its other rules are the model's constraints)."""
    _check_not_future(stated_at, "the statement's date")


def _captive_sync_wishes(captive: Captive, *, acting_user: User, reason: str) -> None:
    active = captive.wish_statements.active().order_by("-stated_at", "-id")
    latest = active.first()
    effective = active.filter(voluntariness=Voluntariness.FREE).first()
    captive.latest_wish_statement = latest
    captive.effective_wish_statement = effective
    captive.effective_wish = effective.wish if effective else ""
    captive.effective_wish_destination = effective.destination if effective else None
    _save(
        captive,
        acting_user=acting_user,
        reason=reason,
        update_fields=[
            "latest_wish_statement",
            "effective_wish_statement",
            "effective_wish",
            "effective_wish_destination",
            "updated_at",
        ],
    )


@transaction.atomic
def wish_statement_record(
    *,
    acting_user: User,
    captive: Captive,
    wish: str,
    stated_at: datetime,
    mode: str,
    destination: Any = None,
    voluntariness: str = Voluntariness.NOT_ASSESSED,
    **details: Any,
) -> WishStatement:
    """Record what the captive said. It supersedes the statement before it; nothing is edited."""
    captive = _lock(captive)
    wish_statement_check(stated_at=stated_at)
    previous = (
        captive.wish_statements.active()
        .filter(stated_at__lte=stated_at)
        .order_by("-stated_at", "-id")
        .first()
    )
    assessed = voluntariness != Voluntariness.NOT_ASSESSED
    statement = WishStatement(
        captive=captive,
        wish=wish,
        destination=destination,
        stated_at=stated_at,
        mode=mode,
        voluntariness=voluntariness,
        assessed_by=_user_or_none(acting_user) if assessed else None,
        assessed_at=timezone.now() if assessed else None,
        supersedes=previous,
        recorded_by=_user_or_none(acting_user),
        **details,
    )
    statement.full_clean()
    _save(statement, acting_user=acting_user, reason="Recorded")
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement recorded")
    return statement


def wish_statement_void_check(*, statement: "WishStatement", reason: str) -> None:
    """Say whether the statement may be voided."""
    _check_void(statement, reason)


@transaction.atomic
def wish_statement_void(
    *, acting_user: User, statement: WishStatement, reason: str
) -> WishStatement:
    """Void a mistaken statement; the effective wish is computed again without it."""
    captive = _lock(statement.captive)
    statement = WishStatement.objects.get(pk=statement.pk)
    wish_statement_void_check(statement=statement, reason=reason)
    _mark_voided(statement, acting_user=acting_user, reason=reason)
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement voided")
    return statement
