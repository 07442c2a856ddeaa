"""Writes of the front desk: registration, booking, status changes. Each is one transaction."""

from dataclasses import dataclass
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
    AppointmentStatus,
    CancelReason,
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


REPEAT_WEEKS = 12  # the longest weekly series booked at once


def _clash(queryset, start, end):
    return queryset.filter(status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start).first()


def _lock_practitioners(*practitioners, patient) -> None:
    """Lock the practitioners' rows, in id order, then the patient's (PostgreSQL; SQLite's
    IMMEDIATE transactions serialise anyway): a move between two practitioners cannot deadlock
    with a booking, and two desks booking one patient with two practitioners at once are
    serialised, so the second sees the first's visit."""
    ids = sorted({p.pk for p in practitioners})
    list(get_user_model().objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk"))
    list(Patient.objects.select_for_update(no_key=True).filter(pk=patient.pk))


def _check_free(*, patient, practitioner, start, end, moving=None) -> None:
    """Raise BookingConflict when the practitioner or the patient already has a visit that
    overlaps `start`-`end` (`moving`: the visit being moved or lengthened, which does not count).
    Call it holding the practitioner's lock."""
    others = Appointment.objects.exclude(pk=moving.pk) if moving else Appointment.objects
    clash = _clash(others.filter(practitioner=practitioner), start, end)
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
    if _clash(others.filter(patient=patient), start, end):
        raise BookingConflict(
            _("This patient already has a visit at that time."), code="patient_busy"
        )


def _length(*, clinic_id, menu: Menu | None, minutes: int | None) -> int:
    if menu is not None:
        if menu.clinic_id != clinic_id or not menu.is_active:
            raise ValidationError({"menu": _("Choose one of the menus this clinic offers.")})
        minutes = menu.minutes if minutes is None else minutes
    if minutes is None:
        raise ValueError("a booking needs a menu or a length in minutes")
    return minutes


def book_appointment(
    *,
    patient: Patient,
    practitioner,
    start: datetime,
    minutes: int | None = None,
    menu: Menu | None = None,
    reason: str,
    note: str = "",
    booked_by,
) -> Appointment:
    """Book a visit of `menu` (its length) or of `minutes` (a clinic without menus), refusing a
    time outside the clinic's hours or the practitioner's shifts (`OutsideHours`, the reason
    next to its field) and any overlap for the practitioner or the patient (`BookingConflict`).

    The practitioner's row is locked first (PostgreSQL) and SQLite runs IMMEDIATE transactions,
    so two desks booking the same slot at once are serialised and the second one is refused.
    """
    minutes = _length(clinic_id=patient.clinic_id, menu=menu, minutes=minutes)
    end = start + timedelta(minutes=minutes)
    working_hours.check_bookable(
        clinic_id=patient.clinic_id, practitioner=practitioner, start=start, end=end
    )
    with transaction.atomic():
        _lock_practitioners(practitioner, patient=patient)
        _check_free(patient=patient, practitioner=practitioner, start=start, end=end)
        return Appointment.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient,
            practitioner=practitioner,
            start=start,
            end=end,
            menu=menu,
            reason=reason,
            note=note,
            created_by=booked_by,
        )


# Changing a booked visit: the same hours check, locks and overlap rules as booking. ----------

# Only a visit still ahead of the patient's arrival moves or changes length.
MOVABLE = (AppointmentStatus.BOOKED,)
# A visit that has not happened yet can be cancelled (the patient may leave after checking in).
CANCELLABLE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


def _locked_visit(appointment: Appointment, by) -> Appointment:
    """The visit's row, locked, after checking the user may change it (staff of its clinic)."""
    if by.clinic_id != appointment.clinic_id or not roles_of(by) & scheduling.STAFF_ROLES:
        raise PermissionDenied
    return (
        Appointment.objects.select_for_update(no_key=True)
        .select_related("patient")
        .get(pk=appointment.pk)
    )


def _not_movable() -> ValidationError:
    return ValidationError(
        _("Only a booked visit that has not started can be changed."), code="not_movable"
    )


