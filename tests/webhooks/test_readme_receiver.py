"""The receiver the README shows (the fenced block after `<!-- receiver example -->`), served
as it is written on 127.0.0.1 and sent real deliveries: it verifies and handles a notification
a real change wrote, handles a repeat once, survives a rotation within its overlap, and refuses
a body, a signature or a timestamp that is not the one signed."""

import http.client
import json
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.utils import timezone
from freezegun import freeze_time

from cases.services import captive_update
from tests.webhooks.conftest import subscribe
from webhooks.delivery import endpoint_deliver_due, signature_headers
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from webhooks.services import secret_new, webhook_redeliver, webhook_secret_rotate

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"
MARK = "<!-- receiver example -->"


def readme_receiver() -> str:
    """The code of the README's receiver: the fenced Python block right after its mark."""
    lines = README.read_text().splitlines()
    start = lines.index(MARK) + 1
    assert lines[start] == "```python", "the receiver example is a ```python block after its mark"
    end = lines.index("```", start + 1)
    return "\n".join(lines[start + 1 : end]) + "\n"


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serving() -> Iterator[WSGIServer]:
    """A WSGI server on 127.0.0.1, its application set once the receiver is loaded."""
    server = make_server("127.0.0.1", 0, lambda environ, start: [], handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def load_receiver(secret: str, monkeypatch: Any) -> tuple[types.ModuleType, list[Any]]:
    """The README's receiver as a module, holding `secret`; its `handle` still runs, and each
    event it is given is also kept."""
    monkeypatch.setenv("POWTRACKER_WEBHOOK_SECRET", secret)
    module = types.ModuleType("receiver")
    exec(compile(readme_receiver(), f"{README}: receiver example", "exec"), module.__dict__)  # noqa: S102
    handled: list[Any] = []
    readme_handle = module.handle

    def handle(event: Any) -> None:
        handled.append(event)
        readme_handle(event)

    module.handle = handle
    return module, handled


def post(port: int, body: bytes, headers: dict[str, str]) -> int:
    """Post straight to the receiver (no sender): its answer's status."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(
            "POST", "/powtracker", body, {**headers, "Content-Type": "application/json"}
        )
        return connection.getresponse().status
    finally:
        connection.close()


def test_the_readme_receiver_verifies_and_handles_real_deliveries_once(
    world, supervisor, monkeypatch
):
    pak = world["first"]
    with serving() as server:
        port = server.server_address[1]
        url = f"http://127.0.0.1:{port}/powtracker"
        endpoint, secret = subscribe(supervisor, world["apis"]["UKR"], url, "captive.changed")
        receiver, handled = load_receiver(secret, monkeypatch)
        server.set_app(receiver.app)

        # A real change, delivered by the sender: verified, handled, answered 204.
        captive_update(acting_user=None, captive=pak, rank="Sergeant")
        assert endpoint_deliver_due(endpoint) == 1
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert (delivery.state, delivery.last_status) == (DeliveryState.DELIVERED, 204)
        assert handled == [json.loads(bytes(delivery.payload))]
        assert handled[0]["data"]["url"].endswith(f"/api/v1/captives/{pak.pk}/")

        # Delivered again (same webhook-id): answered 204, not handled twice.
        webhook_redeliver(acting_user=supervisor, delivery=delivery)
        assert endpoint_deliver_due(endpoint) == 1
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.last_status) == (2, 204)
        assert len(handled) == 1

        # Rotated with an overlap: the old secret still signs beside the new one.
        endpoint, _new = webhook_secret_rotate(
            acting_user=supervisor, endpoint=endpoint, overlap_hours=1
        )
        captive_update(acting_user=None, captive=pak, rank="Lieutenant")
        assert endpoint_deliver_due(endpoint) == 1
        assert len(handled) == 2 and handled[1]["type"] == "captive.changed"

        # What was not signed so is refused (400), and nothing is handled.
        latest = WebhookDelivery.objects.filter(endpoint=endpoint).latest("id")
        body = bytes(latest.payload)
        now = timezone.now()
        stranger = WebhookEndpoint(secret=secret_new())
        forged = {
            "another body": (body.replace(b'"data":{"id":', b'"data":{"id":9'), now, endpoint),
            "another secret": (body, now, stranger),
            "ten minutes old": (body, now - timedelta(minutes=10), endpoint),
        }
        assert forged["another body"][0] != body
        for case, (sent, at, signer) in forged.items():
            headers = signature_headers(signer, latest, at)
            assert post(port, sent, headers) == 400, case
        assert post(port, body, {}) == 400
        assert len(handled) == 2
        # The genuine headers with the genuine body: accepted, and a repeat (already handled).
        assert post(port, body, signature_headers(endpoint, latest, now)) == 204
        assert len(handled) == 2

        # Once that overlap is over, rotated with none: the receiver, still holding the old
        # secret, refuses what only the new one signs, and the notification waits for its next
        # attempt.
        with freeze_time(timezone.now() + timedelta(hours=1, minutes=1)):
            endpoint, _newer = webhook_secret_rotate(
                acting_user=supervisor, endpoint=endpoint, overlap_hours=0
            )
            captive_update(acting_user=None, captive=pak, rank="Captain")
            assert endpoint_deliver_due(endpoint) == 1
        refused = WebhookDelivery.objects.filter(endpoint=endpoint).latest("id")
        assert (refused.state, refused.last_status) == (DeliveryState.PENDING, 400)
        assert len(handled) == 2
