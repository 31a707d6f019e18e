from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Exports, GC III documents and statistics: thin doors over the same selectors and
    disclosure rules as the admin and the API."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from jobs.services import maintenance_register
        from reports.services import exports_purge

        # Every worker removes the files of expired exports, once a minute.
        maintenance_register(exports_purge, every=60)
