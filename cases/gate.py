"""The repatriation gate (rule 1): may this captive be handed to that state, and if not, why not.

Sending a captive to the power he depends on needs his free wish to return; sending him to a third
state needs his free wish to defect to that state; anything else needs a supervisor's standing
non-refoulement review. An unassessed or doubtful statement is never consent, and a newer
statement not yet assessed suspends what older ones cleared: a man may change his mind until the
day of the handover.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from cases.choices import ReviewDecision, Voluntariness, Wish
from cases.dates import local_day
from cases.models import Captive, NonRefoulementReview, WishStatement
from powtracker.errors import ErrorCode, RuleError


@dataclass(frozen=True)
class Clearance:
    """Whether a captive may be handed to `destination`, and the reason in a caseworker's words."""

    destination: Any
    cleared: bool
    reason: str


def _standing_reviews(
    pairs: Sequence[tuple[Captive, Any]],
) -> dict[tuple[int, int], NonRefoulementReview]:
    """For each (captive, destination): the latest review for that state, unless he has said
    something new since it was made. Three queries, however many pairs."""
    captive_ids = {captive.pk for captive, _destination in pairs}
    destination_ids = {destination.pk for _captive, destination in pairs}
    latest: dict[tuple[int, int], NonRefoulementReview] = {}
    for review in (
        NonRefoulementReview.objects.active()
        .filter(captive_id__in=captive_ids, destination_id__in=destination_ids)
        .select_related("reviewed_by")
        .order_by("-reviewed_at", "-id")
    ):
        latest.setdefault((review.captive_id, review.destination_id), review)
    if not latest:
        return {}
    last_said = dict(
        WishStatement.objects.active()
        .filter(captive_id__in={captive_id for captive_id, _ in latest})
        .values("captive_id")
        .annotate(last=Max("recorded_at"))
        .values_list("captive_id", "last")
    )
    return {
        key: review
        for key, review in latest.items()
        if last_said.get(key[0]) is None or last_said[key[0]] <= review.reviewed_at
    }


def pending_statements(captives: Sequence[Captive]) -> dict[int, WishStatement]:
    """For each captive, his newest statement that nobody has assessed yet and that is newer
    than his effective wish: until a supervisor assesses it, it suspends what the older
    statements cleared. Captives without one are left out. Two queries, however many captives."""
    unassessed: dict[int, list[WishStatement]] = defaultdict(list)
    for statement in WishStatement.objects.active().filter(
        captive_id__in={c.pk for c in captives}, voluntariness=Voluntariness.NOT_ASSESSED
    ):
        unassessed[statement.captive_id].append(statement)
    if not unassessed:
        return {}
    effective = {
        pk: (stated_at, pk)
        for pk, stated_at in WishStatement.objects.filter(
            pk__in={c.effective_wish_statement_id for c in captives if c.pk in unassessed}
        ).values_list("pk", "stated_at")
    }
    pending = {}
    for captive in captives:
        since = effective.get(captive.effective_wish_statement_id)
        newer = [
            statement
            for statement in unassessed.get(captive.pk, [])
            if since is None or (statement.stated_at, statement.pk) > since
        ]
        if newer:
            pending[captive.pk] = max(newer, key=lambda s: (s.stated_at, s.pk))
    return pending


def pending_statement(captive: Captive) -> WishStatement | None:
    """His newest statement not yet assessed that suspends his effective wish (see
    pending_statements)."""
    return pending_statements([captive]).get(captive.pk)


def _clearance(
    captive: Captive,
    destination: Any,
    *,
    pending: WishStatement | None,
    review: NonRefoulementReview | None,
) -> Clearance:
    """The gate's decision for one captive and state, given his pending statement and the
    standing review for that state."""
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
    pending = pending if wished else None
    if wished and pending is None:
        return Clearance(destination, True, _("his free wish is %(wanted)s") % {"wanted": wanted})
    if review is not None and review.decision == ReviewDecision.CLEARED:
        by = review.reviewed_by.get_username() if review.reviewed_by else _("the system")
        return Clearance(
            destination,
            True,
            _("non-refoulement review by %(by)s on %(day)s")
            % {"by": by, "day": local_day(review.reviewed_at)},
        )
    if pending is not None:
        said = _(
            "his newer statement of %(day)s (“%(wish)s”) is not yet assessed, and until it is "
            "it suspends his earlier free wish %(wanted)s"
        ) % {
            "day": local_day(pending.stated_at),
            "wish": pending.get_wish_display(),
            "wanted": wanted,
        }
    elif captive.effective_wish_statement_id is None:
        said = _("no statement of his has been assessed as free")
    else:
        said = _("his free wish is not %(wanted)s") % {"wanted": wanted}
    refusal = (
        _("a review refused it") if review is not None else _("no non-refoulement review clears it")
    )
    return Clearance(
        destination, False, _("%(said)s, and %(refusal)s") % {"said": said, "refusal": refusal}
    )


def repatriation_clearances(pairs: Sequence[tuple[Captive, Any]]) -> list[Clearance]:
    """Decide, for each (captive, destination), whether he may be handed to that state, and
    say why: the same decision as repatriation_clearance, in a few queries for any number."""
    named = [(captive, destination) for captive, destination in pairs if destination is not None]
    pending = pending_statements([captive for captive, _destination in named]) if named else {}
    reviews = _standing_reviews(named) if named else {}
    return [
        _clearance(
            captive,
            destination,
            pending=pending.get(captive.pk),
            review=reviews.get((captive.pk, destination.pk)) if destination is not None else None,
        )
        for captive, destination in pairs
    ]


def repatriation_clearance(*, captive: Captive, destination: Any) -> Clearance:
    """Decide whether `captive` may be handed to `destination`, and say why."""
    return repatriation_clearances([(captive, destination)])[0]


def repatriation_refusal(captive: Captive, clearance: Clearance) -> RuleError | None:
    """The refusal of a handover the gate does not clear, naming him, the state and why."""
    if clearance.cleared:
        return None
    return RuleError(
        ErrorCode.REPATRIATION_NOT_CLEARED,
        _("%(case)s may not be handed to %(state)s: %(reason)s."),
        {
            "case": captive.case_number,
            "state": clearance.destination.code if clearance.destination else "—",
            "reason": clearance.reason,
        },
    )


def repatriation_require(*, captive: Captive, destination: Any) -> None:
    """Refuse the handover unless the gate clears it."""
    refusal = repatriation_refusal(
        captive, repatriation_clearance(captive=captive, destination=destination)
    )
    if refusal is not None:
        raise refusal


def captive_clearances(captive: Captive) -> list[Clearance]:
    """The clearance for each state he could be handed to: his own, every involved state and
    every state a review was made for."""
    states = {inv.state for inv in captive.involvements.select_related("state")}
    states |= {
        r.destination
        for r in captive.non_refoulement_reviews.active().select_related("destination")
    }
    if captive.power_depended_on is not None:
        states.add(captive.power_depended_on)
    states.discard(captive.detaining_power)
    return repatriation_clearances(
        [(captive, state) for state in sorted(states, key=lambda s: s.code)]
    )
