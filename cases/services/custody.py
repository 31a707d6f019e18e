"""Custody events: the timeline rules, recording one or many, voiding one."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    _SAME_CUSTODIAN,
    CUSTODY_EVENT_RECORD,
    CUSTODY_EVENT_VOID,
    CUSTODY_FIELDS,
    CUSTODY_TRANSITION_REFUSALS,
    CUSTODY_TRANSITIONS,
    HANDOVER_KINDS,
    PARTNER_EVENT_KINDS,
    CustodyEventKind,
)
from cases.dates import case_date_check, not_future_check
from cases.gate import repatriation_clearances, repatriation_refusal
from cases.models import (
    Captive,
    CustodyEvent,
)
from cases.services.common import User, _lock, captive_writable_check
from cases.services.obligations import (
    event_duties,
    event_duties_reason,
    health_reports_sync,
    health_reports_sync_many,
)
from powtracker.constraints import constraint_refusals
from powtracker.disclosed import version_fields
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import (
    acting_person,
    history_bulk_create,
    history_bulk_update,
    history_save,
    void_check,
    void_record,
    void_rights_check,
)
from powtracker.roles import acting_partner
from powtracker.steps import step_require, transition_check
from powtracker.writes import service

# --- custody timeline --------------------------------------------------------------------------


def custody_timeline_check(kinds: Sequence[str]) -> None:
    """Refuse a timeline (kinds in time order) that takes a step the transition table forbids."""
    status: str | None = None
    for kind in kinds:
        transition_check(
            CUSTODY_TRANSITIONS,
            status,
            kind,
            CustodyEventKind,
            message=CUSTODY_TRANSITION_REFUSALS["next"],
            start_message=CUSTODY_TRANSITION_REFUSALS["start"],
            final_message=CUSTODY_TRANSITION_REFUSALS["final"],
        )
        status = kind


def _active_events(captive: Captive) -> list[CustodyEvent]:
    return list(
        captive.custody_events.active().select_related("custodian").order_by("occurred_at", "id")
    )


def _timelines(captive_ids: Collection[int]) -> dict[int, list[CustodyEvent]]:
    """Each captive's active events in time order (with their custodians), in one query."""
    timelines: dict[int, list[CustodyEvent]] = defaultdict(list)
    for event in (
        CustodyEvent.objects.active()
        .filter(captive_id__in=set(captive_ids))
        .select_related("custodian")
        .order_by("occurred_at", "id")
    ):
        timelines[event.captive_id].append(event)
    return timelines


def _before(timeline: Sequence[CustodyEvent], moment: datetime) -> list[CustodyEvent]:
    """The events an event dated `moment` follows: a back-dated event goes into the timeline
    where its date puts it, and ties go after."""
    return [e for e in timeline if e.occurred_at <= moment]


def _after(timeline: Sequence[CustodyEvent], moment: datetime) -> list[CustodyEvent]:
    """The events that follow an event dated `moment` (see _before)."""
    return [e for e in timeline if e.occurred_at > moment]


def custodian_at(timeline: Sequence[CustodyEvent], moment: datetime) -> Any:
    """The state holding him at `moment` by his timeline (active events in time order): the
    custodian the event just before that moment left him with — not his custodian today, which
    a later event may have changed. None before his capture, or after an event naming none."""
    before = _before(timeline, moment)
    return before[-1].custodian if before else None


def handover_destination(*, captive: Captive, kind: str, custodian: Any) -> Any:
    """The state a handover event sends the captive to (a repatriation goes home by default)."""
    if kind == CustodyEventKind.REPATRIATED and custodian is None:
        return captive.power_depended_on
    return custodian


def custody_event_check(
    *,
    captive: Captive,
    kind: str,
    occurred_at: datetime,
    custodian: Any = None,
    timeline: list[CustodyEvent] | None = None,
) -> None:
    """Say whether an event may be added to the captive's timeline.

    The step must be allowed by the transition table where its date puts it, and an event that
    hands the captive to another state must pass the repatriation gate. `timeline`: his active
    events in time order, when the caller knows them (none, for a captive being registered).
    """
    refusal = custody_event_refusals(
        [(captive, custodian)],
        kind=kind,
        occurred_at=occurred_at,
        timelines=None if timeline is None else {captive.pk: timeline},
    ).get(captive.pk)
    if refusal is not None:
        raise refusal


