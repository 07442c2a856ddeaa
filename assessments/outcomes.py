"""The clinic's outcomes, read from the typed record: for each patient assessed (signed) in a
period, the first and the latest signed assessment of that period, compared.

Per patient (the `cohort` of `_cohort_sql()`): complaint region and side (of the first), pain
(NRS) first and latest, each left-right difference first and latest (from the Measurement rows;
weight on each foot as the difference of the two feet's shares, in %, whichever unit it was
typed in), days with home exercises done in the last 28 days, and the PSFS average of the first
and the latest scale of the period. Everything is computed by the database: the page runs a
fixed number of queries whatever the number of patients, and the CSV streams one query's rows.

Nothing here says why a patient improved: these are the clinic's own numbers, without controls.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentStatus,
    ComplaintRecord,
    ExerciseLog,
    FunctionalActivity,
    FunctionalScale,
    MeasuredSide,
    Measurement,
)
from assessments.rules.measures import MEASURES
from assessments.rules.weight import WEIGHT_BEARING
from patients.models import Patient

ADHERENCE_DAYS = 28
# A change of 2 points or more on the 0-10 scale is the smallest a patient notices (Farrar et
# al. 2001, the same threshold the trend rules use).
MEANINGFUL_PAIN_CHANGE = 2
MEASURE_CODES = tuple(measure.code for measure in MEASURES)


@dataclass(frozen=True)
class Period:
    clinic_id: int
    start: dt.date
    end: dt.date  # inclusive
    practitioner_id: int | None = None
    region: str = ""


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _signed_in(period: Period):
    start, end = _bounds(period)
    signed = Assessment.objects.filter(
        clinic_id=period.clinic_id,
        status=AssessmentStatus.SIGNED,
        signed_at__gte=start,
        signed_at__lt=end,
    )
    if period.practitioner_id:
        signed = signed.filter(practitioner_id=period.practitioner_id)
    return signed.order_by()


def _sql(queryset) -> tuple[str, tuple]:
    """A queryset's SQL and parameters, adapted for this database (dates, times, booleans)."""
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _differences() -> str:
    """Per assessment, |left - right| of each measure with both sides (weight on each foot as the
    difference of the two feet's shares, in %); NULL when a side is missing."""
    columns = []
    for code in MEASURE_CODES:
        both = f"SUM(CASE WHEN measure = '{code}' THEN 1 ELSE 0 END) = 2"
        signed = (
            f"SUM(CASE WHEN measure = '{code}' AND side = '{MeasuredSide.LEFT}' THEN value "
            f"WHEN measure = '{code}' THEN -value ELSE 0 END)"
        )
        difference = f"ABS({signed}) * 1.0"  # a decimal on both engines (SQLite: integer sums)
        if code == WEIGHT_BEARING:
            total = f"SUM(CASE WHEN measure = '{code}' THEN value ELSE 0 END)"
            difference = f"{difference} * 100.0 / NULLIF({total}, 0)"
        columns.append(f"CASE WHEN {both} THEN {difference} END AS d_{code}")
    return ",\n    ".join(columns)


