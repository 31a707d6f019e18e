"""Sign-in lockout for the admin and the OAuth2 token and revocation endpoints, all counted by
django-axes, and its lifting by a supervisor.

The admin signs in through `django.contrib.auth.authenticate()`, which axes' backend watches.
django-oauth-toolkit authenticates clients itself, so `TokenView` and `RevokeTokenView` report to
axes the same way: they ask axes whether the client id and address may try, and send Django's
sign-in signals that axes records. One limit (AXES_FAILURE_LIMIT, AXES_COOLOFF_TIME in settings)
serves every door, counted per (name, address) pair and per address (AXES_LOCKOUT_PARAMETERS):
failures naming someone from elsewhere never lock him out where he signs in from.
"""

import base64
import binascii
from typing import Any
from urllib.parse import unquote_plus

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_credentials
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import ngettext, pgettext_lazy
from oauth2_provider import views as oauth2_views

from partners.models import LockoutLift, Partner
from powtracker.steps import Step, step_require
from powtracker.writes import service

# The OAuth2 endpoints where a client authenticates with its secret: each failure counts.
CLIENT_SIGN_IN_PATHS = ("oauth2-token", "oauth2-revoke")

# Lifting a lockout before its cool-off ends is a supervisor's step.
LOCKOUT_LIFT = Step(
    "lift-lockout",
    "partners.add_lockoutlift",
    pgettext_lazy("your role does not allow you to …", "lift a sign-in lockout"),
)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Refuse a locked-out attempt: JSON at the token endpoint (RFC 6749 style), plain text in
    the admin; both 429 with Retry-After (axes' AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    minutes = max(1, seconds // 60)
    message = ngettext(
        "Too many failed sign-in attempts from this account or address. "
        "Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts from this account or address. "
        "Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    if request.path in {reverse(name) for name in CLIENT_SIGN_IN_PATHS}:
        response: HttpResponse = JsonResponse(
            {"error": "locked_out", "error_description": message},
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    else:
        response = HttpResponse(
            message,
            content_type="text/plain; charset=utf-8",
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def token_client_id(request: HttpRequest) -> str | None:
    """The client id a token request claims: from HTTP Basic (as DOT reads it), else the body.

    Made safe to store: no NUL, at most the audit column's 255 characters.
    """
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic" and encoded.strip():
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id = unquote_plus(decoded.partition(":")[0])
    else:
        client_id = request.POST.get("client_id", "")
    return client_id.replace("\0", "0x00")[:255] or None


class ClientSignInMixin:
    """An OAuth2 endpoint where a client authenticates with its secret, under the lockout.

    A client id and address, or an address, with too many recent failures gets 429 without its
    secret being checked; a failed client authentication (401 invalid_client) counts as a
    failed sign-in, and is kept in the sign-in audit.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        client_id = token_client_id(request)
        credentials = get_credentials(client_id)
        if not AxesProxyHandler.is_allowed(request, credentials):
            # Recorded like any failure (the audit shows the lockout; the cool-off restarts).
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            return lockout_response(request, None, credentials)

        response = super().post(request, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 401:
            user_login_failed.send(sender=type(self), credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request, None, credentials)
        elif response.status_code == 200:
            self.client_signed_in(request, client_id)
        return response

    def client_signed_in(self, request: HttpRequest, client_id: str | None) -> None:
        """What a successful authentication leaves behind (nothing, unless said)."""


class RevokeTokenView(ClientSignInMixin, oauth2_views.RevokeTokenView):
    """DOT's revocation endpoint under the sign-in lockout: a wrong secret counts as a failure."""


class TokenView(ClientSignInMixin, oauth2_views.TokenView):
    """DOT's token endpoint under the sign-in lockout; a token issued is audited as a sign-in of
    the partner's service account."""

    def client_signed_in(self, request: HttpRequest, client_id: str | None) -> None:
        self._audit_sign_in(request, client_id)

    def _audit_sign_in(self, request: HttpRequest, client_id: str | None) -> None:
        partner = (
            Partner.objects.select_related("service_user")
            .filter(application__client_id=client_id)
            .first()
        )
        if partner is None:
            return
        # A token request has no session: hide it, or axes would create one to hash.
        session = request.__dict__.pop("session", None)
        try:
            user_logged_in.send(sender=type(self), request=request, user=partner.service_user)
        finally:
            if session is not None:
                request.session = session


# --- lifting a lockout -------------------------------------------------------------------------


@service
def lockout_lift(*, acting_user: Any, attempts: QuerySet[AccessAttempt]) -> list[LockoutLift]:
    """Lift the lockouts these failure counts make, before their cool-off ends: a supervisor's
    decision, each recorded (who, when, which name and address, how many failures). The sign-in
    audit itself (every failure) stays as it was."""
    step_require(acting_user, LOCKOUT_LIFT)
    lifted = list(attempts.select_for_update().order_by("pk"))
    records = LockoutLift.objects.bulk_create(
        LockoutLift(
            username=attempt.username or "",
            ip_address=attempt.ip_address,
            failures=attempt.failures_since_start,
            lifted_by=acting_user,
        )
        for attempt in lifted
    )
    AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in lifted]).delete()
    return records
