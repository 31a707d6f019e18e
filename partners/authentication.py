"""API authentication: an OAuth2 bearer token stands for its partner's service account."""

from typing import Any

from django.utils.translation import gettext as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.exceptions import AuthenticationFailed

from partners.models import Partner


class PartnerAuthentication(OAuth2Authentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            if request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer "):
                # A token was sent and is unknown, expired or revoked: say so (RFC 6750 §3.1),
                # rather than that no credentials came.
                request.oauth2_error = {"error": "invalid_token"}
                raise AuthenticationFailed(
                    _("The access token is invalid or has expired."), code="invalid_token"
                )
            return None
        _user, token = result
        partner = (
            Partner.objects.select_related("service_user", "state")
            .filter(application_id=token.application_id)
            .first()
        )
        if partner is None or not partner.is_active:
            raise AuthenticationFailed(_("This client has been revoked."), code="client_revoked")
        token.partner = partner
        return partner.service_user, token

    def authenticate_header(self, request: Any) -> str:
        error = getattr(request, "oauth2_error", {}).get("error")
        return f'Bearer error="{error}"' if error else 'Bearer realm="api"'
