"""Choices of the partners app: kinds of partner and levels of disclosure; the steps of its
services (powtracker.steps)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from powtracker.steps import Step


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


# --- the steps (powtracker.steps): supervisors register partners and share cases -------------

PARTNER_REGISTER = Step(
    "register-partner",
    "partners.add_partner",
    pgettext_lazy("your role does not allow you to …", "register a partner"),
)
PARTNER_REVOKE = Step(
    "revoke-partner",
    "partners.change_partner",
    pgettext_lazy("your role does not allow you to …", "revoke a partner"),
)
PARTNER_CHANGE = Step(
    "change-partner",
    "partners.change_partner",
    pgettext_lazy("your role does not allow you to …", "change a partner"),
)
CASE_SHARE = Step(
    "share-case",
    "partners.add_caseshare",
    pgettext_lazy("your role does not allow you to …", "share a case"),
)
CASE_SHARE_STOP = Step(
    "stop-sharing-case",
    "partners.change_caseshare",
    pgettext_lazy("your role does not allow you to …", "stop sharing a case"),
)
