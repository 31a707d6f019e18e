"""The captive: the one row per man the register holds, and the sequence of case numbers."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    CustodyEventKind,
    Health,
    IdentityStatus,
    LegalStatus,
    Script,
    Sex,
    Wish,
)
from cases.dates import GC3_SIGNED, case_date_check, not_future_check
from cases.names import (
    name_text_validator,
)
from powtracker.disclosed import DisclosedChangeModel
from powtracker.errors import RuleError
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel

STATE = "states.State"


# Identity items a prisoner may decline to give. Declined is a fact to record, not the same as
# unknown: a declined item holds no value, and the database enforces it.
DECLINABLE_ITEMS: dict[str, Q] = {
    "rank": Q(rank=""),
    "service_number": Q(service_number=""),
    "birth_date": Q(birth_date__isnull=True, birth_year__isnull=True),
    "place_of_birth": Q(place_of_birth=""),
    "father_first_name": Q(father_first_name=""),
    "mother_maiden_name": Q(mother_maiden_name=""),
    "unit": Q(unit=""),
}


def _declined_field(verbose_name: Any) -> models.BooleanField:
    return models.BooleanField(
        verbose_name,
        default=False,
        help_text=_("The prisoner refused to give this item (not the same as unknown)."),
    )


class Captive(DisclosedChangeModel, PermanentModel):
    """One captured person: the case."""

    case_number = models.CharField(max_length=20, editable=False, verbose_name=_("case number"))
    fictional = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Demo record with a fictional identity."),
        verbose_name=_("fictional"),
    )

    # Identity
    family_name = models.CharField(
        _("family name (Latin)"), max_length=100, validators=[name_text_validator]
    )
    given_names = models.CharField(
        _("given names (Latin)"), max_length=150, blank=True, validators=[name_text_validator]
    )
    original_script = models.CharField(
        max_length=16,
        choices=Script.choices,
        default=Script.LATIN,
        verbose_name=_("original script"),
    )
    name_original = models.CharField(
        _("name in original script"),
        max_length=200,
        blank=True,
        validators=[name_text_validator],
        help_text=_("E.g. 김철수 or Иванов Иван."),
    )
    rank = models.CharField(max_length=80, blank=True, verbose_name=_("rank"))
    rank_declined = _declined_field(_("rank declined"))
    service_number = models.CharField(max_length=60, blank=True, verbose_name=_("service number"))
    service_number_declined = _declined_field(_("service number declined"))
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, help_text=_("When only the year is known.")
    )
    birth_date_declined = _declined_field(_("date of birth declined"))
    place_of_birth = models.CharField(max_length=200, blank=True, verbose_name=_("place of birth"))
    place_of_birth_declined = _declined_field(_("place of birth declined"))
    father_first_name = models.CharField(_("father's first name"), max_length=100, blank=True)
    father_first_name_declined = _declined_field(_("father's first name declined"))
    mother_maiden_name = models.CharField(_("mother's maiden name"), max_length=100, blank=True)
    mother_maiden_name_declined = _declined_field(_("mother's maiden name declined"))
    sex = models.CharField(
        max_length=16, choices=Sex.choices, default=Sex.NOT_RECORDED, verbose_name=_("sex")
    )
    nationality = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nationality"),
    )
    languages = models.CharField(max_length=200, blank=True, verbose_name=_("languages"))
    identity_status = models.CharField(
        max_length=16,
        choices=IdentityStatus.choices,
        default=IdentityStatus.CLAIMED,
        verbose_name=_("identity status"),
    )
    identity_verified_by = models.CharField(
        max_length=200, blank=True, verbose_name=_("identity verified by")
    )
    identity_verified_on = models.DateField(
        null=True, blank=True, verbose_name=_("identity verified on")
    )
    identity_notes = models.TextField(
        blank=True,
        help_text=_("Documents carried, doubts, e.g. another man's military ID."),
        verbose_name=_("identity notes"),
    )

    # Service
    armed_force = models.CharField(max_length=200, blank=True, verbose_name=_("armed force"))
    unit = models.CharField(max_length=200, blank=True, verbose_name=_("unit"))
    unit_declined = _declined_field(_("unit declined"))
    power_depended_on = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("power depended on"),
    )
    allied_power = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The belligerent he fought alongside."),
        verbose_name=_("allied power"),
    )

    # Capture
    captured_on = models.DateField(_("capture date"))
    capture_place = models.CharField(max_length=200, blank=True, verbose_name=_("capture place"))
    capture_region = models.CharField(max_length=200, blank=True, verbose_name=_("capture region"))
    capture_territory_state = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("territory's state"),
    )
    detaining_power = models.ForeignKey(
        STATE, on_delete=models.PROTECT, related_name="+", verbose_name=_("detaining power")
    )
    capture_circumstances = models.TextField(blank=True, verbose_name=_("capture circumstances"))

    # Legal status and health
    legal_status = models.CharField(
        max_length=24,
        choices=LegalStatus.choices,
        default=LegalStatus.PRISONER_OF_WAR,
        verbose_name=_("legal status"),
    )
    health = models.CharField(
        max_length=24, choices=Health.choices, default=Health.UNHARMED, verbose_name=_("health")
    )
    health_notes = models.TextField(blank=True, verbose_name=_("health notes"))

    # Next of kin, for the capture card
    next_of_kin_name = models.CharField(
        max_length=200, blank=True, verbose_name=_("next of kin name")
    )
    next_of_kin_relationship = models.CharField(
        max_length=80, blank=True, verbose_name=_("next of kin relationship")
    )
    next_of_kin_address = models.TextField(blank=True, verbose_name=_("next of kin address"))

    notes = models.TextField(blank=True, verbose_name=_("notes"))

    # Kept in step by the services; read-only everywhere else.
    custody_status = models.CharField(
        max_length=16,
        choices=CustodyEventKind.choices,
        blank=True,
        editable=False,
        verbose_name=_("custody status"),
    )
    custody_place = models.CharField(
        max_length=200, blank=True, editable=False, verbose_name=_("custody place")
    )
    custodian = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("custodian"),
    )
    custody_since = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("custody since")
    )
    effective_wish = models.CharField(
        max_length=16,
        choices=Wish.choices,
        blank=True,
        editable=False,
        verbose_name=_("effective wish"),
    )
    effective_wish_destination = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("effective wish destination"),
    )
    effective_wish_statement = models.ForeignKey(
        "cases.WishStatement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("effective wish statement"),
    )
    latest_wish_statement = models.ForeignKey(
        "cases.WishStatement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("latest wish statement"),
    )

    # The skeleton keys (cases.names) of his name in every script it is recorded in, family name
    # first and given names first, space-separated: what the name search and duplicates read.
    # Unbounded: a key can be several times longer than the name it is made of (200 Hangul
    # syllables make 600 letters), and only a trigram (GIN) index reads it, which takes any length.
    name_skeleton = models.TextField(blank=True, editable=False)

    # Set only by cases.services.duplicate_decide: this record is the same person as the case
    # kept, and is read-only from then on (every service refuses to write it).
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="duplicates",
        verbose_name=_("linked duplicate of"),
    )

    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    # A reader who may not see his wishes gets `disclosed_changed_at` as his `updated_at`, ETag
    # and `updated_since` (partners.disclosure): wish statements and internal notes never move it.
    UNDISCLOSED_FIELDS = frozenset(
        {
            "updated_at",
            "notes",
            "effective_wish",
            "effective_wish_destination",
            "effective_wish_statement",
            "latest_wish_statement",
        }
    )

    history = HistoricalRecords(excluded_fields=["name_skeleton"])

    class Meta:
        verbose_name = _("captive")
        verbose_name_plural = _("captives")
        ordering = ["case_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_number"], name="cases_captive_unique_case_number"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{item}_declined": False}) | empty,
                    name=f"cases_captive_declined_{item}_is_empty",
                    violation_error_code="declined_item_has_value",
                    violation_error_message=(
                        f"{item.replace('_', ' ').capitalize()} is marked declined, "
                        "so it holds no value: clear it or untick “declined”."
                    ),
                )
                for item, empty in DECLINABLE_ITEMS.items()
            ),
            models.CheckConstraint(
                condition=Q(captured_on__gte=GC3_SIGNED),
                name="cases_captive_captured_after_gc3",
                violation_error_code="date_before_gc3",
                violation_error_message=_(
                    "The capture date is before the Third Geneva Convention (12 August 1949)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="cases_captive_birth_year_plausible",
                violation_error_message=_("The year of birth must lie between 1900 and 2100."),
            ),
            models.CheckConstraint(
                condition=~Q(identity_status=IdentityStatus.VERIFIED)
                | (~Q(identity_verified_by="") & Q(identity_verified_on__isnull=False)),
                name="cases_captive_verified_identity_says_by_whom",
                violation_error_code="verification_incomplete",
                violation_error_message=_("A verified identity says who verified it, and when."),
            ),
            models.CheckConstraint(
                condition=~Q(effective_wish=Wish.DEFECT)
                | Q(effective_wish_destination__isnull=False),
                name="cases_captive_effective_defect_has_destination",
            ),
        ]
        indexes = [
            models.Index(fields=["captured_on"], name="cases_captive_captured_on_idx"),
            models.Index(fields=["custody_status"], name="cases_captive_custody_idx"),
            models.Index(fields=["effective_wish"], name="cases_captive_wish_idx"),
            models.Index(fields=["health"], name="cases_captive_health_idx"),
            models.Index(fields=["family_name", "given_names"], name="cases_captive_name_idx"),
            models.Index(fields=["service_number"], name="cases_captive_service_no_idx"),
            models.Index(fields=["updated_at"], name="cases_captive_updated_at_idx"),
            models.Index(fields=["disclosed_changed_at"], name="cases_captive_disclosed_idx"),
            # Whether any record is fictional (the admin shows demo-only filters only then): one
            # probe, however large a real register grows.
            models.Index(
                fields=["fictional"],
                condition=Q(fictional=True),
                name="cases_captive_fictional_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.name_latin}"

    @property
    def name_latin(self) -> str:
        return f"{self.family_name.upper()} {self.given_names}".strip()

    @property
    def is_linked_duplicate(self) -> bool:
        return self.duplicate_of_id is not None

    @property
    def is_seriously_ill_or_wounded(self) -> bool:
        return self.health in {Health.SERIOUSLY_WOUNDED, Health.SERIOUSLY_SICK}

    def clean(self) -> None:
        errors = {}
        if self.birth_date and self.birth_year and self.birth_date.year != self.birth_year:
            errors["birth_year"] = "The year of birth does not match the date of birth."
        if self.birth_date and self.captured_on and self.birth_date > self.captured_on:
            errors["birth_date"] = _("The date of birth is after the capture date.")
        elif self.birth_date and not 1900 <= self.birth_date.year <= 2100:
            errors["birth_date"] = _("The date of birth is not between 1900 and 2100.")
        if self.birth_year and self.captured_on and self.birth_year > self.captured_on.year:
            errors.setdefault(
                "birth_year", _("The year of birth is after the year of the capture.")
            )
        if self.captured_on:
            try:
                not_future_check(self.captured_on, what=_("the capture date"))
                case_date_check(self.captured_on, what=_("the capture date"))
            except RuleError as refusal:
                errors["captured_on"] = refusal
        if errors:
            raise ValidationError(errors)


class CaseNumberSequence(models.Model):
    """The last case number given per detaining power and capture year (row-locked on use)."""

    detaining_power_code = models.CharField(max_length=3)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["detaining_power_code", "year"], name="cases_casenumbersequence_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.detaining_power_code}-{self.year}: {self.last_value}"
