"""Every write about the diplomacy app's records, one module per subject: exchange proposals,
transfer requests, diplomatic contacts. A captive's involvements are written by cases.services,
the list of states by states.services.

Handing a captive over goes through the cases services, so the custody transition table and the
repatriation gate apply here exactly as everywhere else.
"""

from diplomacy.choices import (
    CONTACT_ADD,
    CONTACT_CHANGE,
    CONTACT_FIELDS,
    PROPOSAL_CHANGE,
    PROPOSAL_REOPEN,
    PROPOSAL_STEPS,
    PROPOSAL_TERMS_FIELDS,
    TRANSFER_CHANGE,
    TRANSFER_DETAILS_FIELDS,
    TRANSFER_STEPS,
)
from diplomacy.services.common import User
from diplomacy.services.contacts import diplomatic_contact_record, diplomatic_contact_update
from diplomacy.services.proposals import (
    exchange_inclusion_check,
    exchange_offer_add,
    exchange_offer_check,
    exchange_offer_set_inclusion,
    exchange_proposal_create,
    exchange_proposal_execute,
    exchange_proposal_execute_status_check,
    exchange_proposal_next_statuses,
    exchange_proposal_open_check,
    exchange_proposal_reopen,
    exchange_proposal_reopen_check,
    exchange_proposal_step,
    exchange_proposal_transition,
    exchange_proposal_update,
    exchange_request_add,
)
from diplomacy.services.transfers import (
    transfer_request_complete,
    transfer_request_create,
    transfer_request_next_statuses,
    transfer_request_step,
    transfer_request_transition,
    transfer_request_update,
)

__all__ = [
    "CONTACT_ADD",
    "CONTACT_CHANGE",
    "CONTACT_FIELDS",
    "PROPOSAL_CHANGE",
    "PROPOSAL_REOPEN",
    "PROPOSAL_STEPS",
    "PROPOSAL_TERMS_FIELDS",
    "TRANSFER_CHANGE",
    "TRANSFER_DETAILS_FIELDS",
    "TRANSFER_STEPS",
    "User",
    "diplomatic_contact_record",
    "diplomatic_contact_update",
    "exchange_inclusion_check",
    "exchange_offer_add",
    "exchange_offer_check",
    "exchange_offer_set_inclusion",
    "exchange_proposal_create",
    "exchange_proposal_execute",
    "exchange_proposal_execute_status_check",
    "exchange_proposal_next_statuses",
    "exchange_proposal_open_check",
    "exchange_proposal_reopen",
    "exchange_proposal_reopen_check",
    "exchange_proposal_step",
    "exchange_proposal_transition",
    "exchange_proposal_update",
    "exchange_request_add",
    "transfer_request_complete",
    "transfer_request_create",
    "transfer_request_next_statuses",
    "transfer_request_step",
    "transfer_request_transition",
    "transfer_request_update",
]
