"""Media records that expose captives to public curiosity (Art. 13)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    MediaKind,
)
from cases.models.captives import STATE, Captive
from powtracker.history import HistoricalRecords
from powtracker.permanence import VoidableModel


class MediaRecord(VoidableModel):
    """A video, photo or document about one or more captives, and who published it."""

    # What partners read of it (cases.api): a change to anything else gives no one a new version.
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
