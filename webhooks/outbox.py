"""The outbox's writer: the records a service wrote become notifications, in its transaction.

For each record announced (powtracker.outbox) that partners are told of — a captive, an exchange
proposal, a transfer request, a diplomatic contact, an export — and for each endpoint that wants
its event type, the writer asks the disclosure rules for the version of it that endpoint's
partner may read now (the ETag it would get, and the time of that version). If the partner may
not see the record, nothing is written. If that version did not move in the service that
announced it (its time is older than the service), nothing is written either: a change the
partner may not see (a wish stated, another state's contact or transfer request about him)
leaves its version where it was. Nor is an endpoint told twice of one version. So what an
endpoint receives is a function of the versions its partner may read, and nothing else
(non-interference).

A notification is thin: the event type, the record's id and API URL, the version, and the time
of that version — never a field of the record. The partner fetches the record over OAuth, and the
disclosure ledger records what it read.
"""

import json
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from rest_framework.fields import DateTimeField

from cases.models import Captive
from partners.disclosure import Viewer, captives_for
from partners.models import Partner
from partners.selectors import contacts_for, proposals_for, transfers_for
from powtracker.disclosed import etag_of
from powtracker.outbox import Announcement
from reports.models import ExportJob
from webhooks.models import DeliveryState, DisabledReason, EventType, WebhookDelivery
from webhooks.models import WebhookEndpoint as Endpoint

Stamps = Callable[[Viewer, list[int]], Iterable[tuple[int, datetime]]]


@dataclass(frozen=True)
class Topic:
    """A kind of record partners are told of: how it is named to them, the event types it
    raises, the scope that reads it, and the versions a reader may see of it."""

    subject: str
    kind: str  # the name its ETag carries (powtracker.disclosed.etag_of)
    path: str
    scope: str
    stamps: Stamps
    created: str | None = None
    changed: str | None = None

    def event_type(self, *, created: bool, told: bool) -> str | None:
        if created and not told and self.created:
            return self.created
        return self.changed


def _captive_stamps(viewer: Viewer, pks: list[int]) -> Iterable[tuple[int, datetime]]:
    return captives_for(viewer, Captive.objects.filter(pk__in=pks)).values_list(
        "pk", "shown_updated_at"
    )


def _disclosed(selector: Callable[[Viewer], Any]) -> Stamps:
    def stamps(viewer: Viewer, pks: list[int]) -> Iterable[tuple[int, datetime]]:
        return selector(viewer).filter(pk__in=pks).values_list("pk", "disclosed_changed_at")

    return stamps


def _export_stamps(viewer: Viewer, pks: list[int]) -> Iterable[tuple[int, datetime]]:
    return ExportJob.objects.filter(
        pk__in=pks, partner=viewer.partner, ready_at__isnull=False, file_purged_at__isnull=True
    ).values_list("pk", "ready_at")


TOPICS: dict[str, Topic] = {
    "cases.captive": Topic(
        "captive",
        "Captive",
        "/api/v1/captives/{pk}/",
        "cases:read",
        _captive_stamps,
        created=EventType.CAPTIVE_REGISTERED,
        changed=EventType.CAPTIVE_CHANGED,
    ),
    "diplomacy.exchangeproposal": Topic(
        "proposal",
        "ExchangeProposal",
        "/api/v1/exchange-proposals/{pk}/",
        "diplomacy:read",
        _disclosed(proposals_for),
        changed=EventType.PROPOSAL_CHANGED,
    ),
    "diplomacy.transferrequest": Topic(
        "transfer_request",
        "TransferRequest",
        "/api/v1/transfer-requests/{pk}/",
        "diplomacy:read",
        _disclosed(transfers_for),
        changed=EventType.TRANSFER_REQUEST_CHANGED,
    ),
    "diplomacy.diplomaticcontact": Topic(
        "contact",
        "DiplomaticContact",
        "/api/v1/diplomatic-contacts/{pk}/",
        "diplomacy:read",
        _disclosed(contacts_for),
        created=EventType.CONTACT_CREATED,
    ),
    "reports.exportjob": Topic(
        "export",
        "ExportJob",
        "/api/v1/exports/{pk}/",
        "reports:export",
        _export_stamps,
        changed=EventType.EXPORT_READY,
    ),
}
_datetime = DateTimeField()


def message_id() -> str:
    """A `webhook-id`: random, so that it tells nothing of how many others were written."""
    return f"msg_{secrets.token_urlsafe(18)}"


