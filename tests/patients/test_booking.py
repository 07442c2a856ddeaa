import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import Role
from patients.models import Appointment
from tests.factories import AppointmentFactory, UserFactory

URL = reverse("patients:book")


def tomorrow_at(hour, minute=0):
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def booked_tomorrow():
    return Appointment.objects.filter(start__gte=tomorrow_at(0), start__lte=tomorrow_at(23, 59))


def booking(cast, when, **changes):
    data = {
        "patient_number": cast.patient.number,
        "practitioner": cast.practitioner.pk,
        "start": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"),
        "minutes": 30,
        "reason": "右膝裏の痛み",
    }
    data.update(changes)
    return data


def test_the_desk_books_a_visit(ours, login):
    response = login(ours.frontdesk).post(URL, booking(ours, tomorrow_at(10)))
    visit = Appointment.objects.get(start=tomorrow_at(10))
    assert response.status_code == 302
    assert visit.end == tomorrow_at(10, 30)
    assert (visit.patient, visit.practitioner, visit.created_by) == (
        ours.patient,
        ours.practitioner,
        ours.frontdesk,
    )
    assert visit.status == "booked"


def test_double_booking_a_practitioner_is_refused_with_a_message(ours, login):
    client = login(ours.frontdesk)
    client.post(URL, booking(ours, tomorrow_at(10)))
    response = client.post(
        URL, booking(ours, tomorrow_at(10, 15), patient_number=ours.other_patient.number)
    )
    assert response.status_code == 200
    assert "10:00" in response.context["form"].errors["start"][0]
    assert booked_tomorrow().count() == 1


def test_a_visit_may_start_when_the_previous_one_ends(ours, login):
    client = login(ours.frontdesk)
    client.post(URL, booking(ours, tomorrow_at(10)))
    response = client.post(
        URL, booking(ours, tomorrow_at(10, 30), patient_number=ours.other_patient.number)
    )
    assert response.status_code == 302


def test_a_cancelled_visit_frees_the_slot(ours, login):
    AppointmentFactory(
        patient=ours.other_patient,
        practitioner=ours.practitioner,
        start=tomorrow_at(10),
        end=tomorrow_at(10, 30),
        status="cancelled",
    )
    response = login(ours.frontdesk).post(URL, booking(ours, tomorrow_at(10)))
    assert response.status_code == 302


def test_a_patient_cannot_be_in_two_places_at_once(ours, login):
    other = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER)
    client = login(ours.frontdesk)
    client.post(URL, booking(ours, tomorrow_at(10)))
    response = client.post(URL, booking(ours, tomorrow_at(10), practitioner=other.pk))
    assert "start" in response.context["form"].errors


