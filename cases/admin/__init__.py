"""The caseworkers' admin for captives, their timeline, wishes, obligations, media and the
states involved.

Importing the modules that register the admins is what lets Django's autodiscovery find them.
"""

from cases.admin import (  # noqa: F401  (they register the admins)
    captives,
    involvements,
    obligations,
    records,
)
from cases.admin.case_actions import CASE_ACTIONS
from cases.admin.display import VOLUNTARINESS_TEXT, statement_text, wish_label

__all__ = [
    "CASE_ACTIONS",
    "VOLUNTARINESS_TEXT",
    "statement_text",
    "wish_label",
]
