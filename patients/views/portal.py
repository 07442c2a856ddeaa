from django.shortcuts import render
from django.utils import timezone

from clinic import access


@access.allow(*access.PATIENT)
def portal_home(request):
    patient = access.own_patient_record(request)
    upcoming = (
        access.appointments_for(request.user)
        .filter(start__gte=timezone.now())
        .exclude(status__in=["cancelled", "no_show"])
        .select_related("practitioner")
        .order_by("start")[:10]
    )
    return render(request, "patients/portal_home.html", {"patient": patient, "upcoming": upcoming})
