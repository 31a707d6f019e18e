"""What a whole register satisfies about its cases (manage.py integrity_check,
powtracker.integrity): case numbers and their counters, and the facts the services keep in step:
his custody with his timeline, his effective wish with his statements, his duties with their
events, his power with his involvements, a linked duplicate with its decision."""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    CUSTODY_TRANSITIONS,
    EVENT_OBLIGATIONS,
    FINAL_CUSTODY_STATUSES,
    POWER_ROLE_FIELDS,
    CustodyEventKind,
    DuplicateVerdict,
    Health,
    InvolvementRole,
    ObligationKind,
    Voluntariness,
)
from cases.models import (
    Captive,
    CaseNumberSequence,
    CustodyEvent,
    DuplicateDecision,
    Involvement,
    Obligation,
    WishStatement,
)
from powtracker.integrity import (
    Check,
    Failures,
    allowed_pairs,
    column,
    findings,
    register,
    same,
    table,
    text_list,
)

# --- case numbers -------------------------------------------------------------------------------

CASE_NUMBERS_WELL_FORMED = Check(
    "case_numbers.well_formed",
    _("Every case number reads POWER-YEAR-NUMBER (e.g. UKR-2025-00001)."),
)
CASE_NUMBERS_UNIQUE = Check("case_numbers.unique", _("No two captives share a case number."))
CASE_NUMBERS_COUNTERS = Check(
    "case_numbers.counters_ahead",
    _(
        "Each detaining power's and year's counter has reached every number issued under it, "
        "so the next registration cannot take a number already held."
    ),
)
CASE_NUMBERS_NONE_MISSING = Check(
    "case_numbers.none_missing",
    _(
        "Every number a counter has issued belongs to a captive (a number is taken in the "
        "transaction that registers him, and no captive is deleted: a missing number is a "
        "lost case)."
    ),
)

_CASE_NUMBER_PATTERN = "^[A-Z]{3}-[0-9]{4}-[0-9]{5,9}$"


def _matches(connection: BaseDatabaseWrapper, value: str) -> str:
    operator = "REGEXP" if connection.vendor == "sqlite" else "~"
    return f"{value} {operator} '{_CASE_NUMBER_PATTERN}'"


