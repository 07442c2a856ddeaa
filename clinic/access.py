"""The one access module: every view states who may use it, and every lookup is clinic-scoped.

- `allow(*roles)` / `public` mark a view; the permission walk test fails for a URL without a mark.
- Anonymous users are sent to the log-in page; a logged-in user of another role gets 403.
- Staff who owe a second factor (a confirmed TOTP device, or a clinic that requires one) and have
  not given it in this session are sent to the code step or to enrolment first; only the views
  marked `allow_unverified` (those two pages) let them in before that. Patients are never asked.
- Objects are fetched only through `scoped()` / `get_scoped()` below, which the apps' selectors
  (`patients/selectors.py`, `assessments/selectors.py`) build on: they answer 404 for anything in
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
from clinic.models import (  # noqa: F401 (Role re-exported)
    STAFF_ROLES,
    AuditEntry,
    Role,
    User,
    holding,
)

PUBLIC = "public"
STAFF = tuple(STAFF_ROLES)
CLINICAL = (Role.PRACTITIONER, Role.ADMIN)  # may see findings and plans
DESK = (Role.FRONT_DESK, Role.ADMIN)  # registration, archiving
ADMIN = (Role.ADMIN,)
PATIENT = (Role.PATIENT,)


def role_of(user) -> str | None:
    """The user's main role (it picks their home page), or None for no access at all."""
    if not user.is_authenticated or not user.is_active or user.clinic_id is None:
        return None
    return user.role or None


def roles_of(user) -> frozenset[str]:
    """Every role the user holds (one person may be admin and practitioner): every access rule
    is checked against this set, never against the main role alone."""
    if role_of(user) is None:
        return frozenset()
    return user.roles


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
            if not roles_of(request.user) & allowed:
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
    if not roles_of(user) & STAFF_ROLES or is_verified(user):
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
    """True when the user holds any of `roles`."""
    return bool(roles_of(user) & set(roles))


def own_patients_only(user) -> int | None:
    """On the clinic's repeat numbers and recall list: the practitioner whose own patients alone
    this user sees (their id), or None for the whole clinic (the desk and admins, and so an
    owner who is admin and practitioner both)."""
    roles = roles_of(user)
    if roles & set(DESK) or Role.PRACTITIONER not in roles:
        return None
    return user.pk


# Scoped lookups ---------------------------------------------------------------------------


def scoped(user, queryset, *, roles, via: str = "clinic_id"):
    """The rows of `queryset` in the user's own clinic (`via` names the path to the clinic id),
    for the roles given; none for anyone else. Every per-model lookup (the apps' `selectors.py`)
    is built on this, so "every lookup is clinic-scoped" is one rule in one place."""
    if not roles_of(user) & set(roles):
        return queryset.none()
    return queryset.filter(**{via: user.clinic_id})


def get_scoped(user, queryset, pk, *, roles, via: str = "clinic_id"):
    """One row of the user's own clinic, or 404: an id of another clinic reveals nothing."""
    return get_object_or_404(scoped(user, queryset, roles=roles, via=via), pk=pk)


def staff_for(user):
    return scoped(user, User.objects.filter(role__in=STAFF_ROLES), roles=STAFF_ROLES)


def audit_for(user):
    """The clinic's audit trail, for its admin only."""
    return scoped(user, AuditEntry.objects.all(), roles=ADMIN)


def practitioners_for(clinic_id):
    return User.objects.filter(
        holding(Role.PRACTITIONER), clinic_id=clinic_id, is_active=True
    ).order_by("display_name", "username")


def get_staff_member(request, pk):
    return get_object_or_404(staff_for(request.user), pk=pk)


def nav_context(request):
    """Role flags for the navigation bar (templates never test role strings themselves)."""
    user = getattr(request, "user", None)
    role = role_of(user) if user is not None else None
    roles = roles_of(user) if user is not None else frozenset()
    if getattr(request, "second_factor_pending", False):
        role, roles = None, frozenset()  # half-way through logging in: no links to pages
    return {
        "nav_role": role,
        "nav_is_staff": bool(roles & STAFF_ROLES),
        "nav_is_admin": Role.ADMIN in roles,
        "nav_is_desk": bool(roles & set(DESK)),
        "nav_is_frontdesk": Role.FRONT_DESK in roles,
        "nav_is_practitioner": Role.PRACTITIONER in roles,
        "nav_is_patient": Role.PATIENT in roles,
    }
