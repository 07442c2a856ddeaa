"""Working hours: is a visit bookable, and if not, why; and the bookable stretches of a day.

Pure: no Django imports, so the rules are tested without a database. Times are the clinic's local
wall-clock times; weekdays are `date.weekday()` numbers (Monday 0 … Sunday 6). The Django side
(`patients/working_hours.py`) reads the rows into these dataclasses and words the refusals.

- A clinic with no weekly hours entered yet keeps DEFAULT_WEEK (09:00-20:00 Monday to Saturday).
- A practitioner with no shifts entered yet works whenever the clinic is open; once any shift is
  entered, the weekly shifts are what they work (a weekday without one is a day they do not).
- Dated closures (holidays) close the clinic; a practitioner's day off takes them off that date.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

# Why a visit cannot be booked: stable codes, worded by the Django side.
HOLIDAY = "holiday"  # a dated closure of the clinic
CLINIC_CLOSED = "clinic_closed"  # the clinic's weekly closed day
BEFORE_OPENING = "before_opening"
AFTER_CLOSING = "after_closing"  # ends after closing time (or on the next day)
DAY_OFF = "day_off"  # the practitioner's dated day off
NO_SHIFT = "no_shift"  # the practitioner works no shift on that weekday
OFF_SHIFT = "off_shift"  # works that day, but the visit is not inside a shift
CODES = (HOLIDAY, CLINIC_CLOSED, BEFORE_OPENING, AFTER_CLOSING, DAY_OFF, NO_SHIFT, OFF_SHIFT)
# The codes that concern the practitioner rather than the clinic.
PRACTITIONER_CODES = frozenset({DAY_OFF, NO_SHIFT, OFF_SHIFT})

WEEKDAYS = range(7)


@dataclass(frozen=True, order=True)
class Span:
    """From `start` to `end` on one day (end after start)."""

    start: time
    end: time

    def __post_init__(self):
        if not self.start < self.end:
            raise ValueError(f"a span ends after it starts: {self.start}-{self.end}")

    def holds(self, start: time, end: time) -> bool:
        return self.start <= start and end <= self.end


DEFAULT_SPAN = Span(time(9), time(20))
DEFAULT_WEEK: Mapping[int, Span | None] = {day: DEFAULT_SPAN for day in range(6)} | {6: None}


@dataclass(frozen=True)
class ClinicHours:
    """The clinic's week (weekday -> open span, None when closed) and its dated closures
    (date -> reason, "" when none was given). `week=None`: no hours entered, DEFAULT_WEEK."""

    week: Mapping[int, Span | None] | None = None
    closures: Mapping[date, str] = field(default_factory=dict)

    def open_on(self, weekday: int) -> Span | None:
        week = DEFAULT_WEEK if self.week is None else self.week
        return week.get(weekday)


@dataclass(frozen=True)
class PractitionerHours:
    """A practitioner's weekly shifts (weekday -> spans; a weekday missing has none) and dated
    days off (date -> reason). `shifts=None`: none entered, they work the clinic's hours."""

    shifts: Mapping[int, tuple[Span, ...]] | None = None
    days_off: Mapping[date, str] = field(default_factory=dict)

    def shifts_on(self, weekday: int) -> tuple[Span, ...] | None:
        if self.shifts is None:
            return None
        return tuple(sorted(self.shifts.get(weekday, ())))


@dataclass(frozen=True)
class Refusal:
    """Why a visit cannot be booked: a code, the reason given for a closure or day off, and the
    spans of that day that would do (the clinic's open hours, or the practitioner's shifts)."""

    code: str
    reason: str = ""
    spans: tuple[Span, ...] = ()


def refusal(
    *, start: datetime, end: datetime, clinic: ClinicHours, practitioner: PractitionerHours
) -> Refusal | None:
    """None when the visit from `start` to `end` (local times) fits the clinic's hours of its
    day and one of the practitioner's shifts; else the first reason it does not, clinic first."""
    day = start.date()
    if day in clinic.closures:
        return Refusal(HOLIDAY, reason=clinic.closures[day])
    opening = clinic.open_on(day.weekday())
    if opening is None:
        return Refusal(CLINIC_CLOSED)
    if start.time() < opening.start:
        return Refusal(BEFORE_OPENING, spans=(opening,))
    if end.date() != day or end.time() > opening.end:
        return Refusal(AFTER_CLOSING, spans=(opening,))
    if day in practitioner.days_off:
        return Refusal(DAY_OFF, reason=practitioner.days_off[day])
    shifts = practitioner.shifts_on(day.weekday())
    if shifts is None:
        return None
    if not shifts:
        return Refusal(NO_SHIFT)
    if not any(span.holds(start.time(), end.time()) for span in _merged(shifts)):
        return Refusal(OFF_SHIFT, spans=shifts)
    return None


def bookable_intervals(
    *, day: date, clinic: ClinicHours, practitioner: PractitionerHours | None = None
) -> tuple[Span, ...]:
    """The stretches of `day` in which a visit may be booked: the clinic's open hours (none on
    a closure or a closed weekday), cut to the practitioner's shifts when one is given. A visit
    is bookable exactly when one of these holds it (`refusal` is None)."""
    if day in clinic.closures:
        return ()
    opening = clinic.open_on(day.weekday())
    if opening is None:
        return ()
    if practitioner is None:
        return (opening,)
    if day in practitioner.days_off:
        return ()
    shifts = practitioner.shifts_on(day.weekday())
    if shifts is None:
        return (opening,)
    cut = []
    for span in _merged(shifts):
        start, end = max(span.start, opening.start), min(span.end, opening.end)
        if start < end:
            cut.append(Span(start, end))
    return tuple(cut)


def overlapping(spans: tuple[Span, ...]) -> tuple[Span, Span] | None:
    """Two spans of one day that overlap (touching ends do not), or None: shifts of one weekday
    may not overlap."""
    ordered = sorted(spans)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end:
            return before, after
    return None


def _merged(spans) -> list[Span]:
    """Spans joined where they touch or overlap: shifts of 9-12 and 12-15 hold 11:30-12:30."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            last = merged.pop()
            merged.append(Span(last.start, max(last.end, span.end)))
        else:
            merged.append(span)
    return merged
