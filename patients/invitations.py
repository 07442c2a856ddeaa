"""Portal accounts: invitation and password reset by a one-time link (72 h, single use).

A link is one of Django's password-reset tokens, made by `LinkTokens`: it expires after
PASSWORD_RESET_TIMEOUT (72 h here) and stops working once the password changes or the patient
logs in, so it is used once. It also holds the account's `link_epoch`, which is bumped whenever
every earlier link must die: a newer link is sent, portal access ends, or the e-mail address
changes. So a link sent to a mistyped address is dead the moment the desk corrects it.

Links go out at most a few times an hour per address and per client address (clinic/throttle.py).
"""

import logging

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from clinic import mail, throttle
from clinic.backends import clinic_code
from clinic.models import Role, User
from clinic.proxy import client_address

log = logging.getLogger("hikagami.security")


class LinkTokens(PasswordResetTokenGenerator):
    key_salt = "hikagami.patients.invitations.LinkTokens"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}|{user.link_epoch}|{user.is_active}"


tokens = LinkTokens()


class InvitationError(Exception):
    def __init__(self, code, *, minutes=0):
        super().__init__(code)
        self.code = code
        self.minutes = minutes


def _locked(user) -> User:
    """The account's row, locked for this transaction (two desks pressing at once count twice)."""
    return User.objects.select_for_update(no_key=True).get(pk=user.pk)


@transaction.atomic
def _new_link_epoch(user) -> None:
    """Every link sent before this one stops working (saved, so the trail shows it)."""
    user.link_epoch = _locked(user).link_epoch + 1
    user.save(update_fields=["link_epoch"])


def link_for(user, request) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = tokens.make_token(user)
    return request.build_absolute_uri(reverse("patients:portal_activate", args=[uid, token]))


def login_link(clinic, request) -> str:
    """The log-in page with the clinic's code filled in (accounts are per clinic)."""
    query = urlencode({"clinic": clinic.slug})
    return request.build_absolute_uri(f"{reverse('login')}?{query}")


def _send(user, patient, request, *, subject, intro):
    _new_link_epoch(user)
    body = _(
        "%(intro)s\n\n%(link)s\n\nThis link works once, for 72 hours. If it has expired, ask "
        "%(clinic)s for a new one.\n\nAfterwards, log in at %(login)s (clinic code: %(code)s)."
        "\n\n%(clinic)s"
    ) % {
        "intro": intro,
        "link": link_for(user, request),
        "clinic": patient.clinic.name,
        "login": login_link(patient.clinic, request),
        "code": patient.clinic.slug,
    }
    mail.send(subject=subject, body=body, to=[patient.email])


@transaction.atomic
def invite(*, patient, request) -> User:
    """Create (or re-invite) the patient's portal account and e-mail a link to set a password.
    A new invitation kills the ones before it; the account follows the record's address."""
    if not patient.email:
        raise InvitationError("no_email")
    user = patient.portal_user
    if user is not None and user.has_usable_password() and user.is_active:
        raise InvitationError("already_active")
    # Names are per clinic: another clinic's account at this address is no concern here.
    taken = User.objects.filter(clinic_id=patient.clinic_id, username__iexact=patient.email)
    if user is not None:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise InvitationError("email_taken")
    if not throttle.allow(kind="invitation", address=patient.email, client=client_address(request)):
        minutes = throttle.minutes_to_wait(kind="invitation", address=patient.email)
        log.warning("invitation throttled clinic=%s patient=%s", patient.clinic_id, patient.pk)
        raise InvitationError("too_many", minutes=minutes)
    if user is None:
        user = User.objects.create(
            username=patient.email.lower(),
            email=patient.email,
            clinic_id=patient.clinic_id,
            role=Role.PATIENT,
            display_name=patient.full_name,
            is_active=False,
        )
        user.set_unusable_password()
        user.save()
        patient.portal_user = user
        patient.save()
    else:
        user.username, user.email = patient.email.lower(), patient.email
        user.access_ended_at = None
        user.save(update_fields=["username", "email", "access_ended_at"])
    _send(
        user,
        patient,
        request,
        subject=_("Your patient page at %(clinic)s") % {"clinic": patient.clinic.name},
        intro=_("%(name)s, please set a password for your patient page:")
        % {"name": patient.full_name},
    )
    return user


def send_reset(*, clinic: str, email: str, request) -> None:
    """Send a reset link if an active patient account of that clinic (its code) has this e-mail;
    say nothing either way. Every request counts for the throttle, known address or not."""
    code = clinic_code(clinic)
    if not throttle.allow(
        kind="reset", address=f"{code}/{email.strip()}", client=client_address(request)
    ):
        log.warning("password reset throttled clinic=%s", code)
        return
    user = User.objects.filter(
        clinic__slug__iexact=code,
        username__iexact=email.strip(),
        role=Role.PATIENT,
        is_active=True,
    ).first()
    patient = getattr(user, "patient_record", None) if user else None
    if patient is not None and not patient.is_archived:
        _send(
            user,
            patient,
            request,
            subject=_("Reset your password"),
            intro=_("To choose a new password for your patient page, open:"),
        )


def user_from_link(uidb64: str, token: str):
    """The patient account a link is for, or None when it is wrong, expired, already used, or
    was overtaken by a newer link, the end of access or a new address."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if pk > 2**62:
        return None
    user = User.objects.filter(pk=pk, role=Role.PATIENT).select_related("clinic").first()
    if user is None or not tokens.check_token(user, token):
        return None
    patient = getattr(user, "patient_record", None)
    if patient is None or patient.is_archived:
        return None
    return user


@transaction.atomic
def deactivate(*, patient, reason: str = "ended") -> bool:
    """End the patient's portal access in one step: the account cannot log in, every session of
    it ends, and every invitation or reset link already sent stops working. The records stay.
    Returns whether there was an account to end."""
    user = patient.portal_user
    if user is None:
        return False
    current = _locked(user)
    user.is_active = False
    # An active account's sessions end by User.save(); a never-activated one has none.
    user.session_epoch = current.session_epoch
    user.link_epoch = current.link_epoch + 1
    user.access_ended_at = timezone.now()
    # Saved (not updated in bulk), so the trail records the change; `reason` says why.
    user.save(update_fields=["is_active", "session_epoch", "link_epoch", "access_ended_at"])
    log.warning(
        "portal access ended clinic=%s patient=%s reason=%s", patient.clinic_id, patient.pk, reason
    )
    return True


def address_changed(*, patient) -> bool:
    """The record's e-mail changed: access proven at the old address is not proof for the new
    one, so the account's access ends (the desk invites again at the new address)."""
    return deactivate(patient=patient, reason="email_changed")
