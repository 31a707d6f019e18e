"""Webhook endpoints, the notifications written for them (the outbox), and each attempt to
deliver one. Kept forever, like every record here: an endpoint is disabled, never deleted."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel


class EventType(models.TextChoices):
    CAPTIVE_REGISTERED = "captive.registered", _("a captive registered")
    CAPTIVE_CHANGED = "captive.changed", _("a captive changed")
    PROPOSAL_CHANGED = "proposal.changed", _("an exchange proposal changed")
    TRANSFER_REQUEST_CHANGED = "transfer_request.changed", _("a transfer request changed")
    CONTACT_CREATED = "contact.created", _("a diplomatic contact recorded")
    EXPORT_READY = "export.ready", _("an export ready to download")


class DisabledReason(models.TextChoices):
    GONE = "gone", _("the receiver answered 410 Gone")
    FAILING = "failing", _("every attempt of the retry schedule failed")
    PARTNER = "partner", _("disabled by the partner")
    SUPERVISOR = "supervisor", _("disabled by a supervisor")


class WebhookEndpoint(PermanentModel):
    """Where a partner is told of changes it may see: a URL, the event types it wants (every
    type when none are named), and the secret its deliveries are signed with."""

    public_id = models.UUIDField(_("endpoint id"), default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
        verbose_name=_("partner"),
    )
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.CharField(
        _("event types"),
        max_length=300,
        blank=True,
        help_text=_("Space-separated; empty for every event type."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The secret deliveries are signed with (`whsec_…`), shown once; and the one a rotation
    # replaced, still signing beside it until `previous_secret_until`.
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    previous_secret = models.CharField(
        _("previous secret"), max_length=100, blank=True, editable=False
    )
    previous_secret_until = models.DateTimeField(
        _("previous secret valid until"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("why disabled"),
        max_length=16,
        choices=DisabledReason.choices,
        blank=True,
        editable=False,
    )
    # The job sending its deliveries now (queued or running), if any: one at a time, in order.
    sender = models.ForeignKey(
        "jobs.Job",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("sender job"),
    )

    history = HistoricalRecords(excluded_fields=["secret", "previous_secret", "sender"])

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["partner", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(disabled_at__isnull=True) | ~Q(disabled_reason=""),
                name="webhooks_endpoint_disabled_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(partner)s → %(url)s") % {"partner": self.partner, "url": self.url}

    @property
    def event_type_set(self) -> frozenset[str]:
        return frozenset(self.event_types.split())

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_type_set

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(PermanentModel):
    """One notification for one endpoint: written in the transaction of the change it tells of
    (the outbox), then delivered at least once, in order for its endpoint. `message_id` is its
    `webhook-id`, the same on every attempt, so the receiver can drop repeats; it is random, so
    it tells nothing of how many notifications others received."""

    message_id = models.CharField(_("message id"), max_length=40, unique=True, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event_type = models.CharField(_("event type"), max_length=40, choices=EventType.choices)
    # The record it tells of, and the version of it the partner would read (its ETag).
    subject = models.CharField(_("record kind"), max_length=40)
    subject_id = models.BigIntegerField(_("record id"))
    version = models.CharField(_("version"), max_length=80)
    # The body as it is sent on every attempt, byte for byte.
    payload = models.BinaryField(_("payload"))
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The attempts made before a supervisor last asked for it again: the retry schedule counts
    # from there.
    retries_from = models.PositiveSmallIntegerField(_("attempts before redelivery"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        permissions = [("redeliver_webhookdelivery", _("Can deliver a notification again"))]
        indexes = [
            # The sender's queue: an endpoint's pending notifications, oldest first.
            models.Index(
                fields=["endpoint", "id"],
                name="webhooks_delivery_queue_idx",
                condition=Q(state="pending"),
            ),
            # The version each endpoint was last told of a record.
            models.Index(
                fields=["endpoint", "subject", "subject_id", "id"],
                name="webhooks_delivery_told_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class WebhookAttempt(PermanentModel):
    """One attempt to deliver a notification: when, what came back, how long it took."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.PROTECT,
        related_name="attempt_records",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"))
    status = models.PositiveSmallIntegerField(_("answer's status"), null=True, blank=True)
    excerpt = models.BinaryField(_("answer's first bytes"), blank=True, default=b"")
    error_code = models.CharField(_("error code"), max_length=32, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    address = models.CharField(_("address"), max_length=64, blank=True)
    worker = models.CharField(_("worker"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"{self.delivery} #{self.number}"


class WebhookRedelivery(PermanentModel):
    """A supervisor asked for a notification to be delivered again: who, when."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.PROTECT,
        related_name="redeliveries",
        verbose_name=_("delivery"),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("redelivery")
        verbose_name_plural = _("redeliveries")
        ordering = ["-asked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery} ({self.asked_by}, {self.asked_at:%Y-%m-%d %H:%M})"
