"""Working hours through the pages: the admin sets the clinic's week, closures, shifts and days
off; the desk's booking outside them is refused with the reason next to the field."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from clinic.models import AuditEntry
from patients import hours, services, working_hours
from patients.models import Appointment, Closure, DayOff, OpeningHours, Shift
from tests.factories import ClinicFactory, PatientFactory, UserFactory

BOOK = reverse("patients:book")
HOURS = reverse("patients:clinic_hours")


def next_weekday(weekday: int) -> dt.date:
    """The first such weekday from tomorrow on."""
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def booking(cast, when, minutes=45, **changes):
    data = {
        "patient_number": cast.patient.number,
        "practitioner": cast.practitioner.pk,
        "start": timezone.localtime(when).strftime("%Y-%m-%dT%H:%M"),
        "minutes": minutes,
        "reason": "",
    }
    return data | changes


def refused(response):
    """{field: error code} of a refused booking (nothing was booked)."""
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    return {field: [e.code for e in found] for field, found in errors.items()}


def week_data(**days):
    """The week form's post: Monday to Saturday 09:00-19:00, Sunday closed, unless told."""
    data = {"action": "week"}
    for day in range(7):
        opens, closes = days.get(f"d{day}", ("09:00", "19:00") if day < 6 else None) or ("", "")
        if opens or closes:
            data[f"open_{day}"] = "on"
        data[f"opens_{day}"], data[f"closes_{day}"] = opens, closes
    return data


def shift_data(rows):
    data = {
        "action": "shifts",
        "shift-TOTAL_FORMS": str(len(rows)),
        "shift-INITIAL_FORMS": "0",
        "shift-MIN_NUM_FORMS": "0",
        "shift-MAX_NUM_FORMS": "40",
    }
    for index, (weekday, start, end) in enumerate(rows):
        data |= {
            f"shift-{index}-weekday": weekday,
            f"shift-{index}-start": start,
            f"shift-{index}-end": end,
        }
    return data


def audited(model, **where):
    kind = ContentType.objects.get_for_model(model)
    ids = [str(pk) for pk in model.objects.filter(**where).values_list("pk", flat=True)]
    return AuditEntry.objects.filter(content_type=kind, object_pk__in=ids)


# The clinic's week ------------------------------------------------------------------------


def test_a_clinic_with_no_hours_entered_books_nine_to_eight_monday_to_saturday(db, login):
    clinic = ClinicFactory(opening_hours=False)
    desk = UserFactory(clinic=clinic, role="frontdesk")
    cast = type("Cast", (), {})()
    cast.patient = PatientFactory(clinic=clinic)
    cast.practitioner = UserFactory(clinic=clinic, role="practitioner")
    client = login(desk)
    monday, sunday = next_weekday(0), next_weekday(6)
    assert client.post(BOOK, booking(cast, at(monday, 9))).status_code == 302
    assert refused(client.post(BOOK, booking(cast, at(monday, 8, 55)))) == {
        "start": [hours.BEFORE_OPENING]
    }
    assert refused(client.post(BOOK, booking(cast, at(monday, 19, 20)))) == {
        "start": [hours.AFTER_CLOSING]
    }
    assert refused(client.post(BOOK, booking(cast, at(sunday, 10)))) == {
        "start": [hours.CLINIC_CLOSED]
    }


def test_the_admin_page_shows_the_default_week_until_the_clinic_saves_its_own(db, login):
    clinic = ClinicFactory(opening_hours=False)
    admin = UserFactory(clinic=clinic, role="admin")
    page = login(admin).get(HOURS)
    form = page.context["week_form"]
    assert form["open_0"].initial is True and form["opens_0"].initial == dt.time(9)
    assert form["open_6"].initial is False and not page.context["has_own_hours"]


def test_the_admin_saves_the_week_and_the_desk_is_refused_on_the_closed_day(ours, login):
    response = login(ours.admin).post(HOURS, week_data(d2=None))  # closed on Wednesdays
    assert response.status_code == 302
    rows = {row.weekday: row for row in OpeningHours.objects.filter(clinic=ours.clinic)}
    assert rows[2].opens is None and rows[6].opens is None
    assert (rows[0].opens, rows[0].closes) == (dt.time(9), dt.time(19))
    assert audited(OpeningHours, clinic=ours.clinic).filter(actor=ours.admin).count() == 7
    desk = login(ours.frontdesk)
    wednesday = next_weekday(2)
    answer = desk.post(BOOK, booking(ours, at(wednesday, 10)))
    assert refused(answer) == {"start": [hours.CLINIC_CLOSED]}
    assert timezone.localtime(at(wednesday, 10)).strftime("%Y-%m-%dT%H:%M") in (
        answer.content.decode()
    )  # what was typed is kept
    assert not Appointment.objects.filter(start=at(wednesday, 10)).exists()


