"""The calendar: a day or a week, for one practitioner or the whole clinic, laid out as columns
(one per day and practitioner) on a grid of 5-minute rows. Each column holds its visits, the
stretches outside the hours (greyed out) and the free slots for a visit of the chosen length.

Reads a fixed number of queries whatever the clinic's size: the practitioners, the visits of the
range (patients/selectors.py), the clinic's hours and closures, the practitioners' shifts and
days off (patients/working_hours.py). The rules are the pure ones: `hours.bookable_intervals`
and `slots.free_starts`, so a free slot is a booking `book_appointment` accepts.
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import access
from patients import hours, selectors, slots, working_hours
from patients.models import AppointmentStatus

DEFAULT_MINUTES = 45  # the free slots' length in a clinic without menus (as the booking form)
# The next visit after a check-out when the patient's plan states no interval.
DEFAULT_INTERVAL_DAYS = 7

DAY, WEEK = "day", "week"


@dataclass(frozen=True)
class Placed:
    """Where a block sits on the grid: its first row and how many rows it takes."""

    row: int
    span: int

    @property
    def css(self) -> str:
        return f"cal-at-{self.row} cal-len-{self.span}"


@dataclass
class Slot:
    placed: Placed
    start: dt.datetime
    href: str


@dataclass
class Column:
    day: dt.date
    practitioner: object
    closed_note: str = ""
    closed: list[Placed] = field(default_factory=list)
    visits: list = field(default_factory=list)  # (Placed, Appointment)
    slots: list[Slot] = field(default_factory=list)


@dataclass
class Calendar:
    days: list[dt.date]
    practitioners: list  # the columns' (one, or the whole clinic's)
    staff: list  # every active practitioner of the clinic (the calendar's filter)
    by_day: list  # (day, [Column])
    window: tuple[int, int]
    rows: int
    hour_marks: list  # (Placed, "09:00")
    minutes: int

    @property
    def free_count(self) -> int:
        return sum(len(c.slots) for _day, columns in self.by_day for c in columns)


def week_of(day: dt.date) -> list[dt.date]:
    """The Monday-to-Sunday week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=n) for n in range(7)]


def _span_minutes(span: hours.Span) -> tuple[int, int]:
    end = slots.minute_of(span.end) or slots.DAY_MINUTES
    return slots.minute_of(span.start), end


def _local_minutes(visit) -> tuple[int, int]:
    start, end = timezone.localtime(visit.start), timezone.localtime(visit.end)
    low = start.hour * 60 + start.minute
    high = end.hour * 60 + end.minute if end.date() == start.date() else slots.DAY_MINUTES
    return low, max(high, low + slots.ROW_MINUTES)


def _closed_note(day, clinic_hours, practitioner_hours) -> str:
    if day in clinic_hours.closures:
        reason = clinic_hours.closures[day]
        return _("Closed (%(reason)s)") % {"reason": reason} if reason else _("Closed")
    if clinic_hours.open_on(day.weekday()) is None:
        return _("Closed")
    if day in practitioner_hours.days_off:
        reason = practitioner_hours.days_off[day]
        return _("Day off (%(reason)s)") % {"reason": reason} if reason else _("Day off")
    return ""


@dataclass(frozen=True)
class Request:
    """What the calendar is asked for: the days, whose columns, a visit of how long, and where
    a free slot leads (`slot_url` with the slot's practitioner and start added, plus `extra`)."""

    days: list[dt.date]
    minutes: int
    slot_url: str
    practitioner_id: int | None = None
    extra: dict = field(default_factory=dict)
    moving: object = None  # the visit being moved: its own time counts as free


def build(user, ask: Request, *, now: dt.datetime | None = None) -> Calendar:
    now = timezone.localtime(now or timezone.now())
    first, last = ask.days[0], ask.days[-1]
    active = list(access.practitioners_for(user.clinic_id))
    staff = list(active)
    visits = list(
        selectors.calendar_visits(user, first=first, last=last, practitioner_id=ask.practitioner_id)
    )
    for visit in visits:  # a visit of someone no longer active still shows
        if visit.practitioner_id not in {p.pk for p in staff}:
            staff.append(visit.practitioner)
    shown = [p for p in staff if not ask.practitioner_id or p.pk == ask.practitioner_id]
    clinic_hours = working_hours.clinic_hours(user.clinic_id, first=first, last=last)
    their_hours = working_hours.practitioners_hours([p.pk for p in shown], first=first, last=last)
    placed: dict[tuple[dt.date, int], list] = {}
    for visit in visits:
        key = (timezone.localtime(visit.start).date(), visit.practitioner_id)
        placed.setdefault(key, []).append(visit)
    bookable = {
        (day, p.pk): [
            _span_minutes(s)
            for s in hours.bookable_intervals(
                day=day, clinic=clinic_hours, practitioner=their_hours[p.pk]
            )
        ]
        for day in ask.days
        for p in shown
    }
    # The clinic's open hours of the days shown, so a practitioner's time off shift shows grey.
    spans = [
        _span_minutes(opening)
        for day in ask.days
        if day not in clinic_hours.closures
        and (opening := clinic_hours.open_on(day.weekday())) is not None
    ]
    spans += [s for found in bookable.values() for s in found]
    spans += [_local_minutes(v) for v in visits]
    window = slots.window_of(spans)
    by_day = []
    for day in ask.days:
        columns = []
        for practitioner in shown:
            key = (day, practitioner.pk)
            note = _closed_note(day, clinic_hours, their_hours[practitioner.pk])
            if not note and not bookable[key]:
                note = _("Not working")  # no shift that weekday
            column = Column(day=day, practitioner=practitioner, closed_note=note)
            _fill(column, bookable[key], placed.get(key, []), ask, window=window, now=now)
            columns.append(column)
        by_day.append((day, columns))
    return Calendar(
        days=ask.days,
        practitioners=shown,
        staff=active,
        by_day=by_day,
        window=window,
        rows=slots.rows(*window, window_start=window[0])[1],
        hour_marks=[
            (Placed(*slots.rows(m, m + 60, window_start=window[0])), f"{m // 60:02d}:00")
            for m in range(window[0], window[1], 60)
        ],
        minutes=ask.minutes,
    )


