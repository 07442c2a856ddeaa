"""The recall list (issue 15, item 5): who is on it around each edge, the e-mail and the noted
call, who may use them, and a query count that does not grow with the list."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import recall
from assessments.models import CarePlan, PlanStatus, VisitRecord, VisitRecordStatus
from clinic.models import AuditEntry, Role
from patients import checkout
from patients.models import AppointmentStatus, RecallContact, Ticket
from tests.factories import AppointmentFactory, PatientFactory, UserFactory
from tests.patients.till import cast_package

TODAY = timezone.localdate()
URL = reverse("assessments:recall_list")


def at_noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def seen(patient, practitioner, days_ago, status=AppointmentStatus.COMPLETED):
    day = TODAY - dt.timedelta(days=days_ago)
    return AppointmentFactory(
        patient=patient,
        practitioner=practitioner,
        start=at_noon(day),
        end=at_noon(day) + dt.timedelta(minutes=30),
        status=status,
    )


def plan_every(ours, patient, days):
    """A published plan for `patient` asking for a visit every `days` days."""
    fields = {
        f.name: getattr(ours.plan, f.name)
        for f in CarePlan._meta.concrete_fields
        if f.name not in {"id", "patient", "version", "visit_interval_days"}
    }
    return CarePlan.objects.create(**fields, patient=patient, version=1, visit_interval_days=days)


def signed_record(visit, *, next_visit_on):
    return VisitRecord.objects.create(
        clinic=visit.clinic,
        patient=visit.patient,
        appointment=visit,
        practitioner=visit.practitioner,
        status=VisitRecordStatus.SIGNED,
        pain_before=3,
        response="better",
        home_care="as_planned",
        next_visit_on=next_visit_on,
        new_swelling_or_heat=False,
        new_numbness=False,
        much_worse_pain=False,
        created_by=visit.practitioner,
        signed_at=visit.end,
        signed_by=visit.practitioner,
    )


def lapsed(ours, *, days_ago, every, practitioner=None, **patient_fields):
    """A patient last seen `days_ago` days ago on a plan of a visit every `every` days: overdue
    by days_ago - every days."""
    patient = PatientFactory(clinic=ours.clinic, **patient_fields)
    seen(patient, practitioner or ours.practitioner, days_ago)
    plan_every(ours, patient, every)
    return patient


def ticket_for(ours, patient, *, valid_until):
    sale = checkout.checkout(
        patient=patient,
        charge=checkout.Charge(package=cast_package(ours), method="card"),
        by=ours.frontdesk,
    )
    ticket = sale.lines.get(kind="ticket_sale").ticket_sold
    Ticket.objects.filter(pk=ticket.pk).update(valid_until=valid_until)
    ticket.refresh_from_db()
    return ticket


def listed(ours, *, practitioner_id=None):
    found = recall.recall_list(
        recall.Scope(clinic_id=ours.clinic.pk, practitioner_id=practitioner_id), today=TODAY
    )
    return (
        {row.patient: row for row in found["overdue"]},
        {row.patient: row for row in found["tickets"]},
    )


# Who is on the list -----------------------------------------------------------------------


def test_overdue_by_more_than_7_days_is_listed_and_by_7_is_not(ours):
    eight = lapsed(ours, days_ago=22, every=14)
    seven = lapsed(ours, days_ago=21, every=14)
    overdue, _ = listed(ours)
    assert eight in overdue and seven not in overdue
    row = overdue[eight]
    assert (row.overdue_days, row.due_on) == (8, TODAY - dt.timedelta(days=8))
    assert row.last_visit == TODAY - dt.timedelta(days=22)


def test_the_last_completed_visit_counts_not_a_cancelled_one(ours):
    patient = lapsed(ours, days_ago=30, every=14)
    seen(patient, ours.practitioner, 5, status=AppointmentStatus.CANCELLED)
    overdue, _ = listed(ours)
    assert overdue[patient].last_visit == TODAY - dt.timedelta(days=30)


def test_a_visit_booked_from_today_on_takes_the_patient_off(ours):
    booked = lapsed(ours, days_ago=40, every=14)
    AppointmentFactory(patient=booked, practitioner=ours.practitioner)  # in two days
    later_today = lapsed(ours, days_ago=40, every=14)
    start = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(23, 30)))
    AppointmentFactory(
        patient=later_today,
        practitioner=ours.practitioner,
        start=start,
        end=start + dt.timedelta(minutes=20),
    )
    forgotten = lapsed(ours, days_ago=40, every=14)
    seen(forgotten, ours.practitioner, 3, status=AppointmentStatus.BOOKED)  # past, never came
    overdue, _ = listed(ours)
    assert booked not in overdue and later_today not in overdue
    assert forgotten in overdue


def test_archived_patients_are_never_listed(ours):
    patient = lapsed(ours, days_ago=40, every=14, is_archived=True)
    ticket_for(ours, patient, valid_until=TODAY + dt.timedelta(days=3))
    overdue, tickets = listed(ours)
    assert patient not in overdue and patient not in tickets


def test_without_a_plan_interval_or_a_suggested_date_nobody_is_due(ours):
    patient = PatientFactory(clinic=ours.clinic)
    seen(patient, ours.practitioner, 200)
    overdue, _ = listed(ours)
    assert patient not in overdue


def test_the_visit_records_suggested_date_wins_over_the_plans_interval(ours):
    # the plan says every 14 days (overdue by 16), the practitioner said come back in 28 days
    patient = lapsed(ours, days_ago=30, every=14)
    last = patient.appointments.get()
    signed_record(last, next_visit_on=TODAY - dt.timedelta(days=2))
    later = lapsed(ours, days_ago=60, every=14)
    signed_record(later.appointments.get(), next_visit_on=TODAY - dt.timedelta(days=10))
    overdue, _ = listed(ours)
    assert patient not in overdue  # due 2 days ago by the record
    assert overdue[later].overdue_days == 10


def test_a_suggested_date_from_before_the_last_visit_is_stale(ours):
    patient = PatientFactory(clinic=ours.clinic)
    earlier = seen(patient, ours.practitioner, 50)
    signed_record(earlier, next_visit_on=TODAY - dt.timedelta(days=45))
    seen(patient, ours.practitioner, 30)  # came, no record: the plan's interval applies
    plan_every(ours, patient, 14)
    overdue, _ = listed(ours)
    assert overdue[patient].overdue_days == 16


def test_a_suggested_date_alone_is_enough_without_a_plan(ours):
    patient = PatientFactory(clinic=ours.clinic)
    signed_record(seen(patient, ours.practitioner, 30), next_visit_on=TODAY - dt.timedelta(days=9))
    overdue, _ = listed(ours)
    assert overdue[patient].overdue_days == 9


def test_a_ticket_expiring_within_30_days_is_listed_and_in_31_is_not(ours):
    soon, later, today, gone = (PatientFactory(clinic=ours.clinic) for _ in range(4))
    ticket_for(ours, soon, valid_until=TODAY + dt.timedelta(days=30))
    ticket_for(ours, later, valid_until=TODAY + dt.timedelta(days=31))
    ticket_for(ours, today, valid_until=TODAY)
    ticket_for(ours, gone, valid_until=TODAY - dt.timedelta(days=1))
    _, tickets = listed(ours)
    assert soon in tickets and today in tickets
    assert later not in tickets and gone not in tickets
    assert tickets[soon].ticket.visits_left == 5


def test_a_used_up_or_closed_ticket_is_not_listed(ours):
    used, closed = PatientFactory(clinic=ours.clinic), PatientFactory(clinic=ours.clinic)
    for patient in (used, closed):
        ticket_for(ours, patient, valid_until=TODAY + dt.timedelta(days=5))
    Ticket.objects.filter(patient=used).update(visits_left=0)
    Ticket.objects.filter(patient=closed).update(closed_at=timezone.now())
    _, tickets = listed(ours)
    assert used not in tickets and closed not in tickets


def test_a_ticket_row_shows_the_next_booking_and_stays(ours):
    patient = PatientFactory(clinic=ours.clinic)
    ticket_for(ours, patient, valid_until=TODAY + dt.timedelta(days=10))
    booking = AppointmentFactory(patient=patient, practitioner=ours.practitioner)
    _, tickets = listed(ours)
    assert tickets[patient].booked_on == timezone.localdate(booking.start)


def test_a_patient_contacted_in_the_last_7_days_is_greyed_but_stays(ours, login):
    recent = lapsed(ours, days_ago=40, every=14)
    older = lapsed(ours, days_ago=40, every=14)
    for patient, days_ago in ((recent, 6), (older, 7)):
        RecallContact.objects.create(
            clinic=ours.clinic,
            patient=patient,
            channel="phone",
            reason="overdue",
            note="留守電",
            contacted_at=timezone.now() - dt.timedelta(days=days_ago),
            contacted_by=ours.frontdesk,
        )
    overdue, _ = listed(ours)
    assert overdue[recent].contacted_recently and not overdue[older].contacted_recently
    assert overdue[older].last_contact.note == "留守電"
    page = login(ours.frontdesk).get(URL).content.decode()
    assert page.count("recall-contacted") == 1


# The page and who sees what ---------------------------------------------------------------


def test_the_desk_sees_the_clinics_list_with_both_actions(ours, login):
    patient = lapsed(ours, days_ago=30, every=14, email="taro@example.jp")
    page = login(ours.frontdesk).get(URL).content.decode()
    assert patient.full_name in page
    assert reverse("assessments:recall_email", args=[patient.pk]) in page
    assert reverse("assessments:recall_call", args=[patient.pk]) in page


def test_a_practitioner_sees_only_the_patients_they_saw_last(ours, login):
    colleague = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER, username="recall-dr2")
    mine = lapsed(ours, days_ago=30, every=14)
    theirs = lapsed(ours, days_ago=30, every=14, practitioner=colleague)
    ticket_for(ours, theirs, valid_until=TODAY + dt.timedelta(days=3))
    response = login(ours.practitioner).get(URL)
    page = response.content.decode()
    assert mine.full_name in page and theirs.full_name not in page
    assert 'id="recall-own-only"' in page
    overdue, tickets = listed(ours, practitioner_id=colleague.pk)
    assert theirs in overdue and theirs in tickets and mine not in overdue


def test_a_patient_may_not_see_the_list(ours, login):
    assert login(ours.patient_user).get(URL).status_code == 403


def _queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_list_runs_as_many_queries_for_30_rows_as_for_3(ours, login):
    client = login(ours.frontdesk)
    for number in range(3):
        patient = lapsed(ours, days_ago=30 + number, every=14)
        ticket_for(ours, patient, valid_until=TODAY + dt.timedelta(days=5))
        RecallContact.objects.create(
            clinic=ours.clinic,
            patient=patient,
            channel="phone",
            reason="overdue",
            contacted_at=timezone.now(),
            contacted_by=ours.frontdesk,
        )
    _queries(client)
    few = _queries(client)
    for number in range(27):
        patient = lapsed(ours, days_ago=30 + number, every=14, email=f"p{number}@example.jp")
        ticket_for(ours, patient, valid_until=TODAY + dt.timedelta(days=5))
        RecallContact.objects.create(
            clinic=ours.clinic,
            patient=patient,
            channel="email",
            reason="overdue",
            contacted_at=timezone.now(),
            contacted_by=ours.frontdesk,
        )
    response = client.get(URL)
    assert len(response.context["lists"]["overdue"]) == 30
    assert _queries(client) == few


# Contacting -------------------------------------------------------------------------------


def email_url(patient):
    return reverse("assessments:recall_email", args=[patient.pk])


def call_url(patient):
    return reverse("assessments:recall_call", args=[patient.pk])


def test_an_email_is_recorded_and_sent_in_japanese_after_the_commit(
    ours, login, django_capture_on_commit_callbacks
):
    patient = lapsed(ours, days_ago=30, every=14, email="taro@example.jp")
    client = login(ours.frontdesk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(email_url(patient), {"reason": "overdue"})
    assert response.status_code == 302 and len(callbacks) == 1
    contact = RecallContact.objects.get(patient=patient)
    assert (contact.channel, contact.reason, contact.contacted_by) == (
        "email",
        "overdue",
        ours.frontdesk,
    )
    assert [message.to for message in mail.outbox] == [["taro@example.jp"]]
    body = mail.outbox[0].body
    assert patient.full_name in body and ours.clinic.name in mail.outbox[0].subject
    assert AuditEntry.objects.filter(
        content_type__model="recallcontact", object_pk=str(contact.pk), action=0
    ).exists()
    overdue, _ = listed(ours)
    assert overdue[patient].contacted_recently


def test_a_ticket_email_says_what_is_left_and_until_when(
    ours, login, django_capture_on_commit_callbacks
):
    patient = PatientFactory(clinic=ours.clinic, email="hanako@example.jp")
    ticket = ticket_for(ours, patient, valid_until=TODAY + dt.timedelta(days=12))
    with django_capture_on_commit_callbacks(execute=True):
        login(ours.admin).post(email_url(patient), {"reason": "ticket_expiring"})
    body = mail.outbox[0].body
    assert ticket.name in body and "5" in body and str(ticket.valid_until.day) in body
    assert RecallContact.objects.get(patient=patient).reason == "ticket_expiring"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"email": ""}, "no_email"),
        ({"email": "a@example.jp", "reminders_opt_out": True}, "opted_out"),
    ],
)
def test_no_email_goes_to_a_patient_without_an_address_or_who_opted_out(
    ours, login, django_capture_on_commit_callbacks, fields, code
):
    patient = lapsed(ours, days_ago=30, every=14, **fields)
    client = login(ours.frontdesk)
    assert 'disabled title="' in client.get(URL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(email_url(patient), {"reason": "overdue"}, follow=True)
    assert not RecallContact.objects.filter(patient=patient).exists()
    assert mail.outbox == []
    assert str(recall.EMAIL_REFUSALS[code]) in response.content.decode()


def test_a_ticket_email_without_an_open_ticket_is_refused(ours, login):
    patient = lapsed(ours, days_ago=30, every=14, email="a@example.jp")
    login(ours.frontdesk).post(email_url(patient), {"reason": "ticket_expiring"})
    assert not RecallContact.objects.filter(patient=patient).exists()


def test_an_unknown_reason_is_refused(ours, login):
    patient = lapsed(ours, days_ago=30, every=14, email="a@example.jp")
    login(ours.frontdesk).post(email_url(patient), {"reason": "birthday"})
    login(ours.frontdesk).post(call_url(patient), {"reason": "", "note": "x"})
    assert not RecallContact.objects.filter(patient=patient).exists()


def test_a_phone_call_is_noted_with_what_was_said(ours, login):
    patient = lapsed(ours, days_ago=30, every=14)
    response = login(ours.frontdesk).post(
        call_url(patient), {"reason": "overdue", "note": "  来週\n電話で予約  "}
    )
    assert response.status_code == 302
    contact = RecallContact.objects.get(patient=patient)
    assert (contact.channel, contact.note, contact.contacted_by) == (
        "phone",
        "来週 電話で予約",
        ours.frontdesk,
    )
    assert mail.outbox == []


@pytest.mark.parametrize("note", ["", "   ", "x" * 301])
def test_a_phone_call_needs_a_note_of_at_most_300_characters(ours, login, note):
    patient = lapsed(ours, days_ago=30, every=14)
    login(ours.frontdesk).post(call_url(patient), {"reason": "overdue", "note": note})
    assert not RecallContact.objects.filter(patient=patient).exists()


def test_another_clinics_patient_is_not_found(ours, theirs, login):
    stranger = lapsed(theirs, days_ago=30, every=14, email="s@example.jp")
    client = login(ours.frontdesk)
    assert client.post(email_url(stranger), {"reason": "overdue"}).status_code == 404
    assert client.post(call_url(stranger), {"reason": "overdue", "note": "x"}).status_code == 404
    assert not RecallContact.objects.exists()


def test_a_patient_may_not_contact_anyone(ours, login):
    client = login(ours.patient_user)
    assert (
        client.post(call_url(ours.patient), {"reason": "overdue", "note": "x"}).status_code == 403
    )


def test_a_practitioner_contacts_only_the_patients_they_saw_last(ours, login):
    colleague = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER, username="recall-dr3")
    mine = lapsed(ours, days_ago=30, every=14)
    theirs = lapsed(ours, days_ago=30, every=14, practitioner=colleague)
    client = login(ours.practitioner)
    assert client.post(call_url(theirs), {"reason": "overdue", "note": "x"}).status_code == 403
    assert client.post(call_url(mine), {"reason": "overdue", "note": "x"}).status_code == 302
    assert list(RecallContact.objects.values_list("patient", flat=True)) == [mine.pk]


def test_the_email_reads_kindly_and_names_no_finding(ours):
    patient = PatientFactory(clinic=ours.clinic, email="a@example.jp")
    subject, body = recall.recall_message(patient, "overdue")
    assert ours.clinic.name in subject and patient.full_name in body
    assert "diagnos" not in body.lower() and "pain" not in body.lower()


def test_plan_status_of_a_superseded_plan_is_not_the_current_interval(ours):
    patient = lapsed(ours, days_ago=30, every=14)
    CarePlan.objects.filter(patient=patient).update(status=PlanStatus.SUPERSEDED)
    overdue, _ = listed(ours)
    assert patient not in overdue