def _cohort_sql(period: Period, *, today: dt.date) -> tuple[str, tuple]:
    """The WITH clauses that end in `cohort`: one row per patient (see the module's docstring).

    The ORM builds the filtered sets (so the clinic, the period and the engines' date handling
    are the ORM's); the glue is SQL with window functions, which both engines run. One pass over
    the period's assessments instead of some 30 correlated subqueries per patient (those took
    427 ms for 490 patients on SQLite, this 83 ms)."""
    signed_sql, signed_params = _sql(_signed_in(period).values("id", "patient_id", "signed_at"))
    logs_sql, logs_params = _sql(
        ExerciseLog.objects.filter(
            done=True, day__gt=today - dt.timedelta(days=ADHERENCE_DAYS), day__lte=today
        )
        .values("patient_id", "day")
        .order_by()
    )
    scales_sql, scales_params = _sql(
        FunctionalScale.objects.filter(recorded_on__gte=period.start, recorded_on__lte=period.end)
        .values("id", "patient_id", "recorded_on")
        .order_by()
    )
    patients_sql, patients_params = _sql(
        Patient.objects.filter(clinic_id=period.clinic_id).values("id", "number").order_by()
    )
    region = "WHERE c1.region = %s" if period.region else ""
    differences = _differences()
    d1 = ", ".join(f"d1.d_{code} AS first_{code}" for code in MEASURE_CODES)
    d2 = ", ".join(f"d2.d_{code} AS latest_{code}" for code in MEASURE_CODES)
    sql = f"""
WITH signed AS ({signed_sql}),
ranked AS (
  SELECT id, patient_id,
    ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY signed_at, id) AS from_first,
    ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY signed_at DESC, id DESC) AS from_latest
  FROM signed
),
ends AS (
  SELECT patient_id, COUNT(*) AS signed_count,
    MAX(CASE WHEN from_first = 1 THEN id END) AS first_id,
    MAX(CASE WHEN from_latest = 1 THEN id END) AS latest_id
  FROM ranked GROUP BY patient_id
),
differences AS (
  SELECT assessment_id,
    {differences}
  FROM {_table(Measurement)}
  WHERE assessment_id IN (SELECT first_id FROM ends UNION SELECT latest_id FROM ends)
  GROUP BY assessment_id
),
logs AS ({logs_sql}),
done AS (
  SELECT patient_id, COUNT(DISTINCT day) AS days FROM logs
  WHERE patient_id IN (SELECT patient_id FROM ends) GROUP BY patient_id
),
scales AS ({scales_sql}),
scale_ranked AS (
  SELECT id, patient_id,
    ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY recorded_on, id) AS from_first,
    ROW_NUMBER() OVER (PARTITION BY patient_id ORDER BY recorded_on DESC, id DESC) AS from_latest
  FROM scales WHERE patient_id IN (SELECT patient_id FROM ends)
),
scale_ends AS (
  SELECT patient_id,
    MAX(CASE WHEN from_first = 1 THEN id END) AS first_scale,
    MAX(CASE WHEN from_latest = 1 THEN id END) AS latest_scale
  FROM scale_ranked GROUP BY patient_id
),
scale_averages AS (
  SELECT scale_id, AVG(score * 1.0) AS average FROM {_table(FunctionalActivity)}
  WHERE scale_id IN (SELECT first_scale FROM scale_ends UNION SELECT latest_scale FROM scale_ends)
  GROUP BY scale_id
),
patients AS ({patients_sql}),
cohort AS (
  SELECT p.id AS patient_id, p.number, c1.region, c1.side, e.signed_count,
    c1.pain AS pain_first, c2.pain AS pain_latest, {d1}, {d2},
    COALESCE(done.days, 0) AS done_days,
    s1.average AS psfs_first, s2.average AS psfs_latest,
    CASE WHEN se.first_scale <> se.latest_scale THEN 1 ELSE 0 END AS psfs_changed
  FROM ends e
  JOIN patients p ON p.id = e.patient_id
  LEFT JOIN {_table(ComplaintRecord)} c1 ON c1.assessment_id = e.first_id
  LEFT JOIN {_table(ComplaintRecord)} c2 ON c2.assessment_id = e.latest_id
  LEFT JOIN differences d1 ON d1.assessment_id = e.first_id
  LEFT JOIN differences d2 ON d2.assessment_id = e.latest_id
  LEFT JOIN done ON done.patient_id = e.patient_id
  LEFT JOIN scale_ends se ON se.patient_id = e.patient_id
  LEFT JOIN scale_averages s1 ON s1.scale_id = se.first_scale
  LEFT JOIN scale_averages s2 ON s2.scale_id = se.latest_scale
  {region}
)"""
    params = signed_params + logs_params + scales_params + patients_params
    if period.region:
        params += (period.region,)
    return sql, params


def _fetch(sql: str, params: tuple) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, map(_number, row), strict=True)) for row in cursor.fetchall()]


def _number(value):
    """Decimals (PostgreSQL's averages and sums) as floats, like SQLite's."""
    return float(value) if isinstance(value, Decimal) else value


def patient_ids(period: Period, *, today: dt.date) -> list[int]:
    sql, params = _cohort_sql(period, today=today)
    return [row["patient_id"] for row in _fetch(f"{sql} SELECT patient_id FROM cohort", params)]


FOLLOWED = "signed_count >= 2"
WITH_PAIN = f"{FOLLOWED} AND pain_first IS NOT NULL AND pain_latest IS NOT NULL"
WITH_PSFS = "psfs_first IS NOT NULL AND psfs_latest IS NOT NULL AND psfs_changed = 1"


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _average(column: str, condition: str) -> str:
    return f"AVG(CASE WHEN {condition} THEN {column} END)"


