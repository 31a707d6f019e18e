"""Django's makemessages, also extracting `_l(...)`: the admin modules name gettext_lazy `_l`
beside gettext's `_`, and xgettext knows only the standard names."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
