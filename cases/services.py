"""Every write to a case: registration, custody events, wishes, reviews, obligations, voiding.

Each function is one transaction that checks the acting user's role, locks the captive, checks
the rule, saves and leaves history with the acting user.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.choices import (
    CUSTODY_TRANSITIONS,
    FINAL_CUSTODY_STATUSES,
    HANDOVER_KINDS,
    PARTNER_EVENT_KINDS,
    CustodyEventKind,
    DuplicateVerdict,
    NameSystem,
    ObligationKind,
    ReviewDecision,
    Voluntariness,
    custody_final,
)
from cases.dates import case_date_check
from cases.duplicates import linked_duplicate_refusal
from cases.gate import repatriation_clearances, repatriation_refusal
from cases.models import (
    NAME_FIELDS,
    Captive,
    CaptiveName,
    CaseNumberSequence,
    CustodyEvent,
    DuplicateDecision,
    MediaRecord,
    NonRefoulementReview,
    Obligation,
    WishStatement,
    captive_name_skeleton,
    name_keys_add,
)
from cases.names import captive_forms, name_forms, name_skeleton
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
from powtracker.roles import acting_partner, role_require
from powtracker.writes import changes_check, keywords_check, service
from reports.choices import DocumentKind

User = AbstractBaseUser | AnonymousUser | None

# Clocks drift; an event a few minutes "in the future" is a typing delay, not a mistake.
CLOCK_TOLERANCE = timedelta(minutes=5)

# Event kinds after which the captive stays with the same custodian unless told otherwise.
_SAME_CUSTODIAN = frozenset(
    {CustodyEventKind.IN_TRANSIT, CustodyEventKind.HOSPITALIZED, CustodyEventKind.INTERNED}
)


def _lock(captive: Captive) -> Captive:
    locked = Captive.objects.select_for_update().get(pk=captive.pk)
    captive_writable_check(locked)
    return locked


def captive_writable_check(captive: Captive) -> None:
    """Refuse any write to a linked duplicate: his case is the one kept (duplicate_decide)."""
    if captive.duplicate_of_id is not None:
        raise linked_duplicate_refusal(captive)


def _check_not_future(moment: datetime, field: Any) -> None:
    if moment > timezone.now() + CLOCK_TOLERANCE:
        raise RuleError(
            ErrorCode.EVENT_IN_FUTURE,
            _("%(field)s is in the future."),
            {"field": str(field).capitalize()},
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
    else his nationality): diplomacy.services keeps them, as involvements."""
    from diplomacy.services import captive_powers_initial

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
    role_require(
        acting_user,
        "cases.add_captive",
        pgettext_lazy("your role does not allow you to …", "register a captive"),
    )
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
    role_require(
        acting_user,
        "cases.add_captive",
        pgettext_lazy("your role does not allow you to …", "register a captive"),
    )
    partner = acting_partner(acting_user)
    if partner is not None:
        partner_register_check(partner, detaining_power)
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
    # His detaining power, his power and its ally are involvements (diplomacy keeps them).
    from diplomacy.services import captive_powers_involve

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


def partner_register_check(partner: Any, detaining_power: Any) -> None:
    """Refuse a partner registering a captive unless it is the agency of the state that holds
    him (a tracing agency or a humanitarian body registers no one)."""
    from partners.choices import PartnerKind

    if (
        partner is None
        or partner.kind != PartnerKind.STATE_AGENCY
        or partner.state_id is None
        or partner.state_id != getattr(detaining_power, "pk", None)
    ):
        raise RuleError(
            ErrorCode.PERMISSION_DENIED,
            _("Only the agency of the state holding a captive may register him."),
        )


@service
def captive_register_as_partner(*, acting_user: User, **fields: Any) -> Captive:
    """A partner state's agency registers a captive its own state holds (POST /captives/): its
    state is his detaining power, recorded as involved in his case as every registration
    records it (so the agency sees him). Any other partner (a tracing agency, a humanitarian
    body) registers no one."""
    partner = acting_partner(acting_user)
    partner_register_check(partner, partner.state if partner is not None else None)
    role_require(
        acting_user,
        "diplomacy.add_involvement",
        pgettext_lazy("your role does not allow you to …", "register a captive"),
    )
    return captive_register(
        acting_user=acting_user,
        detaining_power=partner.state,
        reason="Registered",
        **fields,
    )


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
        # Copies of his involvements (diplomacy.services.captive_powers_set changes them).
        "power_depended_on",
        "allied_power",
    }
)


