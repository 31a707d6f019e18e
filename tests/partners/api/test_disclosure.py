"""The permission matrix: every endpoint × method × partner kind × shared or not.

Rule 4: a partner sees a case only if its state is involved or the case is shared with it, only
as far as its level allows; no wish of his, and nobody else's contacts or transfer requests about
him, ever reach the power he depends on or its ally; and every read is in the ledger.
"""

from typing import Any

import pytest

from partners.models import DisclosureRecord
from tests.factories import CaptiveFactory
from tests.partners.api.conftest import defect, remain, share

pytestmark = pytest.mark.django_db

KINDS = ["power_depended_on", "ally", "receiving_state", "tracing_agency", "unrelated", "anonymous"]
INVOLVED = {"power_depended_on", "ally", "receiving_state"}
HOSTILE = {"power_depended_on", "ally"}

# GC III Art. 17 identity and custody status: all an identity-level reader gets.
ART17_IDENTITY = {
    "id", "case_number", "family_name", "given_names", "name_original", "original_script",
    "names", "rank", "rank_declined", "service_number", "service_number_declined", "birth_date",
    "birth_year", "birth_date_declined", "nationality", "power_depended_on", "detaining_power",
    "custody_status", "custody_since", "updated_at", "disclosure_level",
}  # fmt: skip
CASE_ONLY = {"health", "custody_place", "captured_on", "allied_power", "legal_status"}
FULL_ONLY = {"next_of_kin_name", "capture_circumstances", "identity_notes"}
WISH_FIELDS = {"effective_wish", "effective_wish_destination", "latest_wish"}
NESTED_CASE = ["events", "involvements", "media", "obligations"]


def expected_level(kind: str, shared: bool) -> str | None:
    if shared:
        return "case"  # the share's level replaces the default
    return "full" if kind in INVOLVED else None


def captive_path(captive: Any, nested: str = "") -> str:
    return f"/api/v1/captives/{captive.pk}/{nested + '/' if nested else ''}"


@pytest.mark.parametrize("shared", [False, True], ids=["not-shared", "shared"])
@pytest.mark.parametrize("kind", KINDS)
def test_permission_matrix(world, partners, kind, shared):
    api = partners[kind]
    first, second, other = world["first"], world["second"], world["other"]
    if shared and kind != "anonymous":
        share(api, first)
    level = expected_level(kind, shared)

    if kind == "anonymous":
        for path in [
            "/api/v1/captives/",
            captive_path(first),
            captive_path(first, "wishes"),
            "/api/v1/exchange-proposals/",
            "/api/v1/states/",
        ]:
            response = api.get(path)
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "not_authenticated"
        assert api.delete(captive_path(first)).status_code == 401
        return

    listed = {row["case_number"] for row in api.get("/api/v1/captives/").json()["results"]}
    detail = api.get(captive_path(first))

    # List: the involved see both soldiers; a share adds the first; nobody sees the other case.
    expected_list = set()
    if kind in INVOLVED:
        expected_list |= {first.case_number, second.case_number}
    if shared:
        expected_list.add(first.case_number)
    assert listed == expected_list
    assert api.get("/api/v1/captives/", search="Unrelated").json()["count"] == 0

    # Detail and nested reads: 404 exactly as for a missing record when not visible.
    if level is None:
        assert detail.status_code == 404
        assert detail.json() == {"error": {"code": "not_found", "message": "Not found."}}
    else:
        fields = set(detail.json())
        assert detail.status_code == 200
        assert fields >= ART17_IDENTITY
        assert detail.json()["disclosure_level"] == level
        assert (fields >= CASE_ONLY) == (level in {"case", "full"})
        assert bool(CASE_ONLY & fields) == (level in {"case", "full"})
        assert bool(FULL_ONLY & fields) == (level == "full")
        assert bool(WISH_FIELDS & fields) == (level == "full" and kind not in HOSTILE)
        assert "ETag" in detail
    for nested in NESTED_CASE:
        status = api.get(captive_path(first, nested)).status_code
        assert status == (200 if level in {"case", "full"} else 404), nested
    sees_wishes = level == "full" and kind not in HOSTILE
    assert api.get(captive_path(first, "wishes")).status_code == (200 if sees_wishes else 404)
    assert api.get(captive_path(first, "history")).status_code == (200 if level else 404)
    for nested in ["", "events", "wishes", "history"]:
        assert api.get(captive_path(other, nested)).status_code == 404

    # Writes: only where the reader sees at least the case; never a delete.
    etag = detail["ETag"] if level else '"x"'
    patch = api.patch(captive_path(first), {"rank": "Private"}, headers={"If-Match": etag})
    assert patch.status_code == (200 if level in {"case", "full"} else 404)
    assert api.delete(captive_path(first)).status_code == 405
    assert api.put(captive_path(first), {"rank": "x"}).status_code == 405
    assert (
        api.patch(captive_path(other), {"rank": "x"}, headers={"If-Match": '"x"'}).status_code
        == 404
    )

    # Diplomacy: proposals for the parties; contacts for a party or a full-level reader.
    proposals = api.get("/api/v1/exchange-proposals/").json()["count"]
    assert proposals == (1 if kind == "power_depended_on" else 0)
    contacts = api.get("/api/v1/diplomatic-contacts/").json()["count"]
    # The KOR contact concerns both soldiers: KOR is a party to it; PRK and RUS never read
    # another state's contact about them.
    assert contacts == (1 if kind == "receiving_state" else 0)
    assert api.get("/api/v1/states/").status_code == 200

    # The ledger holds a row for every read of the first soldier, at the level served.
    rows = DisclosureRecord.objects.filter(partner=api.partner, captive=first)
    assert rows.exists() == (level is not None)
    assert set(rows.values_list("level", flat=True)) <= {level}


