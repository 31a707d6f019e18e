"""The brief's partners on the demo case: South Korea syncs it, North Korea sees only identity."""

from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cases import services as case_services
from cases.choices import WishMode
from cases.models import Captive
from partners.models import DisclosureRecord
from states.models import State
from tests.partners.api.conftest import make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_loaded, db):
    """The demo (loaded once for the module) and its captives the partners ask about."""
    return {
        "first": Captive.objects.get(case_number="UKR-2025-00001"),
        "second": Captive.objects.get(case_number="UKR-2025-00002"),
        "uninvolved": Captive.objects.filter(nationality__code="RUS").first(),
    }


def test_south_korea_syncs_the_case_and_sees_the_defection_to_it(demo):
    kor = make_partner(
        Client(),
        "KOR Ministry of Foreign Affairs",
        state=State.objects.get(code="KOR"),
        default_level="full",
        scopes=["cases:read", "wishes:read", "diplomacy:read"],
    )
    first_sync = kor.get("/api/v1/captives/").json()
    since = timezone.now().isoformat()

    case_services.wish_statement_record(
        acting_user=None,
        captive=demo["second"],
        wish="defect",
        destination=State.objects.get(code="KOR"),
        stated_at=timezone.now() - timezone.timedelta(hours=1),
        mode=WishMode.PRIVATE_INTERVIEW,
        statement="Asks to go to Seoul.",
    )
    changed = kor.get("/api/v1/captives/", updated_since=since).json()
    wishes = kor.get(f"/api/v1/captives/{demo['second'].pk}/wishes/").json()["results"]

    assert {c["case_number"] for c in first_sync["results"]} == {"UKR-2025-00001", "UKR-2025-00002"}
    assert [c["case_number"] for c in changed["results"]] == ["UKR-2025-00002"]
    assert changed["results"][0]["latest_wish"]["wish"] == "defect"
    assert (wishes[-1]["wish"], wishes[-1]["destination"]["code"]) == ("defect", "KOR")
    assert kor.get("/api/v1/diplomatic-contacts/").json()["count"] == 1
    assert kor.get(f"/api/v1/captives/{demo['uninvolved'].pk}/").status_code == 404
    assert DisclosureRecord.objects.filter(partner=kor.partner, captive=demo["second"]).count() >= 3


def test_north_korea_sees_identity_and_custody_and_nothing_else(demo):
    prk = make_partner(
        Client(),
        "PRK agency via the tracing agency",
        state=State.objects.get(code="PRK"),
        scopes=["cases:read", "wishes:read", "diplomacy:read"],
    )
    case_services.wish_statement_record(
        acting_user=None,
        captive=demo["second"],
        wish="defect",
        destination=State.objects.get(code="KOR"),
        stated_at=datetime.now(tz=timezone.get_current_timezone()) - timezone.timedelta(hours=1),
        mode=WishMode.PRIVATE_INTERVIEW,
    )

    listed = prk.get("/api/v1/captives/").json()["results"]

    assert {c["case_number"] for c in listed} == {"UKR-2025-00001", "UKR-2025-00002"}
    for row in listed:
        assert row["disclosure_level"] == "identity"
        assert row["custody_status"] == "interned"
        assert row["family_name"] and row["rank"] and row["service_number"]
        assert not {"health", "effective_wish", "latest_wish", "custody_place"} & set(row)
    for soldier in (demo["first"], demo["second"]):
        assert prk.get(f"/api/v1/captives/{soldier.pk}/wishes/").status_code == 404
        assert prk.get(f"/api/v1/captives/{soldier.pk}/events/").status_code == 404
    assert prk.get("/api/v1/diplomatic-contacts/").json()["count"] == 0
    assert prk.get("/api/v1/transfer-requests/").json()["count"] == 0
    assert prk.get("/api/v1/captives/", effective_wish="defect").json()["count"] == 0
    assert prk.get(f"/api/v1/captives/{demo['uninvolved'].pk}/").status_code == 404
    ledger = set(
        DisclosureRecord.objects.filter(partner=prk.partner).values_list(
            "captive__case_number", "level"
        )
    )
    assert ledger == {("UKR-2025-00001", "identity"), ("UKR-2025-00002", "identity")}


def test_caseworkers_see_the_ledger_in_the_admin(demo, client, caseworker):
    prk = make_partner(
        Client(), "PRK agency", state=State.objects.get(code="PRK"), scopes=["cases:read"]
    )
    prk.get(f"/api/v1/captives/{demo['first'].pk}/")
    client.force_login(caseworker)

    page = client.get("/admin/partners/disclosurerecord/", {"q": "UKR-2025-00001"}).content.decode()

    assert "PRK agency" in page and "UKR-2025-00001" in page
    captive_page = client.get(f"/admin/cases/captive/{demo['first'].pk}/change/").content.decode()
    assert "1 read by partners" in captive_page
