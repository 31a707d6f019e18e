"""OAuth2 scopes per partner: a client may ask only for the scopes it was registered with."""

from typing import Any

from oauth2_provider.scopes import SettingsScopes


class PartnerScopes(SettingsScopes):
    def get_available_scopes(self, application: Any = None, request: Any = None, *a, **k):
        partner = getattr(application, "partner", None) if application else None
        if partner is None or not partner.is_active:
            return []
        return sorted(partner.scope_set)

    def get_default_scopes(self, application: Any = None, request: Any = None, *a, **k):
        return self.get_available_scopes(application, request)