@pytest.mark.parametrize("said", ["defect", "remain"])
@pytest.mark.parametrize("kind", ["power_depended_on", "ally", "receiving_state"])
def test_no_wish_reaches_his_own_power_or_its_ally(world, partners, kind, said):
    api = partners[kind]
    second = world["second"]
    if said == "defect":
        defect(second, world["states"]["KOR"])
    else:
        remain(second)
    second.refresh_from_db()
    hostile = kind in HOSTILE

    detail = api.get(captive_path(second)).json()
    wishes = api.get(captive_path(second, "wishes"))
    one_wish = api.get(captive_path(second, f"wishes/{second.latest_wish_statement_id}"))
    contacts = api.get("/api/v1/diplomatic-contacts/").json()["count"]
    filtered = api.get("/api/v1/captives/", effective_wish=said).json()["count"]
    history = api.get(captive_path(second, "history")).json()["results"]
    involved = {row["state"]["code"] for row in api.get(captive_path(second, "involvements"))
                .json()["results"]}  # fmt: skip

    assert bool(WISH_FIELDS & set(detail)) is not hostile
    assert wishes.status_code == (404 if hostile else 200)
    assert one_wish.status_code == (404 if hostile else 200)
    assert contacts == (0 if hostile else 1)
    assert filtered == (0 if hostile else 1)
    assert all("effective_wish" not in row["values"] for row in history) is hostile
    assert ("KOR" in involved) is not hostile  # who offers to take him in
    # Identity and custody stay visible to all of them.
    assert detail["case_number"] == second.case_number
    assert detail["custody_status"] == "captured"


def test_transfer_requests_about_him_are_hidden_from_his_power_but_its_own_are_not(world, partners):
    from diplomacy.services import transfer_request_create

    second = world["second"]
    defect(second, world["states"]["KOR"])
    transfer_request_create(
        acting_user=None, captive=second, requesting_state=world["states"]["KOR"]
    )
    transfer_request_create(
        acting_user=None, captive=world["first"], requesting_state=world["states"]["RUS"]
    )

    seen = {
        kind: partners[kind].get("/api/v1/transfer-requests/").json()["count"] for kind in INVOLVED
    }

    # RUS reads its own request; nobody hostile reads KOR's; KOR reads both (full level).
    assert seen == {"power_depended_on": 0, "ally": 1, "receiving_state": 2}


def test_a_shared_case_is_read_at_the_shared_level_by_a_tracing_agency(world, partners):
    api = partners["tracing_agency"]
    share(api, world["first"], level="identity")

    fields = set(api.get(captive_path(world["first"])).json())

    assert fields == ART17_IDENTITY
    assert api.get(captive_path(world["first"], "events")).status_code == 404


def test_without_the_wishes_scope_no_wish_is_shown(client, world):
    from tests.partners.api.conftest import make_partner

    api = make_partner(
        client,
        "KOR without wishes",
        state=world["states"]["KOR"],
        default_level="full",
        scopes=["cases:read"],
    )

    detail = api.get(captive_path(world["first"])).json()

    assert not WISH_FIELDS & set(detail)
    assert api.get(captive_path(world["first"], "wishes")).status_code == 403
    assert api.get("/api/v1/captives/", effective_wish="return").json()["count"] == 0


def test_the_history_reveals_no_more_than_the_record(world, partners):
    from cases import services as case_services

    first = world["first"]
    tracing = partners["tracing_agency"]
    share(tracing, first, level="identity")
    case_services.captive_update(acting_user=None, captive=first, health="seriously_wounded")
    case_services.captive_update(acting_user=None, captive=first, rank="Corporal")

    identity_rows = tracing.get(captive_path(first, "history")).json()["results"]
    full_rows = partners["receiving_state"].get(captive_path(first, "history")).json()["results"]

    # The health change is invisible at identity level: no row for it, no reasons at all.
    assert [row["values"]["rank"] for row in identity_rows][:1] == ["Corporal"]
    assert all("health" not in row["values"] for row in identity_rows)
    assert all(row["history_change_reason"] is None for row in identity_rows)
    assert len(identity_rows) < len(full_rows)
    assert {"health": "seriously_wounded"}.items() <= full_rows[1]["values"].items()
    assert full_rows[0]["history_change_reason"] == "Particulars changed"


def test_a_proposals_balance_counts_only_the_captives_the_reader_sees(world, partners):
    from cases.models import Involvement
    from diplomacy import services as diplomacy_services

    s = world["states"]
    hidden = CaptiveFactory(
        family_name="Hidden",
        detaining_power=s["UKR"],
        nationality=s["CUB"],
        power_depended_on=s["CUB"],
    )
    Involvement.objects.get_or_create(captive=hidden, state=s["UKR"], role="detaining_power")
    diplomacy_services.exchange_offer_add(
        acting_user=None, proposal=world["proposal"], captive=hidden
    )
    prk = partners["power_depended_on"]

    proposal = prk.get(f"/api/v1/exchange-proposals/{world['proposal'].pk}/").json()

    offered = {row["captive"]["id"] for row in proposal["offered_captives"]}
    assert hidden.pk not in offered
    assert proposal["balance"]["offered_included"] == len(offered) == 2
