"""The one rule for the dates a case may carry: nothing before GC III, nothing before capture."""

from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from powtracker.errors import ErrorCode, RuleError

# The Third Geneva Convention was signed on 12 August 1949; this register keeps its cases.
GC3_SIGNED = date(1949, 8, 12)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def case_date_check(moment: date | datetime, *, what: str, captured_on: date | None = None) -> None:
    """Refuse a date of a case (`what`, e.g. "the event's date") before GC III, or before the
    captive's capture when `captured_on` is given. Datetimes compare at the start of the day in
    the configured time zone."""
    if isinstance(moment, datetime):
        earlier = lambda day: moment < _start_of(day)  # noqa: E731
    else:
        earlier = lambda day: moment < day  # noqa: E731
    if earlier(GC3_SIGNED):
        raise RuleError(
            ErrorCode.DATE_BEFORE_GC3,
            _("%(what)s is before the Third Geneva Convention (12 August 1949)."),
            {"what": str(what).capitalize()},
        )
    if captured_on is not None and earlier(captured_on):
        raise RuleError(
            ErrorCode.DATE_BEFORE_CAPTURE,
            _("%(what)s is before his capture on %(captured_on)s."),
            {"what": str(what).capitalize(), "captured_on": captured_on.isoformat()},
        )
