from django.apps import AppConfig


class PowtrackerConfig(AppConfig):
    """The project itself: its system checks and the refusal to delete users (no models)."""

    name = "powtracker"
    verbose_name = "powtracker"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import pre_delete

        from powtracker import checks  # noqa: F401 — registers the checks
        from powtracker.permanence import user_delete_refuse

        pre_delete.connect(
            user_delete_refuse, sender=settings.AUTH_USER_MODEL, dispatch_uid="user_delete_refuse"
        )
