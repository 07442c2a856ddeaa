"""The patient's side of the care plan: their plans, the handout, the daily log and its safety
questions, e-mail reminders, the functional scale. (Activation, password reset and the desk's
invitations are the portal account's side: patients/views/portal.py.)"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import documents, homecare, selectors
from assessments.models import PlanStatus
from clinic import access, audit, dates
from patients import scheduling
from patients import selectors as patient_selectors
from patients import services as patient_services


def _upcoming(user):
    return (
        patient_selectors.appointments_for(user)
        .filter(status__in=scheduling.OPEN, end__gte=timezone.now())
        .select_related("practitioner")
        .order_by("start")[:10]
    )


@access.allow(*access.PATIENT)
def portal_home(request):
    patient = patient_selectors.own_patient_record(request)
    plans = list(selectors.given_plans(patient)[:10])
    current = next((plan for plan in plans if plan.status == PlanStatus.PUBLISHED), None)
    if current is not None:
        current.patient = patient  # the same row: the trail names it without another query
        audit.viewed(current, "portal")
    return render(
        request,
        "assessments/portal_home.html",
        {
            "patient": patient,
            "upcoming": _upcoming(request.user),
            "current": current,
            "plan": current.snapshot if current else None,
            "earlier": [plan for plan in plans if plan is not current],
        },
    )


def _own_plan(request, pk):
    """One of the patient's own published (or earlier) plans; anything else is not found."""
    patient = patient_selectors.own_patient_record(request)
    plan = selectors.given_plans(patient).filter(pk=pk).first()
    if plan is None:
        raise Http404
    plan.patient = patient  # the same row: the trail names it without another query
    return patient, plan


@access.allow(*access.PATIENT)
def portal_plan(request, pk):
    patient, plan = _own_plan(request, pk)
    audit.viewed(plan, "portal")
    return render(
        request,
        "assessments/portal_plan.html",
        {
            "patient": patient,
            "current": plan,
            "plan": plan.snapshot,
            "upcoming": _upcoming(request.user),
        },
    )


@access.allow(*access.PATIENT)
def portal_handout(request, pk):
    _patient, plan = _own_plan(request, pk)
    audit.downloaded(plan, "handout.pdf")
    response = HttpResponse(documents.handout(plan), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="care-plan-v{plan.version}.pdf"'
    return response


@access.allow(*access.PATIENT)
def portal_log(request):
    """Today's log (or a correction to yesterday's) with the safety questions."""
    patient = patient_selectors.own_patient_record(request)
    today = timezone.localdate()
    current = selectors.given_plans(patient).filter(status=PlanStatus.PUBLISHED).first()
    if current is None:
        messages.info(request, _("Your log opens once your practitioner publishes your plan."))
        return redirect("assessments:portal_home")
    day, outside = dates.query_day(request.GET.get("day"), default=today)
    if outside or not homecare.loggable(day, today):
        messages.error(request, _("You can fill in today's log, or correct yesterday's."))
        return redirect("assessments:portal_log")
    exercises = homecare.exercises_of(current)
    form = homecare.DayLogForm(
        request.POST or None, exercises=exercises, initial=homecare.initial_for(patient, day)
    )
    if request.method == "POST" and form.is_valid():
        check = homecare.save_day(
            patient=patient,
            plan=current,
            day=day,
            entries=form.entries(),
            safety=form.safety(),
            today=today,
        )
        told = homecare.advice(check)
        for line in told:
            messages.error(request, line)
        if not told:
            messages.success(request, _("Saved. Thank you!"))
        return redirect(f"{reverse('assessments:portal_log')}?day={day.isoformat()}")
    return render(
        request,
        "assessments/portal_log.html",
        {
            "patient": patient,
            "form": form,
            "day": day,
            "today": today,
            "yesterday": today - dt.timedelta(days=1),
        },
    )


@access.allow(*access.STAFF)
@require_POST
def safety_seen(request, pk):
    check = selectors.get_safety_check(request, pk)
    homecare.mark_seen(check=check, by=request.user)
    messages.success(request, _("Marked as seen: %(name)s") % {"name": check.patient})
    return redirect(
        request.POST.get("next")
        if url_has_allowed_host_and_scheme(
            request.POST.get("next", ""), allowed_hosts={request.get_host()}
        )
        else "home"
    )


@access.allow(*access.PATIENT)
@require_POST
def portal_reminders(request):
    patient = patient_selectors.own_patient_record(request)
    patient_services.set_reminders(patient=patient, on=request.POST.get("reminders") == "on")
    if patient.reminders_opt_out:
        messages.success(request, _("E-mail reminders are off."))
    else:
        messages.success(request, _("E-mail reminders are on."))
    return redirect("assessments:portal_home")


@access.allow(*access.PATIENT)
def portal_psfs(request):
    """The Patient-Specific Functional Scale: the same activities as last time, rated again."""
    patient = patient_selectors.own_patient_record(request)
    last = (
        patient.functional_scales.order_by("-recorded_on", "-id")
        .prefetch_related("activity_rows")
        .first()
    )
    initial = {}
    if last:
        for index, activity in enumerate(last.activities):
            initial[f"activity{index}"] = activity["name"]
    data = request.POST if request.method == "POST" else None
    form = homecare.FunctionalScaleForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        homecare.save_functional_scale(
            patient=patient, day=timezone.localdate(), activities=form.activities()
        )
        messages.success(request, _("Thank you. Your practitioner will see how things change."))
        return redirect("assessments:portal_home")
    return render(request, "assessments/portal_psfs.html", {"form": form, "last": last})
