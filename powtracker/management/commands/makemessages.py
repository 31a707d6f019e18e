"""Django's makemessages, also extracting `_l(...)` and `_g(...)`: the admin modules name
gettext_lazy `_l` (or gettext `_g`) beside the other as `_`, and xgettext knows only the
standard names."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l", "--keyword=_g"]
