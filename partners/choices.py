"""Choices of the partners app: kinds of partner and levels of disclosure."""

from django.db import models


class PartnerKind(models.TextChoices):
    STATE_AGENCY = "state_agency", "State agency"
    TRACING_AGENCY = "tracing_agency", "Tracing agency (e.g. the ICRC's Central Tracing Agency)"
    HUMANITARIAN = "humanitarian", "Humanitarian body"


class DisclosureLevel(models.TextChoices):
    """How much of a case a partner sees. Each level includes the ones before it."""

    IDENTITY = "identity", "Identity (GC III Art. 17 data and custody status)"
    CASE = "case", "Case (plus health, place, events and obligations)"
    FULL = "full", "Full (plus wishes, contacts and transfers)"


LEVEL_RANK = {DisclosureLevel.IDENTITY: 1, DisclosureLevel.CASE: 2, DisclosureLevel.FULL: 3}


def level_at_least(level: str | None, wanted: str) -> bool:
    return level is not None and LEVEL_RANK[level] >= LEVEL_RANK[wanted]
