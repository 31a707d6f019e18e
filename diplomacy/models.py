"""What passes between states about captives: proposals, contacts, transfers."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from diplomacy.choices import (
    Classification,
    ContactChannel,
    InclusionStatus,
    ProposalStatus,
    TransferKind,
    TransferStatus,
)
from powtracker.disclosed import DisclosedChangeModel
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel
from states.models import State


class ExchangeProposal(DisclosedChangeModel, PermanentModel):
    """A proposed swap of captives offered for persons requested in return."""

    title = models.CharField(_("title"), max_length=200)
    proposing_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="proposals_made",
        verbose_name=_("proposing state"),
    )
    counterpart_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="proposals_received",
        verbose_name=_("counterpart state"),
    )
    mediator = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals_mediated",
        verbose_name=_("mediator"),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DRAFT,
        editable=False,
    )
    terms = models.TextField(_("terms"), blank=True)
    proposed_on = models.DateField(_("proposed on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    executed_on = models.DateField(_("executed on"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange proposal")
        verbose_name_plural = _("exchange proposals")
        ordering = ["-proposed_on", "-id"]
        permissions = [
            ("agree_exchangeproposal", "Can agree an exchange proposal"),
            ("execute_exchangeproposal", "Can execute an agreed exchange"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(proposing_state=F("counterpart_state")),
                name="diplomacy_exchangeproposal_distinct_parties",
            ),
            models.CheckConstraint(
                condition=Q(mediator__isnull=True)
                | (~Q(mediator=F("proposing_state")) & ~Q(mediator=F("counterpart_state"))),
                name="diplomacy_exchangeproposal_mediator_is_third",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="diplomacy_proposal_status_idx")]

    def __str__(self) -> str:
        return self.title


class OfferedCaptive(PermanentModel):
    """A captive offered in a proposal, with his own inclusion status and its reason."""

    proposal = models.ForeignKey(
        ExchangeProposal,
        on_delete=models.PROTECT,
        related_name="offered_captives",
        verbose_name=_("proposal"),
    )
    captive = models.ForeignKey(
        "cases.Captive",
        on_delete=models.PROTECT,
        related_name="exchange_offers",
        verbose_name=_("captive"),
    )
    inclusion_status = models.CharField(
        _("inclusion status"),
        max_length=16,
        choices=InclusionStatus.choices,
        default=InclusionStatus.INCLUDED,
    )
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("offered captive")
        verbose_name_plural = _("offered captives")
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "captive"], name="diplomacy_offeredcaptive_unique_captive"
            ),
            models.CheckConstraint(
                condition=Q(inclusion_status=InclusionStatus.INCLUDED)
                | Q(inclusion_status=InclusionStatus.HANDED_OVER)
                | ~Q(reason=""),
                name="diplomacy_offeredcaptive_exclusion_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.captive} ({self.get_inclusion_status_display().lower()})"


class RequestedPerson(PermanentModel):
    """Persons asked for in return: one named person, or a group of a given (or unknown) size.

    They are usually held by the other side and are not captives in this system.
    """

    proposal = models.ForeignKey(
        ExchangeProposal,
        on_delete=models.PROTECT,
        related_name="requested_persons",
        verbose_name=_("proposal"),
    )
    name = models.CharField(
        _("name"), max_length=200, blank=True, help_text=_("Blank for an unnamed group.")
    )
    count = models.PositiveIntegerField(
        _("count"),
        null=True,
        blank=True,
        help_text=_("How many; blank when the number is unspecified."),
    )
    description = models.TextField(_("description"), blank=True)
    held_by = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("requested person")
        verbose_name_plural = _("requested persons")
        ordering = ["proposal", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(name="") | Q(count=1),
                name="diplomacy_requestedperson_named_counts_one",
            ),
            models.CheckConstraint(
                condition=~Q(name="") | ~Q(description=""),
                name="diplomacy_requestedperson_group_described",
            ),
            models.CheckConstraint(
                condition=Q(count__isnull=True) | Q(count__gte=1),
                name="diplomacy_requestedperson_count_positive",
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        if self.count:
            return ngettext(
                "%(description)s (%(count)d person)",
                "%(description)s (%(count)d persons)",
                self.count,
            ) % {"description": self.description, "count": self.count}
        return gettext("%(description)s (number unspecified)") % {"description": self.description}


class DiplomaticContact(DisclosedChangeModel, PermanentModel):
    """A recorded contact between states about cases."""

    UNDISCLOSED_FIELDS = frozenset({"updated_at", "notes", "recorded_by"})

    from_state = models.ForeignKey(
        State, on_delete=models.PROTECT, related_name="contacts_made", verbose_name=_("from state")
    )
    to_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="contacts_received",
        verbose_name=_("to state"),
    )
    intermediary = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts_relayed",
        verbose_name=_("intermediary"),
    )
    channel = models.CharField(_("channel"), max_length=24, choices=ContactChannel.choices)
    occurred_on = models.DateField(_("occurred on"))
    from_party = models.CharField(
        _("who"),
        max_length=200,
        blank=True,
        help_text=_("Office or official on the initiating side."),
    )
    to_party = models.CharField(
        _("with whom"), max_length=200, blank=True, help_text=_("Office or official contacted.")
    )
    summary = models.TextField(_("summary"))
    captives = models.ManyToManyField(
        "cases.Captive", blank=True, related_name="contacts", verbose_name=_("captives")
    )
    proposal = models.ForeignKey(
        ExchangeProposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("proposal"),
    )
    classification = models.CharField(
        _("classification"),
        max_length=16,
        choices=Classification.choices,
        default=Classification.RESTRICTED,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(m2m_fields=["captives"])

    class Meta:
        verbose_name = _("diplomatic contact")
        verbose_name_plural = _("diplomatic contacts")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_state=F("to_state")),
                name="diplomacy_diplomaticcontact_distinct_parties",
            ),
            models.CheckConstraint(
                condition=Q(channel=ContactChannel.INTERMEDIARY, intermediary__isnull=False)
                | (~Q(channel=ContactChannel.INTERMEDIARY) & Q(intermediary__isnull=True)),
                name="diplomacy_diplomaticcontact_intermediary_iff_channel",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_on}: {self.from_state.code} → {self.to_state.code} "
            f"({self.get_channel_display().lower()})"
        )


class TransferRequest(DisclosedChangeModel, PermanentModel):
    """A state's request or offer to take custody of a captive."""

    captive = models.ForeignKey(
        "cases.Captive",
        on_delete=models.PROTECT,
        related_name="transfer_requests",
        verbose_name=_("captive"),
    )
    requesting_state = models.ForeignKey(
        State,
        on_delete=models.PROTECT,
        related_name="transfer_requests",
        verbose_name=_("requesting state"),
    )
    kind = models.CharField(
        _("kind"), max_length=24, choices=TransferKind.choices, default=TransferKind.RESETTLEMENT
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TransferStatus.choices,
        default=TransferStatus.INTENT_STATED,
        editable=False,
    )
    basis = models.TextField(
        _("basis"),
        blank=True,
        help_text=_("On what grounds the state asks, e.g. constitutional citizenship."),
    )
    stated_on = models.DateField(_("stated on"), null=True, blank=True)
    requested_on = models.DateField(_("requested on"), null=True, blank=True, editable=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ["-stated_on", "-id"]
        permissions = [("approve_transferrequest", "Can approve, reject and complete transfers")]
        indexes = [models.Index(fields=["status"], name="diplomacy_transfer_status_idx")]

    def __str__(self) -> str:
        return gettext("%(state)s for %(captive)s (%(status)s)") % {
            "state": self.requesting_state.code,
            "captive": self.captive,
            "status": self.get_status_display(),
        }
