"""The disclosure export at any size of history: the JSON and the PDF cost the same queries for a
short or a long record, the JSON keeps every row, and the PDF counts the daily home records per
week or month (the totals read back) while listing the notes and every "yes" one by one."""

import datetime as dt
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from pypdf import PdfReader

from assessments import home_log_summary
from assessments.models import ExerciseLog, SafetyCheck
from assessments.services import amend
from devtools import bench_data
from devtools.records import record
from tests.factories import PatientFactory

SECTIONS = {
    "complaint": {"region": "knee_back", "side": "right", "pain": 5},
    "red_flags": {"night_pain": True},
}


def with_assessments(clinic, practitioner, count):
    """A patient with `count` signed assessments, each with a red flag; the first amended."""
    patient = PatientFactory(clinic=clinic)
    today = timezone.localdate()
    for _n in range(count):
        signed = record(
            patient=patient,
            practitioner=practitioner,
            sections=SECTIONS,
            today=today,
            sign_it=True,
        )
    amend(
        assessment=signed,
        section="complaint",
        data={"region": "knee_back", "side": "right", "pain": 4},
        reason="聞き違い",
        revision=signed.revision,
        by=practitioner,
        today=today,
    )
    return patient


def with_logs(clinic, days):
    return bench_data.patient_with_logs(clinic, PatientFactory(clinic=clinic).number, days)


def queries_of(client, name, patient):
    url = reverse(f"assessments:{name}", args=[patient.pk])
    with CaptureQueriesContext(connection) as counted:
        response = client.get(url)
    assert response.status_code == 200
    return len(counted.captured_queries), response


def pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


@pytest.mark.parametrize("name", ["patient_export_json", "patient_export_pdf"])
def test_the_export_costs_the_same_queries_for_2_or_20_assessments(ours, login, name):
    admin = login(ours.admin)
    short = with_assessments(ours.clinic, ours.practitioner, 2)
    long = with_assessments(ours.clinic, ours.practitioner, 20)
    queries_of(admin, name, ours.patient)  # a warm page: the first fills the process's caches
    few, _r = queries_of(admin, name, short)
    many, response = queries_of(admin, name, long)
    assert many == few
    if name == "patient_export_json":
        exported = json.loads(response.content)["assessments"]
        assert len(exported) == 20
        assert all(a["signed_by_name"] == str(ours.practitioner) for a in exported)
        assert all(a["flags_raised"][0]["code"] == "night_pain" for a in exported)
        assert exported[-1]["amendments"][0]["made_by_name"] == str(ours.practitioner)


@pytest.mark.parametrize("name", ["patient_export_json", "patient_export_pdf"])
def test_the_export_costs_the_same_queries_for_14_or_365_days_of_logs(ours, login, name):
    admin = login(ours.admin)
    fortnight, year = with_logs(ours.clinic, 14), with_logs(ours.clinic, 365)
    queries_of(admin, name, ours.patient)
    few, _r = queries_of(admin, name, fortnight)
    many, _r = queries_of(admin, name, year)
    assert many == few


def test_the_json_keeps_every_log_row_and_every_safety_answer(ours, login):
    patient = with_logs(ours.clinic, 365)
    today = timezone.localdate()
    SafetyCheck.objects.bulk_create(
        SafetyCheck(patient=patient, day=today - dt.timedelta(days=n), numbness=n == 40)
        for n in range(1, 366)
    )
    response = login(ours.admin).get(reverse("assessments:patient_export_json", args=[patient.pk]))
    exported = json.loads(response.content)
    stored = ExerciseLog.objects.filter(patient=patient)
    assert {log["id"] for log in exported["exercise_logs"]} == set(
        stored.values_list("pk", flat=True)
    )
    assert len(exported["exercise_logs"]) == stored.count() == 365 * 5
    first = stored.order_by("day", "pk").first()
    assert exported["exercise_logs"][0] == {
        "id": first.pk,
        "clinic_id": first.clinic_id,
        "patient_id": patient.pk,
        "plan_id": first.plan_id,
        "item_code": first.item_code,
        "day": first.day.isoformat(),
        "done": first.done,
        "sets": first.sets,
        "pain": first.pain,
        "note": "",
        "updated_at": exported["exercise_logs"][0]["updated_at"],
    }
    assert len(exported["safety_checks"]) == 365
    assert sum(check["numbness"] for check in exported["safety_checks"]) == 1


