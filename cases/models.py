"""The case register: captives, their custody timeline, wishes, obligations and media."""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    CustodyEventKind,
    DuplicateVerdict,
    Health,
    IdentityStatus,
    LegalStatus,
    MediaKind,
    NameSystem,
    ObligationKind,
    ObligationState,
    ReviewDecision,
    Script,
    Sex,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.dates import GC3_SIGNED, case_date_check
from cases.names import (
    FAMILY_KEY_MAX,
    GIVEN_KEY_MAX,
    Form,
    captive_forms,
    name_forms,
    name_skeleton,
    name_text_validator,
)
from powtracker.disclosed import DisclosedChangeModel
from powtracker.errors import RuleError
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel, VoidableModel, VoidableQuerySet

STATE = "diplomacy.State"


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
        if self.captured_on and self.captured_on > timezone.localdate():
            errors["captured_on"] = "The capture date is in the future."
        elif self.captured_on:
            try:
                case_date_check(self.captured_on, what=_("the capture date"))
            except RuleError as refusal:
                errors["captured_on"] = refusal
        if errors:
            raise ValidationError(errors)


# The fields a captive's skeleton key is made of.
NAME_FIELDS = frozenset({"family_name", "given_names", "name_original"})


def captive_name_skeleton(captive: Captive) -> str:
    """His skeleton keys: the Latin name family name first and given names first, and the name in
    its original script; distinct, space-separated."""
    keys = [
        name_skeleton(f"{captive.family_name} {captive.given_names}"),
        name_skeleton(f"{captive.given_names} {captive.family_name}"),
        name_skeleton(captive.name_original),
    ]
    return " ".join(dict.fromkeys(key for key in keys if key))


class CaptiveName(PermanentModel):
    """Another rendering of a captive's name: a romanization, a Cyrillic spelling, an alias."""

    # What partners read of it (partners.api): a change to anything else gives him no new version.
    PARTNER_FIELDS = ("system", "full_name")

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="names", verbose_name=_("captive")
    )
    system = models.CharField(max_length=24, choices=NameSystem.choices, verbose_name=_("system"))
    full_name = models.CharField(
        max_length=200, validators=[name_text_validator], verbose_name=_("full name")
    )
    note = models.CharField(max_length=200, blank=True, verbose_name=_("note"))
    # The skeleton key of `full_name` (cases.names); what the name search and duplicates read.
    # Unbounded, as Captive.name_skeleton: 200 Hangul syllables make a key of 600 letters.
    skeleton = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["skeleton"])

    class Meta:
        verbose_name = _("rendering of a name")
        verbose_name_plural = _("renderings of names")
        ordering = ["captive", "system", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["captive", "system", "full_name"], name="cases_captivename_unique_rendering"
            ),
        ]
        indexes = [models.Index(fields=["full_name"], name="cases_captivename_name_idx")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_system_display()})"


