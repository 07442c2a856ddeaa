"""The care plan as the practitioner makes it: proposed, edited, published, handed out."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import plans
from assessments.library import install_shipped
from assessments.models import CarePlan, Exercise, Referral
from assessments.services import record
from tests.factories import PatientFactory

KNEE_BACK = {
    "complaint": {"region": "knee_back", "side": "right", "qualities": ["pulling"], "pain": 5},
    "measurements": {
        "slr": {"left": "75", "right": "55"},
        "knee_to_wall": {"left": "10", "right": "6.5"},
    },
    "habits": {"work_style": "desk", "leg_on_top": "right", "bag_side": "right"},
    "red_flags": {},
}
SWOLLEN_CALF = {
    "complaint": {"region": "calf", "side": "left", "pain": 6},
    "measurements": {"calf_circumference": {"left": "41", "right": "37.5"}},
    "red_flags": {"leg_swelling": "left", "leg_warm": True, "swelling_sudden": True},
}


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def signed_assessment(cast, sections, patient=None):
    today = timezone.localdate()
    patient = patient or PatientFactory(clinic=cast.clinic)
    install_shipped(cast.clinic)
    return record(
        patient=patient,
        practitioner=cast.practitioner,
        sections=sections,
        today=today,
        sign_it=True,
    )


@pytest.fixture
def doc(ours, login):
    return login(ours.practitioner)


def propose(client, assessment) -> CarePlan:
    response = client.post(reverse("assessments:propose_plan", args=[assessment.pk]))
    assert response.status_code == 302
    return CarePlan.objects.filter(assessment=assessment).latest("version")


def publish(client, plan, **data):
    return client.post(reverse("assessments:plan_publish", args=[plan.pk]), data)


def test_the_worked_example_gets_a_sensible_explained_proposal(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    items = {item.code: item for item in plan.items.all()}
    assert {
        "hamstring_release",
        "ankle_mobilisation",
        "towel_hamstring_stretch",
        "uncross_legs",
        "swap_bag_side",
    } <= set(items)
    towel = items["towel_hamstring_stretch"]
    assert towel.extra_sets_side == "right" and towel.exercise.code == towel.code
    assert "55" in towel.reason and "75" in towel.reason
    assert not plan.referrals and not plan.withheld


def test_the_red_flag_patient_gets_no_massage_on_the_swollen_leg(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    codes = set(plan.items.values_list("code", flat=True))
    assert not codes & {"knee_back_lymph_massage", "desk_break_knee_back_rub", "calf_release"}
    assert {"department": "internal_vascular", "urgency": "same_day"}.items() <= (
        plan.referrals[0].items()
    )
    assert plan.visit_interval_days is None


def test_a_contraindicated_exercise_needs_an_override_reason(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    massage = Exercise.objects.get(clinic=ours.clinic, code="knee_back_lymph_massage")
    url = reverse("assessments:plan_add", args=[plan.pk])
    doc.post(url, {"exercise": massage.pk})
    assert not plan.items.filter(code=massage.code).exists()
    doc.post(url, {"exercise": massage.pk, "override_reason": "医師の許可を電話で確認済み"})
    added = plan.items.get(code=massage.code)
    assert added.override_reason and "suspected_dvt" in added.overridden


def test_a_safe_exercise_is_added_without_a_reason(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    breathing = Exercise.objects.get(clinic=ours.clinic, code="morning_posture_breathing")
    doc.post(reverse("assessments:plan_add", args=[plan.pk]), {"exercise": breathing.pk})
    assert plan.items.get(code=breathing.code).added_by_hand


def test_the_practitioner_edits_dose_order_and_removes_an_item(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    towel = plan.items.get(code="towel_hamstring_stretch")
    url = reverse("assessments:plan_item", args=[plan.pk, towel.pk])
    doc.post(
        url,
        {
            f"item{towel.pk}-hold_seconds": "25",
            f"item{towel.pk}-sets": "3",
            f"item{towel.pk}-times_per_day": "2",
            f"item{towel.pk}-side": "both",
            f"item{towel.pk}-extra_sets_side": "right",
        },
    )
    towel.refresh_from_db()
    assert (towel.hold_seconds, towel.sets, towel.times_per_day) == (25, 3, 2)
    doc.post(url, {f"item{towel.pk}-sets": "99"})
    towel.refresh_from_db()
    assert towel.sets == 3  # refused, nothing saved
    before = towel.position
    doc.post(url, {"action": "up"})
    towel.refresh_from_db()
    assert towel.position <= before
    doc.post(url, {"action": "remove"})
    towel.refresh_from_db()
    assert towel.removed


def test_a_plan_with_a_referral_is_published_only_once_it_was_explained(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    publish(doc, plan)
    plan.refresh_from_db()
    assert plan.status == "draft"
    publish(doc, plan, referral_explained="on")
    plan.refresh_from_db()
    assert plan.status == "published" and plan.referral_explained_by == ours.practitioner
    referral = Referral.objects.get(assessment=plan.assessment)
    assert (referral.department, referral.status) == ("internal_vascular", "open")


def test_publishing_supersedes_the_previous_plan_and_keeps_both(ours, doc):
    assessment = signed_assessment(ours, KNEE_BACK)
    first = propose(doc, assessment)
    publish(doc, first)
    second = propose(doc, assessment)
    publish(doc, second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert (first.status, second.status) == ("superseded", "published")
    assert first.snapshot["items"]  # the earlier version still says what it said


def test_a_published_plan_cannot_be_edited(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    publish(doc, plan)
    item = plan.items.first()
    doc.post(reverse("assessments:plan_item", args=[plan.pk, item.pk]), {"action": "remove"})
    item.refresh_from_db()
    assert not item.removed


def test_the_snapshot_does_not_change_when_the_library_does(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    publish(doc, plan)
    plan.refresh_from_db()
    towel = Exercise.objects.get(clinic=ours.clinic, code="towel_hamstring_stretch")
    towel.name_ja, towel.steps = "別の名前", "変更後の手順"
    towel.save()
    plan.refresh_from_db()
    [snap] = [i for i in plan.snapshot["items"] if i["code"] == towel.code]
    assert snap["name"] != "別の名前" and "変更後の手順" not in snap["steps"]
    assert "別の名前" not in pdf_text(
        doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content
    )


def test_the_handout_pdf_reads_back_in_japanese(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    doc.post(
        reverse("assessments:plan_details", args=[plan.pk]),
        {
            "goals": "階段を痛みなく上る",
            "patient_note": "毎日少しずつ続けましょう",
            "visit_interval_days": "7",
        },
    )
    publish(doc, plan)
    response = doc.get(reverse("assessments:plan_handout", args=[plan.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert plan.patient.full_name in text and ours.clinic.name in text
    assert "タオル" in text and "階段を痛みなく上る" in text
    assert "右" in text  # the extra set on the right
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font.get("/BaseFont"))
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        for font in [font.get_object()]
    }
    assert any("IPAex" in name for name in fonts), fonts


def test_the_red_flag_handout_says_see_a_doctor_first_and_why_items_wait(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    publish(doc, plan, referral_explained="on")
    text = pdf_text(doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content)
    assert "医師" in text and "内科・血管外科" in text
    assert plan.withheld and plan.withheld[0]["label"][:4] in text


def test_the_handout_is_rendered_once_and_cached(ours, doc, django_assert_num_queries):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    publish(doc, plan)
    first = doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content
    plan.refresh_from_db()
    assert bytes(plan.handout_pdf) == first
    again = doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content
    assert again == first


def test_text_typed_as_markup_is_printed_as_text_and_fetches_nothing(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    payload = '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
    doc.post(
        reverse("assessments:plan_details", args=[plan.pk]),
        {"goals": payload, "patient_note": "@import url(http://169.254.169.254/x.css);"},
    )
    publish(doc, plan)
    content = doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content
    text = pdf_text(content)
    assert "file:///etc/passwd" in text  # shown as the text it is
    assert "root:" not in text
    assert not PdfReader(io.BytesIO(content)).attachments


def test_a_draft_has_no_handout(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    assert doc.get(reverse("assessments:plan_handout", args=[plan.pk])).status_code == 404


def test_an_unsigned_assessment_proposes_no_plan(ours, doc):
    response = doc.post(reverse("assessments:propose_plan", args=[ours.assessment.pk]))
    assert response.status_code == 302
    assert not CarePlan.objects.filter(assessment=ours.assessment).exists()


def test_the_referral_letter_names_the_department_findings_and_wells(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    publish(doc, plan, referral_explained="on")
    referral = Referral.objects.get(assessment=plan.assessment)
    text = pdf_text(doc.get(reverse("assessments:referral_letter", args=[referral.pk])).content)
    assert "内科・血管外科" in text and plan.patient.full_name in text
    assert f"{referral.number:05d}" in text
    assert "深部静脈血栓症の疑い" in text and "ウェルズ" in text
    assert ours.clinic.name in text


def test_a_referral_follows_its_life_and_clearance_lifts_withheld_items(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    publish(doc, plan, referral_explained="on")
    referral = Referral.objects.get(assessment=plan.assessment)
    url = reverse("assessments:referral", args=[referral.pk])
    doc.post(reverse("assessments:referral_lift", args=[referral.pk]), {"lift": "suspected_dvt"})
    assert CarePlan.objects.filter(patient=plan.patient).count() == 1  # not cleared yet
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    refused = doc.post(url, {"seen_on": tomorrow, "cleared": "yes"})
    assert refused.context["form"].errors["seen_on"]
    today = timezone.localdate().isoformat()
    doc.post(
        url,
        {
            "seen_on": today,
            "doctor_findings": "エコーで血栓なし",
            "cleared": "yes",
            "outcome_on": today,
        },
    )
    referral.refresh_from_db()
    assert referral.cleared and referral.status == "closed"
    lifted = [code for code in plans.in_force_for_assessment(plan.assessment, timezone.localdate())]
    doc.post(reverse("assessments:referral_lift", args=[referral.pk]), {"lift": lifted})
    new = CarePlan.objects.filter(patient=plan.patient).latest("version")
    assert new.version == 2 and set(new.lifted) == set(lifted)
    assert not new.withheld
    assert {w["code"] for w in plan.withheld} <= set(new.items.values_list("code", flat=True))


def test_the_handout_embeds_each_exercise_drawing(ours, doc, caplog):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    publish(doc, plan)
    content = doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content
    reader = PdfReader(io.BytesIO(content))
    drawings = sum(len(page["/Resources"].get("/XObject") or {}) for page in reader.pages)
    exercises = plan.items.filter(kind="exercise").count()
    assert exercises and drawings >= exercises
    assert "refused to fetch" not in caplog.text


def test_a_bad_dose_is_refused_next_to_its_field_and_keeps_what_was_typed(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    towel = plan.items.get(code="towel_hamstring_stretch")
    response = doc.post(
        reverse("assessments:plan_item", args=[plan.pk, towel.pk]),
        {f"item{towel.pk}-sets": "99", f"item{towel.pk}-hold_seconds": "25"},
    )
    assert response.status_code == 200
    [shown] = [item for item in response.context["items"] if item.pk == towel.pk]
    assert shown.dose_form.errors["sets"]
    assert 'value="99"' in response.content.decode()
    towel.refresh_from_db()
    assert towel.sets != 99 and towel.hold_seconds != 25


def test_the_admin_adds_an_exercise_with_a_shipped_drawing(ours, login):
    response = login(ours.admin).post(
        reverse("assessments:exercise_create"),
        {
            "illustration": "exercises/wall_calf_stretch.svg",
            "code": "seated_calf",
            "name_ja": "座ってふくらはぎ",
            "name_en": "Seated calf",
            "purpose": "ふくらはぎをゆるめます",
            "steps": "椅子に座る\nつま先を上げる",
            "times_per_day": "2",
            "sets": "2",
            "contraindications": ["suspected_dvt"],
            "targets": ["calf_tension"],
        },
    )
    assert response.status_code == 302
    made = Exercise.objects.get(clinic=ours.clinic, code="seated_calf")
    assert made.illustration == "exercises/wall_calf_stretch.svg"
    refused = login(ours.admin).post(
        reverse("assessments:exercise_create"),
        {
            "illustration": "../../etc/passwd",
            "code": "bad",
            "name_ja": "x",
            "name_en": "x",
            "purpose": "x",
            "steps": "x",
            "times_per_day": "99",
        },
    )
    assert {"illustration", "times_per_day"} <= set(refused.context["form"].errors)


def test_a_retired_exercise_is_no_longer_proposed_but_stays_on_old_plans(ours, doc, login):
    assessment = signed_assessment(ours, KNEE_BACK)
    first = propose(doc, assessment)
    publish(doc, first)
    towel = Exercise.objects.get(clinic=ours.clinic, code="towel_hamstring_stretch")
    login(ours.admin).post(reverse("assessments:exercise_retire", args=[towel.pk]))
    towel.refresh_from_db()
    assert towel.retired
    second = propose(doc, assessment)
    assert not second.items.filter(code=towel.code).exists()
    first.refresh_from_db()
    assert any(item["code"] == towel.code for item in first.snapshot["items"])


def test_moving_an_item_keeps_each_kind_together(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    exercises = [i for i in plans.ordered_items(plan) if i.kind == "exercise"]
    last = exercises[-1]
    doc.post(reverse("assessments:plan_item", args=[plan.pk, last.pk]), {"action": "up"})
    kinds = [item.kind for item in plans.ordered_items(plan)]
    assert kinds == sorted(kinds, key=plans.KIND_ORDER.index)
    now = [i.pk for i in plans.ordered_items(plan) if i.kind == "exercise"]
    assert now.index(last.pk) == len(exercises) - 2
    first = plans.ordered_items(plan)[0]
    response = doc.post(
        reverse("assessments:plan_item", args=[plan.pk, first.pk]), {"action": "up"}, follow=True
    )
    assert plans.ordered_items(plan)[0].pk == first.pk
    assert list(response.context["messages"])


def test_the_same_exercise_cannot_be_added_twice(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    towel = Exercise.objects.get(clinic=ours.clinic, code="towel_hamstring_stretch")
    response = doc.post(reverse("assessments:plan_add", args=[plan.pk]), {"exercise": towel.pk})
    assert response.context["add_form"].errors["exercise"]
    assert plan.items.filter(code=towel.code).count() == 1


def test_a_refused_contraindicated_add_says_why_beside_the_reason_box(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    massage = Exercise.objects.get(clinic=ours.clinic, code="knee_back_lymph_massage")
    response = doc.post(reverse("assessments:plan_add", args=[plan.pk]), {"exercise": massage.pk})
    assert response.context["add_form"].errors["override_reason"]
    assert response.context["add_form"]["exercise"].value() == str(massage.pk)


def test_reloading_a_post_only_address_goes_back_to_the_plan(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    item = plan.items.first()
    for url in (
        reverse("assessments:plan_item", args=[plan.pk, item.pk]),
        reverse("assessments:plan_add", args=[plan.pk]),
        reverse("assessments:plan_details", args=[plan.pk]),
    ):
        response = doc.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("assessments:plan", args=[plan.pk])


def test_proposing_again_continues_the_open_draft(ours, doc):
    assessment = signed_assessment(ours, KNEE_BACK)
    first = propose(doc, assessment)
    response = doc.post(reverse("assessments:propose_plan", args=[assessment.pk]))
    assert response["Location"] == reverse("assessments:plan", args=[first.pk])
    assert CarePlan.objects.filter(patient=assessment.patient).count() == 1


def test_a_new_version_starts_with_the_previous_goals_and_note(ours, doc):
    assessment = signed_assessment(ours, KNEE_BACK)
    first = propose(doc, assessment)
    doc.post(
        reverse("assessments:plan_details", args=[first.pk]),
        {"goals": "階段を痛みなく", "patient_note": "続けましょう"},
    )
    publish(doc, first)
    second = propose(doc, assessment)
    assert (second.goals, second.patient_note) == ("階段を痛みなく", "続けましょう")


def test_saving_a_referral_outcome_again_keeps_the_clearance(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    publish(doc, plan, referral_explained="on")
    referral = Referral.objects.get(assessment=plan.assessment)
    url = reverse("assessments:referral", args=[referral.pk])
    today = timezone.localdate().isoformat()
    doc.post(url, {"seen_on": today, "cleared": "yes", "outcome_on": today})
    page = doc.get(url)
    assert page.context["form"]["cleared"].value() == "yes"
    assert "内科・血管外科" in page.content.decode()
    doc.post(
        url,
        {
            "seen_on": today,
            "cleared": page.context["form"]["cleared"].value(),
            "doctor_findings": "追記",
            "outcome_on": today,
        },
    )
    referral.refresh_from_db()
    assert referral.cleared is True and referral.status == "closed"


def test_a_plan_drafted_after_clearance_needs_no_second_referral(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    publish(doc, plan, referral_explained="on")
    referral = Referral.objects.get(assessment=plan.assessment)
    today = timezone.localdate().isoformat()
    doc.post(
        reverse("assessments:referral", args=[referral.pk]),
        {"seen_on": today, "cleared": "yes", "outcome_on": today},
    )
    doc.post(
        reverse("assessments:referral_lift", args=[referral.pk]),
        {"lift": ["suspected_dvt", "awaiting_clearance", "acute_hot_swelling"]},
    )
    doc.post(
        reverse("assessments:referral_lift", args=[referral.pk]),
        {"lift": ["suspected_dvt", "awaiting_clearance", "acute_hot_swelling"]},
    )
    drafts = CarePlan.objects.filter(patient=plan.patient, status="draft")
    assert drafts.count() == 1  # the earlier draft was set aside, not left open
    new = drafts.get()
    assert new.referrals == []
    publish(doc, new)
    new.refresh_from_db()
    assert new.status == "published"
