from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowtrackerConfig(AppConfig):
    """The project itself: its system checks and the sign-in audit's admin (no models)."""

    name = "powtracker"
    verbose_name = "powtracker"

    def ready(self) -> None:
        # Importing registers the system checks and the sign-in audit's admin.
        from powtracker import checks, signin_admin  # noqa: F401


class SigninAuditConfig(AxesConfig):
    """django-axes, named for what the admin shows of it."""

    verbose_name = _("Sign-in audit")