class NameKey(models.Model):
    """A blocking key of the duplicate lookup (cases.duplicates): the skeleton keys of the family
    name and of the given names of one way a captive's name is written — his own names and every
    rendering. The lookup reads the captives whose family name has the key asked for, and scores
    their given names, instead of comparing every name in the register.

    Derived from the names, and only ever added: a captive stays findable under a spelling he
    was once recorded under, after a correction too. Not a record of its own (no history)."""

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="+", verbose_name=_("captive")
    )
    # Sized by the keys a form holds (cut to fit, cases.names.Form), within the unique index.
    family = models.CharField(max_length=FAMILY_KEY_MAX)
    given = models.CharField(max_length=GIVEN_KEY_MAX, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["family", "given", "captive"], name="cases_namekey_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.given}".strip()


def name_keys_add(captive_id: int, forms: "list[Form] | tuple[Form, ...]") -> None:
    """Add the keys of these forms of a captive's name (those he has already stay), one query."""
    keys = [
        NameKey(captive_id=captive_id, family=form.family[:200], given=form.given[:400])
        for form in dict.fromkeys(forms)
        if form.family
    ]
    if keys:
        NameKey.objects.bulk_create(keys, ignore_conflicts=True)


def name_keys_fill(
    *,
    captive_ids: "list[int] | None" = None,
    min_id: int | None = None,
    captive_model: Any = None,
    name_model: Any = None,
    key_model: Any = None,
) -> int:
    """Add the keys of these captives' names (`captive_ids`, or ids from `min_id` up, or every
    captive's) for writes that run no save(): a migration (which passes its own models), a COPY
    load, a bulk insert. Returns how many keys were asked for."""
    captive_model = captive_model or Captive
    name_model = name_model or CaptiveName
    key_model = key_model or NameKey
    captives = captive_model.objects.order_by()
    renderings = name_model.objects.order_by()
    if captive_ids is not None:
        captives = captives.filter(pk__in=captive_ids)
        renderings = renderings.filter(captive_id__in=captive_ids)
    if min_id is not None:
        captives = captives.filter(pk__gte=min_id)
        renderings = renderings.filter(captive_id__gte=min_id)
    pending: list[Any] = []
    count = 0

    def add(captive_id: int, forms: Any) -> None:
        nonlocal count
        for form in dict.fromkeys(forms):
            if form.family:
                pending.append(
                    key_model(
                        captive_id=captive_id, family=form.family[:200], given=form.given[:400]
                    )
                )
        if len(pending) >= 5000:
            flush()

    def flush() -> None:
        nonlocal count
        key_model.objects.bulk_create(pending, ignore_conflicts=True)
        count += len(pending)
        pending.clear()

    rows = captives.values_list("pk", "family_name", "given_names", "name_original")
    for captive_id, family_name, given_names, name_original in rows.iterator(chunk_size=5000):
        add(captive_id, captive_forms(family_name, given_names, name_original))
    for captive_id, full_name in renderings.values_list("captive_id", "full_name").iterator(
        chunk_size=5000
    ):
        add(captive_id, name_forms(full_name))
    flush()
    return count


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


class CustodyEvent(VoidableModel):
    """One step of the custody timeline. The captive's custody status is the latest one."""

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="custody_events", verbose_name=_("captive")
    )
    kind = models.CharField(max_length=16, choices=CustodyEventKind.choices, verbose_name=_("kind"))
    occurred_at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    custodian = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("custodian state"),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ["captive", "occurred_at", "id"]
        indexes = [
            models.Index(fields=["captive", "occurred_at"], name="cases_custodyevent_time_idx"),
        ]

    def __str__(self) -> str:
        return _("%(kind)s on %(day)s") % {
            "kind": self.get_kind_display(),
            "day": f"{self.occurred_at:%Y-%m-%d}",
        }


