"""The demo scenario: the January 2025 Kursk case under fictional names, and synthetic cases.

Every person here is invented; no name, number or date of birth belongs to a real person.
Loading twice changes nothing: records are found by their natural keys before being made.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from cases import services
from cases import services as case_services
from cases.choices import (
    CustodyEventKind,
    Health,
    IdentityStatus,
    InvolvementRole,
    LegalStatus,
    MediaKind,
    NameSystem,
    Script,
    Sex,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import Captive, Involvement, MediaRecord, Obligation
from diplomacy import services as diplomacy_services
from diplomacy.choices import Classification, ContactChannel, ProposalStatus
from diplomacy.models import DiplomaticContact, ExchangeProposal
from powtracker.roles import ROLE_ANALYST, ROLE_CASEWORKER, ROLE_SUPERVISOR, roles_sync
from states import services as state_services
from states.models import State

STATES = [
    ("UKR", "Ukraine"),
    ("RUS", "Russian Federation"),
    ("PRK", "Democratic People's Republic of Korea"),
    ("KOR", "Republic of Korea"),
    ("NPL", "Nepal"),
    ("LKA", "Sri Lanka"),
    ("CUB", "Cuba"),
    ("ARE", "United Arab Emirates"),
    ("CHE", "Switzerland"),
]

# The languages their captives' capture cards print in (State.language).
STATE_LANGUAGES = {"UKR": "uk", "RUS": "ru", "PRK": "ko", "KOR": "ko"}

LOGINS = [
    ("caseworker", ROLE_CASEWORKER),
    ("supervisor", ROLE_SUPERVISOR),
    ("analyst", ROLE_ANALYST),
]

FICTIONAL = "Fictional demo identity: not a real person."


def _at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_fixed_timezone(180))


def _logins() -> Any:
    roles_sync(django_apps)  # the groups exist even if the tables were emptied since migrating
    User = get_user_model()
    for username, role in LOGINS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "first_name": role.capitalize()}
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
    # The author of every demo record in the history. It holds every permission so that the
    # services' role checks pass, and it cannot log in: its password is unusable.
    loader, created = User.objects.get_or_create(
        username="demo-loader",
        defaults={"is_superuser": True, "first_name": "Demo loader"},
    )
    if created:
        loader.set_unusable_password()
        loader.save()
    return loader


def _states() -> dict[str, State]:
    states = {}
    for code, name in STATES:
        states[code] = State.objects.filter(code=code).first() or state_services.state_create(
            acting_user=None, code=code, name=name, language=STATE_LANGUAGES.get(code, "")
        )
    return states


def _register(loader: Any, service_number: str, **fields: Any) -> tuple[Captive, bool]:
    existing = Captive.objects.filter(fictional=True, service_number=service_number).first()
    if existing:
        return existing, False
    captive = services.captive_register(
        acting_user=loader, service_number=service_number, fictional=True, **fields
    )
    return captive, True


def _kursk_case(loader: Any, s: dict[str, State]) -> list[Captive]:
    common = {
        "detaining_power": s["UKR"],
        "nationality": s["PRK"],
        "power_depended_on": s["PRK"],
        "allied_power": s["RUS"],
        "armed_force": "Korean People's Army",
        "capture_region": "Kursk Oblast",
        "capture_territory_state": s["RUS"],
        "legal_status": LegalStatus.PRISONER_OF_WAR,
        "health": Health.WOUNDED,
        "sex": Sex.MALE,
        "original_script": Script.HANGUL,
        "languages": "Korean",
        "identity_status": IdentityStatus.VERIFIED,
        "identity_verified_by": "National Intelligence Service, Republic of Korea",
        "identity_verified_on": date(2025, 1, 12),
        "notes": FICTIONAL,
    }
    first, created_first = _register(
        loader,
        "DEMO-KPA-0001",
        family_name="Pak",
        given_names="Song-il",
        name_original="박성일",
        rank="Private",
        birth_year=2005,
        capture_place="Woodland near the front line",
        captured_on=date(2025, 1, 5),
        captured_at=_at(date(2025, 1, 5), 10),
        capture_circumstances=(
            "Says he was told he was going to 'just an exercise'. Hid in a dugout from "
            "3 to 5 January before Ukrainian forces found him. Carried a Russian military "
            "identity card issued in another man's name."
        ),
        health_notes="Wounded in the leg.",
        identity_notes="Carried a Russian military ID in the name of another man (fictional).",
        names=[
            (NameSystem.REVISED_ROMANIZATION, "Bak Seong-il"),
            (NameSystem.MCCUNE_REISCHAUER, "Pak Sŏng-il"),
            (NameSystem.CYRILLIC, "Пак Сон Иль"),
            (NameSystem.ALIAS, "Ондар Айдыс Сергеевич"),
        ],
        **common,
    )
    second, created_second = _register(
        loader,
        "DEMO-KPA-0002",
        family_name="Ri",
        given_names="Kwang-myong",
        name_original="리광명",
        rank="Corporal",
        birth_year=1999,
        capture_place="Village outskirts",
        captured_on=date(2025, 1, 9),
        captured_at=_at(date(2025, 1, 9), 15),
        capture_circumstances="Captured wounded after an assault.",
        health_notes="Jaw wound.",
        names=[
            (NameSystem.REVISED_ROMANIZATION, "Ri Gwang-myeong"),
            (NameSystem.MCCUNE_REISCHAUER, "Ri Kwang-myŏng"),
            (NameSystem.CYRILLIC, "Ри Гван Мён"),
        ],
        **common,
    )
    title = "Video of two captured Korean soldiers answering questions"
    video = MediaRecord.objects.filter(title=title).first() or services.media_record_create(
        acting_user=loader,
        captives=[first, second],
        title=title,
        kind=MediaKind.VIDEO,
        publisher="President of Ukraine",
        publisher_state=s["UKR"],
        published_on=date(2025, 1, 12),
        location="Official social media channels of the President of Ukraine",
        description="Both captives, wounded, questioned through an interpreter.",
        exposes_to_public_curiosity=True,
        art13_notes="Faces and voices of identifiable prisoners shown to the public: "
        "exposes them to public curiosity (GC III Art. 13).",
    )

    for captive, created, wish, words in [
        (
            first,
            created_first,
            Wish.RETURN,
            "Said he wished to go home to his country.",
        ),
        (
            second,
            created_second,
            Wish.REMAIN,
            "Said he wished to stay in Ukraine, leaving the decision to the authorities.",
        ),
    ]:
        if not created:
            continue
        captured = captive.captured_on
        services.custody_event_record(
            acting_user=loader,
            captive=captive,
            kind=CustodyEventKind.HOSPITALIZED,
            occurred_at=_at(captured + timedelta(days=1)),
            place="Military hospital, Kyiv",
        )
        services.custody_event_record(
            acting_user=loader,
            captive=captive,
            kind=CustodyEventKind.INTERNED,
            occurred_at=_at(date(2025, 2, 20)),
            place="Prisoner of war camp (location withheld)",
        )
        services.wish_statement_record(
            acting_user=loader,
            captive=captive,
            wish=wish,
            stated_at=_at(date(2025, 1, 11)),
            mode=WishMode.PUBLISHED_VIDEO,
            statement=words,
            language="Korean",
            interpreter="Interpreter of the Security Service of Ukraine",
            persons_present="Ukrainian interrogators; camera operator",
            voluntariness=Voluntariness.NOT_ASSESSED,
            source_media=video,
        )
    for captive in (first, second):
        for state, role, position in [
            ("UKR", InvolvementRole.DETAINING_POWER, "Holds both; offers them in an exchange."),
            ("PRK", InvolvementRole.POWER_DEPENDED_ON, "Has not acknowledged its soldiers."),
            ("RUS", InvolvementRole.ALLIED_POWER, "Holds the Ukrainians requested in return."),
            (
                "KOR",
                InvolvementRole.RECEIVING_STATE,
                "Will facilitate transfer if they seek asylum; no official request yet.",
            ),
            ("KOR", InvolvementRole.VERIFIER, "Its intelligence service verified the capture."),
        ]:
            _involve(loader, captive, s[state], role, position=position, since=date(2025, 1, 12))
    title = "Korean People's Army soldiers for Ukrainians held by Russia"
    if not ExchangeProposal.objects.filter(title=title).exists():
        proposal = diplomacy_services.exchange_proposal_create(
            acting_user=loader,
            title=title,
            proposing_state=s["UKR"],
            counterpart_state=s["PRK"],
            proposed_on=date(2025, 1, 12),
            terms="Ukraine is ready to hand both soldiers over if their exchange for "
            "Ukrainian prisoners held in Russia can be organised.",
        )
        for captive in (first, second):
            diplomacy_services.exchange_offer_add(
                acting_user=loader, proposal=proposal, captive=captive
            )
        diplomacy_services.exchange_request_add(
            acting_user=loader,
            proposal=proposal,
            count=None,
            description="Ukrainian prisoners of war held by Russia",
            held_by=s["RUS"],
        )
        diplomacy_services.exchange_proposal_transition(
            acting_user=loader, proposal=proposal, to_status=ProposalStatus.PROPOSED
        )
    call = {
        "from_state": s["KOR"],
        "to_state": s["UKR"],
        "occurred_on": date(2025, 1, 20),
        "channel": ContactChannel.CALL,
    }
    if not DiplomaticContact.objects.filter(**call).exists():
        diplomacy_services.diplomatic_contact_record(
            acting_user=loader,
            captives=[first, second],
            from_party="Ministry of Foreign Affairs",
            to_party="Ministry of Foreign Affairs of Ukraine",
            summary="Stays in contact about the two captives; would hold talks to bring them "
            "to Seoul if they chose to defect. No official request made.",
            classification=Classification.CONFIDENTIAL,
            **call,
        )
    return [first, second]


# Synthetic cases: Cyrillic names transliterated, so every rendering is consistent.
_FAMILY = [
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
    "Алексеев",
    "Захаров",
    "Зайцев",
    "Павлов",
    "Семёнов",
]
_GIVEN = [
    "Иван",
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Михаил",
    "Николай",
    "Артём",
    "Павел",
    "Егор",
    "Кирилл",
    "Роман",
]
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "yo",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
        strict=True,
    )
)
_RECRUITS = [
    ("NPL", "Gurung", "Bikash"),
    ("NPL", "Tamang", "Suman"),
    ("LKA", "Perera", "Nuwan"),
    ("CUB", "Rodríguez", "Yoandri"),
    ("LKA", "Fernando", "Kasun"),
]
_REGIONS = [
    "Donetsk Oblast",
    "Kharkiv Oblast",
    "Zaporizhzhia Oblast",
    "Kursk Oblast",
    "Luhansk Oblast",
]
_PATHS = [
    [CustodyEventKind.INTERNED],
    [CustodyEventKind.HOSPITALIZED, CustodyEventKind.INTERNED],
    [CustodyEventKind.HOSPITALIZED],
    [CustodyEventKind.IN_TRANSIT, CustodyEventKind.INTERNED, CustodyEventKind.EXCHANGED],
    [CustodyEventKind.INTERNED, CustodyEventKind.REPATRIATED],
    [CustodyEventKind.INTERNED, CustodyEventKind.ESCAPED],
    [CustodyEventKind.HOSPITALIZED, CustodyEventKind.DECEASED],
    [CustodyEventKind.INTERNED, CustodyEventKind.RELEASED],
]


def _latin(cyrillic: str) -> str:
    return "".join(
        _TRANSLIT.get(ch.lower(), ch).capitalize() if ch.isupper() else _TRANSLIT.get(ch, ch)
        for ch in cyrillic
    )


def _synthetic_cases(loader: Any, s: dict[str, State], count: int = 36) -> None:
    rng = random.Random(2025)  # noqa: S311 — demo data, not security
    for n in range(count):
        service_number = f"DEMO-SYN-{n + 1:04d}"
        captured_on = date(2024, 3, 1) + timedelta(days=rng.randrange(0, 940))
        if n % 7 == 6:
            code, family, given = _RECRUITS[n % len(_RECRUITS)]
            names: list[tuple[str, str]] = []
            original, script, nationality = "", Script.LATIN, s[code]
        else:
            family_cyr, given_cyr = rng.choice(_FAMILY), rng.choice(_GIVEN)
            family, given = _latin(family_cyr), _latin(given_cyr)
            original, script, nationality = f"{family_cyr} {given_cyr}", Script.CYRILLIC, s["RUS"]
            names = [(NameSystem.CYRILLIC, original)]
        health = rng.choice(list(Health))
        captive, created = _register(
            loader,
            service_number,
            family_name=family,
            given_names=given,
            name_original=original,
            original_script=script,
            names=names,
            rank=rng.choice(["Private", "Junior Sergeant", "Sergeant", "Lieutenant"]),
            birth_year=rng.randrange(1970, 2006),
            sex=Sex.MALE,
            nationality=nationality,
            power_depended_on=s["RUS"],
            armed_force="Armed Forces of the Russian Federation",
            detaining_power=s["UKR"],
            captured_on=captured_on,
            capture_region=rng.choice(_REGIONS),
            capture_territory_state=s["UKR"] if n % 5 else s["RUS"],
            health=health,
            legal_status=LegalStatus.PRISONER_OF_WAR if n % 9 else LegalStatus.ART5_PENDING,
            place_of_birth_declined=n % 4 == 0,
            notes=FICTIONAL,
        )
        if not created:
            continue
        path = _PATHS[n % len(_PATHS)]
        handed_over = {CustodyEventKind.EXCHANGED, CustodyEventKind.REPATRIATED} & set(path)
        # Nobody in the demo was handed back without a free wish to return (rule 1).
        wish = (
            Wish.RETURN
            if handed_over
            else [Wish.RETURN, Wish.REMAIN, Wish.UNDECIDED, Wish.DEFECT][n % 4]
        )
        services.wish_statement_record(
            acting_user=loader,
            captive=captive,
            wish=wish,
            destination=s["CHE"] if wish == Wish.DEFECT else None,
            stated_at=_at(captured_on + timedelta(days=1), 9),
            mode=[WishMode.CASEWORKER_INTERVIEW, WishMode.PRIVATE_INTERVIEW][n % 2],
            language="Russian" if script == Script.CYRILLIC else "English",
            voluntariness=Voluntariness.FREE
            if handed_over
            else [Voluntariness.FREE, Voluntariness.NOT_ASSESSED, Voluntariness.DOUBTFUL][n % 3],
        )
        moment = _at(captured_on + timedelta(days=1))
        for kind in path:
            moment += timedelta(days=rng.randrange(1, 60))
            if moment > timezone.now():
                break
            services.custody_event_record(
                acting_user=loader,
                captive=captive,
                kind=kind,
                occurred_at=moment,
                place={
                    CustodyEventKind.HOSPITALIZED: "Military hospital",
                    CustodyEventKind.INTERNED: "Prisoner of war camp",
                }.get(kind, ""),
                custodian=s["RUS"] if kind in handed_over else None,
            )
        _involve(loader, captive, s["UKR"], InvolvementRole.DETAINING_POWER)
        _involve(loader, captive, s["RUS"], InvolvementRole.POWER_DEPENDED_ON)


def _involve(
    loader: Any, captive: Any, state: Any, role: str, *, position: str = "", since: Any = None
) -> None:
    """Record a state's role in his case through the services, once: registering recorded his
    power and its ally already, so theirs only get what they say."""
    held = Involvement.objects.filter(captive=captive, state=state, role=role).first()
    if held is None:
        case_services.involvement_record(
            acting_user=loader,
            captive=captive,
            state=state,
            role=role,
            position=position,
            started_on=since,
        )
    elif position and not held.position:
        case_services.involvement_update(acting_user=loader, involvement=held, position=position)


def _paperwork_done(loader: Any) -> None:
    """Mark the demo's older duties fulfilled, as a working bureau would have; recent ones stay."""
    cutoff = timezone.localdate() - timedelta(days=45)
    for duty in Obligation.objects.active().filter(fulfilled_on__isnull=True, due_on__lt=cutoff):
        services.obligation_fulfil(
            acting_user=loader,
            obligation=duty,
            fulfilled_on=duty.due_on - timedelta(days=1),
            reference=f"DEMO-{duty.kind.upper()}-{duty.pk:05d}",
        )


@transaction.atomic
def demo_load() -> dict[str, Any]:
    """Load the demo scenario, leaving whatever is already there as it is."""
    loader = _logins()
    states = _states()
    _kursk_case(loader, states)
    _synthetic_cases(loader, states)
    _paperwork_done(loader)
    return {
        "captives": Captive.objects.count(),
        "states": State.objects.count(),
        "proposals": ExchangeProposal.objects.count(),
        "logins": LOGINS,
    }
