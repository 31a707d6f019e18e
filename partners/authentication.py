"""API authentication: an OAuth2 bearer token stands for its partner's service account."""

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.exceptions import AuthenticationFailed

from partners.models import Partner


class PartnerAuthentication(OAuth2Authentication):
    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        _, token = result
        partner = (
            Partner.objects.select_related("service_user", "state")
            .filter(application_id=token.application_id)
            .first()
        )
        if partner is None or not partner.is_active:
            raise AuthenticationFailed("This client has been revoked.", code="client_revoked")
        token.partner = partner
        return partner.service_user, token
