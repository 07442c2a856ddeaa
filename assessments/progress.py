"""Progress over time: adherence to the home exercises, the pain trend, and what changed
between the first and the latest assessment. Read-only; charts are drawn server-side (SVG)."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from assessments.models import (
    Assessment,
    AssessmentStatus,
    CarePlan,
    ExerciseLog,
    PlanItem,
    PlanStatus,
    Referral,
    ReferralStatus,
)
from assessments.rules.measures import MEASURE_BY_CODE
from clinic.templatetags.hikagami import in_language

LOW_ADHERENCE = 0.5
WATCH_DAYS = 14
# A published plan is in the course of care this long after publishing (then only while the
# patient keeps logging), and each watch list shows at most WATCH_ROWS patients.
CARE_DAYS = 90
WATCH_ROWS = 20


def _current_plan(patient):
    return CarePlan.objects.filter(patient=patient, status=PlanStatus.PUBLISHED).first()


def adherence(patient, today: dt.date, days: int, plan=None, logs=None) -> dict:
    """Days done / days assigned, per exercise and overall, over the last `days` days."""
    plan = plan or _current_plan(patient)
    if plan is None or plan.published_at is None:
        return {"overall": None, "items": []}
    start = max(today - dt.timedelta(days=days - 1), timezone.localtime(plan.published_at).date())
    assigned = (today - start).days + 1
    if assigned <= 0:
        return {"overall": None, "items": []}
    if logs is None:
        logs = ExerciseLog.objects.filter(
            patient=patient, day__gte=start, day__lte=today, done=True
        ).values_list("item_code", "day")
    done_days = defaultdict(set)
    for code, day in logs:
        if start <= day <= today:
            done_days[code].add(day)
    items = [
        {
            "code": item["code"],
            "name": in_language(item.get("name", item["label"])),
            "done": len(done_days[item["code"]]),
            "assigned": assigned,
            "rate": len(done_days[item["code"]]) / assigned,
        }
        for item in plan.snapshot.get("items", [])
        if item["kind"] == PlanItem.Kind.EXERCISE
    ]
    if not items:
        return {"overall": None, "items": []}
    overall = sum(i["done"] for i in items) / sum(i["assigned"] for i in items)
    return {"overall": overall, "items": items}


def pain_series(patient, since: dt.date) -> list[dict]:
    """Pain from each assessment (the practitioner's NRS) and each day of the portal log (the
    highest pain the patient logged that day), oldest first."""
    points = []
    for created, pain in Assessment.objects.filter(
        patient=patient, created_at__date__gte=since, complaint_record__pain__isnull=False
    ).values_list("created_at", "complaint_record__pain"):
        points.append({"day": timezone.localtime(created).date(), "pain": pain, "source": "visit"})
    by_day = defaultdict(list)
    for day, pain in ExerciseLog.objects.filter(
        patient=patient, day__gte=since, pain__isnull=False
    ).values_list("day", "pain"):
        by_day[day].append(pain)
    points += [{"day": day, "pain": max(values), "source": "log"} for day, values in by_day.items()]
    return sorted(points, key=lambda p: (p["day"], p["source"]))


def asymmetry_changes(patient) -> list[dict]:
    """Each measure's left-right difference at the first signed assessment and at the latest."""
    signed = list(
        Assessment.objects.filter(patient=patient, status=AssessmentStatus.SIGNED)
        .order_by("signed_at", "id")
        .only("screening", "signed_at")
    )
    if len(signed) < 2:
        return []
    first = {a["code"]: a for a in signed[0].screening.get("asymmetries", [])}
    latest = {a["code"]: a for a in signed[-1].screening.get("asymmetries", [])}
    rows = []
    scale = max(
        [Decimal(a["difference"]) for a in (*first.values(), *latest.values())] + [Decimal(1)]
    )
    for code in MEASURE_BY_CODE:
        if code in first and code in latest:
            measure = MEASURE_BY_CODE[code]
            rows.append(
                {
                    "label": measure.label,
                    "unit": measure.unit_label,
                    "first": Decimal(first[code]["difference"]),
                    "latest": Decimal(latest[code]["difference"]),
                    "threshold": Decimal(latest[code]["threshold"]),
                    # bar lengths for the chart: 0-240 px against the largest difference shown
                    "first_bar": int(240 * Decimal(first[code]["difference"]) / scale),
                    "latest_bar": int(240 * Decimal(latest[code]["difference"]) / scale),
                }
            )
    return rows


