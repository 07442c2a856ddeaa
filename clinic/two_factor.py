"""Two-factor authentication (TOTP) for staff: enrolment, the log-in's second step, turning off
and the admin's reset. Patients are never asked.

A staff member must give a code when they have a confirmed device, or when their clinic requires
two-factor authentication (`Clinic.require_two_factor`); `access.allow()` enforces that on every
staff page.

Enrolment works on an unconfirmed device that belongs to the one session that asked for it (its
pk is kept in that session): another session logged in with the same password is shown another
secret, and confirming one removes every other device, so a secret seen elsewhere is worth
nothing. One-time backup codes (django-otp's static tokens) are made at enrolment, shown once,
and stand in for the phone at the log-in's second step.

Every change to someone's second factor goes through `_record()`: the audit trail, the security
log, and an e-mail to the person, so that a second factor added by someone else does not go
unnoticed.
"""

import datetime as dt
import logging
import math
import unicodedata
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.middleware.csrf import rotate_token
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import audit, mail
from clinic.models import User

log = logging.getLogger("hikagami.security")

DEVICE_NAME = "authenticator"
BACKUP_NAME = "backup codes"
BACKUP_COUNT = 10
BASE32 = frozenset("abcdefghijklmnopqrstuvwxyz234567")
# The session's own enrolment: the pk of the unconfirmed device it was shown.
PENDING_KEY = "two_factor_pending"
# Unconfirmed devices left by sessions that never finished are removed after this long.
PENDING_LIFETIME = dt.timedelta(days=1)


@dataclass(frozen=True)
class Status:
    enrolled: bool  # has a confirmed device
    required: bool  # their clinic requires a second factor


def status_of(user) -> Status:
    """The clinic's rule and whether the user has a confirmed device: read from the user as the
    session loaded it (clinic/backends.py `get_user`), else in one query."""
    enrolled = getattr(user, "two_factor_enrolled", None)
    if enrolled is not None and (user.clinic_id is None or User.clinic.is_cached(user)):
        required = user.clinic.require_two_factor if user.clinic_id else False
        return Status(enrolled=bool(enrolled), required=bool(required))
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(enrolled=has_device())
        .values_list("clinic__require_two_factor", "enrolled")
        .first()
    )
    required, enrolled = row or (False, False)
    return Status(enrolled=bool(enrolled), required=bool(required))


def has_device():
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def with_status(users):
    """Annotate a user queryset with `has_two_factor` (for staff lists, without N+1)."""
    return users.annotate(has_two_factor=has_device())


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(*, request) -> TOTPDevice:
    """The device this session is enrolling: the same secret on every visit of this session
    until it is confirmed (a QR code already scanned stays good), and a secret of its own for
    every other session, even one logged in with the same password."""
    user = request.user
    pk = request.session.get(PENDING_KEY)
    device = None
    if isinstance(pk, int):
        device = TOTPDevice.objects.filter(pk=pk, user=user, confirmed=False).first()
    if device is None:
        TOTPDevice.objects.filter(
            user=user, confirmed=False, created_at__lt=timezone.now() - PENDING_LIFETIME
        ).delete()
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        request.session[PENDING_KEY] = device.pk
    return device


def qr_svg(device) -> str:
    """The enrolment picture as inline SVG: path data only, so nothing a user typed appears in
    it as markup (the otpauth URL, username included, is only encoded in the squares)."""
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2))


