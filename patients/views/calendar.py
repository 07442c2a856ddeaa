"""The week calendar and what is done to a visit from it: book from a free slot (the booking
form, patients/views/appointments.py), find the patient, open a visit to edit its menu and note,
move it, cancel it with a reason."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from clinic import access, dates
from patients import calendar, selectors, services
from patients.calendar import DEFAULT_MINUTES
from patients.forms import CancelForm, MoveForm, VisitEditForm


def calendar_url(day: dt.date, *, practitioner_id=None, view=calendar.WEEK, **extra) -> str:
    query = [f"date={day:%Y-%m-%d}", f"view={view}"]
    if practitioner_id:
        query.append(f"practitioner={practitioner_id}")
    query += [f"{key}={value}" for key, value in extra.items() if value]
    return f"{reverse('patients:calendar')}?{'&'.join(query)}"


@access.allow(*access.STAFF)
def calendar_view(request):
    day, problem = dates.query_day(request.GET.get("date"), default=timezone.localdate())
    if problem:
        messages.error(request, problem)
    view = calendar.DAY if request.GET.get("view") == calendar.DAY else calendar.WEEK
    chosen = access.parse_id(request.GET.get("practitioner"))
    moving = _moving(request)
    menus = list(selectors.menus_for(request.user).filter(is_active=True))
    menu = None if moving else calendar.slot_menu(menus, access.parse_id(request.GET.get("menu")))
    patient = selectors.bookable_patient(request.user, access.parse_id(request.GET.get("patient")))
    ask = calendar.Request(
        days=calendar.week_of(day) if view == calendar.WEEK else [day],
        practitioner_id=chosen,
        moving=moving,
        **_slots_lead_to(moving, menu, patient),
    )
    grid = calendar.build(request.user, ask)
    keep = {
        "menu": menu.pk if menu else None,
        "patient": patient.pk if patient else None,
        "move": moving.pk if moving else None,
    }
    context = {
        "grid": grid,
        "day": day,
        "today": timezone.localdate(),
        "view": view,
        "chosen": chosen,
        "menus": menus,
        "menu": menu,
        "patient": patient,
        "moving": moving,
        "practitioners": grid.staff,
    }
    return render(request, "patients/calendar.html", context | _steps(day, view, chosen, keep))


def _slots_lead_to(moving, menu, patient) -> dict:
    """How long the free slots are and where they lead: the move of the visit being moved (its
    length), else the booking form with the menu (and the patient) filled in."""
    if moving:
        return {"minutes": moving.minutes, "slot_url": _move_url(moving), "extra": {}}
    extra = {"menu": menu.pk if menu else None, "patient": patient.pk if patient else None}
    return {
        "minutes": menu.minutes if menu else DEFAULT_MINUTES,
        "slot_url": reverse("patients:book"),
        "extra": {key: value for key, value in extra.items() if value},
    }


def _steps(day, view, chosen, keep) -> dict:
    """The previous, today's and next day or week, keeping what the calendar is for."""
    step = 7 if view == calendar.WEEK else 1
    links = {
        "previous_url": dates.step(day, -step),
        "today_url": timezone.localdate(),
        "next_url": dates.step(day, step),
    }
    return {
        name: calendar_url(to, practitioner_id=chosen, view=view, **keep)
        for name, to in links.items()
    }


def _moving(request):
    """The visit being moved (`?move=`): one of the clinic's that can still move, or None."""
    pk = access.parse_id(request.GET.get("move"))
    if pk is None:
        return None
    visits = selectors.appointments_for(request.user).select_related("patient")
    found = visits.filter(pk=pk, status__in=services.MOVABLE, start__gte=timezone.now()).first()
    if found is None:
        messages.error(request, _("This visit can no longer be moved."))
    return found


def _move_url(visit) -> str:
    return reverse("patients:appointment_move", args=[visit.pk])


@access.allow(*access.STAFF)
def patient_matches(request):
    """The booking form's search: the patients matching a name, kana, number or phone, as the
    list to pick from (an HTML fragment the form's script puts under the search box)."""
    query = (request.GET.get("q") or "")[:100]
    return render(
        request,
        "patients/_patient_matches.html",
        {"matches": selectors.patient_matches(request.user, query), "query": query},
    )


@access.allow(*access.STAFF)
def appointment_detail(request, pk):
    visit = selectors.get_appointment(request, pk)
    initial = {"menu": visit.menu_id, "reason": visit.reason, "note": visit.note}
    form = VisitEditForm(access.form_data(request), user=request.user, visit=visit, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_appointment(
                appointment=visit,
                menu=form.cleaned_data["menu"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except services.OutsideHours as refused:
            form.add_error("menu", " ".join(refused.messages))
        except services.BookingConflict as conflict:
            form.add_error("menu", conflict)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("The visit is saved."))
            return redirect("patients:appointment_detail", pk=visit.pk)
    local = timezone.localtime(visit.start)
    return render(
        request,
        "patients/appointment_detail.html",
        {
            "visit": visit,
            "form": form,
            "movable": visit.status in services.MOVABLE and visit.start >= timezone.now(),
            "cancellable": visit.status in services.CANCELLABLE,
            "calendar_url": calendar_url(local.date(), practitioner_id=visit.practitioner_id),
            "pick_url": calendar_url(
                local.date(), practitioner_id=visit.practitioner_id, move=visit.pk
            ),
        },
    )


def _move_initial(request, visit) -> dict:
    start = dates.query_moment(request.GET.get("start"))
    practitioner = access.parse_id(request.GET.get("practitioner"))
    return {
        "start": start or timezone.localtime(visit.start).replace(tzinfo=None),
        "practitioner": practitioner or visit.practitioner_id,
    }


@access.allow(*access.STAFF)
def appointment_move(request, pk):
    visit = selectors.get_appointment(request, pk)
    form = MoveForm(
        access.form_data(request), user=request.user, initial=_move_initial(request, visit)
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.move_appointment(
                appointment=visit,
                practitioner=form.cleaned_data["practitioner"],
                start=form.cleaned_data["start"],
                by=request.user,
            )
        except services.OutsideHours as refused:
            form.add_error(None, refused)
        except services.BookingConflict as conflict:
            form.add_error("start", conflict)
        except ValidationError as refused:
            form.add_error(None, refused)
        except PermissionDenied:
            form.add_error(None, _("This visit cannot be moved."))
        else:
            when = timezone.localtime(moved.start)
            messages.success(
                request,
                _("Moved %(name)s to %(when)s.")
                % {"name": moved.patient.full_name, "when": f"{when:%Y-%m-%d %H:%M}"},
            )
            return redirect(calendar_url(when.date(), practitioner_id=moved.practitioner_id))
    local = timezone.localtime(visit.start)
    return render(
        request,
        "patients/appointment_move.html",
        {
            "visit": visit,
            "form": form,
            "pick_url": calendar_url(
                local.date(), practitioner_id=visit.practitioner_id, move=visit.pk
            ),
        },
    )


@access.allow(*access.STAFF)
def appointment_cancel(request, pk):
    visit = selectors.get_appointment(request, pk)
    form = CancelForm(access.form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_appointment(
                appointment=visit,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(
                request,
                _("%(name)s: the visit is cancelled.") % {"name": visit.patient.full_name},
            )
            return redirect(_back(request, visit))
    return render(
        request,
        "patients/appointment_cancel.html",
        {
            "visit": visit,
            "form": form,
            "next": request.GET.get("next") or request.POST.get("next", ""),
        },
    )


def _back(request, visit) -> str:
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    local = timezone.localtime(visit.start)
    return calendar_url(local.date(), practitioner_id=visit.practitioner_id)
