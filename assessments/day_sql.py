"""Day arithmetic in raw SQL, for the reports that glue ORM-built sets with window functions
(repeat.py, recall.py). The ORM gives the local day of a visit (TruncDate: a date on
PostgreSQL, 'YYYY-MM-DD' text on SQLite); these fragments count and add days on either engine.
Their arguments are SQL expressions of our own, never user input."""

import datetime as dt

from django.db import connection


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def days_between(later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later` (NULL when either is NULL)."""
    if _sqlite():
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"
    return f"({later} - {earlier})"


def plus_days(day: str, days: str) -> str:
    """`day` + `days` days, as a day comparable with the others (NULL when either is NULL)."""
    if _sqlite():
        return f"date({day}, '+' || {days} || ' days')"
    return f"({day} + {days})"


def month_of(day: str) -> str:
    """The 'YYYY-MM' of a day."""
    if _sqlite():
        return f"substr({day}, 1, 7)"
    return f"to_char({day}, 'YYYY-MM')"


def local_day(column: str) -> tuple[str, tuple]:
    """The local day of a stored moment `column`, as the ORM's TruncDate computes it (SQLite
    does so in Python, row by row: apply it to the rows a report keeps, not to every visit)."""
    from django.utils import timezone

    sql, params = connection.ops.datetime_cast_date_sql(
        column, (), timezone.get_current_timezone_name()
    )
    return sql, tuple(params)


def param(day: dt.date):
    """A day as a query parameter this engine compares with the days above."""
    return connection.ops.adapt_datefield_value(day)


def as_date(value) -> dt.date | None:
    """A day read back from a raw query (a date, or 'YYYY-MM-DD' text on SQLite)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_month(value: str) -> dt.date:
    """The first day of a 'YYYY-MM' month."""
    return dt.date.fromisoformat(f"{value}-01")
