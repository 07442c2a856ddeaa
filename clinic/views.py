from functools import partial

from crispy_forms.helper import FormHelper
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from clinic import access, backends, two_factor
from clinic.forms import (
    ClinicSettingsForm,
    LoginForm,
    NewStaffForm,
    StaffForm,
    StaffPasswordForm,
    TwoFactorCodeForm,
)
from clinic.models import Role

HOME_BY_ROLE = {
    Role.PRACTITIONER: "patients:practitioner_home",
    Role.FRONT_DESK: "patients:frontdesk_home",
    Role.ADMIN: "staff_list",
    Role.PATIENT: "patients:portal_home",
}


class LoginView(auth_views.LoginView):
    """Django's log-in with the clinic code first: filled in from `?clinic=` or from the cookie
    the last log-in on this browser left (clinic/backends.py)."""

    template_name = "clinic/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_initial(self):
        return {**super().get_initial(), "clinic": backends.remembered_clinic_code(self.request)}

    def form_valid(self, form):
        response = super().form_valid(form)
        backends.remember_clinic_code(response, form.get_user().clinic.slug)
        return response


login = access.public(LoginView.as_view())
logout = access.public(auth_views.LogoutView.as_view())
set_language = access.public(django_set_language)


@access.public
def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    role = access.role_of(request.user)
    if role is None:
        return render(request, "clinic/no_role.html", status=403)
    return redirect(HOME_BY_ROLE[role])


@access.allow(*access.ADMIN)
def staff_list(request):
    staff = two_factor.with_status(access.staff_for(request.user)).order_by(
        "-is_active", "role", "display_name"
    )
    return render(request, "clinic/staff_list.html", {"staff": staff})


@access.allow(*access.ADMIN)
def staff_create(request):
    form = NewStaffForm(access.form_data(request), clinic=request.user.clinic)
    if request.method == "POST" and form.is_valid():
        member = form.save()
        messages.success(request, _("%(name)s can now log in.") % {"name": member})
        return redirect("staff_list")
    return render(request, "clinic/staff_form.html", {"form": form, "member": None})


@access.allow(*access.ADMIN)
def staff_edit(request, pk):
    member = access.get_staff_member(request, pk)
    form = StaffForm(access.form_data(request), instance=member)
    if request.method == "POST" and form.is_valid():
        if member == request.user and (
            form.cleaned_data["role"] != Role.ADMIN or not form.cleaned_data["is_active"]
        ):
            form.add_error("role", _("You cannot remove your own admin access."))
        else:
            form.save()
            messages.success(request, _("Saved."))
            return redirect("staff_list")
    return render(
        request,
        "clinic/staff_form.html",
        {"form": form, "member": member, "member_two_factor": two_factor.status_of(member)},
    )


@access.allow(*access.ADMIN)
@require_POST
def staff_two_factor_reset(request, pk):
    """Recovery for a colleague who lost their phone: their second factor is removed."""
    member = access.get_staff_member(request, pk)
    two_factor.reset(member=member, by=request.user)
    messages.success(
        request, _("Two-factor authentication was reset for %(name)s.") % {"name": member}
    )
    return redirect("staff_edit", pk=member.pk)


@access.allow(*access.ADMIN)
def staff_password(request, pk):
    """The admin sets a new password for a colleague who forgot theirs; it ends their sessions."""
    member = access.get_staff_member(request, pk)
    form = StaffPasswordForm(member, access.form_data(request))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("A new password was set for %(name)s.") % {"name": member})
        return redirect("staff_edit", pk=member.pk)
    return render(request, "clinic/staff_password.html", {"form": form, "member": member})


class OwnPasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


@access.allow(*access.STAFF)
def own_password(request):
    """A staff member changes their own password: their other sessions end (the session hash is
    of the password), this one goes on."""
    form = OwnPasswordForm(request.user, access.form_data(request))
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(
            request, _("Your password was changed. Your sessions on other devices have ended.")
        )
        return redirect("home")
    return render(request, "clinic/own_password.html", {"form": form})


@access.allow(*access.ADMIN)
def clinic_settings(request):
    clinic = request.user.clinic
    form = ClinicSettingsForm(access.form_data(request), instance=clinic)
    if request.method == "POST" and form.is_valid():
        # Only the form's fields: the number counters on the row move under other requests.
        form.save(commit=False).save(update_fields=ClinicSettingsForm.Meta.fields)
        if "require_two_factor" in form.changed_data:
            two_factor.record_requirement(clinic=clinic, by=request.user)
        messages.success(request, _("Saved."))
        return redirect("clinic_settings")
    return render(request, "clinic/clinic_settings.html", {"form": form})


# Two-factor authentication: the person's own page, enrolment, and the log-in's second step.


def _safe_next(request) -> str:
    """The page to go on to afterwards (`?next=` from access.allow), if it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else ""


def _next_url(request, default):
    return _safe_next(request) or resolve_url(default)


@access.allow(*access.STAFF)
def two_factor_status(request):
    """On or off, and turning it off again (with a code) unless the clinic requires it."""
    device = two_factor.confirmed_device(request.user)
    required = request.user.clinic.require_two_factor
    form = None
    if device is not None and not required:
        check = partial(two_factor.check_code, device)
        form = TwoFactorCodeForm(request.POST or None, device=device, check=check)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            two_factor.turn_off(member=request.user)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("two_factor")
    return render(
        request,
        "clinic/two_factor.html",
        {"device": device, "required": required, "form": form},
    )


@access.allow_unverified(*access.STAFF)
@never_cache  # the page shows the secret
def two_factor_setup(request):
    """Scan the QR code (or type the secret), then confirm with a code from the app."""
    if two_factor.confirmed_device(request.user) is not None:
        return redirect("two_factor")  # a new phone: turn it off there first, or ask the admin
    device = two_factor.pending_device(request.user)
    check = partial(two_factor.confirm, device)
    form = TwoFactorCodeForm(request.POST or None, device=device, check=check)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        two_factor.mark_verified(request, device)
        messages.success(
            request,
            _("Two-factor authentication is on: after your password, you will enter a code."),
        )
        return redirect(_next_url(request, "two_factor"))
    return render(
        request,
        "clinic/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device),
            "secret": two_factor.secret_text(device),
            "required": request.user.clinic.require_two_factor,
            "next": _safe_next(request),
        },
    )


@access.allow_unverified(*access.STAFF)
@never_cache
def two_factor_verify(request):
    """The log-in's second step, for staff with a confirmed device."""
    device = two_factor.confirmed_device(request.user)
    if device is None or access.is_verified(request.user):
        return redirect(_next_url(request, "home"))
    form = TwoFactorCodeForm(
        request.POST or None, device=device, check=partial(two_factor.check_code, device)
    )
    if request.method == "POST" and form.is_valid():
        two_factor.mark_verified(request, device)
        return redirect(_next_url(request, "home"))
    return render(
        request,
        "clinic/two_factor_verify.html",
        {"form": form, "next": _safe_next(request)},
    )
