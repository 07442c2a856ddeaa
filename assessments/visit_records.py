"""Visit records (施術記録): written for a visit in the clinic, signed, then changed only by
amendment. A "yes" in the red-flag re-check opens the assessment's red-flag path
(`rules.visit`): an assessment of this visit is started (or the patient's draft continued), the
record stays a draft until that assessment is signed, and the open entry shows on the
practitioner's home until then.

Every write validates first (the values, the ticked items against the record's own plan, the
re-check) and writes in one transaction; nothing is ever deleted but a tick taken off by the
practitioner (kept in the amendment's before and in the audit trail).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments import services
from assessments.models import (
    RECHECK_FIELDS,
    Assessment,
    AssessmentStatus,
    CarePlan,
    ExerciseLog,
    HomeCare,
    PlanItem,
    PlanStatus,
    VisitRecord,
    VisitRecordAmendment,
    VisitRecordItem,
    VisitRecordStatus,
)
from assessments.rules import visit as visit_rules
from assessments.rules.wording import both
from patients.models import Appointment, AppointmentStatus

HOME_LOG_DAYS = 7
# A visit may get its record while the patient is here, or after the session is finished.
RECORDABLE = (
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_SESSION,
    AppointmentStatus.COMPLETED,
)
# The fields a record's data holds besides the re-check and the ticked items.
VALUE_FIELDS = (
    "pain_before",
    "pain_after",
    "other_work",
    "response",
    "response_note",
    "home_care",
    "notes",
    "next_visit_on",
)


class VisitRecordError(Exception):
    """Not possible now; `code` says why (shown to the practitioner)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class EditConflict(Exception):
    """Someone saved the record after this form was opened."""

    def __init__(self, current: VisitRecord):
        super().__init__("conflict")
        self.current = current


# Reads the form and the services share ----------------------------------------------------


def recordable(appointment) -> bool:
    return appointment.status in RECORDABLE and not appointment.patient.is_archived


def current_plan(patient) -> CarePlan | None:
    return CarePlan.objects.filter(patient=patient, status=PlanStatus.PUBLISHED).first()


def clinic_items(plan: CarePlan | None) -> list[PlanItem]:
    """The plan's in-clinic items as it gave them (not those taken off the draft)."""
    if plan is None:
        return []
    return list(plan.items.filter(kind=PlanItem.Kind.CLINIC, removed=False).order_by("position"))


def home_log(patient, plan: CarePlan | None, day: dt.date) -> tuple[int, int] | None:
    """(days with an exercise logged done, days the plan assigned) over the last HOME_LOG_DAYS
    days up to `day`; None when the plan gives no home exercise or there is no plan."""
    if plan is None or plan.published_at is None:
        return None
    if not plan.items.filter(kind=PlanItem.Kind.EXERCISE, removed=False).exists():
        return None
    start = max(
        day - dt.timedelta(days=HOME_LOG_DAYS - 1), timezone.localtime(plan.published_at).date()
    )
    assigned = (day - start).days + 1
    if assigned <= 0:
        return None
    done = (
        ExerciseLog.objects.filter(patient=patient, day__gte=start, day__lte=day, done=True)
        .values("day")
        .distinct()
        .count()
    )
    return done, assigned


def home_care_from_log(log: tuple[int, int] | None) -> str | None:
    """The answer the portal log suggests (the practitioner confirms or changes it)."""
    if log is None:
        return None
    done, assigned = log
    if done == 0:
        return HomeCare.NOT_DONE
    return HomeCare.AS_PLANNED if done * 4 >= assigned * 3 else HomeCare.PARTLY


def suggestions(appointment, plan: CarePlan | None) -> dict:
    """What a new record's form starts with: the home-care answer from the portal log, and the
    next visit from the plan's interval."""
    day = timezone.localtime(appointment.start).date()
    log = home_log(appointment.patient, plan, day)
    suggested = home_care_from_log(log)
    if plan is not None and not _gives_exercises(plan):
        suggested = HomeCare.NONE_GIVEN
    return {
        "home_log": log,
        "home_care": suggested,
        "next_visit_on": visit_rules.next_visit(day, plan.visit_interval_days if plan else None),
        "interval_days": plan.visit_interval_days if plan else None,
        "reassess_on": plan.reassess_on if plan else None,
    }


def _gives_exercises(plan: CarePlan) -> bool:
    return plan.items.filter(kind=PlanItem.Kind.EXERCISE, removed=False).exists()


def data_of(record: VisitRecord) -> dict:
    """A record as its form writes it (what an amendment's before and after hold)."""
    data = {name: getattr(record, name) for name in VALUE_FIELDS}
    data["next_visit_on"] = record.next_visit_on.isoformat() if record.next_visit_on else None
    data["recheck"] = {code: getattr(record, code) for code in RECHECK_FIELDS}
    data["items"] = {
        str(item.plan_item_id): {"side": item.side, "note": item.note}
        for item in record.items.all()
    }
    return data