def test_saving_the_same_week_again_changes_nothing(ours, login):
    client = login(ours.admin)
    client.post(HOURS, week_data())
    entries = AuditEntry.objects.count()
    client.post(HOURS, week_data())
    assert AuditEntry.objects.count() == entries


@pytest.mark.parametrize(
    "day, field",
    [
        ({"d1": ("19:00", "09:00")}, "closes_1"),
        ({"d1": ("10:00", "10:00")}, "closes_1"),
        ({"d1": ("", "19:00")}, "opens_1"),
        ({"d1": ("09:00", "")}, "closes_1"),
        ({"d1": ("9時", "19:00")}, "opens_1"),
    ],
)
def test_bad_hours_get_a_message_on_the_field_and_save_nothing(ours, login, day, field):
    before = list(OpeningHours.objects.filter(clinic=ours.clinic).values_list())
    data = week_data(**day) | {"open_1": "on"}
    response = login(ours.admin).post(HOURS, data)
    assert response.status_code == 200
    assert list(response.context["week_form"].errors) == [field]
    assert list(OpeningHours.objects.filter(clinic=ours.clinic).values_list()) == before


def test_a_visit_may_start_at_opening_and_end_at_closing_but_not_a_minute_past(ours, login):
    login(ours.admin).post(HOURS, week_data(d1=("09:00", "19:00")))
    tuesday = next_weekday(1)
    desk = login(ours.frontdesk)
    assert desk.post(BOOK, booking(ours, at(tuesday, 9))).status_code == 302
    assert desk.post(BOOK, booking(ours, at(tuesday, 18, 15))).status_code == 302
    late = booking(ours, at(tuesday, 18, 20), patient_number=ours.other_patient.number)
    assert refused(desk.post(BOOK, late)) == {"start": [hours.AFTER_CLOSING]}
    early = booking(ours, at(tuesday, 8, 55), minutes=5)
    assert refused(desk.post(BOOK, early)) == {"start": [hours.BEFORE_OPENING]}


# Closures ---------------------------------------------------------------------------------


def test_the_admin_adds_a_holiday_and_the_desk_reads_why_it_cannot_book(ours, login):
    holiday = timezone.localdate() + dt.timedelta(days=3)
    data = {"action": "closure", "closure-day": holiday.isoformat(), "closure-reason": "院内研修"}
    assert login(ours.admin).post(HOURS, data).status_code == 302
    closure = Closure.objects.get(clinic=ours.clinic, day=holiday)
    assert audited(Closure, pk=closure.pk).get().actor == ours.admin
    answer = login(ours.frontdesk).post(BOOK, booking(ours, at(holiday, 10)))
    assert refused(answer) == {"start": [hours.HOLIDAY]}
    message = answer.context["form"].errors["start"][0]
    assert "院内研修" in message and holiday.isoformat() in message


def test_a_holiday_with_visits_booked_warns_the_admin(ours, login):
    day = ours.appointment.start.date()
    data = {"action": "closure", "closure-day": day.isoformat(), "closure-reason": ""}
    response = login(ours.admin).post(HOURS, data, follow=True)
    levels = [m.level_tag for m in response.context["messages"]]
    assert "warning" in levels
    ours.appointment.refresh_from_db()
    assert ours.appointment.status == "booked"  # kept: the desk moves or cancels it


@pytest.mark.parametrize("when", ["yesterday", "taken", "not a date"])
def test_a_bad_closure_gets_a_message_on_the_date_and_saves_nothing(ours, login, when):
    day = {
        "yesterday": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "taken": ours.closure.day.isoformat(),
        "not a date": "来週",
    }[when]
    data = {"action": "closure", "closure-day": day, "closure-reason": "休み"}
    response = login(ours.admin).post(HOURS, data)
    assert response.status_code == 200
    assert list(response.context["closure_form"].errors) == ["day"]
    assert Closure.objects.filter(clinic=ours.clinic).count() == 1
    assert day in response.content.decode()


