"""The repatriation gate (rule 1): may this captive be handed to that state, and if not, why not.

Sending a captive to the power he depends on needs his free wish to return; sending him to a third
state needs his free wish to defect to that state; anything else needs a supervisor's standing
non-refoulement review. An unassessed or doubtful statement is never consent.
"""

from dataclasses import dataclass
from typing import Any

from cases.choices import ReviewDecision, Wish
from cases.models import Captive, NonRefoulementReview
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


def repatriation_clearance(*, captive: Captive, destination: Any) -> Clearance:
    """Decide whether `captive` may be handed to `destination`, and say why."""
    if destination is None:
        return Clearance(destination, False, "no receiving state is named")
    to_home = (
        captive.power_depended_on_id is not None and captive.power_depended_on_id == destination.pk
    )
    if to_home and captive.effective_wish == Wish.RETURN:
        return Clearance(destination, True, "his free wish is to return")
    if (
        not to_home
        and captive.effective_wish == Wish.DEFECT
        and captive.effective_wish_destination_id == destination.pk
    ):
        return Clearance(destination, True, f"his free wish is to go to {destination.code}")
    review = _standing_review(captive, destination)
    if review is not None and review.decision == ReviewDecision.CLEARED:
        by = review.reviewed_by.get_username() if review.reviewed_by else "the system"
        return Clearance(
            destination,
            True,
            f"non-refoulement review by {by} on {review.reviewed_at:%Y-%m-%d}",
        )
    wanted = "to return" if to_home else f"to go to {destination.code}"
    if captive.effective_wish_statement is None:
        said = "no statement of his has been assessed as free"
    else:
        said = f"his free wish is not {wanted}"
    refusal = "a review refused it" if review is not None else "no non-refoulement review clears it"
    return Clearance(destination, False, f"{said}, and {refusal}")


def repatriation_require(*, captive: Captive, destination: Any) -> None:
    """Refuse the handover unless the gate clears it."""
    clearance = repatriation_clearance(captive=captive, destination=destination)
    if not clearance.cleared:
        raise RuleError(
            ErrorCode.REPATRIATION_NOT_CLEARED,
            "%(case)s may not be handed to %(state)s: %(reason)s.",
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