# Validation (nothing written) ----------------------------------------------------------------


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError({"next_visit_on": f"not a date: {value!r}"}) from None


NUMBERS = ("pain_before", "pain_after")


def _apply_values(record: VisitRecord, data: dict) -> None:
    for name in VALUE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "next_visit_on":
            value = _date(value)
        elif name not in NUMBERS and value is None:
            value = ""  # a text or choice left empty
        setattr(record, name, value)


def _apply_recheck(record: VisitRecord, recheck: dict) -> None:
    for code, value in recheck.items():
        if code not in RECHECK_FIELDS or value not in (True, False, None):
            raise ValidationError({code: f"not a re-check answer: {value!r}"})
    before = record.answers
    for code in RECHECK_FIELDS:
        if code in recheck:
            setattr(record, code, recheck[code])
    lost = visit_rules.kept_yes(before, record.answers)
    if lost:
        raise ValidationError(
            {code: "a yes in the re-check is never taken back" for code in lost},
            code="yes_kept",
        )


def _wanted_items(record: VisitRecord, ticked: dict) -> dict[int, VisitRecordItem]:
    """The ticked rows, each checked against the record's own plan: an in-clinic item of it,
    on a side that item allows."""
    allowed = {item.pk: item for item in clinic_items(record.plan)}
    wanted = {}
    for key, values in ticked.items():
        plan_item = allowed.get(int(key)) if str(key).isdigit() else None
        if plan_item is None:
            raise ValidationError(f"not an in-clinic item of this visit's plan: {key!r}")
        side = (values or {}).get("side") or ""
        if side not in visit_rules.allowed_sides(plan_item.side):
            raise ValidationError({"side": f"{plan_item.code} is not given on {side!r}"})
        row = VisitRecordItem(
            visit_record=record, plan_item=plan_item, side=side, note=values.get("note") or ""
        )
        row.full_clean(exclude=["visit_record"], validate_unique=False)
        wanted[plan_item.pk] = row
    return wanted


