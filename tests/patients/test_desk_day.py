"""The desk's day (issue 14, item 6): today's visits with who is late, today on the calendar
with the next free slots, and after a check-out the next booking at the plan's interval."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import AppointmentStatus, Shift
from tests.factories import AppointmentFactory, PatientFactory

HOME = reverse("assessments:frontdesk_home")


def today_at(minutes_from_now: int) -> dt.datetime:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return now + dt.timedelta(minutes=minutes_from_now)


def visit(cast, start, *, patient=None, minutes=1, **more):
    return AppointmentFactory(
        patient=patient or cast.other_patient,
        practitioner=cast.practitioner,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        **more,
    )


def test_a_booked_patient_whose_time_has_passed_is_late(ours, login):
    late = visit(ours, today_at(-1), patient=PatientFactory(clinic=ours.clinic, given_name="遅刻"))
    visit(ours, today_at(-1), patient=ours.patient, status=AppointmentStatus.CHECKED_IN)
    response = login(ours.frontdesk).get(HOME)
    assert response.context["late"] == [late]
    assert "遅刻" in response.content.decode().split('id="late-list"')[1].split("</div>")[0]


def test_the_desk_sees_today_on_the_calendar_and_the_next_free_slots(ours, login):
    response = login(ours.frontdesk).get(HOME)
    grid = response.context["grid"]
    assert grid.days == [timezone.localdate()]
    free = response.context["free"]
    assert len(free) <= 6 and [s for s, _p, _h in free] == sorted(s for s, _p, _h in free)
    assert all(start > timezone.now() for start, _p, _href in free)
    assert 'id="today-calendar"' in response.content.decode()


def _checked_out(cast):
    """The cast's patient checked out today, with no other visit ahead (theirs cancelled)."""
    cast.appointment.status = AppointmentStatus.CANCELLED
    cast.appointment.save()
    return visit(cast, today_at(-30), patient=cast.patient, status=AppointmentStatus.COMPLETED)


def test_after_check_out_the_next_booking_is_offered_at_the_plans_interval(ours, login):
    ours.plan.visit_interval_days = 10
    ours.plan.save()
    done = _checked_out(ours)
    offers = login(ours.frontdesk).get(HOME).context["next_bookings"]
    assert [o.visit for o in offers] == [done]
    offer = offers[0]
    suggested = timezone.localtime(done.start).date() + dt.timedelta(days=10)
    assert offer.from_plan and offer.day == suggested
    assert f"patient={ours.patient.pk}" in offer.book_href
    assert f"practitioner={ours.practitioner.pk}" in offer.book_href
    assert f"start={suggested:%Y-%m-%d}T{timezone.localtime(done.start):%H}" in offer.book_href


def test_without_an_interval_in_a_plan_the_next_booking_is_in_a_week(ours, login):
    done = visit(ours, today_at(-30), status=AppointmentStatus.COMPLETED)  # no plan
    offer = login(ours.frontdesk).get(HOME).context["next_bookings"][0]
    assert not offer.from_plan
    assert offer.day == timezone.localtime(done.start).date() + dt.timedelta(days=7)


def test_the_suggested_day_moves_on_to_a_day_the_practitioner_works(ours, login):
    done = visit(ours, today_at(-30), status=AppointmentStatus.COMPLETED)
    week_later = timezone.localtime(done.start).date() + dt.timedelta(days=7)
    works = (week_later.weekday() + 2) % 7
    Shift.objects.create(
        clinic=ours.clinic,
        practitioner=ours.practitioner,
        weekday=works,
        start=dt.time(9),
        end=dt.time(17),
    )
    offer = login(ours.frontdesk).get(HOME).context["next_bookings"][0]
    assert offer.day == week_later + dt.timedelta(days=2)


def test_a_patient_already_booked_again_is_not_offered_another(ours, login):
    done = _checked_out(ours)
    ahead = visit(ours, today_at(60 * 24 * 3), patient=ours.patient)
    offer = login(ours.frontdesk).get(HOME).context["next_bookings"][0]
    assert offer.visit == done and offer.booked == ahead and offer.book_href == ""


@pytest.mark.parametrize("visits", [1, 8])
def test_the_desks_day_makes_the_same_number_of_queries_however_busy(
    ours, login, django_assert_num_queries, visits
):
    for n in range(visits):
        patient = PatientFactory(clinic=ours.clinic)
        status = AppointmentStatus.COMPLETED if n % 2 else AppointmentStatus.BOOKED
        visit(ours, today_at(-n - 2), patient=patient, status=status)
    _checked_out(ours)
    client = login(ours.frontdesk)
    client.get(HOME)  # the session's first request writes its idle clock
    # session, user, today's visits, menus, practitioners, the calendar's visits, clinic hours
    # (2), shifts and days off (2), plan intervals, next visits, the next days' hours (4),
    # safety alerts
    with django_assert_num_queries(17):
        client.get(HOME)
