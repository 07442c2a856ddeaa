import datetime as dt
from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clinic import access, dates
from patients import calendar, selectors, services
from patients.forms import BookingForm
from patients.models import AppointmentStatus
from patients.views.calendar import calendar_url


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


def _booking_initial(request) -> dict:
    """What a link may fill in: the patient (from their page, or carried through the calendar),
    the practitioner and start of a free slot, the menu the calendar showed slots for."""
    initial = {}
    patient = selectors.bookable_patient(request.user, access.parse_id(request.GET.get("patient")))
    if patient:
        initial["patient"] = patient.pk
    practitioner = access.parse_id(request.GET.get("practitioner"))
    if practitioner:
        initial["practitioner"] = practitioner
    elif access.has_role(request.user, "practitioner"):
        initial["practitioner"] = request.user.pk
    start = dates.query_moment(request.GET.get("start"))
    if start:
        initial["start"] = start
    menu = access.parse_id(request.GET.get("menu"))
    usual = calendar.slot_menu(list(selectors.menus_for(request.user).filter(is_active=True)), menu)
    if usual:
        initial["menu"] = usual.pk  # the one asked for, else the clinic's usual 45 minutes
    return initial


def _booked(request, visits, refused=()) -> None:
    first = timezone.localtime(visits[0].start) if visits else None
    if len(visits) == 1 and not refused:
        messages.success(
            request,
            _("Booked %(name)s on %(when)s.")
            % {"name": visits[0].patient.full_name, "when": f"{first:%Y-%m-%d %H:%M}"},
        )
        return
    booked = ngettext("Booked %(count)s visit.", "Booked %(count)s visits.", len(visits)) % {
        "count": len(visits)
    }
    if refused:
        left_out = ngettext(
            "%(count)s date was not free and was left out.",
            "%(count)s dates were not free and were left out.",
            len(refused),
        ) % {"count": len(refused)}
        booked = f"{booked} {left_out}"
    messages.success(request, booked)


def _where_next(request, visit):
    day = timezone.localtime(visit.start).date()
    if request.POST.get("from_calendar"):
        return calendar_url(day, practitioner_id=visit.practitioner_id)
    return f"{reverse('patients:day_view')}?date={day.isoformat()}"


@access.allow(*access.STAFF)
def book(request):
    finding = request.method == "POST" and "find" in request.POST
    if finding:  # the search button without JavaScript: list the matches, book nothing yet
        form = BookingForm(user=request.user, initial=request.POST.dict())
    else:
        initial = _booking_initial(request)
        form = BookingForm(access.form_data(request), user=request.user, initial=initial)
    preview = None
    if request.method == "POST" and not finding and form.is_valid():
        try:
            preview, visits, refused = _book_or_preview(request, form)
        except services.OutsideHours as refusal:
            form.add_error(None, refusal)  # next to the field it names
        except services.BookingConflict as conflict:
            form.add_error("start", conflict)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            if visits:
                _booked(request, visits, refused)
                return redirect(_where_next(request, visits[0]))
            if preview is None:
                form.add_error("start", _("None of the dates is free any more."))
    return render(request, "patients/book.html", _booking_page(request, form, preview))


def _book_or_preview(request, form):
    """(preview, booked, refused): one visit booked; or a weekly series previewed date by date,
    or, confirmed, its free dates booked."""
    data = form.cleaned_data
    what = {
        "patient": form.patient,
        "practitioner": data["practitioner"],
        "start": data["start"],
        **form.booking(),
    }
    if data["weeks"] == 1:
        visit = services.book_appointment(reason=data["reason"], booked_by=request.user, **what)
        return None, [visit], []
    if not request.POST.get("confirm_series"):
        return services.preview_series(weeks=data["weeks"], **what), [], []
    visits, refused = services.book_series(
        weeks=data["weeks"], reason=data["reason"], booked_by=request.user, **what
    )
    return None, visits, refused


def _booking_page(request, form, preview) -> dict:
    query = form["patient_query"].value() or ""
    chosen = form.patient or selectors.bookable_patient(
        request.user, access.parse_id(str(form["patient"].value() or ""))
    )
    matches = selectors.patient_matches(request.user, query) if query else []
    if chosen and chosen not in matches:
        matches = [chosen, *matches]
    return {
        "form": form,
        "patient": chosen,
        "matches": matches,
        "query": query,
        "preview": preview,
        "free_count": sum(1 for date in preview or () if not date.problem),
        "from_calendar": bool(request.GET.get("start") or request.POST.get("from_calendar")),
    }


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
