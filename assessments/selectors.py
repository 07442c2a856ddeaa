"""Reads the assessments' views share, each scoped through `clinic.access` (404 for another
clinic's ids, nothing for a role that may not see them)."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from assessments.models import (
    GIVEN_STATUSES,
    Assessment,
    AssessmentStatus,
    AsymmetryThreshold,
    CarePlan,
    Exercise,
    PlanStatus,
    Referral,
    SafetyCheck,
    VisitRecord,
)
from clinic import access
from patients import selectors as patient_selectors
from patients.models import Appointment, AppointmentStatus, Patient, Payment, Refund, Ticket


def assessments_for(user):
    return access.scoped(user, Assessment.objects.all(), roles=access.CLINICAL)


def get_assessment(request, pk):
    found = (
        assessments_for(request.user)
        .select_related("patient", "practitioner", "previous__complaint_record")
        .with_findings()
    )
    return get_object_or_404(found, pk=pk)


def get_plan(request, pk):
    """A care plan of the clinic (staff's plan pages; the portal reads the patient's own)."""
    plans = CarePlan.objects.select_related("patient", "assessment", "created_by", "published_by")
    return access.get_scoped(request.user, plans, pk, roles=access.CLINICAL)


def get_referral(request, pk):
    referrals = Referral.objects.select_related("patient", "assessment")
    return access.get_scoped(request.user, referrals, pk, roles=access.CLINICAL)


def get_safety_check(request, pk):
    checks = SafetyCheck.objects.select_related("patient")
    return access.get_scoped(request.user, checks, pk, roles=access.STAFF, via="patient__clinic_id")


def given_plans(patient):
    """The plans the patient was given: the current one and those it replaced. A draft, or one
    set aside before it was published, never reaches the patient."""
    return CarePlan.objects.filter(
        patient=patient, status__in=GIVEN_STATUSES, published_at__isnull=False
    ).order_by("-version")


def draft_plan_of(patient):
    """The patient's plan still being written, if there is one (one at most)."""
    return CarePlan.objects.filter(patient=patient, status=PlanStatus.DRAFT).first()


def exercises_for(user):
    """The clinic's exercise library (its own copies of the shipped exercises and its own)."""
    return access.scoped(user, Exercise.objects.all(), roles=access.CLINICAL)


def get_exercise(request, pk):
    return get_object_or_404(exercises_for(request.user), pk=pk)


def exercise_code_taken(*, clinic_id, code) -> bool:
    return Exercise.objects.filter(clinic_id=clinic_id, code=code).exists()


def thresholds_for(user):
    """The clinic's own asymmetry thresholds (those that replace a documented default)."""
    rows = AsymmetryThreshold.objects.select_related("updated_by")
    return access.scoped(user, rows, roles=access.CLINICAL)


# Visit records: clinical content, for practitioners and admins only (the desk sees at most,
# on the patient page, that a visit's record is written and signed: `record_states_of`).


def visit_records_for(user):
    return access.scoped(user, VisitRecord.objects.all(), roles=access.CLINICAL)


def _with_items(records):
    return records.select_related(
        "patient", "appointment", "plan", "practitioner", "signed_by", "red_flag_assessment"
    ).prefetch_related("items__plan_item")


def get_visit_record(request, pk):
    return get_object_or_404(_with_items(visit_records_for(request.user)), pk=pk)


def visit_record_of_visit(user, visit):
    """The record of this visit, if one was started (one per visit)."""
    return visit_records_for(user).filter(appointment=visit).first()


def visit_records_by_visit(user, visits) -> dict:
    """{visit id: its record} for a list of visits (the practitioner's home), in one query."""
    found = visit_records_for(user).filter(appointment__in=[visit.pk for visit in visits])
    return {record.appointment_id: record for record in found.only("pk", "status", "appointment")}


def visit_records_of(patient, limit=30):
    """The patient's latest visit records, with what was ticked (the patient page's timeline)."""
    records = patient.visit_records.order_by("-appointment__start", "-id")
    return list(_with_items(records).prefetch_related("amendments")[:limit])


def open_visit_red_flags(user):
    """Records whose re-check answered "yes" and whose red-flag assessment is not signed yet,
    newest first: they stay on the practitioner's home until it is."""
    raised = Q(new_swelling_or_heat=True) | Q(new_numbness=True) | Q(much_worse_pain=True)
    path_open = Q(red_flag_assessment__isnull=True) | ~Q(
        red_flag_assessment__status=AssessmentStatus.SIGNED
    )
    return (
        visit_records_for(user)
        .filter(raised, path_open)
        .select_related("patient", "red_flag_assessment", "practitioner")
        .order_by("-created_at", "-id")
    )