def payload(topic: Topic, event_type: str, pk: int, version: str, stamp: datetime) -> bytes:
    """The body of a notification, as it is signed and sent on every attempt."""
    return json.dumps(
        {
            "type": event_type,
            "timestamp": _datetime.to_representation(stamp),
            "data": {
                "id": pk,
                "url": settings.PUBLIC_URL + topic.path.format(pk=pk),
                "version": version,
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def receiving_endpoints() -> list[Endpoint]:
    """The endpoints notifications are written for: active ones, and those disabled only because
    their receiver kept failing (re-enabled, they receive what they missed), of partners not
    revoked."""
    return list(
        Endpoint.objects.filter(
            Q(disabled_at__isnull=True) | Q(disabled_reason=DisabledReason.FAILING),
            partner__revoked_at__isnull=True,
        )
        .select_related("partner")
        .order_by("pk")
    )


def _subjects(announcements: list[Announcement]) -> dict[str, dict[int, bool]]:
    """Announced records by topic: id → whether this service created it. (A share or an
    involvement is not a topic: what it changes of a captive moves his version, which announces
    him, or moves nothing a partner reads.)"""
    subjects: dict[str, dict[int, bool]] = defaultdict(dict)
    for announcement in announcements:
        if announcement.label in TOPICS:
            created = subjects[announcement.label].get(announcement.pk, False)
            subjects[announcement.label][announcement.pk] = created or announcement.created
    return subjects


def _told(
    endpoints: list[Endpoint], topic: Topic, pks: Iterable[int]
) -> dict[tuple[int, int], str]:
    """The version each endpoint was last told of each record: (endpoint id, record id) →
    version."""
    last = (
        WebhookDelivery.objects.filter(
            endpoint__in=endpoints, subject=topic.subject, subject_id__in=list(pks)
        )
        .values("endpoint_id", "subject_id")
        .annotate(last=Max("id"))
        .values("last")
    )
    return {
        (endpoint_id, subject_id): version
        for endpoint_id, subject_id, version in WebhookDelivery.objects.filter(
            id__in=last
        ).values_list("endpoint_id", "subject_id", "version")
    }


def notifications_write(announcements: list[Announcement]) -> list[WebhookDelivery]:
    """Write the notifications the announced records call for (see the module)."""
    subjects = _subjects(announcements)
    if not subjects:
        return []
    since = min(announcement.since for announcement in announcements)
    endpoints = receiving_endpoints()
    if not endpoints:
        return []
    by_partner: dict[int, list[Endpoint]] = defaultdict(list)
    partners: dict[int, Partner] = {}
    for endpoint in endpoints:
        by_partner[endpoint.partner_id].append(endpoint)
        partners[endpoint.partner_id] = endpoint.partner
    written: list[WebhookDelivery] = []
    now = timezone.now()
    for label, created_by_pk in subjects.items():
        topic = TOPICS[label]
        types = {t for t in (topic.created, topic.changed) if t}
        pks = sorted(created_by_pk)
        wanting = [e for e in endpoints if any(e.wants(t) for t in types)]
        if not wanting:
            continue
        told = _told(wanting, topic, pks)
        for partner_id in dict.fromkeys(e.partner_id for e in wanting):
            partner, partner_endpoints = partners[partner_id], by_partner[partner_id]
            viewer = Viewer(partner=partner, scopes=frozenset(partner.scope_set))
            if not viewer.has_scope(topic.scope):
                continue
            stamps = dict(topic.stamps(viewer, pks))
            for pk in pks:
                stamp = stamps.get(pk)
                if stamp is None or stamp < since:
                    continue  # it may not see this record, or what it sees did not move
                version = etag_of(topic.kind, pk, stamp)
                for endpoint in partner_endpoints:
                    last = told.get((endpoint.pk, pk))
                    if last == version:
                        continue
                    event_type = topic.event_type(created=created_by_pk[pk], told=last is not None)
                    if event_type is None or not endpoint.wants(event_type):
                        continue
                    written.append(
                        WebhookDelivery(
                            message_id=message_id(),
                            endpoint=endpoint,
                            event_type=event_type,
                            subject=topic.subject,
                            subject_id=pk,
                            version=version,
                            payload=payload(topic, event_type, pk, version, stamp),
                            state=DeliveryState.PENDING,
                            next_attempt_at=now,
                        )
                    )
    # Written by the outbox itself, after the service's own writes and in its transaction.
    return WebhookDelivery.objects.bulk_create(written)
