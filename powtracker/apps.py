from django.apps import AppConfig


class PowtrackerConfig(AppConfig):
    """The project itself: its system checks (no models)."""

    name = "powtracker"
    verbose_name = "powtracker"

    def ready(self) -> None:
        from powtracker import checks  # noqa: F401 — registers the checks
