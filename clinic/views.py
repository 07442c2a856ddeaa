from functools import partial

from crispy_forms.helper import FormHelper
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from clinic import access, backends, services, two_factor
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
    Role.PRACTITIONER: "assessments:practitioner_home",
    Role.FRONT_DESK: "assessments:frontdesk_home",
    Role.ADMIN: "staff_list",
    Role.PATIENT: "assessments:portal_home",
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
        member = services.add_staff(
            member=form.save(commit=False), password=form.cleaned_data["password1"]
        )
        messages.success(request, _("%(name)s can now log in.") % {"name": member})
        return redirect("staff_list")
    return render(request, "clinic/staff_form.html", {"form": form, "member": None})


@access.allow(*access.ADMIN)
def staff_edit(request, pk):
    member = access.get_staff_member(request, pk)
    form = StaffForm(access.form_data(request), instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_staff(member=form.save(commit=False), by=request.user)
        except ValidationError as refused:
            form.add_error(None, refused)
            member.refresh_from_db()  # the page shows the colleague as they still are
        else:
            messages.success(request, _("Saved."))
            return redirect("staff_list")
    return render(
        request,
        "clinic/staff_form.html",
        {
            "form": form,
            "member": member,
            "member_two_factor": two_factor.status_of(member),
            "member_backup": two_factor.backup_status(member),
        },
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
@require_POST
def staff_backup_codes_reset(request, pk):
    """A colleague's printed backup codes went missing: none of them works any more."""
    member = access.get_staff_member(request, pk)
    two_factor.reset_backup_codes(member=member, by=request.user)
    messages.success(
        request,
        _("The backup codes of %(name)s no longer work. They can make new ones on their page.")
        % {"name": member},
    )
    return redirect("staff_edit", pk=member.pk)


@access.allow(*access.ADMIN)
def staff_password(request, pk):
    """The admin sets a new password for a colleague who forgot theirs; it ends their sessions."""
    member = access.get_staff_member(request, pk)
    form = StaffPasswordForm(member, access.form_data(request))
    if request.method == "POST" and form.is_valid():
        services.set_password(member=member, password=form.cleaned_data["new_password1"])
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
        user = services.set_password(
            member=request.user, password=form.cleaned_data["new_password1"]
        )
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
        services.update_settings(
            clinic=form.save(commit=False), by=request.user, changed=form.changed_data
        )
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


def _code_form(request, device, *, prefix=None, backup=True):
    """A code from the app (or, with `backup`, a backup code) for this person's device."""
    return TwoFactorCodeForm(
        request.POST if request.method == "POST" else None,
        device=device,
        check=partial(two_factor.check_code, device),
        backup=two_factor.backup_device(request.user) if backup else None,
        prefix=prefix,
    )


def _show_backup_codes(request, codes):
    """The new backup codes, shown this once (never stored in the session or a cache)."""
    return render(
        request,
        "clinic/two_factor_backup_codes.html",
        {"codes": codes, "next": _safe_next(request)},
    )


@access.allow(*access.STAFF)
@never_cache  # the page may show new backup codes
def two_factor_status(request):
    """On or off; backup codes left and a new set (with a code); turning it off (with a code)
    unless the clinic requires it."""
    device = two_factor.confirmed_device(request.user)
    required = request.user.clinic.require_two_factor
    off_form = codes_form = None
    if device is not None:
        # Both ask a code from the app, never a backup code: a printed sheet alone must not
        # turn the second factor off or make itself a new set.
        codes_form = _code_form(request, device, prefix="codes", backup=False)
        if not required:
            off_form = _code_form(request, device, backup=False)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes" and codes_form is not None:
            if codes_form.is_valid():
                codes = two_factor.new_backup_codes(member=request.user, by=request.user)
                messages.success(request, _("New backup codes: the ones before no longer work."))
                return _show_backup_codes(request, codes)
        elif action == "off" and off_form is not None:
            if off_form.is_valid():
                two_factor.turn_off(member=request.user)
                messages.success(request, _("Two-factor authentication is off."))
                return redirect("two_factor")
        else:
            raise PermissionDenied
    return render(
        request,
        "clinic/two_factor.html",
        {
            "device": device,
            "required": required,
            "form": off_form,
            "codes_form": codes_form,
            "backup": two_factor.backup_status(request.user),
        },
    )


@access.allow_unverified(*access.STAFF)
@never_cache  # the page shows the secret
def two_factor_setup(request):
    """Scan the QR code (or type the secret), then confirm with a code from the app. The secret
    is this session's own; once confirmed, the person's other sessions end, they are told by
    e-mail, and this session is shown its backup codes."""
    if two_factor.confirmed_device(request.user) is not None:
        return redirect("two_factor")  # a new phone: turn it off there first, or ask the admin
    device = two_factor.pending_device(request=request)
    check = partial(two_factor.confirm, device=device)
    form = TwoFactorCodeForm(request.POST or None, device=device, check=check)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        two_factor.mark_verified(request, device)
        two_factor.end_other_sessions(request=request)
        request.session.pop(two_factor.PENDING_KEY, None)
        codes = two_factor.new_backup_codes(member=request.user, by=request.user, at_enrolment=True)
        messages.success(
            request,
            _(
                "Two-factor authentication is on: after your password, you will enter a code. "
                "Your sessions on other devices have ended."
            ),
        )
        return _show_backup_codes(request, codes)
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
    """The log-in's second step, for staff with a confirmed device: a code from the app, or one
    of the backup codes when the phone is not at hand."""
    device = two_factor.confirmed_device(request.user)
    if device is None or access.is_verified(request.user):
        return redirect(_next_url(request, "home"))
    form = _code_form(request, device)
    if request.method == "POST" and form.is_valid():
        two_factor.mark_verified(request, form.used)
        if form.used != device:
            left = two_factor.backup_status(request.user).left
            two_factor.backup_code_used(member=request.user, left=left)
            messages.warning(
                request,
                ngettext(
                    "You logged in with a backup code: %(left)s is left. Each works once.",
                    "You logged in with a backup code: %(left)s are left. Each works once.",
                    left,
                )
                % {"left": left},
            )
        return redirect(_next_url(request, "home"))
    return render(
        request,
        "clinic/two_factor_verify.html",
        {"form": form, "next": _safe_next(request)},
    )
