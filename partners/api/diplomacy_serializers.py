"""Proposals, contacts and transfer requests as partners see them."""

from typing import Any

from rest_framework import serializers

from diplomacy.models import (
    DiplomaticContact,
    ExchangeProposal,
    OfferedCaptive,
    RequestedPerson,
    TransferRequest,
)
from diplomacy.selectors import exchange_proposal_balance
from partners.api.brief import StateBriefSerializer
from powtracker.api.serializers import StrictInputSerializer
from states.models import State


class StateSerializer(serializers.ModelSerializer):
    class Meta:
        model = State
        fields = ["code", "name", "gc3_party"]
        read_only_fields = fields


class CaptiveBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    case_number = serializers.CharField(read_only=True)


class OfferedCaptiveSerializer(serializers.ModelSerializer):
    captive = CaptiveBriefSerializer(read_only=True)

    class Meta:
        model = OfferedCaptive
        fields = ["captive", "inclusion_status"]
        read_only_fields = fields


class RequestedPersonSerializer(serializers.ModelSerializer):
    held_by = StateBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = RequestedPerson
        fields = ["name", "count", "description", "held_by"]
        read_only_fields = fields


class BalanceSerializer(serializers.Serializer):
    offered_included = serializers.IntegerField(read_only=True)
    offered_other = serializers.IntegerField(read_only=True)
    requested_named = serializers.IntegerField(read_only=True)
    requested_counted = serializers.IntegerField(read_only=True)
    requested_unspecified = serializers.BooleanField(read_only=True)


class ExchangeProposalSerializer(serializers.ModelSerializer):
    """A proposal; offered captives are listed only as far as the reader may see them, and the
    reasons for excluding someone (which may speak of his wishes) are never sent."""

    proposing_state = StateBriefSerializer(read_only=True)
    counterpart_state = StateBriefSerializer(read_only=True)
    mediator = StateBriefSerializer(read_only=True, allow_null=True)
    offered_captives = serializers.SerializerMethodField()
    requested_persons = RequestedPersonSerializer(many=True, read_only=True)
    balance = serializers.SerializerMethodField()

    updated_at = serializers.DateTimeField(
        source="disclosed_changed_at",
        read_only=True,
        help_text="When something partners may see of it last changed.",
    )

    class Meta:
        model = ExchangeProposal
        fields = [
            "id",
            "title",
            "status",
            "proposing_state",
            "counterpart_state",
            "mediator",
            "terms",
            "proposed_on",
            "expires_on",
            "decided_on",
            "executed_on",
            "offered_captives",
            "requested_persons",
            "balance",
            "updated_at",
        ]
        read_only_fields = fields

    def _visible_offers(self, proposal: ExchangeProposal) -> list[OfferedCaptive]:
        visible = self.context["visible_captive_ids"]
        return [o for o in proposal.offered_captives.all() if o.captive_id in visible]

    def get_offered_captives(self, proposal: ExchangeProposal) -> list[dict[str, Any]]:
        return OfferedCaptiveSerializer(self._visible_offers(proposal), many=True).data

    def get_balance(self, proposal: ExchangeProposal) -> dict[str, Any]:
        # Counted over the captives the reader sees, so the counts reveal no one else.
        offers = self._visible_offers(proposal)
        return BalanceSerializer(exchange_proposal_balance(proposal, offers=offers)).data


class DiplomaticContactSerializer(serializers.ModelSerializer):
    from_state = StateBriefSerializer(read_only=True)
    to_state = StateBriefSerializer(read_only=True)
    intermediary = StateBriefSerializer(read_only=True, allow_null=True)
    captives = serializers.SerializerMethodField()

    updated_at = serializers.DateTimeField(
        source="disclosed_changed_at",
        read_only=True,
        help_text="When something partners may see of it last changed.",
    )

    class Meta:
        model = DiplomaticContact
        fields = [
            "id",
            "occurred_on",
            "from_state",
            "to_state",
            "intermediary",
            "channel",
            "from_party",
            "to_party",
            "summary",
            "classification",
            "proposal",
            "captives",
            "updated_at",
        ]
        read_only_fields = fields

    def get_captives(self, contact: DiplomaticContact) -> list[dict[str, Any]]:
        visible = self.context["visible_captive_ids"]
        return CaptiveBriefSerializer(
            [c for c in contact.captives.all() if c.pk in visible], many=True
        ).data


class TransferRequestSerializer(serializers.ModelSerializer):
    requesting_state = StateBriefSerializer(read_only=True)
    captive = CaptiveBriefSerializer(read_only=True)

    updated_at = serializers.DateTimeField(
        source="disclosed_changed_at",
        read_only=True,
        help_text="When something partners may see of it last changed.",
    )

    class Meta:
        model = TransferRequest
        fields = [
            "id",
            "captive",
            "requesting_state",
            "kind",
            "status",
            "basis",
            "stated_on",
            "requested_on",
            "decided_on",
            "completed_on",
            "updated_at",
        ]
        read_only_fields = fields


class ReopenInputSerializer(StrictInputSerializer):
    """Why an agreed proposal goes back to negotiation."""

    reason = serializers.CharField(max_length=2000)
