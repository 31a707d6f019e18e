"""The partner API's exception handler: the core envelope (powtracker.api.errors), with each
refusal in the words the request's reader may read."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.response import Response

from cases.duplicates import linked_duplicate_refusal
from partners.disclosure import captives_for, viewer_for
from powtracker.api import errors


def as_read_by(exc: Exception, context: dict[str, Any]) -> Exception:
    """A refusal as the request's reader may read it: a write to a linked duplicate names the
    case kept only to a reader who may see it (cases.duplicates.linked_duplicate_refusal)."""
    duplicate = getattr(exc, "linked_duplicate", None)
    if duplicate is None or context.get("request") is None:
        return exc
    return linked_duplicate_refusal(duplicate, captives_for(viewer_for(context["request"])))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = as_read_by(exc, context)
    return errors.exception_handler(exc, context)
