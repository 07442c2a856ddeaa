"""Working hours on the Django side: the clinic's and practitioners' rows read into the pure
rule's dataclasses (patients/hours.py), its refusals worded for the booking form, and the clinic
admin's writes (weekly hours, closures, shifts, days off). Every write takes keyword-only
arguments, checks before it saves, runs in one transaction and is on the audit trail (the
models are registered in patients/apps.py).

For the calendar: `clinic_hours(...)` and `practitioners_hours(...)` read a date range in a
fixed number of queries; `hours.bookable_intervals(day=..., clinic=..., practitioner=...)` then
gives each day's bookable stretches.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic.models import Role
from patients import hours
from patients.models import Closure, DayOff, OpeningHours, Shift, Weekday

# Which booking field a refusal is shown next to.
FIELD_OF = {code: "practitioner" for code in hours.PRACTITIONER_CODES} | {
    code: "start" for code in set(hours.CODES) - hours.PRACTITIONER_CODES
}


class OutsideHours(ValidationError):
    """A visit outside the clinic's hours or the practitioner's shifts; `error_dict` names the
    booking field the reason belongs next to."""


# Reads ----------------------------------------------------------------------------------


def clinic_hours(clinic_id, *, first: dt.date, last: dt.date) -> hours.ClinicHours:
    """The clinic's week and its closures from `first` to `last` (two queries)."""
    rows = list(OpeningHours.objects.filter(clinic_id=clinic_id))
    week = {row.weekday: row.span for row in rows} if rows else None
    closures = dict(
        Closure.objects.filter(clinic_id=clinic_id, day__range=(first, last)).values_list(
            "day", "reason"
        )
    )
    return hours.ClinicHours(week=week, closures=closures)


def practitioners_hours(
    practitioner_ids, *, first: dt.date, last: dt.date
) -> dict[int, hours.PractitionerHours]:
    """Each practitioner's shifts and days off from `first` to `last` (two queries, however
    many practitioners)."""
    ids = list(practitioner_ids)
    shifts: dict[int, dict[int, list[hours.Span]]] = {pk: {} for pk in ids}
    for shift in Shift.objects.filter(practitioner_id__in=ids):
        shifts[shift.practitioner_id].setdefault(shift.weekday, []).append(shift.span)
    days_off: dict[int, dict[dt.date, str]] = {pk: {} for pk in ids}
    found = DayOff.objects.filter(practitioner_id__in=ids, day__range=(first, last))
    for pk, day, reason in found.values_list("practitioner_id", "day", "reason"):
        days_off[pk][day] = reason
    return {
        pk: hours.PractitionerHours(
            shifts={day: tuple(spans) for day, spans in shifts[pk].items()} or None,
            days_off=days_off[pk],
        )
        for pk in ids
    }


def week_rows(clinic_id) -> dict[int, OpeningHours | None]:
    """The clinic's weekly rows by weekday (None where none is stored)."""
    rows = {row.weekday: row for row in OpeningHours.objects.filter(clinic_id=clinic_id)}
    return {day: rows.get(day) for day in Weekday.values}


def effective_week(clinic_id) -> dict[int, hours.Span | None]:
    """What the clinic opens each weekday: its rows, or the default week when it has none."""
    found = clinic_hours(clinic_id, first=dt.date.min, last=dt.date.min)
    return {day: found.open_on(day) for day in Weekday.values}


# The booking check ------------------------------------------------------------------------


def check_bookable(*, clinic_id, practitioner, start: dt.datetime, end: dt.datetime) -> None:
    """Raise OutsideHours (with the reason next to its field) unless the visit from `start` to
    `end` fits the clinic's hours and the practitioner's shifts."""
    local_start, local_end = timezone.localtime(start), timezone.localtime(end)
    day = local_start.date()
    found = hours.refusal(
        start=local_start.replace(tzinfo=None),
        end=local_end.replace(tzinfo=None),
        clinic=clinic_hours(clinic_id, first=day, last=day),
        practitioner=practitioners_hours([practitioner.pk], first=day, last=day)[practitioner.pk],
    )
    if found is not None:
        message = explain(found, practitioner=practitioner, day=day)
        raise OutsideHours({FIELD_OF[found.code]: [ValidationError(message, code=found.code)]})


def _spans_text(spans) -> str:
    return "、".join(f"{s.start:%H:%M}-{s.end:%H:%M}" for s in spans)


def explain(refusal: hours.Refusal, *, practitioner, day: dt.date) -> str:
    """The refusal in the reader's language."""
    weekday = Weekday(day.weekday()).label
    reason = refusal.reason
    spans = _spans_text(refusal.spans)
    name = str(practitioner)
    if refusal.code == hours.HOLIDAY:
        if reason:
            return _("The clinic is closed on %(day)s (%(reason)s).") % {
                "day": f"{day:%Y-%m-%d}",
                "reason": reason,
            }
        return _("The clinic is closed on %(day)s.") % {"day": f"{day:%Y-%m-%d}"}
    if refusal.code == hours.CLINIC_CLOSED:
        return _("The clinic is closed on %(weekday)s.") % {"weekday": weekday}
    if refusal.code == hours.BEFORE_OPENING:
        return _("The clinic opens at %(opens)s on %(weekday)s.") % {
            "opens": f"{refusal.spans[0].start:%H:%M}",
            "weekday": weekday,
        }
    if refusal.code == hours.AFTER_CLOSING:
        return _("The visit would end after closing time (%(closes)s).") % {
            "closes": f"{refusal.spans[0].end:%H:%M}"
        }
    if refusal.code == hours.DAY_OFF:
        if reason:
            return _("%(name)s has a day off on %(day)s (%(reason)s).") % {
                "name": name,
                "day": f"{day:%Y-%m-%d}",
                "reason": reason,
            }
        return _("%(name)s has a day off on %(day)s.") % {"name": name, "day": f"{day:%Y-%m-%d}"}
    if refusal.code == hours.NO_SHIFT:
        return _("%(name)s does not work on %(weekday)s.") % {"name": name, "weekday": weekday}
    return _("%(name)s is not on shift then: on %(weekday)s they work %(shifts)s.") % {
        "name": name,
        "weekday": weekday,
        "shifts": spans,
    }


