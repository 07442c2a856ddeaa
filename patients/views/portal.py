"""The patient's own pages (phone first), and getting in: invitation links and password reset."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import documents, homecare
from assessments.models import GIVEN_STATUSES, CarePlan, FunctionalScale, PlanStatus
from clinic import access, audit, backends, dates
from clinic.forms import clinic_code_field
from patients import invitations, scheduling


def _plans(patient):
    """The plans the patient was given: the current one and those it replaced. A draft, or one
    set aside before it was published, never reaches the patient."""
    return CarePlan.objects.filter(
        patient=patient, status__in=GIVEN_STATUSES, published_at__isnull=False
    ).order_by("-version")


def _upcoming(user):
    return (
        access.appointments_for(user)
        .filter(status__in=scheduling.OPEN, end__gte=timezone.now())
        .select_related("practitioner")
        .order_by("start")[:10]
    )


@access.allow(*access.PATIENT)
def portal_home(request):
    patient = access.own_patient_record(request)
    plans = list(_plans(patient)[:10])
    current = next((plan for plan in plans if plan.status == PlanStatus.PUBLISHED), None)
    if current is not None:
        current.patient = patient  # the same row: the trail names it without another query
        audit.viewed(current, "portal")
    return render(
        request,
        "patients/portal_home.html",
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
    patient = access.own_patient_record(request)
    plan = _plans(patient).filter(pk=pk).first()
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
        "patients/portal_plan.html",
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


class PortalPasswordForm(SetPasswordForm):
    pass


@access.public
def portal_activate(request, uidb64, token):
    """Set a password from an invitation or reset link (one use, 72 hours)."""
    user = invitations.user_from_link(uidb64, token)
    if user is None:
        return render(request, "patients/portal_link_invalid.html", status=400)
    form = PortalPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.is_active = True
        user.save()
        login(request, user, backend="clinic.backends.ClinicBackend")
        messages.success(request, _("Your password is set. Welcome to your patient page."))
        response = redirect("patients:portal_home")
        backends.remember_clinic_code(response, user.clinic.slug)  # for the next log-in
        return response
    return render(request, "patients/portal_activate.html", {"form": form, "account": user})


class ResetForm(forms.Form):
    # An address may have an account at two clinics: the code says which one to reset.
    clinic = clinic_code_field()
    email = forms.EmailField(label=gettext_lazy("E-mail address registered at the clinic"))


@access.public
def portal_reset(request):
    initial = {"clinic": backends.remembered_clinic_code(request)}
    form = ResetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        invitations.send_reset(
            clinic=form.cleaned_data["clinic"], email=form.cleaned_data["email"], request=request
        )
        return render(request, "patients/portal_reset_sent.html")
    return render(request, "patients/portal_reset.html", {"form": form})


@access.allow(*access.STAFF)
@require_POST
def patient_invite(request, pk):
    patient = access.get_patient(request, pk)
    try:
        invitations.invite(patient=patient, request=request)
    except invitations.InvitationError as refused:
        messages.error(
            request,
            {
                "no_email": _("Record the patient's e-mail address first."),
                "email_taken": _("Another account already uses this e-mail address."),
                "already_active": _("This patient already uses the portal."),
                "too_many": _(
                    "Several invitations went to this address in the last hour. Try again in "
                    "%(minutes)s minutes."
                )
                % {"minutes": refused.minutes},
            }[refused.code],
        )
    else:
        messages.success(
            request, _("Invitation sent to %(email)s (valid 72 hours).") % {"email": patient.email}
        )
    return redirect("patients:patient_detail", pk=patient.pk)


@access.allow(*access.DESK)
@require_POST
def patient_portal_deactivate(request, pk):
    patient = access.get_patient(request, pk)
    invitations.deactivate(patient=patient)
    messages.success(
        request,
        _(
            "Portal access ended: the patient is logged out everywhere and every link already "
            "sent stops working. The records are kept."
        ),
    )
    return redirect("patients:patient_detail", pk=patient.pk)


@access.allow(*access.PATIENT)
def portal_log(request):
    """Today's log (or a correction to yesterday's) with the safety questions."""
    patient = access.own_patient_record(request)
    today = timezone.localdate()
    current = _plans(patient).filter(status=PlanStatus.PUBLISHED).first()
    if current is None:
        messages.info(request, _("Your log opens once your practitioner publishes your plan."))
        return redirect("patients:portal_home")
    day, outside = dates.query_day(request.GET.get("day"), default=today)
    if outside or not homecare.loggable(day, today):
        messages.error(request, _("You can fill in today's log, or correct yesterday's."))
        return redirect("patients:portal_log")
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
        return redirect(f"{reverse('patients:portal_log')}?day={day.isoformat()}")
    return render(
        request,
        "patients/portal_log.html",
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
    check = access.get_safety_check(request, pk)
    check.seen_at, check.seen_by = timezone.now(), request.user
    check.save(update_fields=["seen_at", "seen_by"])
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
    patient = access.own_patient_record(request)
    patient.reminders_opt_out = request.POST.get("reminders") != "on"
    patient.save(update_fields=["reminders_opt_out", "updated_at"])
    if patient.reminders_opt_out:
        messages.success(request, _("E-mail reminders are off."))
    else:
        messages.success(request, _("E-mail reminders are on."))
    return redirect("patients:portal_home")


@access.allow(*access.PATIENT)
def portal_psfs(request):
    """The Patient-Specific Functional Scale: the same activities as last time, rated again."""
    patient = access.own_patient_record(request)
    last = patient.functional_scales.order_by("-recorded_on", "-id").first()
    initial = {}
    if last:
        for index, activity in enumerate(last.activities):
            initial[f"activity{index}"] = activity["name"]
    data = request.POST if request.method == "POST" else None
    form = homecare.FunctionalScaleForm(data, initial=initial)
    if request.method == "POST" and form.is_valid():
        FunctionalScale.objects.create(
            patient=patient, recorded_on=timezone.localdate(), activities=form.activities()
        )
        messages.success(request, _("Thank you. Your practitioner will see how things change."))
        return redirect("patients:portal_home")
    return render(request, "patients/portal_psfs.html", {"form": form, "last": last})
