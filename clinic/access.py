"""The one access module: every view states who may use it, and every lookup is clinic-scoped.

- `allow(*roles)` / `public` mark a view; the permission walk test fails for a URL without a mark.
- Anonymous users are sent to the log-in page; a logged-in user of another role gets 403.
- Staff who owe a second factor (a confirmed TOTP device, or a clinic that requires one) and have
  not given it in this session are sent to the code step or to enrolment first; only the views
  marked `allow_unverified` (those two pages) let them in before that. Patients are never asked.
- Objects are fetched only through the `get_*` helpers below, which answer 404 for anything in
  another clinic (or, for a patient, anything that is not their own), so ids reveal nothing.
- A form posted after the session ended is kept and comes back, unsaved, on that page after the
  log-in: views bind their forms to `form_data(request)` (clinic/resume.py says why this is safe).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse

from clinic import resume, two_factor
from clinic.models import STAFF_ROLES, Role, User  # noqa: F401 (Role re-exported)

PUBLIC = "public"
STAFF = tuple(STAFF_ROLES)
CLINICAL = (Role.PRACTITIONER, Role.ADMIN)  # may see findings and plans
DESK = (Role.FRONT_DESK, Role.ADMIN)  # registration, archiving
ADMIN = (Role.ADMIN,)
PATIENT = (Role.PATIENT,)


def role_of(user) -> str | None:
    if not user.is_authenticated or not user.is_active or user.clinic_id is None:
        return None
    return user.role or None


class Unverified(frozenset):
    """The access rule of a view marked `allow_unverified`: these roles, second factor or not."""


def allow(*roles):
    """Let the given roles in; anonymous users go to log in, everyone else gets 403, and staff
    who owe a second factor go to give it first."""
    return _guard(frozenset(roles), second_factor=True)


def allow_unverified(*roles):
    """`allow` without the second-factor step: only for the pages where it is given (the
    log-in's code step and enrolment), which a staff member must reach half-way in."""
    return _guard(Unverified(roles), second_factor=False)


def _guard(allowed, *, second_factor):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if second_factor and request.method == "POST":
                    resume.keep(request)  # what was typed, for after the log-in
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            step = second_factor_step(request.user)
            if second_factor and step:
                return redirect_to_login(request.get_full_path(), reverse(step))
            request.second_factor_pending = step is not None
            if second_factor:
                resume.take(request)
            return view(request, *args, **kwargs)

        wrapper.access_rule = allowed
        return wrapper

    return decorator


def second_factor_step(user) -> str | None:
    """The URL name a staff member must pass before any other page ("two_factor_verify" when
    they have a device, "two_factor_setup" when their clinic requires one and they have none),
    or None. Patients are never asked."""
    if role_of(user) not in STAFF_ROLES or is_verified(user):
        return None
    status = two_factor.status_of(user)
    if status.enrolled:
        return "two_factor_verify"
    return "two_factor_setup" if status.required else None


def is_verified(user) -> bool:
    """True when this session has given a second factor (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def form_data(request):
    """What to bind a view's form to: `request.POST` for a POST; for a GET, the post kept when
    the session had ended (clinic/resume.py), if this is its page; else None (an unbound form).
    The request stays a GET: save only under `request.method == "POST"`."""
    if request.method == "POST":
        return request.POST
    return resume.resumed(request)


def public(view):
    view.access_rule = PUBLIC
    return view


def parse_id(value) -> int | None:
    """An id from a query string, or None: never a value the database cannot hold."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def has_role(user, *roles) -> bool:
    return role_of(user) in roles


# Scoped lookups ---------------------------------------------------------------------------


def patients_for(user):
    from patients.models import Patient

    if role_of(user) not in STAFF_ROLES:
        return Patient.objects.none()
    return Patient.objects.filter(clinic_id=user.clinic_id)


def appointments_for(user):
    from patients.models import Appointment

    role = role_of(user)
    if role in STAFF_ROLES:
        return Appointment.objects.filter(clinic_id=user.clinic_id)
    if role == Role.PATIENT:
        return Appointment.objects.filter(clinic_id=user.clinic_id, patient__portal_user=user)
    return Appointment.objects.none()


def staff_for(user):
    if role_of(user) not in STAFF_ROLES:
        return User.objects.none()
    return User.objects.filter(clinic_id=user.clinic_id, role__in=STAFF_ROLES)


def audit_for(user):
    """The clinic's audit trail, for its admin only."""
    from clinic.models import AuditEntry

    if role_of(user) != Role.ADMIN:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(clinic_id=user.clinic_id)


def practitioners_for(clinic_id):
    return User.objects.filter(
        clinic_id=clinic_id, role=Role.PRACTITIONER, is_active=True
    ).order_by("display_name", "username")


def assessments_for(user):
    from assessments.models import Assessment

    if role_of(user) not in CLINICAL:
        return Assessment.objects.none()
    return Assessment.objects.filter(clinic_id=user.clinic_id)


def get_assessment(request, pk, *, for_update=False):
    found = assessments_for(request.user).select_related("patient", "practitioner", "previous")
    return get_object_or_404(found, pk=pk)


def get_patient(request, pk):
    return get_object_or_404(patients_for(request.user), pk=pk)


def get_plan(request, pk):
    """A care plan of the clinic (staff's plan pages; the portal uses own_patient_record)."""
    from assessments.models import CarePlan

    found = CarePlan.objects.none()
    if role_of(request.user) in CLINICAL:
        found = CarePlan.objects.filter(clinic_id=request.user.clinic_id).select_related(
            "patient", "assessment", "created_by", "published_by"
        )
    return get_object_or_404(found, pk=pk)


def get_referral(request, pk):
    from assessments.models import Referral

    found = Referral.objects.none()
    if role_of(request.user) in CLINICAL:
        found = Referral.objects.filter(clinic_id=request.user.clinic_id).select_related(
            "patient", "assessment"
        )
    return get_object_or_404(found, pk=pk)


def get_safety_check(request, pk):
    from assessments.models import SafetyCheck

    found = SafetyCheck.objects.none()
    if role_of(request.user) in STAFF_ROLES:
        found = SafetyCheck.objects.filter(patient__clinic_id=request.user.clinic_id)
    return get_object_or_404(found.select_related("patient"), pk=pk)


def get_appointment(request, pk):
    return get_object_or_404(appointments_for(request.user).select_related("patient"), pk=pk)


def get_staff_member(request, pk):
    return get_object_or_404(staff_for(request.user), pk=pk)


def own_patient_record(request):
    from patients.models import Patient

    return get_object_or_404(
        Patient, portal_user=request.user, clinic_id=request.user.clinic_id, is_archived=False
    )


def nav_context(request):
    """Role flags for the navigation bar (templates never test role strings themselves)."""
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    if getattr(request, "second_factor_pending", False):
        role = None  # half-way through logging in: no links to pages that would send them back
    return {
        "nav_role": role,
        "nav_is_staff": role in STAFF_ROLES,
        "nav_is_admin": role == Role.ADMIN,
        "nav_is_desk": role in DESK,
        "nav_is_patient": role == Role.PATIENT,
    }
