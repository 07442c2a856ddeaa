"""The owner's repeat numbers (issue 15, item 5): the pure arithmetic on both sides of each edge,
the page's figures on a hand-made history, who sees which numbers, and a query count that does
not grow with the clinic."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import repeat
from assessments.rules import repeat as rules
from clinic.models import Role
from patients.models import AppointmentStatus, CancelReason
from tests.factories import AppointmentFactory, ClinicFactory, PatientFactory, UserFactory

URL = reverse("assessments:repeat_numbers")
MARCH = dt.date(2025, 3, 1)  # a month of 31 days, long past
MARCH_END = dt.date(2025, 3, 31)


# The pure arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_after_month_end", "window", "ended"),
    [
        (29, 30, False),
        (30, 30, False),  # a visit later today could still count
        (31, 30, True),
        (89, 90, False),
        (90, 90, False),  # the cohort exactly 90 days old: not yet
        (91, 90, True),
    ],
)
def test_a_window_ends_the_day_after_its_last_member_had_it_all(
    days_after_month_end, window, ended
):
    today = MARCH_END + dt.timedelta(days=days_after_month_end)
    assert rules.window_ended(MARCH, window, today=today) is ended


@pytest.mark.parametrize(
    ("part", "whole", "share"),
    [(0, 4, 0), (1, 3, 33), (2, 3, 67), (1, 2, 50), (1, 8, 13), (3, 8, 38), (4, 4, 100)]
    + [(0, 0, None)],
)
def test_a_share_is_a_whole_percentage_rounded_half_up(part, whole, share):
    assert rules.percent(part, whole) == share


@pytest.mark.parametrize(
    ("total", "count", "average"),
    [(10, 4, 2.5), (1, 3, 0.3), (2, 3, 0.7), (1, 20, 0.1), (29, 1, 29.0), (5, 0, None)],
)
def test_an_average_has_one_decimal_rounded_half_up(total, count, average):
    assert rules.average(total, count) == average


@pytest.mark.parametrize(
    ("days_after_month_end", "shown"),
    [
        (30, (None, None, None)),
        (31, (50, None, None)),
        (60, (50, None, None)),
        (61, (50, 75, None)),
        (90, (50, 75, None)),
        (91, (50, 75, 75)),
    ],
)
def test_a_cohort_shows_a_share_only_once_its_window_has_ended(days_after_month_end, shown):
    cohort = rules.Cohort(MARCH, 4, (2, 3, 3))
    today = MARCH_END + dt.timedelta(days=days_after_month_end)
    shares = rules.cohort_shares(cohort, today=today)
    assert shares.shares == shown
    counts = zip(shown, (2, 3, 3), strict=True)
    assert shares.counts == tuple(None if s is None else c for s, c in counts)


def test_a_month_with_no_new_patient_has_no_share():
    today = MARCH_END + dt.timedelta(days=200)
    assert rules.cohort_shares(rules.Cohort(MARCH, 0, (0, 0, 0)), today=today).shares == (
        None,
        None,
        None,
    )


def test_the_ranges_share_leaves_out_the_cohorts_still_open():
    april = dt.date(2025, 4, 1)
    today = dt.date(2025, 4, 30) + dt.timedelta(days=31)  # April's 30 days just ended
    cohorts = [rules.Cohort(MARCH, 4, (1, 2, 2)), rules.Cohort(april, 4, (3, 3, 3))]
    # 30 days: both ended, (1 + 3) / 8; 60 days: March only, 2 / 4; 90 days: none
    assert rules.overall_shares(cohorts, today=today) == (50, 50, None)


def test_months_run_across_the_year_and_february_ends_on_its_last_day():
    assert rules.months_between(dt.date(2024, 11, 15), dt.date(2025, 2, 3)) == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
    ]
    assert rules.months_back(dt.date(2025, 2, 10), 12) == dt.date(2024, 3, 1)
    assert rules.month_end(dt.date(2024, 2, 1)) == dt.date(2024, 2, 29)
    assert rules.month_end(dt.date(2025, 2, 1)) == dt.date(2025, 2, 28)


# A hand-made history ----------------------------------------------------------------------


def at_noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def visit(patient, practitioner, day, status=AppointmentStatus.COMPLETED, reason=""):
    return AppointmentFactory(
        patient=patient,
        practitioner=practitioner,
        start=at_noon(day),
        end=at_noon(day) + dt.timedelta(minutes=30),
        status=status,
        cancel_reason=reason,
    )


@pytest.fixture
def doctor(ours):
    return UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER, username="repeat-dr")


@pytest.fixture
def history(ours, doctor):
    """Four patients new in March 2025 who came back 29, 30 and 31 days later, and not at all;
    one seen before (not new); the visits that did not happen."""
    patients = {name: PatientFactory(clinic=ours.clinic) for name in "abcde"}
    for name, first, gap in (("a", 1, 29), ("b", 2, 30), ("c", 3, 31), ("d", 4, None)):
        start = MARCH.replace(day=first)
        visit(patients[name], doctor, start)
        if gap is not None:
            visit(patients[name], doctor, start + dt.timedelta(days=gap))
    visit(patients["e"], doctor, dt.date(2024, 2, 20))  # new long before the range
    visit(patients["e"], doctor, dt.date(2025, 3, 20))  # 394 days later
    visit(patients["d"], doctor, dt.date(2025, 3, 10), AppointmentStatus.CANCELLED, "patient")
    visit(patients["d"], doctor, dt.date(2025, 3, 11), AppointmentStatus.NO_SHOW, "no_show")
    visit(patients["d"], doctor, dt.date(2025, 4, 12), AppointmentStatus.CANCELLED, "")
    visit(patients["c"], doctor, dt.date(2025, 3, 12), AppointmentStatus.CANCELLED, "clinic")
    visit(patients["a"], doctor, dt.date(2025, 3, 13), AppointmentStatus.NO_SHOW, "no_show")
    visit(patients["a"], doctor, dt.date(2025, 3, 14), AppointmentStatus.BOOKED)  # never counted
    return patients


def scope(ours, first=MARCH, last=dt.date(2025, 5, 1), practitioner_id=None):
    return repeat.Scope(
        clinic_id=ours.clinic.pk,
        first_month=first,
        last_month=last,
        practitioner_id=practitioner_id,
    )


LONG_AFTER = dt.date(2026, 1, 15)


def test_new_patients_and_who_came_back_within_30_60_90_days(ours, history):
    numbers = repeat.summary(scope(ours), today=LONG_AFTER)
    march, april, may = numbers["months"]
    assert march["new_patients"] == 4  # a b c d; e was new in 2024
    assert march["windows"] == [(30, 50, 2), (60, 75, 3), (90, 75, 3)]  # 29, 30 in 30; 31 in 60
    assert (april["new_patients"], may["new_patients"]) == (0, 0)
    assert april["windows"] == [(30, None, None), (60, None, None), (90, None, None)]
    assert numbers["new_patients"] == 4
    assert numbers["windows"] == [(30, 50), (60, 75), (90, 75)]


def test_a_cohort_90_days_old_shows_its_60_day_share_but_waits_for_90(ours, history):
    on_day_90 = repeat.summary(scope(ours), today=MARCH_END + dt.timedelta(days=90))
    assert on_day_90["months"][0]["windows"] == [(30, 50, 2), (60, 75, 3), (90, None, None)]
    on_day_91 = repeat.summary(scope(ours), today=MARCH_END + dt.timedelta(days=91))
    assert on_day_91["months"][0]["windows"][2] == (90, 75, 3)


def test_the_days_between_visits_count_in_the_month_of_the_later_visit(ours, history):
    numbers = repeat.summary(scope(ours), today=LONG_AFTER)
    march, april, may = numbers["months"]
    # March: e after 394 days, a (1 + 29 = 30 March) after 29; April: b (1 April) 30, c 31
    assert (march["intervals"], march["interval_average"]) == (2, 211.5)
    assert (april["intervals"], april["interval_average"]) == (2, 30.5)
    assert (may["intervals"], may["interval_average"]) == (0, None)
    assert (numbers["intervals"], numbers["interval_average"]) == (4, 121.0)


def test_cancellations_and_no_shows_per_month_and_the_patients_who_missed_most(ours, history):
    numbers = repeat.summary(scope(ours), today=LONG_AFTER)
    march, april, _may = numbers["months"]
    assert (march["by_patient"], march["no_shows"], march["by_clinic"]) == (1, 2, 1)
    assert (april["by_patient"], april["no_shows"], april["by_clinic"]) == (1, 0, 0)
    assert (numbers["by_patient"], numbers["no_shows"], numbers["by_clinic"]) == (2, 2, 1)
    top = [
        (row["patient_id"], row["cancelled"], row["no_shows"], row["missed"])
        for row in numbers["top_patients"]
    ]
    # the clinic's cancellation is never counted against c
    assert top == [(history["d"].pk, 2, 1, 3), (history["a"].pk, 0, 1, 1)]


def test_a_month_in_the_range_but_before_the_first_visit_is_still_listed(ours, history):
    numbers = repeat.summary(scope(ours, first=dt.date(2025, 1, 1)), today=LONG_AFTER)
    assert [row["month"] for row in numbers["months"]][:3] == [
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
        MARCH,
    ]
    assert numbers["months"][0]["new_patients"] == 0


def test_a_practitioner_counts_only_the_visits_they_treated(ours, history, doctor):
    other = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER, username="repeat-dr2")
    newcomer = PatientFactory(clinic=ours.clinic)
    visit(newcomer, other, dt.date(2025, 3, 5))
    visit(history["d"], other, dt.date(2025, 3, 25))  # d came back, but to someone else
    mine = repeat.summary(scope(ours, practitioner_id=doctor.pk), today=LONG_AFTER)
    theirs = repeat.summary(scope(ours, practitioner_id=other.pk), today=LONG_AFTER)
    clinic = repeat.summary(scope(ours), today=LONG_AFTER)
    assert mine["months"][0]["new_patients"] == 4
    assert mine["months"][0]["windows"][0] == (30, 50, 2)
    assert theirs["months"][0]["new_patients"] == 2  # the newcomer, and d (new to them)
    assert clinic["months"][0]["new_patients"] == 5
    assert clinic["months"][0]["windows"][0] == (30, 60, 3)  # d came back after 21 days
    assert theirs["by_patient"] == theirs["no_shows"] == 0


# The page ---------------------------------------------------------------------------------


def test_the_admin_sees_the_clinics_numbers_for_the_months_chosen(ours, history, login):
    response = login(ours.admin).get(URL, {"first": "2025-03", "last": "2025-05"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="repeat-months"' in page and "2025-03" in page and "2025-05" in page
    assert response.context["numbers"]["months"][0]["new_patients"] == 4
    assert 'id="repeat-own-only"' not in page
    assert history["d"].full_name in page  # the patient who missed the most


def test_the_last_12_months_are_shown_by_default(ours, login):
    response = login(ours.admin).get(URL)
    months = [row["month"] for row in response.context["numbers"]["months"]]
    today = timezone.localdate()
    assert len(months) == 12 and months[-1] == today.replace(day=1)


def test_the_front_desk_sees_the_whole_clinic(ours, history, login):
    response = login(ours.frontdesk).get(URL, {"first": "2025-03", "last": "2025-03"})
    assert response.context["scope"].practitioner_id is None
    assert response.context["numbers"]["new_patients"] == 4


def test_a_practitioner_sees_their_own_patients_only_with_a_note(ours, history, login):
    response = login(ours.practitioner).get(URL, {"first": "2025-03", "last": "2025-03"})
    assert response.context["scope"].practitioner_id == ours.practitioner.pk
    assert response.context["numbers"]["new_patients"] == 0  # the doctor treated them, not ours
    assert 'id="repeat-own-only"' in response.content.decode()


def test_an_owner_who_also_treats_sees_the_whole_clinic(ours, history, login):
    owner = UserFactory(clinic=ours.clinic, role=Role.ADMIN, also_practitioner=True)
    response = login(owner).get(URL, {"first": "2025-03", "last": "2025-03"})
    assert response.context["numbers"]["new_patients"] == 4


def test_a_patient_may_not_see_the_numbers(ours, login):
    assert login(ours.patient_user).get(URL).status_code == 403


def test_a_range_ending_before_it_starts_shows_the_error_and_no_numbers(ours, login):
    response = login(ours.admin).get(URL, {"first": "2025-05", "last": "2025-03"})
    assert response.status_code == 200
    assert response.context["numbers"] is None
    assert response.context["form"].errors["last"]


def test_another_clinics_visits_are_never_counted(ours, theirs, history, login):
    stranger = PatientFactory(clinic=theirs.clinic)
    visit(stranger, theirs.practitioner, dt.date(2025, 3, 2))
    response = login(ours.admin).get(URL, {"first": "2025-03", "last": "2025-03"})
    assert response.context["numbers"]["new_patients"] == 4


def _clinic_of(size):
    clinic = ClinicFactory()
    admin = UserFactory(clinic=clinic, role=Role.ADMIN)
    doctor = UserFactory(clinic=clinic, role=Role.PRACTITIONER)
    today = timezone.localdate()
    for number in range(size):
        patient = PatientFactory(clinic=clinic)
        first = today - dt.timedelta(days=20 + number % 300)
        visit(patient, doctor, first)
        visit(patient, doctor, first + dt.timedelta(days=14))
        if number % 3 == 0:
            visit(patient, doctor, first + dt.timedelta(days=3), AppointmentStatus.NO_SHOW)
        if number % 4 == 0:
            status = AppointmentStatus.CANCELLED
            visit(patient, doctor, first + dt.timedelta(days=5), status, CancelReason.PATIENT)
    return admin


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_page_runs_as_many_queries_for_200_patients_as_for_5(db, login):
    small, large = login(_clinic_of(5)), login(_clinic_of(200))
    _queries(small), _queries(large)  # warm the session and the caches alike
    assert _queries(small) == _queries(large)
