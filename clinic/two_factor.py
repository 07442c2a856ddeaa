"""Two-factor authentication (TOTP) for staff: enrolment, the log-in's second step, turning off
and the admin's reset. Patients are never asked.

A staff member must give a code when they have a confirmed device, or when their clinic requires
two-factor authentication (`Clinic.require_two_factor`); `access.allow()` enforces that on every
staff page. Enrolment works on one unconfirmed device per person, which counts for nothing until
a correct code confirms it. Every change to someone's second factor goes through `_record()`:
the call point for the audit trail.
"""

import logging
import math
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.middleware.csrf import rotate_token
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import audit
from clinic.models import User

log = logging.getLogger("hikagami.security")

DEVICE_NAME = "authenticator"


@dataclass(frozen=True)
class Status:
    enrolled: bool  # has a confirmed device
    required: bool  # their clinic requires a second factor


def status_of(user) -> Status:
    """The clinic's rule and whether the user has a confirmed device, in one query."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(enrolled=_has_device())
        .values_list("clinic__require_two_factor", "enrolled")
        .first()
    )
    required, enrolled = row or (False, False)
    return Status(enrolled=bool(enrolled), required=bool(required))


def _has_device():
    return Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))


def with_status(users):
    """Annotate a user queryset with `has_two_factor` (for staff lists, without N+1)."""
    return users.annotate(has_two_factor=_has_device())


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: the same secret on every visit until confirmed or removed,
    so a QR code already scanned stays good."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


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


def confirm(device, code) -> bool:
    """Confirm the device being enrolled with a code from the app; a wrong code changes nothing
    but the throttle. On success, any other device of the person is removed."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk).first()
        if device is None or device.confirmed or not device.verify_token(code):
            return False
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    _record("two_factor_enrolled", member=device.user, by=device.user)
    return True


def mark_verified(request, device):
    """The session has given its second factor: django-otp remembers the device in it, and the
    session key and CSRF token change, as they do at log-in."""
    otp_login(request, device)
    request.session.cycle_key()
    rotate_token(request)


def turn_off(*, member):
    """The person turns off their own second factor (the view has re-asked a code)."""
    _remove_devices(member)
    _record("two_factor_turned_off", member=member, by=member)


def reset(*, member, by):
    """The clinic admin removes a colleague's second factor (lost phone): they log in with their
    password only, or enrol again where the clinic requires it."""
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
    TOTPDevice.objects.filter(user=member).delete()


def _record(event, *, member, by, clinic_id=None):
    """Into the audit trail (on the member's account; the clinic's requirement is a change of the
    clinic row, which the trail records by itself) and the security log."""
    if member is not None:
        audit.changed(member, {"two_factor": ["", event]}, note=event)
    log.warning(
        "%s clinic=%s member=%s by=%s",
        event,
        clinic_id or getattr(member, "clinic_id", None),
        getattr(member, "pk", None),
        by.pk if by is not None else "command line",
    )
