"""The synthetic data set for benchmarks: N fictional captives with their timelines, wishes,
involvements, obligations and history, written straight into the tables (COPY on PostgreSQL).

The rows are those the services (cases/services/, cases/gate.py) would have written had each
case been entered through them, in time order, by the loader user: the same case numbers, the
same denormalised fields on the captive, the same duties from the same events, one history row
("+", with the service's reason) for every row. Everything derives from the seed and the count:
no clock is read, so the same arguments give the same data.

Rules the generator keeps (and tests/test_load_synthetic.py checks):
- a timeline starts with the capture and takes only steps CUSTODY_TRANSITIONS allows;
- a handover (exchange, repatriation, resettlement) happens only when the gate would clear it:
  his latest statement before it is a free wish to go there (recorded and assessed before);
- nothing happens after AS_OF (entries are recorded a day or two after what they record),
  before GC III or before his capture;
- a seriously wounded or sick captive never escapes, and carries one weekly health report,
  open while he is held and cancelled by the final event.
"""

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from cases.choices import (
    FINAL_CUSTODY_STATUSES,
    CustodyEventKind,
    Health,
    IdentityStatus,
    LegalStatus,
    ObligationKind,
    Sex,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import (
    Captive,
    CaptiveName,
    CaseNumberSequence,
    CustodyEvent,
    NameKey,
    Obligation,
    WishStatement,
    captive_name_skeleton,
    name_keys_fill,
)
from cases.names import name_skeleton
from cases.services import event_duty_kinds
from demo import synthetic_names as names
from diplomacy.choices import POWER_ROLE_FIELDS, InvolvementRole
from diplomacy.models import Involvement, State
from diplomacy.services import captive_powers_initial
from partners.choices import DisclosureLevel, PartnerKind
from partners.models import CaseShare, Partner

K = CustodyEventKind

# Every date of the data set lies on or before this day; nothing reads the clock.
AS_OF = date(2025, 6, 30)
WAR_START = date(2022, 2, 24)
KURSK_START = date(2024, 12, 1)
MARKER = "Synthetic benchmark record (manage.py load_synthetic): a fictional person."
LOADER_USERNAME = "synthetic-loader"

STATES = [
    ("UKR", "Ukraine", "uk"),
    ("RUS", "Russian Federation", "ru"),
    ("PRK", "Democratic People's Republic of Korea", "ko"),
    ("KOR", "Republic of Korea", "ko"),
    ("NPL", "Nepal", ""),
    ("LKA", "Sri Lanka", ""),
    ("CUB", "Cuba", ""),
    ("CHE", "Switzerland", ""),
]

# The partners of the benchmark table: name, state, scopes, default level.
PARTNERS = [
    ("Synthetic UKR Coordination HQ", "UKR", ["cases:read", "wishes:read"], DisclosureLevel.FULL),
    ("Synthetic KOR Ministry of Unification", "KOR", ["cases:read"], DisclosureLevel.CASE),
    ("Synthetic PRK Red Cross", "PRK", ["cases:read"], DisclosureLevel.IDENTITY),
]

CHUNK = 2000

UKR_REGIONS = ["Donetsk Oblast", "Luhansk Oblast", "Zaporizhzhia Oblast", "Kharkiv Oblast"]
KURSK_REGIONS = ["Kursk Oblast"]
CAMPS = {
    "UKR": [f"Synthetic POW camp No. {n} (UKR)" for n in range(1, 9)],
    "RUS": [f"Synthetic pre-trial centre No. {n} (RUS)" for n in range(1, 9)],
}
HOSPITALS = {
    "UKR": ["Synthetic military hospital, Dnipro", "Synthetic military hospital, Kyiv"],
    "RUS": ["Synthetic military hospital, Rostov", "Synthetic military hospital, Kursk"],
}


def _at(day: date, seconds: int) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(seconds=seconds)


AS_OF_END = _at(AS_OF, 86399)


# --- table writing -------------------------------------------------------------------------


def _base_row(model: type[models.Model]) -> dict[str, Any]:
    """Every column of the model at its default, null or blank."""
    row: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.has_default() and not callable(f.default):
            row[f.attname] = f.default
        elif f.null:
            row[f.attname] = None
        elif isinstance(f, models.CharField | models.TextField):
            row[f.attname] = ""
        elif isinstance(f, models.BooleanField):
            row[f.attname] = False
        else:
            row[f.attname] = None  # must be given
    return row


@dataclass
class Table:
    model: type[models.Model]
    base: dict[str, Any] = field(init=False)
    attnames: list[str] = field(init=False)
    next_id: int = field(init=False)
    rows: list[tuple] = field(default_factory=list)
    history: "Table | None" = None
    count: int = 0

    def __post_init__(self) -> None:
        self.base = _base_row(self.model)
        self.attnames = [f.attname for f in self.model._meta.concrete_fields]
        pk = self.model._meta.pk.attname
        top = self.model._base_manager.aggregate(top=Max(pk))["top"] or 0
        self.next_id = top + 1

    def add(self, values: dict[str, Any]) -> dict[str, Any]:
        row = {**self.base, **values}
        self.rows.append(tuple(row[a] for a in self.attnames))
        self.count += 1
        return row


class Writer:
    """Collects rows per table and writes them: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, loader_id: int, ordered: list[type[models.Model]]) -> None:
        self.loader_id = loader_id
        self.tables: dict[type[models.Model], Table] = {}
        for model in ordered:
            table = Table(model)
            table.history = Table(model.history.model)  # type: ignore[attr-defined]
            self.tables[model] = table

    def new_id(self, model: type[models.Model]) -> int:
        table = self.tables[model]
        table.next_id += 1
        return table.next_id - 1

    def add(self, model: type[models.Model], values: dict[str, Any], when: datetime, reason: str):
        table = self.tables[model]
        row = table.add(values)
        history = table.history
        assert history is not None
        history.add(
            {
                **row,
                "history_id": history.next_id,
                "history_date": when,
                "history_change_reason": reason,
                "history_type": "+",
                "history_user_id": self.loader_id,
            }
        )
        history.next_id += 1
        return row

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for table in self.tables.values():
                for part in (table, table.history):
                    assert part is not None
                    if part.rows:
                        _write(cursor, part.model, part.attnames, part.rows)
                        part.rows = []


def _write(cursor: Any, model: type[models.Model], attnames: list[str], rows: list[tuple]) -> None:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(fields[a].column) for a in attnames)
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    adapters = [_adapter(fields[a]) for a in attnames]
    marks = ", ".join(["%s"] * len(attnames))
    cursor.executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 — model's own names
        [tuple(adapt(v) for adapt, v in zip(adapters, row, strict=True)) for row in rows],
    )


def _adapter(f: models.Field) -> Callable[[Any], Any]:
    if isinstance(f, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(f, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda v: v


# --- the set-up: loader, states, partners ----------------------------------------------------


def loader_user() -> Any:
    """The author of every synthetic record: holds every permission, cannot log in."""
    User = get_user_model()
    loader, created = User.objects.get_or_create(
        username=LOADER_USERNAME,
        defaults={"is_superuser": True, "first_name": "Synthetic data loader"},
    )
    if created:
        loader.set_unusable_password()
        loader.save()
    return loader


def states_ensure() -> dict[str, State]:
    out = {}
    for code, name, language in STATES:
        out[code], _ = State.objects.get_or_create(
            code=code, defaults={"name": name, "language": language}
        )
    return out


def partners_ensure(loader: Any, states: dict[str, State]) -> list[dict[str, str]]:
    """Create the benchmark's partners (or give an existing one a new secret): each one's
    client id and secret, readable once, for the benchmark to ask for tokens."""
    from partners.services import partner_create

    out = []
    for name, code, scopes, level in PARTNERS:
        partner = Partner.objects.filter(name=name).select_related("application").first()
        if partner is None:
            partner, secret = partner_create(
                acting_user=loader,
                name=name,
                kind=PartnerKind.STATE_AGENCY,
                scopes=scopes,
                state=states[code],
                default_level=level,
            )
        else:
            # A credential, not a case record: a new secret is how a lost one is replaced.
            import secrets

            secret = secrets.token_urlsafe(48)
            partner.application.client_secret = secret  # hashed on save
            partner.application.save(update_fields=["client_secret"])
        out.append(
            {
                "name": name,
                "state": code,
                "client_id": partner.application.client_id,
                "client_secret": secret,
                "scopes": " ".join(scopes),
            }
        )
    return out


# --- the generator ---------------------------------------------------------------------------


@dataclass
class Ctx:
    seed: int
    count: int
    states: dict[str, State]
    writer: Writer
    sequences: dict[tuple[str, int], int]
    kor_partner_id: int
    stats: dict[str, int] = field(default_factory=dict)


def _capture_day(i: int, count: int) -> date:
    """Captures spread over the war, the index in time order (registration order)."""
    span = (AS_OF - timedelta(days=3) - WAR_START).days
    return WAR_START + timedelta(days=(i * span) // max(count, 1))


def _group(rng: random.Random, day: date) -> str:
    if day >= KURSK_START and rng.random() < 0.5:
        return "KOR"
    r = rng.random()
    return "RUS" if r < 0.68 else "UKR" if r < 0.92 else "REC"


def _wish_pick(rng: random.Random, group: str, nationality: str) -> tuple[str, str | None]:
    r = rng.random()
    if group == "KOR":
        if r < 0.45:
            return Wish.DEFECT, "KOR"
        return (
            (Wish.RETURN, None)
            if r < 0.7
            else (Wish.REMAIN, None)
            if r < 0.8
            else (
                Wish.UNDECIDED,
                None,
            )
        )
    if group == "REC" and r < 0.3:
        return Wish.DEFECT, nationality
    if r < 0.78:
        return Wish.RETURN, None
    return (Wish.REMAIN, None) if r < 0.9 else (Wish.UNDECIDED, None)


_VOLUNTARINESS = [
    Voluntariness.FREE,
    Voluntariness.DOUBTFUL,
    Voluntariness.COERCION_SUSPECTED,
    Voluntariness.NOT_ASSESSED,
]
_VOL_WEIGHTS = [70, 8, 4, 18]
_HEALTH = [
    Health.UNHARMED,
    Health.WOUNDED,
    Health.SERIOUSLY_WOUNDED,
    Health.SICK,
    Health.SERIOUSLY_SICK,
]
_HEALTH_WEIGHTS = [60, 25, 5, 7, 3]
_MODES = list(WishMode)


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def _period(kind: str) -> timedelta:
    return timedelta(days=settings.OBLIGATION_PERIOD_DAYS[kind])


class CaseBuilder:
    """One captive, entered as the services would have entered him, in time order."""

    def __init__(self, ctx: Ctx, index: int) -> None:
        self.ctx = ctx
        self.w = ctx.writer
        self.rng = random.Random(f"{ctx.seed}:{index}")  # noqa: S311 — fictional data
        self.index = index
        self.loader_id = ctx.writer.loader_id
        # The clock of the bureau entering his case: strictly increasing.
        self.clock: datetime | None = None

    def tick(self, at_least: datetime, hours: int = 36) -> datetime:
        """When the bureau enters something that happened at `at_least`: a little later, and
        after whatever it entered before about him."""
        moment = at_least + timedelta(seconds=self.rng.randrange(600, hours * 3600))
        if self.clock is not None and moment <= self.clock:
            moment = self.clock + timedelta(seconds=self.rng.randrange(60, 3600))
        self.clock = moment
        return moment

    def build(self) -> None:
        rng, s, ctx = self.rng, self.ctx.states, self.ctx
        captured_on = _capture_day(self.index, ctx.count)
        group = _group(rng, captured_on)
        if group == "KOR":
            person = names.korean_person(rng)
            nationality, pdo, dp, allied = "PRK", "PRK", "UKR", "RUS"
            armed_force, languages = "Korean People's Army", "Korean"
            regions, territory = KURSK_REGIONS, "RUS"
        elif group == "RUS":
            person = names.russian_person(rng)
            nationality, pdo, dp, allied = "RUS", "RUS", "UKR", None
            armed_force, languages = "Armed Forces of the Russian Federation", "Russian"
            regions, territory = UKR_REGIONS, "UKR"
        elif group == "UKR":
            person = names.ukrainian_person(rng)
            nationality, pdo, dp, allied = "UKR", "UKR", "RUS", None
            armed_force, languages = "Armed Forces of Ukraine", "Ukrainian, Russian"
            regions, territory = UKR_REGIONS, "UKR"
        else:
            nationality = rng.choice(list(names.RECRUITS))
            person = names.recruit_person(rng, nationality)
            pdo, dp, allied = "RUS", "UKR", None
            armed_force, languages = "Armed Forces of the Russian Federation", "English"
            regions, territory = UKR_REGIONS, "UKR"
        # His power and its ally as registering records them (diplomacy.services): the columns
        # and the involvements below are both written from this one answer.
        powers = captive_powers_initial(
            detaining_power=s[dp],
            nationality=s[nationality],
            power_depended_on=s[pdo],
            allied_power=s[allied] if allied else None,
        )
        health = rng.choices(_HEALTH, _HEALTH_WEIGHTS)[0]
        seriously = health in {Health.SERIOUSLY_WOUNDED, Health.SERIOUSLY_SICK}
        captured_at = _at(captured_on, rng.randrange(0, 86400))
        registered_at = self.tick(captured_at, hours=72)

        # Case number: the next of this detaining power and capture year.
        key = (dp, captured_on.year)
        ctx.sequences[key] = ctx.sequences.get(key, 0) + 1
        case_number = f"{dp}-{captured_on.year}-{ctx.sequences[key]:05d}"

        birth_year = rng.randrange(1965, 2006) if group != "KOR" else rng.randrange(1995, 2006)
        declined = rng.random() < 0.1
        verified = rng.random() < 0.2
        captive_id = self.w.new_id(Captive)
        captive: dict[str, Any] = {
            "id": captive_id,
            "case_number": case_number,
            "fictional": True,
            "family_name": person.family_name,
            "given_names": person.given_names,
            "original_script": person.script,
            "name_original": person.name_original,
            "rank": rng.choice(["Private", "Junior Sergeant", "Sergeant", "Lieutenant"]),
            "service_number": f"SYN-{ctx.seed}-{self.index:07d}",
            "birth_year": birth_year,
            "birth_date": date(birth_year, rng.randrange(1, 13), rng.randrange(1, 29))
            if rng.random() < 0.6
            else None,
            "place_of_birth_declined": declined,
            "sex": Sex.MALE if rng.random() < 0.97 else Sex.FEMALE,
            "nationality_id": s[nationality].pk,
            "languages": languages,
            "identity_status": IdentityStatus.VERIFIED if verified else IdentityStatus.CLAIMED,
            "identity_verified_by": "Synthetic verifying office" if verified else "",
            "identity_verified_on": captured_on + timedelta(days=5)
            if verified and captured_on + timedelta(days=5) <= AS_OF
            else None,
            "armed_force": armed_force,
            **{
                f"{field}_id": state.pk if state is not None else None
                for field, state in powers.items()
            },
            "captured_on": captured_on,
            "capture_region": rng.choice(regions),
            "capture_territory_state_id": s[territory].pk,
            "detaining_power_id": s[dp].pk,
            "legal_status": LegalStatus.PRISONER_OF_WAR
            if rng.random() < 0.93
            else LegalStatus.ART5_PENDING,
            "health": health,
            "notes": f"{MARKER} Seed {ctx.seed}.",
            "created_at": registered_at,
        }
        # The name search's skeleton keys, as Captive.save() and CaptiveName.save() set them.
        captive["name_skeleton"] = captive_name_skeleton(SimpleNamespace(**captive))
        if captive["identity_verified_on"] is None:
            captive["identity_status"] = IdentityStatus.CLAIMED
            captive["identity_verified_by"] = ""
        if captive["birth_date"] is not None:
            captive["birth_year"] = captive["birth_date"].year

        events: list[dict[str, Any]] = []
        statements: list[dict[str, Any]] = []
        duties: list[tuple[dict[str, Any], str, datetime]] = []  # row, reason, created
        renderings = [
            {
                "id": self.w.new_id(CaptiveName),
                "captive_id": captive_id,
                "system": system,
                "full_name": full_name,
                "note": note,
                "skeleton": name_skeleton(full_name),
            }
            for system, full_name, note in person.renderings
        ]

        custodian: int | None = s[dp].pk
        home = dp
        status: str = ""

        def event(kind: str, occurred: datetime, place: str, custodian_id: int | None) -> None:
            nonlocal status
            recorded = registered_at if not events else self.tick(occurred)
            row = {
                "id": self.w.new_id(CustodyEvent),
                "captive_id": captive_id,
                "kind": kind,
                "occurred_at": occurred,
                "place": place,
                "custodian_id": custodian_id,
                "recorded_by_id": self.loader_id,
                "recorded_at": recorded,
            }
            events.append(row)
            status = kind
            # Written in time order: each event is the latest when it is recorded.
            for duty_kind in event_duty_kinds(kind):
                duty = {
                    "id": self.w.new_id(Obligation),
                    "captive_id": captive_id,
                    "kind": duty_kind,
                    "due_on": _local_day(occurred) + _period(duty_kind),
                    "triggered_by_id": row["id"],
                    "created_at": recorded,
                }
                duties.append((duty, f"Created by: {K(kind).label}", recorded))

        def state_wish(
            moment: datetime, wish: str, dest: str | None, voluntariness: str, mode: str
        ) -> None:
            recorded = self.tick(moment, hours=48)
            assessed = voluntariness != Voluntariness.NOT_ASSESSED
            statements.append(
                {
                    "id": self.w.new_id(WishStatement),
                    "captive_id": captive_id,
                    "wish": wish,
                    "destination_id": s[dest].pk if dest else None,
                    "statement": "Synthetic statement (fictional).",
                    "stated_at": moment,
                    "mode": mode,
                    "language": languages.split(",")[0],
                    "voluntariness": voluntariness,
                    "assessed_by_id": self.loader_id if assessed else None,
                    "assessed_at": recorded if assessed else None,
                    "supersedes_id": statements[-1]["id"] if statements else None,
                    "recorded_by_id": self.loader_id,
                    "recorded_at": recorded,
                }
            )

        # Registration: the capture opens the timeline.
        capture_place = f"Near {captive['capture_region'].split()[0]} (synthetic)"
        captive["capture_place"] = capture_place
        event(K.CAPTURED, captured_at, capture_place, custodian)
        health_report = None
        if seriously:
            health_report = {
                "id": self.w.new_id(Obligation),
                "captive_id": captive_id,
                "kind": ObligationKind.HEALTH_REPORT,
                "due_on": _local_day(registered_at) + _period(ObligationKind.HEALTH_REPORT),
                "created_at": registered_at,
            }

        # What he will say, and when: 0 to 3 statements over his time in custody.
        intended = _wish_pick(rng, group, nationality)
        n_statements = rng.choices([0, 1, 2, 3], [15, 45, 30, 10])[0]
        window = max(2, (AS_OF - timedelta(days=3) - captured_on).days) * 86400
        pending = sorted(
            captured_at + timedelta(seconds=rng.randrange(3600, window))
            for _ in range(n_statements)
        )

        def say_until(moment: datetime) -> None:
            while pending and pending[0] < moment:
                stated = pending.pop(0)
                wish, dest = intended if rng.random() < 0.8 else _wish_pick(rng, group, nationality)
                volunt = rng.choices(_VOLUNTARINESS, _VOL_WEIGHTS)[0]
                state_wish(stated, wish, dest, volunt, rng.choice(_MODES))

        moment = captured_at
        camp = rng.choice(CAMPS[home])
        while True:
            moment = moment + timedelta(days=rng.randrange(10, 90), seconds=rng.randrange(86400))
            if moment > AS_OF_END - timedelta(days=3):
                break
            say_until(moment)
            r = rng.random()
            if status in {K.CAPTURED, K.INTERNED, K.HOSPITALIZED, K.IN_TRANSIT} and r < 0.05:
                # The end of his case.
                final = rng.choices(
                    [K.EXCHANGED, K.REPATRIATED, K.RELEASED, K.RESETTLED, K.DECEASED],
                    [70, 10 if not seriously else 60, 5, 8, 3],
                )[0]
                if final == K.RESETTLED and intended[0] != Wish.DEFECT:
                    final = K.EXCHANGED
                if group == "KOR" and final == K.EXCHANGED and rng.random() < 0.7:
                    continue  # few Koreans are exchanged
                if final in {K.EXCHANGED, K.REPATRIATED, K.RESETTLED}:
                    wish, dest = (
                        (Wish.DEFECT, intended[1]) if final == K.RESETTLED else (Wish.RETURN, None)
                    )
                    # The interview before a handover: his free wish, assessed at once, and
                    # his latest statement.
                    interview = moment - timedelta(days=rng.randrange(2, 6))
                    if statements and interview <= statements[-1]["stated_at"]:
                        last_said = statements[-1]["stated_at"]
                        interview = last_said + (moment - last_said) / 2
                    state_wish(
                        interview,
                        wish,
                        dest,
                        Voluntariness.FREE,
                        WishMode.PRIVATE_INTERVIEW,
                    )
                    to = s[dest].pk if dest else s[pdo].pk
                    event(final, moment, "Synthetic exchange point", to)
                else:
                    event(final, moment, "", None)
                break
            if status == K.ESCAPED:
                if r < 0.7:
                    event(K.CAPTURED, moment, "Synthetic recapture", s[dp].pk)
                    custodian = s[dp].pk
                continue
            if r < 0.008 and not seriously and status != K.CAPTURED:
                event(K.ESCAPED, moment, "", None)
                custodian = None
                continue
            if status == K.IN_TRANSIT:
                event(K.INTERNED, moment, camp, custodian)
            elif r < 0.25:
                event(K.IN_TRANSIT, moment, "Synthetic transit point", custodian)
                camp = rng.choice(CAMPS[home])
            elif r < 0.4:
                event(K.HOSPITALIZED, moment, rng.choice(HOSPITALS[home]), custodian)
            else:
                event(K.INTERNED, moment, camp, custodian)
        if status not in FINAL_CUSTODY_STATUSES:
            say_until(AS_OF_END - timedelta(days=3))

        # The captive as the services left him.
        last = max(events, key=lambda e: (e["occurred_at"], e["id"]))
        captive["custody_status"] = last["kind"]
        captive["custody_place"] = last["place"]
        captive["custodian_id"] = last["custodian_id"]
        captive["custody_since"] = last["occurred_at"]
        latest = max(statements, key=lambda x: (x["stated_at"], x["id"]), default=None)
        free = [x for x in statements if x["voluntariness"] == Voluntariness.FREE]
        effective = max(free, key=lambda x: (x["stated_at"], x["id"]), default=None)
        captive["latest_wish_statement_id"] = latest["id"] if latest else None
        captive["effective_wish_statement_id"] = effective["id"] if effective else None
        captive["effective_wish"] = effective["wish"] if effective else ""
        captive["effective_wish_destination_id"] = (
            effective["destination_id"] if effective else None
        )
        writes = [e["recorded_at"] for e in events] + [x["recorded_at"] for x in statements]
        captive["updated_at"] = max(writes)
        captive["disclosed_changed_at"] = max(e["recorded_at"] for e in events)

        w = self.w
        w.add(Captive, captive, registered_at, "Registered")
        for rendering in renderings:
            w.add(CaptiveName, rendering, registered_at, "Registered")
        for row in events:
            w.add(CustodyEvent, row, row["recorded_at"], "Recorded")
        for row in statements:
            w.add(WishStatement, row, row["recorded_at"], "Recorded")
        for duty, reason, created in duties:
            # Nearly every duty due by the end of the set was met: the measured register
            # had about 24,000 open lines at 100,000 captives, and so has this one.
            done = duty["due_on"] <= AS_OF and rng.random() < 0.975
            if done:
                triggered = duty["due_on"] - _period(duty["kind"])
                sent = max(triggered + timedelta(days=rng.randrange(0, 12)), _local_day(created))
                duty["fulfilled_on"] = min(sent, AS_OF)
                duty["reference"] = f"SYN-{duty['kind'].upper()}-{duty['id']:08d}"
            w.add(Obligation, duty, created, reason)
        if health_report is not None:
            if status in FINAL_CUSTODY_STATUSES:
                health_report["voided_at"] = last["recorded_at"]
                health_report["voided_by_id"] = self.loader_id
                health_report["void_reason"] = "No longer seriously wounded or sick in our custody"
            w.add(
                Obligation,
                health_report,
                registered_at,
                "Seriously wounded or sick: weekly report",
            )

        # Involvements: who detains him, whom he depends on, whom he fought beside, where he
        # wishes to go; a protecting power for most.
        roles = [(dp, InvolvementRole.DETAINING_POWER)]
        roles += [
            (powers[field].code, role)
            for role, field in POWER_ROLE_FIELDS.items()
            if powers[field] is not None
        ]
        destinations = {x["destination_id"] for x in statements if x["destination_id"]}
        if intended[0] == Wish.DEFECT:
            destinations.add(s[intended[1]].pk)  # type: ignore[index]
        by_pk = {state.pk: code for code, state in s.items()}
        for dest in sorted(destinations):
            roles.append((by_pk[dest], InvolvementRole.RECEIVING_STATE))
        if rng.random() < 0.85:
            roles.append(("CHE", InvolvementRole.PROTECTING_POWER))
        for code, role in roles:
            w.add(
                Involvement,
                {
                    "id": w.new_id(Involvement),
                    "captive_id": captive_id,
                    "state_id": s[code].pk,
                    "role": role,
                    "started_on": captured_on,
                },
                registered_at,
                "Registered",
            )
        # A few cases shared with the KOR partner by decision (tracing requests).
        if group != "KOR" and self.index % 500 == 7:
            granted = self.tick(registered_at, hours=240)
            if granted <= AS_OF_END:
                w.add(
                    CaseShare,
                    {
                        "id": w.new_id(CaseShare),
                        "partner_id": ctx.kor_partner_id,
                        "captive_id": captive_id,
                        "level": DisclosureLevel.CASE,
                        "reason": "Synthetic tracing request (fictional)",
                        "granted_by_id": self.loader_id,
                        "granted_at": granted,
                    },
                    granted,
                    "Shared",
                )


MODELS = [Captive, CaptiveName, CustodyEvent, WishStatement, Obligation, Involvement, CaseShare]


def synthetic_seed_present() -> tuple[int, int] | None:
    """The seed and the number of synthetic captives already loaded, if any."""
    first = (
        Captive.objects.filter(fictional=True, notes__startswith=MARKER)
        .order_by("id")
        .values_list("notes", flat=True)
        .first()
    )
    if first is None:
        return None
    seed = int(first.rsplit("Seed ", 1)[1].rstrip("."))
    return seed, Captive.objects.filter(fictional=True, notes__startswith=MARKER).count()


def synthetic_load(
    *, count: int, seed: int, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Write `count` synthetic captives and everything about them, in one transaction."""
    with transaction.atomic():
        loader = loader_user()
        states = states_ensure()
        partners = partners_ensure(loader, states)
        kor_partner = Partner.objects.get(name=PARTNERS[1][0])
        writer = Writer(loader.pk, MODELS)
        sequences = {
            (row.detaining_power_code, row.year): row.last_value
            for row in CaseNumberSequence.objects.all()
        }
        ctx = Ctx(seed, count, states, writer, sequences, kor_partner.pk)
        first_id = writer.tables[Captive].next_id
        done = 0
        for start in range(0, count, CHUNK):
            for index in range(start, min(count, start + CHUNK)):
                CaseBuilder(ctx, index).build()
            writer.flush()
            done = min(count, start + CHUNK)
            if progress:
                progress(done)
        # The duplicate lookup's keys, as Captive.save() and CaptiveName.save() add them.
        name_keys_fill(min_id=first_id)
        for (code, year), value in sorted(sequences.items()):
            CaseNumberSequence.objects.update_or_create(
                detaining_power_code=code, year=year, defaults={"last_value": value}
            )
        if connection.vendor == "postgresql":
            models_all = [m for m in MODELS] + [m.history.model for m in MODELS]  # type: ignore[attr-defined]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models_all):
                    cursor.execute(sql)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {NameKey._meta.db_table}")
            for m in MODELS:
                cursor.execute(f"ANALYZE {m._meta.db_table}")
                cursor.execute(f"ANALYZE {m.history.model._meta.db_table}")  # type: ignore[attr-defined]
    counts = {m._meta.label: writer.tables[m].count for m in MODELS}
    counts["history rows"] = sum(
        t.history.count for t in writer.tables.values() if t.history is not None
    )
    return {"counts": counts, "partners": partners}


def content_hash() -> str:
    """A digest of the main tables' content in id order (for the determinism test)."""
    digest = hashlib.sha256()
    for model in MODELS:
        names_ = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.order_by("pk").values_list(*names_):
            digest.update(repr(row).encode())
    return digest.hexdigest()
