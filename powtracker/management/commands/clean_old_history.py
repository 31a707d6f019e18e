"""Refuses: simple-history's `clean_old_history` would delete history rows."""

from powtracker.management.history_kept import HistoryKeptCommand


class Command(HistoryKeptCommand):
    pass
