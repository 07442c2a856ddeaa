"""The staff's home pages: the day's visits (patients/) beside the home-care safety alerts and the
watch list (assessments/), so they live on the floor that sees both."""

from django.shortcuts import render
from django.utils import timezone

from assessments import homecare, progress
from clinic import access
from patients import selectors
from patients.models import AppointmentStatus


@access.allow(*access.DESK)
def frontdesk_home(request):
    today = timezone.localdate()
    visits = list(selectors.day_appointments(request.user, today))
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
    visits = list(selectors.day_appointments(request.user, today, request.user.pk))
    return render(
        request,
        "assessments/practitioner_home.html",
        {
            "today": today,
            "visits": visits,
            "alerts": homecare.open_alerts(request.user.clinic_id)[:20],
            "watch": progress.watch_list(request.user.clinic_id, today),
        },
    )
