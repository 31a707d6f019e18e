"""Partners (OAuth2 clients), the cases shared with them, and the ledger of what they read."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from partners.choices import DisclosureLevel, PartnerKind
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel, VoidableModel


class Partner(PermanentModel):
    """An organisation whose system reads (and perhaps writes) cases over the API."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=PartnerKind.choices)
    state = models.ForeignKey(
        "states.State",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=pgettext_lazy("country", "state"),
        help_text=_("The state it speaks for; it sees the cases that state is involved in."),
    )
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.PROTECT,
        related_name="partner",
        editable=False,
        verbose_name=_("application"),
    )
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner",
        editable=False,
        verbose_name=_("service user"),
        help_text=_("The account its writes are recorded under in every history."),
    )
    scopes = models.CharField(
        _("scopes"), max_length=200, help_text=_("Space-separated OAuth2 scopes.")
    )
    default_level = models.CharField(
        _("default level"),
        max_length=16,
        choices=DisclosureLevel.choices,
        default=DisclosureLevel.IDENTITY,
        help_text=_("What it sees of a case its state is involved in, unless a share says more."),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revocation_reason = models.TextField(_("revocation reason"), blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name"], name="partners_partner_unique_name"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="partners_partner_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_set(self) -> set[str]:
        return set(self.scopes.split())

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def register_check(self, detaining_power: Any) -> None:
        """Refuse this partner registering a captive unless it is the agency of the state that
        holds him (a tracing agency or a humanitarian body registers no one). Every registration
        a partner acts in asks it (cases.services.captive_register, through
        powtracker.roles.acting_partner)."""
        if (
            self.kind != PartnerKind.STATE_AGENCY
            or self.state_id is None
            or self.state_id != getattr(detaining_power, "pk", None)
        ):
            raise self.register_refusal()

    @staticmethod
    def register_refusal() -> RuleError:
        """The refusal of a registration by anyone but the holding state's agency."""
        return RuleError(
            ErrorCode.PERMISSION_DENIED,
            _("Only the agency of the state holding a captive may register him."),
        )


class CaseShare(VoidableModel):
    """An explicit decision to share one case with a partner, at a level, and why."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="shares", verbose_name=_("partner")
    )
    captive = models.ForeignKey(
        "cases.Captive", on_delete=models.PROTECT, related_name="shares", verbose_name=_("captive")
    )
    level = models.CharField(_("level"), max_length=16, choices=DisclosureLevel.choices)
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        ordering = ["partner", "captive"]
        constraints = [
            *VoidableModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["partner", "captive"],
                condition=Q(voided_at__isnull=True),
                name="partners_caseshare_one_active_share",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(captive)s shared with %(partner)s (%(level)s)") % {
            "captive": self.captive,
            "partner": self.partner,
            "level": self.get_level_display(),
        }


class DisclosureRecord(PermanentModel):
    """One read of one captive by one partner: the ledger caseworkers can audit."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("partner")
    )
    captive = models.ForeignKey(
        "cases.Captive",
        on_delete=models.PROTECT,
        related_name="disclosures",
        verbose_name=_("captive"),
    )
    level = models.CharField(_("level"), max_length=16, choices=DisclosureLevel.choices)
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)

    class Meta:
        verbose_name = _("disclosure record")
        verbose_name_plural = _("disclosure records")
        ordering = ["-read_at", "-id"]
        indexes = [
            models.Index(fields=["captive", "read_at"], name="partners_disclosure_case_idx"),
            models.Index(fields=["partner", "read_at"], name="partners_disclosure_who_idx"),
        ]

    def __str__(self) -> str:
        return gettext("%(partner)s read %(captive)s at %(level)s") % {
            "partner": self.partner,
            "captive": self.captive.case_number,
            "level": self.get_level_display(),
        }


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed on retries. Written in
    the same transaction as the response it keeps, so a request that fails leaves none."""

    client = models.CharField(_("client"), max_length=64)
    key = models.CharField(_("key"), max_length=200)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=300)
    request_hash = models.CharField(_("request hash"), max_length=64)
    completed = models.BooleanField(_("completed"), default=False)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    # The answer as it left, replayed as it was: its bytes (a JSON column would reorder the
    # keys) and its headers, in order (ETag, Location, Content-Type, Content-Language…).
    response_content = models.BinaryField(_("response content"), null=True)
    response_headers = models.JSONField(_("response headers"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "key"], name="partners_idempotencyrecord_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class LockoutLift(PermanentModel):
    """A sign-in lockout lifted by a supervisor before its cool-off ended: who lifted it, when,
    and what it held — the user name (or client id) and address it counted, and how many
    failures it had counted. Kept forever beside django-axes' sign-in audit."""

    username = models.CharField(_("user name or client id"), max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lockout lift")
        verbose_name_plural = _("lockout lifts")
        ordering = ["-lifted_at", "-id"]
        # Adding one is lifting a lockout (a supervisor's decision); nothing is changed or deleted.
        default_permissions = ("add", "view")

    def __str__(self) -> str:
        return gettext("%(who)s lifted the lockout of %(username)s at %(address)s") % {
            "who": self.lifted_by,
            "username": self.username or "—",
            "address": self.ip_address or "—",
        }
