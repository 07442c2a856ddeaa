"""The clinical-safety rules as people meet them in the browser.

- A chronic one-sided knee-back pain with a routine referral: nothing is withheld, the stretches
  are on both legs with one more set on the right, and the patient reads that they can keep
  exercising while they wait for the doctor.
- A same-day suspected DVT of the left leg: lymph massage added by hand is refused on that leg
  whatever the reason typed, and the patient's page starts with the call-the-clinic box.
- Two practitioners amending the same signed section: the second one meets a conflict, keeps
  what they typed, and records their amendment on top only by saving again.

What is not under test (the signed assessment, the library) is prepared through the services.
"""

import datetime as dt

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from assessments import plans
from assessments.models import Amendment, Assessment, CarePlan, PlanStatus, Referral
from clinic.models import Role
from devtools.records import record
from tests.browser.helpers import PHONE, ja, label, log_in, save_screenshot
from tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TOWEL = "towel_hamstring_stretch"
LYING_RELEASE = "lying_knee_back_release"
LYMPH = "knee_back_lymph_massage"
PATIENT_CONTEXT = "patient"
CLINIC_PHONE = "03-1234-5678"


def _patient_with_portal(clinic, username, **names):
    account = UserFactory(clinic=clinic, role=Role.PATIENT, username=username)
    return PatientFactory(clinic=clinic, portal_user=account, **names)


def _signed(staff, patient, sections) -> Assessment:
    with translation.override("ja"):
        return record(
            patient=patient,
            practitioner=staff.practitioner,
            sections=sections,
            today=timezone.localdate(),
            sign_it=True,
        )


def _phone(open_page):
    return open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)


def _row(page, code):
    return page.locator(f'#plan-items tr[data-code="{code}"]')


def _publish_with_the_referral_explained(page):
    page.get_by_label(ja("I explained the referral to the patient.")).check()
    page.get_by_role("button", name=ja("Publish to the patient")).click()
    expect(page.get_by_role("alert")).to_have_text(
        ja("Published. The patient can now see this plan.")
    )


# a. Chronic, one-sided, routine referral ---------------------------------------------------


@pytest.fixture
def chronic_knee_back(clinic_staff):
    """Right knee-back pain for three weeks, the right hamstring tighter: signed."""
    patient = _patient_with_portal(
        clinic_staff.clinic,
        "ito-portal",
        family_name="伊藤",
        given_name="美咲",
        family_name_kana="イトウ",
        given_name_kana="ミサキ",
    )
    onset = timezone.localdate() - dt.timedelta(days=21)
    sections = {
        "complaint": {
            "region": "knee_back",
            "side": "right",
            "qualities": ["pulling"],
            "pain": 4,
            "onset": onset.isoformat(),
        },
        "measurements": {"slr": {"left": "75", "right": "55"}},
        "red_flags": {},
    }
    return _signed(clinic_staff, patient, sections)


