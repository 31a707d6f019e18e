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

    def ready(self) -> None:
        from jobs.services import maintenance_register
        from powtracker.outbox import writer_register
        from webhooks.outbox import notifications_write
        from webhooks.services import webhooks_dispatch

        writer_register(notifications_write)
        # Every worker looks, each second, for endpoints with something to send.
        maintenance_register(webhooks_dispatch, every=1)
