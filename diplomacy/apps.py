from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DiplomacyConfig(AppConfig):
    name = "diplomacy"
    verbose_name = _("Diplomacy")
