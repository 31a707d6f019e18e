"""The case register: captives, their custody timeline, wishes, obligations, media and the
states involved in each case.

One module per subject; every model is imported here, so Django finds them all under the app
label `cases` and callers import from `cases.models`.
"""

from cases.models.captives import Captive, CaseNumberSequence
from cases.models.custody import CustodyEvent
from cases.models.duplicates import DuplicateDecision
from cases.models.involvements import Involvement
from cases.models.media import MediaRecord
from cases.models.names import (
    NAME_FIELDS,
    CaptiveName,
    NameKey,
    captive_name_skeleton,
    name_keys_add,
    name_keys_fill,
)
from cases.models.obligations import Obligation
from cases.models.wishes import NonRefoulementReview, WishStatement

__all__ = [
    "NAME_FIELDS",
    "Captive",
    "CaptiveName",
    "CaseNumberSequence",
    "CustodyEvent",
    "DuplicateDecision",
    "Involvement",
    "MediaRecord",
    "NameKey",
    "NonRefoulementReview",
    "Obligation",
    "WishStatement",
    "captive_name_skeleton",
    "name_keys_add",
    "name_keys_fill",
]