def test_the_pdf_counts_a_fortnight_per_week_with_the_right_totals(ours, login):
    patient = with_logs(ours.clinic, 14)
    logs = ExerciseLog.objects.filter(patient=patient)
    noted = logs.order_by("day").first()
    noted.note = "右膝が少し張った"
    noted.save()
    today = timezone.localdate()
    SafetyCheck.objects.create(patient=patient, day=today - dt.timedelta(days=3), night_pain=True)
    SafetyCheck.objects.create(patient=patient, day=today - dt.timedelta(days=2))
    text = pdf_text(
        login(ours.admin).get(reverse("assessments:patient_export_pdf", args=[patient.pk]))
    )
    with translation.override("ja"):
        note = _("Counted per week; every entry is in the JSON export.")
        assert re.sub(r"\s+", "", note) in text
        assert re.sub(r"\s+", "", _("Days with exercises done")) in text
    first, last = today - dt.timedelta(days=14), today - dt.timedelta(days=1)
    monday = first - dt.timedelta(days=first.weekday())
    while monday <= last:  # a line for every week, from the first log's to the last's
        sunday = monday + dt.timedelta(days=6)
        assert f"{monday:%Y-%m-%d}–{sunday:%m-%d}" in text
        monday += dt.timedelta(days=7)
    done = logs.filter(done=True).count()
    days_done = logs.filter(done=True).values("day").distinct().count()
    pains = logs.filter(pain__isnull=False)
    hurt = pains.filter(pain__gt=0).count()
    highest = max(pains.values_list("pain", flat=True))
    # the total line: days logged, days done, done / logged, pain recorded, hurt, highest, checks
    total = f"{first:%Y-%m-%d}–{last:%Y-%m-%d}14{days_done}{done}/{logs.count()}"
    total += f"{pains.count()}{hurt}{highest}/1021"
    assert total in text
    assert "右膝が少し張った" in text  # a note, word for word
    assert f"{today - dt.timedelta(days=3):%Y-%m-%d}" in text  # the "yes", one by one


def test_the_pdf_counts_a_year_per_month(ours, login):
    patient = with_logs(ours.clinic, 365)
    text = pdf_text(
        login(ours.admin).get(reverse("assessments:patient_export_pdf", args=[patient.pk]))
    )
    with translation.override("ja"):
        assert (
            re.sub(r"\s+", "", _("Counted per month; every entry is in the JSON export.")) in text
        )
    today = timezone.localdate()
    month = (today - dt.timedelta(days=365)).replace(day=1)
    while month < today:
        assert f"{month:%Y-%m}" in text
        month = (month + dt.timedelta(days=32)).replace(day=1)
    logs = ExerciseLog.objects.filter(patient=patient)
    assert f"{logs.filter(done=True).count()}/{logs.count()}" in text  # 1460 / 1825
    assert not re.search(r"\d{4}-\d{2}-\d{2}–\d{2}-\d{2}", text)  # no weekly lines


# The counting itself, without a database.


def log(day, done=True, pain=None):
    return {"day": day, "done": done, "pain": pain}


def test_weeks_run_monday_to_sunday_and_a_week_with_nothing_still_has_its_line():
    monday = dt.date(2026, 3, 2)
    logs = [
        log(monday),
        log(monday, done=False, pain=0),
        log(monday + dt.timedelta(days=15), pain=4),
    ]
    unit, periods, total = home_log_summary.summarise(logs, [(monday, True)])
    assert unit == home_log_summary.WEEK
    assert [(p.start, p.end) for p in periods] == [
        (monday, dt.date(2026, 3, 8)),
        (dt.date(2026, 3, 9), dt.date(2026, 3, 15)),
        (dt.date(2026, 3, 16), dt.date(2026, 3, 22)),
    ]
    first, empty, third = periods
    assert (len(first.days), len(first.days_done), first.items_done, first.items) == (1, 1, 1, 2)
    assert (first.pain_recorded, first.hurt, first.pain_highest) == (1, 0, 0)
    assert (first.checks, first.checks_raised) == (1, 1)
    assert empty.empty and not third.empty
    assert (total.items, total.items_done, total.pain_recorded, total.hurt) == (3, 2, 2, 1)
    assert total.pain_highest == 4


