"""manage.py load_synthetic: the benchmark data set is what the services would have written."""

import json
from collections import Counter, defaultdict
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.choices import (
    FINAL_CUSTODY_STATUSES,
    HANDOVER_KINDS,
    CustodyEventKind,
    NameSystem,
    ObligationKind,
    Voluntariness,
    Wish,
)
from cases.gate import repatriation_clearance
from cases.models import Captive, CaseNumberSequence, Obligation
from demo.synthetic import (
    AS_OF,
    LOADER_USERNAME,
    MARKER,
    MODELS,
    content_hash,
    loader_user,
    partners_ensure,
    states_ensure,
    synthetic_load,
)
from tests.partners.api.conftest import token_for

pytestmark = pytest.mark.django_db

N = 300
SEED = 11

DENORMALISED = [
    "custody_status",
    "custody_place",
    "custodian_id",
    "custody_since",
    "effective_wish",
    "effective_wish_destination_id",
    "effective_wish_statement_id",
    "latest_wish_statement_id",
]


@pytest.fixture
def loaded(db: Any) -> dict[str, Any]:
    return synthetic_load(count=N, seed=SEED)


def test_denormalised_fields_are_what_the_services_compute(loaded: dict[str, Any]) -> None:
    loader = loader_user()
    captives = list(Captive.objects.order_by("pk"))
    assert len(captives) == N
    for stored in captives:
        events = list(stored.custody_events.active().order_by("occurred_at", "id"))
        services.custody_timeline_check([e.kind for e in events])
        statements = list(stored.wish_statements.active())
        writes = [e.recorded_at for e in events] + [s.recorded_at for s in statements]
        writes += [s.assessed_at for s in statements if s.assessed_at]
        assert stored.updated_at == max(writes), stored.case_number
        assert stored.disclosed_changed_at == max(e.recorded_at for e in events)
        assert stored.created_at == events[0].recorded_at
        # The services' own synchronisation, run again, changes nothing.
        fresh = Captive.objects.get(pk=stored.pk)
        services._captive_sync_custody(fresh, acting_user=loader, reason="test")
        services._captive_sync_wishes(fresh, acting_user=loader, reason="test")
        for name in DENORMALISED:
            assert getattr(fresh, name) == getattr(stored, name), (stored.case_number, name)


def test_handovers_pass_the_gate_and_dates_are_in_order(loaded: dict[str, Any]) -> None:
    handed_over = 0
    for captive in Captive.objects.all():
        events = list(captive.custody_events.order_by("occurred_at", "id"))
        recorded = [e.recorded_at for e in events]
        assert recorded == sorted(recorded)
        assert all(timezone.localdate(e.occurred_at) >= captive.captured_on for e in events)
        assert all(timezone.localdate(e.occurred_at) <= AS_OF for e in events)
        last = events[-1]
        if last.kind in HANDOVER_KINDS:
            handed_over += 1
            clearance = repatriation_clearance(captive=captive, destination=last.custodian)
            assert clearance.cleared, (captive.case_number, clearance.reason)
            assert all(s.recorded_at < last.recorded_at for s in captive.wish_statements.all())
        for statement in captive.wish_statements.all():
            assert timezone.localdate(statement.stated_at) >= captive.captured_on
            assert statement.stated_at <= timezone.now()
    assert handed_over > 0


def test_obligations_come_from_their_events(loaded: dict[str, Any]) -> None:
    period = settings.OBLIGATION_PERIOD_DAYS
    by_event: dict[int, list[Obligation]] = defaultdict(list)
    for duty in Obligation.objects.select_related("triggered_by", "captive"):
        if duty.triggered_by_id:
            by_event[duty.triggered_by_id].append(duty)
            day = timezone.localdate(duty.triggered_by.occurred_at)
            assert (duty.due_on - day).days == period[duty.kind]
        if duty.fulfilled_on:
            assert duty.reference
            assert duty.captive.captured_on <= duty.fulfilled_on <= AS_OF
    for captive in Captive.objects.prefetch_related("custody_events"):
        for event in captive.custody_events.all():
            kinds = sorted(d.kind for d in by_event[event.pk])
            assert kinds == sorted(services.EVENT_OBLIGATIONS.get(event.kind, ()))
        open_reports = captive.obligations.active().filter(
            kind=ObligationKind.HEALTH_REPORT, fulfilled_on__isnull=True
        )
        held = captive.custody_status not in FINAL_CUSTODY_STATUSES | {CustodyEventKind.ESCAPED}
        assert open_reports.count() == (1 if captive.is_seriously_ill_or_wounded and held else 0)
    states = Counter(d.state for d in Obligation.objects.with_state(today=AS_OF))
    assert states["fulfilled"] > 0 and states["overdue"] > 0


