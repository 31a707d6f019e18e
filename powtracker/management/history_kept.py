"""Stand-ins for simple-history's commands that delete history: here they refuse (rule 5)."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


class HistoryKeptCommand(BaseCommand):
    """Refuses to run, whatever its arguments: history is append-only, nothing is deleted.

    Same-named commands here shadow simple-history's, since `powtracker` comes first in
    INSTALLED_APPS.
    """

    help = "Refuses: history is append-only here, so no history row is ever deleted."

    def refusal(self) -> str:
        return _(
            "%(command)s refuses: powtracker keeps every history row (who changed what, when "
            "and why) for ever. Nothing was deleted."
        ) % {"command": self.__module__.rsplit(".", 1)[-1]}

    def run_from_argv(self, argv: list[str]) -> None:
        # Refuse before parsing, so that simple-history's own options still get this message.
        self.stderr.write(self.refusal())
        sys.exit(1)

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(self.refusal())
