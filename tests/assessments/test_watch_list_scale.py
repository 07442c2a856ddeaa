"""The practitioner's watch list reads the clinic's current care, not its history (issue 13):
plans in the course of care and the last 14 days of logs, each list cut to what it shows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import progress
from assessments.models import CarePlan, ExerciseLog, PlanStatus
from tests.factories import PatientFactory

TODAY = timezone.localdate()
URL = reverse("assessments:practitioner_home")


def plan_for(ours, patient, *, days_ago):
    """A published plan with one home exercise for `patient`, published `days_ago` days ago."""
    exercise = {"kind": "exercise", "label": "x", "dose": {}, "side": "", "steps": []}
    snapshot = {**ours.plan.snapshot, "items": [{**exercise, "code": "towel", "name": "タオル"}]}
    fields = {
        f.name: getattr(ours.plan, f.name)
        for f in CarePlan._meta.concrete_fields
        if f.name not in {"id", "patient", "snapshot", "published_at", "version"}
    }
    return CarePlan.objects.create(
        **fields,
        patient=patient,
        version=1,
        snapshot=snapshot,
        published_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def log(plan, days_ago, *, done=True, pain=None):
    ExerciseLog.objects.create(
        patient=plan.patient,
        plan=plan,
        item_code="towel",
        day=TODAY - dt.timedelta(days=days_ago),
        done=done,
        pain=pain,
    )


def test_a_lapsed_old_plan_leaves_the_list_and_one_still_logging_stays(ours):
    CarePlan.objects.filter(pk=ours.plan.pk).update(status=PlanStatus.SUPERSEDED)
    lapsed = plan_for(ours, PatientFactory(clinic=ours.clinic), days_ago=progress.CARE_DAYS + 30)
    logging = plan_for(ours, PatientFactory(clinic=ours.clinic), days_ago=progress.CARE_DAYS + 30)
    fresh = plan_for(ours, PatientFactory(clinic=ours.clinic), days_ago=10)
    for days_ago, pain in ((12, 2), (10, 2), (4, 5), (2, 6)):
        log(logging, days_ago, pain=pain)
    watch = progress.watch_list(ours.clinic.pk, TODAY)
    low = {row["patient"] for row in watch["low"]}
    assert lapsed.patient not in low  # published long ago, no log for two weeks: recall's work
    assert fresh.patient in low  # in care, nothing logged: on the list
    assert logging.patient in low  # an old plan still in use (4 days of 14) stays watched
    assert [row["patient"] for row in watch["rising"]] == [logging.patient]


def test_each_list_shows_at_most_its_rows_worst_first_and_counts_the_rest(ours, monkeypatch):
    monkeypatch.setattr(progress, "WATCH_ROWS", 2)
    plans = [plan_for(ours, PatientFactory(clinic=ours.clinic), days_ago=20) for _ in range(4)]
    for done_days, plan in enumerate(plans):  # 0, 1, 2 and 3 days done of 14
        for days_ago in range(done_days):
            log(plan, days_ago)
    watch = progress.watch_list(ours.clinic.pk, TODAY)
    assert [row["patient"] for row in watch["low"]] == [plans[0].patient, plans[1].patient]
    assert watch["low_more"] == 2  # plans[2] and plans[3] (the cast's own was published today)


@pytest.mark.parametrize("patients", [2, 40])
def test_the_practitioners_home_runs_the_same_queries_whatever_the_history(
    ours, login, patients, django_assert_num_queries
):
    """Half the patients have a plan long past its course of care and a year-old log; half a
    plan in care and a log this week. The page reads the same number of queries at both sizes."""
    for n in range(patients):
        old = n % 2 == 0
        plan = plan_for(ours, PatientFactory(clinic=ours.clinic), days_ago=400 if old else 20)
        log(plan, 360 if old else 3, pain=4)
    client = login(ours.practitioner)
    client.get(URL)  # the process's first page fills its caches: not counted
    # session, user with second factor, visits, logs, plans in care, referrals, alerts, the
    # visit records' red-flag re-checks still open (no visit today: no query for their records)
    with django_assert_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    shown = len(response.context["watch"]["low"]) + response.context["watch"]["low_more"]
    assert shown == patients // 2  # the plans in care (the cast's own was published today)


@pytest.mark.parametrize("history", [1, 30])
def test_the_desks_home_runs_the_same_queries_whatever_the_history(
    ours, login, history, django_assert_num_queries
):
    """Past visits (one a day, going back `history` days) and safety answers already looked at
    are history: the desk's home reads today's visits and the open alerts only."""
    from assessments.models import SafetyCheck
    from tests.factories import AppointmentFactory

    for days_ago in range(1, history + 1):
        start = timezone.now() - dt.timedelta(days=days_ago)
        AppointmentFactory(
            patient=ours.patient,
            practitioner=ours.practitioner,
            start=start,
            end=start + dt.timedelta(minutes=30),
        )
        SafetyCheck.objects.create(
            patient=ours.patient,
            day=TODAY - dt.timedelta(days=days_ago),
            numbness=True,
            seen_at=timezone.now(),
        )
    client = login(ours.frontdesk)
    client.get(reverse("assessments:frontdesk_home"))  # caches filled: not counted
    # session, user with second factor, visits, alerts; today on the calendar: menus,
    # practitioners, visits, the clinic's hours and closures, shifts and days off
    with django_assert_num_queries(11):
        response = client.get(reverse("assessments:frontdesk_home"))
    assert response.status_code == 200 and not response.context["visits"]
