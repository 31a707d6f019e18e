"""Reads about cases that more than one screen needs."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.gate import Clearance, captive_clearances, pending_statement
from cases.models import Captive, CaptiveName, Obligation, WishStatement
from cases.names import name_skeleton
from states.models import State


def obligations_open(*, today: date | None = None, within_days: int = 7) -> QuerySet[Obligation]:
    """Duties not yet fulfilled: every overdue one, and those due within `within_days`."""
    today = today or timezone.localdate()
    return (
        Obligation.objects.active()
        .filter(fulfilled_on__isnull=True, due_on__lte=today + timedelta(days=within_days))
        .with_state(today)
        .select_related("captive")
        # What a list of duties shows: a dashboard or a cron job reading tens of thousands of
        # lines need not load every column of every captive.
        .only(*OBLIGATION_LINE_FIELDS)
        .order_by("due_on", "captive__case_number", "id")
    )


# The fields of a line of obligations_open (the dashboard, `manage.py obligations_due`).
OBLIGATION_LINE_FIELDS = (
    "id",
    "kind",
    "due_on",
    "fulfilled_on",
    "voided_at",
    "captive_id",
    "captive__case_number",
)


# What the name search reads: identity data every reader of a captive may see (the API's
# IDENTITY_FIELDS, the lowest level), so a match can never reveal a hidden field.
CAPTIVE_SEARCH_FIELDS = (
    "case_number",
    "family_name",
    "given_names",
    "name_original",
    "service_number",
)
# Shorter than a trigram, a text is matched at the start of a field (which the trigram indexes
# serve) and its skeleton key is not used (it would match nearly everyone).
TRIGRAM = 3


def captives_by_custody_status(captives: QuerySet[Captive]) -> QuerySet:
    """How many captives are in each custody status: the front page's and the statistics'."""
    return captives.order_by().values("custody_status").annotate(count=Count("pk", distinct=True))


def captive_search(queryset: QuerySet[Captive], text: str) -> QuerySet[Captive]:
    """The captives of `queryset` whose particulars or one of whose renderings contain `text`,
    as typed or as its skeleton key (cases.names): "Chol" finds Cheol, 철 and Чхоль. A text of one
    or two characters matches at the start of a field only ("Ri" finds Ri Chol, not Gorin).

    It only narrows `queryset`, so a reader finds no one he may not see; it reads only identity
    fields and renderings, which every reader of a captive sees. On PostgreSQL the matches are one
    UNION of single-table subqueries that the trigram indexes serve (migration 0010), joined to
    `queryset` by primary key: no DISTINCT, no join to renderings in the outer query.
    """
    text = " ".join(text.split())
    if not text:
        return queryset
    lookup = "icontains" if len(text) >= TRIGRAM else "istartswith"
    skeleton = name_skeleton(text)
    if len(skeleton) < TRIGRAM:
        skeleton = ""
    if connection.vendor == "postgresql":
        branches = [
            Captive.objects.filter(**{f"{field}__{lookup}": text}).order_by().values("pk")
            for field in CAPTIVE_SEARCH_FIELDS
        ]
        branches.append(
            CaptiveName.objects.filter(**{f"full_name__{lookup}": text})
            .order_by()
            .values("captive_id")
        )
        if skeleton:
            branches.append(
                Captive.objects.filter(name_skeleton__contains=skeleton).order_by().values("pk")
            )
            branches.append(
                CaptiveName.objects.filter(skeleton__contains=skeleton)
                .order_by()
                .values("captive_id")
            )
        first, *rest = branches
        return queryset.filter(pk__in=first.union(*rest))
    # SQLite: a plainer OR of LIKEs (its LIKE folds ASCII case only; the keys are upper case).
    on_captive = Q()
    for field in CAPTIVE_SEARCH_FIELDS:
        on_captive |= Q(**{f"{field}__{lookup}": text})
    on_renderings = Q(**{f"full_name__{lookup}": text})
    if skeleton:
        on_captive |= Q(name_skeleton__contains=skeleton)
        on_renderings |= Q(skeleton__contains=skeleton)
    return queryset.filter(
        on_captive | Q(pk__in=CaptiveName.objects.filter(on_renderings).values("captive_id"))
    )


# The states a captive's representation names. They are read in one query for a whole page
# (`states_attach`) rather than joined: eight joins of the same table cost PostgreSQL 60 ms of
# planning a query at 100,000 captives (issue 9), and eight prefetches eight round trips.
STATE_FIELDS = [
    "nationality",
    "power_depended_on",
    "detaining_power",
    "allied_power",
    "capture_territory_state",
    "custodian",
    "effective_wish_destination",
]


def states_attach(captives: list[Captive]) -> list[Captive]:
    """Give these captives (and their latest statements) the states they name, from one query."""
    statements = [c.latest_wish_statement for c in captives if c.latest_wish_statement_id]
    wanted = {getattr(c, f"{name}_id") for c in captives for name in STATE_FIELDS}
    wanted |= {statement.destination_id for statement in statements}
    wanted.discard(None)
    states = State.objects.in_bulk(wanted)
    for captive in captives:
        for name in STATE_FIELDS:
            setattr(captive, name, states.get(getattr(captive, f"{name}_id")))
    for statement in statements:
        statement.destination = states.get(statement.destination_id)
    return captives


# --- the summary at the top of a captive's page ------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """What a caseworker must see of a case at a glance (the top of the captive's admin page).

    `effective` is the statement his effective wish rests on (assessed as free); `latest` his
    newest statement, whatever its assessment (the same as `effective` when he has said nothing
    since). `awaiting` is the statement a supervisor is waiting to assess: the newest one not yet
    assessed that is newer than his effective wish — the one the gate says suspends it.
    `clearances` are the repatriation gate's decisions for every state involved, `next_obligation`
    his earliest open duty. (The open exchange proposals he is on are diplomacy's to add:
    diplomacy.selectors.captive_proposals_open, on the page through diplomacy.admin.)
    """

    captive: Captive
    effective: WishStatement | None
    latest: WishStatement | None
    awaiting: WishStatement | None
    clearances: list[Clearance]
    next_obligation: Obligation | None
    next_obligation_overdue: bool

    @property
    def seriously_wounded_or_sick(self) -> bool:
        return self.captive.is_seriously_ill_or_wounded

    @property
    def cleared_anywhere(self) -> bool:
        return any(clearance.cleared for clearance in self.clearances)

    @property
    def has_flags(self) -> bool:
        return bool(self.seriously_wounded_or_sick or self.awaiting)


def next_obligation(captive: Captive) -> Obligation | None:
    """His open duty (neither fulfilled nor cancelled) with the earliest deadline."""
    return (
        Obligation.objects.active()
        .filter(captive=captive, fulfilled_on__isnull=True)
        .order_by("due_on", "id")
        .first()
    )


def case_summary(captive: Captive, *, today: date | None = None) -> CaseSummary:
    """The summary of one case: his custody and wish, what the repatriation gate says for each
    state involved (cases.gate, the one rule), his next duty and what needs attention. A dozen
    queries, whatever the size of the register."""
    today = today or timezone.localdate()
    latest = captive.latest_wish_statement
    effective = captive.effective_wish_statement
    duty = next_obligation(captive)
    return CaseSummary(
        captive=captive,
        effective=effective,
        latest=latest,
        awaiting=pending_statement(captive),
        clearances=captive_clearances(captive),
        next_obligation=duty,
        next_obligation_overdue=duty is not None and duty.due_on < today,
    )
