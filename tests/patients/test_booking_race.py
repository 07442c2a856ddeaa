"""Two desks book the same practitioner's slot at the same moment: exactly one wins.

Real transactions and two connections (threads); `transaction=True` so nothing is wrapped in a
test transaction that would hide the locking. Runs on SQLite (IMMEDIATE transactions) and on
PostgreSQL (row lock on the practitioner) alike.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from patients import services
from patients.models import Appointment
from tests.factories import PatientFactory


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_of_one_slot_give_one_visit_and_one_refusal(ours):
    second = PatientFactory(clinic=ours.clinic)
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3), dt.time(10))
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def book(patient):
        try:
            barrier.wait(timeout=10)
            services.book_appointment(
                patient=patient,
                practitioner=ours.practitioner,
                start=start,
                minutes=30,
                reason="",
                booked_by=ours.frontdesk,
            )
            outcomes.append("booked")
        except services.BookingConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in (ours.other_patient, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["booked", "refused"]
    assert Appointment.objects.filter(practitioner=ours.practitioner, start=start).count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_share_a_patient_number(ours):
    numbers = []

    def register(index):
        try:
            patient = PatientFactory.build(
                clinic=ours.clinic, number=0, phone=f"090-5555-{index:04d}"
            )
            services.register_patient(
                patient=patient, clinic_id=ours.clinic.pk, recorded_by=ours.frontdesk, consents={}
            )
            numbers.append(patient.number)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(numbers) == 6 and len(set(numbers)) == 6


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_moving_a_visit_into_a_slot_being_booked_at_that_moment_gives_one_visit_there(ours):
    """One desk moves a visit into 10:00 while another books a new patient into 10:00 for the
    same practitioner: the move locks the practitioner as booking does, so one of them wins and
    the other is refused, never two visits at once."""
    day = timezone.localdate() + dt.timedelta(days=3)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    later = timezone.make_aware(dt.datetime.combine(day, dt.time(15)))
    moving = Appointment.objects.create(
        clinic=ours.clinic,
        patient=ours.other_patient,
        practitioner=ours.practitioner,
        start=later,
        end=later + dt.timedelta(minutes=45),
    )
    newcomer = PatientFactory(clinic=ours.clinic)
    barrier = threading.Barrier(2)
    outcomes = []

    def book():
        try:
            barrier.wait(timeout=10)
            services.book_appointment(
                patient=newcomer,
                practitioner=ours.practitioner,
                start=start + dt.timedelta(minutes=15),
                minutes=45,
                reason="",
                booked_by=ours.frontdesk,
            )
            outcomes.append("booked")
        except services.BookingConflict:
            outcomes.append("booking refused")
        finally:
            connection.close()

    def move():
        try:
            barrier.wait(timeout=10)
            services.move_appointment(
                appointment=moving, practitioner=ours.practitioner, start=start, by=ours.admin
            )
            outcomes.append("moved")
        except services.BookingConflict:
            outcomes.append("move refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book), threading.Thread(target=move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) in (["booked", "move refused"], ["booking refused", "moved"])
    around = Appointment.objects.filter(
        practitioner=ours.practitioner, start__lt=start + dt.timedelta(hours=1), end__gt=start
    )
    assert around.count() == 1
    moving.refresh_from_db()
    assert (moving.start == start) == ("moved" in outcomes)


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_one_patient_booked_with_two_practitioners_at_one_moment_gets_one_visit(ours):
    """Two desks book the same patient at 10:00, each with another practitioner: the patient's
    row is locked after the practitioners', so the second booking sees the first and is
    refused (before, each held only its own practitioner's lock and both went in)."""
    from clinic.models import Role
    from tests.factories import UserFactory

    other = UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER)
    start = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=3), dt.time(10))
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def book(practitioner):
        try:
            barrier.wait(timeout=10)
            services.book_appointment(
                patient=ours.other_patient,
                practitioner=practitioner,
                start=start,
                minutes=30,
                reason="",
                booked_by=ours.frontdesk,
            )
            outcomes.append("booked")
        except services.BookingConflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(p,)) for p in (ours.practitioner, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["booked", "refused"]
    assert Appointment.objects.filter(patient=ours.other_patient, start=start).count() == 1
