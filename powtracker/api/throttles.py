"""Per-partner request rate (429 past it); staff sessions share their user's budget."""

from typing import Any

from rest_framework.throttling import SimpleRateThrottle


class PartnerThrottle(SimpleRateThrottle):
    scope = "partner"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        partner = getattr(getattr(request, "auth", None), "partner", None)
        if partner is not None:
            return self.cache_format % {"scope": self.scope, "ident": f"partner-{partner.pk}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