def test_case_numbers_names_wishes_and_involvements(loaded: dict[str, Any]) -> None:
    captives = list(Captive.objects.all())
    assert len({c.case_number for c in captives}) == N
    assert all(c.fictional and c.notes.startswith(MARKER) for c in captives)
    highest: dict[tuple[str, int], int] = defaultdict(int)
    for c in captives:
        code, year, number = c.case_number.split("-")
        assert code == c.detaining_power.code and int(year) == c.captured_on.year
        highest[(code, int(year))] = max(highest[(code, int(year))], int(number))
    for row in CaseNumberSequence.objects.all():
        assert row.last_value == highest[(row.detaining_power_code, row.year)]
    scripts = Counter(c.original_script for c in captives)
    assert scripts["hangul"] and scripts["cyrillic"] and scripts["latin"]
    systems = Counter(
        n.system for c in captives for n in c.names.all()
    )  # RR, MR, Cyrillic and passport forms
    for system in (
        NameSystem.REVISED_ROMANIZATION,
        NameSystem.MCCUNE_REISCHAUER,
        NameSystem.CYRILLIC,
        NameSystem.LATIN_PASSPORT,
    ):
        assert systems[system] > 0, system
    statements = [s for c in captives for s in c.wish_statements.all()]
    wishes = Counter(s.wish for s in statements)
    assert wishes[Wish.RETURN] > wishes[Wish.REMAIN] > 0
    assert all(s.destination_id for s in statements if s.wish == Wish.DEFECT)
    assert Counter(s.voluntariness for s in statements)[Voluntariness.NOT_ASSESSED] > 0
    for c in captives:
        roles = {(i.role, i.state_id) for i in c.involvements.all()}
        assert ("detaining_power", c.detaining_power_id) in roles
        assert ("power_depended_on", c.power_depended_on_id) in roles


def test_names_carry_the_search_keys_save_would_give(loaded: dict[str, Any]) -> None:
    """The bulk load bypasses save(): it must still give every name its skeleton key, or the
    name search misses the synthetic captives across scripts."""
    from cases.models import Captive, CaptiveName, captive_name_skeleton
    from cases.names import name_skeleton
    from cases.selectors import captive_search

    for captive in Captive.objects.all():
        assert captive.name_skeleton == captive_name_skeleton(captive), captive.case_number
    for rendering in CaptiveName.objects.all():
        assert rendering.skeleton == name_skeleton(rendering.full_name), rendering.full_name
    korean = Captive.objects.filter(original_script="hangul").first()
    assert korean is not None
    assert korean in captive_search(Captive.objects.all(), korean.name_original)


def test_every_row_has_its_history_row(loaded: dict[str, Any]) -> None:
    loader = get_user_model().objects.get(username=LOADER_USERNAME)
    for model in MODELS:
        history = model.history.model  # type: ignore[attr-defined]
        main = model._base_manager.count()
        assert history.objects.count() == main > 0, model
        assert not history.objects.exclude(history_type="+").exists()
        assert not history.objects.exclude(history_user=loader).exists()
        assert not history.objects.filter(history_change_reason="").exists()


def test_same_seed_same_data(db: Any) -> None:
    states_ensure()
    partners_ensure(loader_user(), states_ensure())
    digests = []
    for seed in (SEED, SEED, SEED + 1):
        with transaction.atomic():
            synthetic_load(count=120, seed=seed)
            digests.append(content_hash())
            transaction.set_rollback(True)
    assert digests[0] == digests[1] != digests[2]


def test_the_partners_list_their_captives(loaded: dict[str, Any], client: Client) -> None:
    seen = {}
    for partner in loaded["partners"]:
        response = token_for(client, partner["client_id"], partner["client_secret"])
        assert response.status_code == 200, response.content
        token = response.json()["access_token"]
        listing = Client().get(
            "/api/v1/captives/", {"page_size": 50}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        assert listing.status_code == 200, listing.content
        seen[partner["state"]] = listing.json()["count"]
    # Ukraine detains or is the home of nearly everyone; Korea only of the defectors' cases.
    assert seen["UKR"] > seen["KOR"] > 0
    assert seen["PRK"] > 0


def test_the_admin_changelist_loads(loaded: dict[str, Any], client: Client) -> None:
    client.force_login(get_user_model().objects.create_superuser("boss", password="x"))
    url = reverse("admin:cases_captive_changelist")
    first = Captive.objects.order_by("case_number").first()
    assert first is not None
    assert first.case_number.encode() in client.get(url).content
    for params in ({"custody_status__exact": "interned"}, {"q": "Kim"}):
        assert client.get(url, params).status_code == 200


def test_the_command_refuses_mixing(db: Any, tmp_path: Any) -> None:
    out = StringIO()
    creds = tmp_path / "partners.json"
    call_command("load_synthetic", captives=40, seed=5, credentials=str(creds), stdout=out)
    assert "Loaded 40 synthetic captives" in out.getvalue()
    assert {p["state"] for p in json.loads(creds.read_text())} == {"UKR", "KOR", "PRK"}
    call_command("load_synthetic", captives=40, seed=5, credentials=str(creds), stdout=out)
    assert "nothing to do" in out.getvalue()
    with pytest.raises(CommandError, match="seed 5"):
        call_command("load_synthetic", captives=40, seed=6, credentials=str(creds))
    Captive.objects.filter(pk=Captive.objects.first().pk).update(fictional=False)
    with pytest.raises(CommandError, match="non-fictional"):
        call_command("load_synthetic", captives=40, seed=5, credentials=str(creds))
