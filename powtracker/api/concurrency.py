"""Safe concurrent writes: ETag / If-Match versions (the ETag itself is powtracker.disclosed's
etag_for; the Idempotency-Key replay is the partner API's: partners.api.idempotency)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from powtracker.api.errors import precondition_failed, precondition_required
from powtracker.disclosed import etag_for

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version you read; 412 if it changed since, 428 if missing.",
)


def if_match_check(request: Any, instance: Any) -> None:
    """Refuse a write that does not name the version it was based on (428) or names an old
    one (412). `*` names no version (it matches whatever is there now), so it counts as
    missing: every write here must say what it saw. Call it with the row locked."""
    wanted = request.headers.get("If-Match")
    tags = {tag.strip() for tag in (wanted or "").split(",")} - {"", "*"}
    if not tags:
        raise precondition_required()
    if etag_for(instance) not in tags:
        raise precondition_failed()


def with_etag(response: Response, instance: Any) -> Response:
    response["ETag"] = etag_for(instance)
    return response
