"""Care plans: a draft proposed from a signed assessment, edited, then published as a snapshot.

The pure generator (`rules.plan.propose`) proposes; this module saves, enforces the same
contraindications when a practitioner adds an item by hand, and freezes what the patient is given.
"""

import datetime as dt

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import body, services
from assessments.models import (
    Assessment,
    CarePlan,
    Exercise,
    PlanItem,
    PlanStatus,
    Referral,
    ReferralStatus,
)
from assessments.rules.contraindications import CONTRAINDICATION_BY_CODE, contraindications_in_force
from assessments.rules.findings import PlanInput
from assessments.rules.library import LibraryExercise
from assessments.rules.plan import propose, violations
from assessments.rules.redflags import DEPARTMENT_LABELS, RULE_BY_CODE, URGENCY_LABELS
from clinic.models import Clinic
from patients.models import Appointment

KIND_ORDER = ["clinic", "exercise", "habit", "supporter", "compress"]


def ordered_items(plan: CarePlan, *, include_removed=True) -> list[PlanItem]:
    items = plan.items.select_related("exercise")
    if not include_removed:
        items = items.filter(removed=False)
    return sorted(items, key=lambda item: (KIND_ORDER.index(item.kind), item.position, item.id))


class PlanError(Exception):
    """A plan action that is not possible now; `code` says why (shown to the practitioner)."""

    def __init__(self, code: str, detail=None):
        super().__init__(code)
        self.code = code
        self.detail = detail


def _library_exercise(row: Exercise) -> LibraryExercise:
    return LibraryExercise(
        code=row.code,
        name=row.name_ja,
        targets=row.targets,
        contraindications=row.contraindications,
        hold_seconds=row.hold_seconds,
        reps=row.reps,
        sets=row.sets,
        times_per_day=row.times_per_day,
        duration_minutes=row.duration_minutes,
        per_side=row.per_side,
        retired=row.retired,
    )


def library_for(clinic_id) -> dict[str, Exercise]:
    return {row.code: row for row in Exercise.objects.filter(clinic_id=clinic_id)}


def plan_input(assessment, rows: dict[str, Exercise], today: dt.date, lifted=()) -> PlanInput:
    thresholds = services.effective_thresholds(assessment.clinic_id)
    facts = services.facts_from(assessment)
    from assessments.rules import screen

    return PlanInput(
        facts=facts,
        screening=screen(facts, today, thresholds=thresholds),
        posture=assessment.section("posture"),
        lower_limb=assessment.section("lower_limb"),
        habits=assessment.section("habits"),
        library=tuple(_library_exercise(row) for row in rows.values()),
        today=today,
        lifted=frozenset(lifted),
    )


def in_force(plan: CarePlan, rows, today) -> dict[str, str]:
    """The contraindications that apply to this plan: the assessment's, less those lifted."""
    given = plan_input(plan.assessment, rows, today)
    found = contraindications_in_force(given.facts, given.screening, today)
    return {code: reason for code, reason in found.items() if code not in plan.lifted}


def in_force_for_assessment(assessment, today) -> dict[str, str]:
    given = plan_input(assessment, library_for(assessment.clinic_id), today)
    return contraindications_in_force(given.facts, given.screening, today)


