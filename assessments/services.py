"""The thin layer between assessment rows and the pure rules: facts in, screening out, saved."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments import rules
from assessments.models import (
    SECTION_CODES,
    SECTION_RECORDS,
    Amendment,
    Assessment,
    AssessmentStatus,
    AsymmetryThreshold,
    ComplaintRecord,
    ComplaintTrait,
    MeasuredSide,
    Measurement,
    RedFlag,
)
from assessments.rules.facts import (
    AssessmentFacts,
    Bilateral,
    Complaint,
    Palpation,
    PreviousVisit,
    RedFlagAnswers,
    WellsAnswers,
)
from assessments.rules.measures import MEASURE_BY_CODE, PERCENT
from assessments.rules.weight import BODY_WEIGHT, WEIGHT_BEARING, share_percent
from assessments.rules.wording import both

# Sections that must be saved before signing: the complaint, and the red-flag screen itself.
REQUIRED_TO_SIGN = ("complaint", "red_flags")


class EditConflict(Exception):
    """Someone saved the assessment after this form was opened."""

    def __init__(self, current: Assessment):
        super().__init__("conflict")
        self.current = current


class SignBlocked(Exception):
    def __init__(self, missing_sections=(), unacknowledged=()):
        super().__init__("cannot sign")
        self.missing_sections = tuple(missing_sections)
        self.unacknowledged = tuple(unacknowledged)


class AlreadySigned(Exception):
    pass


def _decimal(value):
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _date(value):
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _fields_of(cls, data: dict, prefix: str = "") -> dict:
    names = cls.__dataclass_fields__
    return {name: data[prefix + name] for name in names if prefix + name in data}


def _bilateral(code: str, pair: dict) -> Bilateral:
    left, right = _decimal(pair.get("left")), _decimal(pair.get("right"))
    if code == WEIGHT_BEARING and left is not None and right is not None:
        # kg from two scales become shares of the total, like a value typed in %
        left, right = share_percent(left, right, pair.get("unit") or PERCENT)
    return Bilateral(left, right)


def _previous_visit(assessment: Assessment) -> PreviousVisit | None:
    """The signed assessment this one was started from, as the trend rules read it."""
    previous = assessment.previous
    if previous is None:
        return None
    when = previous.signed_at or previous.created_at
    try:
        pain = previous.complaint_record.pain  # only the pain: not the qualities' query
    except ComplaintRecord.DoesNotExist:
        pain = None
    return PreviousVisit(on=timezone.localdate(when), pain=pain)


def facts_from(assessment: Assessment) -> AssessmentFacts:
    complaint = assessment.section("complaint")
    palpation = assessment.section("palpation")
    answers = assessment.section("red_flags")
    return AssessmentFacts(
        complaint=Complaint(
            region=complaint.get("region", ""),
            side=complaint.get("side", ""),
            qualities=frozenset(complaint.get("qualities", [])),
            pain=complaint.get("pain"),
            onset=_date(complaint.get("onset")),
            provokers=frozenset(complaint.get("provokers", [])),
        ),
        palpation=Palpation(
            **{**_fields_of(Palpation, palpation), "size_cm": _decimal(palpation.get("size_cm"))}
        ),
        red_flags=RedFlagAnswers(**_fields_of(RedFlagAnswers, answers)),
        wells=WellsAnswers(**_fields_of(WellsAnswers, answers, prefix="wells_")),
        measurements={
            code: _bilateral(code, pair)
            for code, pair in assessment.section("measurements").items()
            if code in MEASURE_BY_CODE and isinstance(pair, dict)
        },
        previous=_previous_visit(assessment),
    )


def effective_thresholds(clinic_id) -> dict[str, Decimal]:
    thresholds = {m.code: Decimal(str(m.default_threshold)) for m in MEASURE_BY_CODE.values()}
    for row in AsymmetryThreshold.objects.filter(clinic_id=clinic_id):
        if row.measure in thresholds:
            thresholds[row.measure] = row.threshold
    return thresholds


def _snapshot(screening, thresholds, today) -> dict:
    wells = screening.wells
    return {
        "wells": None if wells is None else wells.as_dict(),
        "rules_version": screening.rules_version,
        "screened_on": today.isoformat(),
        "thresholds": {code: str(value) for code, value in thresholds.items()},
        "asymmetries": [
            {
                "code": a.code,
                "left": str(a.left),
                "right": str(a.right),
                "difference": str(a.difference),
                "threshold": str(a.threshold),
                "flagged": a.flagged,
                "worse_side": a.worse_side,
                "marker": str(a.marker),
            }
            for a in screening.asymmetries
        ],
    }


def _store_flags(assessment: Assessment, flags) -> None:
    """Upsert by code. A changed flag needs a new acknowledgement; a vanished one is kept."""
    existing = {flag.code: flag for flag in assessment.flags.all()}
    fired = set()
    for flag in flags:
        fired.add(flag.code)
        reason = both(flag.reason)
        values = {
            "label": both(flag.label)["ja"],
            "department": flag.department,
            "urgency": flag.urgency,
            "reason": reason["ja"],
            "reason_en": reason["en"],
            "inputs": {key: str(value) for key, value in flag.inputs.items()},
            "source": str(flag.source),
            "rules_version": rules.RULES_VERSION,
        }
        row = existing.get(flag.code)
        if row is None:
            RedFlag.objects.create(assessment=assessment, code=flag.code, **values)
            continue
        changed = (
            not row.is_current or row.inputs != values["inputs"] or row.urgency != values["urgency"]
        )
        if changed:
            for key, value in values.items():
                setattr(row, key, value)
            row.is_current = True
            row.acknowledged_at = row.acknowledged_by = None
            row.save()
    for code, row in existing.items():
        if code not in fired and row.is_current:
            row.is_current = False
            row.save(update_fields=["is_current"])


def rescreen(*, assessment: Assessment, today: dt.date) -> None:
    thresholds = effective_thresholds(assessment.clinic_id)
    screening = rules.screen(facts_from(assessment), today, thresholds=thresholds)
    assessment.screening = _snapshot(screening, thresholds, today)
    assessment.save(update_fields=["screening"])
    _store_flags(assessment, screening.flags)


def _known_section(section: str) -> None:
    # A section is one of the seven findings sections, never a column such as "status".
    if section not in SECTION_CODES:
        raise ValueError(f"not an assessment section: {section!r}")


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update(no_key=True).get(pk=assessment.pk)


def _measured_value(raw, where: str) -> Decimal:
    value = _decimal(raw)
    if value is None:
        raise ValidationError(f"{where}: not a number: {raw!r}")
    return value


def _measurement_rows(assessment: Assessment, data: dict) -> dict[tuple[str, str], Measurement]:
    """The rows a measurements section asks for, validated (full_clean) but not saved."""
    wanted = {}
    for code, pair in data.items():
        if code == BODY_WEIGHT:
            continue
        if code not in MEASURE_BY_CODE or not isinstance(pair, dict):
            raise ValidationError(f"not a measure: {code!r}")
        unit = pair.get("unit") or (PERCENT if code == WEIGHT_BEARING else None)
        for side in MeasuredSide.values:
            if pair.get(side) in (None, ""):
                continue
            wanted[(code, side)] = Measurement(
                assessment=assessment,
                measure=code,
                side=side,
                value=_measured_value(pair[side], f"{code} {side}"),
                unit=unit or MEASURE_BY_CODE[code].unit,
            )
    for row in wanted.values():
        # the unique constraint is kept by the keys of `wanted` and by the database
        row.full_clean(exclude=["assessment"], validate_unique=False)
    return wanted


def _store_measurements(assessment: Assessment, data: dict) -> None:
    """Make the assessment's Measurement rows and body weight what `data` (a measurements
    section, {code: {"left", "right"[, "unit"]}, "body_weight_kg"}) says: everything is
    validated first; a row that stays is updated in place, one no longer measured is deleted
    row by row (each change goes into the audit trail). The body weight is set on
    `assessment`, which the caller saves."""
    wanted = _measurement_rows(assessment, data)
    body_weight = data.get(BODY_WEIGHT)
    assessment.body_weight_kg = (
        None if body_weight in (None, "") else _measured_value(body_weight, BODY_WEIGHT)
    )
    names = [f.name for f in Assessment._meta.concrete_fields if f.name != "body_weight_kg"]
    assessment.full_clean(exclude=names, validate_unique=False)
    for row in assessment.measurement_rows.all():
        new = wanted.pop((row.measure, row.side), None)
        if new is None:
            row.delete()
        elif (row.value, row.unit) != (new.value, new.unit):
            row.value, row.unit = new.value, new.unit
            row.save(update_fields=["value", "unit"])
    for row in wanted.values():
        row.save()


@transaction.atomic
def save_section(*, assessment, section: str, data: dict, revision: int, by, today) -> Assessment:
    """Save one section of a draft; refuse (EditConflict) if that section was saved by anyone
    after the form was opened at `revision`. Other sections may be saved meanwhile."""
    _known_section(section)
    locked = _lock(assessment)
    if locked.is_signed:
        raise AlreadySigned
    if locked.section_revisions.get(section, 0) > revision:
        raise EditConflict(locked)
    _write_section(locked, section, data)
    locked.revision += 1
    locked.updated_by = by
    locked.section_revisions = {**locked.section_revisions, section: locked.revision}
    locked.save()
    rescreen(assessment=locked, today=today)
    return locked


def _store_findings(assessment: Assessment, section: str, data: dict) -> None:
    """Make the section's typed record (and the complaint's qualities and provokers) what `data`
    (the section as its form writes it) says: validated first, then updated in place, so only
    the fields that changed go into the audit trail."""
    if not isinstance(data, dict):
        raise ValidationError(f"{section}: not a section: {data!r}")
    new = SECTION_RECORDS[section].from_section(assessment, data)
    try:
        record = getattr(assessment, f"{section}_record")
    except SECTION_RECORDS[section].DoesNotExist:
        record = None
    if record is None:
        new.save()
        record = new
        setattr(assessment, f"{section}_record", record)
    else:
        changed = [
            f.name for f in new.value_fields() if getattr(record, f.name) != getattr(new, f.name)
        ]
        for name in changed:
            setattr(record, name, getattr(new, name))
        if changed:
            record.save(update_fields=changed)
    if section == "complaint":
        wanted = new.wanted_traits
        for trait in record.traits.all():
            if (trait.kind, trait.code) in wanted:
                wanted.discard((trait.kind, trait.code))
            else:
                trait.delete()
        for kind, code in sorted(wanted):
            ComplaintTrait.objects.create(complaint=record, kind=kind, code=code)
        record._prefetched_objects_cache = {}  # read the traits afresh


def _write_section(assessment: Assessment, section: str, data: dict) -> None:
    """Put a section's data on the assessment: the measurements into their rows, any other
    section into its typed record, each validated before anything is written."""
    if section == "measurements":
        _store_measurements(assessment, data)
    else:
        _store_findings(assessment, section, data)


@transaction.atomic
def start_assessment(*, patient, practitioner, appointment=None) -> Assessment:
    """A new draft; a reassessment starts from the patient's last signed assessment."""
    previous = (
        Assessment.objects.filter(patient=patient, status=AssessmentStatus.SIGNED)
        .order_by("-signed_at", "-id")
        .first()
    )
    assessment = Assessment(
        clinic_id=patient.clinic_id,
        patient=patient,
        appointment=appointment,
        practitioner=practitioner,
        previous=previous,
        updated_by=practitioner,
    )
    copied = {code: previous.section(code) for code in SECTION_CODES} if previous else {}
    if previous:
        assessment.body_weight_kg = previous.body_weight_kg
        # values the move to typed records could not hold stay in sight for re-entry
        assessment.measurements_unmigrated = previous.measurements_unmigrated
        assessment.findings_unmigrated = previous.findings_unmigrated
    assessment.save()
    for code, data in copied.items():  # the records need its id
        if code == "measurements":
            _store_measurements(assessment, data)
        elif data:
            _store_findings(assessment, code, data)
    rescreen(assessment=assessment, today=timezone.localdate())
    return assessment