@service
def captive_update(*, acting_user: User, captive: Captive, **changes: Any) -> Captive:
    """Change a captive's recorded particulars (never his case number or derived status)."""
    role_require(
        acting_user,
        "cases.change_captive",
        pgettext_lazy("your role does not allow you to …", "change a captive's particulars"),
    )
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


# --- custody timeline --------------------------------------------------------------------------


def custody_timeline_check(kinds: Sequence[str]) -> None:
    """Refuse a timeline (kinds in time order) that takes a step the transition table forbids."""
    status: str | None = None
    for kind in kinds:
        allowed = CUSTODY_TRANSITIONS[status]
        if kind not in allowed:
            if status is None:
                message = _("A custody timeline starts with the capture, not with “%(kind)s”.")
            elif custody_final(status):
                message = _(
                    "“%(status)s” ends the case: nothing can follow it, not even “%(kind)s”."
                )
            else:
                message = _("“%(kind)s” cannot follow “%(status)s”. Allowed next: %(allowed)s.")
            raise RuleError(
                ErrorCode.TRANSITION_NOT_ALLOWED,
                message,
                {
                    "kind": CustodyEventKind(kind).label,
                    "status": CustodyEventKind(status).label if status else "",
                    "allowed": ", ".join(
                        str(CustodyEventKind(k).label)
                        for k in CustodyEventKind.values
                        if k in allowed
                    ),
                },
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
            _check_not_future(occurred_at, _("the event's date"))
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


CUSTODY_FIELDS = ["custody_status", "custody_place", "custodian", "custody_since"]


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
    role_require(
        acting_user,
        "cases.add_custodyevent",
        pgettext_lazy("your role does not allow you to …", "record a custody event"),
    )


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
    role_require(
        acting_user,
        "cases.change_custodyevent",
        pgettext_lazy("your role does not allow you to …", "void a custody event"),
    )
    captive = _lock(event.captive)
    event = CustodyEvent.objects.select_related("captive").get(pk=event.pk)
    custody_event_void_check(acting_user=acting_user, event=event, reason=reason)
    void_record(event, acting_user=acting_user, reason=reason)
    _captive_sync_custody(captive, acting_user=acting_user, reason="Custody event voided")
    for duty in event.obligations.active().filter(fulfilled_on__isnull=True):
        void_record(duty, acting_user=acting_user, reason="The event that created it was voided")
    health_reports_sync(captive, acting_user=acting_user)
    return event


# --- wishes ------------------------------------------------------------------------------------


def wish_statement_check(*, stated_at: datetime, captive: Captive | None = None) -> None:
    """Refuse a statement dated in the future, before GC III or before the captive's capture
    (its other rules are the model's constraints)."""
    _check_not_future(stated_at, _("the statement's date"))
    case_date_check(
        stated_at,
        what=_("the statement's date"),
        captured_on=captive.captured_on if captive is not None else None,
    )


def _captive_sync_wishes(captive: Captive, *, acting_user: User, reason: str) -> None:
    active = captive.wish_statements.active().order_by("-stated_at", "-id")
    latest = active.first()
    effective = active.filter(voluntariness=Voluntariness.FREE).first()
    captive.latest_wish_statement = latest
    captive.effective_wish_statement = effective
    captive.effective_wish = effective.wish if effective else ""
    captive.effective_wish_destination = effective.destination if effective else None
    history_save(
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


@service
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
    """Record what the captive said. It supersedes the statement before it; nothing is edited.

    Recording it with an assessment of voluntariness is a supervisor's decision.
    """
    role_require(
        acting_user,
        "cases.add_wishstatement",
        pgettext_lazy("your role does not allow you to …", "record a wish statement"),
    )
    if voluntariness != Voluntariness.NOT_ASSESSED:
        role_require(
            acting_user,
            "cases.assess_wishstatement",
            pgettext_lazy(
                "your role does not allow you to …", "assess the voluntariness of a wish"
            ),
        )
    captive = _lock(captive)
    wish_statement_check(stated_at=stated_at, captive=captive)
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
        assessed_by=acting_person(acting_user) if assessed else None,
        assessed_at=timezone.now() if assessed else None,
        supersedes=previous,
        recorded_by=acting_person(acting_user),
        **details,
    )
    statement.full_clean()
    history_save(statement, acting_user=acting_user, reason="Recorded")
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement recorded")
    return statement


def wish_statement_void_check(*, acting_user: User, statement: WishStatement, reason: str) -> None:
    """Say whether the acting user may void the statement: a partner only its own, and an
    assessed statement only a supervisor, since voiding it may change his effective wish."""
    assessed = statement.voluntariness != Voluntariness.NOT_ASSESSED
    void_rights_check(
        acting_user=acting_user,
        author_id=statement.recorded_by_id,
        decision=(
            "cases.assess_wishstatement",
            pgettext_lazy("your role does not allow you to …", "void an assessed statement"),
        )
        if assessed
        else None,
    )
    void_check(statement, reason)


@service
def wish_statement_void(
    *, acting_user: User, statement: WishStatement, reason: str
) -> WishStatement:
    """Void a mistaken statement; the effective wish is computed again without it."""
    role_require(
        acting_user,
        "cases.change_wishstatement",
        pgettext_lazy("your role does not allow you to …", "void a wish statement"),
    )
    captive = _lock(statement.captive)
    statement = WishStatement.objects.get(pk=statement.pk)
    wish_statement_void_check(acting_user=acting_user, statement=statement, reason=reason)
    void_record(statement, acting_user=acting_user, reason=reason)
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement voided")
    return statement


@service
def wish_statement_assess(
    *, acting_user: User, statement: WishStatement, voluntariness: str, notes: str = ""
) -> WishStatement:
    """Record a supervisor's assessment of how freely a statement was made.

    What he said is not touched; the assessment decides whether the statement counts as consent.
    """
    role_require(
        acting_user,
        "cases.assess_wishstatement",
        pgettext_lazy("your role does not allow you to …", "assess the voluntariness of a wish"),
    )
    captive = _lock(statement.captive)
    statement = WishStatement.objects.get(pk=statement.pk)
    if statement.is_voided:
        raise RuleError(ErrorCode.ALREADY_VOIDED, _("A voided statement cannot be assessed."))
    statement.voluntariness = voluntariness
    statement.assessment_notes = notes
    assessed = voluntariness != Voluntariness.NOT_ASSESSED
    statement.assessed_by = acting_person(acting_user) if assessed else None
    statement.assessed_at = timezone.now() if assessed else None
    statement.full_clean()
    history_save(
        statement,
        acting_user=acting_user,
        reason=f"Assessed: {statement.get_voluntariness_display()}",
        update_fields=["voluntariness", "assessment_notes", "assessed_by", "assessed_at"],
    )
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement assessed")
    return statement


# --- non-refoulement reviews -------------------------------------------------------------------


@service
def non_refoulement_review_record(
    *, acting_user: User, captive: Captive, destination: Any, decision: str, reasons: str
) -> NonRefoulementReview:
    """Record a supervisor's review of whether the captive may be sent to `destination`."""
    role_require(
        acting_user,
        "cases.add_nonrefoulementreview",
        pgettext_lazy("your role does not allow you to …", "record a non-refoulement review"),
    )
    captive = _lock(captive)
    if not reasons.strip():
        raise RuleError(ErrorCode.REASON_REQUIRED, _("A review gives its reasons."))
    review = NonRefoulementReview(
        captive=captive,
        destination=destination,
        decision=ReviewDecision(decision),
        reasons=reasons.strip(),
        reviewed_by=acting_person(acting_user),
        reviewed_at=timezone.now(),
    )
    review.full_clean()
    history_save(review, acting_user=acting_user, reason=f"Review: {review.get_decision_display()}")
    return review


def non_refoulement_review_void_check(
    *, acting_user: User, review: NonRefoulementReview, reason: str
) -> None:
    """Say whether the acting user may void the review."""
    void_rights_check(acting_user=acting_user, author_id=review.reviewed_by_id)
    void_check(review, reason)


@service
def non_refoulement_review_void(
    *, acting_user: User, review: NonRefoulementReview, reason: str
) -> NonRefoulementReview:
    """Void a mistaken review: it no longer clears anyone."""
    role_require(
        acting_user,
        "cases.change_nonrefoulementreview",
        pgettext_lazy("your role does not allow you to …", "void a review"),
    )
    _lock(review.captive)
    review = NonRefoulementReview.objects.get(pk=review.pk)
    non_refoulement_review_void_check(acting_user=acting_user, review=review, reason=reason)
    void_record(review, acting_user=acting_user, reason=reason)
    return review


# --- obligations (GC III deadlines) ------------------------------------------------------------

# Which duties each custody event creates: Art. 70 capture card on arrival at a camp or hospital
# and on transfer; Art. 122 notification of capture, transfers, releases, repatriations, escapes,
# admissions to hospital and deaths; Art. 120 death record.
EVENT_OBLIGATIONS: dict[str, tuple[str, ...]] = {
    CustodyEventKind.CAPTURED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.INTERNED: (ObligationKind.CAPTURE_CARD,),
    CustodyEventKind.HOSPITALIZED: (ObligationKind.CAPTURE_CARD, ObligationKind.NIB_NOTIFICATION),
    CustodyEventKind.TRANSFERRED: (ObligationKind.CAPTURE_CARD, ObligationKind.NIB_NOTIFICATION),
    CustodyEventKind.RELEASED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.EXCHANGED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.REPATRIATED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.RESETTLED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.ESCAPED: (ObligationKind.NIB_NOTIFICATION,),
    CustodyEventKind.DECEASED: (ObligationKind.NIB_NOTIFICATION, ObligationKind.DEATH_RECORD),
}


def obligation_period(kind: str) -> timedelta:
    """How long after its trigger a duty falls due (settings.OBLIGATION_PERIOD_DAYS)."""
    return timedelta(days=settings.OBLIGATION_PERIOD_DAYS[kind])


def event_duty_kinds(kind: str, *, later: Sequence[str] = ()) -> tuple[str, ...]:
    """The duties (ObligationKind) an event of `kind` opens when it is recorded, given the kinds
    of his active events dated after it (`later`: none, unless the event is entered late).

    - The latest event opens all its duties (EVENT_OBLIGATIONS).
    - An event followed by one that ends the case (repatriated, exchanged, released, resettled,
      deceased) opens none: the duties exist to tell his family and his power where he is held
      and how he is (Art. 70, 122), and he is no longer held — what happened to him then is in
      the record and the notification that closed his case (and his weekly health reports stop
      with his custody: health_report_needed).
    - An event followed by others while he is still held opens the notifications of what
      happened (Art. 122, Art. 120), not the capture card: the card gives the address where he
      is held (Art. 70), which a later move has changed since and which that move's own card
      gives.
    """
    if any(custody_final(k) for k in later):
        return ()
    duties = EVENT_OBLIGATIONS.get(kind, ())
    if later:
        duties = tuple(duty for duty in duties if duty != ObligationKind.CAPTURE_CARD)
    return duties


def event_duties(event: CustodyEvent, *, later: Sequence[str] = ()) -> list[Obligation]:
    """The duties an event opens (unsaved, event_duty_kinds), due a set period after it."""
    return [
        Obligation(
            captive=event.captive,
            kind=kind,
            due_on=timezone.localdate(event.occurred_at) + obligation_period(kind),
            triggered_by=event,
        )
        for kind in event_duty_kinds(event.kind, later=later)
    ]


def event_duties_reason(event: CustodyEvent) -> str:
    return f"Created by: {event.get_kind_display()}"


def health_reports_sync(
    captive: Captive,
    *,
    acting_user: User,
    after: date | None = None,
) -> None:
    """Keep one open weekly health report while he is seriously wounded or sick and held.

    `after` is the due date of the report just sent, so the next falls a period after it.
    """
    open_reports = list(
        captive.obligations.active().filter(
            kind=ObligationKind.HEALTH_REPORT, fulfilled_on__isnull=True
        )
    )
    if health_report_needed(captive):
        if not open_reports:
            history_save(
                _health_report(captive, after=after),
                acting_user=acting_user,
                reason=HEALTH_REPORT_OPENED,
            )
        return
    for duty in open_reports:
        void_record(duty, acting_user=acting_user, reason=HEALTH_REPORT_CLOSED)


HEALTH_REPORT_OPENED = "Seriously wounded or sick: weekly report"
HEALTH_REPORT_CLOSED = "No longer seriously wounded or sick in our custody"


def health_report_needed(captive: Captive) -> bool:
    """Whether he needs an open weekly health report: seriously wounded or sick, and held."""
    held = captive.custody_status not in FINAL_CUSTODY_STATUSES | {CustodyEventKind.ESCAPED, ""}
    return captive.is_seriously_ill_or_wounded and held


def _health_report(captive: Captive, *, after: date | None = None) -> Obligation:
    start = after or timezone.localdate()
    return Obligation(
        captive=captive,
        kind=ObligationKind.HEALTH_REPORT,
        due_on=start + obligation_period(ObligationKind.HEALTH_REPORT),
    )


def health_reports_sync_many(captives: Sequence[Captive], *, acting_user: User) -> None:
    """health_reports_sync for many captives at once, writing the same rows in bulk."""
    open_reports: dict[int, list[Obligation]] = defaultdict(list)
    for duty in Obligation.objects.active().filter(
        captive_id__in={c.pk for c in captives},
        kind=ObligationKind.HEALTH_REPORT,
        fulfilled_on__isnull=True,
    ):
        open_reports[duty.captive_id].append(duty)
    opened, closed = [], []
    for captive in captives:
        if health_report_needed(captive):
            if not open_reports[captive.pk]:
                opened.append(_health_report(captive))
        else:
            closed.extend(open_reports[captive.pk])
    history_bulk_create(opened, acting_user=acting_user, reason=HEALTH_REPORT_OPENED)
    now = timezone.now()
    for duty in closed:
        duty.voided_at = now
        duty.voided_by = acting_person(acting_user)
        duty.void_reason = HEALTH_REPORT_CLOSED
    history_bulk_update(
        closed,
        fields=["voided_at", "voided_by", "void_reason"],
        acting_user=acting_user,
        reason=f"Voided: {HEALTH_REPORT_CLOSED}",
    )


# Which printed documents (reports.choices.DocumentKind) can be what fulfilled a duty.
DOCUMENTS_FULFILLING: dict[str, set[str]] = {
    ObligationKind.CAPTURE_CARD: {DocumentKind.CAPTURE_CARD},
    ObligationKind.NIB_NOTIFICATION: {DocumentKind.NIB_NOTIFICATION},
    ObligationKind.HEALTH_REPORT: {DocumentKind.NIB_NOTIFICATION},
    ObligationKind.DEATH_RECORD: {DocumentKind.NIB_NOTIFICATION},
}


def obligation_document_check(obligation: Obligation, document: Any) -> None:
    """A duty cites only a document of a kind that fulfils it and that covers its captive."""
    if document.kind not in DOCUMENTS_FULFILLING.get(obligation.kind, set()):
        raise RuleError(
            ErrorCode.DOCUMENT_MISMATCH,
            _("%(document)s is a %(kind)s: it does not fulfil a %(duty)s."),
            {
                "document": document.reference,
                "kind": document.get_kind_display(),
                "duty": obligation.get_kind_display(),
            },
        )
    if not document.captives.filter(pk=obligation.captive_id).exists():
        raise RuleError(
            ErrorCode.DOCUMENT_MISMATCH,
            _("%(document)s does not cover %(case)s."),
            {"document": document.reference, "case": obligation.captive.case_number},
        )


@service
def obligation_fulfil(
    *,
    acting_user: User,
    obligation: Obligation,
    fulfilled_on: date,
    reference: str = "",
    document: Any = None,
) -> Obligation:
    """Mark a duty done, with the date and the reference of what was sent — or the printed
    document that was sent (reports.GeneratedDocument), whose reference then stands for it.

    A weekly health report fulfilled brings the next one, while he remains seriously ill.
    """
    role_require(
        acting_user,
        "cases.change_obligation",
        pgettext_lazy("your role does not allow you to …", "fulfil an obligation"),
    )
    captive = _lock(obligation.captive)
    obligation = Obligation.objects.get(pk=obligation.pk)
    if obligation.fulfilled_on is not None:
        raise RuleError(ErrorCode.ALREADY_FULFILLED, _("This obligation was fulfilled already."))
    if obligation.is_voided:
        raise RuleError(ErrorCode.ALREADY_VOIDED, _("This obligation was cancelled."))
    if document is not None:
        obligation_document_check(obligation, document)
        reference = reference.strip() or document.reference
    if not reference.strip():
        raise RuleError(ErrorCode.REFERENCE_REQUIRED, _("Give the reference of what was sent."))
    if fulfilled_on > timezone.localdate():
        raise RuleError(ErrorCode.EVENT_IN_FUTURE, _("The date of fulfilment is in the future."))
    case_date_check(fulfilled_on, what=_("the date of fulfilment"), captured_on=captive.captured_on)
    obligation.fulfilled_on = fulfilled_on
    obligation.reference = reference.strip()
    obligation.document = document
    obligation.full_clean()
    history_save(
        obligation,
        acting_user=acting_user,
        reason="Fulfilled",
        update_fields=["fulfilled_on", "reference", "document"],
    )
    if obligation.kind == ObligationKind.HEALTH_REPORT:
        health_reports_sync(captive, acting_user=acting_user, after=obligation.due_on)
    return obligation


# --- duplicates --------------------------------------------------------------------------------


def duplicate_decision_for(captive: Captive, other: Captive) -> DuplicateDecision | None:
    """The decision taken about this pair, whichever way round it is given."""
    first, second = sorted([captive.pk, other.pk])
    return DuplicateDecision.objects.filter(first_id=first, second_id=second).first()


@service
def duplicate_decide(
    *, acting_user: User, captive: Captive, other: Captive, decision: str, note: str = ""
) -> DuplicateDecision:
    """Record the caseworker's decision about two records proposed as the same person.

    `same_person`: `captive` becomes a linked duplicate of `other`, the case kept. Nothing is
    deleted: he stays, read-only (every service refuses to write him), pointing to the kept case,
    and his renderings of the name — his Latin name, his name in the original script and his other
    renderings — are copied to the kept case as aliases, so that every name search (admin, API,
    duplicates) that would have found him finds the kept case. `not_same`: remembered, so the
    pair is never proposed again. Either way one decision a pair, kept for ever.
    """
    role_require(
        acting_user,
        "cases.add_duplicatedecision",
        pgettext_lazy("your role does not allow you to …", "decide about duplicates"),
    )
    decision = DuplicateVerdict(decision)
    if captive.pk == other.pk:
        raise RuleError(ErrorCode.INVALID, _("A record cannot be a duplicate of itself."))
    # Both locked, in id order (so that two decisions about the same pair cannot deadlock).
    locked = {
        c.pk: c
        for c in Captive.objects.select_for_update()
        .filter(pk__in=[captive.pk, other.pk])
        .order_by("pk")
    }
    captive, other = locked[captive.pk], locked[other.pk]
    if duplicate_decision_for(captive, other) is not None:
        raise RuleError(
            ErrorCode.ALREADY_DECIDED,
            _("%(case)s and %(other)s were decided about already."),
            {"case": captive.case_number, "other": other.case_number},
        )
    if decision == DuplicateVerdict.SAME_PERSON:
        captive_writable_check(captive)
        captive_writable_check(other)
        if captive.duplicates.exists():
            raise RuleError(
                ErrorCode.LINKED_DUPLICATE,
                _(
                    "Other records are linked duplicates of %(case)s: keep %(case)s, and mark "
                    "%(other)s as its duplicate instead."
                ),
                {"case": captive.case_number, "other": other.case_number},
            )
    first, second = sorted([captive, other], key=lambda c: c.pk)
    record = DuplicateDecision(
        first=first,
        second=second,
        decision=decision,
        duplicate=captive if decision == DuplicateVerdict.SAME_PERSON else None,
        note=note.strip(),
        decided_by=acting_person(acting_user),
        decided_at=timezone.now(),
    )
    record.full_clean()
    history_save(
        record, acting_user=acting_user, reason=f"Decided: {record.get_decision_display()}"
    )
    if decision == DuplicateVerdict.SAME_PERSON:
        _duplicate_link(captive, kept=other, acting_user=acting_user)
    return record


def _duplicate_link(duplicate: Captive, *, kept: Captive, acting_user: User) -> None:
    """Point the duplicate to the kept case, and give the kept case his renderings as aliases."""
    duplicate.duplicate_of = kept
    history_save(
        duplicate,
        acting_user=acting_user,
        reason=f"Linked duplicate of {kept.case_number}",
        update_fields=version_fields(duplicate, ["duplicate_of"]),
    )
    renderings = [duplicate.name_latin, duplicate.name_original]
    renderings += list(duplicate.names.values_list("full_name", flat=True))
    existing = set(kept.names.values_list("system", "full_name"))
    note = f"From linked duplicate {duplicate.case_number}"[:200]
    for full_name in dict.fromkeys(name.strip() for name in renderings):
        if not full_name or (NameSystem.ALIAS, full_name) in existing:
            continue
        alias = CaptiveName(captive=kept, system=NameSystem.ALIAS, full_name=full_name, note=note)
        alias.full_clean(exclude=["captive"])
        alias.skeleton = name_skeleton(alias.full_name)
        history_save(alias, acting_user=acting_user, reason=note)
        name_keys_add(kept.pk, name_forms(alias.full_name))
    # His renderings are part of what every reader sees of the kept case: a new version, so
    # ETags, `updated_at` and `updated_since` tell partners to read him again.
    kept.disclosed_changed_at = timezone.now()
    history_save(
        kept,
        acting_user=acting_user,
        reason=note,
        update_fields=["disclosed_changed_at", "updated_at"],
    )


# --- versions: what partners are told has changed -----------------------------------------------


def captive_version_move(
    captive: Captive, *, acting_user: User, reason: str, disclosed: bool = True
) -> None:
    """Give him a new version after a change to a record partners read with him (a rendering
    of his name, a media record, a state involved): `updated_at` always, and the version every
    partner reads (`disclosed_changed_at`) when the change is one they may all see."""
    now = timezone.now()
    captive.updated_at = now
    fields = ["updated_at"]
    if disclosed:
        captive.disclosed_changed_at = now
        fields.append("disclosed_changed_at")
    history_save(captive, acting_user=acting_user, reason=reason, update_fields=fields)


# --- renderings of his name ----------------------------------------------------------------------

RENDERING_CHANGEABLE_FIELDS = frozenset({"system", "full_name", "note"})


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
    role_require(
        acting_user,
        "cases.add_captivename",
        pgettext_lazy("your role does not allow you to …", "add a rendering of a name"),
    )
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
    role_require(
        acting_user,
        "cases.change_captivename",
        pgettext_lazy("your role does not allow you to …", "change a rendering of a name"),
    )
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


# --- media records ------------------------------------------------------------------------------

MEDIA_FIELDS = frozenset(
    {
        "kind",
        "title",
        "publisher",
        "publisher_state",
        "published_on",
        "location",
        "description",
        "exposes_to_public_curiosity",
        "art13_notes",
    }
)


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
    role_require(
        acting_user,
        "cases.add_mediarecord",
        pgettext_lazy("your role does not allow you to …", "record a media record"),
    )
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
    role_require(
        acting_user,
        "cases.change_mediarecord",
        pgettext_lazy("your role does not allow you to …", "change a media record"),
    )
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


# --- obligations recorded by hand ---------------------------------------------------------------


@service
def obligation_record(
    *,
    acting_user: User,
    captive: Captive,
    kind: str,
    due_on: date,
    notes: str = "",
    reason: str = "Obligation recorded",
) -> Obligation:
    """Record a duty no event of the timeline opens by itself (the names of those held for
    trial, Art. 119, say), with its deadline."""
    role_require(
        acting_user,
        "cases.add_obligation",
        pgettext_lazy("your role does not allow you to …", "record an obligation"),
    )
    locked = _lock(captive)
    duty = Obligation(captive=locked, kind=kind, due_on=due_on, notes=notes)
    duty.full_clean()
    history_save(duty, acting_user=acting_user, reason=reason)
    captive_version_move(locked, acting_user=acting_user, reason=reason)
    return duty


@service
def obligation_notes_update(
    *, acting_user: User, obligation: Obligation, notes: str, reason: str = "Notes changed"
) -> Obligation:
    """Change an obligation's internal notes (no partner reads them: no new version)."""
    role_require(
        acting_user,
        "cases.change_obligation",
        pgettext_lazy("your role does not allow you to …", "change an obligation"),
    )
    locked = Obligation.objects.select_for_update().get(pk=obligation.pk)
    locked.notes = notes
    locked.full_clean()
    history_save(locked, acting_user=acting_user, reason=reason, update_fields=["notes"])
    return locked
