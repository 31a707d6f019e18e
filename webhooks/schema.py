"""The webhooks in the OpenAPI schema served at /api/schema/ (OpenAPI 3.1 `webhooks`): one for
each event type, with the body webhooks.outbox.payload() writes, the three Standard Webhooks
headers it is signed with, and what the receiver's answer leads to. Listed by
SPECTACULAR_SETTINGS["WEBHOOKS"]; the headers are added by `signature_headers_add`, a
post-processing hook, since drf-spectacular gives a webhook a body and answers but no
parameters. tests/partners/api/test_schema.py validates real notifications against it."""

import re
from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    OpenApiWebhook,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers

from webhooks.models import EventType
from webhooks.outbox import TOPICS

# What each event type tells of: the record, and the scope that reads it.
ABOUT: dict[str, str] = {
    EventType.CAPTIVE_REGISTERED: (
        "A captive you may see was registered. Read him at `data.url` (scope `cases:read`)."
    ),
    EventType.CAPTIVE_CHANGED: (
        "What you may see of a captive changed (your state newly involved in his case "
        "included). Read him at `data.url` (scope `cases:read`). A change you may not see (a "
        "wish you may not read, the bureau's internal notes) sends nothing."
    ),
    EventType.PROPOSAL_CHANGED: (
        "An exchange proposal your state proposes, receives or mediates was created or changed. "
        "Read it at `data.url` (scope `diplomacy:read`)."
    ),
    EventType.TRANSFER_REQUEST_CHANGED: (
        "A transfer request you may read was created or changed: your own state's, or one about "
        "a captive you see in full and are not hostile to. Read it at `data.url` (scope "
        "`diplomacy:read`)."
    ),
    EventType.CONTACT_CREATED: (
        "A diplomatic contact you may read was recorded: one your state is party to, or one "
        "about captives you see in full and are not hostile to. Read it at `data.url` (scope "
        "`diplomacy:read`)."
    ),
    EventType.EXPORT_READY: (
        "An export you asked for (`POST /api/v1/captives/exports/`) is ready. Its status is at "
        "`data.url`, its file at `data.url` + `download/` (scope `reports:export`)."
    ),
}

DELIVERY = (
    "\n\nThe body is thin: it names the record and the version you may now read, never a field "
    "of it. Fetch the record with your OAuth token, like any read (a captive's is written to "
    "the disclosure ledger). Verify the signature over the raw body bytes before parsing them. "
    "Delivered at least once and in order for each endpoint: drop a `webhook-id` you have "
    "already handled."
)

SIGNATURE_HEADERS: dict[str, dict[str, Any]] = {
    "WebhookId": {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": (
            "The notification's id: the same on every attempt and on a redelivery, so drop one "
            "you have already handled. Random: it tells nothing of other notifications."
        ),
        "schema": {"type": "string", "pattern": r"^msg_[A-Za-z0-9_-]{24}$"},
        "example": "msg_2xQv0bJr6Wn9sT1cKpYd4fHa",
    },
    "WebhookTimestamp": {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": (
            "When this attempt was signed, in seconds since 1970-01-01 UTC. Refuse a delivery "
            "more than five minutes away from your clock (the standardwebhooks library does)."
        ),
        "schema": {"type": "string", "pattern": r"^[0-9]{1,12}$"},
        "example": "1767225600",
    },
    "WebhookSignature": {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": (
            "Space-separated signatures `v1,<base64>`: HMAC-SHA256 of "
            "`{webhook-id}.{webhook-timestamp}.{body}` keyed with the endpoint's secret (the "
            "bytes whose base64 follows `whsec_`). One per valid secret: after a rotation, the "
            "replaced secret signs too until its overlap ends. Accept the delivery if any one "
            "matches (Standard Webhooks)."
        ),
        "schema": {
            "type": "string",
            "pattern": r"^v1,[A-Za-z0-9+/]{43}=( v1,[A-Za-z0-9+/]{43}=)*$",
        },
    },
}


