from typing import Any

from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowtrackerConfig(AppConfig):
    """The project itself: its system checks and the refusal to delete users (no models)."""

    name = "powtracker"
    verbose_name = "powtracker"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_migrate, pre_delete

        # Importing registers the system checks.
        from powtracker import checks  # noqa: F401
        from powtracker.permanence import user_delete_refuse
        from powtracker.writes import write_guard_connect

        pre_delete.connect(
            user_delete_refuse, sender=settings.AUTH_USER_MODEL, dispatch_uid="user_delete_refuse"
        )
        post_migrate.connect(cache_table_create, dispatch_uid="cache_table_create")
        write_guard_connect()


def cache_table_create(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Make the database cache's table on every `migrate` (once, after our last app): the API's
    throttles count in it, and a missing table would fail every API request."""
    if sender.label != "partners":
        return
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class SigninAuditConfig(AxesConfig):
    """django-axes, named for what the admin shows of it."""

    verbose_name = _("Sign-in audit")
