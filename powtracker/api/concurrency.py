"""Safe concurrent writes: ETag / If-Match versions and Idempotency-Key replay."""

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.response import Response

from powtracker.api.errors import APIError, precondition_failed, precondition_required


def etag_for(instance: Any) -> str:
    """A strong validator that changes with every save of the record."""
    stamp = instance.updated_at.isoformat()
    digest = hashlib.sha256(f"{type(instance).__name__}:{instance.pk}:{stamp}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def if_match_check(request: Any, instance: Any) -> None:
    """Refuse a write that does not name the version it was based on (428) or names an old
    one (412). Call it with the row locked."""
    wanted = request.headers.get("If-Match")
    if not wanted:
        raise precondition_required()
    tags = {tag.strip() for tag in wanted.split(",")}
    if "*" not in tags and etag_for(instance) not in tags:
        raise precondition_failed()


def with_etag(response: Response, instance: Any) -> Response:
    response["ETag"] = etag_for(instance)
    return response


def _client_of(request: Any) -> str:
    partner = getattr(getattr(request, "auth", None), "partner", None)
    return f"partner:{partner.pk}" if partner is not None else f"user:{request.user.pk}"


def idempotent(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Replay the first response to a POST with the same Idempotency-Key; a concurrent
    duplicate gets 409, and the same key on a different request 422."""
    from partners.models import IdempotencyRecord

    @functools.wraps(handler)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 200:
            raise APIError(400, "invalid", "The Idempotency-Key is longer than 200 characters.")
        body = json.dumps(request.data, sort_keys=True, default=str)
        request_hash = hashlib.sha256(f"{request.path}\n{body}".encode()).hexdigest()
        client = _client_of(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    request_hash=request_hash,
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(client=client, key=key)
            if record.request_hash != request_hash:
                raise APIError(
                    422,
                    "idempotency_key_reused",
                    "This Idempotency-Key was used for another request.",
                ) from None
            if not record.completed:
                raise APIError(
                    409, "request_in_progress", "The same request is still being processed."
                ) from None
            replay = Response(record.response_body, status=record.response_status)
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception:
            # Nothing was done; let the client retry with the same key.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            completed=True, response_status=response.status_code, response_body=response.data
        )
        return response

    return wrapper
