"""The one access module: every view states who may use it, and every lookup is clinic-scoped.

- `allow(*roles)` / `public` mark a view; the permission walk test fails for a URL without a mark.
- Anonymous users are sent to the log-in page; a logged-in user of another role gets 403.
- Objects are fetched only through the `get_*` helpers below, which answer 404 for anything in
  another clinic (or, for a patient, anything that is not their own), so ids reveal nothing.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

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


def allow(*roles):
    """Let the given roles in; anonymous users go to log in, everyone else gets 403."""
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_rule = allowed
        return wrapper

    return decorator


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
    return {
        "nav_role": role,
        "nav_is_staff": role in STAFF_ROLES,
        "nav_is_admin": role == Role.ADMIN,
        "nav_is_desk": role in DESK,
        "nav_is_patient": role == Role.PATIENT,
    }
