"""The practitioner's assessment, through the views, as the practitioner uses it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Amendment, Assessment, RedFlag
from clinic import audit
from tests.factories import AppointmentFactory, PatientFactory


@pytest.fixture
def patient(ours):
    return PatientFactory(clinic=ours.clinic)


@pytest.fixture
def doc(ours, login):
    return login(ours.practitioner)


def start(client, patient, **data):
    response = client.post(reverse("assessments:start", args=[patient.pk]), data)
    assert response.status_code == 302
    return Assessment.objects.filter(patient=patient).latest("id")


def save(client, assessment, section, data, revision=None):
    assessment.refresh_from_db()
    payload = {"revision": assessment.revision if revision is None else revision, **data}
    return client.post(reverse("assessments:section", args=[assessment.pk, section]), payload)


COMPLAINT = {
    "region": "knee_back",
    "side": "right",
    "qualities": ["pulling"],
    "pain": "5",
    "provokers": ["walking"],
}
NO_FLAGS = {}
SLR = {"slr_left": "75", "slr_right": "55"}
SWOLLEN_WARM_CALF = {"calf_circumference_left": "41", "calf_circumference_right": "37.5"}


def test_a_practitioner_starts_from_a_checked_in_visit(ours, doc, patient):
    visit = AppointmentFactory(patient=patient, practitioner=ours.practitioner, status="checked_in")
    assessment = start(doc, patient, appointment=visit.pk)
    assert (assessment.appointment, assessment.practitioner) == (visit, ours.practitioner)
    assert assessment.status == "draft"


def test_the_difference_is_computed_and_flagged_against_the_threshold(doc, patient):
    assessment = start(doc, patient)
    save(doc, assessment, "complaint", {**COMPLAINT, "onset": timezone.localdate().isoformat()})
    response = save(doc, assessment, "measurements", SLR)
    assert response.status_code == 302
    assessment.refresh_from_db()
    slr = next(a for a in assessment.screening["asymmetries"] if a["code"] == "slr")
    assert (slr["difference"], slr["flagged"], slr["worse_side"]) == ("20", True, "right")
    page = doc.get(reverse("assessments:detail", args=[assessment.pk]))
    assert page.context["picture"]["marks"][0]["side"] == "right"
    assert "<svg" in page.content.decode()


def test_a_difference_below_the_threshold_is_not_flagged(doc, patient):
    assessment = start(doc, patient)
    save(doc, assessment, "measurements", {"slr_left": "75", "slr_right": "66"})
    assessment.refresh_from_db()
    slr = next(a for a in assessment.screening["asymmetries"] if a["code"] == "slr")
    assert slr["flagged"] is False
    page = doc.get(reverse("assessments:detail", args=[assessment.pk]))
    assert page.context["picture"]["marks"] == []


def test_a_clinic_threshold_changes_what_is_flagged(ours, login, doc, patient):
    response = login(ours.admin).post(
        reverse("assessments:threshold_edit", args=["slr"]),
        {"threshold": "25", "note": "院内の基準"},
    )
    assert response.status_code == 302
    assessment = start(doc, patient)
    save(doc, assessment, "measurements", SLR)
    assessment.refresh_from_db()
    slr = next(a for a in assessment.screening["asymmetries"] if a["code"] == "slr")
    assert (slr["threshold"], slr["flagged"]) == ("25.0", False)


def test_a_swollen_warm_calf_raises_a_same_day_referral_at_the_top(doc, patient):
    assessment = start(doc, patient)
    save(doc, assessment, "measurements", SWOLLEN_WARM_CALF)
    save(
        doc,
        assessment,
        "red_flags",
        {"leg_swelling": "left", "leg_warm": "on", "swelling_sudden": "on"},
    )
    flags = {f.code: f for f in RedFlag.objects.filter(assessment=assessment, is_current=True)}
    assert flags["suspected_dvt"].urgency == "same_day"
    assert flags["suspected_dvt"].department == "internal_vascular"
    assert flags["suspected_dvt"].rules_version == "2026.12-1"
    assert flags["suspected_dvt"].inputs  # what it used is stored
    assert "calf_asymmetry" in flags
    page = doc.get(reverse("assessments:detail", args=[assessment.pk]))
    assert page.context["current_flags"] and "red-flags" in page.content.decode()
    assert page.context["assessment"].screening["wells"]["items"]


def test_the_calf_difference_raises_a_flag_even_with_no_box_ticked(doc, patient):
    assessment = start(doc, patient)
    save(
        doc,
        assessment,
        "measurements",
        {"calf_circumference_left": "40", "calf_circumference_right": "37"},
    )
    assert RedFlag.objects.filter(assessment=assessment, code="calf_asymmetry").exists()


def test_a_patient_without_swelling_gets_no_flags(doc, patient):
    assessment = start(doc, patient)
    save(
        doc,
        assessment,
        "complaint",
        {**COMPLAINT, "onset": (timezone.localdate() - dt.timedelta(days=5)).isoformat()},
    )
    save(
        doc,
        assessment,
        "measurements",
        {**SLR, "calf_circumference_left": "37", "calf_circumference_right": "37.5"},
    )
    save(doc, assessment, "red_flags", NO_FLAGS)
    assert not RedFlag.objects.filter(assessment=assessment).exists()


def _sign(client, assessment):
    return client.post(reverse("assessments:sign", args=[assessment.pk]))


def test_signing_waits_for_the_complaint_the_screen_and_every_acknowledgement(doc, patient):
    assessment = start(doc, patient)
    _sign(doc, assessment)
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    save(doc, assessment, "complaint", COMPLAINT)
    save(doc, assessment, "red_flags", {"fever": "on"})
    _sign(doc, assessment)
    assessment.refresh_from_db()
    assert assessment.status == "draft"  # the fever flag is not acknowledged
    flag = assessment.flags.get(code="fever")
    doc.post(reverse("assessments:acknowledge", args=[assessment.pk, flag.pk]))
    _sign(doc, assessment)
    assessment.refresh_from_db()
    assert assessment.status == "signed" and assessment.signed_at


def _signed(client, patient, data=COMPLAINT):
    assessment = start(client, patient)
    save(client, assessment, "complaint", data)
    save(client, assessment, "red_flags", NO_FLAGS)
    _sign(client, assessment)
    assessment.refresh_from_db()
    assert assessment.is_signed
    return assessment


def test_a_signed_assessment_is_locked_and_changes_only_by_amendment(ours, doc, patient):
    assessment = _signed(doc, patient)
    response = save(doc, assessment, "complaint", {**COMPLAINT, "pain": "9"})
    assert response.status_code == 302 and "/amend/" in response["Location"]
    assessment.refresh_from_db()
    assert assessment.section("complaint")["pain"] == 5
    url = reverse("assessments:amend", args=[assessment.pk, "complaint"])
    revision = assessment.revision
    refused = doc.post(url, {**COMPLAINT, "pain": "9", "revision": revision})
    assert refused.context["reason_form"].errors["reason"]
    doc.post(
        url, {**COMPLAINT, "pain": "9", "reason": "記入ミス: 痛みは9でした", "revision": revision}
    )
    assessment.refresh_from_db()
    amendment = Amendment.objects.get(assessment=assessment)
    assert assessment.section("complaint")["pain"] == 9 and assessment.is_signed
    assert (amendment.before["pain"], amendment.after["pain"]) == (5, 9)
    assert amendment.made_by == ours.practitioner and amendment.reason.startswith("記入ミス")
    page = doc.get(reverse("assessments:detail", args=[assessment.pk]))
    [(shown, changed)] = page.context["amendments"]
    assert shown == amendment and [(before, after) for _label, before, after in changed] == [
        ("5", "9")
    ]


def test_an_amendment_that_raises_a_flag_shows_it_unacknowledged(doc, patient):
    assessment = _signed(doc, patient)
    doc.post(
        reverse("assessments:amend", args=[assessment.pk, "red_flags"]),
        {"numbness": "on", "reason": "聞き漏れ", "revision": assessment.revision},
    )
    flag = RedFlag.objects.get(assessment=assessment, code="numbness")
    assert flag.is_current and flag.acknowledged_at is None


def test_two_practitioners_amending_one_signed_section_the_second_sees_a_conflict(
    ours, doc, login, patient
):
    """The reported case: the second amendment silently replaced the first."""
    assessment = _signed(doc, patient)
    url = reverse("assessments:amend", args=[assessment.pk, "complaint"])
    opened_at = assessment.revision  # both open the amendment form now
    colleague = login(ours.admin)
    colleague.post(url, {**COMPLAINT, "pain": "7", "reason": "同僚の訂正", "revision": opened_at})
    response = doc.post(
        url, {**COMPLAINT, "pain": "9", "reason": "私の訂正", "revision": opened_at}
    )
    assert response.status_code == 200 and response.context["conflict"] is not None
    assert 'value="9"' in response.content.decode()  # what I typed is kept
    assessment.refresh_from_db()
    assert assessment.section("complaint")["pain"] == 7
    assert [a.reason for a in Amendment.objects.filter(assessment=assessment)] == ["同僚の訂正"]
    # reopened at the new revision, the second amendment goes in on top of the first
    doc.post(
        url,
        {**COMPLAINT, "pain": "9", "reason": "私の訂正", "revision": response.context["revision"]},
    )
    assessment.refresh_from_db()
    assert assessment.section("complaint")["pain"] == 9
    assert Amendment.objects.filter(assessment=assessment).count() == 2


def test_an_amendment_without_the_revision_it_was_opened_at_is_refused(doc, patient):
    assessment = _signed(doc, patient)
    url = reverse("assessments:amend", args=[assessment.pk, "complaint"])
    response = doc.post(url, {**COMPLAINT, "pain": "9", "reason": "訂正"})
    assert response.context["conflict"] is not None
    assessment.refresh_from_db()
    assert assessment.section("complaint")["pain"] == 5


def test_a_flag_that_no_longer_fires_is_kept_not_current(doc, patient):
    assessment = start(doc, patient)
    save(doc, assessment, "red_flags", {"fever": "on"})
    save(doc, assessment, "red_flags", NO_FLAGS)
    flag = RedFlag.objects.get(assessment=assessment, code="fever")
    assert flag.is_current is False


def test_a_changed_flag_needs_a_new_acknowledgement(doc, patient):
    assessment = start(doc, patient)
    save(
        doc,
        assessment,
        "measurements",
        {"calf_circumference_left": "40", "calf_circumference_right": "37"},
    )
    flag = RedFlag.objects.get(assessment=assessment, code="calf_asymmetry")
    doc.post(reverse("assessments:acknowledge", args=[assessment.pk, flag.pk]))
    save(
        doc,
        assessment,
        "measurements",
        {"calf_circumference_left": "42", "calf_circumference_right": "37"},
    )
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


def test_a_second_save_on_an_old_revision_is_a_conflict_that_keeps_the_input(
    ours, doc, login, patient
):
    assessment = start(doc, patient)
    old_revision = assessment.revision
    colleague = login(ours.admin)
    assert save(colleague, assessment, "complaint", COMPLAINT).status_code == 302
    response = save(
        doc,
        assessment,
        "complaint",
        {**COMPLAINT, "pain": "8", "region_detail": "階段で悪化"},
        revision=old_revision,
    )
    assert response.status_code == 200 and response.context["conflict"]
    assert "階段で悪化" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.section("complaint")["pain"] == 5  # the first save stands
    assert (
        save(
            doc,
            assessment,
            "complaint",
            {**COMPLAINT, "pain": "8"},
            revision=response.context["revision"],
        ).status_code
        == 302
    )


def test_a_reassessment_starts_from_the_last_signed_one_and_shows_it(doc, patient):
    first = start(doc, patient)
    save(doc, first, "complaint", COMPLAINT)
    save(doc, first, "measurements", SLR)
    save(doc, first, "red_flags", NO_FLAGS)
    _sign(doc, first)
    second = start(doc, patient)
    assert second.previous == first
    assert second.section("measurements") == {"slr": {"left": "75", "right": "55"}}
    page = doc.get(reverse("assessments:section", args=[second.pk, "measurements"]))
    assert page.context["previous_rows"]
    detail = doc.get(reverse("assessments:detail", args=[second.pk]))
    assert "75 / 55" in detail.content.decode()


@pytest.mark.parametrize(
    "section, data, field",
    [
        ("measurements", {"slr_left": "190", "slr_right": "60"}, "slr_left"),
        ("measurements", {"leg_length_left": "-3", "leg_length_right": "80"}, "leg_length_left"),
        (
            "measurements",
            {"calf_circumference_left": "300", "calf_circumference_right": "38"},
            "calf_circumference_left",
        ),
        ("measurements", {"knee_to_wall_left": "8"}, "knee_to_wall_right"),
        ("complaint", {**COMPLAINT, "pain": "11"}, "pain"),
        ("complaint", {**COMPLAINT, "onset": "2999-01-01"}, "onset"),
        ("palpation", {"size_cm": "2"}, "size_cm"),
        ("habits", {"sitting_hours": "25"}, "sitting_hours"),
        ("red_flags", {"swelling_sudden": "on"}, "leg_swelling"),
    ],
)
def test_bad_input_gets_a_message_on_the_field_and_saves_nothing(
    doc, patient, section, data, field
):
    assessment = start(doc, patient)
    before = (assessment.revision, assessment.section(section))
    response = save(doc, assessment, section, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assessment.refresh_from_db()
    assert (assessment.revision, assessment.section(section)) == before


def test_an_unknown_section_is_not_found(doc, patient):
    assessment = start(doc, patient)
    assert doc.get(reverse("assessments:section", args=[assessment.pk, "xray"])).status_code == 404


def test_the_front_desk_never_sees_assessments_on_the_patient_page(ours, login, doc, patient):
    start(doc, patient)
    page = login(ours.frontdesk).get(reverse("assessments:patient_detail", args=[patient.pk]))
    assert page.context["assessments"] is None
    assert "assessment-list" not in page.content.decode()
    page = doc.get(reverse("assessments:patient_detail", args=[patient.pk]))
    assert len(page.context["assessments"]) == 1


@pytest.mark.parametrize("earlier", [1, 20])
def test_the_assessment_page_query_count_does_not_grow_with_earlier_assessments(
    ours, doc, patient, django_assert_num_queries, earlier
):
    for _ in range(earlier):
        latest = _signed(doc, patient)
    current = start(doc, patient)
    save(doc, current, "measurements", SLR)
    assert current.previous_id == latest.pk
    # session, user with second factor, assessment (+patient, practitioner, previous and its
    # complaint, its own section records), its measurement rows, its complaint's qualities and
    # provokers, flags, amendments, the clinic's thresholds (for the hazards); the view goes into
    # the audit trail
    with django_assert_num_queries(8 + audit.queries_per_entry()):
        doc.get(reverse("assessments:detail", args=[current.pk]))


def test_an_out_of_range_percentage_gets_a_readable_message(doc, patient):
    assessment = start(doc, patient)
    response = save(
        doc,
        assessment,
        "measurements",
        {"weight_bearing_left": "150", "weight_bearing_right": "50"},
    )
    assert "%" in response.context["form"].errors["weight_bearing_left"][0]


def test_the_red_flag_box_speaks_japanese_by_default(doc, patient):
    assessment = start(doc, patient)
    save(doc, assessment, "measurements", SWOLLEN_WARM_CALF)
    save(doc, assessment, "red_flags", {"leg_swelling": "left", "leg_warm": "on"})
    page = doc.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "深部静脈血栓症の疑い" in page and "当日中" in page


def test_two_people_may_save_different_sections_of_one_draft(ours, doc, login, patient):
    assessment = start(doc, patient)
    opened_at = assessment.revision
    assert save(login(ours.admin), assessment, "posture", {"forward_head": "on"}).status_code == 302
    response = save(doc, assessment, "habits", {"bag_side": "right"}, revision=opened_at)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.section("posture")["forward_head"]
    assert assessment.section("habits")["bag_side"] == "right"


@pytest.mark.parametrize("section", ["complaint", "measurements"])
def test_section_and_amendment_forms_have_no_nested_form(doc, patient, section):
    signed = _signed(doc, patient)
    draft = start(doc, patient)
    for url in (
        reverse("assessments:section", args=[draft.pk, section]),
        reverse("assessments:amend", args=[signed.pk, section]),
    ):
        page = doc.get(url).content.decode()
        main = page[page.index('<form method="post" novalidate>') :]
        main = main[: main.index("</form>")]
        assert "<form" not in main[1:], url
        assert 'type="submit"' in main, url


def test_cancer_not_recorded_whether_active_is_offered_only_while_it_is_stored():
    from assessments.forms import RedFlagsForm

    fresh = RedFlagsForm(initial={})
    assert "unknown" not in [value for value, _label in fresh.fields["cancer"].choices]
    migrated = RedFlagsForm(initial={"cancer": "unknown"})
    assert "unknown" in [value for value, _label in migrated.fields["cancer"].choices]
    refused = RedFlagsForm({"cancer": "unknown"}, initial={})
    assert not refused.is_valid() and "cancer" in refused.errors


def test_a_measurements_conflict_shows_the_values_stored_now(doc, patient):
    assessment = start(doc, patient)
    opened = assessment.revision
    save(doc, assessment, "measurements", SLR)
    url = reverse("assessments:section", args=[assessment.pk, "measurements"])
    response = doc.post(url, {**SLR, "slr_left": "70", "revision": opened})
    assert response.context["conflict"] is not None
    lines = dict(response.context["conflict_lines"])
    assert any("75" in value and "55" in value for value in lines.values())
