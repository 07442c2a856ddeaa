"""The visit record (施術記録) on a tablet: the practitioner checks a patient in, writes and signs
the record with two of the care plan's in-clinic items ticked, and sees it on the patient's
timeline; a "new swelling" answer in the re-check raises the red-flag path instead.

The record's own wording is new (not yet in the Japanese catalogue): its elements are found by
their ids, names and links; the wording the catalogue has is found through `ja()`."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import AssessmentStatus, VisitRecord
from patients.models import AppointmentStatus
from tests.assessments.visits import clinic_items, planned_patient
from tests.browser.helpers import ja, log_in, save_screenshot
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db(transaction=True)
TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def booked_patient(clinic_staff):
    patient, plan = planned_patient(
        clinic_staff.clinic,
        clinic_staff.practitioner,
        family_name="高橋",
        given_name="健一",
        family_name_kana="タカハシ",
        given_name_kana="ケンイチ",
    )
    now = timezone.localtime().replace(second=0, microsecond=0)
    visit = AppointmentFactory(
        patient=patient,
        practitioner=clinic_staff.practitioner,
        start=now,
        end=now + dt.timedelta(minutes=45),
        status=AppointmentStatus.BOOKED,
    )
    return patient, plan, visit


def _open_the_record(page, visit):
    row = page.get_by_role("row").filter(has_text="高橋 健一")
    row.get_by_role("button", name=ja("Check in"), exact=True).click()
    link = page.locator(f'a[href="{reverse("assessments:record_visit", args=[visit.pk])}"]')
    link.click()
    expect(page.locator("#visit-record-form")).to_be_visible()


def _tap(page, input_id):
    """Tap the button-like label of a radio or the box of a checkbox, as a finger does."""
    page.locator(f'label[for="{input_id}"]').click()


def _answer_recheck(page, swelling="no"):
    _tap(page, f"id_new_swelling_or_heat_{0 if swelling == 'yes' else 1}")
    _tap(page, "id_new_numbness_1")
    _tap(page, "id_much_worse_pain_1")


def test_the_practitioner_checks_in_writes_and_signs_the_record_and_sees_it_on_the_timeline(
    open_page, clinic_staff, booked_patient
):
    patient, plan, visit = booked_patient
    items = {item.code: item for item in clinic_items(plan)}
    page = open_page(viewport=TABLET, reduced_motion="reduce")  # no fading in the screenshot
    log_in(page, clinic_staff.practitioner.username)
    _open_the_record(page, visit)

    _answer_recheck(page)
    _tap(page, "id_pain_before_6")
    _tap(page, "id_pain_after_4")  # the first choice is "not asked": id _4 is pain 3
    hamstring, pelvis = items["hamstring_release"], items["pelvic_alignment"]
    page.locator(f"#id_item-{hamstring.pk}-done").check()
    _tap(page, f"id_item-{hamstring.pk}-side_1")  # right
    page.locator(f"#id_item-{hamstring.pk}-note").fill("右の張りが強い")
    page.locator(f"#id_item-{pelvis.pk}-done").check()
    _tap(page, "id_response_0")
    _tap(page, "id_home_care_1")
    save_screenshot(page, "visit-record-form-tablet")
    page.locator('button[name="sign"]').click()

    expect(page).to_have_url(
        re.compile(
            re.escape(reverse("assessments:patient_detail", args=[patient.pk])) + "#timeline$"
        )
    )
    timeline = page.locator("#timeline-list")
    expect(timeline).to_be_visible()
    entry = timeline.locator(".timeline-visit_record").first
    expect(entry).to_contain_text(hamstring.label_text)
    expect(entry).to_contain_text(pelvis.label_text)
    expect(entry).to_contain_text("右の張りが強い")
    expect(entry).to_contain_text("6 → 3")
    save_screenshot(page, "visit-record-timeline")

    record = VisitRecord.objects.get(appointment=visit)
    assert record.is_signed and record.signed_by == clinic_staff.practitioner
    assert {row.plan_item.code: row.side for row in record.items.all()} == {
        "hamstring_release": "right",
        "pelvic_alignment": "",
    }
    assert (record.pain_before, record.pain_after) == (6, 3)
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CHECKED_IN


def test_a_new_swelling_answer_raises_the_red_flag_path(open_page, clinic_staff, booked_patient):
    patient, _plan, visit = booked_patient
    page = open_page(viewport=TABLET)
    log_in(page, clinic_staff.practitioner.username)
    _open_the_record(page, visit)

    _tap(page, "id_pain_before_5")
    _answer_recheck(page, swelling="yes")
    _tap(page, "id_response_1")
    _tap(page, "id_home_care_0")
    page.locator('button[name="sign"]').click()

    # Sent to the assessment's red-flag screen, not to a signed routine record.
    expect(page.get_by_role("heading", level=1)).to_contain_text(ja("Red-flag screen"))
    expect(page.get_by_role("alert").first).to_be_visible()
    record = VisitRecord.objects.get(appointment=visit)
    assert not record.is_signed and record.new_swelling_or_heat is True
    opened = record.red_flag_assessment
    assert opened.status == AssessmentStatus.DRAFT and opened.appointment_id == visit.pk

    page.goto(reverse("assessments:practitioner_home"))
    alerts = page.locator("#visit-red-flags")
    expect(alerts).to_contain_text("高橋 健一")
    save_screenshot(page, "visit-record-red-flag-home")
    alerts.locator(
        f'a[href="{reverse("assessments:section", args=[opened.pk, "red_flags"])}"]'
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ja("Red-flag screen"))

    page.goto(reverse("assessments:visit_record", args=[record.pk]))
    expect(page.locator("#sign-blocked")).to_be_visible()
    expect(page.get_by_role("button", name=ja("Sign and lock"))).to_be_disabled()
    assert not VisitRecord.objects.get(pk=record.pk).is_signed
