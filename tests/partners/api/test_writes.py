"""Writes that cannot corrupt a case: versions, retries, clear errors, never a 500."""

import threading
from datetime import datetime

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from cases.models import WishStatement
from partners.choices import DisclosureLevel
from partners.models import IdempotencyRecord
from tests.partners.api.conftest import ALL_SCOPES, Api, make_partner

pytestmark = pytest.mark.django_db


def path(captive, nested=""):
    return f"/api/v1/captives/{captive.pk}/{nested + '/' if nested else ''}"


WISH = {
    "wish": "defect",
    "destination": "KOR",
    "stated_at": "2025-03-01T10:00:00Z",
    "mode": "private_interview",
    "statement": "Asks to go to Seoul.",
}


def test_a_patch_needs_the_current_version(world, partners):
    api = partners["receiving_state"]
    first = world["first"]
    etag = api.get(path(first))["ETag"]

    missing = api.patch(path(first), {"rank": "Corporal"})
    wildcard = api.patch(path(first), {"rank": "Corporal"}, headers={"If-Match": "*"})
    done = api.patch(path(first), {"rank": "Corporal"}, headers={"If-Match": etag})
    stale = api.patch(path(first), {"rank": "Sergeant"}, headers={"If-Match": etag})

    assert (missing.status_code, missing.json()["error"]["code"]) == (428, "if_match_required")
    # "*" matches any version, so it would skip the check: every write must name what it saw.
    assert (wildcard.status_code, wildcard.json()["error"]["code"]) == (428, "if_match_required")
    assert done.status_code == 200 and done.json()["rank"] == "Corporal"
    assert done["ETag"] != etag
    assert (stale.status_code, stale.json()["error"]["code"]) == (412, "version_mismatch")
    first.refresh_from_db()
    assert first.rank == "Corporal"
    assert first.history.latest("history_id").history_user == api.partner.service_user


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_conflicting_patches_one_wins_the_rest_get_412(world, partners):
    api = partners["receiving_state"]
    first = world["first"]
    etag = api.get(path(first))["ETag"]
    workers = 6
    barrier = threading.Barrier(workers)
    statuses: list[int] = []

    def edit(n: int) -> None:
        try:
            barrier.wait()
            own = Api(client=Client(), token=api.token)
            statuses.append(
                own.patch(
                    path(first), {"rank": f"Rank {n}"}, headers={"If-Match": etag}
                ).status_code
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [412] * (workers - 1)
    first.refresh_from_db()
    winner = first.rank
    assert winner.startswith("Rank ")
    assert first.history.filter(history_change_reason="Particulars changed").count() == 1


def test_a_retried_post_returns_the_first_response_and_creates_nothing(world, partners):
    api = partners["receiving_state"]
    second = world["second"]
    before = WishStatement.objects.count()

    first_try = api.post(path(second, "wishes"), WISH, headers={"Idempotency-Key": "wish-1"})
    retry = api.post(path(second, "wishes"), WISH, headers={"Idempotency-Key": "wish-1"})
    reused = api.post(
        path(second, "wishes"),
        {**WISH, "statement": "Other"},
        headers={"Idempotency-Key": "wish-1"},
    )

    assert first_try.status_code == retry.status_code == 201
    assert retry.json() == first_try.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert (reused.status_code, reused.json()["error"]["code"]) == (422, "idempotency_key_reused")
    assert WishStatement.objects.count() == before + 1


def replay_headers(response) -> dict[str, str]:
    """Every header of an answer but the one saying it is a replay."""
    return {k: v for k, v in response.headers.items() if k != "Idempotent-Replayed"}


def test_a_replayed_registration_is_the_first_answer_byte_for_byte(client, world):
    bureau = make_partner(
        client,
        "UKR bureau",
        state=world["states"]["UKR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "cases:register"],
    )
    kim = {
        "family_name": "Kim",
        "given_names": "Chol-su",
        "name_original": "김철수",
        "nationality": "PRK",
        "power_depended_on": "PRK",
        "captured_on": "2025-01-05",
    }
    headers = {"Idempotency-Key": "register-kim", "Accept-Language": "ko"}

    first = bureau.post("/api/v1/captives/", kim, headers=headers)
    # The retry asks in another language: it still gets the first answer, as it was.
    retry = bureau.post("/api/v1/captives/", kim, headers={**headers, "Accept-Language": "en"})

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert first["ETag"] and first["Content-Language"] == "ko"
    assert replay_headers(retry) == replay_headers(first)
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first


def test_a_replayed_wish_is_the_first_answer_byte_for_byte(world, partners):
    api = partners["receiving_state"]
    target = path(world["second"], "wishes")

    first = api.post(target, WISH, headers={"Idempotency-Key": "wish-bytes"})
    retry = api.post(target, WISH, headers={"Idempotency-Key": "wish-bytes"})

    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert replay_headers(retry) == replay_headers(first)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two live transactions")
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_duplicate_gets_409_and_a_retry_after_it_replays(world, partners, monkeypatch):
    """The first request is still writing when its duplicate arrives: the duplicate is told to
    wait (409); once the first has answered, the same key replays its response."""
    from cases import services

    api = partners["receiving_state"]
    target = path(world["second"], "wishes")
    before = WishStatement.objects.filter(captive=world["second"]).count()
    writing, release = threading.Event(), threading.Event()
    record = services.wish_statement_record

    def slow_record(**kwargs):
        statement = record(**kwargs)
        writing.set()
        assert release.wait(30)
        return statement

    monkeypatch.setattr(services, "wish_statement_record", slow_record)
    first: dict[str, object] = {}

    def post_first() -> None:
        try:
            response = api.post(target, WISH, headers={"Idempotency-Key": "wish-2"})
            first["status"], first["body"] = response.status_code, response.json()
        finally:
            connections.close_all()

    thread = threading.Thread(target=post_first)
    thread.start()
    assert writing.wait(30)
    duplicate = api.post(target, WISH, headers={"Idempotency-Key": "wish-2"})
    release.set()
    thread.join(30)
    retry = api.post(target, WISH, headers={"Idempotency-Key": "wish-2"})

    assert (duplicate.status_code, duplicate.json()["error"]["code"]) == (
        409,
        "request_in_progress",
    )
    assert first["status"] == retry.status_code == 201
    assert retry.json() == first["body"]
    assert retry["Idempotent-Replayed"] == "true"
    assert WishStatement.objects.filter(captive=world["second"]).count() == before + 1


def test_a_request_that_fails_mid_write_releases_its_key(world, partners, monkeypatch):
    """The database goes away after the statement was written: nothing of it stays, and the
    retry with the same key is done once, not refused as "in progress"."""
    from django.db import OperationalError
    from django.test import Client

    from cases.services import wishes

    api = Api(client=Client(raise_request_exception=False), token=partners["receiving_state"].token)
    target = path(world["second"], "wishes")
    before = WishStatement.objects.filter(captive=world["second"]).count()

    def outage(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(wishes, "_captive_sync_wishes", outage)
    crashed = api.post(target, WISH, headers={"Idempotency-Key": "wish-3"})
    monkeypatch.undo()
    retry = api.post(target, WISH, headers={"Idempotency-Key": "wish-3"})

    assert crashed.status_code == 500
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert WishStatement.objects.filter(captive=world["second"]).count() == before + 1
    assert IdempotencyRecord.objects.filter(key="wish-3").count() == 1


KILLED_MID_WRITE = """
import os, signal, sys
import django
django.setup()
from django.test import Client
from cases import services
from cases.models import WishStatement

record = services.wish_statement_record

def record_then_die(**kwargs):
    record(**kwargs)
    assert WishStatement.objects.filter(captive_id=kwargs["captive"].pk).exists()
    os.kill(os.getpid(), signal.SIGKILL)  # the worker dies with the statement written

services.wish_statement_record = record_then_die
Client().post(
    sys.argv[1], sys.argv[2], content_type="application/json",
    HTTP_AUTHORIZATION="Bearer " + sys.argv[3], HTTP_IDEMPOTENCY_KEY="wish-4",
)
"""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second live server process")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_write_leaves_nothing_and_the_retry_goes_through(world, partners):
    import json
    import os
    import subprocess
    import sys

    api = partners["receiving_state"]
    target = path(world["second"], "wishes")
    before = WishStatement.objects.filter(captive=world["second"]).count()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_MID_WRITE, target, json.dumps(WISH), api.token],
        env=env,
        timeout=120,
        capture_output=True,
    )
    retry = api.post(target, WISH, headers={"Idempotency-Key": "wish-4"})

    assert killed.returncode == -9, killed.stderr.decode()[-2000:]
    assert retry.status_code == 201, retry.content
    assert WishStatement.objects.filter(captive=world["second"]).count() == before + 1


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ('{"wish": ', 400, "malformed_json"),
        (
            '{"wish": "defect", "destination": "KOR", "stated_at": "yesterday", "mode": "x"}',
            400,
            "invalid",
        ),
        (
            '{"wish": 5, "stated_at": "2025-03-01T10:00:00Z", "mode": "private_interview"}',
            400,
            "invalid",
        ),
        (
            '{"wish": "remain", "stated_at": "2025-03-01T10:00:00Z", "voluntariness": "free"}',
            400,
            "unknown_field",
        ),
        (
            '{"wish": "defect", "stated_at": "2025-03-01T10:00:00Z", "mode": "private_interview"}',
            400,
            "defect_needs_destination",
        ),
        ('["a", "list"]', 400, "invalid"),
    ],
)
def test_bad_input_gets_a_clear_error_and_writes_nothing(world, partners, body, status, code):
    api = partners["receiving_state"]
    before = WishStatement.objects.count()

    response = api.client.post(
        path(world["second"], "wishes"),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )

    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert WishStatement.objects.count() == before