def test_a_chronic_one_sided_patient_with_a_routine_referral_stretches_more_on_the_right(
    open_page, clinic_staff, chronic_knee_back
):
    patient = chronic_knee_back.patient
    page = open_page()
    log_in(page, clinic_staff.practitioner.username)
    page.goto(f"/assessments/{chronic_knee_back.pk}/")
    page.get_by_role("button", name=ja("Propose a care plan from this assessment")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ja("Care plan, version %(version)s") % {"version": 1}
    )

    referral_box = page.locator("#plan-referrals")
    expect(referral_box).to_contain_text(ja("Orthopaedics"))
    expect(referral_box).to_contain_text(ja("At a routine appointment"))
    expect(page.locator("#withheld")).to_have_count(0)  # persistent pain withholds nothing
    expect(page.locator("#cautions")).to_be_visible()
    for code in (TOWEL, LYING_RELEASE):
        row = _row(page, code)
        expect(row).to_have_attribute("data-side", "both")
        expect(row.get_by_label(ja("Side"), exact=True)).to_have_value("both")
        expect(row.get_by_label(ja("One more set on"), exact=True)).to_have_value("right")
    _publish_with_the_referral_explained(page)
    expect(_row(page, TOWEL)).to_contain_text(ja("one more set on the right"))

    plan = CarePlan.objects.get(patient=patient)
    assert plan.status == PlanStatus.PUBLISHED and plan.withheld == []
    assert plan.referral_explained_by == clinic_staff.practitioner
    given = {item["code"]: item for item in plan.snapshot["items"]}
    for code in (TOWEL, LYING_RELEASE):
        assert (given[code]["side"], given[code]["extra_sets_side"]) == ("both", "right")
        assert given[code]["held_leg"] is None
    assert plan.snapshot["care_on_hold"] is False and plan.snapshot["withheld"] == []
    assert [caution["hazard"] for caution in plan.snapshot["cautions"]] == ["persistent_pain"]
    assert given["warm_compress"]["side"] == "right"
    referral = Referral.objects.get(patient=patient)
    assert (referral.department, referral.urgency) == ("orthopaedics", "routine")
    save_screenshot(page, "safety-chronic-plan-published")

    phone = _phone(open_page)
    log_in(phone, patient.portal_user.username)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("伊藤 美咲")
    see_a_doctor = phone.locator("#see-a-doctor")
    expect(see_a_doctor).to_contain_text(ja("Please see a doctor", PATIENT_CONTEXT))
    expect(see_a_doctor).to_contain_text(ja("Orthopaedics"))
    expect(see_a_doctor).to_contain_text(ja("At a routine appointment"))
    # The box says the exercises go on, and the precaution says what would mean "go today".
    expect(see_a_doctor).to_contain_text(
        ja("You can keep doing your home exercises meanwhile.", PATIENT_CONTEXT)
    )
    expect(see_a_doctor).to_contain_text(
        ja(
            "See a doctor the same day if the pain suddenly gets much worse, the leg swells or "
            "feels hot, or numbness or weakness appears.",
            PATIENT_CONTEXT,
        )
    )
    expect(see_a_doctor.locator('a[href^="tel:"]')).to_have_count(0)  # not a same-day referral
    visits = phone.get_by_role("heading", name=ja("Your next visits"))
    assert see_a_doctor.bounding_box()["y"] < visits.bounding_box()["y"]  # the referral first
    for code in (TOWEL, LYING_RELEASE):
        card = phone.locator(f'.portal-exercise[data-code="{code}"]')
        expect(card).to_be_visible()
        expect(card).to_have_attribute("data-side", "both")
    warm = phone.locator('li[data-code="warm_compress"]')  # on the complaining leg
    expect(warm).to_contain_text(ja("right leg only"))
    expect(phone.locator(".held-leg")).to_have_count(0)
    expect(phone.locator("#on-hold")).to_have_count(0)
    stop_that_leg = ja(
        "Until a doctor has seen you, do not do the exercises or massage on that leg. If the "
        "swelling, heat or pain gets worse, contact a medical institution at once."
    )
    expect(phone.locator("body")).not_to_contain_text(stop_that_leg)
    shot = save_screenshot(phone, "safety-chronic-portal")
    assert shot.stat().st_size > 10_000


# b. Same-day suspected DVT -----------------------------------------------------------------


@pytest.fixture
def swollen_left_calf(clinic_staff):
    """A sudden, warm swelling of the left calf (3.5 cm larger): signed, its draft proposed."""
    clinic_staff.clinic.phone = CLINIC_PHONE  # the same-day box offers a call to the clinic
    clinic_staff.clinic.save()
    patient = _patient_with_portal(
        clinic_staff.clinic,
        "kobayashi-portal",
        family_name="小林",
        given_name="正樹",
        family_name_kana="コバヤシ",
        given_name_kana="マサキ",
    )
    sections = {
        "complaint": {"region": "calf", "side": "left", "pain": 6},
        "measurements": {"calf_circumference": {"left": "41", "right": "37.5"}},
        "red_flags": {"leg_swelling": "left", "swelling_sudden": True, "leg_warm": True},
    }
    signed = _signed(clinic_staff, patient, sections)
    with translation.override("ja"):
        return plans.create_draft(
            assessment=signed, by=clinic_staff.practitioner, today=timezone.localdate()
        )


