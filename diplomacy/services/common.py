"""Helpers the diplomacy services share."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from powtracker.errors import ErrorCode, RuleError

User = Any


def _status_check(table: dict[str, frozenset[str]], current: str, wanted: str, labels: Any) -> None:
    if wanted not in table[current]:
        allowed = ", ".join(
            str(labels(s).label) for s in labels.values if s in table[current]
        ) or pgettext("no next status", "none")
        raise RuleError(
            ErrorCode.TRANSITION_NOT_ALLOWED,
            _("It is “%(current)s”: it cannot become “%(wanted)s”. Allowed next: %(allowed)s."),
            {"current": labels(current).label, "wanted": labels(wanted).label, "allowed": allowed},
        )
