"""The owner's repeat numbers (issue 15, item 5): for a range of months, new patients and how
many came back, the interval between visits, and the visits that did not happen.

Definitions (the page says them too):
- Only completed visits count as visits (status completed): a booking, a cancellation or a
  no-show is not a visit. A patient is new in the month (clinic local time) of their first
  completed visit ever, even when that was before the range's first month.
- Came back within 30 / 60 / 90 days: another completed visit at most that many days after the
  first; a cohort's share waits until its window has ended (rules/repeat.py).
- The interval is the days between two consecutive completed visits of one patient, counted in
  the month of the later visit; the range's figure is the average over all its intervals.
- Cancellations and no-shows count by the month of the visit's booked start. Cancellations
  by the clinic are shown apart and never counted against a patient: the top patients are those
  with the most cancellations of their own (or without a recorded reason) and no-shows.
- Scoped to one practitioner (their own page), every figure reads only the visits whose
  practitioner they are: new to them, came back to them, their cancellations and no-shows.

Everything is counted by the database in four queries, whatever the clinic's size.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from assessments import day_sql
from assessments.rules import repeat as rules
from patients.models import Appointment, AppointmentStatus, CancelReason

TOP_PATIENTS = 10
LONGEST_WINDOW = max(rules.WINDOWS)


@dataclass(frozen=True)
class Scope:
    clinic_id: int
    first_month: dt.date  # the first day of the range's first month
    last_month: dt.date  # the first day of its last month
    practitioner_id: int | None = None  # only this practitioner's visits


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _bounds(scope: Scope) -> tuple[dt.datetime, dt.datetime]:
    return _midnight(scope.first_month), _midnight(rules.next_month(scope.last_month))


def _visits(scope: Scope):
    visits = Appointment.objects.filter(clinic_id=scope.clinic_id)
    if scope.practitioner_id:
        visits = visits.filter(practitioner_id=scope.practitioner_id)
    return visits.order_by()


def _completed_sql(scope: Scope) -> tuple[str, tuple]:
    """The scope's completed visits (their stored moment: the local day is cast later, only on
    the rows a figure keeps); none after the range's last window (they change nothing shown)."""
    _, end = _bounds(scope)
    until = end + dt.timedelta(days=LONGEST_WINDOW + 1)
    completed = (
        _visits(scope)
        .filter(status=AppointmentStatus.COMPLETED, start__lt=until)
        .annotate(visit_start=F("start"))
        .values("id", "patient_id", "visit_start")
    )
    sql, params = completed.query.sql_with_params()
    return sql, tuple(params)


def _ordered_sql(scope: Scope) -> tuple[str, tuple]:
    """WITH … ordered: each completed visit with the patient's visit before and after it."""
    completed_sql, params = _completed_sql(scope)
    window = "OVER (PARTITION BY patient_id ORDER BY visit_start, id)"
    return (
        f"""WITH completed AS ({completed_sql}),
ordered AS (
  SELECT patient_id, visit_start,
    ROW_NUMBER() {window} AS visit_number,
    LAG(visit_start) {window} AS previous_start,
    LEAD(visit_start) {window} AS next_start
  FROM completed
)""",
        params,
    )


def _days(first: str, second: str) -> tuple[str, tuple]:
    """`first AS visit_day, second AS other_day`: two moments of `ordered` as local days."""
    one, p1 = day_sql.local_day(first)
    two, p2 = day_sql.local_day(second)
    return f"{one} AS visit_day, {two} AS other_day", p1 + p2


def _fetch(sql: str, params: tuple) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _range_params(scope: Scope) -> tuple:
    last_day = rules.month_end(scope.last_month)
    return (day_sql.param(scope.first_month), day_sql.param(last_day))


def cohorts(scope: Scope) -> dict[dt.date, rules.Cohort]:
    """Per month with a new patient: how many, and how many came back within each window."""
    ordered, params = _ordered_sql(scope)
    days, day_params = _days("visit_start", "next_start")
    gap = day_sql.days_between("other_day", "visit_day")
    back = ", ".join(
        f"SUM(CASE WHEN gap <= {int(window)} THEN 1 ELSE 0 END) AS back_{int(window)}"
        for window in rules.WINDOWS
    )
    rows = _fetch(
        f"""{ordered},
firsts AS (
  SELECT {day_sql.month_of("visit_day")} AS month, {gap} AS gap FROM (
    SELECT {days} FROM ordered WHERE visit_number = 1
  ) first_visits
  WHERE visit_day >= %s AND visit_day <= %s
)
SELECT month, COUNT(*) AS new_patients, {back} FROM firsts GROUP BY month""",
        params + day_params + _range_params(scope),
    )
    return {
        day_sql.as_month(row["month"]): rules.Cohort(
            month=day_sql.as_month(row["month"]),
            new_patients=row["new_patients"],
            came_back=tuple(int(row[f"back_{w}"] or 0) for w in rules.WINDOWS),
        )
        for row in rows
    }


