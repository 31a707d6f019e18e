"""The admin site: Django's, with its apps listed in the order of the work (cases first) in
every language, where Django sorts them by their translated names."""

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


def app_position(app: dict[str, Any]) -> tuple[int, str]:
    label = app["app_label"]
    return (APP_ORDER.index(label) if label in APP_ORDER else len(APP_ORDER), label)


def model_position(model: dict[str, Any]) -> str:
    """A model's place in its app: its English name's, the same in every language."""
    with translation.override("en"):
        return str(model["model"]._meta.verbose_name_plural).lower()


class PowtrackerAdminSite(admin.AdminSite):
    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = sorted(self._build_app_dict(request, app_label).values(), key=app_position)
        for app in app_list:
            app["models"].sort(key=model_position)
        return app_list


class PowtrackerAdminConfig(AdminConfig):
    default_site = "powtracker.admin_site.PowtrackerAdminSite"
