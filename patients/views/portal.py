from django.shortcuts import render
from django.utils import timezone

from clinic import access
from patients import scheduling


@access.allow(*access.PATIENT)
def portal_home(request):
    patient = access.own_patient_record(request)
    upcoming = (
        access.appointments_for(request.user)
        .filter(status__in=scheduling.OPEN, end__gte=timezone.now())
        .select_related("practitioner")
        .order_by("start")[:10]
    )
    return render(request, "patients/portal_home.html", {"patient": patient, "upcoming": upcoming})
