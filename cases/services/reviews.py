"""Non-refoulement reviews: recording and voiding them."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    NON_REFOULEMENT_REVIEW_RECORD,
    NON_REFOULEMENT_REVIEW_VOID,
    ReviewDecision,
)
from cases.models import (
    Captive,
    NonRefoulementReview,
)
from cases.services.common import User, _lock
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import (
    acting_person,
    history_save,
    void_check,
    void_record,
    void_rights_check,
)
from powtracker.steps import step_require
from powtracker.writes import service

# --- non-refoulement reviews -------------------------------------------------------------------


@service
def non_refoulement_review_record(
    *, acting_user: User, captive: Captive, destination: Any, decision: str, reasons: str
) -> NonRefoulementReview:
    """Record a supervisor's review of whether the captive may be sent to `destination`."""
    step_require(acting_user, NON_REFOULEMENT_REVIEW_RECORD)
    captive = _lock(captive)
    if not reasons.strip():
        raise RuleError(ErrorCode.REASON_REQUIRED, _("A review gives its reasons."))
    review = NonRefoulementReview(
        captive=captive,
        destination=destination,
        decision=ReviewDecision(decision),
        reasons=reasons.strip(),
        reviewed_by=acting_person(acting_user),
        reviewed_at=timezone.now(),
    )
    review.full_clean()
    history_save(review, acting_user=acting_user, reason=f"Review: {review.get_decision_display()}")
    return review


def non_refoulement_review_void_check(
    *, acting_user: User, review: NonRefoulementReview, reason: str
) -> None:
    """Say whether the acting user may void the review."""
    void_rights_check(acting_user=acting_user, author_id=review.reviewed_by_id)
    void_check(review, reason)


@service
def non_refoulement_review_void(
    *, acting_user: User, review: NonRefoulementReview, reason: str
) -> NonRefoulementReview:
    """Void a mistaken review: it no longer clears anyone."""
    step_require(acting_user, NON_REFOULEMENT_REVIEW_VOID)
    _lock(review.captive)
    review = NonRefoulementReview.objects.get(pk=review.pk)
    non_refoulement_review_void_check(acting_user=acting_user, review=review, reason=reason)
    void_record(review, acting_user=acting_user, reason=reason)
    return review
