"""The desk at the week calendar (issue 14): books a 45-minute menu from a free slot by typing
the patient's kana, moves the visit to another slot, cancels another visit with a reason; and a
visit dragged onto a free slot opens its move there."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import Appointment, AppointmentStatus, CancelReason
from tests.browser.helpers import log_in, save_screenshot
from tests.factories import AppointmentFactory, MenuFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _slot(page, practitioner, day, hour, minute=0):
    column = page.locator(
        f'.cal-col[data-day="{day:%Y-%m-%d}"][data-practitioner="{practitioner.pk}"]'
    )
    return column.locator(f'a.cal-slot[href*="start={day:%Y-%m-%d}T{hour:02d}%3A{minute:02d}"]')


@pytest.fixture
def desk_week(clinic_staff):
    cast = clinic_staff
    cast.menu = MenuFactory(clinic=cast.clinic, name="整体 45分", minutes=45)
    MenuFactory(clinic=cast.clinic, name="短時間ケア 30分", minutes=30)
    cast.sasaki = PatientFactory(
        clinic=cast.clinic,
        family_name="佐々木",
        given_name="花子",
        family_name_kana="ササキ",
        given_name_kana="ハナコ",
    )
    cast.day = timezone.localdate() + dt.timedelta(days=1)
    other = PatientFactory(clinic=cast.clinic, family_name="高橋", given_name="健")
    cast.other_visit = AppointmentFactory(
        patient=other,
        practitioner=cast.practitioner,
        start=_at(cast.day, 16),
        end=_at(cast.day, 16, 45),
        menu=cast.menu,
    )
    return cast


def test_the_desk_books_by_kana_from_the_calendar_moves_the_visit_and_cancels_another(
    open_page, desk_week
):
    cast, day = desk_week, desk_week.day
    page = open_page()
    log_in(page, cast.frontdesk.username)
    expect(page).to_have_url(re.compile(r"/desk/$"))
    page.goto(f"/calendar/?date={day:%Y-%m-%d}")
    expect(page.locator("#calendar")).to_contain_text("高橋 健")
    save_screenshot(page, "calendar-week")

    _slot(page, cast.practitioner, day, 10).click()
    expect(page).to_have_url(re.compile(r"/appointments/new/\?"))
    page.locator("#id_patient_query").fill("ささき")  # hiragana finds the katakana name
    match = page.locator(".patient-match").filter(has_text="佐々木 花子")
    expect(match).to_contain_text("ササキ ハナコ")
    match.click()
    expect(page.locator("#id_menu option:checked")).to_contain_text("整体 45分")
    save_screenshot(page, "calendar-booking-kana")
    page.locator("#booking-submit").click()

    expect(page).to_have_url(re.compile(r"/calendar/\?"))
    booked = page.locator(".cal-visit").filter(has_text="佐々木 花子")
    expect(booked).to_contain_text("10:00–10:45")
    visit = Appointment.objects.get(patient=cast.sasaki)
    assert (visit.start, visit.end) == (_at(day, 10), _at(day, 10, 45))
    assert visit.menu == cast.menu and visit.created_by == cast.frontdesk

    booked.click()
    page.locator("#visit-pick-slot").click()
    expect(page.locator("#calendar-moving")).to_contain_text("佐々木 花子")
    _slot(page, cast.practitioner, day, 14, 15).click()
    expect(page.locator("#id_start")).to_have_value(f"{day:%Y-%m-%d}T14:15")
    save_screenshot(page, "calendar-move")
    page.locator("#move-submit").click()
    expect(page.locator(".cal-visit").filter(has_text="佐々木 花子")).to_contain_text("14:15–15:00")
    visit.refresh_from_db()
    assert (visit.start, visit.end) == (_at(day, 14, 15), _at(day, 15))

    page.locator(".cal-visit").filter(has_text="高橋 健").click()
    page.locator("#visit-cancel").click()
    page.locator('input[name="reason"][value="clinic"]').check()
    page.get_by_role("textbox").last.fill("施術者の急病")
    page.locator("#cancel-submit").click()
    expect(page).to_have_url(re.compile(r"/calendar/\?"))
    expect(page.locator(".cal-visit").filter(has_text="高橋 健")).to_have_count(0)
    cast.other_visit.refresh_from_db()
    assert cast.other_visit.status == AppointmentStatus.CANCELLED
    assert cast.other_visit.cancel_reason == CancelReason.CLINIC
    assert cast.other_visit.cancel_note == "施術者の急病"
    assert cast.other_visit.status_changed_by == cast.frontdesk


def test_a_visit_dragged_onto_a_free_slot_opens_its_move_there(open_page, desk_week):
    cast, day = desk_week, desk_week.day
    page = open_page()
    log_in(page, cast.frontdesk.username)
    page.goto(f"/calendar/?date={day:%Y-%m-%d}&view=day")
    visit = page.locator(".cal-visit").filter(has_text="高橋 健")
    visit.drag_to(_slot(page, cast.practitioner, day, 11, 30))
    expect(page).to_have_url(re.compile(rf"/appointments/{cast.other_visit.pk}/move/\?"))
    expect(page.locator("#id_start")).to_have_value(f"{day:%Y-%m-%d}T11:30")
    page.locator("#move-submit").click()
    expect(page).to_have_url(re.compile(r"/calendar/\?"))
    cast.other_visit.refresh_from_db()
    assert cast.other_visit.start == _at(day, 11, 30)
