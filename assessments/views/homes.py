"""The staff's home pages: the day's visits (patients/) beside the home-care safety alerts and the
watch list (assessments/), so they live on the floor that sees both."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from assessments import homecare, progress, selectors
from assessments.models import VisitRecordStatus
from clinic import access
from patients import selectors as patient_selectors
from patients.models import AppointmentStatus

# Beside the practitioner's "visit record" button: how far its record is.
RECORD_STATES = {
    VisitRecordStatus.DRAFT: gettext_lazy("draft"),
    VisitRecordStatus.SIGNED: gettext_lazy("signed"),
}


@access.allow(*access.DESK)
def frontdesk_home(request):
    today = timezone.localdate()
    visits = list(patient_selectors.day_appointments(request.user, today))
    waiting = [v for v in visits if v.status == AppointmentStatus.CHECKED_IN]
    return render(
        request,
        "assessments/frontdesk_home.html",
        {
            "today": today,
            "visits": visits,
            "waiting": waiting,
            "alerts": homecare.open_alerts(request.user.clinic_id)[:20],
        },
    )


@access.allow(access.Role.PRACTITIONER)
def practitioner_home(request):
    today = timezone.localdate()
    visits = list(patient_selectors.day_appointments(request.user, today, request.user.pk))
    records = selectors.visit_records_by_visit(request.user, visits)
    for visit in visits:
        record = records.get(visit.pk)
        visit.record_label = None if record is None else RECORD_STATES[record.status]
    return render(
        request,
        "assessments/practitioner_home.html",
        {
            "today": today,
            "visits": visits,
            "visit_red_flags": selectors.open_visit_red_flags(request.user)[:20],
            "alerts": homecare.open_alerts(request.user.clinic_id)[:20],
            "watch": progress.watch_list(request.user.clinic_id, today),
        },
    )
