from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and disclosure")

    def ready(self) -> None:
        from partners import schema  # noqa: F401 — registers the OpenAPI auth scheme