def summary(period: Period, *, today: dt.date) -> dict:
    """The page's numbers: per complaint region and side, and per measure. Two queries."""
    sql, params = _cohort_sql(period, today=today)
    better = f"{WITH_PAIN} AND pain_first >= pain_latest + {MEANINGFUL_PAIN_CHANGE}"
    worse = f"{WITH_PAIN} AND pain_latest >= pain_first + {MEANINGFUL_PAIN_CHANGE}"
    groups = _fetch(
        f"""{sql}
SELECT region, side, COUNT(*) AS patients, {_count(FOLLOWED)} AS followed,
  {_count(WITH_PAIN)} AS with_pain,
  {_average("pain_first", WITH_PAIN)} AS pain_first_avg,
  {_average("pain_latest", WITH_PAIN)} AS pain_latest_avg,
  {_count(better)} AS pain_better, {_count(worse)} AS pain_worse,
  AVG(done_days * 1.0) AS done_days_avg,
  {_count(WITH_PSFS)} AS with_psfs,
  {_average("psfs_first", WITH_PSFS)} AS psfs_first_avg,
  {_average("psfs_latest", WITH_PSFS)} AS psfs_latest_avg
FROM cohort GROUP BY region, side ORDER BY region, side""",
        params,
    )
    measured = []
    for code in MEASURE_CODES:
        both = f"{FOLLOWED} AND first_{code} IS NOT NULL AND latest_{code} IS NOT NULL"
        measured += [
            f"{_count(both)} AS {code}__n",
            f"{_average(f'first_{code}', both)} AS {code}__first",
            f"{_average(f'latest_{code}', both)} AS {code}__latest",
        ]
    (totals,) = _fetch(
        f"""{sql}
SELECT COUNT(*) AS patients, {_count(FOLLOWED)} AS followed, {", ".join(measured)}
FROM cohort""",
        params,
    )
    measures = [
        {
            "measure": measure,
            "patients": totals[f"{measure.code}__n"],
            "first": totals[f"{measure.code}__first"],
            "latest": totals[f"{measure.code}__latest"],
        }
        for measure in MEASURES
        if totals[f"{measure.code}__n"]
    ]
    return {
        "groups": groups,
        "measures": measures,
        "patients": totals["patients"],
        "followed": totals["followed"] or 0,
        "pain_chart": _pain_chart(groups),
        "measure_chart": _measure_chart(measures),
        "weighed": any(row["measure"].code == WEIGHT_BEARING for row in measures),
    }


BAR_WIDTH = 240


def _bars(first, latest, scale):
    def width(value):
        return 0 if value is None or not scale else round(BAR_WIDTH * value / scale)

    return width(first), width(latest)


def _pain_chart(groups) -> list[dict]:
    """Bars of pain first vs latest per group (0-10 over 240 px)."""
    chart = []
    for group in groups:
        if not group["with_pain"]:
            continue
        first, latest = _bars(group["pain_first_avg"], group["pain_latest_avg"], 10)
        chart.append({**group, "first_bar": first, "latest_bar": latest})
    return chart


def _measure_chart(measures) -> list[dict]:
    """Bars of each difference first vs latest, against the largest shown."""
    scale = max([m["first"] or 0 for m in measures] + [m["latest"] or 0 for m in measures] + [0])
    chart = []
    for row in measures:
        first, latest = _bars(row["first"], row["latest"], scale)
        chart.append({**row, "first_bar": first, "latest_bar": latest})
    return chart


CSV_FIELDS = (
    "number",
    "region",
    "side",
    "signed_count",
    "pain_first",
    "pain_latest",
    *(f"first_{code}" for code in MEASURE_CODES),
    *(f"latest_{code}" for code in MEASURE_CODES),
    "done_days",
    "psfs_first",
    "psfs_latest",
)


def csv_rows(period: Period, *, today: dt.date):
    """Per patient, by patient number: the values the CSV holds (one query, streamed)."""
    sql, params = _cohort_sql(period, today=today)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} SELECT {', '.join(CSV_FIELDS)} FROM cohort ORDER BY number", params)
        while rows := cursor.fetchmany(2000):
            for row in rows:
                yield [_plain(_number(value)) for value in row]


def _plain(value):
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else value
