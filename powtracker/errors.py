"""Stable error codes and the exception every service raises when a rule refuses a change."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class ErrorCode(models.TextChoices):
    TRANSITION_NOT_ALLOWED = "transition_not_allowed", _("Transition not allowed")
    TIMELINE_BROKEN = "timeline_broken", _("Voiding would break the custody timeline")
    EVENT_IN_FUTURE = "event_in_future", _("Event dated in the future")
    ALREADY_VOIDED = "already_voided", _("Already voided")
    VOID_REASON_REQUIRED = "void_reason_required", _("A reason is required to void")
    HARD_DELETE_FORBIDDEN = "hard_delete_forbidden", _("Records are never deleted")
    PERMISSION_DENIED = "permission_denied", _("Your role may not do this")
    REPATRIATION_NOT_CLEARED = "repatriation_not_cleared", _("Not cleared to be handed over")
    DESTINATION_REQUIRED = "destination_required", _("A handover names the receiving state")
    NOT_IN_CUSTODY = "not_in_custody", _("Not held by the proposing state")
    ALREADY_FULFILLED = "already_fulfilled", _("Obligation already fulfilled")
    REFERENCE_REQUIRED = "reference_required", _("A reference is required")
    REASON_REQUIRED = "reason_required", _("A reason is required")
    DATE_BEFORE_GC3 = "date_before_gc3", _("Dated before the Third Geneva Convention")
    DATE_BEFORE_CAPTURE = "date_before_capture", _("Dated before the capture")
    INVALID = "invalid", _("Invalid data")
    EXPORT_PASSWORD_REQUIRED = "export_password_required", _("The export needs a (longer) password")
    NOTHING_SELECTED = "nothing_selected", _("Nothing to print")
    TOO_MANY = "too_many", _("Too many for one document")
    DOCUMENT_MISMATCH = "document_mismatch", _("The document does not cover this obligation")
    LINKED_DUPLICATE = "linked_duplicate", _("A linked duplicate is read-only")
    ALREADY_DECIDED = "already_decided", _("This pair was decided already")
    POWER_ALREADY_RECORDED = "power_already_recorded", _("Another state already holds this role")
    WORKBOOK_TOO_COSTLY = "workbook_too_costly", _("The workbook would cost too much to read")
    WEBHOOK_URL_REFUSED = "webhook_url_refused", _("This address may not receive webhooks")
    ROTATION_IN_PROGRESS = "rotation_in_progress", _("A secret's rotation is under way")


class RuleError(ValidationError):
    """A domain rule refused a change. Carries a stable `code` that the admin and API show."""

    def __init__(self, code: ErrorCode, message: str, params: dict[str, Any] | None = None):
        super().__init__(message, code=str(code), params=params)
        self.error_code = code