@register(
    CASE_NUMBERS_WELL_FORMED, CASE_NUMBERS_UNIQUE, CASE_NUMBERS_COUNTERS, CASE_NUMBERS_NONE_MISSING
)
def case_numbers(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    captives, counters = table(Captive, connection), table(CaseNumberSequence, connection)
    number = column(Captive, "case_number", connection)
    code, year = (
        column(CaseNumberSequence, f, connection) for f in ("detaining_power_code", "year")
    )
    last = column(CaseNumberSequence, "last_value", connection)
    out = findings(
        connection,
        f"""
        SELECT '{CASE_NUMBERS_WELL_FORMED.name}' AS k, {number} AS ref FROM {captives}
         WHERE NOT ({_matches(connection, number)})
        UNION ALL
        SELECT '{CASE_NUMBERS_UNIQUE.name}', {number} FROM {captives}
         GROUP BY {number} HAVING COUNT(*) > 1
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
    )
    # One row per series (power and year): what its captives hold, beside its counter. A few
    # dozen rows, however many captives.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH issued AS (
                SELECT SUBSTR({number}, 1, 3) AS series_code,
                       CAST(SUBSTR({number}, 5, 4) AS INTEGER) AS series_year,
                       MAX(CAST(SUBSTR({number}, 10) AS INTEGER)) AS top,
                       COUNT(DISTINCT {number}) AS held
                  FROM {captives}
                 WHERE {_matches(connection, number)}
                 GROUP BY SUBSTR({number}, 1, 3), CAST(SUBSTR({number}, 5, 4) AS INTEGER)
            )
            SELECT i.series_code, i.series_year, i.top, i.held, s.{last}
              FROM issued i
              LEFT JOIN {counters} s ON s.{code} = i.series_code AND s.{year} = i.series_year
            UNION ALL
            SELECT s.{code}, s.{year}, 0, 0, s.{last} FROM {counters} s
             WHERE s.{last} > 0 AND NOT EXISTS (
                 SELECT 1 FROM issued i WHERE i.series_code = s.{code} AND i.series_year = s.{year}
             )
            """  # noqa: S608 — model metadata and constants only
        )
        series = sorted(cursor.fetchall())
    behind, missing = Failures(), Failures()
    for series_code, series_year, top, held, counter in series:
        key = f"{series_code}-{series_year}"
        if counter is None or counter < top:
            behind.count += 1
            if len(behind.examples) < limit:
                behind.examples.append(
                    _("%(series)s (counter at %(counter)s, number %(top)s issued)")
                    % {"series": key, "counter": counter or 0, "top": top}
                    if counter is not None
                    else _("%(series)s (no counter, number %(top)s issued)")
                    % {"series": key, "top": top}
                )
        elif held < counter:
            missing.count += counter - held
            if len(missing.examples) < limit:
                missing.examples.append(
                    _("%(series)s (%(missing)d of %(counter)d numbers held by no captive)")
                    % {"series": key, "missing": counter - held, "counter": counter}
                )
    if behind.count:
        out[CASE_NUMBERS_COUNTERS.name] = behind
    if missing.count:
        out[CASE_NUMBERS_NONE_MISSING.name] = missing
    return out


# --- custody --------------------------------------------------------------------------------------

CUSTODY_REGISTERED = Check(
    "custody.opened_by_capture",
    _("Every captive's timeline opens with the capture his registration recorded."),
)
CUSTODY_TRANSITIONS_ALLOWED = Check(
    "custody.steps_allowed",
    _(
        "Every timeline (its events not voided, in time order) takes only the steps the "
        "transition table allows: no life after death, no exchange after an escape."
    ),
)
CUSTODY_STATUS = Check(
    "custody.status_follows_timeline",
    _(
        "Each captive's custody status, place, custodian and date are those of his latest "
        "event not voided."
    ),
)


@register(CUSTODY_REGISTERED, CUSTODY_TRANSITIONS_ALLOWED, CUSTODY_STATUS)
def custody(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    captives, events = table(Captive, connection), table(CustodyEvent, connection)
    allowed = allowed_pairs("previous", "kind", CUSTODY_TRANSITIONS)
    # One window over the events not voided, in time order: the step before each one, and
    # whether it is his latest. His first event of all (voided or not) by an aggregate.
    return findings(
        connection,
        f"""
        WITH timeline AS (
            SELECT captive_id, kind, place, custodian_id, occurred_at,
                   LAG(kind) OVER steps AS previous,
                   LEAD(id) OVER steps AS next_id
              FROM {events} WHERE voided_at IS NULL
            WINDOW steps AS (PARTITION BY captive_id ORDER BY occurred_at, id)
        )
        SELECT '{CUSTODY_REGISTERED.name}' AS k, c.id AS ref FROM {captives} c
          LEFT JOIN (
              SELECT captive_id, MIN(id) AS first_event,
                     MIN(CASE WHEN kind = '{CustodyEventKind.CAPTURED}' THEN id END)
                         AS first_capture
                FROM {events} GROUP BY captive_id
          ) f ON f.captive_id = c.id
         WHERE f.first_capture IS NULL OR f.first_capture <> f.first_event
        UNION ALL
        SELECT DISTINCT '{CUSTODY_TRANSITIONS_ALLOWED.name}', captive_id FROM timeline
         WHERE NOT {allowed}
        UNION ALL
        SELECT '{CUSTODY_STATUS.name}', c.id FROM {captives} c
          LEFT JOIN timeline t ON t.captive_id = c.id AND t.next_id IS NULL
         WHERE NOT (
             c.custody_status = COALESCE(t.kind, '')
             AND c.custody_place = COALESCE(t.place, '')
             AND {same("c.custodian_id", "t.custodian_id", connection)}
             AND {same("c.custody_since", "t.occurred_at", connection)}
         )
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
        models_=Captive,
    )


# --- wishes ---------------------------------------------------------------------------------------

WISHES_EFFECTIVE = Check(
    "wishes.effective_wish_follows_statements",
    _(
        "Each captive's latest statement is his latest statement not voided, and his effective "
        "wish (and its destination) is his latest one assessed as free — what the repatriation "
        "gate reads."
    ),
)


@register(WISHES_EFFECTIVE)
def wishes(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    captives, statements = table(Captive, connection), table(WishStatement, connection)
    return findings(
        connection,
        f"""
        WITH said AS (
            SELECT captive_id, id,
                   ROW_NUMBER() OVER (
                       PARTITION BY captive_id ORDER BY stated_at DESC, id DESC
                   ) AS from_last
              FROM {statements} WHERE voided_at IS NULL
        ), free AS (
            SELECT captive_id, id, wish, destination_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY captive_id ORDER BY stated_at DESC, id DESC
                   ) AS from_last
              FROM {statements}
             WHERE voided_at IS NULL AND voluntariness = '{Voluntariness.FREE}'
        )
        SELECT '{WISHES_EFFECTIVE.name}' AS k, c.id AS ref FROM {captives} c
          LEFT JOIN said s ON s.captive_id = c.id AND s.from_last = 1
          LEFT JOIN free f ON f.captive_id = c.id AND f.from_last = 1
         WHERE NOT (
             {same("c.latest_wish_statement_id", "s.id", connection)}
             AND {same("c.effective_wish_statement_id", "f.id", connection)}
             AND c.effective_wish = COALESCE(f.wish, '')
             AND {same("c.effective_wish_destination_id", "f.destination_id", connection)}
         )
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
        models_=Captive,
    )


# --- obligations --------------------------------------------------------------------------------

OBLIGATIONS_TRIGGERS = Check(
    "obligations.match_their_events",
    _(
        "A duty created by a custody event concerns that event's captive and is one the event's "
        "kind creates (GC III Arts. 70, 120, 122)."
    ),
)
OBLIGATIONS_CANCELLED = Check(
    "obligations.cancelled_with_their_event",
    _("No duty is still open whose event was voided (voiding an event cancels its open duties)."),
)
OBLIGATIONS_CAPTURE = Check(
    "obligations.capture_notified",
    _(
        "Every captive's registration (his first event) created its notification to the "
        "Information Bureau (Art. 122)."
    ),
)
OBLIGATIONS_HEALTH = Check(
    "obligations.health_reports",
    _(
        "A seriously wounded or sick captive still held has exactly one open weekly health "
        "report (Art. 122), and any other captive none."
    ),
)


@register(OBLIGATIONS_TRIGGERS, OBLIGATIONS_CANCELLED, OBLIGATIONS_CAPTURE, OBLIGATIONS_HEALTH)
def obligations(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    captives = table(Captive, connection)
    events, duties = table(CustodyEvent, connection), table(Obligation, connection)
    created = allowed_pairs("e.kind", "o.kind", EVENT_OBLIGATIONS)
    seriously = text_list([Health.SERIOUSLY_WOUNDED, Health.SERIOUSLY_SICK])
    not_held = text_list([*FINAL_CUSTODY_STATUSES, CustodyEventKind.ESCAPED, ""])
    return findings(
        connection,
        f"""
        SELECT '{OBLIGATIONS_TRIGGERS.name}' AS k, o.id AS ref FROM {duties} o
          JOIN {events} e ON e.id = o.triggered_by_id
         WHERE o.captive_id <> e.captive_id OR NOT {created}
        UNION ALL
        SELECT '{OBLIGATIONS_CANCELLED.name}', o.id FROM {duties} o
          JOIN {events} e ON e.id = o.triggered_by_id
         WHERE e.voided_at IS NOT NULL AND o.voided_at IS NULL AND o.fulfilled_on IS NULL
        UNION ALL
        SELECT '{OBLIGATIONS_CAPTURE.name}', f.captive_id FROM (
            SELECT captive_id, MIN(id) AS id FROM {events} GROUP BY captive_id
        ) f
         WHERE NOT EXISTS (
             SELECT 1 FROM {duties} o
              WHERE o.triggered_by_id = f.id AND o.kind = '{ObligationKind.NIB_NOTIFICATION}'
         )
        UNION ALL
        SELECT '{OBLIGATIONS_HEALTH.name}', c.id FROM {captives} c
          LEFT JOIN (
              SELECT captive_id, COUNT(*) AS open_reports FROM {duties}
               WHERE kind = '{ObligationKind.HEALTH_REPORT}'
                 AND voided_at IS NULL AND fulfilled_on IS NULL
               GROUP BY captive_id
          ) r ON r.captive_id = c.id
         WHERE COALESCE(r.open_reports, 0) <> CASE
             WHEN c.health IN {seriously} AND c.custody_status NOT IN {not_held} THEN 1 ELSE 0
         END
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
        models_={
            OBLIGATIONS_TRIGGERS.name: Obligation,
            OBLIGATIONS_CANCELLED.name: Obligation,
            OBLIGATIONS_CAPTURE.name: Captive,
            OBLIGATIONS_HEALTH.name: Captive,
        },
    )


# --- involvements and duplicates ---------------------------------------------------------------

INVOLVEMENTS_POWERS = Check(
    "involvements.powers_follow_involvements",
    _(
        "Each captive's power depended on and its ally are the states holding those roles in "
        "his involvements not ended (hostility and the gate read both)."
    ),
)
INVOLVEMENTS_DETAINING = Check(
    "involvements.detaining_power_involved",
    _(
        "Every captive has the detaining power's involvement his registration recorded (the "
        "involvements are what decides who may read his case)."
    ),
)
DUPLICATES_DECIDED = Check(
    "duplicates.links_decided",
    _(
        "Every linked duplicate has the decision that linked him, and points to a case that is "
        "not itself a linked duplicate."
    ),
)


@register(INVOLVEMENTS_POWERS, INVOLVEMENTS_DETAINING, DUPLICATES_DECIDED)
def involvements(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    captives, involved = table(Captive, connection), table(Involvement, connection)
    decisions = table(DuplicateDecision, connection)
    joins, equal = [], []
    for n, (role, field) in enumerate(sorted(POWER_ROLE_FIELDS.items())):
        joins.append(
            f"LEFT JOIN {involved} p{n} ON p{n}.captive_id = c.id AND p{n}.role = '{role}'"
            f" AND p{n}.ended_on IS NULL"
        )
        equal.append(same(f"c.{column(Captive, field, connection)}", f"p{n}.state_id", connection))
    return findings(
        connection,
        f"""
        SELECT '{INVOLVEMENTS_POWERS.name}' AS k, c.id AS ref FROM {captives} c
          {" ".join(joins)}
         WHERE NOT ({" AND ".join(equal)})
        UNION ALL
        SELECT '{INVOLVEMENTS_DETAINING.name}', c.id FROM {captives} c
         WHERE NOT EXISTS (
             SELECT 1 FROM {involved} i
              WHERE i.captive_id = c.id AND i.role = '{InvolvementRole.DETAINING_POWER}'
         )
        UNION ALL
        SELECT '{DUPLICATES_DECIDED.name}', c.id FROM {captives} c
          JOIN {captives} kept ON kept.id = c.duplicate_of_id
         WHERE kept.duplicate_of_id IS NOT NULL OR NOT EXISTS (
             SELECT 1 FROM {decisions} d
              WHERE d.duplicate_id = c.id AND d.decision = '{DuplicateVerdict.SAME_PERSON}'
         )
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
        models_=Captive,
    )