def test_an_oversize_body_gets_413(world, partners, settings):
    settings.API_MAX_BODY_BYTES = 1000
    api = partners["receiving_state"]
    response = api.post(path(world["second"], "wishes"), {**WISH, "statement": "x" * 2000})
    assert (response.status_code, response.json()["error"]["code"]) == (413, "body_too_large")


def test_a_rule_refusal_answers_409_with_its_code(world, partners):
    from cases.services import custody_event_record

    api = partners["receiving_state"]
    custody_event_record(
        acting_user=None,
        captive=world["first"],
        kind="deceased",
        occurred_at=timezone.make_aware(datetime(2025, 2, 1, 12)),
    )
    refused = api.post(
        path(world["first"], "events"),
        {"kind": "hospitalized", "occurred_at": "2025-03-01T10:00:00Z"},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "transition_not_allowed"
    assert world["first"].custody_events.count() == 2


def test_a_partner_cannot_take_a_supervisors_decision(client, world, partners):
    from tests.partners.api.conftest import make_partner

    ukr = make_partner(client, "UKR bureau", state=world["states"]["UKR"])
    counterpart = partners["power_depended_on"]
    proposal = world["proposal"]
    etag = ukr.get(f"/api/v1/exchange-proposals/{proposal.pk}/")["ETag"]

    by_counterpart = counterpart.post(
        f"/api/v1/exchange-proposals/{proposal.pk}/withdraw/", headers={"If-Match": etag}
    )
    submitted = ukr.post(
        f"/api/v1/exchange-proposals/{proposal.pk}/submit/", headers={"If-Match": etag}
    )
    agreed = ukr.post(
        f"/api/v1/exchange-proposals/{proposal.pk}/agree/", headers={"If-Match": submitted["ETag"]}
    )
    no_version = ukr.post(f"/api/v1/exchange-proposals/{proposal.pk}/withdraw/")

    assert (by_counterpart.status_code, by_counterpart.json()["error"]["code"]) == (
        403,
        "permission_denied",
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "proposed"
    assert (agreed.status_code, agreed.json()["error"]["code"]) == (403, "permission_denied")
    assert (no_version.status_code, no_version.json()["error"]["code"]) == (
        428,
        "if_match_required",
    )


def test_events_are_recorded_and_voided_never_deleted(world, partners):
    api = partners["receiving_state"]
    first = world["first"]
    created = api.post(
        path(first, "events"),
        {"kind": "hospitalized", "occurred_at": "2025-01-07T10:00:00Z", "place": "Kyiv"},
    )
    event_id = created.json()["id"]

    no_reason = api.post(path(first, f"events/{event_id}/void"), {})
    voided = api.post(path(first, f"events/{event_id}/void"), {"reason": "Wrong captive"})
    delete = api.delete(path(first, f"events/{event_id}"))

    assert created.status_code == 201
    assert no_reason.status_code == 400
    assert voided.status_code == 200 and voided.json()["void_reason"] == "Wrong captive"
    assert delete.status_code == 405
    first.refresh_from_db()
    assert first.custody_status == "captured"
    assert first.custody_events.filter(pk=event_id).exists()


def test_throttling_answers_429(world, partners, monkeypatch):
    from django.core.cache import cache

    from powtracker.api.throttles import PartnerThrottle

    cache.clear()
    monkeypatch.setattr(PartnerThrottle, "THROTTLE_RATES", {"partner": "3/minute"})
    api = partners["tracing_agency"]

    statuses = [api.get("/api/v1/states/").status_code for _ in range(4)]
    refused = api.get("/api/v1/states/")
    cache.clear()

    assert statuses == [200, 200, 200, 429]
    assert refused.json()["error"]["code"] == "throttled"
    assert "Retry-After" in refused


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/captives/abc/",
        "/api/v1/captives/1/events/zz/",
        "/api/v1/exchange-proposals/x/",
        "/api/v1/states/toolong/",
        "/api/v1/nothing-here/",
    ],
)
def test_junk_in_the_path_is_a_404_envelope_never_a_500(world, partners, path, settings):
    settings.DEBUG = False
    response = partners["receiving_state"].get(path)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_a_changed_list_of_captives_gives_the_proposal_a_new_version(client, world):
    from diplomacy.services import exchange_offer_set_inclusion
    from tests.partners.api.conftest import make_partner

    ukr = make_partner(client, "UKR bureau", state=world["states"]["UKR"])
    proposal = world["proposal"]
    etag = ukr.get(f"/api/v1/exchange-proposals/{proposal.pk}/")["ETag"]

    exchange_offer_set_inclusion(
        acting_user=None,
        offer=proposal.offered_captives.get(captive=world["second"]),
        inclusion_status="excluded",
        reason="Wishes to remain",
    )
    stale = ukr.post(
        f"/api/v1/exchange-proposals/{proposal.pk}/submit/", headers={"If-Match": etag}
    )

    assert (stale.status_code, stale.json()["error"]["code"]) == (412, "version_mismatch")


