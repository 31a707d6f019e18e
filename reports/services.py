"""Writes of the reports app: the export audit."""

from typing import Any

from reports.exports import Outcome
from reports.models import ExportRecord


def export_record(
    *,
    acting_user: Any,
    partner: Any = None,
    list_name: str,
    filters: str,
    export_format: str,
    outcome: Outcome,
) -> ExportRecord:
    """Record one export that left (or was abandoned), with the hash of the bytes sent."""
    user = acting_user if acting_user is not None and partner is None else None
    return ExportRecord.objects.create(
        user=user if user is None or user.is_authenticated else None,
        partner=partner,
        list_name=list_name[:100],
        filters=filters,
        export_format=export_format,
        row_count=outcome.rows,
        sha256=outcome.sha256,
        completed=outcome.completed,
    )
