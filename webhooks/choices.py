"""The steps of the webhooks' services (powtracker.steps): supervisors manage every partner's
endpoints; a partner manages its own through the API (scope `webhooks:manage`)."""

from django.utils.translation import pgettext_lazy

from powtracker.steps import Step

WEBHOOK_SUBSCRIBE = Step(
    "subscribe-webhook",
    "webhooks.add_webhookendpoint",
    pgettext_lazy("your role does not allow you to …", "subscribe a partner to webhooks"),
)
WEBHOOK_CHANGE = Step(
    "change-webhook",
    "webhooks.change_webhookendpoint",
    pgettext_lazy("your role does not allow you to …", "change a webhook endpoint"),
)
WEBHOOK_REDELIVER = Step(
    "redeliver-webhook",
    "webhooks.redeliver_webhookdelivery",
    pgettext_lazy("your role does not allow you to …", "deliver a notification again"),
)
