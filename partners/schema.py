"""How the OpenAPI schema describes partner authentication: OAuth2 client credentials."""

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PartnerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.PartnerAuthentication"
    name = "partnerOAuth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "Client-credentials grant: POST client_id and client_secret to /o/token/ "
                "(grant_type=client_credentials) and send the access token as a Bearer token."
            ),
            "flows": {
                "clientCredentials": {"tokenUrl": "/o/token/", "scopes": settings.API_SCOPES}
            },
        }