@pytest.mark.parametrize(
    ("kind", "custodian"),
    [
        ("repatriated", None),
        ("exchanged", "KOR"),
        ("resettled", "KOR"),
        ("transferred", "KOR"),
        ("released", None),
        ("escaped", None),
        ("deceased", None),
    ],
)
def test_a_partner_records_no_handover_and_no_end_of_a_case(world, partners, kind, custodian):
    """Handing him over, releasing him, his escape or death are the detaining power's steps —
    and a partner asking for a handover is refused before the gate could speak of his wishes."""
    api = partners["receiving_state"]
    body = {"kind": kind, "occurred_at": "2025-03-01T10:00:00Z"}
    if custodian:
        body["custodian"] = custodian

    refused = api.post(path(world["first"], "events"), body)

    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    assert "wish" not in refused.json()["error"]["message"]
    assert world["first"].custody_events.count() == 1


def test_a_partner_records_a_move_a_hospital_or_a_camp(world, partners):
    api = partners["receiving_state"]
    recorded = api.post(
        path(world["first"], "events"),
        {"kind": "hospitalized", "occurred_at": "2025-03-01T10:00:00Z", "place": "Kyiv"},
    )
    assert recorded.status_code == 201, recorded.content
    assert world["first"].custody_events.count() == 2


