"""The visit record (施術記録): written for a visit in the clinic, signed, amended; a "yes" in
its red-flag re-check opens the assessment's red-flag path and is never lost."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments import visit_records
from assessments.models import (
    Assessment,
    AssessmentStatus,
    ExerciseLog,
    HomeCare,
    VisitRecord,
    VisitRecordAmendment,
    VisitRecordStatus,
)
from assessments.services import start_assessment
from clinic.models import AuditEntry
from patients.models import AppointmentStatus
from tests.assessments.visits import (
    checked_in,
    clinic_items,
    data,
    planned_patient,
    posted,
    sign_red_flag_screen,
)
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def planned(ours):
    patient, plan = planned_patient(ours.clinic, ours.practitioner)
    items = {item.code: item for item in clinic_items(plan)}
    return patient, plan, items


def _visit(ours, patient, **fields):
    return checked_in(patient, ours.practitioner, **fields)


def _today_visit(ours, patient, status=AppointmentStatus.CHECKED_IN):
    now = timezone.localtime().replace(second=0, microsecond=0)
    return AppointmentFactory(
        patient=patient,
        practitioner=ours.practitioner,
        start=now,
        end=now + dt.timedelta(minutes=45),
        status=status,
    )


# Writing and signing ------------------------------------------------------------------------


def test_a_routine_visit_is_signed_with_two_plan_items_ticked(ours, planned):
    patient, plan, items = planned
    visit = _visit(ours, patient)
    ticked = {
        items["hamstring_release"].pk: {"side": "right", "note": "右が硬い"},
        items["pelvic_alignment"].pk: {"side": "", "note": ""},
    }
    record = visit_records.start(
        appointment=visit,
        by=ours.practitioner,
        data=data(items=ticked),
        today=TODAY(),
        sign_it=True,
    )
    record.refresh_from_db()
    assert record.status == VisitRecordStatus.SIGNED and record.signed_by == ours.practitioner
    assert record.signed_at is not None and record.plan == plan
    rows = {row.plan_item.code: row for row in record.items.all()}
    assert set(rows) == {"hamstring_release", "pelvic_alignment"}
    assert (rows["hamstring_release"].side, rows["hamstring_release"].note) == ("right", "右が硬い")
    frozen = {entry["code"]: entry for entry in record.signed_items["items"]}
    assert frozen["hamstring_release"]["label"]["ja"] == items["hamstring_release"].label
    assert record.signed_items["plan_version"] == plan.version
    assert record.red_flag_assessment is None


def test_a_record_may_be_saved_as_a_draft_and_signed_later(ours, planned):
    patient, _plan, _items = planned
    record = visit_records.start(
        appointment=_visit(ours, patient), by=ours.practitioner, data=data(), today=TODAY()
    )
    assert record.status == VisitRecordStatus.DRAFT
    signed = visit_records.sign(record=record, by=ours.admin)
    assert signed.is_signed and signed.signed_by == ours.admin
    with pytest.raises(visit_records.VisitRecordError):
        visit_records.sign(record=record, by=ours.admin)


def test_one_record_per_visit_and_none_before_the_patient_is_here(ours, planned):
    patient, _plan, _items = planned
    visit = _visit(ours, patient)
    visit_records.start(appointment=visit, by=ours.practitioner, data=data(), today=TODAY())
    with pytest.raises(visit_records.VisitRecordError, match="already_recorded"):
        visit_records.start(appointment=visit, by=ours.practitioner, data=data(), today=TODAY())
    booked = _visit(ours, patient, status=AppointmentStatus.BOOKED)
    with pytest.raises(visit_records.VisitRecordError, match="not_recordable"):
        visit_records.start(appointment=booked, by=ours.practitioner, data=data(), today=TODAY())


def test_a_finished_visit_without_a_record_can_still_get_one(ours, planned):
    patient, _plan, _items = planned
    done = _visit(ours, patient, status=AppointmentStatus.COMPLETED)
    record = visit_records.start(appointment=done, by=ours.practitioner, data=data(), today=TODAY())
    assert record.appointment == done


@pytest.mark.parametrize(
    "bad",
    [
        {"pain_before": 11},
        {"pain_before": None},
        {"pain_after": 12},
        {"response": "fine"},
        {"home_care": ""},
        {"other_work": "x" * 301},
        {"recheck": {"new_swelling_or_heat": "maybe"}},
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(ours, planned, bad):
    patient, _plan, _items = planned
    visit = _visit(ours, patient)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        visit_records.start(
            appointment=visit, by=ours.practitioner, data=data(**bad), today=TODAY()
        )
    assert not VisitRecord.objects.exists()
    assert AuditEntry.objects.count() == before


def test_an_item_of_another_patients_plan_is_refused(ours, planned):
    patient, _plan, _items = planned
    _other, other_plan = planned_patient(ours.clinic, ours.practitioner)
    foreign = clinic_items(other_plan)[0]
    with pytest.raises(ValidationError):
        visit_records.start(
            appointment=_visit(ours, patient),
            by=ours.practitioner,
            data=data(items={foreign.pk: {"side": "both", "note": ""}}),
            today=TODAY(),
        )
    assert not VisitRecord.objects.exists()


def test_a_side_the_plan_does_not_give_is_refused(ours, planned):
    patient, _plan, items = planned
    with pytest.raises(ValidationError):
        visit_records.start(
            appointment=_visit(ours, patient),
            by=ours.practitioner,
            data=data(items={items["pelvic_alignment"].pk: {"side": "left", "note": ""}}),
            today=TODAY(),
        )


def test_a_record_is_never_deleted(ours, planned):
    patient, _plan, _items = planned
    record = visit_records.start(
        appointment=_visit(ours, patient), by=ours.practitioner, data=data(), today=TODAY()
    )
    with pytest.raises(ValueError):
        record.delete()
    assert VisitRecord.objects.filter(pk=record.pk).exists()


# The red-flag re-check ----------------------------------------------------------------------


def test_new_swelling_opens_an_assessment_of_this_visit_and_blocks_a_routine_signature(
    ours, planned
):
    patient, _plan, _items = planned
    visit = _visit(ours, patient)
    answers = {"new_swelling_or_heat": True, "new_numbness": False, "much_worse_pain": False}
    record = visit_records.start(
        appointment=visit,
        by=ours.practitioner,
        data=data(recheck=answers),
        today=TODAY(),
        sign_it=True,
    )
    record.refresh_from_db()
    assert record.status == VisitRecordStatus.DRAFT  # not signed as a routine visit
    opened = record.red_flag_assessment
    assert opened.status == AssessmentStatus.DRAFT and opened.appointment == visit
    assert opened.previous is not None  # started from the last signed assessment
    with pytest.raises(visit_records.VisitRecordError, match="red_flag_path_open"):
        visit_records.sign(record=record, by=ours.practitioner)

    sign_red_flag_screen(opened, ours.practitioner)
    signed = visit_records.sign(record=record, by=ours.practitioner)
    assert signed.is_signed
    assert signed.signed_items["red_flag"]["raised"] == ["new_swelling_or_heat"]
    assert signed.signed_items["red_flag"]["assessment"] == opened.pk


def test_a_yes_continues_the_patients_draft_assessment(ours, planned):
    patient, _plan, _items = planned
    draft = start_assessment(patient=patient, practitioner=ours.practitioner)
    record = visit_records.start(
        appointment=_visit(ours, patient),
        by=ours.practitioner,
        data=data(
            recheck={"new_swelling_or_heat": False, "new_numbness": True, "much_worse_pain": False}
        ),
        today=TODAY(),
    )
    assert record.red_flag_assessment == draft
    assert Assessment.objects.filter(patient=patient, status=AssessmentStatus.DRAFT).count() == 1


def test_a_yes_cannot_be_taken_back_in_the_draft(ours, planned):
    patient, _plan, _items = planned
    yes = {"new_swelling_or_heat": False, "new_numbness": False, "much_worse_pain": True}
    record = visit_records.start(
        appointment=_visit(ours, patient),
        by=ours.practitioner,
        data=data(recheck=yes),
        today=TODAY(),
    )
    with pytest.raises(ValidationError):
        visit_records.save_draft(
            record=record,
            data=data(pain_before=2),
            revision=record.revision,
            by=ours.practitioner,
            today=TODAY(),
        )
    record.refresh_from_db()
    assert record.much_worse_pain is True and record.pain_before == 5


def test_a_draft_with_an_unanswered_question_is_kept_but_never_signed(ours, planned):
    patient, _plan, _items = planned
    record = visit_records.start(
        appointment=_visit(ours, patient),
        by=ours.practitioner,
        data=data(recheck={"new_swelling_or_heat": False}),
        today=TODAY(),
        sign_it=True,
    )
    assert not record.is_signed
    with pytest.raises(visit_records.VisitRecordError, match="unanswered"):
        visit_records.sign(record=record, by=ours.practitioner)


def test_a_stale_draft_save_is_a_conflict(ours, planned):
    patient, _plan, _items = planned
    record = visit_records.start(
        appointment=_visit(ours, patient), by=ours.practitioner, data=data(), today=TODAY()
    )
    opened_at = record.revision
    visit_records.save_draft(
        record=record, data=data(pain_before=4), revision=opened_at, by=ours.admin, today=TODAY()
    )
    with pytest.raises(visit_records.EditConflict):
        visit_records.save_draft(
            record=record,
            data=data(pain_before=6),
            revision=opened_at,
            by=ours.practitioner,
            today=TODAY(),
        )


# Amendment -----------------------------------------------------------------------------------


def _signed(ours, patient, items):
    ticked = {items["hamstring_release"].pk: {"side": "both", "note": ""}}
    return visit_records.start(
        appointment=_visit(ours, patient),
        by=ours.practitioner,
        data=data(items=ticked),
        today=TODAY(),
        sign_it=True,
    )


def test_an_amendment_keeps_who_when_why_before_and_after(ours, planned):
    patient, _plan, items = planned
    record = _signed(ours, patient, items)
    changed = data(
        pain_after=2,
        items={
            items["hamstring_release"].pk: {"side": "right", "note": "右のみ"},
            items["ankle_mobilisation"].pk: {"side": "both", "note": ""},
        },
    )
    amendment = visit_records.amend(
        record=record, data=changed, reason="記入漏れ", revision=record.revision, by=ours.admin
    )
    assert amendment.made_by == ours.admin and amendment.reason == "記入漏れ"
    assert amendment.before["pain_after"] == 3 and amendment.after["pain_after"] == 2
    assert set(amendment.after["items"]) == {
        str(items["hamstring_release"].pk),
        str(items["ankle_mobilisation"].pk),
    }
    record.refresh_from_db()
    assert record.pain_after == 2 and record.is_signed
    assert {row.plan_item.code for row in record.items.all()} == {
        "hamstring_release",
        "ankle_mobilisation",
    }


def test_an_amendment_needs_a_reason_and_an_unchanged_one_records_nothing(ours, planned):
    patient, _plan, items = planned
    record = _signed(ours, patient, items)
    with pytest.raises(ValidationError):
        visit_records.amend(
            record=record,
            data=data(pain_after=1),
            reason=" ",
            revision=record.revision,
            by=ours.admin,
        )
    same = data(items={items["hamstring_release"].pk: {"side": "both", "note": ""}})
    assert (
        visit_records.amend(
            record=record, data=same, reason="確認", revision=record.revision, by=ours.admin
        )
        is None
    )
    assert not VisitRecordAmendment.objects.exists()


def test_the_recheck_of_a_signed_record_is_not_amended(ours, planned):
    patient, _plan, items = planned
    record = _signed(ours, patient, items)
    yes = {"new_swelling_or_heat": True, "new_numbness": False, "much_worse_pain": False}
    with pytest.raises(ValidationError):
        visit_records.amend(
            record=record,
            data=data(recheck=yes),
            reason="後から",
            revision=record.revision,
            by=ours.admin,
        )
    with pytest.raises(visit_records.VisitRecordError):
        visit_records.save_draft(
            record=record, data=data(), revision=record.revision, by=ours.admin, today=TODAY()
        )


# Home care and the next visit -----------------------------------------------------------


def test_the_portal_log_suggests_the_home_care_answer_and_the_plan_the_next_visit(ours, planned):
    patient, plan, _items = planned
    visit = _visit(ours, patient)
    day = timezone.localtime(visit.start).date()
    plan.published_at = timezone.now() - dt.timedelta(days=30)
    plan.save(update_fields=["published_at"])
    for back in range(1, 6):
        ExerciseLog.objects.create(
            patient=patient,
            plan=plan,
            item_code="towel_stretch",
            day=day - dt.timedelta(days=back),
            done=True,
        )
    hints = visit_records.suggestions(visit, plan)
    assert hints["home_log"] == (5, 7)
    assert hints["home_care"] == HomeCare.PARTLY
    assert hints["next_visit_on"] == day + dt.timedelta(days=plan.visit_interval_days)
    record = visit_records.start(
        appointment=visit, by=ours.practitioner, data=data(), today=TODAY()
    )
    assert (record.home_log_days_done, record.home_log_days) == (5, 7)


def test_without_a_plan_nothing_is_suggested_and_nothing_can_be_ticked(ours):
    visit = _visit(ours, ours.other_patient)
    hints = visit_records.suggestions(visit, None)
    assert hints["home_care"] is None and hints["next_visit_on"] is None
    record = visit_records.start(
        appointment=visit, by=ours.practitioner, data=data(), today=TODAY()
    )
    assert record.plan is None and not record.items.exists()


# Audit trail -------------------------------------------------------------------------------


def test_writing_signing_and_amending_go_into_the_trail_with_the_patient(ours, planned):
    patient, _plan, items = planned
    record = _signed(ours, patient, items)
    visit_records.amend(
        record=record,
        data=data(pain_after=1),
        reason="訂正",
        revision=record.revision,
        by=ours.admin,
    )
    kinds = set(
        AuditEntry.objects.filter(patient=patient).values_list("content_type__model", flat=True)
    )
    assert {"visitrecord", "visitrecorditem", "visitrecordamendment"} <= kinds


# The pages ------------------------------------------------------------------------------------


def _form_url(visit):
    return reverse("assessments:record_visit", args=[visit.pk])


def test_the_form_has_radio_buttons_for_pain_and_a_row_per_in_clinic_item(ours, planned, login):
    patient, _plan, items = planned
    page = login(ours.practitioner).get(_form_url(_visit(ours, patient))).content.decode()
    assert page.count('type="radio" name="pain_before"') == 11
    assert "<select" not in page.split('id="visit-record-form"')[1].split("</form>")[0]
    for item in items.values():
        assert f'name="item-{item.pk}-done"' in page
    assert page.count('name="item-{}-side"'.format(items["hamstring_release"].pk)) == 3
    assert 'name="item-{}-side"'.format(items["pelvic_alignment"].pk) not in page


def test_a_missing_answer_is_shown_beside_it_keeps_what_was_typed_and_saves_nothing(
    ours, planned, login
):
    patient, _plan, _items = planned
    visit = _visit(ours, patient)
    form = posted(new_numbness=None, other_work="足首の調整")
    response = login(ours.practitioner).post(_form_url(visit), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_new_numbness-error"' in page
    assert 'value="足首の調整"' in page
    assert 'value="5" class="btn-check" id="id_pain_before_5" required checked' in page
    assert not VisitRecord.objects.exists()


def test_a_note_without_its_tick_is_refused_beside_the_item(ours, planned, login):
    patient, _plan, items = planned
    pk = items["ankle_mobilisation"].pk
    response = login(ours.practitioner).post(
        _form_url(_visit(ours, patient)), posted(**{f"item-{pk}-note": "痛み"})
    )
    assert response.status_code == 200 and not VisitRecord.objects.exists()
    with translation.override("ja"):
        assert _("Tick the item to keep its note.") in response.content.decode()


def test_saving_and_signing_goes_to_the_timeline_where_the_record_shows(ours, planned, login):
    patient, _plan, items = planned
    client = login(ours.practitioner)
    h, p = items["hamstring_release"].pk, items["pelvic_alignment"].pk
    form = posted(
        sign="1",
        **{f"item-{h}-done": "on", f"item-{h}-side": "left", f"item-{p}-done": "on"},
    )
    response = client.post(_form_url(_visit(ours, patient)), form)
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("assessments:patient_detail", args=[patient.pk]) + "#timeline"
    )
    record = VisitRecord.objects.get()
    assert record.is_signed and record.items.count() == 2
    page = client.get(response["Location"]).content.decode()
    timeline = page.split('id="timeline-list"')[1].split("</ol>")[0]
    assert reverse("assessments:visit_record", args=[record.pk]) in timeline
    assert items["hamstring_release"].label_text in timeline


def test_a_yes_sends_the_practitioner_to_the_red_flag_section_and_shows_on_their_home(
    ours, planned, login
):
    patient, _plan, _items = planned
    client = login(ours.practitioner)
    visit = _today_visit(ours, patient)
    response = client.post(_form_url(visit), posted(sign="1", new_swelling_or_heat="yes"))
    record = VisitRecord.objects.get()
    assert not record.is_signed
    assert response["Location"] == reverse(
        "assessments:section", args=[record.red_flag_assessment_id, "red_flags"]
    )
    home = client.get(reverse("assessments:practitioner_home")).content.decode()
    assert 'id="visit-red-flags"' in home and patient.full_name in home
    detail = client.get(reverse("assessments:visit_record", args=[record.pk])).content.decode()
    assert 'id="sign-blocked"' in detail

    sign_red_flag_screen(record.red_flag_assessment, ours.practitioner)
    home = client.get(reverse("assessments:practitioner_home")).content.decode()
    assert 'id="visit-red-flags"' not in home
    assert (
        client.post(reverse("assessments:visit_record_sign", args=[record.pk])).status_code == 302
    )
    record.refresh_from_db()
    assert record.is_signed


def test_the_practitioners_home_offers_the_record_for_a_checked_in_visit(ours, planned, login):
    patient, _plan, _items = planned
    visit = _today_visit(ours, patient)
    booked = _today_visit(ours, ours.other_patient, status=AppointmentStatus.BOOKED)
    home = login(ours.practitioner).get(reverse("assessments:practitioner_home")).content.decode()
    assert _form_url(visit) in home and _form_url(booked) not in home


def test_the_desk_sees_that_a_record_is_signed_and_nothing_of_what_it_says(ours, planned, login):
    patient, _plan, items = planned
    record = _signed(ours, patient, items)
    record.notes = "ご本人の話: 仕事で長時間座る"
    desk = login(ours.frontdesk)
    assert desk.get(reverse("assessments:visit_record", args=[record.pk])).status_code == 403
    assert desk.get(_form_url(record.appointment)).status_code == 403
    page = desk.get(reverse("assessments:patient_detail", args=[patient.pk])).content.decode()
    assert 'id="timeline"' not in page
    assert items["hamstring_release"].label_text not in page
    with translation.override("ja"):
        assert _("Visit record: signed") in page


def test_an_open_record_is_reached_again_from_its_visit(ours, planned, login):
    patient, _plan, _items = planned
    visit = _visit(ours, patient)
    record = visit_records.start(
        appointment=visit, by=ours.practitioner, data=data(), today=TODAY()
    )
    client = login(ours.practitioner)
    assert client.get(_form_url(visit))["Location"] == reverse(
        "assessments:visit_record_edit", args=[record.pk]
    )
    visit_records.sign(record=record, by=ours.practitioner)
    assert client.get(_form_url(visit))["Location"] == reverse(
        "assessments:visit_record", args=[record.pk]
    )


def test_the_amendment_page_records_an_amendment_with_its_reason(ours, planned, login):
    patient, _plan, items = planned
    record = _signed(ours, patient, items)
    h = items["hamstring_release"].pk
    form = posted(
        pain_after="1",
        reason="聞き違い",
        revision=str(record.revision),
        **{f"item-{h}-done": "on", f"item-{h}-side": "both"},
    )
    client = login(ours.practitioner)
    response = client.post(reverse("assessments:visit_record_amend", args=[record.pk]), form)
    assert response.status_code == 302
    amendment = VisitRecordAmendment.objects.get()
    assert amendment.reason == "聞き違い" and amendment.after["pain_after"] == 1
    without = client.post(
        reverse("assessments:visit_record_amend", args=[record.pk]),
        {**form, "reason": "", "revision": str(record.revision + 1)},
    )
    assert without.status_code == 200 and VisitRecordAmendment.objects.count() == 1


def test_viewing_a_record_goes_into_the_trail(ours, planned, login):
    patient, _plan, items = planned
    record = _signed(ours, patient, items)
    login(ours.practitioner).get(reverse("assessments:visit_record", args=[record.pk]))
    assert AuditEntry.objects.filter(
        patient=patient, action=AuditEntry.Action.ACCESS, content_type__model="visitrecord"
    ).exists()


def test_a_tick_posted_for_another_patients_plan_item_saves_nothing_of_it(ours, planned, login):
    patient, _plan, _items = planned
    _other, other_plan = planned_patient(ours.clinic, ours.practitioner)
    foreign = clinic_items(other_plan)[0].pk
    form = posted(sign="1", **{f"item-{foreign}-done": "on", f"item-{foreign}-side": "both"})
    login(ours.practitioner).post(_form_url(_visit(ours, patient)), form)
    record = VisitRecord.objects.get()
    assert not record.items.exists()
    assert not other_plan.items.filter(visit_record_items__isnull=False).exists()


def _page_queries(client, patient):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("assessments:patient_detail", args=[patient.pk])
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as counted:
        assert client.get(url).status_code == 200
    return len(counted.captured_queries)


def test_the_patient_page_costs_the_same_queries_for_2_or_8_visit_records(ours, login):
    client = login(ours.practitioner)
    counts = []
    for count in (2, 8):
        patient, plan = planned_patient(ours.clinic, ours.practitioner)
        items = clinic_items(plan)
        for _n in range(count):
            visit_records.start(
                appointment=checked_in(patient, ours.practitioner),
                by=ours.practitioner,
                data=data(items={items[1].pk: {"side": "both", "note": ""}}),
                today=TODAY(),
                sign_it=True,
            )
        counts.append(_page_queries(client, patient))
    assert counts[0] == counts[1]