def custody_event_refusals(
    requests: Sequence[tuple[Captive, Any]],
    *,
    kind: str,
    occurred_at: datetime,
    timelines: dict[int, list[CustodyEvent]] | None = None,
) -> dict[int, RuleError]:
    """custody_event_check for many captives at once: for each (captive, custodian), the
    refusal that check would raise, by captive id (captives allowed the event are left out).

    The same rules in the same order, read in a handful of queries whatever the number: the
    event's date, the transition table where the date puts it, then for a handover the receiving
    state and the repatriation gate.
    """
    refusals: dict[int, RuleError] = {}
    if timelines is None:
        timelines = _timelines({captive.pk for captive, _custodian in requests})
    events: dict[int, list[CustodyEvent]] = defaultdict(list, timelines)
    handovers = []
    for captive, custodian in requests:
        try:
            not_future_check(occurred_at, what=_("the event's date"))
            case_date_check(
                occurred_at, what=_("the event's date"), captured_on=captive.captured_on
            )
            timeline = events[captive.pk]
            # A back-dated event goes into the timeline where its date puts it; ties go after.
            kinds = [e.kind for e in _before(timeline, occurred_at)]
            kinds.append(kind)
            kinds.extend(e.kind for e in _after(timeline, occurred_at))
            custody_timeline_check(kinds)
            destination = event_custodian(
                captive=captive,
                kind=kind,
                custodian=custodian,
                timeline=timeline,
                occurred_at=occurred_at,
            )
            if kind in HANDOVER_KINDS:
                if destination is None:
                    raise RuleError(
                        ErrorCode.DESTINATION_REQUIRED,
                        _(
                            "“%(kind)s” hands him to another state: name that state as the "
                            "custodian."
                        ),
                        {"kind": CustodyEventKind(kind).label},
                    )
                handovers.append((captive, destination))
        except RuleError as refusal:
            refusals[captive.pk] = refusal
    for (captive, _destination), clearance in zip(
        handovers, repatriation_clearances(handovers), strict=True
    ):
        refusal = repatriation_refusal(captive, clearance)
        if refusal is not None:
            refusals[captive.pk] = refusal
    return refusals


def event_custodian(
    *,
    captive: Captive,
    kind: str,
    custodian: Any,
    timeline: Sequence[CustodyEvent],
    occurred_at: datetime,
) -> Any:
    """The custodian an event records, wherever its date puts it in his timeline (his active
    events in time order): a handover, the state it names (a repatriation goes home by
    default); a move within custody, the state holding him at that moment (custodian_at) —
    naming another one is refused, since handing him over is a transfer; any other event, the
    state named, if any."""
    if kind in _SAME_CUSTODIAN:
        held = custodian_at(timeline, occurred_at)
        if held is None:
            return custodian
        if custodian is not None and custodian.pk != held.pk:
            raise RuleError(
                ErrorCode.INVALID,
                _(
                    "On %(day)s he was held by %(held)s, and “%(kind)s” keeps him there: "
                    "handing him to %(named)s is a transfer."
                ),
                {
                    "day": timezone.localdate(occurred_at).isoformat(),
                    "held": held.local_name,
                    "kind": CustodyEventKind(kind).label,
                    "named": custodian.local_name,
                },
            )
        return held
    return handover_destination(captive=captive, kind=kind, custodian=custodian)


