"""Reads about proposals: the balance of an exchange, who must go home regardless of it, whom
the repatriation gate clears for the counterpart, and the open proposals a captive is on."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cases.choices import Health
from cases.gate import Clearance, repatriation_clearances
from cases.models import Captive
from diplomacy.choices import FINAL_PROPOSAL_STATUSES, InclusionStatus
from diplomacy.models import ExchangeProposal, OfferedCaptive

PRIORITY_HEALTH = (Health.SERIOUSLY_WOUNDED, Health.SERIOUSLY_SICK)


@dataclass
class ExchangeBalance:
    """Offered against requested, and the captives GC III Arts. 109-110 send home regardless."""

    offered_included: int = 0
    offered_other: int = 0
    requested_named: int = 0
    requested_counted: int = 0
    requested_unspecified: bool = False
    priority_captives: list[Captive] = field(default_factory=list)

    def __str__(self) -> str:
        return " ".join([self.offered_text(), self.requested_text(), *self.priority_text()])

    def offered_text(self) -> str:
        return _("Offered: %(included)d included (%(other)d excluded or withdrawn).") % {
            "included": self.offered_included,
            "other": self.offered_other,
        }

    def requested_text(self) -> str:
        """The requested side in words: a group of unspecified size is said as such, never
        counted as a number, and "named" only where someone is."""
        counts = {
            "total": self.requested_named + self.requested_counted,
            "named": self.requested_named,
        }
        if self.requested_unspecified:
            if not counts["total"]:
                return _("Requested: a group of unspecified size.")
            if counts["named"]:
                text = _("Requested: %(total)d (%(named)d named) and a group of unspecified size.")
            else:
                text = _("Requested: %(total)d and a group of unspecified size.")
        elif not counts["total"]:
            return _("Requested: nobody yet.")
        elif counts["named"]:
            text = _("Requested: %(total)d (%(named)d named).")
        else:
            text = _("Requested: %(total)d.")
        return text % counts

    def priority_text(self) -> list[str]:
        if not self.priority_captives:
            return []
        names = ", ".join(c.case_number for c in self.priority_captives)
        return [
            _(
                "Seriously wounded or sick, to be repatriated regardless of numbers "
                "(GC III Arts. 109-110): %(names)s."
            )
            % {"names": names}
        ]


def captive_proposals_open(captive: Captive) -> list[ExchangeProposal]:
    """The exchange proposals not yet final that he is included in, oldest first (the case
    page's summary flags them)."""
    offers = (
        OfferedCaptive.objects.filter(captive=captive, inclusion_status=InclusionStatus.INCLUDED)
        .exclude(proposal__status__in=FINAL_PROPOSAL_STATUSES)
        .select_related("proposal__counterpart_state")
        .order_by("proposal_id")
    )
    return [offer.proposal for offer in offers]


def exchange_proposal_balance(
    proposal: ExchangeProposal, offers: Iterable[OfferedCaptive] | None = None
) -> ExchangeBalance:
    """Count both sides of a proposal and flag the seriously wounded or sick on it; `offers`
    limits the count to those a reader may see.

    Uses `.all()` so that a list's prefetch of `offered_captives__captive` and
    `requested_persons` serves every row without further queries.
    """
    balance = ExchangeBalance()
    offers = sorted(
        proposal.offered_captives.all() if offers is None else offers,
        key=lambda o: o.captive.case_number,
    )
    for offer in offers:
        if offer.inclusion_status in {InclusionStatus.INCLUDED, InclusionStatus.HANDED_OVER}:
            balance.offered_included += 1
        else:
            balance.offered_other += 1
        if offer.captive.health in PRIORITY_HEALTH:
            balance.priority_captives.append(offer.captive)
    for person in proposal.requested_persons.all():
        if person.name:
            balance.requested_named += 1
        elif person.count is None:
            balance.requested_unspecified = True
        else:
            balance.requested_counted += person.count
    return balance


@dataclass(frozen=True)
class ExchangeClearances:
    """The gate's decision for each offered captive not yet handed over (by offer id), and how
    many of the included ones it clears."""

    state: object
    by_offer: dict[int, Clearance]
    included: int
    cleared: int
    # The case numbers of the included captives it does not clear.
    not_cleared: list[str]


def exchange_proposal_clearances(proposal: ExchangeProposal) -> ExchangeClearances | None:
    """Whether the repatriation gate clears each offered captive for the counterpart state, and
    why: the decision the execution takes (cases.gate.repatriation_clearances), in a few queries
    for the whole list. None once the proposal is final: nobody more is handed over by it."""
    if proposal.status in FINAL_PROPOSAL_STATUSES:
        return None
    offers = list(
        OfferedCaptive.objects.filter(proposal=proposal)
        .exclude(inclusion_status=InclusionStatus.HANDED_OVER)
        .select_related("captive")
        .order_by("id")
    )
    state = proposal.counterpart_state
    decided = repatriation_clearances([(offer.captive, state) for offer in offers])
    by_offer = {offer.pk: clearance for offer, clearance in zip(offers, decided, strict=True)}
    included = [o for o in offers if o.inclusion_status == InclusionStatus.INCLUDED]
    return ExchangeClearances(
        state=state,
        by_offer=by_offer,
        included=len(included),
        cleared=sum(1 for o in included if by_offer[o.pk].cleared),
        not_cleared=[o.captive.case_number for o in included if not by_offer[o.pk].cleared],
    )
