from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Partners are told, not polled: signed webhooks (Standard Webhooks) from a transactional
    outbox. The services announce what they write (powtracker.outbox); this app turns each
    announcement into a notification for every endpoint whose partner may see the change, in the
    same transaction, and the workers deliver them."""

    name = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"