def custody_event_partner_check(*, acting_user: User, kind: str) -> None:
    """Refuse a partner an event it may not record: only moves, hospitals and camps
    (PARTNER_EVENT_KINDS). A handover goes through the gate, whose reasons speak of his wishes,
    so a partner asking for one must be refused alike whatever he said."""
    if acting_partner(acting_user) is not None and kind not in PARTNER_EVENT_KINDS:
        raise RuleError(
            ErrorCode.PERMISSION_DENIED,
            _(
                "A partner records only moves, hospitals and camps; “%(kind)s” is the "
                "detaining power's own step."
            ),
            {"kind": CustodyEventKind(kind).label},
        )


def _custody_reason(event: CustodyEvent) -> str:
    return f"Custody event: {event.get_kind_display()}"


def _custody_follow(captive: Captive, latest: CustodyEvent | None) -> None:
    """His custody is what his latest active event says (nothing before his capture)."""
    captive.custody_status = latest.kind if latest else ""
    captive.custody_place = latest.place if latest else ""
    captive.custodian_id = latest.custodian_id if latest else None
    captive.custody_since = latest.occurred_at if latest else None


def _captive_sync_custody(
    captive: Captive,
    *,
    acting_user: User,
    reason: str,
    latest: CustodyEvent | None = None,
) -> None:
    """Keep his custody in step with his latest active event (`latest`, if the caller knows
    it)."""
    if latest is None:
        latest = captive.custody_events.active().order_by("-occurred_at", "-id").first()
    _custody_follow(captive, latest)
    history_save(
        captive,
        acting_user=acting_user,
        reason=reason,
        update_fields=version_fields(
            captive, ["custody_status", "custody_place", "custodian", "custody_since"]
        ),
    )


@service
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
    """Add an event to the custody timeline if the transition table and the gate allow it.

    The event creates the GC III obligations it triggers. One captive's event is the set-based
    path (custody_events_record) for one, so that both write the same rows by the same rules;
    a refusal is his own, with its own code.
    """
    events = custody_events_record(
        acting_user=acting_user,
        captive_ids=[captive.pk],
        kind=kind,
        occurred_at=occurred_at,
        place=place,
        custodian=custodian,
        notes=notes,
    )
    return events[0]


@service
def custody_events_record(
    *,
    acting_user: User,
    captive_ids: Collection[int],
    kind: str,
    occurred_at: datetime,
    place: str = "",
    custodian: Any = None,
    notes: str = "",
    refused: str = _("Nothing was recorded. %(problems)s"),
) -> list[CustodyEvent]:
    """custody_event_record for many captives at once, all or nothing, in a fixed number of
    queries: the same role checks, the same rules (custody_event_refusals), and the same rows
    written as recording the events one by one would write — the events, his custody kept in
    step, the duties each event creates, his weekly health reports — each with its history row.

    The captives are locked in id order (so that overlapping calls cannot deadlock). If any is
    refused, nothing is written and the error (`refused`, with %(problems)s) names each one with
    the reason, in id order.
    """
    _custody_event_permission(acting_user)
    # Before anything about him is looked at: the refusal may not depend on his wishes.
    custody_event_partner_check(acting_user=acting_user, kind=kind)
    locked = list(
        Captive.objects.select_for_update().filter(pk__in=set(captive_ids)).order_by("pk")
    )
    if not locked:
        return []
    for captive in locked:
        captive_writable_check(captive)
    return _custody_events_write(
        acting_user=acting_user,
        locked=locked,
        timelines=_timelines([captive.pk for captive in locked]),
        kind=kind,
        occurred_at=occurred_at,
        place=place,
        custodian=custodian,
        notes=notes,
        refused=refused,
    )


def _custody_event_permission(acting_user: User) -> None:
    step_require(acting_user, CUSTODY_EVENT_RECORD)