def test_a_same_day_dvt_patient_is_refused_lymph_massage_on_the_swollen_leg(
    open_page, clinic_staff, swollen_left_calf
):
    plan, patient = swollen_left_calf, swollen_left_calf.patient
    page = open_page()
    log_in(page, clinic_staff.practitioner.username)
    page.goto(f"/plans/{plan.pk}/")
    expect(page.locator("#plan-referrals")).to_contain_text(ja("Same day"))
    proposed = _row(page, LYMPH)
    if proposed.count():  # proposed at all, then only for the right leg
        expect(proposed).to_have_attribute("data-side", "right")
        proposed.get_by_role("button", name=ja("Remove"), exact=True).click()
        expect(proposed.get_by_role("button", name=ja("Put back"))).to_be_visible()
    assert not plan.items.filter(code=LYMPH, removed=False).exists()

    add = page.locator("#add-item")
    right_leg_only = ja("It can be given on the %(leg)s only.") % {"leg": ja("right leg")}
    for side, value in (("Both legs", "both"), ("Left leg only", "left")):
        add.get_by_label(label("Item")).select_option(f"exercise:{LYMPH}")
        add.get_by_label(label("Side")).select_option(label=ja(side))
        add.get_by_label(label("Reason to give it despite a relative hazard")).fill("患者の希望")
        add.get_by_role("button", name=ja("Add"), exact=True).click()

        expect(page.get_by_role("alert")).to_have_text(
            ja("Not added: see the marked field. Nothing else was saved.")
        )
        refusal = add.locator("#div_id_item_side")
        expect(refusal).to_contain_text(ja("Suspected deep-vein thrombosis"))
        expect(refusal).to_contain_text(ja("An absolute hazard is never overridden."))
        expect(refusal).to_contain_text(right_leg_only)  # the leg it could still go on
        expect(add.get_by_label(label("Side"))).to_have_value(value)
        expect(
            add.get_by_label(label("Reason to give it despite a relative hazard"))
        ).to_have_value("患者の希望")  # the typing is kept
        put_back = page.get_by_role("button", name=ja("Put back"))
        expect(_row(page, LYMPH).filter(has_not=put_back)).to_have_count(0)
        assert not plan.items.filter(code=LYMPH, removed=False).exists()
    save_screenshot(page, "safety-dvt-lymph-massage-refused")

    _publish_with_the_referral_explained(page)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    snapshot = plan.snapshot
    assert snapshot["same_day"] is True and snapshot["care_on_hold"] is True
    assert snapshot["clinic"]["phone"] == CLINIC_PHONE
    on_the_left = {item["code"] for item in snapshot["items"] if item["side"] in ("left", "both")}
    assert LYMPH not in on_the_left and not on_the_left  # nothing at all on the swollen leg
    assert LYMPH not in {item["code"] for item in snapshot["items"] if not item["side"]}
    held_codes = [held["code"] for held in snapshot["withheld"]]
    assert held_codes

    phone = _phone(open_page)
    log_in(phone, patient.portal_user.username)
    see_a_doctor = phone.locator("#see-a-doctor")
    expect(see_a_doctor).to_contain_text(ja("Please see a doctor today", PATIENT_CONTEXT))
    call = see_a_doctor.locator('a[href^="tel:"]')
    expect(call).to_have_attribute("href", "tel:0312345678")
    expect(call).to_contain_text(CLINIC_PHONE)
    visits = phone.get_by_role("heading", name=ja("Your next visits"))
    assert see_a_doctor.bounding_box()["y"] < visits.bounding_box()["y"]
    on_hold = phone.get_by_role("heading", name=ja("On hold for now"))
    expect(on_hold).to_have_text("今は見合わせているケア")
    held_list = phone.locator("#on-hold + ul")
    for code in held_codes:
        expect(held_list.locator(f'li[data-code="{code}"]')).to_be_visible()
    expect(phone.locator(f'.portal-exercise[data-code="{LYMPH}"]')).to_have_count(0)
    shot = save_screenshot(phone, "safety-dvt-portal")
    assert shot.stat().st_size > 10_000


