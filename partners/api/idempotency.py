"""Idempotency-Key replay for the partner API's writes: a retry with the same key gets the first
answer again, kept in partners.models.IdempotencyRecord."""

import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from partners.models import IdempotencyRecord
from powtracker.api.errors import APIError

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string: a retry with the same key returns the first response.",
)


def _client_of(request: Any) -> str:
    partner = getattr(getattr(request, "auth", None), "partner", None)
    return f"partner:{partner.pk}" if partner is not None else f"user:{request.user.pk}"


def _key_hold(client: str, key: str) -> bool:
    """Hold the key for the rest of the current transaction; False if another request holds it.

    On PostgreSQL this is a transaction-level advisory lock, so whatever ends the transaction —
    a commit, an error, a killed worker, a lost connection — releases the key; and a worker that
    hangs while holding it is cut off by the server once the lease has run out. SQLite runs one
    writing transaction at a time (`transaction_mode: IMMEDIATE`), which holds the key as well.
    """
    if connection.vendor != "postgresql":
        return True
    digest = hashlib.sha256(f"{client}\n{key}".encode()).digest()
    lock_id = int.from_bytes(digest[:8], "big", signed=True)
    lease_ms = int(settings.IDEMPOTENCY_LEASE_SECONDS * 1000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id])
        (held,) = cursor.fetchone()
        if held:
            cursor.execute(
                "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                [str(lease_ms)],
            )
    return bool(held)


def _replay(done: Any) -> HttpResponse:
    """The first answer again, exactly: its status, its bytes and its headers."""
    if done.response_content is None:  # kept before answers were kept as bytes
        replay: HttpResponse = Response(done.response_body, status=done.response_status)
    else:
        replay = HttpResponse(bytes(done.response_content), status=done.response_status)
        for name, value in done.response_headers:
            replay[name] = value
    replay["Idempotent-Replayed"] = "true"
    return replay


def idempotent(handler: Callable[..., Response]) -> Callable[..., HttpResponse]:
    """Replay the first response to a POST with the same Idempotency-Key — its status, bytes and
    headers as they left —; a concurrent duplicate gets 409, and the same key on a different
    request 422.

    The key is taken in the same transaction as the write it guards: a request that fails,
    crashes or loses its database mid-write leaves no trace, so a retry with the same key simply
    runs again.
    """

    @functools.wraps(handler)
    def wrapper(view: Any, request: Any, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > 200:
            raise APIError(400, "invalid", _("The Idempotency-Key is longer than 200 characters."))
        body = json.dumps(request.data, sort_keys=True, default=str)
        # The query string is part of the request (an export job is asked with its filters there).
        # A secret header (an export's password) counts too, keyed so that the stored hash
        # reveals nothing of it: a retry asking for another password is another request.
        secret = request.headers.get("X-Export-Password", "")
        sealed = hmac.new(settings.SECRET_KEY.encode(), secret.encode(), "sha256").hexdigest()
        request_hash = hashlib.sha256(
            f"{request.get_full_path()}\n{body}\n{sealed if secret else ''}".encode()
        ).hexdigest()
        client = _client_of(request)
        with transaction.atomic():
            if not _key_hold(client, key):
                raise APIError(
                    409, "request_in_progress", _("The same request is still being processed.")
                )
            done = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if done is not None:
                if done.request_hash != request_hash:
                    raise APIError(
                        422,
                        "idempotency_key_reused",
                        _("This Idempotency-Key was used for another request."),
                    )
                return _replay(done)
            response = handler(view, request, *args, **kwargs)
            # Rendered now, as it will leave, so that the replay is this very answer.
            response = view.finalize_response(request, response, *args, **kwargs)
            response.render()
            # LocaleMiddleware names the language later, from the one active now; keep it.
            response.headers.setdefault("Content-Language", translation.get_language())
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        client=client,
                        key=key,
                        method=request.method,
                        path=request.path[:300],
                        request_hash=request_hash,
                        completed=True,
                        response_status=response.status_code,
                        response_body=getattr(response, "data", None),
                        response_content=response.content,
                        response_headers=list(response.headers.items()),
                    )
            except IntegrityError:
                # A duplicate finished first (only where no lock could hold the key): undo ours.
                raise APIError(
                    409, "request_in_progress", _("The same request is still being processed.")
                ) from None
        return response

    return wrapper