def move_appointment(*, appointment: Appointment, practitioner, start: datetime, by) -> Appointment:
    """Move a booked visit to `start` (and to `practitioner`), keeping its length. Refused like
    a booking: outside the hours (`OutsideHours`), into another visit (`BookingConflict`), into
    the past. The practitioners' rows are locked as a booking locks them, so a move and a
    booking of the same slot at the same moment give one visit there and one refusal."""
    if practitioner.clinic_id != appointment.clinic_id:
        raise ValidationError({"practitioner": _("Choose a practitioner of this clinic.")})
    if start < timezone.now():
        raise ValidationError({"start": _("A visit cannot be booked in the past.")})
    end = start + (appointment.end - appointment.start)
    working_hours.check_bookable(
        clinic_id=appointment.clinic_id, practitioner=practitioner, start=start, end=end
    )
    with transaction.atomic():
        _lock_practitioners(practitioner, appointment.practitioner, patient=appointment.patient)
        locked = _locked_visit(appointment, by)
        if locked.status not in MOVABLE or locked.start < timezone.now():
            raise _not_movable()
        if locked.end - locked.start != end - start:
            raise _not_movable()  # changed meanwhile: the desk looks again
        _check_free(
            patient=locked.patient, practitioner=practitioner, start=start, end=end, moving=locked
        )
        locked.practitioner, locked.start, locked.end = practitioner, start, end
        locked.save(update_fields=["practitioner", "start", "end"])
        return locked


def edit_appointment(
    *, appointment: Appointment, menu: Menu | None, reason: str, note: str, by
) -> Appointment:
    """Change a visit's menu, reason and note. A new menu of another length moves the visit's
    end, checked like a booking (hours, overlaps) and only while the visit is still booked."""
    if menu is not None and (menu.clinic_id != appointment.clinic_id or not menu.is_active):
        if menu.pk != appointment.menu_id:  # a menu since taken off may stay on its visits
            raise ValidationError({"menu": _("Choose one of the menus this clinic offers.")})
    if len(reason) > 200 or len(note) > 300:
        raise ValueError("reason and note are at most 200 and 300 characters")
    end = appointment.end
    if menu is not None and menu.pk != appointment.menu_id:
        end = appointment.start + timedelta(minutes=menu.minutes)
    if end != appointment.end:
        working_hours.check_bookable(
            clinic_id=appointment.clinic_id,
            practitioner=appointment.practitioner,
            start=appointment.start,
            end=end,
        )
    with transaction.atomic():
        _lock_practitioners(appointment.practitioner, patient=appointment.patient)
        locked = _locked_visit(appointment, by)
        moved = (locked.start, locked.practitioner_id) != (
            appointment.start,
            appointment.practitioner_id,
        )
        if end != appointment.end and moved:
            raise ValidationError({"menu": _not_movable()})  # moved meanwhile: look again
        if end == appointment.end:
            end = locked.end  # the menu's length is not changing: keep the visit's end
        if end != locked.end:
            if locked.status not in MOVABLE:
                raise ValidationError({"menu": _not_movable()})
            _check_free(
                patient=locked.patient,
                practitioner=appointment.practitioner,
                start=locked.start,
                end=end,
                moving=locked,
            )
        locked.menu, locked.end, locked.reason, locked.note = menu, end, reason, note
        locked.save(update_fields=["menu", "end", "reason", "note"])
        return locked


@transaction.atomic
def cancel_appointment(*, appointment: Appointment, reason: str, note: str, by) -> Appointment:
    """Cancel a visit that has not happened, saying why: the patient or the clinic cancelled, or
    the patient did not come (a no-show, which the visit's status then says, and only once its
    start has passed). The reason and note are kept on the visit and in the audit trail."""
    if reason not in CancelReason.values:
        raise ValidationError({"reason": _("Choose why the visit is cancelled.")})
    if len(note) > 200:
        raise ValidationError({"note": _("At most 200 characters.")})
    locked = _locked_visit(appointment, by)
    target = scheduling.NO_SHOW if reason == CancelReason.NO_SHOW else scheduling.CANCELLED
    if not scheduling.can_transition(locked.status, target, roles_of(by), visit_time(locked)):
        if target == scheduling.NO_SHOW and locked.status == AppointmentStatus.BOOKED:
            raise ValidationError(
                {"reason": _("A no-show can be recorded only once the visit's time has come.")}
            )
        raise ValidationError(_("This visit can no longer be cancelled."), code="not_cancellable")
    locked.status, locked.cancel_reason, locked.cancel_note = target, reason, note
    locked.status_changed_at, locked.status_changed_by = timezone.now(), by
    locked.save(
        update_fields=[
            "status",
            "cancel_reason",
            "cancel_note",
            "status_changed_at",
            "status_changed_by",
        ]
    )
    return locked


