"""Delivering an endpoint's notifications: the job each worker runs for one endpoint at a time.

The sender takes the endpoint's oldest pending notification, signs it (Standard Webhooks: the
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers, one `v1,` signature per valid
secret), posts it (webhooks.transport), records the attempt, and goes on while the receiver says
2xx, for at most SENDER_SECONDS; then it ends, and the workers' upkeep starts another sender
when something is due. A failure stops it: the notification waits for its next attempt on the
retry schedule, and the ones after it wait behind it (in order, per endpoint). Other endpoints
have senders of their own, so a failing receiver holds back only itself.

At least once: the attempt is recorded after the receiver answered. A worker killed in between
loses its lease; the job is handed back and the next attempt sends the same notification again,
with the same `webhook-id`, for the receiver to drop.
"""

from datetime import datetime
from time import monotonic

from django.utils import timezone
from standardwebhooks import Webhook

from jobs.services import JobRun
from webhooks import transport
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_attempt_record, webhook_sender_done

# How long one sender job goes on before it hands over (other endpoints wait for a worker).
SENDER_SECONDS = 10.0


def signature_headers(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, at: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: signed with the endpoint's secret, and
    with the one a rotation replaced while it is still valid."""
    secrets = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and endpoint.previous_secret_until > at
    ):
        secrets.append(endpoint.previous_secret)
    payload = bytes(delivery.payload)
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(
            Webhook(secret).sign(delivery.message_id, at, payload) for secret in secrets
        ),
    }


def deliver_once(endpoint: WebhookEndpoint, delivery: WebhookDelivery, *, worker: str = "") -> bool:
    """One attempt at one notification, recorded; whether the sender may go on."""
    at = timezone.now()
    answer = transport.post(
        endpoint.url, bytes(delivery.payload), signature_headers(endpoint, delivery, at)
    )
    return webhook_attempt_record(delivery, answer, started_at=at, worker=worker)


def next_due(endpoint: WebhookEndpoint) -> WebhookDelivery | None:
    """The endpoint's oldest pending notification, if it is due and the endpoint may be sent to
    (enabled, its partner not revoked), with the endpoint as it is now (its URL, its secrets):
    one query. While it waits for its next attempt, the ones after it wait too (in order)."""
    head = (
        WebhookDelivery.objects.filter(
            endpoint_id=endpoint.pk,
            state=DeliveryState.PENDING,
            endpoint__disabled_at__isnull=True,
            endpoint__partner__revoked_at__isnull=True,
        )
        .select_related("endpoint")
        .order_by("id")
        .first()
    )
    if head is None or head.next_attempt_at is None or head.next_attempt_at > timezone.now():
        return None
    return head


def endpoint_send(run: JobRun) -> None:
    """The job handler (see the module)."""
    endpoint = WebhookEndpoint.objects.filter(sender_id=run.job.pk).first()
    if endpoint is None:
        return
    started = monotonic()
    sent = 0
    while monotonic() - started < SENDER_SECONDS:
        delivery = next_due(endpoint)
        if delivery is None:
            break
        went_on = deliver_once(delivery.endpoint, delivery, worker=run.job.worker_id)
        sent += 1
        run.heartbeat(progress=sent)
        if not went_on:
            break
    run.finish(lambda: webhook_sender_done(endpoint.pk, run.job))


def endpoint_deliver_due(endpoint: WebhookEndpoint) -> int:
    """Deliver what is due to one endpoint here and now, without a worker (tests, and the
    benchmark's single-process runs); returns how many attempts were made."""
    attempts = 0
    while (delivery := next_due(endpoint)) is not None:
        attempts += 1
        if not deliver_once(delivery.endpoint, delivery):
            break
    return attempts
