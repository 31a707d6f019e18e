from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Exports, GC III documents and statistics: thin doors over the same selectors and
    disclosure rules as the admin and the API."""

    name = "reports"
    verbose_name = _("Reports")
