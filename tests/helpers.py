"""Small assertions shared by the tests."""

import re
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

# A text in Korean or in Ukrainian (or Russian) letters.
HANGUL = re.compile(r"[\uac00-\ud7a3]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def error_codes(error: ValidationError) -> list[str]:
    """Every code carried by a validation error, whether keyed by field or not."""
    if hasattr(error, "error_dict"):
        return [e.code for errors in error.error_dict.values() for e in errors]
    return [e.code for e in error.error_list]


def violates(constraint: str, make: Callable[[], object]) -> bool:
    """Whether `make()` is refused by the database because of the named constraint."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        make()
    message = str(error.value)
    if connection.vendor == "sqlite" and message.startswith("UNIQUE constraint failed"):
        return True  # SQLite names the columns of a unique constraint, not the constraint.
    return constraint in message