class WebhookEventDataSerializer(serializers.Serializer):
    """The record a notification tells of."""

    id = serializers.IntegerField(help_text="The record's id in the API.")
    url = serializers.URLField(help_text="The record's URL in this API: GET it with your token.")
    version = serializers.RegexField(
        r'^"[0-9a-f]{32}"$',
        help_text=(
            "The version of the record you may now read: the `ETag` a GET of `url` answers "
            "(quotes included). A GET that answers another ETag read a later version."
        ),
    )


def _type_field(event_type: EventType) -> serializers.Field:
    @extend_schema_field({"type": "string", "enum": [event_type.value]})
    class TypeField(serializers.CharField):
        pass

    return TypeField(help_text="The event type.")


def _event_serializer(event_type: EventType) -> type[serializers.Serializer]:
    """The body of one event type (its component: `CaptiveChangedEvent`…), its fields in the
    order payload() writes them."""
    name = "".join(part.title() for part in re.split(r"[._]", event_type.value)) + "Event"
    return type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": ABOUT[event_type],
            "__module__": __name__,
            "type": _type_field(event_type),
            "timestamp": serializers.DateTimeField(
                help_text=(
                    "When the record took that version: the time of the change you may see (a "
                    "captive's `updated_at`, an export's readiness), not when the notification "
                    "was sent."
                )
            ),
            "data": WebhookEventDataSerializer(),
        },
    )


EVENT_SERIALIZERS = {event_type: _event_serializer(event_type) for event_type in EventType}


def _example(event_type: EventType) -> OpenApiExample:
    """A body as payload() writes one, its record's URL that of its kind."""
    (path,) = {t.path for t in TOPICS.values() if event_type in (t.created, t.changed)}
    return OpenApiExample(
        "Notification",
        value={
            "type": event_type.value,
            "timestamp": "2026-12-09T10:15:02.417305Z",
            "data": {
                "id": 2,
                "url": "https://powtracker.example.org" + path.format(pk=2),
                "version": '"3b0e6f9a1c2d4e5f60718293a4b5c6d7"',
            },
        },
    )


def _webhook(event_type: EventType) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=event_type.value,
        decorator=extend_schema(
            summary=str(event_type.label).capitalize(),
            description=ABOUT[event_type] + DELIVERY,
            request={"application/json": EVENT_SERIALIZERS[event_type]},
            examples=[_example(event_type)],
            responses={
                "2XX": OpenApiResponse(description="Received: it is not sent again."),
                "410": OpenApiResponse(
                    description=(
                        "Gone: the endpoint is disabled at once and nothing more is sent to it."
                    )
                ),
                "default": OpenApiResponse(
                    description=(
                        "Any other answer, or none within the deadline (15 s by default): "
                        "tried again on the retry schedule (a Retry-After asking for longer is "
                        "honoured), and the notifications after it wait. When the schedule is "
                        "spent, the endpoint is disabled."
                    )
                ),
            },
        ),
    )


CAPTIVE_REGISTERED = _webhook(EventType.CAPTIVE_REGISTERED)
CAPTIVE_CHANGED = _webhook(EventType.CAPTIVE_CHANGED)
PROPOSAL_CHANGED = _webhook(EventType.PROPOSAL_CHANGED)
TRANSFER_REQUEST_CHANGED = _webhook(EventType.TRANSFER_REQUEST_CHANGED)
CONTACT_CREATED = _webhook(EventType.CONTACT_CREATED)
EXPORT_READY = _webhook(EventType.EXPORT_READY)


def signature_headers_add(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Every webhook's operation names the three signature headers (as components)."""
    webhooks = result.get("webhooks") or {}
    if webhooks:
        result.setdefault("components", {}).setdefault("parameters", {}).update(SIGNATURE_HEADERS)
    references = [{"$ref": f"#/components/parameters/{name}"} for name in SIGNATURE_HEADERS]
    for path_item in webhooks.values():
        for operation in path_item.values():
            operation["parameters"] = list(references)
    return result
