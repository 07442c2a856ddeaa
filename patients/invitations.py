"""Portal accounts: invitation and password reset by a one-time link (72 h, single use).

Django's password-reset tokens fit exactly: they expire after PASSWORD_RESET_TIMEOUT (72 h here)
and stop working once the password changes (or the user logs in), so a link is used once.
"""

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from clinic.backends import clinic_code
from clinic.models import Role, User


class InvitationError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def link_for(user, request) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("patients:portal_activate", args=[uid, token]))


def login_link(clinic, request) -> str:
    """The log-in page with the clinic's code filled in (accounts are per clinic)."""
    query = urlencode({"clinic": clinic.slug})
    return request.build_absolute_uri(f"{reverse('login')}?{query}")


def _send(user, patient, request, *, subject, intro):
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
    send_mail(subject, body, None, [patient.email])


@transaction.atomic
def invite(*, patient, request) -> User:
    """Create (or re-invite) the patient's portal account and e-mail a link to set a password."""
    if not patient.email:
        raise InvitationError("no_email")
    user = patient.portal_user
    if user is None:
        # Names are per clinic: another clinic's account at this address is no concern here.
        taken = User.objects.filter(clinic_id=patient.clinic_id, username__iexact=patient.email)
        if taken.exists():
            raise InvitationError("email_taken")
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
    elif user.has_usable_password() and user.is_active:
        raise InvitationError("already_active")
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
    say nothing either way."""
    user = User.objects.filter(
        clinic__slug__iexact=clinic_code(clinic),
        username__iexact=email.strip(),
        role=Role.PATIENT,
        is_active=True,
    ).first()
    patient = getattr(user, "patient_record", None) if user else None
    if patient is not None:
        _send(
            user,
            patient,
            request,
            subject=_("Reset your password"),
            intro=_("To choose a new password for your patient page, open:"),
        )


def user_from_link(uidb64: str, token: str):
    """The patient account a link is for, or None when it is wrong, expired or already used."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    if pk > 2**62:
        return None
    user = User.objects.filter(pk=pk, role=Role.PATIENT).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def deactivate(*, patient) -> None:
    user = patient.portal_user
    if user is not None and user.is_active:
        user.is_active = False  # the records stay; the next request of that session logs out
        user.save(update_fields=["is_active"])
