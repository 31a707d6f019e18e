from django.apps import AppConfig


class PowtrackerConfig(AppConfig):
    """The project itself: its system checks and the sign-in audit's admin (no models)."""

    name = "powtracker"
    verbose_name = "powtracker"

    def ready(self) -> None:
        # Importing registers the system checks and the sign-in audit's admin.
        from powtracker import checks, signin_admin  # noqa: F401