@transaction.atomic
def create_draft(*, assessment: Assessment, by, today: dt.date, lifted=()) -> CarePlan:
    if not assessment.is_signed:
        raise PlanError("assessment_not_signed")
    rows = library_for(assessment.clinic_id)
    lifted = sorted(set(lifted))
    proposal = propose(plan_input(assessment, rows, today, lifted))
    version = (
        CarePlan.objects.filter(patient=assessment.patient).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    held = [w.as_dict() for w in proposal.withheld]
    cleared = set(
        Referral.objects.filter(assessment=assessment, cleared=True).values_list(
            "department", flat=True
        )
    )
    earlier = (
        CarePlan.objects.filter(patient=assessment.patient)
        .exclude(status=PlanStatus.DRAFT)
        .order_by("-version")
        .first()
    )
    # One open draft per patient: an older draft is set aside (kept, never published).
    _supersede(CarePlan.objects.filter(patient=assessment.patient, status=PlanStatus.DRAFT))
    plan = CarePlan.objects.create(
        clinic_id=assessment.clinic_id,
        patient=assessment.patient,
        assessment=assessment,
        version=version,
        created_by=by,
        visit_interval_days=proposal.visit_interval_days,
        reassess_on=proposal.reassess_on,
        rules_version=proposal.rules_version,
        withheld=held,
        lifted=lifted,
        referrals=[r.as_dict() for r in proposal.referrals if r.department not in cleared],
        goals=earlier.goals if earlier else "",
        patient_note=earlier.patient_note if earlier else "",
    )
    for position, item in enumerate(proposal.items):
        dose = item.dose.as_dict() if item.dose else {}
        PlanItem.objects.create(
            plan=plan,
            position=position,
            kind=item.kind,
            code=item.code,
            exercise=rows.get(item.code) if item.kind == "exercise" else None,
            label=str(item.label),
            detail=str(item.detail),
            reason=str(item.reason),
            **{
                key: dose.get(key)
                for key in ("hold_seconds", "reps", "sets", "times_per_day", "duration_minutes")
            },
            side=dose.get("side", ""),
            extra_sets_side=dose.get("extra_sets_side", ""),
        )
    return plan


def _draft(plan: CarePlan) -> CarePlan:
    locked = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise PlanError("not_a_draft")
    return locked


@transaction.atomic
def add_exercise(*, plan: CarePlan, exercise: Exercise, by, override_reason: str, today):
    """Add a library exercise by hand; a contraindicated one needs an override reason."""
    plan = _draft(plan)
    rows = library_for(plan.clinic_id)
    forces = in_force(plan, rows, today)
    library = {code: _library_exercise(row) for code, row in rows.items()}
    if plan.items.filter(code=exercise.code, kind="exercise", removed=False).exists():
        raise PlanError("already_in_plan")
    broken = violations(exercise.code, "exercise", library, forces)
    if broken and not override_reason.strip():
        raise PlanError("contraindicated", [CONTRAINDICATION_BY_CODE[c].label for c in broken])
    position = (plan.items.aggregate(p=Max("position"))["p"] or 0) + 1
    return PlanItem.objects.create(
        plan=plan,
        position=position,
        kind="exercise",
        code=exercise.code,
        exercise=exercise,
        label=exercise.name_ja,
        hold_seconds=exercise.hold_seconds,
        reps=exercise.reps,
        sets=exercise.sets,
        times_per_day=exercise.times_per_day,
        duration_minutes=exercise.duration_minutes,
        side="both" if exercise.per_side else "",
        added_by_hand=True,
        reason=_("Added by the practitioner (%(name)s).") % {"name": by},
        override_reason=override_reason.strip() if broken else "",
        overridden=broken,
    )


@transaction.atomic
def update_item(*, item: PlanItem, values: dict) -> PlanItem:
    _draft(item.plan)
    for key, value in values.items():
        setattr(item, key, value)
    item.save()
    return item


@transaction.atomic
def set_removed(*, item: PlanItem, removed: bool) -> None:
    _draft(item.plan)
    item.removed = removed
    item.save(update_fields=["removed"])


@transaction.atomic
def move(*, item: PlanItem, up: bool) -> None:
    """Swap with the neighbouring item of the same kind; the plan is shown grouped by kind."""
    plan = _draft(item.plan)
    ordered = ordered_items(plan)
    same_kind = [i for i, other in enumerate(ordered) if other.kind == item.kind]
    here = next(i for i in same_kind if ordered[i].pk == item.pk)
    neighbours = [i for i in same_kind if (i < here if up else i > here)]
    if not neighbours:
        return False
    there = neighbours[-1] if up else neighbours[0]
    ordered[here], ordered[there] = ordered[there], ordered[here]
    for position, other in enumerate(ordered):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
    return True


def publish_blockers(plan: CarePlan, rows, today, *, referral_explained: bool) -> list[str]:
    """Why this draft cannot be published yet (empty when it can). Checked again at publish."""
    blockers = []
    if plan.referrals and not referral_explained and plan.referral_explained_at is None:
        blockers.append("referral_not_explained")
    forces = in_force(plan, rows, today)
    library = {code: _library_exercise(row) for code, row in rows.items()}
    for item in plan.items.filter(removed=False):
        broken = violations(item.code, item.kind, library, forces)
        if broken and not item.override_reason:
            blockers.append(f"contraindicated:{item.pk}")
    return blockers


@transaction.atomic
def publish(*, plan: CarePlan, by, today, referral_explained: bool) -> CarePlan:
    plan = _draft(plan)
    rows = library_for(plan.clinic_id)
    blockers = publish_blockers(plan, rows, today, referral_explained=referral_explained)
    if blockers:
        raise PlanError("blocked", blockers)
    now = timezone.now()
    if plan.referrals and plan.referral_explained_at is None:
        plan.referral_explained_at, plan.referral_explained_by = now, by
    _supersede(CarePlan.objects.filter(patient=plan.patient, status=PlanStatus.PUBLISHED), now)
    plan.status, plan.published_at, plan.published_by = PlanStatus.PUBLISHED, now, by
    plan.snapshot = snapshot(plan, by=by, today=today)
    plan.save()
    _open_referrals(plan, by)
    return plan


def _supersede(plans, now=None) -> None:
    # One row at a time (at most one per patient): each change goes through the audit trail.
    for earlier in plans.select_for_update():
        earlier.status, earlier.superseded_at = PlanStatus.SUPERSEDED, now or timezone.now()
        earlier.save(update_fields=["status", "superseded_at"])


def _open_referrals(plan: CarePlan, by) -> None:
    for proposal in plan.referrals:
        exists = Referral.objects.filter(
            assessment=plan.assessment, department=proposal["department"]
        ).exists()
        if not exists:
            Referral.objects.create(
                clinic_id=plan.clinic_id,
                patient=plan.patient,
                assessment=plan.assessment,
                number=_next_referral_number(plan.clinic_id),
                department=proposal["department"],
                urgency=proposal["urgency"],
                reason=proposal["reason"],
                flag_codes=proposal["flag_codes"],
                created_by=by,
            )


def _next_referral_number(clinic_id) -> int:
    Clinic.objects.filter(pk=clinic_id).update(next_referral_number=F("next_referral_number") + 1)
    return Clinic.objects.values_list("next_referral_number", flat=True).get(pk=clinic_id) - 1


def _next_visit(plan: CarePlan):
    visit = (
        Appointment.objects.filter(
            patient=plan.patient,
            start__gte=timezone.now(),
            status__in=["booked", "checked_in"],
        )
        .select_related("practitioner")
        .order_by("start")
        .first()
    )
    if visit is None:
        return None
    local = timezone.localtime(visit.start)
    return {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "practitioner": str(visit.practitioner),
    }


def _exercise_snapshot(item: PlanItem) -> dict:
    row = item.exercise
    return {
        "name": row.name_ja if row else item.label,
        "purpose": row.purpose if row else "",
        "steps": row.lines("steps") if row else [],
        "key_points": row.lines("key_points") if row else [],
        "cautions": row.lines("cautions") if row else [],
        "illustration": row.illustration if row else "",
    }


def snapshot(plan: CarePlan, *, by, today) -> dict:
    """Everything the handout and the portal show, frozen in the language of the moment."""
    clinic, patient = plan.clinic, plan.patient
    items = []
    for item in ordered_items(plan, include_removed=False):
        entry = {
            "kind": item.kind,
            "code": item.code,
            "label": item.label,
            "detail": item.detail,
            "reason": item.reason,
            "side": item.side,
            "extra_sets_side": item.extra_sets_side,
            "dose": {
                key: getattr(item, key)
                for key in ("hold_seconds", "reps", "sets", "times_per_day", "duration_minutes")
            },
            "override_reason": item.override_reason,
        }
        if item.kind == "exercise":
            entry.update(_exercise_snapshot(item))
        items.append(entry)
    return {
        "version": plan.version,
        "published_on": today.isoformat(),
        "clinic": {"name": clinic.name, "phone": clinic.phone, "address": clinic.address},
        "patient": {
            "name": patient.full_name,
            "kana": patient.full_name_kana,
            "number": patient.number_display,
        },
        "practitioner": str(by),
        "goals": plan.goals,
        "patient_note": plan.patient_note,
        "items": items,
        "withheld": [
            {**held, "explanation": str(_explanation(held.get("contraindication")))}
            for held in plan.withheld
        ],
        "referrals": [
            {
                **referral,
                "department_label": str(DEPARTMENT_LABELS.get(referral["department"])),
                "urgency_label": str(URGENCY_LABELS.get(referral["urgency"])),
                "flag_labels": [
                    str(RULE_BY_CODE[code].label)
                    for code in referral["flag_codes"]
                    if code in RULE_BY_CODE
                ],
            }
            for referral in plan.referrals
        ],
        "visit_interval_days": plan.visit_interval_days,
        "reassess_on": plan.reassess_on.isoformat() if plan.reassess_on else None,
        "next_visit": _next_visit(plan),
        "picture": _plain(body.picture(plan.assessment)),
        "rules_version": plan.rules_version,
    }


def _explanation(code):
    entry = CONTRAINDICATION_BY_CODE.get(code)
    return entry.explanation if entry else ""


def _plain(value):
    """Lazy translation strings to text, so the snapshot is plain JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


@transaction.atomic
def record_outcome(*, referral: Referral, seen_on, doctor_findings, cleared, outcome_on, by):
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    referral.seen_on = seen_on
    referral.doctor_findings = doctor_findings
    referral.cleared = cleared
    referral.outcome_on = outcome_on
    referral.outcome_recorded_by = by
    referral.status = ReferralStatus.CLOSED if cleared is not None else ReferralStatus.SEEN
    referral.save()
    return referral


def liftable(referral: Referral) -> list[str]:
    """Contraindications a doctor's clearance lifts: those raised by the red flags."""
    if not referral.cleared:
        return []
    return ["suspected_dvt", "acute_hot_swelling", "popliteal_mass", "awaiting_clearance"]
