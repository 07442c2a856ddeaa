"""The clinic admin's booking set-up: menus, the clinic's hours and closures, and each
practitioner's shifts and days off."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clinic import access
from patients import menus, selectors, working_hours
from patients.forms import ClosureForm, DayOffForm, MenuForm, ShiftFormSet, WeekForm
from patients.models import DayOff

# Menus ------------------------------------------------------------------------------------


@access.allow(*access.ADMIN)
def menu_list(request):
    return render(request, "patients/menu_list.html", {"menus": selectors.menus_for(request.user)})


@access.allow(*access.ADMIN)
def menu_edit(request, pk=None):
    menu = selectors.get_menu(request, pk) if pk else None
    form = MenuForm(access.form_data(request), instance=menu, clinic=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        save = menus.update_menu if menu else menus.add_menu
        try:
            saved = save(menu=form.save(commit=False), by=request.user)
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("Saved the menu %(name)s.") % {"name": saved.name})
            return redirect("patients:menu_list")
    return render(request, "patients/menu_form.html", {"form": form, "menu": menu})


@access.allow(*access.ADMIN)
@require_POST
def menu_offered(request, pk):
    menu = selectors.get_menu(request, pk)
    offered = request.POST.get("offered") == "1"
    menus.set_menu_offered(menu=menu, offered=offered, by=request.user)
    if offered:
        messages.success(request, _("%(name)s is offered again.") % {"name": menu.name})
    else:
        messages.success(
            request,
            _("%(name)s is no longer offered; visits booked with it keep it.")
            % {"name": menu.name},
        )
    return redirect("patients:menu_list")


# The clinic's hours and closures --------------------------------------------------------


def _booked_warning(request, count, day):
    if count:
        messages.warning(
            request,
            ngettext(
                "%(count)s visit is still booked on %(day)s: move or cancel it.",
                "%(count)s visits are still booked on %(day)s: move or cancel them.",
                count,
            )
            % {"count": count, "day": f"{day:%Y-%m-%d}"},
        )


@access.allow(*access.ADMIN)
def clinic_hours(request):
    clinic = request.user.clinic
    action = request.POST.get("action") if request.method == "POST" else None
    data = access.form_data(request)
    week_form = WeekForm(
        data if action in (None, "week") else None,
        week=working_hours.effective_week(clinic.pk),
    )
    closure_form = ClosureForm(data if action == "closure" else None, prefix="closure")
    if action == "week" and week_form.is_valid():
        try:
            working_hours.save_week(clinic=clinic, by=request.user, week=week_form.week())
        except ValidationError as refused:
            week_form.add_error(None, refused)
        else:
            messages.success(request, _("Saved the opening hours."))
            return redirect("patients:clinic_hours")
    if action == "closure" and closure_form.is_valid():
        closure = closure_form.save(commit=False)
        closure.clinic = clinic
        try:
            working_hours.add_closure(closure=closure, by=request.user)
        except ValidationError as refused:
            closure_form.add_error(None, refused)
        else:
            messages.success(request, _("The clinic is closed on %(day)s.") % {"day": closure.day})
            _booked_warning(request, selectors.visits_on(request.user, closure.day), closure.day)
            return redirect("patients:clinic_hours")
    today = timezone.localdate()
    return render(
        request,
        "patients/clinic_hours.html",
        {
            "week_form": week_form,
            "closure_form": closure_form,
            "closures": selectors.closures_for(request.user, since=today),
            "practitioners": selectors.practitioners_with_shifts(request.user),
            "has_own_hours": any(working_hours.week_rows(clinic.pk).values()),
        },
    )


@access.allow(*access.ADMIN)
@require_POST
def closure_remove(request, pk):
    closure = selectors.get_closure(request, pk)
    working_hours.remove_closure(closure=closure, by=request.user)
    messages.success(request, _("The clinic opens on %(day)s again.") % {"day": closure.day})
    return redirect("patients:clinic_hours")


# A practitioner's shifts and days off -----------------------------------------------------


def _shift_rows(practitioner):
    return [
        {"weekday": s.weekday, "start": s.start, "end": s.end}
        for s in practitioner.shifts.order_by("weekday", "start")
    ]


@access.allow(*access.ADMIN)
def practitioner_hours(request, pk):
    practitioner = selectors.get_practitioner(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    data = access.form_data(request)
    bound = data if action in (None, "shifts") else None
    # Initial rows only for the unbound page: a posted row is read as typed, whatever it was.
    initial = None if bound is not None else _shift_rows(practitioner)
    shifts = ShiftFormSet(bound, initial=initial, prefix="shift")
    day_off_form = DayOffForm(
        data if action == "day_off" else None,
        instance=DayOff(practitioner=practitioner),
        prefix="day_off",
    )
    if action == "shifts" and shifts.is_valid():
        try:
            working_hours.save_shifts(
                practitioner=practitioner, by=request.user, shifts=shifts.shifts()
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, _("Saved the shifts of %(name)s.") % {"name": practitioner})
            return redirect("patients:practitioner_hours", pk=practitioner.pk)
    if action == "day_off" and day_off_form.is_valid():
        day_off = day_off_form.save(commit=False)
        try:
            working_hours.add_day_off(day_off=day_off, by=request.user)
        except ValidationError as refused:
            day_off_form.add_error(None, refused)
        else:
            notice = _("%(name)s has a day off on %(day)s.")
            messages.success(request, notice % {"name": practitioner, "day": day_off.day})
            booked = selectors.visits_on(request.user, day_off.day, practitioner_id=practitioner.pk)
            _booked_warning(request, booked, day_off.day)
            return redirect("patients:practitioner_hours", pk=practitioner.pk)
    today = timezone.localdate()
    return render(
        request,
        "patients/practitioner_hours.html",
        {
            "practitioner": practitioner,
            "shifts": shifts,
            "day_off_form": day_off_form,
            "days_off": selectors.days_off_for(
                request.user, practitioner=practitioner, since=today
            ),
        },
    )


@access.allow(*access.ADMIN)
@require_POST
def day_off_remove(request, pk):
    day_off = selectors.get_day_off(request, pk)
    working_hours.remove_day_off(day_off=day_off, by=request.user)
    messages.success(
        request,
        _("%(name)s works on %(day)s again.") % {"name": day_off.practitioner, "day": day_off.day},
    )
    return redirect("patients:practitioner_hours", pk=day_off.practitioner_id)
