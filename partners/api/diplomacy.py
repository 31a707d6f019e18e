"""The diplomacy API: states, exchange proposals and their steps, contacts, transfer requests."""

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from diplomacy import services
from diplomacy.choices import ProposalStatus, TransferStatus
from diplomacy.models import (
    DiplomaticContact,
    ExchangeProposal,
    OfferedCaptive,
    TransferRequest,
)
from partners.api.diplomacy_serializers import (
    DiplomaticContactSerializer,
    ExchangeProposalSerializer,
    ReopenInputSerializer,
    StateSerializer,
    TransferRequestSerializer,
)
from partners.api.idempotency import IDEMPOTENCY_KEY, idempotent
from partners.disclosure import Viewer, captives_for, viewer_for
from partners.selectors import contacts_for, proposals_for, transfers_for
from powtracker.api.concurrency import IF_MATCH, if_match_check, with_etag
from powtracker.errors import ErrorCode, RuleError
from states.models import State


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def visible_captive_ids(viewer: Viewer) -> Any:
    if viewer.is_staff:
        return _Everything()
    return set(captives_for(viewer).values_list("pk", flat=True))


class DiplomacyMixin:
    scope_area = "diplomacy"
    lookup_value_regex = "[0-9]+"
    # `updated_at` is when something partners may see last changed (powtracker.disclosed).
    ordering_aliases = {"updated_at": "disclosed_changed_at"}
    request: Request

    def viewer(self) -> Viewer:
        return viewer_for(self.request)

    def step(self, *, request: Request, record: Any, to_status: str, reason: str | None) -> None:
        """Take one step through the record's service (`reason` only from an endpoint that
        asks for one)."""
        raise NotImplementedError

    def owning_state_id(self, record: Any) -> int:
        """The state whose partners take the record's steps (the proposer, the requester)."""
        raise NotImplementedError

    def owner_check(self, record: Any) -> None:
        """Refuse a partner that does not speak for the record's owning state: the other
        parties read the record, its steps are the owner's (and the supervisors')."""
        partner = self.viewer().partner
        if partner is not None and partner.state_id != self.owning_state_id(record):
            raise RuleError(
                ErrorCode.PERMISSION_DENIED,
                _("Only the partners of the state that made it take this record's steps."),
            )

    def transition(
        self, request: Request, pk: Any, to_status: str, reason: str | None = None
    ) -> Response:
        """Lock the record, check If-Match and ownership, take the step, answer with the new
        version; 404 if the reader may not see the record."""
        visible = self.get_queryset().filter(pk=pk).first()  # type: ignore[attr-defined]
        if visible is None:
            raise NotFound()
        with transaction.atomic():
            locked = type(visible).objects.select_for_update().get(pk=visible.pk)
            if_match_check(request, locked)
            self.owner_check(locked)
            self.step(request=request, record=locked, to_status=to_status, reason=reason)
        record = self.get_queryset().get(pk=visible.pk)  # type: ignore[attr-defined]
        data = self.get_serializer(record).data  # type: ignore[attr-defined]
        return with_etag(Response(data), record)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        return {**context, "visible_captive_ids": visible_captive_ids(self.viewer())}


@extend_schema_view(list=extend_schema(summary="States"), retrieve=extend_schema(summary="A state"))
class StateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StateSerializer
    queryset = State.objects.order_by("code")
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{3}"
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    scope_area = None


def _step_action(name: str, to_status: str, summary: str) -> Any:
    """A POST action `name` that moves the record to `to_status` (If-Match required)."""

    def step(self: Any, request: Request, pk: Any = None) -> Response:
        return self.transition(request, pk, to_status)

    step.__name__ = name
    step = idempotent(step)
    step = action(detail=True, methods=["post"], url_path=name.replace("_", "-"))(step)
    return extend_schema(summary=summary, request=None, parameters=[IF_MATCH, IDEMPOTENCY_KEY])(
        step
    )