def record_states_of(patient) -> dict:
    """{visit id: record status} for the patient's visits: all the desk may know of a record."""
    return dict(patient.visit_records.values_list("appointment_id", "status"))


def visit_intervals(user, patient_ids) -> dict[int, int]:
    """The visit interval (days) of each patient's current published plan, where it states one:
    for the desk's "book the next visit", so scheduling only, never the plan's content."""
    plans = CarePlan.objects.filter(
        patient_id__in=list(patient_ids),
        status=PlanStatus.PUBLISHED,
        visit_interval_days__isnull=False,
    )
    found = access.scoped(user, plans, roles=access.STAFF)
    return dict(found.values_list("patient_id", "visit_interval_days"))


def get_recall_patient(request, pk):
    """A patient to contact from the recall list: 404 for another clinic's; 403 for a
    practitioner when someone else saw the patient last (the list shows them only their own)."""
    patient = access.get_scoped(
        request.user, Patient.objects.select_related("clinic"), pk, roles=access.STAFF
    )
    own = access.own_patients_only(request.user)
    if own is not None and _last_seen_by(patient) != own:
        raise PermissionDenied
    return patient


def _last_seen_by(patient) -> int | None:
    completed = Appointment.objects.filter(patient=patient, status=AppointmentStatus.COMPLETED)
    return completed.order_by("-start", "-id").values_list("practitioner_id", flat=True).first()


# The till as the receipts, the patient page and the portal read it (patients/models/checkout.py).
# Money is for the front desk and admins (and a patient's own): practitioners see a patient's
# prepaid tickets (the visits left), never a payment.

EXPIRING_DAYS = 30  # a ticket that runs out within this many days is shown in red


def get_own_payment(request, pk):
    """One of the logged-in patient's own payments, or 404 (another patient's id included)."""
    own = Payment.objects.filter(patient__portal_user=request.user, patient__is_archived=False)
    return access.get_scoped(request.user, own.select_related("patient"), pk, roles=access.PATIENT)


def _with_refunded(payments):
    """Each payment with `refunded`, the yen given back on it (0 when none), in the same query."""
    given_back = (
        Refund.objects.filter(payment=OuterRef("pk"))
        .order_by()
        .values("payment")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return payments.annotate(refunded=Coalesce(Subquery(given_back), 0))


def last_payments_of(user, patient, limit=5):
    """The patient's latest payments, for the desk's panel on the patient page (none, and no
    query, for a practitioner)."""
    found = (
        patient_selectors.payments_for(user).filter(patient=patient).order_by("-taken_at", "-id")
    )
    return list(_with_refunded(found)[:limit])


def payments_of(patient, limit=50):
    """The patient's own payments, newest first (their portal page)."""
    return list(_with_refunded(patient.payments.order_by("-taken_at", "-id"))[:limit])


def open_tickets_of(user, patient, *, today):
    """The patient's prepaid tickets that can still be used, soonest to expire first, each with
    `expiring` when it runs out within EXPIRING_DAYS."""
    tickets = Ticket.objects.filter(
        patient=patient, closed_at__isnull=True, visits_left__gt=0, valid_until__gte=today
    ).order_by("valid_until", "id")
    found = list(access.scoped(user, tickets, roles=access.STAFF))
    for ticket in found:
        ticket.expiring = _expiring(ticket, today)
    return found


def _expiring(ticket, today) -> bool:
    return ticket.valid_until <= today + dt.timedelta(days=EXPIRING_DAYS)


TICKET_OPEN, TICKET_USED_UP, TICKET_EXPIRED, TICKET_CLOSED = "open", "used_up", "expired", "closed"


def tickets_of(patient, *, today):
    """All the patient's tickets (their portal page), newest first, each with its `state`:
    closed (refunded, or its sale voided), used up, expired or open."""
    found = list(patient.tickets.order_by("-valid_from", "-id"))
    for ticket in found:
        if ticket.closed_at is not None:
            ticket.state = TICKET_CLOSED
        elif ticket.visits_left == 0:
            ticket.state = TICKET_USED_UP
        elif ticket.valid_until < today:
            ticket.state = TICKET_EXPIRED
        else:
            ticket.state = TICKET_OPEN
        ticket.expiring = ticket.state == TICKET_OPEN and _expiring(ticket, today)
    return found
