"""The renderings of a captive's name and the skeleton keys the duplicate search reads."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    NameSystem,
)
from cases.models.captives import Captive
from cases.names import (
    FAMILY_KEY_MAX,
    GIVEN_KEY_MAX,
    Form,
    captive_forms,
    name_forms,
    name_skeleton,
    name_text_validator,
)
from powtracker.history import HistoricalRecords
from powtracker.permanence import PermanentModel

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

    # What partners read of it (cases.api): a change to anything else gives him no new version.
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
