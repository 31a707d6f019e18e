"""Every write about webhooks. A supervisor (in the admin, or `manage.py webhook_subscribe`)
manages any partner's endpoints; a partner manages its own through the API. The workers' side:
starting an endpoint's sender, recording each attempt and what follows from its answer."""

import base64
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Job, JobState
from jobs.services import job_enqueue
from partners.models import Partner
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import history_save
from powtracker.roles import acting_partner
from powtracker.steps import Step, step_require
from powtracker.writes import service
from webhooks.choices import WEBHOOK_CHANGE, WEBHOOK_REDELIVER, WEBHOOK_SUBSCRIBE
from webhooks.models import (
    DeliveryState,
    DisabledReason,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookRedelivery,
)
from webhooks.transport import Answer, url_check

# Each endpoint costs every change a look at what its partner may see: a partner has a few.
MAX_ENDPOINTS_PER_PARTNER = 10
# The longest a rotated-out secret may stay valid.
MAX_OVERLAP_HOURS = 7 * 24
# The longest wait a receiver's Retry-After may ask for.
MAX_RETRY_AFTER_SECONDS = 24 * 3600
SENDER_HANDLER = "webhooks.delivery.endpoint_send"


def secret_new() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def event_types_clean(event_types: Iterable[str]) -> str:
    """The event types as stored (sorted, space-separated; empty for all), or a refusal naming
    the unknown ones."""
    wanted = sorted({str(t).strip() for t in event_types if str(t).strip()})
    unknown = [t for t in wanted if t not in EventType.values]
    if unknown:
        raise RuleError(
            ErrorCode.INVALID,
            _("Unknown event types: %(types)s. Known: %(known)s."),
            {"types": ", ".join(unknown)[:200], "known": ", ".join(EventType.values)},
        )
    return " ".join(wanted)


def _manage_check(acting_user: Any, partner: Partner, step: Step) -> None:
    """A partner manages only its own endpoints (the API checks its scope); a person needs the
    step's permission (supervisors)."""
    acting = acting_partner(acting_user)
    if acting is not None:
        if acting.pk != partner.pk:
            raise RuleError(
                ErrorCode.PERMISSION_DENIED,
                _("A partner manages only its own webhook endpoints."),
            )
        return
    step_require(acting_user, step)


def _endpoint_limit_check(partner: Partner, *, besides: WebhookEndpoint | None = None) -> None:
    """Refuse one more endpoint receiving notifications (an active one, or one disabled only
    because its receiver failed, which still has them written) past the partner's limit:
    subscribing, and enabling one again, both ask."""
    receiving = WebhookEndpoint.objects.filter(
        Q(disabled_at__isnull=True) | Q(disabled_reason=DisabledReason.FAILING), partner=partner
    )
    if besides is not None:
        receiving = receiving.exclude(pk=besides.pk)
    if receiving.count() >= MAX_ENDPOINTS_PER_PARTNER:
        raise RuleError(
            ErrorCode.INVALID,
            _("A partner may have at most %(count)s active webhook endpoints."),
            {"count": MAX_ENDPOINTS_PER_PARTNER},
        )


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return (
        WebhookEndpoint.objects.select_for_update(of=("self",))
        .select_related("partner")
        .get(pk=endpoint.pk)
    )