# A weekly series: previewed date by date, then the free ones booked together. ---------------


@dataclass(frozen=True)
class SeriesDate:
    start: datetime
    problem: str  # empty when the date is free


def _weekly(start: datetime, weeks: int) -> list[datetime]:
    if not 1 <= weeks <= REPEAT_WEEKS:
        raise ValidationError(
            {"weeks": _("Between 1 and %(most)s weeks.") % {"most": REPEAT_WEEKS}}
        )
    local = timezone.localtime(start)
    days = [local.date() + timedelta(weeks=n) for n in range(weeks)]
    return [timezone.make_aware(datetime.combine(day, local.time())) for day in days]


def _series_problem(*, patient, practitioner, start, end) -> str:
    try:
        working_hours.check_bookable(
            clinic_id=patient.clinic_id, practitioner=practitioner, start=start, end=end
        )
        _check_free(patient=patient, practitioner=practitioner, start=start, end=end)
    except ValidationError as refused:
        return " ".join(refused.messages)
    return ""


def preview_series(
    *, patient: Patient, practitioner, start: datetime, weeks: int, menu=None, minutes=None
) -> list[SeriesDate]:
    """The same time every week for `weeks` weeks from `start`, each date with why it cannot be
    booked (outside the hours, a clash), or free. Saves nothing."""
    length = timedelta(minutes=_length(clinic_id=patient.clinic_id, menu=menu, minutes=minutes))
    return [
        SeriesDate(
            when,
            _series_problem(
                patient=patient, practitioner=practitioner, start=when, end=when + length
            ),
        )
        for when in _weekly(start, weeks)
    ]


@transaction.atomic
def book_series(
    *,
    patient: Patient,
    practitioner,
    start: datetime,
    weeks: int,
    reason: str,
    booked_by,
    menu: Menu | None = None,
    minutes: int | None = None,
) -> tuple[list[Appointment], list[SeriesDate]]:
    """Book every free date of the weekly series in one transaction, holding the practitioner's
    lock; the dates that are not free (checked again here: someone may have booked since the
    preview) are returned with their reason and left unbooked."""
    length = _length(clinic_id=patient.clinic_id, menu=menu, minutes=minutes)
    _lock_practitioners(practitioner, patient=patient)
    booked, refused = [], []
    for when in _weekly(start, weeks):
        end = when + timedelta(minutes=length)
        problem = _series_problem(patient=patient, practitioner=practitioner, start=when, end=end)
        if problem:
            refused.append(SeriesDate(when, problem))
            continue
        booked.append(
            Appointment.objects.create(
                clinic_id=patient.clinic_id,
                patient=patient,
                practitioner=practitioner,
                start=when,
                end=end,
                menu=menu,
                reason=reason,
                created_by=booked_by,
            )
        )
    return booked, refused


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


def _has_visit_record(visit: Appointment) -> bool:
    """Whether the practitioner started this visit's record (施術記録, the floor above: read by
    its reverse relation, nothing imported)."""
    return Appointment.objects.filter(pk=visit.pk, visit_record__isnull=False).exists()


@transaction.atomic
def change_status(*, appointment: Appointment, target: str, by) -> Appointment:
    """A step of the visit's day (check in, start, finish, undo, no-show). Cancelling asks for a
    reason: `cancel_appointment`."""
    if target == scheduling.CANCELLED:
        raise PermissionDenied
    locked = Appointment.objects.select_for_update(no_key=True).get(pk=appointment.pk)
    if not scheduling.can_transition(locked.status, target, roles_of(by), visit_time(locked)):
        raise PermissionDenied
    if target == scheduling.BOOKED and _has_visit_record(locked):
        raise PermissionDenied  # its record says the patient was here: it cannot be undone
    locked.status = target
    fields = ["status", "status_changed_at", "status_changed_by"]
    if target == scheduling.NO_SHOW:
        locked.cancel_reason = CancelReason.NO_SHOW
        fields.append("cancel_reason")
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = by
    locked.save(update_fields=fields)
    return locked
