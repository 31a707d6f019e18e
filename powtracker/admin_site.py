"""The admin site: Django's, with its apps listed in the order of the work (cases first) in
every language, where Django sorts them by their translated names."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils import translation

# The order of the work: the cases, the diplomacy around them and the list of states, the
# partners they are shared with, what is reported of them, what is imported into them; then the
# users and the sign-in audit. An app not named here follows, in its label's order.
APP_ORDER = (
    "cases",
    "diplomacy",
    "states",
    "partners",
    "reports",
    "imports",
    "jobs",
    "auth",
    "axes",
)


# Apps whose models the index lists inside another app's box: a partner's webhooks are partners'.
APP_MERGED = {"webhooks": "partners"}

# What every admin page tells the user who may act on it (a disabled webhook endpoint): each
# function gives the messages for a request, registered by the apps (in their admin module).
NOTICES: list[Callable[[HttpRequest], list[str]]] = []


def notice_register(notice: Callable[[HttpRequest], list[str]]) -> None:
    if notice not in NOTICES:
        NOTICES.append(notice)


def app_position(app: dict[str, Any]) -> tuple[int, str]:
    label = app["app_label"]
    return (APP_ORDER.index(label) if label in APP_ORDER else len(APP_ORDER), label)


def model_position(model: dict[str, Any]) -> str:
    """A model's place in its app: its English name's, the same in every language."""
    with translation.override("en"):
        return str(model["model"]._meta.verbose_name_plural).lower()


class PowtrackerAdminSite(admin.AdminSite):
    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        apps = self._build_app_dict(request, app_label)
        if app_label is None:
            for label, into in APP_MERGED.items():
                if label in apps and into in apps:
                    apps[into]["models"].extend(apps.pop(label)["models"])
        app_list = sorted(apps.values(), key=app_position)
        for app in app_list:
            app["models"].sort(key=model_position)
        return app_list

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_active and user.is_staff:
            context["notices"] = [text for notice in NOTICES for text in notice(request)]
        return context


class PowtrackerAdminConfig(AdminConfig):
    default_site = "powtracker.admin_site.PowtrackerAdminSite"
