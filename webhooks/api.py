"""`/api/v1/webhooks/`: a partner manages its own webhook endpoints (scope `webhooks:manage`) —
subscribes, changes, disables or enables one, rotates its secret, and lists its recent
deliveries. The secret is shown once, in the answer that creates or rotates it. Nothing is
deleted: an endpoint is disabled (`"enabled": false`)."""

import json
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from partners.disclosure import viewer_for
from powtracker.api.errors import APIError
from powtracker.api.serializers import StrictInputSerializer
from webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    webhook_endpoint_change,
    webhook_secret_rotate,
    webhook_subscribe,
)

SCOPE = "webhooks:manage"
# The deliveries an endpoint's list shows, newest first.
RECENT_DELIVERIES = 100


class EndpointSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        max_length=len(EventType.values),
        required=False,
        help_text="The event types it receives; empty for every type.",
    )
    enabled = serializers.BooleanField(
        required=False, help_text="false disables it; true enables it again."
    )
    disabled_reason = serializers.CharField(
        read_only=True, help_text="gone, failing, partner, supervisor"
    )
    secret_previous_valid_until = serializers.DateTimeField(
        source="previous_secret_until",
        read_only=True,
        help_text="Until then, deliveries carry a signature by the secret a rotation replaced.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "event_types",
            "description",
            "enabled",
            "disabled_at",
            "disabled_reason",
            "secret_previous_valid_until",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["disabled_at", "created_at", "updated_at"]
        extra_kwargs = {"url": {"max_length": 500}, "description": {"max_length": 200}}

    def to_representation(self, instance: WebhookEndpoint) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["event_types"] = sorted(instance.event_type_set)
        data["enabled"] = instance.is_active
        return data


class CreatedSerializer(EndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only in this answer.")

    class Meta(EndpointSerializer.Meta):
        fields = [*EndpointSerializer.Meta.fields, "secret"]


class EndpointInputSerializer(StrictInputSerializer, EndpointSerializer):
    """What a partner may send: the URL, event types, description and `enabled`; any other
    field is refused (`unknown_field`)."""

    class Meta(EndpointSerializer.Meta):
        fields = ["url", "event_types", "description", "enabled"]


class RotateSerializer(StrictInputSerializer):
    overlap_hours = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=168,
        help_text="How long the replaced secret stays valid (WEBHOOK_SECRET_OVERLAP_HOURS).",
    )


class DeliverySerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="message_id", help_text="Its webhook-id.")
    payload = serializers.SerializerMethodField()

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_type",
            "payload",
            "state",
            "attempts",
            "created_at",
            "next_attempt_at",
            "delivered_at",
            "last_status",
        ]

    def get_payload(self, delivery: WebhookDelivery) -> dict[str, Any]:
        return json.loads(bytes(delivery.payload))


@extend_schema_view(
    list=extend_schema(summary="Your webhook endpoints"),
    retrieve=extend_schema(summary="One of your webhook endpoints"),
    create=extend_schema(
        summary="Subscribe: a new endpoint (its secret is shown once)",
        responses={201: CreatedSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an endpoint's URL, event types or description; disable or enable it"
    ),
)
class WebhookEndpointViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EndpointSerializer
    filter_backends: list[Any] = []
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    http_method_names = ["get", "post", "patch", "options"]
    scope_area = "webhooks"
    # Every action, and none (a method this door does not take answers 405, not 403).
    required_scopes = {
        name: SCOPE
        for name in (
            "list",
            "retrieve",
            "create",
            "partial_update",
            "rotate_secret",
            "deliveries",
            "update",
            None,
        )
    }

    def _partner(self) -> Any:
        partner = viewer_for(self.request).partner
        if partner is None:
            raise APIError(
                403,
                "permission_denied",
                _("Webhook endpoints are managed here by partners; staff use the admin."),
            )
        return partner

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(partner=self._partner()).select_related("partner")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EndpointInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint, secret = webhook_subscribe(
            acting_user=request.user,
            partner=self._partner(),
            url=data["url"],
            event_types=data.get("event_types", []),
            description=data.get("description", ""),
        )
        if data.get("enabled") is False:
            endpoint = webhook_endpoint_change(
                acting_user=request.user, endpoint=endpoint, enabled=False
            )
        endpoint.secret = secret
        body = CreatedSerializer(endpoint).data
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        serializer = EndpointInputSerializer(endpoint, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        changed = webhook_endpoint_change(
            acting_user=request.user,
            endpoint=endpoint,
            url=data.get("url"),
            event_types=data.get("event_types"),
            description=data.get("description"),
            enabled=data.get("enabled"),
        )
        return Response(EndpointSerializer(changed).data)

    @extend_schema(
        summary="Rotate the secret (the new one is shown once; the old one signs too for a while)",
        request=RotateSerializer,
        responses={200: CreatedSerializer},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", url_name="rotate-secret")
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        serializer = RotateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rotated, secret = webhook_secret_rotate(
            acting_user=request.user,
            endpoint=endpoint,
            overlap_hours=serializer.validated_data.get("overlap_hours"),
        )
        rotated.secret = secret
        return Response(CreatedSerializer(rotated).data)

    @extend_schema(
        summary=f"The endpoint's {RECENT_DELIVERIES} most recent deliveries, newest first",
        responses={
            200: inline_serializer("WebhookDeliveries", {"results": DeliverySerializer(many=True)})
        },
    )
    @action(detail=True, methods=["get"], url_path="deliveries", url_name="deliveries")
    def deliveries(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        recent = endpoint.deliveries.order_by("-id")[:RECENT_DELIVERIES]
        return Response({"results": DeliverySerializer(recent, many=True).data})
