"""Which diplomacy records a reader may read: exchange proposals, transfer requests and contacts
between states. Built on the captive rules of partners.disclosure (hostility, levels), which they
do not restate."""

from django.db.models import Q, QuerySet

from cases.models import Captive
from diplomacy.models import DiplomaticContact, ExchangeProposal, TransferRequest
from partners.choices import DisclosureLevel
from partners.disclosure import Viewer, captives_for, hostile_q, level_q


def _full_level_captives(viewer: Viewer) -> QuerySet[Captive]:
    """Captives the viewer sees in full and is not hostile to: those whose contacts and transfer
    requests it may read although its state is not a party to them."""
    return captives_for(viewer).filter(level_q(viewer, DisclosureLevel.FULL), viewer_hostile=False)


def contacts_for(viewer: Viewer) -> QuerySet[DiplomaticContact]:
    """Contacts its state is a party to; and contacts about captives it sees in full — unless
    one of them is a captive it is hostile to."""
    contacts = DiplomaticContact.objects.all()
    if viewer.is_staff:
        return contacts
    state_id = viewer.state_id
    party = Q(from_state_id=state_id) | Q(to_state_id=state_id) | Q(intermediary_id=state_id)
    about_hostile = DiplomaticContact.objects.filter(
        captives__in=Captive.objects.filter(hostile_q(viewer))
    ).values("pk")
    concerning = Q(captives__in=_full_level_captives(viewer)) & ~Q(pk__in=about_hostile)
    return contacts.filter(pk__in=contacts.filter(party | concerning).values("pk"))


def transfers_for(viewer: Viewer) -> QuerySet[TransferRequest]:
    """Its own state's requests; and others' requests about captives it sees in full and is not
    hostile to."""
    transfers = TransferRequest.objects.all()
    if viewer.is_staff:
        return transfers
    return transfers.filter(
        Q(requesting_state_id=viewer.state_id) | Q(captive__in=_full_level_captives(viewer))
    )


def proposals_for(viewer: Viewer) -> QuerySet[ExchangeProposal]:
    proposals = ExchangeProposal.objects.all()
    if viewer.is_staff:
        return proposals
    state_id = viewer.state_id
    return proposals.filter(
        Q(proposing_state_id=state_id) | Q(counterpart_state_id=state_id) | Q(mediator_id=state_id)
    )
