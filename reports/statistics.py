"""Statistics over a set of captives: one selector per aggregate (a grouped, counted queryset),
and the labelled tables that the admin page, its XLSX download and the partner API all show."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import CustodyEventKind, Health, ObligationKind, ObligationState, Wish
from cases.models import Captive, CustodyEvent, Obligation
from cases.selectors import captives_by_custody_status
from states.state_names import state_name

# Custody events that end a captivity by handing him home or to the other side.
HANDOVER_STATISTICS_KINDS = (CustodyEventKind.EXCHANGED, CustodyEventKind.REPATRIATED)

# Small-cell suppression for partners: a count from 1 to 4 could single someone out.
SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "<5"


# --- the captive set ---------------------------------------------------------------------------


def captives_filtered(
    captives: QuerySet[Captive],
    *,
    captured_from: date | None = None,
    captured_to: date | None = None,
    detaining_power_id: int | None = None,
) -> QuerySet[Captive]:
    """Narrow the captives to a capture-date range (both ends included) and a detaining power."""
    if captured_from:
        captives = captives.filter(captured_on__gte=captured_from)
    if captured_to:
        captives = captives.filter(captured_on__lte=captured_to)
    if detaining_power_id:
        captives = captives.filter(detaining_power_id=detaining_power_id)
    return captives


def _pks(captives: QuerySet[Captive]) -> QuerySet[Captive]:
    # A plain subquery of ids: the disclosure annotations are not needed to count related rows.
    return captives.order_by().values("pk")


# --- selectors: one grouped count each ----------------------------------------------------------


def captives_by_nationality(captives: QuerySet[Captive]) -> QuerySet:
    return (
        captives.order_by()
        .values("nationality__code", "nationality__name")
        .annotate(count=Count("pk", distinct=True))
    )


def captives_by_detaining_power(captives: QuerySet[Captive]) -> QuerySet:
    return (
        captives.order_by()
        .values("detaining_power__code", "detaining_power__name")
        .annotate(count=Count("pk", distinct=True))
    )


def captives_by_health(captives: QuerySet[Captive]) -> QuerySet:
    return captives.order_by().values("health").annotate(count=Count("pk", distinct=True))


def captives_by_effective_wish(captives: QuerySet[Captive]) -> QuerySet:
    return captives.order_by().values("effective_wish").annotate(count=Count("pk", distinct=True))


def obligations_open_by_kind(captives: QuerySet[Captive], *, today: date | None = None) -> QuerySet:
    """Obligations not fulfilled nor cancelled, by kind and state (due or overdue)."""
    return (
        Obligation.objects.filter(captive__in=_pks(captives))
        .with_state(today or timezone.localdate())
        .filter(state__in=[ObligationState.DUE, ObligationState.OVERDUE])
        .order_by()
        .values("kind", "state")
        .annotate(count=Count("pk"))
    )


def captures_by_month(captives: QuerySet[Captive]) -> QuerySet:
    return (
        captives.order_by()
        .annotate(month=TruncMonth("captured_on"))
        .values("month")
        .annotate(count=Count("pk", distinct=True))
    )


def handovers_by_month(captives: QuerySet[Captive]) -> QuerySet:
    """Exchanges and repatriations recorded (not voided), by month and kind."""
    return (
        CustodyEvent.objects.active()
        .filter(captive__in=_pks(captives), kind__in=HANDOVER_STATISTICS_KINDS)
        .order_by()
        .annotate(month=TruncMonth("occurred_at"))
        .values("month", "kind")
        .annotate(count=Count("pk"))
    )


# --- labelled tables ----------------------------------------------------------------------------


# The key of the row that counts captives with nothing recorded (no custody event, no wish, no
# state): a stable word an API client can match, never a choice's value nor a state's code.
NOTHING_RECORDED = "none"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Table:
    """One aggregate: `key` names it in the API and the XLSX, `columns` head its counts."""

    key: str
    title: str
    label_heading: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    short_title: str = ""

    @property
    def sheet_name(self) -> str:
        """The title as a spreadsheet allows it: at most 31 characters, none of []:*?/\\."""
        title = self.short_title or self.title
        return "".join(c for c in title if c not in "[]:*?/\\")[:31]

    @property
    def total(self) -> int:
        return sum(sum(row.counts) for row in self.rows)


def _choice_rows(
    grouped: Iterable[dict], field: str, choices: Iterable[tuple[str, str]], blank: str
):
    """Every choice in its order, zero included, so a table's shape never depends on the data."""
    counts = {row[field]: row["count"] for row in grouped}
    rows = [Row(NOTHING_RECORDED, blank, (counts.get("", 0),))] if blank else []
    rows += [Row(value, _(label), (counts.get(value, 0),)) for value, label in choices]
    return tuple(rows)


