"""What a whole register satisfies about exchanges and transfers (manage.py integrity_check,
powtracker.integrity): an executed exchange handed its captives over, and each handover is on
their timelines; a completed transfer likewise."""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from cases.choices import CustodyEventKind
from cases.models import CustodyEvent
from diplomacy.choices import InclusionStatus, ProposalStatus, TransferKind, TransferStatus
from diplomacy.models import ExchangeProposal, OfferedCaptive, TransferRequest
from powtracker.integrity import Check, Failures, findings, register, table

PROPOSALS_EXECUTED = Check(
    "proposals.executed_handed_over",
    _(
        "An executed exchange has its date, hands over at least one captive and leaves none "
        "still merely included; a captive is handed over only by an executed exchange."
    ),
)
PROPOSALS_HANDOVER = Check(
    "proposals.handover_on_timeline",
    _(
        "Every captive an exchange handed over has the “exchanged” event that handed him to "
        "the counterpart state."
    ),
)
TRANSFERS_COMPLETED = Check(
    "transfers.completion_on_timeline",
    _(
        "A completed transfer request has its date, and its captive has the “resettled” or "
        "“transferred” event that handed him to the requesting state."
    ),
)


@register(PROPOSALS_EXECUTED, PROPOSALS_HANDOVER, TRANSFERS_COMPLETED)
def exchanges(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    proposals, offers = table(ExchangeProposal, connection), table(OfferedCaptive, connection)
    transfers, events = table(TransferRequest, connection), table(CustodyEvent, connection)
    executed, handed = ProposalStatus.EXECUTED, InclusionStatus.HANDED_OVER
    return findings(
        connection,
        f"""
        SELECT '{PROPOSALS_EXECUTED.name}' AS k, p.id AS ref FROM {proposals} p
         WHERE p.status = '{executed}' AND (
                 p.executed_on IS NULL
                 OR NOT EXISTS (
                     SELECT 1 FROM {offers} o
                      WHERE o.proposal_id = p.id AND o.inclusion_status = '{handed}'
                 )
                 OR EXISTS (
                     SELECT 1 FROM {offers} o
                      WHERE o.proposal_id = p.id
                        AND o.inclusion_status = '{InclusionStatus.INCLUDED}'
                 )
               )
            OR p.status <> '{executed}' AND EXISTS (
                 SELECT 1 FROM {offers} o
                  WHERE o.proposal_id = p.id AND o.inclusion_status = '{handed}'
               )
        UNION ALL
        SELECT '{PROPOSALS_HANDOVER.name}', o.id FROM {offers} o
          JOIN {proposals} p ON p.id = o.proposal_id
         WHERE o.inclusion_status = '{handed}' AND NOT EXISTS (
             SELECT 1 FROM {events} e
              WHERE e.captive_id = o.captive_id AND e.kind = '{CustodyEventKind.EXCHANGED}'
                AND e.custodian_id = p.counterpart_state_id
         )
        UNION ALL
        SELECT '{TRANSFERS_COMPLETED.name}', t.id FROM {transfers} t
         WHERE t.status = '{TransferStatus.COMPLETED}' AND (
             t.completed_on IS NULL OR NOT EXISTS (
                 SELECT 1 FROM {events} e
                  WHERE e.captive_id = t.captive_id AND e.custodian_id = t.requesting_state_id
                    AND e.kind = CASE WHEN t.kind = '{TransferKind.RESETTLEMENT}'
                                      THEN '{CustodyEventKind.RESETTLED}'
                                      ELSE '{CustodyEventKind.TRANSFERRED}' END
             )
         )
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
        models_={
            PROPOSALS_EXECUTED.name: ExchangeProposal,
            PROPOSALS_HANDOVER.name: OfferedCaptive,
            TRANSFERS_COMPLETED.name: TransferRequest,
        },
    )
