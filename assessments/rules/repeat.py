"""The arithmetic of the owner's repeat numbers (assessments/repeat.py asks the database for
the counts; this turns them into what the page shows). Pure: no database, no clock.

- A month's cohort is the patients whose first completed visit fell in that month. "Came back
  within N days" means another completed visit at most N days after the first (day 30 counts for
  30 days, day 31 only for 60).
- A cohort's N-day share is shown only once the N-day window of its last possible member has
  ended: the month's last day + N days is over (today is later). Until then a visit still to come
  could count, so the share would read falsely low: the page shows "—" (None here).
- Shares are whole percentages, rounded half up; a cohort of nobody has no share.
"""

import datetime as dt
from dataclasses import dataclass

WINDOWS = (30, 60, 90)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s to `last`'s, both included."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def months_back(today: dt.date, count: int) -> dt.date:
    """The first day of the month `count - 1` months before today's (count months in all)."""
    month = month_start(today)
    for _ in range(count - 1):
        month = month_start(month - dt.timedelta(days=1))
    return month


def window_ended(month: dt.date, window: int, *, today: dt.date) -> bool:
    """True when every member of the month's cohort has had their whole `window` days."""
    return today > month_end(month) + dt.timedelta(days=window)


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage, rounded half up; None for nobody."""
    if not whole:
        return None
    return (200 * part + whole) // (2 * whole)


def average(total: float | int | None, count: int | None, *, places: int = 1) -> float | None:
    """An average rounded to `places` decimals (half up), or None over nothing."""
    if not count or total is None:
        return None
    scale = 10**places
    return int(total * scale / count + 0.5) / scale


@dataclass(frozen=True)
class Cohort:
    month: dt.date
    new_patients: int
    came_back: tuple[int, ...]  # per window of WINDOWS: how many came back within it


@dataclass(frozen=True)
class CohortShares:
    month: dt.date
    new_patients: int
    shares: tuple[int | None, ...]  # per window: %, or None ("—")
    counts: tuple[int | None, ...]  # per window: how many, or None when not shown


def cohort_shares(cohort: Cohort, *, today: dt.date) -> CohortShares:
    shares, counts = [], []
    for window, back in zip(WINDOWS, cohort.came_back, strict=True):
        shown = cohort.new_patients > 0 and window_ended(cohort.month, window, today=today)
        shares.append(percent(back, cohort.new_patients) if shown else None)
        counts.append(back if shown else None)
    return CohortShares(cohort.month, cohort.new_patients, tuple(shares), tuple(counts))


def overall_shares(cohorts: list[Cohort], *, today: dt.date) -> tuple[int | None, ...]:
    """Per window, the share over the range's cohorts whose window has ended (the others are
    left out of both the count and the whole, never counted as not having come back)."""
    shares = []
    for index, window in enumerate(WINDOWS):
        ended = [c for c in cohorts if window_ended(c.month, window, today=today)]
        shares.append(
            percent(sum(c.came_back[index] for c in ended), sum(c.new_patients for c in ended))
        )
    return tuple(shares)
