"""The patient's daily home records (exercise log, safety answers) counted per week or per month,
for the disclosure PDF; the JSON keeps every row. Pure: the export's rows in, counts out.

Weeks while the records span up to 13 weeks (a course of care is reviewed every few weeks, and
13 lines fit a third of a page); a longer history is counted per calendar month, so a year reads
in 12 lines and five years in 60, where weeks would be 53 and 261."""

import datetime as dt
from dataclasses import dataclass, field

WEEK, MONTH = "week", "month"
WEEKS_UP_TO_DAYS = 13 * 7


@dataclass
class Period:
    start: dt.date
    end: dt.date
    days: set = field(default_factory=set)  # days with an exercise logged
    days_done: set = field(default_factory=set)  # days with at least one exercise done
    items: int = 0  # exercise entries (one exercise on one day)
    items_done: int = 0
    pain_recorded: int = 0  # entries with a pain score
    hurt: int = 0  # entries with a pain score above 0
    pain_highest: int | None = None
    checks: int = 0  # days the safety questions were answered
    checks_raised: int = 0  # days with a "yes" to any of them

    def add_log(self, log: dict) -> None:
        self.days.add(log["day"])
        self.items += 1
        if log["done"]:
            self.items_done += 1
            self.days_done.add(log["day"])
        pain = log["pain"]
        if pain is not None:
            self.pain_recorded += 1
            self.hurt += pain > 0
            self.pain_highest = pain if self.pain_highest is None else max(self.pain_highest, pain)

    def add_check(self, raised: bool) -> None:
        self.checks += 1
        self.checks_raised += raised

    @property
    def empty(self) -> bool:
        return not (self.items or self.checks)


def unit_for(first: dt.date, last: dt.date) -> str:
    return WEEK if (last - first).days < WEEKS_UP_TO_DAYS else MONTH


def period_start(day: dt.date, unit: str) -> dt.date:
    return day - dt.timedelta(days=day.weekday()) if unit == WEEK else day.replace(day=1)


def next_start(start: dt.date, unit: str) -> dt.date:
    if unit == WEEK:
        return start + dt.timedelta(days=7)
    return (start + dt.timedelta(days=32)).replace(day=1)


def summarise(logs: list[dict], checks: list[tuple[dt.date, bool]]):
    """(unit, periods oldest first, every one between the first record and the last, including
    those with nothing recorded; the whole span as one Period). `logs` are exercise-log rows
    (day, done, pain); `checks` are (day, any "yes") pairs of the safety answers."""
    days = [log["day"] for log in logs] + [day for day, _raised in checks]
    if not days:
        return WEEK, [], None
    first, last = min(days), max(days)
    unit = unit_for(first, last)
    periods = {}
    start = period_start(first, unit)
    while start <= last:
        following = next_start(start, unit)
        periods[start] = Period(start, following - dt.timedelta(days=1))
        start = following
    total = Period(first, last)
    for log in logs:
        periods[period_start(log["day"], unit)].add_log(log)
        total.add_log(log)
    for day, raised in checks:
        periods[period_start(day, unit)].add_check(raised)
        total.add_check(raised)
    return unit, list(periods.values()), total