def _state_rows(grouped: Iterable[dict], prefix: str) -> tuple[Row, ...]:
    rows = [
        Row(
            row[f"{prefix}__code"] or NOTHING_RECORDED,
            state_name(row[f"{prefix}__code"], row[f"{prefix}__name"])
            if row[f"{prefix}__code"]
            else _("Not recorded"),
            (row["count"],),
        )
        for row in grouped
    ]
    return tuple(sorted(rows, key=lambda row: (-row.counts[0], row.key)))


def _month_key(value: date | datetime) -> str:
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year:04d}-{value.month:02d}"


def _months_between(first: str, last: str) -> list[str]:
    year, month = (int(part) for part in first.split("-"))
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_rows(counts: dict[tuple[str, str], int], series: tuple[str, ...]) -> tuple[Row, ...]:
    """One row a month from the first to the last month counted, the empty months included."""
    months = sorted({month for month, _series in counts})
    if not months:
        return ()
    return tuple(
        Row(month, month, tuple(counts.get((month, name), 0) for name in series))
        for month in _months_between(months[0], months[-1])
    )


def statistics_tables(
    captives: QuerySet[Captive],
    *,
    case_captives: QuerySet[Captive] | None = None,
    wish_captives: QuerySet[Captive] | None = None,
    today: date | None = None,
) -> list[Table]:
    """Every table of the statistics. Health, captures, obligations and handovers count only
    `case_captives`, the wishes only `wish_captives` (both default to all `captives`): a partner
    sees some captives at identity level only, and some captives' wishes not at all."""
    case_captives = captives if case_captives is None else case_captives
    wish_captives = captives if wish_captives is None else wish_captives
    count = (_("Captives"),)

    obligations: dict[tuple[str, str], int] = {
        (row["kind"], row["state"]): row["count"]
        for row in obligations_open_by_kind(case_captives, today=today)
    }
    captures = {
        (_month_key(row["month"]), ""): row["count"] for row in captures_by_month(case_captives)
    }
    handovers: dict[tuple[str, str], int] = {}
    for row in handovers_by_month(case_captives):
        key = (_month_key(row["month"]), row["kind"])
        handovers[key] = handovers.get(key, 0) + row["count"]

    return [
        Table(
            "custody_status",
            _("By custody status"),
            _("Custody status"),
            count,
            _choice_rows(
                captives_by_custody_status(captives),
                "custody_status",
                CustodyEventKind.choices,
                _("No custody event recorded"),
            ),
        ),
        Table(
            "nationality",
            _("By nationality"),
            _("Nationality"),
            count,
            _state_rows(captives_by_nationality(captives), "nationality"),
        ),
        Table(
            "detaining_power",
            _("By detaining power"),
            _("Detaining power"),
            count,
            _state_rows(captives_by_detaining_power(captives), "detaining_power"),
        ),
        Table(
            "health",
            _("By health"),
            _("Health"),
            count,
            _choice_rows(captives_by_health(case_captives), "health", Health.choices, ""),
        ),
        Table(
            "effective_wish",
            _("By effective wish"),
            _("Effective wish"),
            count,
            _choice_rows(
                captives_by_effective_wish(wish_captives),
                "effective_wish",
                Wish.choices,
                _("No wish stated"),
            ),
        ),
        Table(
            "obligations",
            _("Obligations due and overdue"),
            _("Obligation"),
            (_("Due"), _("Overdue")),
            tuple(
                Row(
                    kind,
                    _(label),
                    (
                        obligations.get((kind, ObligationState.DUE), 0),
                        obligations.get((kind, ObligationState.OVERDUE), 0),
                    ),
                )
                for kind, label in ObligationKind.choices
            ),
        ),
        Table(
            "captures_per_month",
            _("Captures per month"),
            _("Month"),
            count,
            _month_rows(captures, ("",)),
        ),
        Table(
            "handovers_per_month",
            _("Exchanges and repatriations per month"),
            _("Month"),
            (_("Exchanged"), _("Repatriated")),
            _month_rows(handovers, tuple(str(kind) for kind in HANDOVER_STATISTICS_KINDS)),
            short_title=_("Handovers per month"),
        ),
    ]


def suppressed(count: int) -> int | str:
    """A count as a partner reads it: 1 to 4 become "<5"; zero stays 0 (it singles no one out)."""
    return SUPPRESSED if 0 < count < SUPPRESSION_THRESHOLD else count
