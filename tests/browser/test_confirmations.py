"""Under the Content-Security-Policy (no inline handlers), the buttons that cannot be undone still
ask first: the question appears, Cancel sends nothing, OK does it. And no page the journey opens
makes the browser refuse anything under the policy (issue 11, item 9)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import AppointmentStatus, CancelReason
from tests.browser.helpers import ja, log_in
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def watch(page):
    """What the page sent (POSTs) and what the browser refused under the policy."""
    seen = {"posts": [], "refused": []}
    page.on("request", lambda r: r.method == "POST" and seen["posts"].append(r.url))
    page.on(
        "console",
        lambda m: "Content Security Policy" in m.text and seen["refused"].append(m.text),
    )
    return seen


def answer(page, *, accept):
    asked = []

    def on_dialog(dialog):
        asked.append((dialog.type, dialog.message))
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", on_dialog)
    return asked


def test_archiving_asks_first_and_cancel_sends_nothing(open_page, clinic_staff):
    patient = PatientFactory(clinic=clinic_staff.clinic, family_name="確認", given_name="花子")
    page = open_page()
    seen = watch(page)
    log_in(page, clinic_staff.frontdesk.username)
    page.goto(f"/patients/{patient.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("確認 花子")
    archive = page.get_by_role("button", name=ja("Archive"), exact=True)
    posts_before = len(seen["posts"])

    asked = answer(page, accept=False)
    archive.click()
    page.wait_for_timeout(300)  # a submission would have started by now
    assert asked == [("confirm", ja("Archive this patient? The records are kept."))]
    assert seen["posts"][posts_before:] == []
    expect(page).to_have_url(re.compile(rf"/patients/{patient.pk}/$"))
    patient.refresh_from_db()
    assert not patient.is_archived

    asked = answer(page, accept=True)
    with page.expect_navigation():
        archive.click()
    assert len(asked) == 1
    patient.refresh_from_db()
    assert patient.is_archived
    assert seen["refused"] == []


def test_cancelling_a_visit_asks_why_first_and_keeping_it_changes_nothing(open_page, clinic_staff):
    visit = AppointmentFactory(
        patient=PatientFactory(clinic=clinic_staff.clinic, family_name="予約", given_name="一郎"),
        practitioner=clinic_staff.practitioner,
    )
    local_day = timezone.localtime(visit.start).date().isoformat()
    page = open_page()
    seen = watch(page)
    log_in(page, clinic_staff.frontdesk.username)
    page.goto(f"/appointments/?date={local_day}")
    row = page.get_by_role("row").filter(has_text="予約 一郎")
    posts_before = len(seen["posts"])

    row.get_by_role("link", name=ja("Cancel visit"), exact=True).click()
    expect(page.locator("#visit-summary")).to_contain_text("予約 一郎")
    assert seen["posts"][posts_before:] == []
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED

    page.locator("#cancel-submit").click()  # no reason chosen: asked again, nothing saved
    expect(page.locator("#cancel-form .invalid-feedback")).to_be_visible()
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.BOOKED

    page.locator('input[name="reason"][value="patient"]').check()
    with page.expect_navigation():
        page.locator("#cancel-submit").click()
    expect(page).to_have_url(re.compile(rf"/appointments/\?date={local_day}"))
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED
    assert visit.cancel_reason == CancelReason.PATIENT
    assert seen["refused"] == []