def line_chart(points: list[dict], *, width=560, height=180, pad=28) -> dict:
    """Coordinates for an SVG pain chart (0-10 on y, days on x)."""
    if not points:
        return {"width": width, "height": height, "dots": [], "path": ""}
    first, last = points[0]["day"], points[-1]["day"]
    span = max((last - first).days, 1)

    def x(day):
        return pad + (width - 2 * pad) * (day - first).days / span

    def y(pain):
        return height - pad - (height - 2 * pad) * pain / 10

    logs = [p for p in points if p["source"] == "log"]
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x(p['day']):.1f},{y(p['pain']):.1f}" for i, p in enumerate(logs)
    )
    dots = [
        {
            "x": round(x(p["day"]), 1),
            "y": round(y(p["pain"]), 1),
            "pain": p["pain"],
            "day": p["day"],
            "visit": p["source"] == "visit",
        }
        for p in points
    ]
    grid = [{"y": round(y(v), 1), "value": v} for v in (0, 5, 10)]
    return {
        "width": width,
        "height": height,
        "dots": dots,
        "path": path,
        "grid": grid,
        "first": first,
        "last": last,
        "pad": pad,
    }


def watch_list(clinic_id, today: dt.date) -> dict:
    """For the practitioner's home: pain rising or adherence under 50 % in the last 14 days,
    and open referrals. A fixed number of queries, and rows read in proportion to the clinic's
    current care, not its history: the plans in care (published within CARE_DAYS, or whose
    patient logged in the last 14 days) and the last 14 days of logs, from the index (clinic,
    day). A plan published long ago whose patient stopped logging has left the course of care;
    recalling such patients is the recall list's work, not this one's. Each list shows at most
    WATCH_ROWS patients, the ones furthest off first, and says how many more there are."""
    start = today - dt.timedelta(days=WATCH_DAYS - 1)
    logs = defaultdict(list)
    for patient_id, code, day, done, pain in ExerciseLog.objects.filter(
        clinic_id=clinic_id, day__gte=start, day__lte=today
    ).values_list("patient_id", "item_code", "day", "done", "pain"):
        logs[patient_id].append((code, day, done, pain))
    in_care = Q(published_at__gte=timezone.now() - dt.timedelta(days=CARE_DAYS)) | Q(
        patient_id__in=list(logs)
    )
    plans = {
        plan.patient_id: plan
        for plan in CarePlan.objects.filter(clinic_id=clinic_id, status=PlanStatus.PUBLISHED)
        .filter(in_care)
        .select_related("patient")
    }
    low, rising = [], []
    for patient_id, plan in plans.items():
        rows = logs.get(patient_id, [])
        rate = adherence(
            plan.patient,
            today,
            WATCH_DAYS,
            plan=plan,
            logs=[(code, day) for code, day, done, _p in rows if done],
        )["overall"]
        if (
            rate is not None
            and rate < LOW_ADHERENCE
            and (today - timezone.localtime(plan.published_at).date()).days >= 3
        ):
            low.append({"patient": plan.patient, "rate": rate})
        pains = sorted((day, pain) for _c, day, _d, pain in rows if pain is not None)
        if len(pains) >= 4:
            half = len(pains) // 2
            before = sum(p for _d, p in pains[:half]) / half
            after = sum(p for _d, p in pains[half:]) / (len(pains) - half)
            if after - before >= 1:
                rising.append({"patient": plan.patient, "before": before, "after": after})
    referrals = (
        Referral.objects.filter(clinic_id=clinic_id)
        .exclude(status=ReferralStatus.CLOSED)
        .select_related("patient")
    )
    low.sort(key=lambda row: (row["rate"], row["patient"].pk))
    rising.sort(key=lambda row: (row["before"] - row["after"], row["patient"].pk))
    return {
        "low": low[:WATCH_ROWS],
        "low_more": max(0, len(low) - WATCH_ROWS),
        "rising": rising[:WATCH_ROWS],
        "rising_more": max(0, len(rising) - WATCH_ROWS),
        "referrals": list(referrals[:WATCH_ROWS]),
    }