@pytest.mark.parametrize(
    "field, value",
    [
        ("start", "2020-01-01T10:00"),
        ("start", "tomorrow"),
        ("start", "2099-01-01T10:00"),
        ("minutes", "-30"),
        ("minutes", "0"),
        ("minutes", "600"),
        ("minutes", "33"),
        ("patient_number", "999999"),
        ("patient_number", "99999999999999999999999"),
        ("practitioner", "999999"),
        ("reason", "痛" * 201),
    ],
)
def test_bad_booking_input_gets_a_message_on_the_field(ours, login, field, value):
    response = login(ours.frontdesk).post(URL, booking(ours, tomorrow_at(10), **{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert value in response.content.decode() or field == "reason"  # what was typed is kept
    assert not booked_tomorrow().exists()


def test_another_clinics_practitioner_cannot_be_booked(ours, theirs, login):
    response = login(ours.frontdesk).post(
        URL, booking(ours, tomorrow_at(10), practitioner=theirs.practitioner.pk)
    )
    assert "practitioner" in response.context["form"].errors


def test_another_clinics_patient_number_is_unknown(ours, theirs, login):
    theirs_only = theirs.patient.number + 100
    theirs.patient.number = theirs_only
    theirs.patient.save()
    response = login(ours.frontdesk).post(
        URL, booking(ours, tomorrow_at(10), patient_number=theirs_only)
    )
    assert "patient_number" in response.context["form"].errors


def test_an_archived_patient_cannot_be_booked(ours, login):
    ours.patient.is_archived = True
    ours.patient.save()
    response = login(ours.frontdesk).post(URL, booking(ours, tomorrow_at(10)))
    assert "patient_number" in response.context["form"].errors


def test_the_booking_form_starts_from_the_patient_page(ours, login):
    response = login(ours.frontdesk).get(URL, {"patient": ours.patient.pk})
    assert response.context["form"].initial["patient"] == ours.patient.pk
    assert response.context["patient"] == ours.patient


def test_the_booking_form_ignores_another_clinics_patient(ours, theirs, login):
    response = login(ours.frontdesk).get(URL, {"patient": theirs.patient.pk})
    assert "patient" not in response.context["form"].initial
    assert theirs.patient.full_name not in response.content.decode()


# Status changes and homes -----------------------------------------------------------------


def status(client, visit, target):
    return client.post(
        reverse("patients:appointment_status", args=[visit.pk]),
        {"status": target, "next": reverse("assessments:frontdesk_home")},
    )


@pytest.fixture
def todays_visit(ours):
    start = timezone.localtime().replace(second=0, microsecond=0)
    return AppointmentFactory(
        patient=ours.other_patient,
        practitioner=ours.practitioner,
        start=start,
        end=start + dt.timedelta(minutes=1),
    )


def test_the_desk_checks_a_patient_in_with_one_click(ours, todays_visit, login):
    response = status(login(ours.frontdesk), todays_visit, "checked_in")
    todays_visit.refresh_from_db()
    assert response["Location"] == reverse("assessments:frontdesk_home")
    assert todays_visit.status == "checked_in"
    assert todays_visit.status_changed_by == ours.frontdesk


def test_a_visit_on_a_later_day_cannot_be_checked_in(ours, login):
    status(login(ours.frontdesk), ours.appointment, "checked_in")
    ours.appointment.refresh_from_db()
    assert ours.appointment.status == "booked"


def test_the_desk_cannot_start_a_session(ours, todays_visit, login):
    status(login(ours.frontdesk), todays_visit, "checked_in")
    status(login(ours.frontdesk), todays_visit, "in_session")
    todays_visit.refresh_from_db()
    assert todays_visit.status == "checked_in"


def test_the_practitioner_runs_the_visit_to_completion(ours, todays_visit, login):
    status(login(ours.frontdesk), todays_visit, "checked_in")
    client = login(ours.practitioner)
    status(client, todays_visit, "in_session")
    status(client, todays_visit, "completed")
    todays_visit.refresh_from_db()
    assert todays_visit.status == "completed"


def test_an_unknown_status_changes_nothing_and_is_not_a_500(ours, login):
    response = status(login(ours.admin), ours.appointment, "teleported")
    ours.appointment.refresh_from_db()
    assert response.status_code == 302 and ours.appointment.status == "booked"


def test_the_redirect_after_a_status_change_stays_on_this_site(ours, login):
    response = login(ours.frontdesk).post(
        reverse("patients:appointment_status", args=[ours.appointment.pk]),
        {"status": "checked_in", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def _today(hour):
    now = timezone.localtime()
    return now.replace(hour=hour, minute=0, second=0, microsecond=0)


def test_front_desk_home_lists_todays_visits_with_check_in(ours, login):
    visit = AppointmentFactory(
        patient=ours.other_patient,
        practitioner=ours.practitioner,
        start=_today(23),
        end=_today(23) + dt.timedelta(minutes=30),
    )
    page = login(ours.frontdesk).get(reverse("assessments:frontdesk_home"))
    assert [v.pk for v in page.context["visits"]] == [visit.pk]
    assert reverse("patients:appointment_status", args=[visit.pk]) in page.content.decode()


def test_practitioner_home_shows_only_their_own_day(ours, login):
    mine = AppointmentFactory(
        patient=ours.patient,
        practitioner=ours.practitioner,
        start=_today(23),
        end=_today(23) + dt.timedelta(minutes=20),
    )
    colleague = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER)
    AppointmentFactory(
        patient=ours.other_patient,
        practitioner=colleague,
        start=_today(23),
        end=_today(23) + dt.timedelta(minutes=20),
    )
    page = login(ours.practitioner).get(reverse("assessments:practitioner_home"))
    assert [v.pk for v in page.context["visits"]] == [mine.pk]


def test_the_day_view_groups_visits_by_practitioner(ours, login):
    start = tomorrow_at(9)
    colleague = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER)
    AppointmentFactory(
        patient=ours.patient,
        practitioner=colleague,
        start=start,
        end=start + dt.timedelta(minutes=30),
    )
    response = login(ours.frontdesk).get(
        reverse("patients:day_view"), {"date": start.date().isoformat()}
    )
    columns = {p.pk: [v.pk for v in visits] for p, visits in response.context["columns"]}
    assert set(columns) == {ours.practitioner.pk, colleague.pk}
    assert len(columns[colleague.pk]) == 1
    filtered = login(ours.frontdesk).get(
        reverse("patients:day_view"),
        {"date": start.date().isoformat(), "practitioner": colleague.pk},
    )
    assert [p.pk for p, _ in filtered.context["columns"]] == [colleague.pk]


def test_the_day_view_survives_a_bad_date(ours, login):
    response = login(ours.frontdesk).get(
        reverse("patients:day_view"), {"date": "2026-13-45", "practitioner": "x"}
    )
    assert response.status_code == 200
    assert response.context["day"] == timezone.localdate()


@pytest.mark.parametrize("visits", [1, 8])
def test_day_pages_make_the_same_number_of_queries_however_many_visits(
    ours, login, django_assert_num_queries, visits
):
    for hour in range(visits):
        AppointmentFactory(
            patient=ours.other_patient,
            practitioner=ours.practitioner,
            start=_today(hour),
            end=_today(hour) + dt.timedelta(minutes=30),
        )
    desk, practitioner = login(ours.frontdesk), login(ours.practitioner)
    # session, user with second factor, visits, safety alerts; and today on the calendar: menus,
    # practitioners, visits, the clinic's hours and closures, shifts and days off
    with django_assert_num_queries(11):
        desk.get(reverse("assessments:frontdesk_home"))
    # + the watch list: published plans, 14 days of logs, open referrals; the visits' records
    # and the open visit-record red flags
    with django_assert_num_queries(9):
        practitioner.get(reverse("assessments:practitioner_home"))
    with django_assert_num_queries(4):  # session, user with second factor, practitioners, visits
        desk.get(reverse("patients:day_view"))


def test_the_day_view_ignores_a_practitioner_id_too_large_for_the_database(ours, login):
    response = login(ours.frontdesk).get(
        reverse("patients:day_view"), {"practitioner": "9223372036854775808"}
    )
    assert response.status_code == 200 and response.context["chosen"] is None


@pytest.mark.parametrize(
    "hour, minute, minutes, field",
    [(6, 55, 30, "start"), (22, 0, 30, "start"), (21, 45, 30, "start"), (10, 2, 30, "start")],
)
def test_visits_stay_within_opening_hours_on_5_minute_marks(
    ours, login, hour, minute, minutes, field
):
    response = login(ours.frontdesk).post(
        URL, booking(ours, tomorrow_at(hour, minute), minutes=minutes)
    )
    assert list(response.context["form"].errors) == [field]


@pytest.mark.parametrize("hour, minute, minutes", [(7, 0, 30), (21, 30, 30)])
def test_the_first_and_last_slots_of_the_day_can_be_booked(ours, login, hour, minute, minutes):
    response = login(ours.frontdesk).post(
        URL, booking(ours, tomorrow_at(hour, minute), minutes=minutes)
    )
    assert response.status_code == 302


def test_booking_an_archived_patient_says_so(ours, login):
    ours.patient.is_archived = True
    ours.patient.save()
    response = login(ours.frontdesk).post(URL, booking(ours, tomorrow_at(10)))
    assert ours.patient.full_name in response.context["form"].errors["patient_number"][0]


def test_a_completed_visit_moves_from_upcoming_to_past(ours, login):
    start = timezone.localtime().replace(second=0, microsecond=0)
    visit = AppointmentFactory(
        patient=ours.patient,
        practitioner=ours.practitioner,
        start=start,
        end=start + dt.timedelta(minutes=1),
    )
    page = login(ours.frontdesk).get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    assert visit in page.context["upcoming"]
    visit.status = "completed"
    visit.save()
    page = login(ours.frontdesk).get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
    assert visit not in page.context["upcoming"] and visit in page.context["past"]
