"""The visit record's red-flag path and its visit, after review (2026-12-04): a draft screened
before the "yes" cannot close the path; a form posted after someone else started the record keeps
what was typed; a cancelled visit's record is never signed; a recorded visit's check-in is not
undone."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from assessments import visit_records
from assessments.models import VisitRecord, VisitRecordStatus
from assessments.services import save_section, start_assessment
from patients import services as patient_services
from patients.models import AppointmentStatus, CancelReason
from tests.assessments.visits import checked_in, data, planned_patient, posted, sign_red_flag_screen

pytestmark = pytest.mark.django_db
NUMBNESS = {"new_swelling_or_heat": False, "new_numbness": True, "much_worse_pain": False}


@pytest.fixture
def patient(ours):
    return planned_patient(ours.clinic, ours.practitioner)[0]


def _sign_without_screening(assessment, by):
    from assessments.services import acknowledge, sign

    for flag in assessment.flags.filter(is_current=True):
        acknowledge(flag=flag, by=by)
    return sign(assessment=assessment, by=by, today=timezone.localdate())


def test_a_draft_screened_before_the_yes_must_screen_again(ours, patient):
    draft = start_assessment(patient=patient, practitioner=ours.practitioner)
    draft = save_section(
        assessment=draft,
        section="red_flags",
        data={},
        revision=draft.revision,
        by=ours.practitioner,
        today=timezone.localdate(),
    )
    draft = save_section(
        assessment=draft,
        section="complaint",
        data={"region": "knee_back", "side": "right", "pain": 4},
        revision=draft.revision,
        by=ours.practitioner,
        today=timezone.localdate(),
    )
    record = visit_records.start(
        appointment=checked_in(patient, ours.practitioner),
        by=ours.practitioner,
        data=data(recheck=NUMBNESS),
        today=timezone.localdate(),
    )
    assert record.red_flag_assessment == draft
    _sign_without_screening(draft, ours.practitioner)  # the numbness was never screened
    record.refresh_from_db()
    assert record.red_flag_path_open
    with pytest.raises(visit_records.VisitRecordError, match="red_flag_path_open"):
        visit_records.sign(record=record, by=ours.practitioner)


def test_a_red_flag_screen_saved_after_the_yes_closes_the_path(ours, patient):
    draft = start_assessment(patient=patient, practitioner=ours.practitioner)
    record = visit_records.start(
        appointment=checked_in(patient, ours.practitioner),
        by=ours.practitioner,
        data=data(recheck=NUMBNESS),
        today=timezone.localdate(),
    )
    sign_red_flag_screen(draft, ours.practitioner)
    record.refresh_from_db()
    assert not record.red_flag_path_open
    assert visit_records.sign(record=record, by=ours.practitioner).is_signed


def test_a_yes_posted_after_someone_else_started_the_record_is_kept_on_the_page(
    ours, patient, login
):
    visit = checked_in(patient, ours.practitioner)
    first = visit_records.start(
        appointment=visit, by=ours.admin, data=data(), today=timezone.localdate()
    )
    client = login(ours.practitioner)
    url = reverse("assessments:record_visit", args=[visit.pk])
    response = client.post(url, posted(new_numbness="yes", pain_before="8"))
    assert response.status_code == 200  # the clash is shown, not a redirect that drops it
    page = response.content.decode()
    assert 'value="8"' in page or "8" in response.context["form"].data.get("pain_before", "")
    assert response.context["form"].data["new_numbness"] == "yes"
    first.refresh_from_db()
    assert first.new_numbness is False and first.pain_before == 5  # nothing saved half-way
    assert VisitRecord.objects.filter(appointment=visit).count() == 1


def test_a_form_posted_after_the_record_was_signed_keeps_what_was_typed(ours, patient, login):
    visit = checked_in(patient, ours.practitioner)
    visit_records.start(
        appointment=visit, by=ours.admin, data=data(), today=timezone.localdate(), sign_it=True
    )
    client = login(ours.practitioner)
    url = reverse("assessments:record_visit", args=[visit.pk])
    response = client.post(url, posted(new_swelling_or_heat="yes"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert response.context["form"].data["new_swelling_or_heat"] == "yes"


def test_starting_a_second_record_of_a_visit_is_refused(ours, patient):
    visit = checked_in(patient, ours.practitioner)
    visit_records.start(appointment=visit, by=ours.admin, data=data(), today=timezone.localdate())
    with pytest.raises(visit_records.VisitRecordError, match="already_recorded"):
        visit_records.start(
            appointment=visit, by=ours.practitioner, data=data(), today=timezone.localdate()
        )


def test_a_cancelled_visits_record_is_kept_but_never_signed(ours, patient, login):
    visit = checked_in(patient, ours.practitioner)
    record = visit_records.start(
        appointment=visit, by=ours.practitioner, data=data(), today=timezone.localdate()
    )
    patient_services.cancel_appointment(
        appointment=visit, reason=CancelReason.PATIENT, note="", by=ours.frontdesk
    )
    with pytest.raises(visit_records.VisitRecordError, match="not_recordable"):
        visit_records.sign(record=record, by=ours.practitioner)
    with pytest.raises(visit_records.VisitRecordError, match="not_recordable"):
        visit_records.save_draft(
            record=record,
            data=data(pain_before=2),
            revision=record.revision,
            by=ours.practitioner,
            today=timezone.localdate(),
        )
    record.refresh_from_db()
    assert record.status == VisitRecordStatus.DRAFT and record.pain_before == 5
    response = login(ours.practitioner).post(
        reverse("assessments:visit_record_sign", args=[record.pk]), follow=True
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.status == VisitRecordStatus.DRAFT


def test_a_recorded_visits_check_in_is_not_undone(ours, patient):
    visit = checked_in(patient, ours.practitioner)
    visit.start = timezone.now()
    visit.end = visit.start + timezone.timedelta(minutes=45)
    visit.save()
    visit_records.start(
        appointment=visit, by=ours.practitioner, data=data(), today=timezone.localdate()
    )
    with pytest.raises(PermissionDenied):
        patient_services.change_status(
            appointment=visit, target=AppointmentStatus.BOOKED, by=ours.frontdesk
        )
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CHECKED_IN


def test_a_visit_without_a_record_can_still_have_its_check_in_undone(ours, patient):
    visit = checked_in(patient, ours.practitioner)
    visit.start = timezone.now()
    visit.end = visit.start + timezone.timedelta(minutes=45)
    visit.save()
    undone = patient_services.change_status(
        appointment=visit, target=AppointmentStatus.BOOKED, by=ours.frontdesk
    )
    assert undone.status == AppointmentStatus.BOOKED
