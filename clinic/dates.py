"""Days typed by users or carried in query strings: kept inside a calendar the app can count in.

Python's dates end at 0001-01-01 and 9999-12-31, so "the next day" of the last one (or the start of
day 0001-01-01 in Tokyo, which is still year 0 in UTC) raises OverflowError. Every day that comes
from outside goes through here first; a day outside FIRST_DAY..LAST_DAY is refused with a message.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2199, 12, 31)


def in_calendar(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def outside_message(day: dt.date) -> str:
    return _("%(day)s is outside the calendar (%(first)s to %(last)s).") % {
        "day": day.isoformat(),
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }


def validate_in_calendar(day) -> None:
    """A form-field validator (dates typed into a form)."""
    if isinstance(day, dt.date) and not in_calendar(day):
        raise ValidationError(outside_message(day), code="outside_calendar")


def query_day(value, *, default: dt.date) -> tuple[dt.date, str]:
    """The day a query string asks for, and what to tell the user when it cannot be used.

    Empty or not a date: the default, silently (as a blank date box means "today"). A real date
    outside the calendar: the default, with a message saying so."""
    try:
        day = dt.date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return default, ""
    if not in_calendar(day):
        instead = _("Showing %(day)s instead.") % {"day": date_format(default, "DATE_FORMAT")}
        return default, f"{outside_message(day)} {instead}"
    return day, ""


def step(day: dt.date, days: int) -> dt.date:
    """day + days, held at the calendar's edges (the previous/next links of the first/last day)."""
    return min(max(day + dt.timedelta(days=days), FIRST_DAY), LAST_DAY)


def query_moment(value) -> dt.datetime | None:
    """A local date and time from a query string ("2026-12-07T10:15"), or None when it is not
    one or falls outside the calendar: a link's prefill, never a reason for an error page."""
    try:
        moment = dt.datetime.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is not None or not in_calendar(moment.date()):
        return None
    return moment


def query_day_or_say(value, *, default: dt.date) -> tuple[dt.date, str]:
    """`query_day`, but a value that is not a date at all is told too (a report's address
    edited by hand should not silently show another day)."""
    day, problem = query_day(value, default=default)
    if problem or not (value or "").strip():
        return day, problem
    try:
        dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default, _("%(value)s is not a date (YYYY-MM-DD). Showing %(day)s instead.") % {
            "value": str(value)[:20],
            "day": date_format(default, "DATE_FORMAT"),
        }
    return day, ""


def query_month(value, *, default: dt.date) -> tuple[dt.date, str]:
    """The first day of the month a query string asks for ("2026-12"), and what to tell the
    user when it cannot be used (empty: the default's month, silently)."""
    value = (value or "").strip()
    fallback = default.replace(day=1)
    if not value:
        return fallback, ""
    year, _dash, month = value.partition("-")
    if _dash and year.isascii() and year.isdigit() and month.isascii() and month.isdigit():
        if len(year) == 4 and 1 <= int(month) <= 12:
            first = dt.date(int(year), int(month), 1)
            if in_calendar(first):
                return first, ""
    return fallback, _("%(value)s is not a month (YYYY-MM). Showing %(month)s instead.") % {
        "value": value[:20],
        "month": fallback.strftime("%Y-%m"),
    }
