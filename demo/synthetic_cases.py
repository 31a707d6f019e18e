"""The synthetic data set's generator: one fictional case at a time, its timeline, wishes,
involvements, obligations and history, as the services would have written them (the rules it
keeps: demo/synthetic.py)."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.utils import timezone

from cases.choices import (
    FINAL_CUSTODY_STATUSES,
    POWER_ROLE_FIELDS,
    Health,
    IdentityStatus,
    InvolvementRole,
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
    CustodyEvent,
    Involvement,
    Obligation,
    WishStatement,
    captive_name_skeleton,
)
from cases.names import name_skeleton
from cases.services import captive_powers_initial, event_duty_kinds
from demo import synthetic_names as names
from demo.synthetic_rows import (
    AS_OF,
    AS_OF_END,
    CAMPS,
    HOSPITALS,
    KURSK_REGIONS,
    KURSK_START,
    MARKER,
    UKR_REGIONS,
    WAR_START,
    K,
    Writer,
    _at,
)
from partners.choices import DisclosureLevel
from partners.models import CaseShare
from states.models import State

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
        # His power and its ally as registering records them (cases.services): the columns
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
