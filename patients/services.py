"""Writes of the front desk: registration, booking, status changes. Each is one transaction."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinic import validators
from clinic.access import roles_of
from clinic.models import Clinic, Role
from patients import invitations, normalize, scheduling, working_hours
from patients.models import (
    ACTIVE_STATUSES,
    Appointment,
    Consent,
    ConsentKind,
    Menu,
    Patient,
)
from patients.working_hours import OutsideHours  # noqa: F401 (re-exported for the callers)


def possible_duplicates(
    *, clinic_id, family_name_kana, given_name_kana, birth_date, phone, exclude_pk=None
):
    """Same kana name and birth date, or same phone number, in the same clinic."""
    kana_key = normalize.fold(family_name_kana + given_name_kana)
    phone_digits = normalize.digits(phone)
    match = Q(kana_key=kana_key, birth_date=birth_date)
    if phone_digits:
        match |= Q(phone_digits=phone_digits)
    found = Patient.objects.filter(match, clinic_id=clinic_id)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.order_by("number")[:10]


def next_patient_number(*, clinic_id) -> int:
    Clinic.objects.filter(pk=clinic_id).update(next_patient_number=F("next_patient_number") + 1)
    return Clinic.objects.values_list("next_patient_number", flat=True).get(pk=clinic_id) - 1


@transaction.atomic
def register_patient(*, patient: Patient, clinic_id, recorded_by, consents: dict[str, bool]):
    """Save a new patient with the next clinic number and the consents given at the desk."""
    validators.check_names(patient, Patient.NAME_FIELDS)
    patient.clinic_id = clinic_id
    patient.created_by = recorded_by
    patient.number = next_patient_number(clinic_id=clinic_id)
    patient.save()
    for kind in ConsentKind.values:
        Consent.objects.create(
            patient=patient,
            kind=kind,
            given=bool(consents.get(kind)),
            text_version=settings.CONSENT_TEXT_VERSION,
            recorded_by=recorded_by,
        )
    return patient


@transaction.atomic
def update_patient(*, patient: Patient, changed: list[str]) -> bool:
    """Save the desk's changes to a patient's details; a changed e-mail address ends the portal
    access proven at the old one. Returns whether it did."""
    if patient.pk is None:
        raise ValueError("update_patient takes a saved patient")
    patient.full_clean(exclude=["created_by"])  # kept as recorded (imported patients have none)
    patient.save()
    return "email" in changed and invitations.address_changed(patient=patient)


@transaction.atomic
def activate_portal_account(*, user, password: str):
    """The patient chose a password from their invitation or reset link: the account opens."""
    if user.role != Role.PATIENT:
        raise ValueError("only a patient's account is opened from an invitation")
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    return user


def set_reminders(*, patient: Patient, on: bool) -> Patient:
    """The patient's own choice of e-mail reminders (their portal's switch)."""
    patient.reminders_opt_out = not on
    patient.save(update_fields=["reminders_opt_out", "updated_at"])
    return patient


@transaction.atomic
def archive_patient(*, patient: Patient, by) -> None:
    patient.is_archived = True
    patient.archived_at = timezone.now()
    patient.archived_by = by
    patient.save()


@transaction.atomic
def restore_patient(*, patient: Patient) -> None:
    patient.is_archived = False
    patient.archived_at = None
    patient.archived_by = None
    patient.save()


class BookingConflict(ValidationError):
    pass


def _clash(queryset, start, end):
    return queryset.filter(status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start).first()


def book_appointment(
    *,
    patient: Patient,
    practitioner,
    start: datetime,
    minutes: int | None = None,
    menu: Menu | None = None,
    reason: str,
    booked_by,
) -> Appointment:
    """Book a visit of `menu` (its length) or of `minutes` (a clinic without menus), refusing a
    time outside the clinic's hours or the practitioner's shifts (`OutsideHours`, the reason
    next to its field) and any overlap for the practitioner or the patient (`BookingConflict`).

    The practitioner's row is locked first (PostgreSQL) and SQLite runs IMMEDIATE transactions,
    so two desks booking the same slot at once are serialised and the second one is refused.
    """
    if menu is not None:
        if menu.clinic_id != patient.clinic_id or not menu.is_active:
            raise ValidationError({"menu": _("Choose one of the menus this clinic offers.")})
        minutes = menu.minutes if minutes is None else minutes
    if minutes is None:
        raise ValueError("book_appointment needs a menu or a length in minutes")
    end = start + timedelta(minutes=minutes)
    working_hours.check_bookable(
        clinic_id=patient.clinic_id, practitioner=practitioner, start=start, end=end
    )
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=practitioner.pk).first()
        clash = _clash(Appointment.objects.filter(practitioner=practitioner), start, end)
        if clash:
            raise BookingConflict(
                _("%(name)s already has a visit from %(start)s to %(end)s.")
                % {
                    "name": practitioner,
                    "start": timezone.localtime(clash.start).strftime("%H:%M"),
                    "end": timezone.localtime(clash.end).strftime("%H:%M"),
                },
                code="practitioner_busy",
            )
        if _clash(Appointment.objects.filter(patient=patient), start, end):
            raise BookingConflict(
                _("This patient already has a visit at that time."), code="patient_busy"
            )
        return Appointment.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            practitioner=practitioner,
            start=start,
            end=end,
            menu=menu,
            reason=reason,
            created_by=booked_by,
        )


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def visit_time(appointment: Appointment, now=None) -> scheduling.VisitTime:
    now = now or timezone.now()
    return scheduling.VisitTime(
        start=appointment.start,
        visit_day=timezone.localtime(appointment.start).date(),
        today=timezone.localtime(now).date(),
        now=now,
    )


@transaction.atomic
def change_status(*, appointment: Appointment, target: str, by) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if not scheduling.can_transition(locked.status, target, roles_of(by), visit_time(locked)):
        raise PermissionDenied
    locked.status = target
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = by
    locked.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    return locked
