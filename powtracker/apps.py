from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowtrackerConfig(AppConfig):
    """The project itself: its system checks, the refusal to delete users and the sign-in
    audit's admin (no models)."""

    name = "powtracker"
    verbose_name = "powtracker"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import pre_delete

        # Importing registers the system checks and the sign-in audit's admin.
        from powtracker import checks, signin_admin  # noqa: F401
        from powtracker.permanence import user_delete_refuse

        pre_delete.connect(
            user_delete_refuse, sender=settings.AUTH_USER_MODEL, dispatch_uid="user_delete_refuse"
        )


class SigninAuditConfig(AxesConfig):
    """django-axes, named for what the admin shows of it."""

    verbose_name = _("Sign-in audit")
