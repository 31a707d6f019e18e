"""Who may call the API: a partner holding the scope the endpoint needs, or a staff user."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission


def required_scope(request: Any, view: Any) -> str:
    """The scope an endpoint needs: its area, read or write (a view may override)."""
    custom = getattr(view, "required_scopes", {}).get(getattr(view, "action", None))
    if custom:
        return custom
    access = "read" if request.method in SAFE_METHODS else "write"
    return f"{view.scope_area}:{access}"


class PartnerOrStaff(BasePermission):
    message = _("Your client does not hold the scope this endpoint needs.")

    def has_permission(self, request: Any, view: Any) -> bool:
        partner = getattr(getattr(request, "auth", None), "partner", None)
        if partner is not None:
            scope = getattr(view, "scope_area", None)
            if scope is None:
                return True
            return required_scope(request, view) in set(request.auth.scope.split())
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)
