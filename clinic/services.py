"""The clinic floor's writes: staff accounts, passwords and the clinic's settings.

Each takes keyword-only arguments, checks the record (`full_clean()` and the rules a form cannot
see, such as an admin locking themself out) and only then saves. Views call these; the forms are
the first check, these the last.
"""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic import two_factor
from clinic.models import ALSO_FIELDS, STAFF_ROLES, Clinic, Role, User

ROLE_FIELDS = ("role", *ALSO_FIELDS.values())
STAFF_FIELDS = ("username", "display_name", "email", *ROLE_FIELDS, "is_active")
SETTINGS_FIELDS = (
    "name",
    "phone",
    "address",
    "invoice_registration_number",
    "tax_rate",
    "require_two_factor",
)


def _check_staff(member: User) -> None:
    if member.clinic_id is None:
        raise ValidationError(_("A staff member belongs to a clinic."))
    if member.role not in STAFF_ROLES:
        raise ValidationError({"role": _("Choose a staff role.")})
    # The main role is held as such: its "also" flag would say it twice.
    setattr(member, ALSO_FIELDS[member.role], False)
    member.full_clean(exclude=["password"])


@transaction.atomic
def add_staff(*, member: User, password: str) -> User:
    """A new staff member of `member.clinic`, who can log in with `password`."""
    if member.pk is not None:
        raise ValueError("add_staff takes a new, unsaved member")
    _check_staff(member)
    password_validation.validate_password(password, member)
    member.set_password(password)
    member.save()
    return member


@transaction.atomic
def update_staff(*, member: User, by: User) -> User:
    """Save a colleague's changed name, address, role or log-in; an admin cannot take away their
    own admin access (the clinic would be left without one who can give it back)."""
    if member.pk is None or member.clinic_id != by.clinic_id:
        raise ValueError("update_staff takes a saved member of the admin's own clinic")
    if member.pk == by.pk and (Role.ADMIN not in member.roles or not member.is_active):
        raise ValidationError({"role": _("You cannot remove your own admin access.")})
    _check_staff(member)
    member.save(update_fields=[*STAFF_FIELDS])
    return member


@transaction.atomic
def set_password(*, member: User, password: str) -> User:
    """A new password (the person's own, or one the admin sets): it ends the sessions made with
    the old one, whose hash they carry."""
    password_validation.validate_password(password, member)
    member.set_password(password)
    member.save(update_fields=["password"])
    return member


@transaction.atomic
def update_settings(*, clinic: Clinic, by: User, changed: list[str]) -> Clinic:
    """Save the clinic's name, phone, address and whether staff need a second factor; a change
    of that requirement is on the audit trail. Only these fields: the number counters on the
    row move under other requests."""
    unknown = set(changed) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a clinic setting: {sorted(unknown)}")
    if by.clinic_id != clinic.pk or Role.ADMIN not in by.roles:
        raise ValueError("only the clinic's admin changes its settings")
    clinic.full_clean(exclude=["slug"])
    clinic.save(update_fields=[*SETTINGS_FIELDS])
    if "require_two_factor" in changed:
        two_factor.record_requirement(clinic=clinic, by=by)
    return clinic