def test_more_than_13_weeks_are_counted_per_calendar_month():
    start = dt.date(2026, 1, 31)
    logs = [log(start + dt.timedelta(days=n)) for n in range(13 * 7 + 1)]  # 13 weeks and a day
    unit, periods, total = home_log_summary.summarise(logs, [])
    assert unit == home_log_summary.MONTH
    assert [p.start for p in periods] == [dt.date(2026, m, 1) for m in (1, 2, 3, 4, 5)]
    assert periods[1].end == dt.date(2026, 2, 28) and len(periods[1].days) == 28
    assert sum(p.items for p in periods) == total.items == 92
    assert home_log_summary.summarise(logs[:-1], [])[0] == home_log_summary.WEEK


def test_no_records_no_lines():
    assert home_log_summary.summarise([], []) == (home_log_summary.WEEK, [], None)


def with_visit_records(clinic, practitioner, count):
    """A patient with a published plan and `count` signed visit records, each with two plan
    items ticked; the first amended, the last with a "yes" whose assessment is signed."""
    from assessments import visit_records
    from tests.assessments.visits import (
        checked_in,
        clinic_items,
        data,
        planned_patient,
        sign_red_flag_screen,
    )

    patient, plan = planned_patient(clinic, practitioner)
    first, second = clinic_items(plan)[1:3]
    ticked = {first.pk: {"side": "both", "note": "張り"}, second.pk: {"side": "left", "note": ""}}
    today = timezone.localdate()
    records = []
    for n in range(count):
        flagged = n == count - 1
        recheck = {"new_swelling_or_heat": flagged, "new_numbness": False, "much_worse_pain": False}
        record = visit_records.start(
            appointment=checked_in(patient, practitioner),
            by=practitioner,
            data=data(items=ticked, recheck=recheck),
            today=today,
            sign_it=True,
        )
        if flagged:
            sign_red_flag_screen(record.red_flag_assessment, practitioner)
            record = visit_records.sign(record=record, by=practitioner)
        records.append(record)
    visit_records.amend(
        record=records[0],
        data=data(items=ticked, pain_after=1),
        reason="記入漏れ",
        revision=records[0].revision,
        by=practitioner,
    )
    return patient


@pytest.mark.parametrize("name", ["patient_export_json", "patient_export_pdf"])
def test_the_export_costs_the_same_queries_for_2_or_20_visit_records(ours, login, name):
    admin = login(ours.admin)
    short = with_visit_records(ours.clinic, ours.practitioner, 2)
    long = with_visit_records(ours.clinic, ours.practitioner, 20)
    queries_of(admin, name, ours.patient)
    few, _r = queries_of(admin, name, short)
    many, response = queries_of(admin, name, long)
    assert many == few
    if name == "patient_export_json":
        exported = json.loads(response.content)["visit_records"]
        assert len(exported) == 20
        assert all(r["status"] == "signed" for r in exported)
        assert all(r["signed_by_name"] == str(ours.practitioner) for r in exported)
        assert [len(r["items"]) for r in exported] == [2] * 20
        assert exported[0]["items"][0]["note"] == "張り"
        assert exported[0]["items"][0]["plan_item_label"]
        assert exported[0]["amendments"][0]["reason"] == "記入漏れ"
        assert exported[0]["amendments"][0]["made_by_name"] == str(ours.practitioner)
        assert exported[-1]["new_swelling_or_heat"] is True
        assert exported[-1]["red_flag_assessment_id"] is not None
        assert exported[-1]["signed_items"]["red_flag"]["raised"] == ["new_swelling_or_heat"]
    else:
        text = pdf_text(response)
        with translation.override("ja"):
            assert re.sub(r"\s+", "", _("Visit records")) in text
        assert "記入漏れ" in text and "張り" in text