def test_a_partner_may_not_change_his_legal_status(world, partners):
    api = partners["power_depended_on"]
    etag = api.get(path(world["first"]))["ETag"]

    refused = api.patch(
        path(world["first"]), {"legal_status": "civilian_internee"}, headers={"If-Match": etag}
    )

    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "unknown_field")
    world["first"].refresh_from_db()
    assert world["first"].legal_status == "pow"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_moment_out_of_range_is_a_400(world, partners, moment):
    answered = partners["receiving_state"].get("/api/v1/captives/", updated_since=moment)
    assert (answered.status_code, answered.json()["error"]["code"]) == (400, "invalid")


def test_a_back_dated_event_takes_the_custodian_of_its_moment_and_opens_no_duty(client, world):
    """The tester's request on captive 31 of the demo: interned by UKR on 2026-09-17, sent home
    to RUS on 2026-10-22, then a hospitalisation of 2026-10-01 entered by the UKR bureau."""
    from cases.models import Involvement
    from cases.services import custody_event_record, wish_statement_record
    from tests.factories import CaptiveFactory
    from tests.partners.api.conftest import make_partner

    s = world["states"]
    captive = CaptiveFactory(
        family_name="Demo31",
        detaining_power=s["UKR"],
        nationality=s["RUS"],
        power_depended_on=s["RUS"],
        captured_on=datetime(2026, 8, 15).date(),
    )
    Involvement.objects.get_or_create(captive=captive, state=s["UKR"], role="detaining_power")
    custody_event_record(
        acting_user=None,
        captive=captive,
        kind="interned",
        occurred_at=timezone.make_aware(datetime(2026, 9, 17, 9)),
    )
    wish_statement_record(
        acting_user=None,
        captive=captive,
        wish="return",
        stated_at=timezone.make_aware(datetime(2026, 10, 1, 9)),
        mode="private_interview",
        voluntariness="free",
    )
    custody_event_record(
        acting_user=None,
        captive=captive,
        kind="repatriated",
        occurred_at=timezone.make_aware(datetime(2026, 10, 22, 9)),
    )
    open_before = set(captive.obligations.active().filter(fulfilled_on__isnull=True))
    ukr = make_partner(client, "UKR bureau", state=s["UKR"], default_level="full")

    created = ukr.post(
        path(captive, "events"),
        {"kind": "hospitalized", "occurred_at": "2026-10-01T00:00:00Z", "place": "backdated test"},
    )
    timeline = ukr.get(path(captive, "events"))

    assert created.status_code == 201, created.content
    assert created.json()["custodian"]["code"] == "UKR"
    assert [(e["kind"], e["custodian"]["code"]) for e in timeline.json()["results"]] == [
        ("captured", "UKR"),
        ("interned", "UKR"),
        ("hospitalized", "UKR"),
        ("repatriated", "RUS"),
    ]
    captive.refresh_from_db()
    assert (captive.custody_status, captive.custodian.code) == ("repatriated", "RUS")
    assert not captive.obligations.filter(triggered_by_id=created.json()["id"]).exists()
    assert set(captive.obligations.active().filter(fulfilled_on__isnull=True)) == open_before
