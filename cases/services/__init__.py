"""Every write to a case, one module per subject; callers import from here.

Each function is one transaction that checks the acting user's role, locks the captive, checks
the rule, saves and leaves history with the acting user.
"""

from cases.choices import DOCUMENTS_FULFILLING, EVENT_OBLIGATIONS
from cases.services.common import captive_writable_check
from cases.services.custody import (
    _captive_sync_custody,
    custody_event_check,
    custody_event_record,
    custody_event_void,
    custody_event_void_check,
    custody_events_record,
    custody_timeline_check,
    handover_destination,
)
from cases.services.duplicates import duplicate_decide
from cases.services.involvements import (
    _captive_powers_sync,
    _involvement_check,
    captive_powers_initial,
    captive_powers_involve,
    captive_powers_set,
    involvement_record,
    involvement_update,
)
from cases.services.media import media_record_create, media_record_update
from cases.services.names import captive_name_add, captive_name_update
from cases.services.obligations import (
    event_duty_kinds,
    obligation_fulfil,
    obligation_notes_update,
    obligation_record,
)
from cases.services.registration import (
    captive_register,
    captive_register_check,
    captive_update,
)
from cases.services.reviews import (
    non_refoulement_review_record,
    non_refoulement_review_void,
    non_refoulement_review_void_check,
)
from cases.services.wishes import (
    _captive_sync_wishes,
    wish_statement_assess,
    wish_statement_check,
    wish_statement_record,
    wish_statement_void,
    wish_statement_void_check,
)

__all__ = [
    "DOCUMENTS_FULFILLING",
    "EVENT_OBLIGATIONS",
    "_captive_powers_sync",
    "_captive_sync_custody",
    "_captive_sync_wishes",
    "_involvement_check",
    "captive_name_add",
    "captive_name_update",
    "captive_powers_initial",
    "captive_powers_involve",
    "captive_powers_set",
    "captive_register",
    "captive_register_check",
    "captive_update",
    "captive_writable_check",
    "custody_event_check",
    "custody_event_record",
    "custody_event_void",
    "custody_event_void_check",
    "custody_events_record",
    "custody_timeline_check",
    "duplicate_decide",
    "event_duty_kinds",
    "handover_destination",
    "involvement_record",
    "involvement_update",
    "media_record_create",
    "media_record_update",
    "non_refoulement_review_record",
    "non_refoulement_review_void",
    "non_refoulement_review_void_check",
    "obligation_fulfil",
    "obligation_notes_update",
    "obligation_record",
    "wish_statement_assess",
    "wish_statement_check",
    "wish_statement_record",
    "wish_statement_void",
    "wish_statement_void_check",
]
