"""Reads the patients' views share, each scoped through `clinic.access` (404 for another
clinic's ids, nothing for a role that may not see them)."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clinic import access
from clinic.models import Role
from patients import scheduling, services
from patients.models import Appointment, Patient

# Buttons say what they do; the badge beside them says where the visit is.
ACTION_LABELS = {
    scheduling.CHECKED_IN: gettext_lazy("Check in"),
    scheduling.IN_SESSION: gettext_lazy("Start session"),
    scheduling.COMPLETED: gettext_lazy("Finish session"),
    scheduling.BOOKED: gettext_lazy("Undo check-in"),
    scheduling.NO_SHOW: gettext_lazy("Mark no-show"),
    scheduling.CANCELLED: gettext_lazy("Cancel visit"),
}
# These cannot be undone: the button asks first.
CONFIRM_ACTIONS = {scheduling.NO_SHOW, scheduling.CANCELLED, scheduling.COMPLETED}


def patients_for(user):
    return access.scoped(user, Patient.objects.all(), roles=access.STAFF)


def get_patient(request, pk):
    return get_object_or_404(patients_for(request.user), pk=pk)


def appointments_for(user):
    """The clinic's visits for staff; a patient's own visits for that patient."""
    if access.role_of(user) == Role.PATIENT:
        return access.scoped(
            user, Appointment.objects.filter(patient__portal_user=user), roles=access.PATIENT
        )
    return access.scoped(user, Appointment.objects.all(), roles=access.STAFF)


def get_appointment(request, pk):
    return get_object_or_404(appointments_for(request.user).select_related("patient"), pk=pk)


def own_patient_record(request):
    """The patient record of the logged-in portal account (not archived), or 404."""
    own = Patient.objects.filter(portal_user=request.user, is_archived=False)
    return get_object_or_404(access.scoped(request.user, own, roles=access.PATIENT))


def _day_bounds(day: dt.date):
    return services.day_start(day), services.day_start(day + dt.timedelta(days=1))


def day_appointments(user, day: dt.date, practitioner_id=None):
    start, end = _day_bounds(day)
    visits = appointments_for(user).filter(start__gte=start, start__lt=end)
    if practitioner_id:
        visits = visits.filter(practitioner_id=practitioner_id)
    visits = visits.select_related("patient", "practitioner").order_by("start", "id")
    role, now = access.role_of(user), timezone.now()
    for visit in visits:
        steps = scheduling.next_steps(visit.status, role, services.visit_time(visit, now))
        visit.action_choices = [
            (step, ACTION_LABELS[step], step in CONFIRM_ACTIONS) for step in steps
        ]
    return visits