def _fill(column: Column, bookable, visits, ask: Request, *, window, now) -> None:
    start_row = window[0]
    column.closed = [
        Placed(*slots.rows(low, high, window_start=start_row))
        for low, high in slots.closed_stretches(window=window, bookable=bookable)
    ]
    busy = []
    for visit in visits:
        low, high = _local_minutes(visit)
        column.visits.append((Placed(*slots.rows(low, high, window_start=start_row)), visit))
        if ask.moving is None or visit.pk != ask.moving.pk:
            busy.append((low, high))
    if column.day < now.date():
        return
    step = slots.SLOT_MINUTES
    not_before = now.hour * 60 + now.minute + 1 if column.day == now.date() else 0
    for minute in slots.free_starts(
        bookable=bookable, busy=busy, minutes=ask.minutes, not_before=not_before
    ):
        start = timezone.make_aware(dt.datetime.combine(column.day, slots.time_of(minute)))
        query = {
            "practitioner": column.practitioner.pk,
            "start": f"{column.day:%Y-%m-%d}T{minute // 60:02d}:{minute % 60:02d}",
            **ask.extra,
        }
        column.slots.append(
            Slot(
                placed=Placed(*slots.rows(minute, minute + step, window_start=start_row)),
                start=start,
                href=f"{ask.slot_url}?{urlencode(query)}",
            )
        )


def next_free(calendar: Calendar, *, count: int) -> list:
    """The earliest free slots of the calendar, across practitioners: (start, practitioner,
    href), soonest first."""
    found = [
        (slot.start, column.practitioner, slot.href)
        for _day, columns in calendar.by_day
        for column in columns
        for slot in column.slots
    ]
    return sorted(found, key=lambda item: (item[0], item[1].pk))[:count]


def late(visits, *, now: dt.datetime) -> list:
    """Of today's visits, those still booked whose start has passed: not checked in yet."""
    return [v for v in visits if v.status == AppointmentStatus.BOOKED and v.start < now]


def slot_menu(menus, wanted):
    """The menu whose length the free slots are for: the one asked for, else the clinic's
    45-minute menu, else its first; None in a clinic without menus."""
    by_id = {menu.pk: menu for menu in menus}
    if wanted in by_id:
        return by_id[wanted]
    usual = [menu for menu in menus if menu.minutes == DEFAULT_MINUTES]
    return (usual or list(menus) or [None])[0]


@dataclass
class NextBooking:
    """After a check-out: the visit that ended, the day suggested for the next one (the plan's
    interval, else a week, moved on to a day the practitioner works), and the booking link; or
    the next visit already booked."""

    visit: object
    interval_days: int
    from_plan: bool
    day: dt.date | None = None
    book_href: str = ""
    calendar_href: str = ""
    booked: object = None


def next_bookings(
    user, visits, *, intervals: dict, booked: dict, book_url: str, calendar_url: str
) -> list[NextBooking]:
    """A NextBooking for each visit of `visits` (`intervals`: patient id -> the plan's
    interval in days; `booked`: patient id -> their next visit already booked). The working
    days are read once for them all."""
    offers = []
    for visit in visits:
        days = intervals.get(visit.patient_id)
        offers.append(
            NextBooking(
                visit=visit,
                interval_days=days or DEFAULT_INTERVAL_DAYS,
                from_plan=days is not None,
                booked=booked.get(visit.patient_id),
            )
        )
    wanted = [offer for offer in offers if offer.booked is None]
    if not wanted:
        return offers
    first = min(timezone.localtime(o.visit.start).date() for o in wanted) + dt.timedelta(days=1)
    last = first + dt.timedelta(days=max(o.interval_days for o in wanted) + 14)
    clinic_hours = working_hours.clinic_hours(user.clinic_id, first=first, last=last)
    theirs = working_hours.practitioners_hours(
        {o.visit.practitioner_id for o in wanted}, first=first, last=last
    )
    for offer in wanted:
        visit = offer.visit
        local = timezone.localtime(visit.start)
        offer.day = _working_day(
            local.date() + dt.timedelta(days=offer.interval_days),
            clinic_hours,
            theirs[visit.practitioner_id],
            last=last,
        )
        query = {"patient": visit.patient_id, "practitioner": visit.practitioner_id}
        if visit.menu_id:
            query["menu"] = visit.menu_id
        start = f"{offer.day:%Y-%m-%d}T{local:%H:%M}"
        offer.book_href = f"{book_url}?{urlencode({**query, 'start': start})}"
        day = f"{offer.day:%Y-%m-%d}"
        offer.calendar_href = f"{calendar_url}?{urlencode({**query, 'date': day, 'view': DAY})}"
    return offers


def _working_day(day, clinic_hours, practitioner_hours, *, last) -> dt.date:
    """`day`, or the first day after it the practitioner works (the suggested day itself when
    none is found before `last`)."""
    probe = day
    while probe <= last:
        if hours.bookable_intervals(
            day=probe, clinic=clinic_hours, practitioner=practitioner_hours
        ):
            return probe
        probe += dt.timedelta(days=1)
    return day
