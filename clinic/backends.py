"""Log-in by clinic: an account is found by the clinic's code (its slug) and the user name.

User names are unique within a clinic only (clinic/models.py `User`), so a name alone finds no
one: `authenticate()` without a clinic refuses. A wrong clinic code, an unknown name and a wrong
password cost the same password hash and get the same answer, so the form tells nobody which
clinics or names exist.

django-axes (first in AUTHENTICATION_BACKENDS) counts failures per "clinic/name" and address
(`lockout_key`), so a lockout in one clinic never touches another clinic's same-named account.
The code is remembered in a long-lived cookie after a log-in, to fill in the form next time.
"""

import re
import unicodedata

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from clinic import two_factor
from clinic.models import User

CLINIC_COOKIE = "hikagami_clinic"
CLINIC_COOKIE_DAYS = 400  # browsers cap a cookie's life at 400 days
_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def clinic_code(value) -> str:
    """What was typed as a clinic code, as the slugs are written: full-width letters from a
    Japanese input method folded, spaces trimmed, lower case."""
    return unicodedata.normalize("NFKC", str(value or "")).strip().lower()


class ClinicBackend(ModelBackend):
    def authenticate(self, request, clinic=None, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not clinic or not username or password is None:
            return None
        found = list(
            User.objects.filter(
                clinic__slug__iexact=clinic_code(clinic), username__iexact=username
            ).select_related("clinic")[:2]
        )
        if len(found) != 1:  # none, or names the database folds alike: nobody
            # Run the default password hasher once, as ModelBackend does for a missing user,
            # so that a wrong clinic or name takes as long as a wrong password.
            User().set_password(password)
            return None
        user = found[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user, with their clinic and whether they hold a confirmed second-factor
        device, in one query: every staff request needs all three (`access.allow` asks
        `two_factor.status_of`, which reads them from here)."""
        user = (
            User._default_manager.select_related("clinic")
            .annotate(two_factor_enrolled=two_factor.has_device())
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aauthenticate(self, request, clinic=None, username=None, password=None, **kwargs):
        return await sync_to_async(self.authenticate)(
            request, clinic=clinic, username=username, password=password, **kwargs
        )


def lockout_key(request, credentials=None) -> str:
    """django-axes' "username" (AXES_USERNAME_CALLABLE): "clinic/name", folded as the log-in
    folds them (so a change of case is no fresh set of tries). The credentials carry the clinic
    when `authenticate()` is called; axes' own calls after a log-in pass the name only, and then
    the log-in form's clinic field says which clinic."""
    credentials = credentials or {}
    data = getattr(request, "POST", None) or {}
    clinic = credentials.get("clinic") or data.get("clinic") or ""
    username = credentials.get("username") or data.get("username") or ""
    return f"{clinic_code(clinic)}/{str(username).strip().lower()}"


def remembered_clinic_code(request) -> str:
    """The code to fill in: from `?clinic=` (the link in an e-mail), else from the cookie."""
    for value in (request.GET.get("clinic"), request.COOKIES.get(CLINIC_COOKIE)):
        code = clinic_code(value)
        if _CODE.fullmatch(code):
            return code
    return ""


def remember_clinic_code(response, code: str) -> None:
    """A plain cookie (not signed: it only fills in a form field), kept across log-outs."""
    response.set_cookie(
        CLINIC_COOKIE,
        code,
        max_age=CLINIC_COOKIE_DAYS * 24 * 60 * 60,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