@extend_schema_view(
    list=extend_schema(summary="Exchange proposals your state is party to"),
    retrieve=extend_schema(summary="A proposal (ETag header for its steps)"),
)
class ExchangeProposalViewSet(DiplomacyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ExchangeProposalSerializer
    filterset_fields = ["status"]
    search_fields = ["title", "terms"]
    ordering_fields = ["proposed_on", "updated_at"]
    ordering = ["-updated_at"]

    def get_queryset(self) -> QuerySet[ExchangeProposal]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return ExchangeProposal.objects.none()
        return (
            proposals_for(self.viewer())
            .select_related("proposing_state", "counterpart_state", "mediator")
            .prefetch_related(
                Prefetch(
                    "offered_captives",
                    queryset=OfferedCaptive.objects.select_related("captive").order_by("id"),
                ),
                "requested_persons__held_by",
            )
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        proposal = self.get_object()
        return with_etag(Response(self.get_serializer(proposal).data), proposal)

    def owning_state_id(self, record: ExchangeProposal) -> int:
        return record.proposing_state_id

    def step(self, *, request: Request, record: Any, to_status: str, reason: str | None) -> None:
        if reason is not None:  # the reopen endpoint
            services.exchange_proposal_reopen(
                acting_user=request.user, proposal=record, reason=reason
            )
            return
        services.exchange_proposal_transition(
            acting_user=request.user, proposal=record, to_status=to_status
        )

    @extend_schema(
        summary="Reopen an agreed proposal for negotiation, with the reason (supervisors)",
        request=ReopenInputSerializer,
        parameters=[IF_MATCH, IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reopen(self, request: Request, pk: Any = None) -> Response:
        data = ReopenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self.transition(
            request, pk, ProposalStatus.UNDER_NEGOTIATION, reason=data.validated_data["reason"]
        )

    submit = _step_action(
        "submit", ProposalStatus.PROPOSED, "Submit the proposal to the counterpart"
    )
    negotiate = _step_action(
        "negotiate", ProposalStatus.UNDER_NEGOTIATION, "Mark the proposal under negotiation"
    )
    agree = _step_action("agree", ProposalStatus.AGREED, "Agree the proposal (supervisors)")
    execute = _step_action(
        "execute", ProposalStatus.EXECUTED, "Execute: hand over every included captive, or nobody"
    )
    reject = _step_action("reject", ProposalStatus.REJECTED, "Mark the proposal rejected")
    withdraw = _step_action("withdraw", ProposalStatus.WITHDRAWN, "Withdraw the proposal")
    expire = _step_action("expire", ProposalStatus.EXPIRED, "Mark the proposal expired")


@extend_schema_view(
    list=extend_schema(summary="Diplomatic contacts you may see"),
    retrieve=extend_schema(summary="A diplomatic contact"),
)
class DiplomaticContactViewSet(DiplomacyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DiplomaticContactSerializer
    filterset_fields = ["channel", "classification"]
    search_fields = ["summary"]
    ordering_fields = ["occurred_on", "updated_at"]
    ordering = ["-occurred_on", "-id"]

    def get_queryset(self) -> QuerySet[DiplomaticContact]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return DiplomaticContact.objects.none()
        return (
            contacts_for(self.viewer())
            .select_related("from_state", "to_state", "intermediary")
            .prefetch_related("captives")
        )


@extend_schema_view(
    list=extend_schema(summary="Transfer requests you may see"),
    retrieve=extend_schema(summary="A transfer request (ETag header for its steps)"),
)
class TransferRequestViewSet(DiplomacyMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TransferRequestSerializer
    filterset_fields = ["status", "kind"]
    ordering_fields = ["stated_on", "updated_at"]
    ordering = ["-updated_at"]

    def get_queryset(self) -> QuerySet[TransferRequest]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return TransferRequest.objects.none()
        return transfers_for(self.viewer()).select_related("requesting_state", "captive")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        transfer = self.get_object()
        return with_etag(Response(self.get_serializer(transfer).data), transfer)

    def owning_state_id(self, record: TransferRequest) -> int:
        return record.requesting_state_id

    def step(self, *, request: Request, record: Any, to_status: str, reason: str | None) -> None:
        services.transfer_request_transition(
            acting_user=request.user, transfer=record, to_status=to_status
        )

    request_formally = _step_action(
        "request_formally", TransferStatus.REQUESTED, "Mark formally requested"
    )
    approve = _step_action("approve", TransferStatus.APPROVED, "Approve (supervisors)")
    reject = _step_action("reject", TransferStatus.REJECTED, "Reject (supervisors)")
    complete = _step_action(
        "complete", TransferStatus.COMPLETED, "Complete: hand him over, through the gate"
    )
    withdraw = _step_action("withdraw", TransferStatus.WITHDRAWN, "Mark withdrawn")