def test_the_admin_removes_a_closure(ours, login):
    url = reverse("patients:closure_remove", args=[ours.closure.pk])
    assert login(ours.admin).post(url).status_code == 302
    assert not Closure.objects.filter(pk=ours.closure.pk).exists()
    kind = ContentType.objects.get_for_model(Closure)
    assert AuditEntry.objects.filter(
        content_type=kind, object_pk=str(ours.closure.pk), action=AuditEntry.Action.DELETE
    ).exists()


# Shifts and days off ----------------------------------------------------------------------


def test_the_admin_saves_shifts_and_the_desk_books_only_inside_them(ours, login):
    url = reverse("patients:practitioner_hours", args=[ours.practitioner.pk])
    rows = [(1, "10:00", "13:00"), (1, "14:00", "18:00"), (3, "09:00", "19:00")]
    assert login(ours.admin).post(url, shift_data(rows)).status_code == 302
    stored = set(Shift.objects.filter(practitioner=ours.practitioner).values_list("weekday"))
    assert stored == {(1,), (3,)}
    assert audited(Shift, practitioner=ours.practitioner).count() == 3
    tuesday, monday = next_weekday(1), next_weekday(0)
    desk = login(ours.frontdesk)
    assert desk.post(BOOK, booking(ours, at(tuesday, 10))).status_code == 302
    other = {"patient_number": ours.other_patient.number}
    across_the_break = desk.post(BOOK, booking(ours, at(tuesday, 12, 30), **other))
    assert refused(across_the_break) == {"practitioner": [hours.OFF_SHIFT]}
    assert "10:00-13:00" in across_the_break.context["form"].errors["practitioner"][0]
    assert refused(desk.post(BOOK, booking(ours, at(monday, 10)))) == {
        "practitioner": [hours.NO_SHIFT]
    }


def test_saving_shifts_again_keeps_the_unchanged_rows(ours, login):
    url = reverse("patients:practitioner_hours", args=[ours.practitioner.pk])
    client = login(ours.admin)
    client.post(url, shift_data([(1, "10:00", "13:00"), (2, "10:00", "13:00")]))
    kept = Shift.objects.get(practitioner=ours.practitioner, weekday=1).pk
    client.post(url, shift_data([(1, "10:00", "13:00"), (4, "09:00", "12:00"), ("", "", "")]))
    shifts = Shift.objects.filter(practitioner=ours.practitioner)
    assert set(shifts.values_list("weekday", flat=True)) == {1, 4}
    assert shifts.get(weekday=1).pk == kept


@pytest.mark.parametrize(
    "rows, index, field",
    [
        ([(1, "10:00", "13:00"), (1, "12:00", "15:00")], 1, "start"),
        ([(1, "13:00", "10:00")], 0, "end"),
        ([("", "10:00", "13:00")], 0, "weekday"),
        ([(1, "", "13:00")], 0, "start"),
        ([(9, "10:00", "13:00")], 0, "weekday"),
        ([(1, "25:00", "26:00")], 0, "start"),
    ],
)
def test_bad_shifts_get_a_message_on_the_row_and_save_nothing(ours, login, rows, index, field):
    Shift.objects.create(
        clinic=ours.clinic,
        practitioner=ours.practitioner,
        weekday=5,
        start=dt.time(9),
        end=dt.time(12),
    )
    url = reverse("patients:practitioner_hours", args=[ours.practitioner.pk])
    response = login(ours.admin).post(url, shift_data(rows))
    assert response.status_code == 200
    forms = response.context["shifts"].forms
    assert field in forms[index].errors
    assert list(Shift.objects.filter(practitioner=ours.practitioner).values_list("weekday")) == [
        (5,)
    ]


def test_the_admin_adds_a_day_off_and_the_desk_reads_it(ours, login):
    url = reverse("patients:practitioner_hours", args=[ours.practitioner.pk])
    day = next_weekday(1)
    data = {"action": "day_off", "day_off-day": day.isoformat(), "day_off-reason": "研修"}
    assert login(ours.admin).post(url, data).status_code == 302
    day_off = DayOff.objects.get(practitioner=ours.practitioner, day=day)
    assert day_off.clinic == ours.clinic and audited(DayOff, pk=day_off.pk).exists()
    answer = login(ours.frontdesk).post(BOOK, booking(ours, at(day, 10)))
    assert refused(answer) == {"practitioner": [hours.DAY_OFF]}
    assert "研修" in answer.context["form"].errors["practitioner"][0]
    colleague = UserFactory(clinic=ours.clinic, role="practitioner")
    other = booking(ours, at(day, 10), practitioner=colleague.pk)
    assert login(ours.frontdesk).post(BOOK, other).status_code == 302