class WishStatement(VoidableModel):
    """What a captive said about his future. Never edited: a new statement supersedes."""

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="wish_statements", verbose_name=_("captive")
    )
    wish = models.CharField(max_length=16, choices=Wish.choices, verbose_name=_("wish"))
    destination = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The state he wishes to go to; required for a defect wish."),
        verbose_name=_("destination"),
    )
    statement = models.TextField(
        _("what he said"), blank=True, help_text=_("His words, as translated, with context.")
    )
    stated_at = models.DateTimeField(_("when"))
    mode = models.CharField(_("how expressed"), max_length=24, choices=WishMode.choices)
    language = models.CharField(max_length=80, blank=True, verbose_name=_("language"))
    interpreter = models.CharField(max_length=200, blank=True, verbose_name=_("interpreter"))
    persons_present = models.TextField(blank=True, verbose_name=_("persons present"))
    is_formal_request = models.BooleanField(_("formal request"), default=False)
    voluntariness = models.CharField(
        max_length=24,
        choices=Voluntariness.choices,
        default=Voluntariness.NOT_ASSESSED,
        verbose_name=_("voluntariness"),
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=_("assessed at")
    )
    assessment_notes = models.TextField(blank=True, verbose_name=_("assessment notes"))
    source_media = models.ForeignKey(
        "cases.MediaRecord",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source media"),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
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
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name = _("wish statement")
        verbose_name_plural = _("wish statements")
        ordering = ["captive", "stated_at", "id"]
        permissions = [("assess_wishstatement", "Can assess the voluntariness of a wish")]
        constraints = [
            *VoidableModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(wish=Wish.DEFECT, destination__isnull=False)
                | (~Q(wish=Wish.DEFECT) & Q(destination__isnull=True)),
                name="cases_wishstatement_defect_names_destination",
                violation_error_code="defect_needs_destination",
                violation_error_message=_(
                    "A wish to defect names the state he wishes to go to; other wishes name none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(voluntariness=Voluntariness.NOT_ASSESSED)
                | Q(assessed_at__isnull=False),
                name="cases_wishstatement_assessment_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["captive", "stated_at"], name="cases_wish_time_idx"),
        ]

    def __str__(self) -> str:
        wish = self.get_wish_display()
        if self.wish == Wish.DEFECT and self.destination_id:
            wish = f"Defect to {self.destination.code}"
        return f"{wish} ({self.stated_at:%Y-%m-%d}, {self.get_voluntariness_display().lower()})"

    @property
    def is_verified(self) -> bool:
        """An unassessed or doubtful statement is not consent."""
        return self.voluntariness == Voluntariness.FREE


class ObligationQuerySet(VoidableQuerySet):
    def with_state(self, today: date | None = None) -> "ObligationQuerySet":
        """Annotate `state`: fulfilled, cancelled (voided), overdue or due."""
        today = today or timezone.localdate()
        return self.annotate(
            state=Case(
                When(voided_at__isnull=False, then=Value(ObligationState.CANCELLED)),
                When(fulfilled_on__isnull=False, then=Value(ObligationState.FULFILLED)),
                When(due_on__lt=today, then=Value(ObligationState.OVERDUE)),
                default=Value(ObligationState.DUE),
                output_field=models.CharField(),
            )
        )


class Obligation(VoidableModel):
    """A legal duty with a deadline, created by an event (GC III Arts. 70, 119, 120, 122)."""

    captive = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("captive")
    )
    kind = models.CharField(max_length=24, choices=ObligationKind.choices, verbose_name=_("kind"))
    due_on = models.DateField(verbose_name=_("due on"))
    fulfilled_on = models.DateField(null=True, blank=True, verbose_name=_("fulfilled on"))
    reference = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Reference of the card, notification or report."),
        verbose_name=_("reference"),
    )
    triggered_by = models.ForeignKey(
        CustodyEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("triggered by"),
    )
    document = models.ForeignKey(
        "reports.GeneratedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="fulfilled_obligations",
        verbose_name=_("document sent"),
        help_text=_("The printed capture card or notification that fulfilled it."),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = ObligationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_on", "id"]
        constraints = [
            *VoidableModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(fulfilled_on__isnull=True) | ~Q(reference=""),
                name="cases_obligation_fulfilled_has_reference",
                violation_error_code="reference_required",
                violation_error_message=_(
                    "A fulfilled obligation gives the reference of what was sent."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(fulfilled_on__isnull=True, voided_at__isnull=True),
                name="cases_obligation_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return _("%(kind)s due %(day)s") % {"kind": self.get_kind_display(), "day": self.due_on}

    def state_on(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if self.voided_at:
            return ObligationState.CANCELLED
        if self.fulfilled_on:
            return ObligationState.FULFILLED
        return ObligationState.OVERDUE if self.due_on < today else ObligationState.DUE


class NonRefoulementReview(VoidableModel):
    """A supervisor's decision whether a captive may be sent to a state against or without his
    free wish (GC III Art. 109(3); non-refoulement)."""

    captive = models.ForeignKey(
        Captive,
        on_delete=models.PROTECT,
        related_name="non_refoulement_reviews",
        verbose_name=_("captive"),
    )
    destination = models.ForeignKey(
        STATE, on_delete=models.PROTECT, related_name="+", verbose_name=_("destination")
    )
    decision = models.CharField(
        max_length=16, choices=ReviewDecision.choices, verbose_name=_("decision")
    )
    reasons = models.TextField(verbose_name=_("reasons"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(editable=False, verbose_name=_("reviewed at"))

    history = HistoricalRecords()

    class Meta(VoidableModel.Meta):
        ordering = ["captive", "-reviewed_at", "-id"]
        verbose_name = _("non-refoulement review")
        verbose_name_plural = _("non-refoulement reviews")
        constraints = [
            *VoidableModel.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(reasons=""),
                name="cases_nonrefoulementreview_has_reasons",
                violation_error_message=_("A review gives its reasons."),
            ),
        ]

    def __str__(self) -> str:
        return _("%(decision)s for %(state)s") % {
            "decision": self.get_decision_display(),
            "state": self.destination_id and self.destination.code,
        }


class MediaRecord(VoidableModel):
    """A video, photo or document about one or more captives, and who published it."""

    # What partners read of it (partners.api): a change to anything else gives no one a new version.
    PARTNER_FIELDS = (
        "kind",
        "title",
        "publisher",
        "publisher_state",
        "published_on",
        "location",
        "exposes_to_public_curiosity",
    )

    captives = models.ManyToManyField(
        Captive, related_name="media_records", verbose_name=_("captives")
    )
    kind = models.CharField(max_length=16, choices=MediaKind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=300, verbose_name=_("title"))
    publisher = models.CharField(max_length=200, blank=True, verbose_name=_("publisher"))
    publisher_state = models.ForeignKey(
        STATE,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publisher state"),
    )
    published_on = models.DateField(null=True, blank=True, verbose_name=_("published on"))
    location = models.CharField(
        _("where"),
        max_length=500,
        blank=True,
        help_text=_("Channel, address or archive reference."),
    )
    description = models.TextField(blank=True, verbose_name=_("description"))
    exposes_to_public_curiosity = models.BooleanField(
        _("exposes to public curiosity (Art. 13)"), default=False
    )
    art13_notes = models.TextField(_("Art. 13 assessment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = HistoricalRecords(m2m_fields=["captives"])

    class Meta(VoidableModel.Meta):
        verbose_name = _("media record")
        verbose_name_plural = _("media records")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


def _media_link_label(link: models.Model) -> str:
    return str(link.mediarecord)  # type: ignore[attr-defined]


# The row label of a captive's media on his page.
MediaRecord.captives.through.__str__ = _media_link_label  # type: ignore[method-assign]


class DuplicateDecision(PermanentModel):
    """A caseworker's decision about a pair of captives proposed as duplicates: the same person
    (the `duplicate` became a linked duplicate of the other) or not the same (never proposed
    again). The pair is stored in a canonical order (lower id first); one decision a pair."""

    first = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="+", verbose_name=_("first")
    )
    second = models.ForeignKey(
        Captive, on_delete=models.PROTECT, related_name="+", verbose_name=_("second")
    )
    decision = models.CharField(
        max_length=16, choices=DuplicateVerdict.choices, verbose_name=_("decision")
    )
    duplicate = models.ForeignKey(
        Captive,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For the same person: the record that became a linked duplicate."),
        verbose_name=_("duplicate"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("decided at")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["first", "second"], name="cases_duplicatedecision_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")),
                name="cases_duplicatedecision_pair_ordered",
            ),
            models.CheckConstraint(
                condition=Q(decision=DuplicateVerdict.NOT_SAME, duplicate__isnull=True)
                | Q(decision=DuplicateVerdict.SAME_PERSON, duplicate__isnull=False),
                name="cases_duplicatedecision_same_names_duplicate",
            ),
        ]
        indexes = [models.Index(fields=["second"], name="cases_dupdecision_second_idx")]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.first_id} / {self.second_id}"
