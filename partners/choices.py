"""Choices of the partners app: kinds of partner and levels of disclosure."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartnerKind(models.TextChoices):
    STATE_AGENCY = "state_agency", _("State agency")
    TRACING_AGENCY = "tracing_agency", _("Tracing agency (e.g. the ICRC's Central Tracing Agency)")
    HUMANITARIAN = "humanitarian", _("Humanitarian body")


class DisclosureLevel(models.TextChoices):
    """How much of a case a partner sees. Each level includes the ones before it."""

    IDENTITY = "identity", _("Identity (GC III Art. 17 data and custody status)")
    CASE = "case", _("Case (plus health, place, events and obligations)")
    FULL = "full", _("Full (plus wishes, contacts and transfers)")


LEVEL_RANK = {DisclosureLevel.IDENTITY: 1, DisclosureLevel.CASE: 2, DisclosureLevel.FULL: 3}


def level_at_least(level: str | None, wanted: str) -> bool:
    return level is not None and LEVEL_RANK[level] >= LEVEL_RANK[wanted]
