"""The admin of webhooks (listed under Partners): supervisors subscribe a partner's endpoint
(its secret shown once), change, disable, enable it or rotate its secret; read every delivery and
each of its attempts, and deliver one again. Every write goes through webhooks.services.
Every admin page tells a supervisor of the endpoints disabled because their receiver failed."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from powtracker.admin import PermanentAdmin, RecordsAdmin
from powtracker.admin_site import notice_register
from webhooks import services
from webhooks.models import (
    DisabledReason,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_type_list = forms.MultipleChoiceField(
        label=_("Event types"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every event type."),
    )
    enabled = forms.BooleanField(
        label=_("Enabled"),
        required=False,
        help_text=_("Untick to stop deliveries; tick to start them again."),
    )
    rotate_secret = forms.BooleanField(
        label=_("Rotate the secret"),
        required=False,
        help_text=_("A new secret is shown once; the old one keeps signing for the overlap."),
    )
    overlap_hours = forms.IntegerField(
        label=_("Overlap (hours)"),
        required=False,
        min_value=0,
        max_value=services.MAX_OVERLAP_HOURS,
        help_text=_("How long the old secret stays valid; empty for the default."),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["partner", "url", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["event_type_list"].initial = sorted(self.instance.event_type_set)
            self.fields["enabled"].initial = self.instance.is_active


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(PermanentAdmin):
    form = EndpointForm
    list_display = [
        "partner",
        "url",
        "events",
        "active",
        "disabled_reason",
        "pending",
        "created_at",
    ]
    list_select_related = ["partner"]
    list_filter = ["partner", "disabled_reason", ("disabled_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "partner__name", "description"]
    autocomplete_fields = ["partner"]
    readonly_fields = [
        "public_id",
        "created_at",
        "updated_at",
        "disabled_at",
        "disabled_reason",
        "previous_secret_until",
        "deliveries_link",
    ]

    actions = ["enable", "disable"]

    @admin.action(description=_("Enable (deliveries start again)"))
    def enable(self, request: HttpRequest, queryset: Any) -> None:
        self.service_action_run(
            request,
            queryset,
            gettext("Enabled"),
            lambda endpoint: services.webhook_endpoint_change(
                acting_user=request.user, endpoint=endpoint, enabled=True
            ),
        )

    @admin.action(description=_("Disable (by the bureau)"))
    def disable(self, request: HttpRequest, queryset: Any) -> None:
        self.service_action_run(
            request,
            queryset,
            gettext("Disabled"),
            lambda endpoint: services.webhook_endpoint_change(
                acting_user=request.user, endpoint=endpoint, enabled=False
            ),
        )

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.has_perm("webhooks.change_webhookendpoint"):
            actions.pop("enable", None)
            actions.pop("disable", None)
        return actions

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = ["partner", "url", "event_type_list", "description"]
        if obj is None:
            return [(None, {"fields": main})]
        return [
            (None, {"fields": [*main, "enabled", "public_id", "created_at", "updated_at"]}),
            (_("Disabled"), {"fields": ["disabled_at", "disabled_reason"]}),
            (
                pgettext_lazy("webhook", "Secret"),
                {"fields": ["rotate_secret", "overlap_hours", "previous_secret_until"]},
            ),
            (_("Deliveries"), {"fields": ["deliveries_link"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["partner"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    @admin.display(description=_("event types"))
    def events(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(sorted(endpoint.event_type_set)) or gettext("all")

    # Shown as text to a reader who may only view endpoints (the form has no fields then).
    @admin.display(description=_("Event types"))
    def event_type_list(self, endpoint: WebhookEndpoint) -> str:
        return self.events(endpoint)

    @admin.display(description=_("Enabled"), boolean=True)
    def enabled(self, endpoint: WebhookEndpoint) -> bool:
        return endpoint.is_active

    @admin.display(description=_("Rotate the secret"))
    def rotate_secret(self, endpoint: WebhookEndpoint) -> str:
        return ""

    @admin.display(description=_("Overlap (hours)"))
    def overlap_hours(self, endpoint: WebhookEndpoint) -> str:
        return ""

    @admin.display(description=_("active"), boolean=True)
    def active(self, endpoint: WebhookEndpoint) -> bool:
        return endpoint.is_active

    def get_queryset(self, request: HttpRequest) -> Any:
        # The list's pending counts in its own query, not one per row.
        return (
            super()
            .get_queryset(request)
            .annotate(pending_count=Count("deliveries", filter=Q(deliveries__state="pending")))
        )

    @admin.display(description=_("pending"), ordering="pending_count")
    def pending(self, endpoint: WebhookEndpoint) -> int:
        return endpoint.pending_count  # type: ignore[attr-defined]

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, endpoint: WebhookEndpoint) -> str:
        url = reverse("admin:webhooks_webhookdelivery_changelist")
        return format_html(
            '<a href="{}?endpoint__id__exact={}">{}</a>',
            url,
            endpoint.pk,
            gettext("Every delivery to this endpoint, with its attempts"),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            endpoint, secret = services.webhook_subscribe(
                acting_user=request.user,
                partner=data["partner"],
                url=data["url"],
                event_types=data["event_type_list"],
                description=data.get("description", ""),
            )
            obj.pk = endpoint.pk
            obj.refresh_from_db()
            messages.warning(request, secret_message(endpoint, secret))
            return
        endpoint = services.webhook_endpoint_change(
            acting_user=request.user,
            endpoint=obj,
            url=data["url"],
            event_types=data["event_type_list"],
            description=data.get("description", ""),
            enabled=data["enabled"] if "enabled" in form.changed_data else None,
        )
        if data.get("rotate_secret"):
            endpoint, secret = services.webhook_secret_rotate(
                acting_user=request.user, endpoint=endpoint, overlap_hours=data.get("overlap_hours")
            )
            messages.warning(request, secret_message(endpoint, secret))
        obj.refresh_from_db()


def secret_message(endpoint: WebhookEndpoint, secret: str) -> str:
    return gettext(
        "Endpoint id: %(id)s — secret: %(secret)s — give it to the partner now: it will not be "
        "shown again."
    ) % {"id": endpoint.public_id, "secret": secret}


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "status", "answer", "error_code", "error"]
    readonly_fields = fields
    ordering = ["-number"]

    @admin.display(description=_("answer's first bytes"))
    def answer(self, attempt: WebhookAttempt) -> str:
        return bytes(attempt.excerpt)[:300].decode("utf-8", "replace")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RecordsAdmin):
    """Every notification written for an endpoint, and each attempt to deliver it."""

    extra_lookups = ("endpoint__id__exact",)
    list_display = [
        "created_at",
        "endpoint",
        "event_type",
        "subject_id",
        "state",
        "attempts",
        "last_status",
        "next_attempt_at",
        "delivered_at",
    ]
    list_select_related = ["endpoint__partner"]
    list_filter = ["state", "event_type", "endpoint__partner"]
    search_fields = ["message_id"]
    date_hierarchy = "created_at"
    inlines = [AttemptInline]
    actions = ["redeliver"]
    readonly_fields = ["body"]
    exclude = ["payload"]

    @admin.display(description=_("payload"))
    def body(self, delivery: WebhookDelivery) -> str:
        return bytes(delivery.payload).decode()

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not request.user.has_perm("webhooks.redeliver_webhookdelivery"):
            actions.pop("redeliver", None)
        return actions

    @admin.action(description=_("Deliver again (same webhook-id)"))
    def redeliver(self, request: HttpRequest, queryset: Any) -> None:
        PermanentAdmin.service_action_run(
            self,  # type: ignore[arg-type]
            request,
            queryset,
            gettext("Queued for delivery again"),
            lambda delivery: services.webhook_redeliver(
                acting_user=request.user, delivery=delivery
            ),
        )


def disabled_endpoints_notice(request: HttpRequest) -> list[str]:
    """Endpoints the workers disabled (410 Gone, or the whole retry schedule failed), for
    whoever may enable them again."""
    if not request.user.has_perm("webhooks.change_webhookendpoint"):
        return []
    disabled = WebhookEndpoint.objects.filter(
        disabled_at__isnull=False,
        disabled_reason__in=[DisabledReason.GONE, DisabledReason.FAILING],
    ).select_related("partner")[:20]
    return [
        format_html(
            '{} <a href="{}">{}</a>',
            gettext("Webhook deliveries to %(partner)s (%(url)s) stopped on %(when)s: %(reason)s.")
            % {
                "partner": endpoint.partner,
                "url": endpoint.url,
                "when": endpoint.disabled_at.strftime("%Y-%m-%d %H:%M"),
                "reason": endpoint.get_disabled_reason_display(),
            },
            reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk]),
            gettext("Enable it again, or disable it"),
        )
        for endpoint in disabled
    ]


notice_register(disabled_endpoints_notice)