def secret_text(device) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def seconds_to_wait(device) -> int:
    """How long django-otp's throttle refuses codes after repeated wrong ones (0: not now)."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return 0
    until = (info or {}).get("locked_until")
    return max(1, math.ceil((until - timezone.now()).total_seconds())) if until else 1


def check_code(device, code) -> bool:
    """Verify a code against a confirmed device (throttled, one use per code)."""
    return verify_token(device.user, device.persistent_id, code) is not None


def backup_code_form(text) -> str | None:
    """A typed backup code folded to how it is stored (8 letters and digits of base32, lower
    case; spaces, hyphens and full-width characters from a Japanese keyboard allowed), or None
    when it cannot be one."""
    code = unicodedata.normalize("NFKC", str(text)).replace(" ", "").replace("-", "").lower()
    if len(code) == 8 and all(c in BASE32 for c in code):
        return code
    return None


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def check_backup_code(user, code):
    """Use up one backup code (throttled, each works once): the device that took it, or None."""
    device = backup_device(user)
    if device is None or code is None:
        return None
    return verify_token(user, device.persistent_id, code)


@dataclass(frozen=True)
class Backup:
    left: int  # unused backup codes
    made_at: dt.datetime | None  # when the current set was made


def backup_status(user) -> Backup:
    device = backup_device(user)
    if device is None:
        return Backup(left=0, made_at=None)
    return Backup(left=device.token_set.count(), made_at=device.created_at)


def show_backup_code(code: str) -> str:
    return f"{code[:4]} {code[4:]}"


def confirm(*, device, code) -> bool:
    """Confirm the device being enrolled with a code from the app; a wrong code changes nothing
    but the throttle. The person's row is locked, so two sessions cannot both confirm: the
    first wins, and a second factor already confirmed is only replaced after turning it off or
    an admin's reset. On success every other device of the person is removed (other sessions'
    pending secrets with them)."""
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).filter(pk=device.user_id).first()
        device = TOTPDevice.objects.select_for_update(no_key=True).filter(pk=device.pk).first()
        if device is None or device.confirmed:
            return False
        if TOTPDevice.objects.filter(user_id=device.user_id, confirmed=True).exists():
            return False
        if not device.verify_token(code):
            return False
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    _record("two_factor_enrolled", member=device.user, by=device.user)
    return True


def new_backup_codes(*, member, by, at_enrolment: bool = False) -> list[str]:
    """A new set of one-time backup codes for the person; the set before stops working. The
    codes are returned to be shown once (django-otp keeps them in the database to check them).
    At enrolment the e-mail about the new second factor is the only one sent."""
    codes = [StaticToken.random_token() for _ in range(BACKUP_COUNT)]
    with transaction.atomic():
        # The device stays (a session that logged in with a backup code names it and stays
        # verified); its tokens are replaced, and created_at says when this set was made.
        device = backup_device(member) or StaticDevice.objects.create(
            user=member, name=BACKUP_NAME, confirmed=True
        )
        device.token_set.all().delete()
        for code in codes:
            StaticToken.objects.create(device=device, token=code)
        device.created_at = timezone.now()
        device.save(update_fields=["created_at"])
    _record("backup_codes_made", member=member, by=by, tell=not at_enrolment)
    return [show_backup_code(code) for code in codes]


def reset_backup_codes(*, member, by):
    """The clinic admin voids a colleague's backup codes (a printed sheet went missing): none
    works any more; the person makes a new set on their own page. (Sessions already verified
    stay so; to end them, the admin resets the second factor or ends the account's access.)"""
    device = backup_device(member)
    if device is not None:
        device.token_set.all().delete()
    _record("backup_codes_reset", member=member, by=by)


def backup_code_used(*, member, left: int):
    _record("backup_code_used", member=member, by=member, left=left)


def mark_verified(request, device):
    """The session has given its second factor: django-otp remembers the device in it, and the
    session key and CSRF token change, as they do at log-in."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def end_other_sessions(*, request):
    """Every other session of the person ends (the epoch is part of each session's hash); this
    one goes on. Used when a second factor is added, so a session that shared the password
    before has to log in again and give the new second factor."""
    user = request.user
    user.session_epoch += 1
    user.save(update_fields=["session_epoch"])
    update_session_auth_hash(request, user)


def turn_off(*, member):
    """The person turns off their own second factor (the view has re-asked a code)."""
    _remove_devices(member)
    _record("two_factor_turned_off", member=member, by=member)


def reset(*, member, by):
    """The clinic admin removes a colleague's second factor (lost phone): they log in with their
    password only, or enrol again where the clinic requires it. Their backup codes go too."""
    _remove_devices(member)
    _record("two_factor_reset", member=member, by=by)


def record_requirement(*, clinic, by):
    _record(
        "two_factor_required" if clinic.require_two_factor else "two_factor_not_required",
        member=None,
        by=by,
        clinic_id=clinic.pk,
    )


def _remove_devices(member):
    with transaction.atomic():
        TOTPDevice.objects.filter(user=member).delete()
        StaticDevice.objects.filter(user=member).delete()


def _notice(event, *, member, by, left=None) -> tuple[str, str] | None:
    """The e-mail's subject and first paragraph for an event, or None (no e-mail)."""
    by_other = by is not None and by.pk != member.pk
    notices = {
        "two_factor_enrolled": _("A second factor was added to your account"),
        "two_factor_turned_off": _("Two-factor authentication was turned off on your account"),
        "two_factor_reset": _("Your clinic admin reset your two-factor authentication"),
        "backup_codes_made": _("New backup codes were made for your account"),
        "backup_codes_reset": _("Your clinic admin voided your backup codes"),
        "backup_code_used": _("A backup code was used to log in to your account"),
    }
    if event not in notices:
        return None
    lines = [
        _("%(what)s at %(clinic)s on %(when)s%(by)s.")
        % {
            "what": notices[event],
            "clinic": member.clinic.name if member.clinic_id else "Hikagami",
            "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
            "by": (_(", by %(name)s") % {"name": by}) if by_other else "",
        }
    ]
    if left is not None:
        lines.append(_("Backup codes left: %(left)s.") % {"left": left})
    lines.append(
        _(
            "If this was not you, tell your clinic admin now: they can reset your second factor "
            "and set a new password."
        )
    )
    return notices[event], "\n\n".join(lines)


def _record(event, *, member, by, clinic_id=None, left=None, tell=True):
    """Into the audit trail (on the member's account; the clinic's requirement is a change of the
    clinic row, which the trail records by itself), the security log, and an e-mail to the
    member when they have an address."""
    if member is not None:
        audit.changed(member, {"two_factor": ["", event]}, note=event)
        notice = _notice(event, member=member, by=by, left=left) if tell else None
        if notice and member.email:
            subject, body = notice
            mail.send(subject=f"Hikagami: {subject}", body=body, to=[member.email])
    log.warning(
        "%s clinic=%s member=%s by=%s",
        event,
        clinic_id or getattr(member, "clinic_id", None),
        getattr(member, "pk", None),
        by.pk if by is not None else "command line",
    )
