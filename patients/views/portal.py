"""The patient's own pages (phone first), and getting in: invitation links and password reset."""

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clinic import access, backends
from clinic.forms import clinic_code_field
from patients import invitations, selectors, services


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
        user = services.activate_portal_account(
            user=user, password=form.cleaned_data["new_password1"]
        )
        login(request, user, backend="clinic.backends.ClinicBackend")
        messages.success(request, _("Your password is set. Welcome to your patient page."))
        response = redirect("assessments:portal_home")
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
    patient = selectors.get_patient(request, pk)
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
    return redirect("assessments:patient_detail", pk=patient.pk)


@access.allow(*access.DESK)
@require_POST
def patient_portal_deactivate(request, pk):
    patient = selectors.get_patient(request, pk)
    invitations.deactivate(patient=patient)
    messages.success(
        request,
        _(
            "Portal access ended: the patient is logged out everywhere and every link already "
            "sent stops working. The records are kept."
        ),
    )
    return redirect("assessments:patient_detail", pk=patient.pk)