@transaction.atomic
def acknowledge(*, flag: RedFlag, by) -> None:
    flag = RedFlag.objects.select_for_update(no_key=True).get(pk=flag.pk)
    if flag.acknowledged_at is None:
        flag.acknowledged_at = timezone.now()
        flag.acknowledged_by = by
        flag.save(update_fields=["acknowledged_at", "acknowledged_by"])


def sign_blockers(assessment: Assessment, flags=None) -> SignBlocked | None:
    missing = [code for code in REQUIRED_TO_SIGN if code not in assessment.saved_sections]
    flags = assessment.flags.all() if flags is None else flags
    pending = [f for f in flags if f.is_current and f.acknowledged_at is None]
    return SignBlocked(missing, pending) if missing or pending else None


@transaction.atomic
def sign(*, assessment: Assessment, by, today) -> Assessment:
    locked = _lock(assessment)
    if locked.is_signed:
        raise AlreadySigned
    rescreen(
        assessment=locked, today=today
    )  # sign what the current rules say, not a stale screening
    blockers = sign_blockers(locked)
    if blockers:
        raise blockers
    locked.status = AssessmentStatus.SIGNED
    locked.signed_at = timezone.now()
    locked.signed_by = by
    locked.revision += 1
    locked.save()
    return locked


@transaction.atomic
def rescreen_signed(*, assessment: Assessment, by, today) -> list[str]:
    """Screen a signed assessment again under the current rules (its findings unchanged): a
    flag the rules now raise is stored, unacknowledged; one they no longer raise is kept, not
    current. Returns the codes of the flags raised anew. The findings never change here, so
    no amendment is made; the flags' own history is in the audit trail."""
    locked = _lock(assessment)
    if not locked.is_signed:
        raise ValueError("only a signed assessment is screened again this way")
    before = set(locked.flags.filter(is_current=True).values_list("code", flat=True))
    locked.updated_by = by
    locked.save(update_fields=["updated_by", "updated_at"])
    rescreen(assessment=locked, today=today)
    after = set(locked.flags.filter(is_current=True).values_list("code", flat=True))
    return sorted(after - before)


@transaction.atomic
def amend(
    *, assessment: Assessment, section: str, data: dict, reason: str, revision: int, by, today
):
    """Correct a signed assessment: the change is recorded with who, when, why, before, after.

    The same conflict check as a draft's sections: refused (EditConflict) when this section was
    saved or amended by anyone after the form was opened at `revision`."""
    _known_section(section)
    if not (reason or "").strip():
        raise ValueError("an amendment needs a reason")
    locked = _lock(assessment)
    if not locked.is_signed:
        raise ValueError("only signed assessments are amended")
    if locked.section_revisions.get(section, 0) > revision:
        raise EditConflict(locked)
    before = locked.section(section)
    if before == data:
        return None
    _write_section(locked, section, data)  # validated before the amendment is recorded
    amendment = Amendment.objects.create(
        assessment=locked, section=section, before=before, after=data, reason=reason, made_by=by
    )
    locked.revision += 1
    locked.updated_by = by
    locked.section_revisions = {**locked.section_revisions, section: locked.revision}
    locked.save()
    rescreen(assessment=locked, today=today)
    return amendment
