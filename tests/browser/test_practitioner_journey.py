"""The practitioner assesses a checked-in patient, meets a red flag, acknowledges it, signs, then
edits and publishes the care plan (with the referral explained).

Strong pain at night with the right knee complaining holds nerve-tension stretches on the right
leg only: the lying knee-back release (which straightens the knee with the hip bent) is proposed
for the left leg, its right leg listed as on hold; the towel stretch (knee kept bent) stays on
both legs."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import Assessment, CarePlan, PlanStatus, Referral
from patients.models import AppointmentStatus
from tests.browser.helpers import ja, ja_count, label, log_in, save_screenshot
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

RELEASE = "寝たまま膝裏ゆるめ"


@pytest.fixture
def waiting_patient(clinic_staff):
    patient = PatientFactory(
        clinic=clinic_staff.clinic,
        family_name="高橋",
        given_name="健一",
        family_name_kana="タカハシ",
        given_name_kana="ケンイチ",
    )
    now = timezone.localtime().replace(second=0, microsecond=0)
    AppointmentFactory(
        patient=patient,
        practitioner=clinic_staff.practitioner,
        start=now,
        end=now + dt.timedelta(minutes=30),
        status=AppointmentStatus.CHECKED_IN,
    )
    return patient


def test_the_practitioner_assesses_acknowledges_a_red_flag_signs_and_publishes_the_plan(
    open_page, clinic_staff, waiting_patient
):
    page = open_page()
    log_in(page, clinic_staff.practitioner.username)
    visit_row = page.get_by_role("row").filter(has_text="高橋 健一")
    visit_row.get_by_role("button", name=ja("Assess"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("高橋 健一")
    assessment = Assessment.objects.get(patient=waiting_patient)
    assert assessment.appointment.patient == waiting_patient

    _record_every_section(page)

    flags = page.locator("#red-flags")
    expect(flags).to_contain_text(ja("Pain at night"))
    expect(flags).to_contain_text(ja("Orthopaedics"))
    expect(flags).to_contain_text(ja("Within a few days"))
    measurements = page.get_by_role("heading", level=2, name=ja("Left-right measurements"))
    assert flags.bounding_box()["y"] < measurements.bounding_box()["y"]  # the flag comes first
    sign = page.get_by_role("button", name=ja("Sign and lock"))
    expect(sign).to_be_disabled()

    acknowledge = flags.get_by_role("button", name=ja("I have read this flag and will act on it"))
    acknowledge.click()
    expect(acknowledge).to_have_count(0)
    expect(flags).to_contain_text(clinic_staff.practitioner.display_name)  # who acknowledged
    expect(sign).to_be_enabled()
    page.once("dialog", lambda dialog: dialog.accept())  # "Sign and lock this assessment?"
    sign.click()
    expect(page.get_by_role("alert")).to_have_text(
        ja("Signed. Later corrections are recorded as amendments.")
    )

    page.get_by_role("button", name=ja("Propose a care plan from this assessment")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ja("Care plan, version %(version)s") % {"version": 1}
    )
    # Night pain on the right knee holds the nerve-tension stretch on the right leg only.
    release = page.locator('#plan-items tr[data-code="lying_knee_back_release"]')
    expect(release).to_have_attribute("data-side", "left")
    expect(release.get_by_label(ja("Side"), exact=True)).to_have_value("left")
    held_release = page.locator('#withheld li[data-code="lying_knee_back_release"]')
    expect(held_release).to_contain_text(RELEASE)
    expect(held_release).to_contain_text(ja("right leg on hold"))
    towel = page.locator('#plan-items tr[data-code="towel_hamstring_stretch"]')
    expect(towel).to_have_attribute("data-side", "both")

    breathing = page.get_by_role("row").filter(has_text="朝の姿勢リセット呼吸")
    breathing.get_by_label(ja("Minutes"), exact=True).fill("5")
    breathing.get_by_label(ja("Times a day"), exact=True).fill("2")
    page.get_by_role("button", name=ja("Save all changes")).click()
    expect(page.get_by_role("alert")).to_have_text(ja("Saved."))
    expect(breathing.get_by_label(ja("Times a day"), exact=True)).to_have_value("2")
    bag = page.get_by_role("row").filter(has_text=ja("Swap the bag side"))
    bag.get_by_role("button", name=ja("Remove"), exact=True).click()
    expect(bag.get_by_role("button", name=ja("Put back"))).to_be_visible()

    expect(page.locator("#plan-referrals")).to_contain_text(ja("Orthopaedics"))
    page.get_by_label(ja("I explained the referral to the patient.")).check()
    page.get_by_role("button", name=ja("Publish to the patient")).click()

    expect(page.get_by_role("alert")).to_have_text(
        ja("Published. The patient can now see this plan.")
    )
    expect(page.get_by_text(ja("Published"), exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=ja("Handout (PDF)"))).to_be_visible()
    items = page.locator("#plan-items")
    expect(items.get_by_role("row").filter(has_text="朝の姿勢リセット呼吸")).to_contain_text(
        ja_count("%(n)s time a day", "%(n)s times a day", 2)
    )
    expect(items).not_to_contain_text(ja("Swap the bag side"))
    expect(items.locator('tr[data-code="lying_knee_back_release"]')).to_have_attribute(
        "data-side", "left"
    )

    assessment.refresh_from_db()
    assert assessment.is_signed and assessment.signed_by == clinic_staff.practitioner
    assert assessment.flags.get(code="night_pain").acknowledged_by == clinic_staff.practitioner
    plan = CarePlan.objects.get(patient=waiting_patient)
    assert plan.status == PlanStatus.PUBLISHED
    snapshot = {item["code"]: item for item in plan.snapshot["items"]}
    breathing_dose = snapshot["morning_posture_breathing"]["dose"]
    assert (breathing_dose["duration_minutes"], breathing_dose["times_per_day"]) == (5, 2)
    assert "swap_bag_side" not in snapshot
    assert snapshot["lying_knee_back_release"]["side"] == "left"
    assert snapshot["towel_hamstring_stretch"]["side"] == "both"
    (held,) = [held for held in plan.withheld if held["code"] == "lying_knee_back_release"]
    assert (held["side"], held["partial"]) == ("right", True)
    referral = Referral.objects.get(assessment=assessment)
    assert referral.department == "orthopaedics"
    shot = save_screenshot(page, "practitioner-plan-published")
    assert shot.stat().st_size > 10_000


def _record_every_section(page):
    """Complaint to red-flag screen in order: each save opens the next section, the last one
    returns to the assessment."""
    page.locator("#section-complaint").get_by_role("link", name=ja("Edit")).click()
    page.get_by_label(label("Where it hurts")).select_option(label=ja("Back of the knee"))
    page.get_by_label(label("Side")).select_option(label=ja("Right"))
    page.get_by_label(ja("Pulling"), exact=True).check()
    page.get_by_label(label("Pain now (0-10)")).fill("5")
    _save_section(page, "Complaint")

    page.get_by_label(label("Rounded upper back (kyphosis)")).check()
    _save_section(page, "Posture")

    slr = ja("Hamstring flexibility (straight-leg raise)")
    page.get_by_label(f"{slr} ({ja('Left')})", exact=True).fill("75")
    page.get_by_label(f"{slr} ({ja('Right')})", exact=True).fill("55")
    _save_section(page, "Left-right measurements")

    _save_section(page, "Pelvis, hip, ankle and gait")  # nothing found
    _save_section(page, "Back of the knee")  # nothing found

    page.get_by_label(label("Carries the bag on")).select_option(label=ja("Right"))
    page.get_by_label(label("Work")).select_option(label=ja("Desk work"))
    _save_section(page, "Daily habits")

    page.get_by_label(label("Strong pain at night")).check()
    _save_section(page, "Red-flag screen")


def _save_section(page, section: str):
    expect(page.get_by_role("heading", level=1)).to_have_text(ja(section))
    page.get_by_role("button", name=ja("Save this section")).click()
    expect(page.get_by_role("alert")).to_have_text(
        ja("Saved: %(section)s") % {"section": ja(section)}
    )
