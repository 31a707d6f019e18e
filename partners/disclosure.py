"""Minimum disclosure (rule 4): which cases a reader sees, and how much of each.

A partner sees a case only if its state is involved in it or the case is shared with it; the
level is the share's, else the partner's default. Whatever the level, a wish to defect — and every
contact and transfer request about such a captive — is never shown to the power he depends on or
to its ally. Staff signed in to the admin see everything.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Value

from cases.choices import Wish
from cases.models import Captive, WishStatement
from diplomacy.models import DiplomaticContact, ExchangeProposal, Involvement, TransferRequest
from partners.choices import DisclosureLevel, level_at_least
from partners.models import CaseShare, Partner


@dataclass(frozen=True)
class Viewer:
    """Who is reading: a partner with its scopes, or a staff user (partner None)."""

    partner: Partner | None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return self.partner is None

    def has_scope(self, scope: str) -> bool:
        return self.is_staff or scope in self.scopes


def viewer_for(request: Any) -> Viewer:
    token = getattr(request, "auth", None)
    partner = getattr(token, "partner", None)
    if partner is None:
        return Viewer(partner=None)
    return Viewer(partner=partner, scopes=frozenset(token.scope.split()))


def _has_defect_wish() -> Exists:
    return Exists(
        WishStatement.objects.filter(
            captive=OuterRef("pk"), wish=Wish.DEFECT, voided_at__isnull=True
        )
    )


def captives_for(viewer: Viewer, queryset: QuerySet[Captive] | None = None) -> QuerySet[Captive]:
    """The captives the viewer may see, annotated with `shared_level` (the level of an active
    share, if any), `state_involved` and `has_defect_wish` — what `captive_level` and
    `defect_hidden` read."""
    queryset = Captive.objects.all() if queryset is None else queryset
    queryset = queryset.annotate(has_defect_wish=_has_defect_wish())
    if viewer.is_staff:
        return queryset.annotate(
            shared_level=Value(DisclosureLevel.FULL), state_involved=Value(True)
        )
    partner = viewer.partner
    state_id = partner.state_id if partner.state_id else -1
    queryset = queryset.annotate(
        shared_level=Subquery(
            CaseShare.objects.filter(
                partner=partner, captive=OuterRef("pk"), voided_at__isnull=True
            ).values("level")[:1]
        ),
        state_involved=Exists(
            Involvement.objects.filter(captive=OuterRef("pk"), state_id=state_id)
        ),
    )
    return queryset.filter(Q(state_involved=True) | Q(shared_level__isnull=False))


def captive_level(viewer: Viewer, captive: Captive) -> str:
    """The level at which the viewer sees this (annotated) captive."""
    if viewer.is_staff:
        return DisclosureLevel.FULL
    return captive.shared_level or viewer.partner.default_level


def level_allows(viewer: Viewer, captive: Captive, wanted: str) -> bool:
    """Whether the viewer sees this (annotated) captive at `wanted` or above."""
    return level_at_least(captive_level(viewer, captive), wanted)


def is_hostile(viewer: Viewer, captive: Captive) -> bool:
    """Whether the viewer speaks for the power he depends on or its ally."""
    if viewer.is_staff or viewer.partner.state_id is None:
        return False
    return viewer.partner.state_id in {captive.power_depended_on_id, captive.allied_power_id}


def may_see_wishes(viewer: Viewer, captive: Captive) -> bool:
    return viewer.has_scope("wishes:read") and level_allows(viewer, captive, DisclosureLevel.FULL)


def defect_hidden(viewer: Viewer, captive: Captive) -> bool:
    """The hard rule: nothing about a defection reaches his own power or its ally."""
    return is_hostile(viewer, captive) and bool(getattr(captive, "has_defect_wish", True))


def _sensitive_captives(viewer: Viewer) -> QuerySet[Captive]:
    """Captives whose defection must be hidden from this viewer."""
    state_id = viewer.partner.state_id
    if state_id is None:
        return Captive.objects.none()
    return Captive.objects.filter(
        Q(power_depended_on_id=state_id) | Q(allied_power_id=state_id)
    ).filter(_has_defect_wish())


def _full_level_captives(viewer: Viewer) -> QuerySet[Captive]:
    """Captives the viewer sees in full (by a full share, or by default if its default is full)."""
    visible = captives_for(viewer)
    if viewer.partner.default_level == DisclosureLevel.FULL:
        return visible.filter(Q(shared_level=DisclosureLevel.FULL) | Q(shared_level__isnull=True))
    return visible.filter(shared_level=DisclosureLevel.FULL)


def contacts_for(viewer: Viewer) -> QuerySet[DiplomaticContact]:
    """Contacts a party to them, or a full-level reader of a captive they concern, may see —
    never one about a captive whose defection must be hidden from it."""
    contacts = DiplomaticContact.objects.all()
    if viewer.is_staff:
        return contacts
    state_id = viewer.partner.state_id or -1
    party = Q(from_state_id=state_id) | Q(to_state_id=state_id) | Q(intermediary_id=state_id)
    concerning = Q(captives__in=_full_level_captives(viewer))
    sensitive = DiplomaticContact.objects.filter(captives__in=_sensitive_captives(viewer))
    ids = contacts.filter(party | concerning).exclude(pk__in=sensitive.values("pk")).values("pk")
    return contacts.filter(pk__in=ids)


def transfers_for(viewer: Viewer) -> QuerySet[TransferRequest]:
    transfers = TransferRequest.objects.all()
    if viewer.is_staff:
        return transfers
    state_id = viewer.partner.state_id or -1
    visible = Q(requesting_state_id=state_id) | Q(captive__in=_full_level_captives(viewer))
    return transfers.filter(visible).exclude(captive__in=_sensitive_captives(viewer))


def proposals_for(viewer: Viewer) -> QuerySet[ExchangeProposal]:
    proposals = ExchangeProposal.objects.all()
    if viewer.is_staff:
        return proposals
    state_id = viewer.partner.state_id or -1
    return proposals.filter(
        Q(proposing_state_id=state_id) | Q(counterpart_state_id=state_id) | Q(mediator_id=state_id)
    )


def level_q(viewer: Viewer, wanted: str) -> Q:
    """A filter on an annotated captive queryset: the captives seen at `wanted` or above."""
    if viewer.is_staff:
        return Q()
    levels = [lvl for lvl in DisclosureLevel.values if level_at_least(lvl, wanted)]
    by_share = Q(shared_level__in=levels)
    if level_at_least(viewer.partner.default_level, wanted):
        return by_share | Q(shared_level__isnull=True)
    return by_share


def wishes_q(viewer: Viewer) -> Q:
    """The captives whose wishes this viewer may see (so filtering by wish reveals nothing)."""
    if viewer.is_staff:
        return Q()
    if not viewer.has_scope("wishes:read"):
        return Q(pk__in=[])
    state_id = viewer.partner.state_id or -1
    hostile_defect = Q(has_defect_wish=True) & (
        Q(power_depended_on_id=state_id) | Q(allied_power_id=state_id)
    )
    return level_q(viewer, DisclosureLevel.FULL) & ~hostile_defect