@service
def webhook_subscribe(
    *,
    acting_user: Any,
    partner: Partner,
    url: str,
    event_types: Iterable[str] = (),
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint for `partner`; returns it and its secret, shown only this once."""
    _manage_check(acting_user, partner, WEBHOOK_SUBSCRIBE)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if not partner.is_active:
        raise RuleError(ErrorCode.PERMISSION_DENIED, _("This partner was revoked."))
    url_check(url)
    _endpoint_limit_check(partner)
    endpoint = WebhookEndpoint(
        partner=partner,
        url=url,
        event_types=event_types_clean(event_types),
        description=description.strip()[:200],
        secret=secret_new(),
    )
    endpoint.full_clean()
    history_save(endpoint, acting_user=acting_user, reason="Subscribed")
    return endpoint, endpoint.secret


@service
def webhook_endpoint_change(
    *,
    acting_user: Any,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint's URL, event types or description, or disable or enable it. An
    endpoint a supervisor disabled is enabled again only by a supervisor."""
    _manage_check(acting_user, endpoint.partner, WEBHOOK_CHANGE)
    locked = _lock(endpoint)
    fields: list[str] = []
    said: list[str] = []
    if url is not None and url != locked.url:
        url_check(url)
        locked.url = url
        fields.append("url")
        said.append("URL changed")
    if event_types is not None:
        cleaned = event_types_clean(event_types)
        if cleaned != locked.event_types:
            locked.event_types = cleaned
            fields.append("event_types")
            said.append(f"event types: {cleaned or 'all'}")
    if description is not None and description.strip()[:200] != locked.description:
        locked.description = description.strip()[:200]
        fields.append("description")
        said.append("description changed")
    by_partner = acting_partner(acting_user) is not None
    if enabled is True and locked.disabled_at is not None:
        if by_partner and locked.disabled_reason == DisabledReason.SUPERVISOR:
            raise RuleError(
                ErrorCode.PERMISSION_DENIED,
                _("The bureau disabled this endpoint; only the bureau may enable it again."),
            )
        Partner.objects.select_for_update().get(pk=locked.partner_id)
        _endpoint_limit_check(locked.partner, besides=locked)
        locked.disabled_at = None
        locked.disabled_reason = ""
        fields += ["disabled_at", "disabled_reason"]
        said.append("enabled")
        # Its oldest pending notification is tried again now.
        head = _head(locked.pk)
        if head is not None:
            WebhookDelivery.objects.filter(pk=head.pk).update(next_attempt_at=timezone.now())
    elif enabled is False and (
        locked.disabled_at is None
        or locked.disabled_reason in (DisabledReason.GONE, DisabledReason.FAILING)
    ):
        # Disabling one the workers disabled says it stays so (supervisors are told no more).
        locked.disabled_at = locked.disabled_at or timezone.now()
        locked.disabled_reason = DisabledReason.PARTNER if by_partner else DisabledReason.SUPERVISOR
        fields += ["disabled_at", "disabled_reason"]
        said.append("disabled")
    if not fields:
        return locked
    locked.full_clean()
    history_save(
        locked,
        acting_user=acting_user,
        reason="; ".join(said)[:1].upper() + "; ".join(said)[1:],
        update_fields=[*fields, "updated_at"],
    )
    return locked


@service
def webhook_secret_rotate(
    *, acting_user: Any, endpoint: WebhookEndpoint, overlap_hours: int | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new secret; the one it replaces stays valid for `overlap_hours` (both signatures are
    sent meanwhile). Returns the endpoint and the new secret, shown only this once."""
    _manage_check(acting_user, endpoint.partner, WEBHOOK_CHANGE)
    hours = settings.WEBHOOK_SECRET_OVERLAP_HOURS if overlap_hours is None else overlap_hours
    if not 0 <= hours <= MAX_OVERLAP_HOURS:
        raise RuleError(
            ErrorCode.INVALID,
            _("The overlap is from 0 to %(max)s hours."),
            {"max": MAX_OVERLAP_HOURS},
        )
    locked = _lock(endpoint)
    now = timezone.now()
    if locked.previous_secret_until is not None and locked.previous_secret_until > now:
        # A second rotation would end the first one's overlap at once: a receiver still holding
        # the oldest secret (or a client that retried, or a double submit) would stop verifying.
        raise RuleError(
            ErrorCode.ROTATION_IN_PROGRESS,
            _(
                "The secret was rotated already; the one it replaced is valid until "
                "%(until)s. Rotate again after that, or put the newest secret in the receiver."
            ),
            {"until": locked.previous_secret_until.strftime("%Y-%m-%d %H:%M UTC")},
        )
    locked.previous_secret = locked.secret if hours else ""
    locked.previous_secret_until = now + timedelta(hours=hours) if hours else None
    locked.secret = secret_new()
    history_save(
        locked,
        acting_user=acting_user,
        reason=f"Secret rotated; the previous one is valid for {hours} more hours",
        update_fields=["secret", "previous_secret", "previous_secret_until", "updated_at"],
    )
    return locked, locked.secret


@service
def webhook_redeliver(*, acting_user: Any, delivery: WebhookDelivery) -> WebhookDelivery:
    """Deliver a notification again, with its `webhook-id`, now and on the retry schedule
    again (supervisors). Its endpoint's notifications stay in order: the ones after it wait."""
    step_require(acting_user, WEBHOOK_REDELIVER)
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    locked.state = DeliveryState.PENDING
    locked.retries_from = locked.attempts
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["state", "retries_from", "next_attempt_at"])
    WebhookRedelivery.objects.create(delivery=locked, asked_by=acting_user)
    return locked


# --- the workers' side ------------------------------------------------------------------------


def _head(endpoint_id: int) -> WebhookDelivery | None:
    """An endpoint's oldest pending notification: the one sent next (in order), whose next
    attempt's time says whether the endpoint may be sent to now."""
    return (
        WebhookDelivery.objects.filter(endpoint_id=endpoint_id, state=DeliveryState.PENDING)
        .order_by("id")
        .first()
    )


def endpoints_due(now: Any = None) -> list[int]:
    """Endpoints whose oldest pending notification is due, with no sender queued or running."""
    now = now or timezone.now()
    head_due = Subquery(
        WebhookDelivery.objects.filter(endpoint=OuterRef("pk"), state=DeliveryState.PENDING)
        .order_by("id")
        .values("next_attempt_at")[:1]
    )
    return list(
        WebhookEndpoint.objects.annotate(head_due=head_due)
        .filter(
            head_due__lte=now,
            disabled_at__isnull=True,
            partner__revoked_at__isnull=True,
        )
        .exclude(sender__state__in=[JobState.QUEUED, JobState.RUNNING])
        .values_list("pk", flat=True)
    )


@service
def webhook_sender_start(endpoint_id: int) -> Job | None:
    """Queue the job that sends an endpoint's notifications, unless one is queued or running
    (one sender at a time keeps them in order). Several workers may try at once: the endpoint's
    row lock lets one through."""
    endpoint = (
        WebhookEndpoint.objects.select_for_update(skip_locked=True)
        .filter(pk=endpoint_id, disabled_at__isnull=True)
        .first()
    )
    if endpoint is None:
        return None
    if (
        endpoint.sender_id is not None
        and Job.objects.filter(
            pk=endpoint.sender_id, state__in=[JobState.QUEUED, JobState.RUNNING]
        ).exists()
    ):
        return None
    job = job_enqueue(
        handler=SENDER_HANDLER,
        label=f"Webhook notifications to endpoint {endpoint.public_id}",
        max_attempts=3,
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(sender=job)
    return job


def webhooks_dispatch() -> int:
    """The workers' upkeep, every second: a sender for each endpoint with something due."""
    return sum(webhook_sender_start(pk) is not None for pk in endpoints_due())


@service
def webhook_sender_done(endpoint_id: int, job: Job) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint_id, sender=job).update(sender=None)


def _retry_delay(round_attempts: int, answer: Answer) -> timedelta | None:
    """The wait before the next attempt, or None when the schedule is spent."""
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    if round_attempts > len(schedule):
        return None
    seconds = float(schedule[round_attempts - 1])
    if answer.retry_after is not None:
        seconds = max(seconds, min(answer.retry_after, MAX_RETRY_AFTER_SECONDS))
    return timedelta(seconds=seconds)


def _disable(endpoint: WebhookEndpoint, reason: str, why: str) -> None:
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason
    history_save(
        endpoint,
        acting_user=None,
        reason=why,
        update_fields=["disabled_at", "disabled_reason", "updated_at"],
    )


@service
def webhook_attempt_record(
    delivery: WebhookDelivery, answer: Answer, *, started_at: Any, worker: str = ""
) -> bool:
    """Record an attempt and act on its answer: delivered; or tried again on the schedule
    (honouring Retry-After), its endpoint paused meanwhile; or, on a 410 or when the schedule is
    spent, its endpoint disabled. Returns whether the sender may go on to the next."""
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=locked.endpoint_id)
    now = timezone.now()
    locked.attempts += 1
    WebhookAttempt.objects.create(
        delivery=locked,
        number=locked.attempts,
        started_at=started_at,
        duration_ms=answer.duration_ms,
        status=answer.status,
        excerpt=answer.excerpt,
        error_code=answer.error_code,
        error=answer.error[:300],
        address=answer.address[:64],
        worker=worker[:64],
    )
    locked.last_status = answer.status
    locked.last_error = (answer.error_code + (f": {answer.error}" if answer.error else ""))[:300]
    fields = ["attempts", "last_status", "last_error"]
    if locked.state != DeliveryState.PENDING:
        # Delivered meanwhile by another attempt (a sender thought dead): nothing more to do.
        locked.save(update_fields=fields)
        return True
    if answer.ok:
        locked.state = DeliveryState.DELIVERED
        locked.delivered_at = now
        locked.save(update_fields=[*fields, "state", "delivered_at"])
        return True
    if answer.status == 410:
        locked.save(update_fields=fields)
        if endpoint.disabled_at is None:
            _disable(endpoint, DisabledReason.GONE, "Disabled: the receiver answered 410 Gone")
        return False
    delay = _retry_delay(locked.attempts - locked.retries_from, answer)
    if delay is None:
        locked.state = DeliveryState.FAILED
        locked.next_attempt_at = None
        locked.save(update_fields=[*fields, "state", "next_attempt_at"])
        if endpoint.disabled_at is None:
            _disable(
                endpoint,
                DisabledReason.FAILING,
                "Disabled: every attempt of the retry schedule failed",
            )
        return False
    # It stays the oldest pending one: its endpoint waits for it (webhooks.delivery.next_due).
    locked.next_attempt_at = now + delay
    locked.save(update_fields=[*fields, "next_attempt_at"])
    return False
