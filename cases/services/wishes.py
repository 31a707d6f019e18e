"""Wish statements: recording, voiding and assessing what a captive said he wants."""

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    WISH_STATEMENT_ASSESS,
    WISH_STATEMENT_RECORD,
    WISH_STATEMENT_VOID,
    WISH_STATEMENT_VOID_ASSESSED,
    Voluntariness,
)
from cases.dates import case_date_check, not_future_check
from cases.models import (
    Captive,
    WishStatement,
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

# --- wishes ------------------------------------------------------------------------------------


def wish_statement_check(*, stated_at: datetime, captive: Captive | None = None) -> None:
    """Refuse a statement dated in the future, before GC III or before the captive's capture
    (its other rules are the model's constraints)."""
    not_future_check(stated_at, what=_("the statement's date"))
    case_date_check(
        stated_at,
        what=_("the statement's date"),
        captured_on=captive.captured_on if captive is not None else None,
    )


def _captive_sync_wishes(captive: Captive, *, acting_user: User, reason: str) -> None:
    active = captive.wish_statements.active().order_by("-stated_at", "-id")
    latest = active.first()
    effective = active.filter(voluntariness=Voluntariness.FREE).first()
    captive.latest_wish_statement = latest
    captive.effective_wish_statement = effective
    captive.effective_wish = effective.wish if effective else ""
    captive.effective_wish_destination = effective.destination if effective else None
    history_save(
        captive,
        acting_user=acting_user,
        reason=reason,
        update_fields=[
            "latest_wish_statement",
            "effective_wish_statement",
            "effective_wish",
            "effective_wish_destination",
            "updated_at",
        ],
    )


@service
def wish_statement_record(
    *,
    acting_user: User,
    captive: Captive,
    wish: str,
    stated_at: datetime,
    mode: str,
    destination: Any = None,
    voluntariness: str = Voluntariness.NOT_ASSESSED,
    **details: Any,
) -> WishStatement:
    """Record what the captive said. It supersedes the statement before it; nothing is edited.

    Recording it with an assessment of voluntariness is a supervisor's decision.
    """
    step_require(acting_user, WISH_STATEMENT_RECORD)
    if voluntariness != Voluntariness.NOT_ASSESSED:
        step_require(acting_user, WISH_STATEMENT_ASSESS)
    captive = _lock(captive)
    wish_statement_check(stated_at=stated_at, captive=captive)
    previous = (
        captive.wish_statements.active()
        .filter(stated_at__lte=stated_at)
        .order_by("-stated_at", "-id")
        .first()
    )
    assessed = voluntariness != Voluntariness.NOT_ASSESSED
    statement = WishStatement(
        captive=captive,
        wish=wish,
        destination=destination,
        stated_at=stated_at,
        mode=mode,
        voluntariness=voluntariness,
        assessed_by=acting_person(acting_user) if assessed else None,
        assessed_at=timezone.now() if assessed else None,
        supersedes=previous,
        recorded_by=acting_person(acting_user),
        **details,
    )
    statement.full_clean()
    history_save(statement, acting_user=acting_user, reason="Recorded")
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement recorded")
    return statement


def wish_statement_void_check(*, acting_user: User, statement: WishStatement, reason: str) -> None:
    """Say whether the acting user may void the statement: a partner only its own, and an
    assessed statement only a supervisor, since voiding it may change his effective wish."""
    assessed = statement.voluntariness != Voluntariness.NOT_ASSESSED
    void_rights_check(
        acting_user=acting_user,
        author_id=statement.recorded_by_id,
        decision=WISH_STATEMENT_VOID_ASSESSED if assessed else None,
    )
    void_check(statement, reason)


@service
def wish_statement_void(
    *, acting_user: User, statement: WishStatement, reason: str
) -> WishStatement:
    """Void a mistaken statement; the effective wish is computed again without it."""
    step_require(acting_user, WISH_STATEMENT_VOID)
    captive = _lock(statement.captive)
    statement = WishStatement.objects.get(pk=statement.pk)
    wish_statement_void_check(acting_user=acting_user, statement=statement, reason=reason)
    void_record(statement, acting_user=acting_user, reason=reason)
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement voided")
    return statement


@service
def wish_statement_assess(
    *, acting_user: User, statement: WishStatement, voluntariness: str, notes: str = ""
) -> WishStatement:
    """Record a supervisor's assessment of how freely a statement was made.

    What he said is not touched; the assessment decides whether the statement counts as consent.
    """
    step_require(acting_user, WISH_STATEMENT_ASSESS)
    captive = _lock(statement.captive)
    statement = WishStatement.objects.get(pk=statement.pk)
    if statement.is_voided:
        raise RuleError(ErrorCode.ALREADY_VOIDED, _("A voided statement cannot be assessed."))
    statement.voluntariness = voluntariness
    statement.assessment_notes = notes
    assessed = voluntariness != Voluntariness.NOT_ASSESSED
    statement.assessed_by = acting_person(acting_user) if assessed else None
    statement.assessed_at = timezone.now() if assessed else None
    statement.full_clean()
    history_save(
        statement,
        acting_user=acting_user,
        reason=f"Assessed: {statement.get_voluntariness_display()}",
        update_fields=["voluntariness", "assessment_notes", "assessed_by", "assessed_at"],
    )
    _captive_sync_wishes(captive, acting_user=acting_user, reason="Wish statement assessed")
    return statement
