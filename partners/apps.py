from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners and disclosure")

    def ready(self) -> None:
        # Importing registers the OpenAPI auth scheme and the sign-in audit's admin.
        from partners import schema, signin_admin  # noqa: F401
