"""The care plan as the practitioner makes it: proposed, edited, published, handed out."""

import datetime as dt
import hashlib
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from assessments import plans
from assessments.library import install_shipped
from assessments.models import CarePlan, Exercise, PlanDocument, RedFlagsRecord, Referral
from devtools.records import record
from tests.assessments.pages import editor_fields, post_editor
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
    install_shipped(clinic=cast.clinic)
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
    return post_editor(client, plan, "assessments:plan_publish", **data)


def add(client, plan, code, kind="exercise", **data):
    return post_editor(client, plan, "assessments:plan_add", item=f"{kind}:{code}", **data)


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
    on_the_left = plan.items.filter(side__in=["left", "both", ""]).values_list("code", flat=True)
    assert not set(on_the_left) & {"knee_back_lymph_massage", "desk_break_knee_back_rub"}
    assert {"department": "internal_vascular", "urgency": "same_day"}.items() <= (
        plan.referrals[0].items()
    )
    assert plan.visit_interval_days is None


def test_adding_lymph_massage_for_a_same_day_dvt_patient_is_refused_whatever_the_reason(ours, doc):
    """The reported case: knee-back massage added with the reason 「患者の希望」, published and
    shown as home care. An absolute hazard is never overridden."""
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    plan.items.filter(code="knee_back_lymph_massage").update(removed=True)
    for side in ("both", "left"):
        response = add(
            doc, plan, "knee_back_lymph_massage", item_side=side, add_reason="患者の希望"
        )
        assert response.status_code == 200
        errors = response.context["editor"].add.errors["item_side"]
        assert "never overridden" in str(errors) or "解除できません" in str(errors)
    assert not plan.items.filter(code="knee_back_lymph_massage", removed=False).exists()


