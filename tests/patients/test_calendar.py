"""The week calendar (issue 14, item 4): day and week views per practitioner and for the
clinic, free slots for a menu's length, the hours outside shifts and holidays greyed out, and
a fixed number of queries however busy the clinic."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.models import Role
from patients import calendar
from patients.models import AppointmentStatus, Closure, DayOff, Shift
from tests.factories import AppointmentFactory, MenuFactory, PatientFactory, UserFactory

URL = reverse("patients:calendar")


def day_ahead(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def visit(cast, day, hour, minute=0, *, minutes=45, practitioner=None, **more):
    start = at(day, hour, minute)
    return AppointmentFactory(
        patient=more.pop("patient", cast.other_patient),
        practitioner=practitioner or cast.practitioner,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        **more,
    )


def columns(response) -> dict:
    grid = response.context["grid"]
    return {(c.day, c.practitioner.pk): c for _day, cs in grid.by_day for c in cs}


def starts(column) -> list[str]:
    return [f"{timezone.localtime(slot.start):%H:%M}" for slot in column.slots]


@pytest.fixture
def menu(ours):
    return MenuFactory(clinic=ours.clinic, name="整体 45分", minutes=45)


def test_the_week_shows_each_day_with_its_visits_linked_to_their_page(ours, login, menu):
    day = day_ahead(7)
    booked = visit(ours, day, 10, menu=menu)
    response = login(ours.frontdesk).get(URL, {"date": day.isoformat()})
    assert response.status_code == 200
    assert response.context["grid"].days == calendar.week_of(day)
    column = columns(response)[(day, ours.practitioner.pk)]
    assert [v for _placed, v in column.visits] == [booked]
    page = response.content.decode()
    assert reverse("patients:appointment_detail", args=[booked.pk]) in page
    assert booked.patient.full_name in page and "menu-edge-" in page


def test_free_slots_leave_out_booked_time_and_the_hours_outside_the_shift(ours, login, menu):
    day = day_ahead(7)
    Shift.objects.create(
        clinic=ours.clinic,
        practitioner=ours.practitioner,
        weekday=day.weekday(),
        start=dt.time(9),
        end=dt.time(12),
    )
    visit(ours, day, 10)
    response = login(ours.frontdesk).get(URL, {"date": day.isoformat()})
    column = columns(response)[(day, ours.practitioner.pk)]
    assert starts(column) == ["09:00", "09:15", "10:45", "11:00", "11:15"]
    window = response.context["grid"].window
    assert window == (7 * 60, 22 * 60)  # the clinic's hours, 07:00-22:00
    # greyed: 07:00-09:00 and 12:00-22:00, in 5-minute rows from 07:00
    assert [(p.row, p.span) for p in column.closed] == [(1, 24), (61, 120)]
    link = column.slots[0].href
    assert link.startswith(reverse("patients:book") + "?")
    assert f"practitioner={ours.practitioner.pk}" in link and f"menu={menu.pk}" in link
    assert f"start={day:%Y-%m-%d}T09%3A00" in link


def test_the_slots_follow_the_chosen_menus_length(ours, login, menu):
    day = day_ahead(7)
    long = MenuFactory(clinic=ours.clinic, name="初診 90分", minutes=90)
    visit(ours, day, 9)
    visit(ours, day, 11)
    response = login(ours.frontdesk).get(URL, {"date": day.isoformat(), "menu": long.pk})
    column = columns(response)[(day, ours.practitioner.pk)]
    assert "09:45" not in starts(column)  # 09:45 + 90 minutes runs into 11:00
    assert "11:45" in starts(column)
    assert response.context["grid"].minutes == 90


def test_a_holiday_and_a_day_off_grey_the_whole_day_and_say_why(ours, login, menu):
    monday = calendar.week_of(day_ahead(7))[0]
    holiday, off = monday + dt.timedelta(days=1), monday + dt.timedelta(days=2)
    Closure.objects.create(clinic=ours.clinic, day=holiday, reason="院内研修")
    DayOff.objects.create(
        clinic=ours.clinic, practitioner=ours.practitioner, day=off, reason="学会"
    )
    response = login(ours.frontdesk).get(URL, {"date": holiday.isoformat(), "view": "week"})
    found = columns(response)
    for day, reason in ((holiday, "院内研修"), (off, "学会")):
        column = found[(day, ours.practitioner.pk)]
        assert column.slots == [] and reason in column.closed_note
        assert [(p.row, p.span) for p in column.closed] == [(1, 180)]


def test_past_days_offer_no_free_slot(ours, login, menu):
    day = day_ahead(-7)
    response = login(ours.frontdesk).get(URL, {"date": day.isoformat(), "view": "day"})
    assert response.context["grid"].free_count == 0


def test_today_offers_slots_only_after_now(ours):
    day = day_ahead(7)
    ask = calendar.Request(days=[day], minutes=45, slot_url="/book/")
    grid = calendar.build(ours.frontdesk, ask, now=at(day, 15, 2))
    column = grid.by_day[0][1][0]
    assert starts(column)[0] == "15:15"
    first = calendar.next_free(grid, count=3)
    assert [f"{timezone.localtime(s):%H:%M}" for s, _p, _href in first] == [
        "15:15",
        "15:30",
        "15:45",
    ]


def test_the_clinic_or_one_practitioner_by_the_day_or_the_week(ours, login, menu):
    second = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER, display_name="施術 二郎")
    day = day_ahead(7)
    client = login(ours.frontdesk)
    clinic_week = columns(client.get(URL, {"date": day.isoformat()}))
    assert {pk for _day, pk in clinic_week} == {ours.practitioner.pk, second.pk}
    assert len(clinic_week) == 14
    one = client.get(URL, {"date": day.isoformat(), "practitioner": second.pk, "view": "day"})
    assert list(columns(one)) == [(day, second.pk)]
    assert "施術 二郎" in one.content.decode()


def test_an_owner_who_treats_has_a_column(ours, login, menu):
    owner = UserFactory(clinic=ours.clinic, role=Role.ADMIN, also_practitioner=True)
    response = login(owner).get(URL, {"view": "day", "date": day_ahead(7).isoformat()})
    assert owner.pk in {pk for _day, pk in columns(response)}


@pytest.mark.parametrize(
    "query",
    [
        {"date": "2026-13-45"},
        {"date": "0001-01-01"},
        {"date": "9999-12-31", "view": "week"},
        {"practitioner": "x", "menu": "9" * 30, "view": "month"},
        {"move": "abc", "patient": "-1"},
        {"move": "9223372036854775808"},
    ],
)
def test_bad_query_strings_show_a_calendar_not_an_error(ours, login, query):
    response = login(ours.frontdesk).get(URL, query)
    assert response.status_code == 200
    assert response.context["grid"].days


def test_another_clinics_visit_cannot_be_moved_through_the_calendar(ours, theirs, login):
    response = login(ours.frontdesk).get(URL, {"move": theirs.appointment.pk})
    assert response.context["moving"] is None


def test_moving_shows_slots_that_lead_to_the_move_with_the_visits_own_time_free(ours, login, menu):
    day = day_ahead(7)
    moving = visit(ours, day, 10, minutes=60)
    response = login(ours.frontdesk).get(URL, {"date": day.isoformat(), "move": moving.pk})
    column = columns(response)[(day, ours.practitioner.pk)]
    assert "10:00" in starts(column) and "09:15" in starts(column)
    move = reverse("patients:appointment_move", args=[moving.pk])
    assert all(slot.href.startswith(move + "?") for slot in column.slots)
    assert response.context["grid"].minutes == 60


def _busy_clinic(cast, practitioners: int, visits_each: int, menu):
    staff = [cast.practitioner] + [
        UserFactory(clinic=cast.clinic, role=Role.PRACTITIONER) for _ in range(practitioners - 1)
    ]
    patients = [PatientFactory(clinic=cast.clinic) for _ in range(3)]
    monday = calendar.week_of(day_ahead(14))[0]  # clear of the cast's own visit
    for n, practitioner in enumerate(staff):
        Shift.objects.create(
            clinic=cast.clinic,
            practitioner=practitioner,
            weekday=n % 7,
            start=dt.time(9),
            end=dt.time(18),
        )
        for k in range(visits_each):
            day = monday + dt.timedelta(days=k % 7)
            visit(
                cast,
                day,
                9 + k // 7,
                practitioner=practitioner,
                patient=patients[(n + k) % 3],
                menu=menu,
            )
    DayOff.objects.create(clinic=cast.clinic, practitioner=staff[-1], day=monday)
    Closure.objects.create(clinic=cast.clinic, day=monday + dt.timedelta(days=2))
    return monday


# session, user with second factor, menus, practitioners, visits, the clinic's week and closures,
# the practitioners' shifts and days off
CALENDAR_QUERIES = 9


@pytest.mark.parametrize("practitioners, visits_each", [(1, 1), (6, 40)])
@pytest.mark.parametrize("view", ["week", "day"])
def test_the_calendar_makes_the_same_number_of_queries_however_busy(
    ours, login, menu, django_assert_num_queries, practitioners, visits_each, view
):
    monday = _busy_clinic(ours, practitioners, visits_each, menu)
    client = login(ours.frontdesk)
    client.get(URL)  # the first request of a session writes its idle clock (clinic/middleware.py)
    with django_assert_num_queries(CALENDAR_QUERIES):
        response = client.get(URL, {"date": monday.isoformat(), "view": view})
    grid = response.context["grid"]
    shown = sum(len(c.visits) for _day, cs in grid.by_day for c in cs)
    each = sum(1 for k in range(visits_each) if view == "week" or k % 7 == 0)
    assert shown == practitioners * each


def test_the_grid_stylesheet_places_every_row_of_a_whole_day():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "calendar-grid.css").read_text()
    assert ".cal-at-289{" in css and ".cal-at-290{" not in css
    assert ".cal-len-288{" in css and ".cal-len-289{" not in css


def test_the_calendar_is_in_the_navigation(ours, login):
    page = login(ours.frontdesk).get(reverse("patients:patient_list")).content.decode()
    assert f'href="{URL}"' in page


def test_a_visit_that_has_happened_is_not_moved_through_the_calendar(ours, login):
    done = visit(ours, day_ahead(-1), 10, status=AppointmentStatus.COMPLETED)
    response = login(ours.frontdesk).get(URL, {"move": done.pk})
    assert response.context["moving"] is None
    assert reverse("patients:appointment_move", args=[done.pk]) + "?" not in (
        response.content.decode()
    )
