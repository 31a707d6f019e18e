"""The repatriation gate (rule 1): may this captive be handed to that state, and if not, why not.

Sending a captive to the power he depends on needs his free wish to return; sending him to a third
state needs his free wish to defect to that state; anything else needs a supervisor's standing
non-refoulement review. An unassessed or doubtful statement is never consent, and a newer
statement not yet assessed suspends what older ones cleared: a man may change his mind until the
day of the handover.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from cases.choices import ReviewDecision, Voluntariness, Wish
from cases.models import Captive, NonRefoulementReview, WishStatement
from powtracker.errors import ErrorCode, RuleError


@dataclass(frozen=True)
class Clearance:
    """Whether a captive may be handed to `destination`, and the reason in a caseworker's words."""

    destination: Any
    cleared: bool
    reason: str


def _standing_review(captive: Captive, destination: Any) -> NonRefoulementReview | None:
    """The latest review for that state, unless he has said something new since it was made."""
    review = (
        NonRefoulementReview.objects.active()
        .filter(captive=captive, destination=destination)
        .select_related("reviewed_by")
        .order_by("-reviewed_at", "-id")
        .first()
    )
    if review is None:
        return None
    newer_statement = captive.wish_statements.active().filter(recorded_at__gt=review.reviewed_at)
    return None if newer_statement.exists() else review


def pending_statement(captive: Captive) -> WishStatement | None:
    """His newest statement that nobody has assessed yet and that is newer than his effective
    wish: until a supervisor assesses it, it suspends what the older statements cleared."""
    pending = captive.wish_statements.active().filter(voluntariness=Voluntariness.NOT_ASSESSED)
    effective = captive.effective_wish_statement
    if effective is not None:
        pending = pending.filter(
            Q(stated_at__gt=effective.stated_at)
            | Q(stated_at=effective.stated_at, pk__gt=effective.pk)
        )
    return pending.order_by("-stated_at", "-id").first()


def repatriation_clearance(*, captive: Captive, destination: Any) -> Clearance:
    """Decide whether `captive` may be handed to `destination`, and say why."""
    if destination is None:
        return Clearance(destination, False, _("no receiving state is named"))
    to_home = (
        captive.power_depended_on_id is not None and captive.power_depended_on_id == destination.pk
    )
    wished = (to_home and captive.effective_wish == Wish.RETURN) or (
        not to_home
        and captive.effective_wish == Wish.DEFECT
        and captive.effective_wish_destination_id == destination.pk
    )
    wanted = _("to return") if to_home else _("to go to %(state)s") % {"state": destination.code}
    pending = pending_statement(captive) if wished else None
    if wished and pending is None:
        return Clearance(destination, True, _("his free wish is %(wanted)s") % {"wanted": wanted})
    review = _standing_review(captive, destination)
    if review is not None and review.decision == ReviewDecision.CLEARED:
        by = review.reviewed_by.get_username() if review.reviewed_by else _("the system")
        return Clearance(
            destination,
            True,
            _("non-refoulement review by %(by)s on %(day)s")
            % {"by": by, "day": f"{review.reviewed_at:%Y-%m-%d}"},
        )
    if pending is not None:
        said = _(
            "his newer statement of %(day)s (“%(wish)s”) is not yet assessed, and until it is "
            "it suspends his earlier free wish %(wanted)s"
        ) % {
            "day": f"{pending.stated_at:%Y-%m-%d}",
            "wish": pending.get_wish_display(),
            "wanted": wanted,
        }
    elif captive.effective_wish_statement is None:
        said = _("no statement of his has been assessed as free")
    else:
        said = _("his free wish is not %(wanted)s") % {"wanted": wanted}
    refusal = (
        _("a review refused it") if review is not None else _("no non-refoulement review clears it")
    )
    return Clearance(
        destination, False, _("%(said)s, and %(refusal)s") % {"said": said, "refusal": refusal}
    )


def repatriation_require(*, captive: Captive, destination: Any) -> None:
    """Refuse the handover unless the gate clears it."""
    clearance = repatriation_clearance(captive=captive, destination=destination)
    if not clearance.cleared:
        raise RuleError(
            ErrorCode.REPATRIATION_NOT_CLEARED,
            _("%(case)s may not be handed to %(state)s: %(reason)s."),
            {
                "case": captive.case_number,
                "state": destination.code if destination else "—",
                "reason": clearance.reason,
            },
        )


def captive_clearances(captive: Captive) -> list[Clearance]:
    """The clearance for each state he could be handed to: his own, every involved state and
    every state a review was made for."""
    # Involvements belong to diplomacy; the reverse relation reads them without importing it.
    states = {inv.state for inv in captive.involvements.select_related("state")}
    states |= {
        r.destination
        for r in captive.non_refoulement_reviews.active().select_related("destination")
    }
    if captive.power_depended_on is not None:
        states.add(captive.power_depended_on)
    states.discard(captive.detaining_power)
    return [
        repatriation_clearance(captive=captive, destination=state)
        for state in sorted(states, key=lambda s: s.code)
    ]
