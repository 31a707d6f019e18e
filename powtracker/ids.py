"""Record numbers as forms and URLs give them."""

# The largest primary key the databases hold (a bigint).
MAX_ID = 2**63 - 1


def record_id(value: str) -> int | None:
    """A record's number: ASCII digits within the databases' range, else None (never an
    OverflowError from the database)."""
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