def intervals(scope: Scope) -> dict[dt.date, tuple[int, int]]:
    """Per month: (intervals ending in it, their total days)."""
    ordered, params = _ordered_sql(scope)
    days, day_params = _days("visit_start", "previous_start")
    start, end = _bounds(scope)
    moments = tuple(connection.ops.adapt_datetimefield_value(m) for m in (start, end))
    rows = _fetch(
        f"""{ordered}
SELECT {day_sql.month_of("visit_day")} AS month, COUNT(*) AS intervals,
  SUM({day_sql.days_between("visit_day", "other_day")}) AS total_days
FROM (
  SELECT {days} FROM ordered
  WHERE previous_start IS NOT NULL AND visit_start >= %s AND visit_start < %s
) later_visits
GROUP BY {day_sql.month_of("visit_day")}""",
        params + day_params + moments,
    )
    return {
        day_sql.as_month(row["month"]): (row["intervals"], int(row["total_days"] or 0))
        for row in rows
    }


BY_CLINIC = Q(status=AppointmentStatus.CANCELLED, cancel_reason=CancelReason.CLINIC)
NO_SHOW = Q(status=AppointmentStatus.NO_SHOW)
# Missed by the patient: a no-show, or a cancellation not made by the clinic.
MISSED = NO_SHOW | (Q(status=AppointmentStatus.CANCELLED) & ~Q(cancel_reason=CancelReason.CLINIC))


def _not_happened(scope: Scope):
    start, end = _bounds(scope)
    statuses = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
    return _visits(scope).filter(status__in=statuses, start__gte=start, start__lt=end)


def cancellations(scope: Scope) -> dict[dt.date, dict]:
    """Per month: cancelled by the patient (or with no reason recorded), by the clinic, and
    no-shows."""
    rows = (
        _not_happened(scope)
        .annotate(month=TruncMonth("start"))
        .values("month")
        .annotate(
            by_patient=Count("id", filter=MISSED & ~NO_SHOW),
            by_clinic=Count("id", filter=BY_CLINIC),
            no_shows=Count("id", filter=NO_SHOW),
        )
    )
    return {timezone.localtime(row.pop("month")).date(): row for row in rows}


def top_patients(scope: Scope) -> list[dict]:
    """The patients who missed the most visits in the range (their own cancellations and
    no-shows), most first."""
    return list(
        _not_happened(scope)
        .filter(MISSED)
        .values(
            "patient_id",
            "patient__number",
            "patient__family_name",
            "patient__given_name",
        )
        .annotate(
            cancelled=Count("id", filter=~NO_SHOW),
            no_shows=Count("id", filter=NO_SHOW),
            missed=Count("id"),
        )
        .order_by("-missed", "patient__number")[:TOP_PATIENTS]
    )


def _month_row(month, cohort, interval, missed, *, today) -> dict:
    nobody = rules.Cohort(month, 0, (0,) * len(rules.WINDOWS))
    shares = rules.cohort_shares(cohort or nobody, today=today)
    count, total = interval or (0, 0)
    return {
        "month": month,
        "new_patients": shares.new_patients,
        "windows": list(zip(rules.WINDOWS, shares.shares, shares.counts, strict=True)),
        "intervals": count,
        "interval_average": rules.average(total, count),
        "by_patient": (missed or {}).get("by_patient", 0),
        "by_clinic": (missed or {}).get("by_clinic", 0),
        "no_shows": (missed or {}).get("no_shows", 0),
    }


def summary(scope: Scope, *, today: dt.date) -> dict:
    """The page's numbers: one row per month of the range, the range's totals, the top
    patients. Four queries."""
    found = cohorts(scope)
    gaps, missed = intervals(scope), cancellations(scope)
    months = rules.months_between(scope.first_month, scope.last_month)
    rows = [_month_row(m, found.get(m), gaps.get(m), missed.get(m), today=today) for m in months]
    count = sum(row["intervals"] for row in rows)
    total_days = sum(gaps[m][1] for m in months if m in gaps)
    return {
        "months": rows,
        "new_patients": sum(row["new_patients"] for row in rows),
        "windows": list(
            zip(rules.WINDOWS, rules.overall_shares(list(found.values()), today=today), strict=True)
        ),
        "intervals": count,
        "interval_average": rules.average(total_days, count),
        "by_patient": sum(row["by_patient"] for row in rows),
        "by_clinic": sum(row["by_clinic"] for row in rows),
        "no_shows": sum(row["no_shows"] for row in rows),
        "top_patients": top_patients(scope),
    }