def test_the_refusal_offers_the_safe_leg_and_the_safe_leg_is_added(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    plan.items.filter(code="knee_back_lymph_massage").update(removed=True)
    response = add(doc, plan, "knee_back_lymph_massage", item_side="both")
    assert "右脚" in str(response.context["editor"].add.errors["item_side"])
    add(doc, plan, "knee_back_lymph_massage", item_side="right")
    added = plan.items.get(code="knee_back_lymph_massage", removed=False)
    assert (added.side, added.added_by_hand, added.override_reason) == ("right", True, "")


def test_a_relative_hazard_needs_a_written_reason_and_keeps_it(ours, doc):
    sections = {**KNEE_BACK, "red_flags": {"night_pain": True}}
    plan = propose(doc, signed_assessment(ours, sections))
    assert not plan.items.filter(code="lying_knee_back_release", side="right").exists()
    assert plan.items.get(code="towel_hamstring_stretch").side == "both"  # knee kept bent
    plan.items.filter(code="lying_knee_back_release").update(removed=True)
    refused = add(doc, plan, "lying_knee_back_release", item_side="both")
    assert refused.context["editor"].add.errors["add_reason"]
    add(doc, plan, "lying_knee_back_release", item_side="both", add_reason="膝は伸ばしきらずに行う")
    added = plan.items.get(code="lying_knee_back_release", removed=False)
    assert added.override_reason == "膝は伸ばしきらずに行う" and added.overridden == ["night_pain"]
    publish(doc, plan, referral_explained="on")
    plan.refresh_from_db()
    [given] = [i for i in plan.snapshot["items"] if i["code"] == "lying_knee_back_release"]
    assert given["override_reason"] == "膝は伸ばしきらずに行う"
    assert "lying_knee_back_release" not in {w["code"] for w in plan.snapshot["withheld"]}


def test_in_clinic_work_is_added_by_hand_under_the_same_check(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    refused = add(doc, plan, "pelvic_alignment", kind="clinic")
    assert refused.context["editor"].add.errors["item_side"]
    assert not plan.items.filter(code="pelvic_alignment").exists()
    plan.items.filter(code="ankle_mobilisation").delete()
    refused = add(doc, plan, "ankle_mobilisation", kind="clinic", item_side="left")
    assert refused.context["editor"].add.errors["item_side"]
    add(doc, plan, "ankle_mobilisation", kind="clinic", item_side="right")
    added = plan.items.get(code="ankle_mobilisation")
    assert (added.added_by_hand, added.side) == (True, "right")


def test_an_item_added_by_hand_gets_the_librarys_default_dose(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    rock = Exercise.objects.get(clinic=ours.clinic, code="knee_to_wall_ankle_rock")
    plan.items.filter(code=rock.code).update(removed=True)
    add(doc, plan, rock.code)
    added = plan.items.get(code=rock.code, removed=False)
    assert (added.reps, added.sets, added.times_per_day, added.side) == (
        rock.reps,
        rock.sets,
        rock.times_per_day,
        "both",
    )


def test_a_safe_exercise_is_added_without_a_reason(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    plan.items.filter(code="morning_posture_breathing").delete()
    add(doc, plan, "morning_posture_breathing")
    assert plan.items.get(code="morning_posture_breathing").added_by_hand


def test_changing_a_narrowed_item_to_both_legs_is_refused_next_to_its_side(ours, doc):
    plan = propose(doc, signed_assessment(ours, SWOLLEN_CALF))
    towel = plan.items.get(code="wall_calf_stretch")
    assert towel.side == "right"
    response = post_editor(
        doc, plan, "assessments:plan_details", **{f"item{towel.pk}-side": "both"}, goals="変更"
    )
    [shown] = [item for item in response.context["items"] if item.pk == towel.pk]
    assert shown.dose_form.errors["side"]
    towel.refresh_from_db()
    plan.refresh_from_db()
    assert towel.side == "right" and plan.goals != "変更"  # nothing saved half-way


def test_the_practitioner_edits_dose_order_and_removes_an_item(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    towel = plan.items.get(code="towel_hamstring_stretch")
    post_editor(
        doc,
        plan,
        "assessments:plan_details",
        **{
            f"item{towel.pk}-hold_seconds": "25",
            f"item{towel.pk}-sets": "3",
            f"item{towel.pk}-times_per_day": "2",
            f"item{towel.pk}-side": "both",
            f"item{towel.pk}-extra_sets_side": "right",
        },
    )
    towel.refresh_from_db()
    assert (towel.hold_seconds, towel.sets, towel.times_per_day) == (25, 3, 2)
    post_editor(doc, plan, "assessments:plan_details", **{f"item{towel.pk}-sets": "99"})
    towel.refresh_from_db()
    assert towel.sets == 3  # refused, nothing saved
    before = towel.position
    post_editor(doc, plan, "assessments:plan_item", towel.pk, action="up")
    towel.refresh_from_db()
    assert towel.position <= before
    post_editor(doc, plan, "assessments:plan_item", towel.pk, action="remove")
    towel.refresh_from_db()
    assert towel.removed


def test_saving_one_part_of_the_editor_keeps_what_was_typed_in_the_others(ours, doc):
    """The reported case: saving a dose lost the goals typed but not yet saved."""
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    towel = plan.items.get(code="towel_hamstring_stretch")
    post_editor(
        doc,
        plan,
        "assessments:plan_item",
        towel.pk,
        action="down",
        goals="階段を痛みなく上る",
        patient_note="寝る前に",
        **{f"item{towel.pk}-sets": "3"},
    )
    plan.refresh_from_db()
    towel.refresh_from_db()
    assert (plan.goals, plan.patient_note, towel.sets) == ("階段を痛みなく上る", "寝る前に", 3)


def test_two_practitioners_editing_one_draft_the_second_sees_a_conflict(ours, doc, login):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    colleague = login(ours.admin)
    mine = editor_fields(doc, plan)
    theirs = editor_fields(colleague, plan)
    post_editor(colleague, plan, "assessments:plan_details", fields=theirs, goals="同僚の目標")
    response = post_editor(doc, plan, "assessments:plan_details", fields=mine, goals="私の目標")
    assert response.status_code == 200
    assert response.context["editor"].conflict is not None
    body = response.content.decode()
    assert "同僚の目標" in body and 'name="goals"' in body and "私の目標" in body
    plan.refresh_from_db()
    assert plan.goals == "同僚の目標"


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
    post_editor(
        doc,
        plan,
        "assessments:plan_details",
        goals="階段を痛みなく上る",
        patient_note="毎日少しずつ続けましょう",
        visit_interval_days="7",
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
    plan.refresh_from_db()
    held = plan.snapshot["withheld"]
    assert held and held[0]["label"]["ja"][:4] in text
    assert held[0]["patient"]["ja"][:10] in text
    assert "03-" in text or ours.clinic.phone[:4] in text


def test_a_plan_published_before_handouts_were_kept_gets_its_file_on_the_first_download(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    publish(doc, plan)  # the test's transaction never commits: nothing rendered at publishing
    assert not PlanDocument.objects.filter(plan=plan).exists()
    first = doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content
    kept = PlanDocument.objects.get(plan=plan)
    assert bytes(kept.pdf) == first and kept.language == "ja" and kept.size == len(first)
    assert kept.sha256 == hashlib.sha256(first).hexdigest()
    again = doc.get(reverse("assessments:plan_handout", args=[plan.pk])).content
    assert again == first and PlanDocument.objects.filter(plan=plan).count() == 1


def test_text_typed_as_markup_is_printed_as_text_and_fetches_nothing(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    payload = '<img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
    post_editor(
        doc,
        plan,
        "assessments:plan_details",
        goals=payload,
        patient_note="@import url(http://169.254.169.254/x.css);",
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
    assert "−2" in text or "-2" in text  # every Wells item is printed, the minus two included
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
    referral.refresh_from_db()
    lifted = [hazard.code for hazard in plans.liftable(referral, timezone.localdate())]
    assert "suspected_dvt" in lifted
    doc.post(reverse("assessments:referral_lift", args=[referral.pk]), {"lift": lifted})
    new = CarePlan.objects.filter(patient=plan.patient).latest("version")
    assert new.version == 2 and set(new.lifted) == set(lifted)
    assert not new.withheld
    assert {w["code"] for w in plan.withheld} <= set(new.items.values_list("code", flat=True))
    # what was narrowed to the right leg is back on both
    assert set(new.items.filter(kind="exercise").values_list("side", flat=True)) <= {"both", ""}


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
    response = post_editor(
        doc,
        plan,
        "assessments:plan_item",
        towel.pk,
        **{f"item{towel.pk}-sets": "99", f"item{towel.pk}-hold_seconds": "25"},
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
            "care_tags": ["stretch", "knee_back_stretch"],
            "targets": ["calf_tension"],
        },
    )
    assert response.status_code == 302
    made = Exercise.objects.get(clinic=ours.clinic, code="seated_calf")
    assert made.illustration == "exercises/wall_calf_stretch.svg"
    assert made.care_tags == ["stretch", "knee_back_stretch"]
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
    post_editor(doc, plan, "assessments:plan_item", last.pk, action="up")
    kinds = [item.kind for item in plans.ordered_items(plan)]
    assert kinds == sorted(kinds, key=plans.KIND_ORDER.index)
    now = [i.pk for i in plans.ordered_items(plan) if i.kind == "exercise"]
    assert now.index(last.pk) == len(exercises) - 2
    first = plans.ordered_items(plan)[0]
    fields = {**editor_fields(doc, plan), "action": "up"}
    response = doc.post(
        reverse("assessments:plan_item", args=[plan.pk, first.pk]), fields, follow=True
    )
    assert plans.ordered_items(plan)[0].pk == first.pk
    assert list(response.context["messages"])


def test_the_same_exercise_cannot_be_added_twice(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    response = add(doc, plan, "towel_hamstring_stretch")
    assert response.context["editor"].add.errors["item"]
    assert plan.items.filter(code="towel_hamstring_stretch").count() == 1


def test_a_refused_add_says_why_beside_the_reason_box_and_keeps_the_choice(ours, doc):
    sections = {**KNEE_BACK, "red_flags": {"numbness": True}}
    plan = propose(doc, signed_assessment(ours, sections))
    plan.items.filter(code="lying_knee_back_release").delete()
    response = add(doc, plan, "lying_knee_back_release", goals="書きかけ")
    editor = response.context["editor"]
    assert "written reason" in str(editor.add.errors["add_reason"]) or "理由" in str(
        editor.add.errors["add_reason"]
    )
    assert editor.add["item"].value() == "exercise:lying_knee_back_release"
    assert editor.details["goals"].value() == "書きかけ"
    plan.refresh_from_db()
    assert plan.goals != "書きかけ"


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
    assert (
        plans.create_draft(
            assessment=assessment, by=ours.practitioner, today=timezone.localdate()
        ).pk
        == first.pk
    )


def test_a_draft_from_a_newer_assessment_sets_the_older_one_aside(ours, doc, login):
    assessment = signed_assessment(ours, KNEE_BACK)
    first = propose(doc, assessment)
    newer = signed_assessment(ours, KNEE_BACK, patient=assessment.patient)
    second = propose(doc, newer)
    first.refresh_from_db()
    assert (first.status, second.status) == ("set_aside", "draft")
    portal = login(first.patient.portal_user) if first.patient.portal_user else None
    assert portal is None or first.pk not in [
        plan.pk for plan in portal.get(reverse("assessments:portal_home")).context["earlier"]
    ]


def test_a_new_version_starts_with_the_previous_goals_and_note(ours, doc):
    assessment = signed_assessment(ours, KNEE_BACK)
    first = propose(doc, assessment)
    post_editor(
        doc, first, "assessments:plan_details", goals="階段を痛みなく", patient_note="続けましょう"
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
        {"lift": ["suspected_dvt", "hot_swollen_leg"]},
    )
    doc.post(
        reverse("assessments:referral_lift", args=[referral.pk]),
        {"lift": ["suspected_dvt", "hot_swollen_leg", "leg_swelling"]},
    )
    drafts = CarePlan.objects.filter(patient=plan.patient, status="draft")
    assert drafts.count() == 1  # the earlier draft was set aside, not left open
    assert CarePlan.objects.filter(patient=plan.patient, status="set_aside").count() == 1
    new = drafts.get()
    assert new.referrals == []
    publish(doc, new)
    new.refresh_from_db()
    assert new.status == "published"


PERSISTENT = {
    "complaint": {
        "region": "knee_back",
        "side": "right",
        "pain": 5,
        "onset": (timezone.localdate() - dt.timedelta(days=21)).isoformat(),
    },
    "measurements": {"slr": {"left": "75", "right": "55"}},
    "red_flags": {},
}


def test_a_referral_still_open_for_the_same_flag_is_reused_not_duplicated(ours, doc):
    """The reported case: a reassessment opened a second referral for the same reason."""
    first = signed_assessment(ours, PERSISTENT)
    publish(doc, propose(doc, first), referral_explained="on")
    [open_one] = Referral.objects.filter(patient=first.patient)
    again = signed_assessment(
        ours, {**PERSISTENT, "red_flags": {"night_pain": True}}, first.patient
    )
    plan = propose(doc, again)
    publish(doc, plan, referral_explained="on")
    referrals = Referral.objects.filter(patient=first.patient).order_by("number")
    assert [r.flag_codes for r in referrals] == [["persistent_pain"], ["night_pain"]]
    assert referrals[0].pk == open_one.pk
    page = doc.get(reverse("assessments:plan", args=[plan.pk]))
    assert {r.pk for r in page.context["referral_rows"]} == {r.pk for r in referrals}


def test_a_closed_referral_is_not_reused(ours, doc):
    first = signed_assessment(ours, PERSISTENT)
    publish(doc, propose(doc, first), referral_explained="on")
    referral = Referral.objects.get(patient=first.patient)
    today = timezone.localdate()
    plans.record_outcome(
        referral=referral,
        seen_on=today,
        doctor_findings="",
        cleared=False,
        outcome_on=today,
        by=ours.practitioner,
    )
    again = signed_assessment(ours, PERSISTENT, first.patient)
    publish(doc, propose(doc, again), referral_explained="on")
    assert Referral.objects.filter(patient=first.patient).count() == 2


def test_a_set_aside_draft_never_reaches_the_patient(ours, doc, login):
    patient = ours.patient
    first = signed_assessment(ours, KNEE_BACK, patient)
    stale = propose(doc, first)
    newer = signed_assessment(ours, KNEE_BACK, patient)
    propose(doc, newer)
    stale.refresh_from_db()
    assert stale.status == "set_aside"
    portal = login(ours.patient_user)
    home = portal.get(reverse("assessments:portal_home"))
    assert stale.pk not in [plan.pk for plan in home.context["earlier"]]
    assert portal.get(reverse("assessments:portal_plan", args=[stale.pk])).status_code == 404
    assert portal.get(reverse("assessments:portal_handout", args=[stale.pk])).status_code == 404
    staff = doc.get(reverse("assessments:plan_handout", args=[stale.pk]))
    assert staff.status_code == 404


def test_the_disclosure_lists_only_plans_the_patient_was_given(ours, doc, login):
    from assessments import disclosure

    draft = propose(doc, signed_assessment(ours, KNEE_BACK, ours.patient))
    record_ = disclosure.build(ours.patient)
    versions = [plan["version"] for plan in record_["care_plans"]]
    assert draft.version not in versions and ours.plan.version in versions
    assert record_["unpublished_plans"] == 1


def test_one_time_a_day_reads_as_one_time_in_english(ours, doc):
    from django.template.loader import render_to_string
    from django.utils import translation

    item = {"dose": {"times_per_day": 1, "sets": 1, "hold_seconds": 1}, "side": "left"}
    with translation.override("en"):
        text = render_to_string("assessments/pdf/_dose_text.html", {"item": item})
    assert "1 time a day" in text and "1 times" not in text
    assert "1 set" in text and "1 second" in text and "left leg only" in text
    item["dose"]["times_per_day"] = 2
    with translation.override("en"):
        assert "2 times a day" in render_to_string(
            "assessments/pdf/_dose_text.html", {"item": item}
        )


DVT_AND_PERSISTENT = {
    **SWOLLEN_CALF,
    "complaint": {
        **SWOLLEN_CALF["complaint"],
        "onset": (timezone.localdate() - dt.timedelta(days=21)).isoformat(),
    },
}


def _clear(referral, by):
    today = timezone.localdate()
    plans.record_outcome(
        referral=referral, seen_on=today, doctor_findings="", cleared=True, outcome_on=today, by=by
    )
    referral.refresh_from_db()


def test_a_clearance_lifts_only_the_hazards_of_its_own_flags(ours, doc):
    """The reported hole: the orthopaedic clearance of a routine referral lifted the DVT."""
    plan = propose(doc, signed_assessment(ours, DVT_AND_PERSISTENT))
    publish(doc, plan, referral_explained="on")
    ortho = Referral.objects.get(assessment=plan.assessment, department="orthopaedics")
    vascular = Referral.objects.get(assessment=plan.assessment, department="internal_vascular")
    _clear(ortho, ours.practitioner)
    offered = plans.liftable(ortho, timezone.localdate())
    assert [hazard.code for hazard in offered] == ["acute_inflammation"]  # relative, any doctor
    response = doc.post(
        reverse("assessments:referral_lift", args=[ortho.pk]),
        {"lift": ["suspected_dvt", "hot_swollen_leg", "leg_swelling"]},
    )
    assert response.status_code == 302
    assert CarePlan.objects.filter(patient=plan.patient).count() == 1  # nothing drafted
    _clear(vascular, ours.practitioner)
    offered = {hazard.code for hazard in plans.liftable(vascular, timezone.localdate())}
    assert {"suspected_dvt", "hot_swollen_leg", "leg_swelling"} <= offered
    page = doc.get(reverse("assessments:referral", args=[vascular.pk])).content.decode()
    assert (
        'name="lift" value="suspected_dvt"' in page
        and "checked" not in page.split('name="lift" value="suspected_dvt"')[1].split(">")[0]
    )


def test_a_clearance_redraft_is_made_from_the_latest_signed_assessment(ours, doc):
    """The reported hole: a redraft from the referral's older assessment dropped what the newer
    one found."""
    first = signed_assessment(ours, {**PERSISTENT, "red_flags": {"night_pain": True}})
    publish(doc, propose(doc, first), referral_explained="on")
    referral = Referral.objects.get(assessment=first)
    newer = signed_assessment(
        ours, {**PERSISTENT, "red_flags": {"night_pain": True, "fever": True}}, first.patient
    )
    publish(doc, propose(doc, newer), referral_explained="on")
    _clear(referral, ours.practitioner)
    redraft = plans.lift(
        referral=referral, codes=["night_pain"], by=ours.practitioner, today=timezone.localdate()
    )
    assert redraft.assessment_id == newer.pk and redraft.lifted == ["night_pain"]
    assert {w["code"] for w in redraft.withheld} >= {"hamstring_release"}  # the fever still holds


def test_a_flag_raised_by_an_amendment_after_drafting_blocks_publishing(ours, doc):
    assessment = signed_assessment(ours, KNEE_BACK)
    plan = propose(doc, assessment)
    assessment.refresh_from_db()
    doc.post(
        reverse("assessments:amend", args=[assessment.pk, "red_flags"]),
        {
            "leg_swelling": "right",
            "swelling_sudden": "on",
            "reason": "聞き漏れ",
            "revision": assessment.revision,
        },
    )
    blocked = publish(doc, plan, referral_explained="on")
    assert blocked.status_code == 200
    plan.refresh_from_db()
    assert plan.status == "draft"
    codes = {
        b.code
        for b in plans.publish_blockers(
            plan, plans.library_for(ours.clinic.pk), timezone.localdate(), referral_explained=True
        )
    }
    assert {"unacknowledged_flag", "flags_changed"} <= codes
    flag = assessment.flags.get(code="suspected_dvt")
    doc.post(reverse("assessments:acknowledge", args=[assessment.pk, flag.pk]))
    again = propose(doc, assessment)
    assert again.pk != plan.pk  # the stale draft is set aside, the new one refers the same day
    assert again.referrals[0]["urgency"] == "same_day"


def test_a_screen_made_under_earlier_rules_is_run_again_before_publishing(ours, doc):
    assessment = signed_assessment(ours, KNEE_BACK)
    plan = propose(doc, assessment)
    # the stored screen predates a rule: a flag the current rules raise is missing
    RedFlagsRecord.objects.filter(assessment=assessment).update(fever=True)
    page = doc.get(reverse("assessments:plan", args=[plan.pk]))
    assert "screen_outdated" in page.context["flag_blockers"]
    doc.post(reverse("assessments:rescreen", args=[assessment.pk]))
    fever = assessment.flags.get(code="fever")
    assert fever.is_current and fever.acknowledged_at is None


def test_an_old_reason_does_not_answer_a_new_relative_hazard(ours, doc):
    sections = {**KNEE_BACK, "red_flags": {"night_pain": True}}
    plan = propose(doc, signed_assessment(ours, sections))
    release = plan.items.get(code="lying_knee_back_release")
    release.side, release.override_reason, release.overridden = "both", "軽く行う", ["night_pain"]
    release.save()
    library = plans.pure_library(plans.library_for(ours.clinic.pk))
    hazards = plans.hazards_for(plan, timezone.localdate())
    same = {"side": "both", "override_reason": "軽く行う"}
    assert plans.check_item_change(release, same, library, hazards) is None
    release.overridden = []  # the reason was written for another hazard
    assert plans.check_item_change(release, same, library, hazards) is not None
    changed = {"side": "both", "override_reason": "夜間痛は軽く、膝を伸ばしきらない"}
    assert plans.check_item_change(release, changed, library, hazards) is None
    cleared = {"side": "both", "override_reason": ""}
    assert plans.check_item_change(release, cleared, library, hazards) is not None


def test_a_plan_conflict_shows_every_value_the_other_change_stored(ours, doc, login):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    towel = plan.items.get(code="towel_hamstring_stretch")
    mine = editor_fields(doc, plan)
    colleague = login(ours.admin)
    post_editor(colleague, plan, "assessments:plan_details", **{f"item{towel.pk}-sets": "4"})
    response = post_editor(doc, plan, "assessments:plan_details", fields=mine, goals="私の目標")
    lines = response.context["conflict_lines"]
    assert any(stored == "4" and typed == "2" for _what, stored, typed in lines)
    assert any(typed == "私の目標" for _what, _stored, typed in lines)


def test_a_published_plan_that_the_current_rules_would_stop_says_so(ours, doc):
    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    publish(doc, plan)
    plan.refresh_from_db()
    assessment = plan.assessment
    # as if published under earlier rules
    RedFlagsRecord.objects.filter(assessment=assessment).update(
        leg_swelling="right", swelling_sudden=True
    )
    page = doc.get(reverse("assessments:plan", args=[plan.pk]))
    assert page.context["outdated"]
    assert "タオル" in page.content.decode().split('id="outdated"')[1].split("</div>")[0]


def test_the_plan_page_query_count_does_not_grow_with_its_items(ours, doc):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan = propose(doc, signed_assessment(ours, KNEE_BACK))
    url = reverse("assessments:plan", args=[plan.pk])
    doc.get(url)
    before = plan.items.filter(removed=False).count()
    with CaptureQueriesContext(connection) as few:
        doc.get(url)
    for code in ("knee_to_wall_ankle_rock", "lying_hip_rotation", "desk_break_knee_back_rub"):
        plan.items.filter(code=code).delete()
        add(doc, plan, code)
    assert plan.items.filter(removed=False).count() >= before + 2  # the plan really grew
    with CaptureQueriesContext(connection) as many:
        doc.get(url)
    assert len(many) == len(few)