def test_a_day_off_taken_twice_is_refused_on_the_date(ours, login):
    url = reverse("patients:practitioner_hours", args=[ours.practitioner.pk])
    data = {"action": "day_off", "day_off-day": ours.day_off.day.isoformat(), "day_off-reason": ""}
    response = login(ours.admin).post(url, data)
    assert list(response.context["day_off_form"].errors) == ["day"]
    assert DayOff.objects.filter(practitioner=ours.practitioner).count() == 1


def test_the_admin_removes_a_day_off(ours, login):
    url = reverse("patients:day_off_remove", args=[ours.day_off.pk])
    response = login(ours.admin).post(url)
    assert response["Location"] == reverse(
        "patients:practitioner_hours", args=[ours.practitioner.pk]
    )
    assert not DayOff.objects.filter(pk=ours.day_off.pk).exists()


def test_a_day_off_is_removed_after_its_person_stopped_treating(ours, login):
    # Seen in review: the removal checked the practitioner role and gave a 500 once it was gone.
    ours.practitioner.role = "frontdesk"
    ours.practitioner.save(update_fields=["role"])
    response = login(ours.admin).post(reverse("patients:day_off_remove", args=[ours.day_off.pk]))
    assert response.status_code == 302
    assert not DayOff.objects.filter(pk=ours.day_off.pk).exists()


def test_the_hours_page_reads_the_same_queries_however_many_practitioners(ours, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(ours.admin)
    client.get(HOURS)  # the session's first request writes its clock: not counted

    def counted():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOURS).status_code == 200
        return len(queries)

    few = counted()
    for n in range(4):
        colleague = UserFactory(clinic=ours.clinic, role="practitioner", username=f"pr-{n}")
        if n % 2:
            Shift.objects.create(
                clinic=ours.clinic,
                practitioner=colleague,
                weekday=1,
                start=dt.time(9),
                end=dt.time(12),
            )
    assert counted() == few  # no query per practitioner (their shifts are one EXISTS)


def test_shifts_are_a_practitioners_only(ours, login):
    url = reverse("patients:practitioner_hours", args=[ours.frontdesk.pk])
    assert login(ours.admin).get(url).status_code == 404


# The service and the reads the calendar uses ---------------------------------------------


def test_the_booking_service_refuses_outside_hours_whoever_calls_it(ours):
    Closure.objects.create(clinic=ours.clinic, day=next_weekday(4))
    with pytest.raises(working_hours.OutsideHours) as refusal:
        services.book_appointment(
            patient=ours.patient,
            practitioner=ours.practitioner,
            start=at(next_weekday(4), 10),
            minutes=45,
            reason="",
            booked_by=ours.frontdesk,
        )
    assert refusal.value.error_dict["start"][0].code == hours.HOLIDAY
    assert not Appointment.objects.filter(start=at(next_weekday(4), 10)).exists()


@pytest.mark.parametrize("practitioners", [1, 4])
def test_reading_the_hours_of_a_week_costs_the_same_queries_for_any_staff(
    ours, django_assert_num_queries, practitioners
):
    staff = [ours.practitioner] + [
        UserFactory(clinic=ours.clinic, role="practitioner") for _ in range(practitioners - 1)
    ]
    for member in staff:
        Shift.objects.create(
            clinic=ours.clinic, practitioner=member, weekday=1, start=dt.time(9), end=dt.time(12)
        )
    first = timezone.localdate()
    last = first + dt.timedelta(days=6)
    with django_assert_num_queries(4):
        clinic = working_hours.clinic_hours(ours.clinic.pk, first=first, last=last)
        found = working_hours.practitioners_hours([m.pk for m in staff], first=first, last=last)
    tuesday = next_weekday(1)
    for member in staff:
        stretches = hours.bookable_intervals(
            day=tuesday, clinic=clinic, practitioner=found[member.pk]
        )
        assert stretches == (hours.Span(dt.time(9), dt.time(12)),)
