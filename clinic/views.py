from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.i18n import set_language as django_set_language

from clinic import access
from clinic.forms import LoginForm, NewStaffForm, StaffForm, StaffPasswordForm
from clinic.models import Role

HOME_BY_ROLE = {
    Role.PRACTITIONER: "patients:practitioner_home",
    Role.FRONT_DESK: "patients:frontdesk_home",
    Role.ADMIN: "staff_list",
    Role.PATIENT: "patients:portal_home",
}

login = access.public(
    auth_views.LoginView.as_view(
        template_name="clinic/login.html",
        authentication_form=LoginForm,
        redirect_authenticated_user=True,
    )
)
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
    staff = access.staff_for(request.user).order_by("-is_active", "role", "display_name")
    return render(request, "clinic/staff_list.html", {"staff": staff})


@access.allow(*access.ADMIN)
def staff_create(request):
    form = NewStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = form.save(commit=False)
        member.clinic_id = request.user.clinic_id
        member.save()
        messages.success(request, _("%(name)s can now log in.") % {"name": member})
        return redirect("staff_list")
    return render(request, "clinic/staff_form.html", {"form": form, "member": None})


@access.allow(*access.ADMIN)
def staff_edit(request, pk):
    member = access.get_staff_member(request, pk)
    form = StaffForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        if member == request.user and (
            form.cleaned_data["role"] != Role.ADMIN or not form.cleaned_data["is_active"]
        ):
            form.add_error("role", _("You cannot remove your own admin access."))
        else:
            form.save()
            messages.success(request, _("Saved."))
            return redirect("staff_list")
    return render(request, "clinic/staff_form.html", {"form": form, "member": member})


@access.allow(*access.ADMIN)
def staff_password(request, pk):
    """The admin sets a new password for a colleague who forgot theirs; it ends their sessions."""
    member = access.get_staff_member(request, pk)
    form = StaffPasswordForm(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("A new password was set for %(name)s.") % {"name": member})
        return redirect("staff_edit", pk=member.pk)
    return render(request, "clinic/staff_password.html", {"form": form, "member": member})
