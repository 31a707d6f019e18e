"""The dates a case may carry: the one rule (nothing before GC III, nothing before capture,
nothing in the future), and the one way a day or a moment of a case is written (where the
register is kept, TIME_ZONE, never UTC; the admin's display module and the models' names use it).
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from powtracker.errors import ErrorCode, RuleError

# The Third Geneva Convention was signed on 12 August 1949; this register keeps its cases.
GC3_SIGNED = date(1949, 8, 12)


# Clocks drift; an event a few minutes "in the future" is a typing delay, not a mistake.
CLOCK_TOLERANCE = timedelta(minutes=5)


def start_of_day(day: date) -> datetime:
    """The first moment of a calendar day in the configured time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _sentence_start(what: str) -> str:
    what = str(what)
    return what[:1].upper() + what[1:]


def not_future_check(moment: date | datetime, *, what: str) -> None:
    """Refuse a date of a case (`what`, e.g. "the event's date") in the future: a moment later
    than now give or take the clocks' drift (CLOCK_TOLERANCE), a day after today in the
    configured time zone."""
    if isinstance(moment, datetime):
        future = moment > timezone.now() + CLOCK_TOLERANCE
    else:
        future = moment > timezone.localdate()
    if future:
        raise RuleError(
            ErrorCode.EVENT_IN_FUTURE,
            _("%(field)s is in the future."),
            {"field": _sentence_start(what)},
        )


def case_date_check(moment: date | datetime, *, what: str, captured_on: date | None = None) -> None:
    """Refuse a date of a case (`what`, e.g. "the event's date") before GC III, or before the
    captive's capture when `captured_on` is given. Datetimes compare at the start of the day in
    the configured time zone."""
    if isinstance(moment, datetime):
        earlier = lambda day: moment < start_of_day(day)  # noqa: E731
    else:
        earlier = lambda day: moment < day  # noqa: E731
    if earlier(GC3_SIGNED):
        raise RuleError(
            ErrorCode.DATE_BEFORE_GC3,
            _("%(what)s is before the Third Geneva Convention (12 August 1949)."),
            {"what": _sentence_start(what)},
        )
    if captured_on is not None and earlier(captured_on):
        raise RuleError(
            ErrorCode.DATE_BEFORE_CAPTURE,
            _("%(what)s is before his capture on %(captured_on)s."),
            {"what": _sentence_start(what), "captured_on": captured_on.isoformat()},
        )


# --- how a day of a case is written ------------------------------------------------------------


def local_day(moment: date | datetime | None) -> str:
    """A day as the register writes it: a moment's day where the register is kept (TIME_ZONE),
    a calendar day (a due date, a capture date) as it is; '—' for none."""
    if not moment:
        return "—"
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATE_FORMAT")


def local_moment(moment: datetime | None) -> str:
    """A moment to the minute where the register is kept (TIME_ZONE): '2025-01-11 05:00'."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"