def _custody_events_write(
    *,
    acting_user: User,
    locked: Sequence[Captive],
    timelines: dict[int, list[CustodyEvent]],
    kind: str,
    occurred_at: datetime,
    place: str,
    custodian: Any,
    notes: str,
    refused: str,
) -> list[CustodyEvent]:
    """The one way custody events are written: `locked` read under lock (or inserted in this
    transaction, when registering), with their timelines."""
    refusals = custody_event_refusals(
        [(captive, custodian) for captive in locked],
        kind=kind,
        occurred_at=occurred_at,
        timelines=timelines,
    )
    if refusals and len(locked) == 1:
        raise refusals[locked[0].pk]  # his own refusal, as it is
    if refusals:
        raise RuleError(
            ErrorCode.REPATRIATION_NOT_CLEARED
            if kind in HANDOVER_KINDS
            else ErrorCode.TRANSITION_NOT_ALLOWED,
            refused,
            {
                "problems": " ".join(
                    " ".join(refusals[captive.pk].messages)
                    for captive in locked
                    if captive.pk in refusals
                )
            },
        )
    custodians = {
        captive.pk: event_custodian(
            captive=captive,
            kind=kind,
            custodian=custodian,
            timeline=timelines[captive.pk],
            occurred_at=occurred_at,
        )
        for captive in locked
    }
    person = acting_person(acting_user)
    events = [
        CustodyEvent(
            captive=captive,
            kind=kind,
            occurred_at=occurred_at,
            place=place,
            custodian=custodians[captive.pk],
            notes=notes,
            recorded_by=person,
        )
        for captive in locked
    ]
    # Validation reads the field values only, and the events differ in nothing but the captive
    # (read under lock above): validating one per custodian validates them all.
    validated = set()
    for event in events:
        if event.custodian_id not in validated:
            event.full_clean(exclude=["captive"])
            validated.add(event.custodian_id)
    with constraint_refusals(CustodyEvent):
        history_bulk_create(events, acting_user=acting_user, reason="Recorded")
    # His custody follows his latest event: the new one, unless one dated later stands.
    later = {captive.pk: _after(timelines[captive.pk], occurred_at) for captive in locked}
    now = timezone.now()
    for captive, event in zip(locked, events, strict=True):
        _custody_follow(captive, later[captive.pk][-1] if later[captive.pk] else event)
        captive.updated_at = now
        captive.disclosed_changed_at = now
    history_bulk_update(
        locked,
        fields=[*CUSTODY_FIELDS, "updated_at", "disclosed_changed_at"],
        acting_user=acting_user,
        reason=_custody_reason(events[0]),
    )
    history_bulk_create(
        [
            duty
            for event in events
            for duty in event_duties(event, later=[e.kind for e in later[event.captive_id]])
        ],
        acting_user=acting_user,
        reason=event_duties_reason(events[0]) if events else "",
    )
    health_reports_sync_many(locked, acting_user=acting_user)
    return events


def custody_event_void_check(*, acting_user: User, event: CustodyEvent, reason: str) -> None:
    """Say whether the acting user may void the event: a partner only its own, and the
    timeline without it must still be allowed."""
    void_rights_check(acting_user=acting_user, author_id=event.recorded_by_id)
    void_check(event, reason)
    remaining = [e.kind for e in _active_events(event.captive) if e.pk != event.pk]
    try:
        custody_timeline_check(remaining)
    except RuleError as refusal:
        raise RuleError(
            ErrorCode.TIMELINE_BROKEN,
            _(
                "Voiding this event would leave an impossible timeline (%(why)s). "
                "Void the later events first."
            ),
            {"why": refusal.message % refusal.params},
        ) from refusal


@service
def custody_event_void(*, acting_user: User, event: CustodyEvent, reason: str) -> CustodyEvent:
    """Void a mistaken event; the status is computed without it and its open duties cancelled."""
    step_require(acting_user, CUSTODY_EVENT_VOID)
    captive = _lock(event.captive)
    event = CustodyEvent.objects.select_related("captive").get(pk=event.pk)
    custody_event_void_check(acting_user=acting_user, event=event, reason=reason)
    void_record(event, acting_user=acting_user, reason=reason)
    _captive_sync_custody(captive, acting_user=acting_user, reason="Custody event voided")
    for duty in event.obligations.active().filter(fulfilled_on__isnull=True):
        void_record(duty, acting_user=acting_user, reason="The event that created it was voided")
    health_reports_sync(captive, acting_user=acting_user)
    return event