def _validated(record: VisitRecord, data: dict, *, recheck=True) -> dict[int, VisitRecordItem]:
    """Put `data` on the (locked or unsaved) record and check it all; returns the ticked rows
    to store. Raises ValidationError before anything is written."""
    _apply_values(record, data)
    if recheck:
        _apply_recheck(record, data.get("recheck") or {})
    elif any(
        (data.get("recheck") or {}).get(code, getattr(record, code)) != getattr(record, code)
        for code in RECHECK_FIELDS
    ):
        raise ValidationError("the re-check of a signed record is not amended", code="recheck")
    record.full_clean(
        exclude=["clinic", "patient", "appointment", "practitioner", "plan", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    return _wanted_items(record, data.get("items") or {})


# Writes ----------------------------------------------------------------------------------


def _store_items(record: VisitRecord, wanted: dict[int, VisitRecordItem]) -> None:
    """Row by row (each change goes into the audit trail): a tick that stays is updated in
    place, a new one created, one taken off removed."""
    for row in record.items.all():
        new = wanted.pop(row.plan_item_id, None)
        if new is None:
            row.delete()
        elif (row.side, row.note) != (new.side, new.note):
            row.side, row.note = new.side, new.note
            row.save(update_fields=["side", "note"])
    for row in wanted.values():
        row.visit_record = record
        row.save()
    record._prefetched_objects_cache = {}


def _open_red_flag_path(record: VisitRecord, by) -> None:
    """A "yes": the assessment it is examined in (the patient's draft, or a new one of this
    visit, started from the last signed assessment), linked to the record."""
    if not record.outcome.opens_red_flag_path or record.red_flag_assessment_id:
        return
    draft = (
        Assessment.objects.filter(patient=record.patient, status=AssessmentStatus.DRAFT)
        .order_by("-created_at", "-id")
        .first()
    )
    if draft is None:
        draft = services.start_assessment(
            patient=record.patient, practitioner=by, appointment=record.appointment
        )
    record.red_flag_assessment = draft
    record.red_flag_opened_at = timezone.now()
    # A draft whose red-flag screen was saved before this "yes" must screen it again.
    record.red_flag_opened_revision = draft.revision
    record.save(
        update_fields=["red_flag_assessment", "red_flag_opened_at", "red_flag_opened_revision"]
    )


@transaction.atomic
def start(*, appointment, by, data: dict, today: dt.date, sign_it=False) -> VisitRecord:
    """The record of a visit in the clinic (one per visit), saved as a draft, then signed when
    `sign_it` and the re-check allows it (else it stays a draft: see `sign`)."""
    # The visit's row is locked first: two practitioners starting its record at once are taken
    # one after the other, and the second is told (never an IntegrityError).
    appointment = (
        Appointment.objects.select_for_update(no_key=True)
        .select_related("patient")
        .get(pk=appointment.pk)
    )
    if not recordable(appointment):
        raise VisitRecordError("not_recordable")
    if VisitRecord.objects.filter(appointment=appointment).exists():
        raise VisitRecordError("already_recorded")
    plan = current_plan(appointment.patient)
    log = home_log(appointment.patient, plan, timezone.localtime(appointment.start).date())
    record = VisitRecord(
        clinic_id=appointment.clinic_id,
        patient=appointment.patient,
        appointment=appointment,
        practitioner=by,
        plan=plan,
        created_by=by,
        updated_by=by,
        home_log_days_done=log[0] if log else None,
        home_log_days=log[1] if log else None,
    )
    wanted = _validated(record, data)
    record.save()
    _store_items(record, wanted)
    _open_red_flag_path(record, by)
    if sign_it and record.sign_verdict().allowed:
        _sign(record, by)
    return record


def _lock(record: VisitRecord) -> VisitRecord:
    return (
        # Only the record's own row (PostgreSQL locks no nullable side of an outer join).
        VisitRecord.objects.select_for_update(of=("self",), no_key=True)
        .select_related("patient", "appointment", "plan", "red_flag_assessment")
        .get(pk=record.pk)
    )


@transaction.atomic
def save_draft(
    *, record: VisitRecord, data: dict, revision: int, by, today: dt.date, sign_it=False
) -> VisitRecord:
    """Save a draft again (refused as a conflict when someone saved it after `revision`)."""
    locked = _lock(record)
    if locked.is_signed:
        raise VisitRecordError("already_signed")
    if locked.revision > revision:
        raise EditConflict(locked)
    if not recordable(locked.appointment):
        raise VisitRecordError("not_recordable")  # cancelled since: kept as it stands
    wanted = _validated(locked, data)
    locked.revision += 1
    locked.updated_by = by
    locked.save()
    _store_items(locked, wanted)
    _open_red_flag_path(locked, by)
    if sign_it and locked.sign_verdict().allowed:
        _sign(locked, by)
    return locked


def _signed_items(record: VisitRecord) -> dict:
    rows = record.items.select_related("plan_item")
    return {
        "plan_version": record.plan.version if record.plan else None,
        "items": [
            {
                "plan_item": row.plan_item_id,
                "code": row.plan_item.code,
                "label": {
                    "ja": row.plan_item.label,
                    "en": row.plan_item.label_en or row.plan_item.label,
                },
                "side": row.side,
                "note": row.note,
            }
            for row in rows
        ],
        "red_flag": {
            "raised": list(record.outcome.raised),
            "labels": [both(label) for label in record.raised_labels],
            "assessment": record.red_flag_assessment_id,
        },
    }


def _sign(record: VisitRecord, by) -> None:
    record.status = VisitRecordStatus.SIGNED
    record.signed_at = timezone.now()
    record.signed_by = by
    record.signed_items = _signed_items(record)
    record.revision += 1
    record.save()


@transaction.atomic
def sign(*, record: VisitRecord, by) -> VisitRecord:
    """Sign a draft: refused ("unanswered", "red_flag_path_open") as `rules.visit` says."""
    locked = _lock(record)
    if locked.is_signed:
        raise VisitRecordError("already_signed")
    if not recordable(locked.appointment):
        raise VisitRecordError("not_recordable")  # cancelled since: kept, never signed
    verdict = locked.sign_verdict()
    if not verdict.allowed:
        raise VisitRecordError(verdict.code)
    _sign(locked, by)
    return locked


@transaction.atomic
def amend(
    *, record: VisitRecord, data: dict, reason: str, revision: int, by
) -> VisitRecordAmendment | None:
    """Correct a signed record: who, when, why, before and after. The re-check is not amended
    (a "yes" stays; a "yes" found later is a new assessment's red-flag screen). None when
    nothing changed."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "an amendment needs a reason"})
    locked = _lock(record)
    if not locked.is_signed:
        raise VisitRecordError("not_signed")
    if locked.revision > revision:
        raise EditConflict(locked)
    before = data_of(locked)
    wanted = _validated(locked, data, recheck=False)
    after = {**data_of(locked), "items": _items_data(wanted)}
    if after == before:
        return None
    locked.revision += 1
    locked.updated_by = by
    locked.save()
    _store_items(locked, wanted)
    return VisitRecordAmendment.objects.create(
        visit_record=locked, before=before, after=after, reason=reason.strip(), made_by=by
    )


def _items_data(wanted: dict[int, VisitRecordItem]) -> dict:
    return {str(pk): {"side": row.side, "note": row.note} for pk, row in wanted.items()}
