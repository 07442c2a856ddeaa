"""The front desk registers a new patient, books a visit for later today and checks them in."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from patients.models import Appointment, AppointmentStatus, Patient
from tests.browser.helpers import ja, label, log_in, save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_front_desk_registers_books_and_checks_in_a_new_patient(
    open_page, clinic_staff, clinic_morning
):
    start = _next_slot(clinic_morning)
    page = open_page()
    log_in(page, clinic_staff.frontdesk.username)
    expect(page).to_have_url(re.compile(r"/desk/$"))

    page.get_by_role("link", name=ja("Register a patient")).click()
    page.get_by_label(label("family name")).fill("佐々木")
    page.get_by_label(label("given name")).fill("花子")
    page.get_by_label(label("family name (kana)")).fill("ささき")  # hiragana is accepted
    page.get_by_label(label("given name (kana)")).fill("ハナコ")
    page.get_by_label(label("date of birth")).fill("1985-06-15")
    page.get_by_label(label("sex")).select_option(label=ja("Female"))
    page.get_by_label(label("phone")).fill("090-1234-5678")
    page.get_by_label(label("email")).fill("hanako.sasaki@example.jp")
    page.get_by_label(label("Consent to treatment")).check()
    page.get_by_label(label("Consent to personal-data handling")).check()
    page.get_by_role("button", name=ja("Register"), exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("佐々木 花子")
    expect(page.get_by_role("heading", level=1)).to_contain_text("ササキ ハナコ")
    patient = Patient.objects.get(clinic=clinic_staff.clinic, family_name="佐々木")
    expect(page.get_by_role("alert")).to_contain_text(patient.number_display)
    assert set(patient.consents.values_list("kind", "given")) == {
        ("treatment", True),
        ("privacy", True),
    }

    page.get_by_role("link", name=ja("Book a visit")).click()
    expect(page.locator("#booking-patient")).to_contain_text("佐々木 花子")
    page.get_by_label(label("Practitioner")).select_option(label="鈴木 一郎")
    page.get_by_label(label("Start")).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label(label("Reason for visit")).fill("右膝の裏がつっぱる")
    page.get_by_role("button", name=ja("Book"), exact=True).click()

    visit_row = page.get_by_role("row").filter(has_text="佐々木 花子")
    expect(visit_row).to_contain_text(start.strftime("%H:%M"))
    expect(visit_row.locator(".badge")).to_have_text(ja("Booked"))
    visit_row.get_by_role("button", name=ja("Check in"), exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text(ja("Checked in"))
    page.get_by_role("link", name=ja("Today"), exact=True).click()
    waiting = page.get_by_role("row").filter(has_text="佐々木 花子")
    expect(waiting.locator(".badge")).to_have_text(ja("Checked in"))
    expect(waiting.get_by_role("button", name=ja("Undo check-in"))).to_be_visible()
    expect(waiting).to_contain_text("鈴木 一郎")

    visit = Appointment.objects.get(patient=patient)
    assert visit.status == AppointmentStatus.CHECKED_IN
    assert visit.status_changed_by == clinic_staff.frontdesk
    assert visit.practitioner == clinic_staff.practitioner and visit.start == start
    shot = save_screenshot(page, "front-desk-checked-in")
    assert shot.stat().st_size > 10_000


def _next_slot(now: dt.datetime) -> dt.datetime:
    """A 5-minute mark at least ten minutes ahead (the form refuses a start in the past)."""
    ahead = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=10)
    return ahead + dt.timedelta(minutes=-ahead.minute % 5)