# The clinic admin's writes ----------------------------------------------------------------


def _check_admin(by, clinic_id) -> None:
    if by.clinic_id != clinic_id or Role.ADMIN not in by.roles:
        raise ValueError("only the clinic's admin changes its hours")


def _check_practitioner(practitioner, by) -> None:
    _check_admin(by, practitioner.clinic_id)
    if Role.PRACTITIONER not in practitioner.roles:
        raise ValueError("shifts and days off are a practitioner's")


@transaction.atomic
def save_week(*, clinic, by, week: dict[int, tuple[dt.time, dt.time] | None]) -> int:
    """Store the clinic's weekly hours: for every weekday (0-6) an (opens, closes) pair, or None
    for closed. Only the weekdays that changed are written; returns how many did."""
    _check_admin(by, clinic.pk)
    if set(week) != set(Weekday.values):
        raise ValueError("the week needs every weekday")
    errors = {}
    for day, pair in week.items():
        if pair is not None and not pair[0] < pair[1]:
            errors[f"closes_{day}"] = _("Closing time comes after opening time.")
    if errors:
        raise ValidationError(errors)
    stored = week_rows(clinic.pk)
    changed = 0
    for day, pair in sorted(week.items()):
        opens, closes = pair if pair is not None else (None, None)
        row = stored[day] or OpeningHours(clinic=clinic, weekday=day)
        if row.pk and (row.opens, row.closes) == (opens, closes):
            continue
        row.opens, row.closes = opens, closes
        row.full_clean()
        row.save()
        changed += 1
    return changed


@transaction.atomic
def add_closure(*, closure: Closure, by) -> Closure:
    _check_admin(by, closure.clinic_id)
    if closure.pk is not None:
        raise ValueError("add_closure takes a new closure")
    if Closure.objects.filter(clinic_id=closure.clinic_id, day=closure.day).exists():
        raise ValidationError({"day": _("The clinic is already closed on that date.")})
    closure.full_clean()
    closure.save()
    return closure


@transaction.atomic
def remove_closure(*, closure: Closure, by) -> None:
    _check_admin(by, closure.clinic_id)
    closure.delete()


@transaction.atomic
def save_shifts(*, practitioner, by, shifts: list[tuple[int, dt.time, dt.time]]) -> int:
    """Make `shifts` (weekday, start, end) the practitioner's week: shifts no longer listed are
    removed, new ones added, unchanged ones kept. Shifts of one weekday may not overlap. Returns
    how many rows changed."""
    _check_practitioner(practitioner, by)
    wanted = set()
    for weekday, start, end in shifts:
        if weekday not in Weekday.values or not start < end:
            raise ValidationError(_("A shift ends after it starts."), code="shift")
        wanted.add((weekday, start, end))
    for weekday in Weekday.values:
        day = tuple(hours.Span(s, e) for w, s, e in wanted if w == weekday)
        clash = hours.overlapping(day)
        if clash:
            raise ValidationError(
                _("Shifts on %(weekday)s overlap: %(shifts)s.")
                % {"weekday": Weekday(weekday).label, "shifts": _spans_text(clash)},
                code="overlap",
            )
    changed = 0
    for shift in Shift.objects.filter(practitioner=practitioner):
        key = (shift.weekday, shift.start, shift.end)
        if key in wanted:
            wanted.discard(key)
        else:
            shift.delete()
            changed += 1
    for weekday, start, end in sorted(wanted):
        shift = Shift(
            clinic_id=practitioner.clinic_id,
            practitioner=practitioner,
            weekday=weekday,
            start=start,
            end=end,
        )
        shift.full_clean()
        shift.save()
        changed += 1
    return changed


@transaction.atomic
def add_day_off(*, day_off: DayOff, by) -> DayOff:
    _check_practitioner(day_off.practitioner, by)
    if day_off.pk is not None:
        raise ValueError("add_day_off takes a new day off")
    day_off.clinic_id = day_off.practitioner.clinic_id
    if DayOff.objects.filter(practitioner=day_off.practitioner, day=day_off.day).exists():
        raise ValidationError({"day": _("That date is already a day off.")})
    day_off.full_clean()
    day_off.save()
    return day_off


@transaction.atomic
def remove_day_off(*, day_off: DayOff, by) -> None:
    # The admin's own clinic only; the person need not still treat (a day off is removed even
    # after their practitioner role was taken away).
    _check_admin(by, day_off.practitioner.clinic_id)
    day_off.delete()
