"""What the practitioner sees of a patient's progress, and who is on the watch list."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import progress
from assessments.models import CarePlan, ExerciseLog
from clinic import audit

TODAY = timezone.localdate()


@pytest.fixture
def plan(ours):
    """The cast's published plan with two home exercises, published 30 days ago."""
    exercise = {"kind": "exercise", "label": "x", "dose": {}, "side": "", "steps": []}
    snapshot = {
        **ours.plan.snapshot,
        "items": [
            {**exercise, "code": "towel", "name": "タオル"},
            {**exercise, "code": "calf", "name": "ふくらはぎ"},
        ],
    }
    published = timezone.now() - dt.timedelta(days=30)
    CarePlan.objects.filter(pk=ours.plan.pk).update(snapshot=snapshot, published_at=published)
    ours.plan.refresh_from_db()
    return ours.plan


def logged(patient, plan, code, days_ago, done=True, pain=None):
    return ExerciseLog.objects.create(
        patient=patient,
        plan=plan,
        item_code=code,
        day=TODAY - dt.timedelta(days=days_ago),
        done=done,
        pain=pain,
    )


def test_adherence_counts_days_done_over_days_assigned(ours, plan):
    for days_ago in range(7):
        logged(ours.patient, plan, "towel", days_ago)
    logged(ours.patient, plan, "calf", 0)
    logged(ours.patient, plan, "calf", 1, done=False)
    week = progress.adherence(ours.patient, TODAY, 7)
    rates = {item["code"]: (item["done"], item["assigned"]) for item in week["items"]}
    assert rates == {"towel": (7, 7), "calf": (1, 7)}
    assert week["overall"] == pytest.approx(8 / 14)


def test_adherence_starts_counting_when_the_plan_was_published(ours, plan):
    CarePlan.objects.filter(pk=plan.pk).update(published_at=timezone.now() - dt.timedelta(days=2))
    plan.refresh_from_db()
    logged(ours.patient, plan, "towel", 0)
    month = progress.adherence(ours.patient, TODAY, 28)
    assert month["items"][0]["assigned"] == 3


def test_the_watch_list_shows_low_adherence_and_rising_pain(ours, plan):
    for days_ago, pain in ((12, 2), (10, 2), (4, 5), (2, 6)):
        logged(ours.patient, plan, "towel", days_ago, pain=pain)
    watch = progress.watch_list(ours.clinic.pk, TODAY)
    assert [row["patient"] for row in watch["low"]] == [ours.patient]
    assert [row["patient"] for row in watch["rising"]] == [ours.patient]
    assert ours.referral in watch["referrals"]


def test_steady_pain_and_good_adherence_keep_a_patient_off_the_watch_list(ours, plan):
    for days_ago in range(14):
        logged(ours.patient, plan, "towel", days_ago, pain=3)
        logged(ours.patient, plan, "calf", days_ago)
    watch = progress.watch_list(ours.clinic.pk, TODAY)
    assert not watch["low"] and not watch["rising"]


def test_the_pain_chart_mixes_visits_and_logs_in_date_order(ours, plan):
    logged(ours.patient, plan, "towel", 3, pain=4)
    logged(ours.patient, plan, "calf", 3, pain=6)
    points = progress.pain_series(ours.patient, TODAY - dt.timedelta(days=90))
    assert {"day": TODAY - dt.timedelta(days=3), "pain": 6, "source": "log"} in points
    assert any(p["source"] == "visit" and p["pain"] == 5 for p in points)
    chart = progress.line_chart(points)
    assert chart["path"].startswith("M") and len(chart["dots"]) == len(points)


@pytest.mark.parametrize("days", [20, 365])
def test_the_patient_page_query_count_does_not_grow_with_logs(
    ours, plan, login, days, django_assert_num_queries
):
    for days_ago in range(days):
        logged(ours.patient, plan, "towel", days_ago, pain=days_ago % 10)
    client = login(ours.practitioner)
    url = reverse("assessments:patient_detail", args=[ours.patient.pk])
    client.get(url)  # the process's first page fills its caches (content types): not counted
    # PSFS, 2nd factor, trail; the timeline (visit records, given plans) and the visits' record
    # states add 3; the open prepaid tickets 1 (a practitioner's page reads no payment)
    with django_assert_num_queries(20 + audit.queries_per_entry()):
        response = client.get(url)
    assert response.context["progress"]["week"]["items"]
    assert "<svg" in response.content.decode()


def test_the_front_desk_sees_no_progress_and_no_watch_list(ours, plan, login):
    desk = login(ours.frontdesk)
    page = desk.get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    assert page.context["progress"] is None and 'id="progress"' not in page.content.decode()
    home = desk.get(reverse("assessments:frontdesk_home"))
    assert "watch" not in home.context and 'id="watch-list"' not in home.content.decode()


def test_left_right_differences_first_and_latest_are_charted(ours, login):
    from devtools.records import record

    today = timezone.localdate()
    for slr_right in ("55", "70"):
        record(
            patient=ours.other_patient,
            practitioner=ours.practitioner,
            today=today,
            sections={
                "complaint": {"region": "knee_back", "side": "right", "pain": 4},
                "red_flags": {},
                "measurements": {"slr": {"left": "75", "right": slr_right}},
            },
            sign_it=True,
        )
    [row] = progress.asymmetry_changes(ours.other_patient)
    assert (row["first"], row["latest"]) == (20, 5)
    assert row["first_bar"] == 240 and row["latest_bar"] == 60
    page = login(ours.practitioner).get(
        reverse("assessments:patient_detail", args=[ours.other_patient.pk])
    )
    assert 'id="asymmetry-chart"' in page.content.decode()
