"""Non-interference (rule 4): what the power a captive depends on, and its ally, receive may not
depend on anything hidden from them.

Two worlds share everything but hidden facts — a `defect` statement, a `remain` statement, KOR's
contact about the soldiers, KOR's transfer request and KOR's offer to receive him. The same
scripted crawl of every partner endpoint (lists, filters, search, ordering, pages, detail,
nested, history, ETag/If-Match, `updated_since`, and writes that must be refused) is replayed as
the PRK and the RUS partner in each world, with every step at a pinned time. Every response —
status, headers and body bytes — must be identical.

So must their webhooks: each has an endpoint receiving every event type, and what each world
writes for it is delivered to a real receiver on loopback. The notifications (event types, bodies,
count and order) and the requests that carry them must be identical, but for the `webhook-id`,
which is random, and the signature that depends on it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from cases import services as case_services
from cases.choices import CustodyEventKind, InvolvementRole, Voluntariness, Wish, WishMode
from cases.models import WishStatement
from diplomacy import services as diplomacy_services
from diplomacy.choices import ContactChannel
from diplomacy.models import DiplomaticContact, TransferRequest
from tests.partners.api.conftest import Api
from tests.webhooks.receiver import Receiver, receiving
from webhooks.delivery import endpoint_deliver_due
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_subscribe

pytestmark = pytest.mark.django_db


@contextmanager
def ids_kept() -> Iterator[None]:
    """Undo everything done inside, ids included: a world's hidden rows must not shift the ids
    of rows the next world creates (SQLite's sequences roll back; PostgreSQL's do not)."""
    sequences: list[tuple[str, int | None]] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value "
                "FROM pg_sequences"
            )
            sequences = cursor.fetchall()
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)
        with connection.cursor() as cursor:
            for name, last_value in sequences:
                if last_value is None:
                    cursor.execute("SELECT setval(%s, 1, false)", [name])
                else:
                    cursor.execute("SELECT setval(%s, %s, true)", [name, last_value])


def hidden_facts(world: dict[str, Any], supervisor: Any) -> list[Callable[[], Any]]:
    """What only the bureau and KOR may know, one step a minute."""
    s, first, second = world["states"], world["first"], world["second"]

    def statement(captive: Any, wish: str, destination: Any = None) -> Callable[[], Any]:
        return lambda: case_services.wish_statement_record(
            acting_user=supervisor,
            captive=captive,
            wish=wish,
            destination=destination,
            stated_at=timezone.now() - timedelta(seconds=10),
            mode=WishMode.PRIVATE_INTERVIEW,
            statement="Said in a private interview.",
            voluntariness=Voluntariness.FREE,
        )

    def contact() -> None:
        diplomacy_services.diplomatic_contact_record(
            acting_user=supervisor,
            from_state=s["KOR"],
            to_state=s["UKR"],
            channel=ContactChannel.NOTE_VERBALE,
            occurred_on=timezone.localdate(),
            summary="Seoul will receive him.",
            captives=[second],
        )

    def offer_reason() -> None:
        offer = world["proposal"].offered_captives.get(captive=second)
        diplomacy_services.exchange_offer_set_inclusion(
            acting_user=supervisor,
            offer=offer,
            inclusion_status=offer.inclusion_status,
            reason="Says he wants to go to Seoul.",
        )

    return [
        statement(second, Wish.DEFECT, s["KOR"]),
        statement(first, Wish.REMAIN),
        contact,
        lambda: diplomacy_services.transfer_request_create(
            acting_user=supervisor, captive=second, requesting_state=s["KOR"], basis="Defector"
        ),
        lambda: case_services.involvement_record(
            acting_user=supervisor,
            captive=first,
            state=s["CUB"],
            role=InvolvementRole.RECEIVING_STATE,
        ),
        # What only the bureau writes down: notes, and why a man stays on a list.
        lambda: case_services.captive_update(
            acting_user=supervisor, captive=second, notes="Fears for his family."
        ),
        lambda: diplomacy_services.exchange_proposal_update(
            acting_user=supervisor, proposal=world["proposal"], notes="KOR asks for him."
        ),
        offer_reason,
    ]


def next_ids() -> dict[str, int]:
    """The ids the hidden rows will take, so both worlds probe the same addresses."""

    def following(model: Any) -> int:
        return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    return {
        "wish": following(WishStatement),
        "contact": following(DiplomaticContact),
        "transfer": following(TransferRequest),
    }


def crawl(api: Api, world: dict[str, Any], ids: dict[str, int], stale_etag: str) -> list[Any]:
    """Every endpoint a partner may call, in a fixed order; each answer as bytes."""
    first, second = world["first"].pk, world["second"].pk
    since = (world["t0"] + timedelta(seconds=30)).isoformat()
    reads: list[tuple[str, dict[str, Any]]] = [("/api/v1/captives/", {})]
    for params in [
        {"effective_wish": "defect"},
        {"effective_wish": "remain"},
        {"effective_wish": "return"},
        {"updated_since": since},
        {"ordering": "updated_at"},
        {"ordering": "-updated_at"},
        {"ordering": "-family_name"},
        {"search": "Ri"},
        {"search": "Pak"},
        {"custody_status": "interned"},
        {"captured_after": "2025-01-01"},
        {"page_size": 1, "page": 2},
    ]:
        reads.append(("/api/v1/captives/", params))
    for pk in [first, second]:
        reads.append((f"/api/v1/captives/{pk}/", {}))
        for nested in ["events", "wishes", "involvements", "media", "obligations", "history"]:
            reads.append((f"/api/v1/captives/{pk}/{nested}/", {}))
        for wish_id in range(ids["wish"] - 2, ids["wish"] + 2):
            reads.append((f"/api/v1/captives/{pk}/wishes/{wish_id}/", {}))
    reads += [
        ("/api/v1/exchange-proposals/", {}),
        (f"/api/v1/exchange-proposals/{world['proposal'].pk}/", {}),
        ("/api/v1/diplomatic-contacts/", {}),
        (f"/api/v1/diplomatic-contacts/{ids['contact']}/", {}),
        ("/api/v1/transfer-requests/", {}),
        ("/api/v1/transfer-requests/", {"ordering": "-updated_at"}),
        (f"/api/v1/transfer-requests/{ids['transfer'] - 1}/", {}),
        (f"/api/v1/transfer-requests/{ids['transfer']}/", {}),
        ("/api/v1/states/", {}),
        ("/api/v1/statistics/", {}),
    ]
    answers = [answer(api.get(path, **params)) for path, params in reads]
    # Writes: a wish recorded or voided by his own power is refused alike; a correction based on
    # the version read before the hidden facts still matches, and the next one based on what
    # was just read matches too.
    wish = {"wish": "return", "stated_at": timezone.now().isoformat(), "mode": "written_request"}
    answers.append(answer(api.post(f"/api/v1/captives/{second}/wishes/", wish)))
    answers.append(
        answer(api.post(f"/api/v1/captives/{second}/wishes/{ids['wish']}/void/", {"reason": "x"}))
    )
    patched = api.patch(
        f"/api/v1/captives/{second}/", {"rank": "Sergeant"}, headers={"If-Match": stale_etag}
    )
    answers.append(answer(patched))
    if patched.status_code == 200:
        again = api.patch(
            f"/api/v1/captives/{second}/",
            {"rank": "Private"},
            headers={"If-Match": patched["ETag"]},
        )
        answers.append(answer(again))
    answers.append(answer(api.get(f"/api/v1/captives/{second}/history/")))
    event = {"kind": "hospitalized", "occurred_at": timezone.now().isoformat(), "place": "Kyiv"}
    answers.append(answer(api.post(f"/api/v1/captives/{first}/events/", event)))
    # Handovers and the end of a case: refused alike, whatever he wished (the gate's reasons
    # would name his wishes, and a success would tell that he consented).
    for pk in [first, second]:
        for kind, custodian in [("repatriated", None), ("exchanged", "PRK"), ("released", None)]:
            handover = {"kind": kind, "occurred_at": timezone.now().isoformat()}
            if custodian:
                handover["custodian"] = custodian
            answers.append(answer(api.post(f"/api/v1/captives/{pk}/events/", handover)))
    answers.append(answer(api.options(f"/api/v1/captives/{first}/")))
    # Steps: the proposal's belong to UKR; RUS withdraws its own transfer request.
    proposal = f"/api/v1/exchange-proposals/{world['proposal'].pk}/"
    answers.append(
        answer(
            api.post(
                f"{proposal}withdraw/",
                headers={"If-Match": api.get(proposal).get("ETag", '"none"')},
            )
        )
    )
    for transfer in range(ids["transfer"] - 1, ids["transfer"] + 1):
        read = api.get(f"/api/v1/transfer-requests/{transfer}/")
        etag = read.get("ETag", '"none"')
        withdrawn = api.post(
            f"/api/v1/transfer-requests/{transfer}/withdraw/", headers={"If-Match": etag}
        )
        answers.append(answer(withdrawn))
    answers.append(answer(api.get("/api/v1/states/KOR/")))
    return answers


def answer(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, sorted(response.items()), response.content


# What may differ between two deliveries of the same notification: its random id, and the
# signature over it.
PER_MESSAGE = {"webhook-id", "webhook-signature"}


def delivered(endpoint: Any, receiver: Receiver) -> list[Any]:
    """What the endpoint was sent in this world: each notification written for it, in order,
    and each request its receiver got (path, headers but the per-message ones, body)."""
    written = [
        (d.event_type, d.subject, d.subject_id, d.version, bytes(d.payload))
        for d in WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id")
    ]
    receiver.requests.clear()
    endpoint_deliver_due(endpoint)
    received = [
        (
            r.path,
            sorted((k, v) for k, v in r.fields.items() if k not in PER_MESSAGE),
            r.body,
        )
        for r in receiver.requests
    ]
    return [written, received]


def replay(world, partners, supervisor, *, hidden: bool) -> dict[str, list[Any]]:
    """Build one world on the shared base at pinned times, crawl it, and undo it."""
    prk, rus = partners["power_depended_on"], partners["ally"]
    second = f"/api/v1/captives/{world['second'].pk}/"
    stale = {name: api.get(second)["ETag"] for name, api in [("PRK", prk), ("RUS", rus)]}
    ids = next_ids()
    with ids_kept(), freeze_time(world["t0"]) as clock:
        for minute, step in enumerate(hidden_facts(world, supervisor), start=1):
            clock.move_to(world["t0"] + timedelta(minutes=minute))
            if hidden:
                step()
        clock.move_to(world["t0"] + timedelta(minutes=10))
        case_services.custody_event_record(
            acting_user=supervisor,
            captive=world["first"],
            kind=CustodyEventKind.INTERNED,
            occurred_at=timezone.now() - timedelta(seconds=5),
            place="Camp 1",
        )
        clock.move_to(world["t0"] + timedelta(minutes=11))
        results = {}
        for name, api in [("PRK", prk), ("RUS", rus)]:
            # Each partner reads its own fresh copy of the world.
            with ids_kept():
                results[name] = crawl(api, world, ids, stale[name])
            endpoint, receiver = world["webhooks"][name]
            with ids_kept():
                results[f"{name} webhooks"] = delivered(endpoint, receiver)
        return results


def test_his_power_and_its_ally_receive_the_same_bytes_whatever_is_hidden(
    world, partners, supervisor, settings
):
    # Their receivers listen on loopback, over http.
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    s = world["states"]
    # Visible to RUS in both worlds: its own request, which must not vanish from its list.
    diplomacy_services.transfer_request_create(
        acting_user=supervisor, captive=world["first"], requesting_state=s["RUS"], basis="Ally"
    )
    world["t0"] = timezone.now().replace(microsecond=0) + timedelta(minutes=5)

    with receiving() as prk_receiver, receiving() as rus_receiver:
        world["webhooks"] = {
            name: (
                webhook_subscribe(acting_user=supervisor, partner=api.partner, url=receiver.url)[0],
                receiver,
            )
            for name, api, receiver in [
                ("PRK", partners["power_depended_on"], prk_receiver),
                ("RUS", partners["ally"], rus_receiver),
            ]
        }
        with_hidden = replay(world, partners, supervisor, hidden=True)
        without = replay(world, partners, supervisor, hidden=False)

    for name in ["PRK", "RUS", "PRK webhooks", "RUS webhooks"]:
        assert len(with_hidden[name]) == len(without[name])
        for seen, unseen in zip(with_hidden[name], without[name], strict=True):
            assert seen == unseen, name
    # The webhooks really told something: the custody event, to each, once, delivered.
    for name in ["PRK webhooks", "RUS webhooks"]:
        written, received = without[name]
        assert [(event_type, subject) for event_type, subject, *_ in written] == [
            ("captive.changed", "captive")
        ], name
        assert [body for _path, _headers, body in received] == [written[0][-1]]
    # The crawl really read something: both soldiers, the proposal and RUS's own request.
    statuses = [status for status, _, _ in without["RUS"]]
    assert statuses.count(200) > 20
    transfers = next(body for status, _, body in without["RUS"] if b'"basis"' in body)
    assert b"Ally" in transfers


def test_the_hidden_facts_are_real_to_those_who_may_see_them(world, partners, supervisor, settings):
    """The same facts do reach KOR: the test above hides something, not nothing."""
    kor = partners["receiving_state"]
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    endpoint, _secret = webhook_subscribe(
        acting_user=supervisor, partner=kor.partner, url="https://127.0.0.1:9/hook"
    )
    world["t0"] = timezone.now().replace(microsecond=0) + timedelta(minutes=5)
    with freeze_time(world["t0"]) as clock:
        for minute, step in enumerate(hidden_facts(world, supervisor), start=1):
            clock.move_to(world["t0"] + timedelta(minutes=minute))
            step()
        second = kor.get(f"/api/v1/captives/{world['second'].pk}/").json()
        first = kor.get(f"/api/v1/captives/{world['first'].pk}/").json()
        contacts = kor.get("/api/v1/diplomatic-contacts/").json()["count"]
        transfers = kor.get("/api/v1/transfer-requests/").json()["count"]

    assert second["effective_wish"] == "defect"
    assert first["effective_wish"] == "remain"
    assert contacts == 2
    assert transfers == 1
    # KOR's webhooks tell it of them: each wish, the contact, the transfer request.
    told = list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .order_by("id")
        .values_list("event_type", "subject_id")
    )
    assert told[:4] == [
        ("captive.changed", world["second"].pk),
        ("captive.changed", world["first"].pk),
        ("contact.created", ids_seen(told, "contact.created")),
        ("transfer_request.changed", ids_seen(told, "transfer_request.changed")),
    ]


def ids_seen(told: list[Any], event_type: str) -> int:
    return next(subject_id for kind, subject_id in told if kind == event_type)


def test_a_captives_version_for_his_power_moves_with_what_it_sees(world, partners):
    """The ETag PRK reads is not frozen for ever: a change it can see gives a new version."""
    prk = partners["power_depended_on"]
    path = f"/api/v1/captives/{world['first'].pk}/"
    before = prk.get(path)
    case_services.captive_update(acting_user=None, captive=world["first"], rank="Corporal")
    after = prk.get(path)

    assert before["ETag"] != after["ETag"]
    assert after.json()["updated_at"] > before.json()["updated_at"]
    assert after.json()["rank"] == "Corporal"