# c. Two practitioners amend the same signed section ---------------------------------------


@pytest.fixture
def signed_knee_back(clinic_staff):
    patient = PatientFactory(clinic=clinic_staff.clinic, family_name="中村", given_name="陽太")
    sections = {
        "complaint": {"region": "knee_back", "side": "right", "qualities": ["pulling"], "pain": 5},
        "red_flags": {},
    }
    return _signed(clinic_staff, patient, sections)


def _open_the_complaint_amendment(page, assessment, pain, reason):
    page.goto(f"/assessments/{assessment.pk}/amend/complaint/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(ja("Amendment to a signed record"))
    page.get_by_label(label("Pain now (0-10)")).fill(pain)
    page.get_by_label(label("Why is this signed record being corrected?")).fill(reason)


def test_the_second_of_two_practitioners_amending_one_section_sees_the_conflict(
    open_page, clinic_staff, signed_knee_back
):
    colleague = UserFactory(
        clinic=clinic_staff.clinic,
        role=Role.PRACTITIONER,
        username="sato",
        display_name="佐藤 花子",
    )
    first, second = open_page(), open_page()
    log_in(first, clinic_staff.practitioner.username)
    log_in(second, colleague.username)
    first_reason, second_reason = "再評価で痛みが強かった", "本人に聞き直したところ4だった"
    _open_the_complaint_amendment(first, signed_knee_back, "7", first_reason)
    _open_the_complaint_amendment(second, signed_knee_back, "4", second_reason)

    first.get_by_role("button", name=ja("Record the amendment")).click()
    expect(first.get_by_role("alert")).to_have_text(ja("Amendment recorded."))
    (amendment,) = Amendment.objects.filter(assessment=signed_knee_back)
    assert (amendment.made_by, amendment.after["pain"], amendment.reason) == (
        clinic_staff.practitioner,
        7,
        first_reason,
    )

    record_it = second.get_by_role("button", name=ja("Record the amendment"))
    record_it.click()
    conflict = second.locator("#conflict")
    expect(conflict).to_contain_text(clinic_staff.practitioner.display_name)
    expect(second.get_by_label(label("Pain now (0-10)"))).to_have_value("4")
    expect(second.get_by_label(label("Why is this signed record being corrected?"))).to_have_value(
        second_reason
    )
    assert Amendment.objects.filter(assessment=signed_knee_back).count() == 1
    signed_knee_back.refresh_from_db()
    assert signed_knee_back.section("complaint")["pain"] == 7
    save_screenshot(second, "safety-amendment-conflict")

    record_it.click()  # compared, and saved on top of the first amendment
    expect(second.get_by_role("alert")).to_have_text(ja("Amendment recorded."))
    earlier, later = Amendment.objects.filter(assessment=signed_knee_back).order_by("id")
    assert earlier == amendment
    assert (later.made_by, later.before["pain"], later.after["pain"], later.reason) == (
        colleague,
        7,
        4,
        second_reason,
    )
    signed_knee_back.refresh_from_db()
    assert signed_knee_back.section("complaint")["pain"] == 4
    shot = save_screenshot(second, "safety-amendment-recorded-on-top")
    assert shot.stat().st_size > 10_000
