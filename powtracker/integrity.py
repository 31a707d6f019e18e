"""Whether a database is whole: the checks `manage.py integrity_check` runs after a restore.

Each app declares its own checks in a module named `integrity` (cases/integrity.py, …), which
registers them here when it is imported; the command imports every installed app's `integrity`
module (autodiscover), so the core imports no app. The core's own checks read what every app
shares: the history chains (django-simple-history) and the database's id counters.

A check is set-based: one SQL statement (or a few) over whole tables, whatever their size, never
a Python loop over rows. It answers, for each name it declares, how many things are wrong and a
few of them as examples (ids, or keys such as a case-number series).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One thing a whole database satisfies: a stable `name` (for machines and for --only) and
    a `title` that says it in one line (for people)."""

    name: str
    title: Any  # a (lazy) translatable string


@dataclass
class Failures:
    """What a check found: how many things are wrong, and the first few of them."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, other: "Failures", limit: int) -> None:
        self.count += other.count
        room = max(0, limit - len(self.examples))
        self.examples.extend(other.examples[:room])


# What a group of checks runs: given the connection and how many examples to give, the failures
# of each of its checks by name (a check left out found nothing).
Runner = Callable[[BaseDatabaseWrapper, int], dict[str, Failures]]


@dataclass(frozen=True)
class CheckGroup:
    """Checks answered together, because they read the same tables in one statement."""

    checks: tuple[Check, ...]
    run: Runner
    # The database vendors the checks mean something on; None for every vendor.
    vendors: frozenset[str] | None = None
    # Why they are skipped on the other vendors.
    skipped_because: Any = ""


_GROUPS: list[CheckGroup] = []


def register(
    *checks: Check, vendors: Iterable[str] | None = None, skipped_because: Any = ""
) -> Callable[[Runner], Runner]:
    """Register a runner for `checks` (a decorator). Check names are unique across apps."""

    def decorate(run: Runner) -> Runner:
        taken = {check.name for group in _GROUPS for check in group.checks}
        for check in checks:
            if check.name in taken:
                raise ValueError(f"Integrity check {check.name!r} is registered twice.")
        _GROUPS.append(
            CheckGroup(
                checks=tuple(checks),
                run=run,
                vendors=frozenset(vendors) if vendors is not None else None,
                skipped_because=skipped_because,
            )
        )
        return run

    return decorate


def check_groups() -> list[CheckGroup]:
    """Every registered group: the core's, then each installed app's `integrity` module's, in
    INSTALLED_APPS order."""
    autodiscover_modules("integrity")
    return list(_GROUPS)


# --- SQL helpers every app's checks use -------------------------------------------------------


def table(model: type[models.Model], connection: BaseDatabaseWrapper) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str, connection: BaseDatabaseWrapper) -> str:
    return connection.ops.quote_name(model._meta.get_field(name).column)


def same(left: str, right: str, connection: BaseDatabaseWrapper) -> str:
    """SQL that two values are equal, NULL equal to NULL."""
    if connection.vendor == "sqlite":
        return f"({left} IS {right})"
    return f"({left} IS NOT DISTINCT FROM {right})"


def text_list(values: Iterable[str]) -> str:
    """A SQL list of string constants, from our own code (choice values), never from input."""
    quoted = []
    for value in sorted(set(values)):
        if "'" in value or "\\" in value:
            raise ValueError(f"Not a plain constant: {value!r}")
        quoted.append(f"'{value}'")
    return "(" + ", ".join(quoted) + ")" if quoted else "(NULL)"


def allowed_pairs(first: str, second: str, table_: dict[Any, Iterable[str]]) -> str:
    """SQL that (first, second) is a pair the table allows: for each value of `first` (None for
    NULL), the values `second` may take. Values absent from the table allow nothing. True or
    false, never NULL (`second` is never NULL), so that NOT of it is true for a pair refused."""
    clauses = []
    for key, allowed in table_.items():
        allowed = list(allowed)
        if not allowed:
            continue
        when = f"{first} IS NULL" if key is None else f"COALESCE({first}, '') = '{_plain(key)}'"
        clauses.append(f"({when} AND {second} IN {text_list(allowed)})")
    return "(" + " OR ".join(clauses) + ")" if clauses else "(1 = 0)"


def seconds_before(moment: str, seconds: int, connection: BaseDatabaseWrapper) -> str:
    """SQL for the time `seconds` before the datetime column `moment`."""
    if connection.vendor == "sqlite":
        return f"datetime({moment}, '-{int(seconds)} seconds')"
    return f"({moment} - INTERVAL '{int(seconds)} seconds')"


def _plain(value: str) -> str:
    if "'" in value or "\\" in value:
        raise ValueError(f"Not a plain constant: {value!r}")
    return value


def findings(
    connection: BaseDatabaseWrapper,
    sql: str,
    params: Sequence[Any] = (),
    *,
    limit: int,
    models_: dict[str, type[models.Model]] | type[models.Model] | None = None,
) -> dict[str, Failures]:
    """Run `sql`, which selects one row per thing found wrong: `k` (the check's name) and `ref`
    (what is wrong: an id or a key). Returns the failures by check name: the count and the first
    `limit` refs in order — counted and cut in the database, so a badly broken table costs no
    more in Python than a whole one. `models_`: the model whose ids the refs are (one for every
    check, or by check name), to name them as `app.Model#id`."""
    wrapped = f"""
        SELECT k, ref, total FROM (
            SELECT k, ref, COUNT(*) OVER (PARTITION BY k) AS total,
                   ROW_NUMBER() OVER (PARTITION BY k ORDER BY ref) AS position
              FROM ({sql}) found
        ) numbered
        WHERE position <= %s
        ORDER BY k, position
    """  # noqa: S608 — built from model metadata and constants only
    out: dict[str, Failures] = {}
    with connection.cursor() as cursor:
        cursor.execute(wrapped, [*params, limit])
        for name, ref, total in cursor.fetchall():
            found = out.setdefault(name, Failures(count=total))
            model = models_.get(name) if isinstance(models_, dict) else models_
            found.examples.append(f"{model._meta.label}#{ref}" if model else str(ref))
    return out


def merge(into: dict[str, Failures], found: dict[str, Failures], limit: int) -> None:
    for name, failures in found.items():
        into.setdefault(name, Failures()).add(failures, limit)


# --- the core's checks: history chains ----------------------------------------------------------

HISTORY_PRESENT = Check(
    "history.every_record_has_history",
    _("Every record kept with history has a history chain (who created it, when, why)."),
)
HISTORY_STARTS = Check(
    "history.chain_starts_with_creation",
    _(
        "Each history chain's first entry (in the order the database wrote them) is the "
        "record's creation (“+”)."
    ),
)
HISTORY_ONLY_CHANGES = Check(
    "history.chain_has_no_deletion",
    _(
        "After its creation a chain holds only changes (“~”): no deletion (“-”) and no second "
        "creation, since nothing is hard-deleted."
    ),
)
HISTORY_NO_ORPHANS = Check(
    "history.chain_has_its_record",
    _(
        "Every history chain belongs to a record that exists (nothing is hard-deleted: a chain "
        "without its record means the record's table lost rows)."
    ),
)
HISTORY_LATEST = Check(
    "history.latest_entry_matches_record",
    _("The latest entry of each chain holds what the record holds now, field by field."),
)


def history_models() -> Iterator[tuple[type[models.Model], type[models.Model]]]:
    """Every model kept with django-simple-history, and its history model."""
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute and model._meta.managed and not model._meta.proxy:
            yield model, getattr(model, attribute).model


def _history_sql(
    model: type[models.Model], history: type[models.Model], connection: BaseDatabaseWrapper
) -> str:
    quote = connection.ops.quote_name
    live, past = table(model, connection), table(history, connection)
    pk = quote(model._meta.pk.column)
    tracked = [
        quote(f.column)
        for f in history.tracked_fields  # type: ignore[attr-defined]
        if f.column != model._meta.pk.column
    ]
    equal = " AND ".join(same(f"h.{c}", f"m.{c}", connection) for c in tracked) or "1 = 1"
    # A chain's entries in the order the database wrote them (history_id): a record's changes
    # are written one after the other under its row lock, whereas history_date is the clock of
    # the app server that wrote each one (simple-history's pages sort by it), and two servers'
    # clocks may disagree by more than the time between two changes.
    if connection.vendor == "postgresql":
        latest = f"""
            SELECT DISTINCT ON ({pk}) * FROM {past} ORDER BY {pk}, history_id DESC
        """  # noqa: S608
    else:
        latest = f"""
            SELECT * FROM (
                SELECT *, ROW_NUMBER() OVER (
                    PARTITION BY {pk} ORDER BY history_id DESC
                ) AS from_last FROM {past}
            ) ranked WHERE from_last = 1
        """  # noqa: S608
    # Reads of the history table, each planned on its own: the chains' shape (one window over
    # the history alone); the latest entries beside the records (a join on the id: on
    # PostgreSQL a full join, which also finds the records without history); on SQLite, whose
    # older versions have no full join, the records without history by an anti-join.
    shape = f"""
        SELECT DISTINCT
               CASE WHEN position = 1 THEN '{HISTORY_STARTS.name}'
                    ELSE '{HISTORY_ONLY_CHANGES.name}' END AS k,
               oid AS ref
          FROM (
              SELECT {pk} AS oid, history_type,
                     ROW_NUMBER() OVER (PARTITION BY {pk} ORDER BY history_id) AS position
                FROM {past}
          ) chain
         WHERE (position = 1 AND history_type <> '+') OR (position > 1 AND history_type <> '~')
    """  # noqa: S608
    if connection.vendor == "postgresql":
        return f"""
            {shape}
            UNION ALL
            SELECT CASE WHEN h.{pk} IS NULL THEN '{HISTORY_PRESENT.name}'
                        WHEN m.{pk} IS NULL THEN '{HISTORY_NO_ORPHANS.name}'
                        ELSE '{HISTORY_LATEST.name}' END,
                   COALESCE(h.{pk}, m.{pk})
              FROM ({latest}) h
              FULL JOIN {live} m ON m.{pk} = h.{pk}
             WHERE h.{pk} IS NULL OR m.{pk} IS NULL OR NOT ({equal})
        """  # noqa: S608 — model metadata and constants only
    return f"""
        {shape}
        UNION ALL
        SELECT CASE WHEN m.{pk} IS NULL THEN '{HISTORY_NO_ORPHANS.name}'
                    ELSE '{HISTORY_LATEST.name}' END,
               h.{pk}
          FROM ({latest}) h
          LEFT JOIN {live} m ON m.{pk} = h.{pk}
         WHERE m.{pk} IS NULL OR NOT ({equal})
        UNION ALL
        SELECT '{HISTORY_PRESENT.name}', m.{pk} FROM {live} m
         WHERE NOT EXISTS (SELECT 1 FROM {past} h WHERE h.{pk} = m.{pk})
    """  # noqa: S608 — model metadata and constants only


@register(HISTORY_PRESENT, HISTORY_STARTS, HISTORY_ONLY_CHANGES, HISTORY_NO_ORPHANS, HISTORY_LATEST)
def history_chains(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    out: dict[str, Failures] = {}
    for model, history in history_models():
        found = findings(
            connection, _history_sql(model, history, connection), limit=limit, models_=model
        )
        merge(out, found, limit)
    return out


# --- the core's checks: the database's id counters ---------------------------------------------

ID_COUNTERS = Check(
    "database.id_counters_ahead",
    _(
        "Each table's id counter (its PostgreSQL sequence) is past the highest id in the "
        "table, so the next insert cannot collide with a restored row."
    ),
)


def _counted_tables() -> list[tuple[str, str, str]]:
    """(model label, table, id column) of every table whose id the database counts."""
    out = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped:
            continue
        pk = meta.pk
        if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
            out.append((meta.label, meta.db_table, pk.column))
    return out


@register(
    ID_COUNTERS,
    vendors=["postgresql"],
    skipped_because=_("SQLite gives each new row an id past the highest ever used."),
)
def id_counters(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    quote = connection.ops.quote_name
    counted = _counted_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_serial_sequence(t, c) FROM unnest(%s::text[], %s::text[]) AS u(t, c)",
            [[quote(t) for _l, t, _c in counted], [c for _l, _t, c in counted]],
        )
        sequences = [row[0] for row in cursor.fetchall()]
        parts = [
            f"SELECT '{_plain(label)}' AS label,"  # noqa: S608 — catalogue names only
            f" (SELECT MAX({quote(col)}) FROM {quote(tbl)}) AS top,"
            f" s.last_value, s.is_called FROM {sequence} s"
            for (label, tbl, col), sequence in zip(counted, sequences, strict=True)
            if sequence is not None
        ]
        if not parts:
            return {}
        cursor.execute(" UNION ALL ".join(parts))
        behind = [
            (label, top, last_value if is_called else last_value - 1)
            for label, top, last_value, is_called in cursor.fetchall()
            if top is not None and (last_value if is_called else last_value - 1) < top
        ]
    if not behind:
        return {}
    behind.sort()
    return {
        ID_COUNTERS.name: Failures(
            count=len(behind),
            examples=[
                f"{label} (counter {given}, highest id {top})"
                for label, top, given in behind[:limit]
            ],
        )
    }
