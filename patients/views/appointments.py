import datetime as dt
from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic import access, dates
from patients import selectors, services
from patients.forms import BookingForm
from patients.models import AppointmentStatus


def _day_from(request) -> dt.date:
    day, problem = dates.query_day(request.GET.get("date"), default=timezone.localdate())
    if problem:
        messages.error(request, problem)
    return day


@access.allow(*access.STAFF)
def day_view(request):
    day = _day_from(request)
    practitioners = list(access.practitioners_for(request.user.clinic_id))
    chosen = access.parse_id(request.GET.get("practitioner"))
    visits = list(selectors.day_appointments(request.user, day, chosen))
    columns = OrderedDict((p.pk, (p, [])) for p in practitioners if not chosen or p.pk == chosen)
    for visit in visits:
        columns.setdefault(visit.practitioner_id, (visit.practitioner, []))[1].append(visit)
    return render(
        request,
        "patients/day_view.html",
        {
            "day": day,
            "previous_day": dates.step(day, -1),
            "next_day": dates.step(day, 1),
            "practitioners": practitioners,
            "chosen": chosen,
            "columns": list(columns.values()),
            "visit_count": len(visits),
            # clinical roles get each visit's "visit record" link (the record is clinical)
            "can_record": access.has_role(request.user, *access.CLINICAL),
        },
    )


@access.allow(*access.STAFF)
def book(request):
    initial, patient = {}, None
    patient_id = access.parse_id(request.GET.get("patient"))
    if patient_id:
        patient = selectors.patients_for(request.user).filter(pk=patient_id).first()
        if patient:
            initial["patient_number"] = patient.number
    if access.has_role(request.user, "practitioner"):
        initial["practitioner"] = request.user.pk
    form = BookingForm(access.form_data(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.book_appointment(
                patient=form.patient,
                practitioner=form.cleaned_data["practitioner"],
                start=form.cleaned_data["start"],
                reason=form.cleaned_data["reason"],
                booked_by=request.user,
                **form.booking(),
            )
        except services.OutsideHours as refused:
            form.add_error(None, refused)  # next to the field it names
        except services.BookingConflict as conflict:
            form.add_error("start", conflict)
        else:
            messages.success(
                request,
                _("Booked %(name)s on %(when)s.")
                % {
                    "name": visit.patient.full_name,
                    "when": timezone.localtime(visit.start).strftime("%Y-%m-%d %H:%M"),
                },
            )
            day = timezone.localtime(visit.start).date().isoformat()
            return redirect(f"{reverse('patients:day_view')}?date={day}")
    patient = getattr(form, "patient", None) or patient
    return render(request, "patients/book.html", {"form": form, "patient": patient})


@access.allow(*access.STAFF)
@require_POST
def appointment_status(request, pk):
    visit = selectors.get_appointment(request, pk)
    target = request.POST.get("status", "")
    try:
        services.change_status(appointment=visit, target=target, by=request.user)
    except PermissionDenied:
        messages.error(request, _("That status change is not possible now."))
    else:
        messages.success(
            request,
            _("%(name)s: %(status)s")
            % {"name": visit.patient.full_name, "status": AppointmentStatus(target).label},
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "home"
    return redirect(back)
