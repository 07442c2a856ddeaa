import datetime as dt
from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import homecare, progress
from clinic import access, dates
from patients import scheduling, services
from patients.forms import BookingForm
from patients.models import AppointmentStatus

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


def _day_from(request) -> dt.date:
    day, problem = dates.query_day(request.GET.get("date"), default=timezone.localdate())
    if problem:
        messages.error(request, problem)
    return day


def _day_bounds(day: dt.date):
    return services.day_start(day), services.day_start(day + dt.timedelta(days=1))


def day_appointments(user, day: dt.date, practitioner_id=None):
    start, end = _day_bounds(day)
    visits = access.appointments_for(user).filter(start__gte=start, start__lt=end)
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


@access.allow(*access.STAFF)
def day_view(request):
    day = _day_from(request)
    practitioners = list(access.practitioners_for(request.user.clinic_id))
    chosen = access.parse_id(request.GET.get("practitioner"))
    visits = list(day_appointments(request.user, day, chosen))
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
        },
    )


@access.allow(*access.STAFF)
def book(request):
    initial, patient = {}, None
    patient_id = access.parse_id(request.GET.get("patient"))
    if patient_id:
        patient = access.patients_for(request.user).filter(pk=patient_id).first()
        if patient:
            initial["patient_number"] = patient.number
    if access.has_role(request.user, "practitioner"):
        initial["practitioner"] = request.user.pk
    form = BookingForm(access.form_data(request), clinic_id=request.user.clinic_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.book_appointment(
                patient=form.patient,
                practitioner=form.cleaned_data["practitioner"],
                start=form.cleaned_data["start"],
                minutes=form.cleaned_data["minutes"],
                reason=form.cleaned_data["reason"],
                booked_by=request.user,
            )
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
    visit = access.get_appointment(request, pk)
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


@access.allow(*access.DESK)
def frontdesk_home(request):
    today = timezone.localdate()
    visits = list(day_appointments(request.user, today))
    waiting = [v for v in visits if v.status == AppointmentStatus.CHECKED_IN]
    return render(
        request,
        "patients/frontdesk_home.html",
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
    visits = list(day_appointments(request.user, today, request.user.pk))
    return render(
        request,
        "patients/practitioner_home.html",
        {
            "today": today,
            "visits": visits,
            "alerts": homecare.open_alerts(request.user.clinic_id)[:20],
            "watch": progress.watch_list(request.user.clinic_id, today),
        },
    )
