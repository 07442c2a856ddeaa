"""Care plans: a draft proposed from a signed assessment, edited, then published as a snapshot.

The pure generator (`rules.plan.propose`) proposes; this module saves it, runs the same hazard
check (`rules.verdicts`) on everything a practitioner adds or changes by hand and again at
publishing, and freezes what the patient is given. An absolute hazard is never overridden; a
relative one only with a written reason, kept on the item.

Generated wording is stored in Japanese and English (`both`), so a page in either language
shows its own words, and a later change of the rules or the library never rewrites what was given.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessments import body, services
from assessments.models import (
    GIVEN_STATUSES,
    Assessment,
    CarePlan,
    Exercise,
    PlanItem,
    PlanStatus,
    Referral,
    ReferralStatus,
)
from assessments.rules import hazards as hazard_rules
from assessments.rules.facts import Side
from assessments.rules.findings import PlanInput
from assessments.rules.library import LibraryExercise
from assessments.rules.plan import block_reason, propose
from assessments.rules.plan_rules import RULE_BY_KEY, care_item, default_side, placement_of
from assessments.rules.redflags import DEPARTMENT_LABELS, URGENCY_LABELS, patient_label, screen
from assessments.rules.verdicts import LEGS, Block, as_given, check, unmet
from assessments.rules.wording import both
from clinic.models import Clinic
from patients.models import Appointment

KIND_ORDER = ["clinic", "exercise", "habit", "supporter", "compress"]
DOSE_FIELDS = ("hold_seconds", "reps", "sets", "times_per_day", "duration_minutes")


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


class EditConflict(Exception):
    """Someone changed the draft after this editor was opened."""

    def __init__(self, current: CarePlan):
        super().__init__("conflict")
        self.current = current


@dataclass(frozen=True)
class Blocker:
    """Why a draft cannot be published yet: `code` is "referral_not_explained", "absolute" (an
    item is given where an absolute hazard holds) or "needs_reason" (a relative hazard holds and
    no written reason answers it); `item` and `blocks` say which and why."""

    code: str
    item: PlanItem | None = None
    blocks: tuple[Block, ...] = ()


def _library_exercise(row: Exercise) -> LibraryExercise:
    return LibraryExercise(
        code=row.code,
        name=row.name_ja,
        targets=row.targets,
        care_tags=row.care_tags,
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


def _pure_library(rows: dict[str, Exercise]) -> dict[str, LibraryExercise]:
    return {code: _library_exercise(row) for code, row in rows.items()}


def plan_input(assessment, rows: dict[str, Exercise], today: dt.date, lifted=()) -> PlanInput:
    thresholds = services.effective_thresholds(assessment.clinic_id)
    facts = services.facts_from(assessment)
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


def hazards_for_assessment(assessment, today, lifted=()) -> tuple:
    """The hazards of a signed assessment, less those lifted (every severity)."""
    facts = services.facts_from(assessment)
    screening = screen(facts, today, thresholds=services.effective_thresholds(assessment.clinic_id))
    return hazard_rules.hazards_in_force(facts, screening, today, lifted=lifted)


def hazards_for(plan: CarePlan, today) -> tuple:
    return hazards_for_assessment(plan.assessment, today, plan.lifted)


# Drafts ------------------------------------------------------------------------------------


def _withheld_entries(proposal) -> list[dict]:
    return [
        {
            "kind": held.kind,
            "code": held.code,
            "side": held.side,
            "severity": held.severity,
            "hazards": list(held.hazards),
            "partial": held.partial,
            "label": both(held.label),
            "reason": both(held.reason),
            "patient": both(held.patient),
        }
        for held in proposal.withheld
    ]


def _caution_entries(proposal) -> list[dict]:
    return [
        {
            "hazard": caution.hazard,
            "side": caution.side,
            "label": both(hazard_rules.HAZARD_BY_CODE[caution.hazard].label),
            "reason": both(caution.reason),
            "staff": both(caution.staff),
            "patient": both(caution.patient),
        }
        for caution in proposal.cautions
    ]


def _referral_entries(proposal, cleared_departments) -> list[dict]:
    return [
        {
            "department": referral.department,
            "urgency": referral.urgency,
            "flag_codes": list(referral.flag_codes),
            "reason": both(referral.reason),
        }
        for referral in proposal.referrals
        if referral.department not in cleared_departments
    ]


def _open_draft(patient) -> CarePlan | None:
    return (
        CarePlan.objects.select_for_update()
        .filter(patient=patient, status=PlanStatus.DRAFT)
        .first()
    )


@transaction.atomic
def create_draft(*, assessment: Assessment, by, today: dt.date, lifted=()) -> CarePlan:
    """The patient's one open draft. Proposing again from the same assessment (and the same
    lifted hazards) opens the existing draft; a draft from another assessment or after a
    clearance sets the older draft aside (kept, never published, never shown to the patient)."""
    if not assessment.is_signed:
        raise PlanError("assessment_not_signed")
    lifted = sorted(set(lifted))
    draft = _open_draft(assessment.patient)
    if draft is not None:
        if draft.assessment_id == assessment.pk and sorted(draft.lifted) == lifted:
            return draft
        _set_aside(draft)
    rows = library_for(assessment.clinic_id)
    proposal = propose(plan_input(assessment, rows, today, lifted))
    version = (
        CarePlan.objects.filter(patient=assessment.patient).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    cleared = set(
        Referral.objects.filter(assessment=assessment, cleared=True).values_list(
            "department", flat=True
        )
    )
    earlier = (
        CarePlan.objects.filter(patient=assessment.patient, status__in=GIVEN_STATUSES)
        .order_by("-version")
        .first()
    )
    plan = CarePlan.objects.create(
        clinic_id=assessment.clinic_id,
        patient=assessment.patient,
        assessment=assessment,
        version=version,
        created_by=by,
        visit_interval_days=proposal.visit_interval_days,
        reassess_on=proposal.reassess_on,
        rules_version=proposal.rules_version,
        withheld=_withheld_entries(proposal),
        cautions=_caution_entries(proposal),
        lifted=lifted,
        referrals=_referral_entries(proposal, cleared),
        goals=earlier.goals if earlier else "",
        patient_note=earlier.patient_note if earlier else "",
    )
    for position, item in enumerate(proposal.items):
        dose = item.dose.as_dict() if item.dose else {}
        label, detail, reason = both(item.label), both(item.detail), both(item.reason)
        PlanItem.objects.create(
            plan=plan,
            position=position,
            kind=item.kind,
            code=item.code,
            exercise=rows.get(item.code) if item.kind == "exercise" else None,
            label=label["ja"],
            label_en=label["en"],
            detail=detail["ja"],
            detail_en=detail["en"],
            reason=reason["ja"],
            reason_en=reason["en"],
            **{key: dose.get(key) for key in DOSE_FIELDS},
            side=dose.get("side", ""),
            extra_sets_side=dose.get("extra_sets_side", ""),
        )
    return plan


def _set_aside(draft: CarePlan) -> None:
    draft.status, draft.superseded_at = PlanStatus.SET_ASIDE, timezone.now()
    draft.save(update_fields=["status", "superseded_at"])


def _draft(plan: CarePlan, revision: int | None = None) -> CarePlan:
    """The plan locked for a change: refused unless it is a draft, and (given `revision`) unless
    nobody changed it since the editor was opened."""
    locked = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise PlanError("not_a_draft")
    if revision is not None and locked.revision != revision:
        raise EditConflict(locked)
    return locked


def _touch(plan: CarePlan) -> None:
    plan.revision += 1
    plan.save(update_fields=["revision"])


# Checking an item against the hazards -------------------------------------------------------


def item_verdict(kind: str, code: str, side: str, library, hazards):
    """The verdict for an item given exactly on `side` (never narrowed)."""
    return as_given(care_item(code, kind, library, side), hazards)


def safe_side(kind: str, code: str, library, hazards) -> str | None:
    """The leg a two-sided item could still be given on, when one leg is held (else None)."""
    verdict = check(care_item(code, kind, library, Side.BOTH), hazards)
    return verdict.side if verdict.narrowed else None


@dataclass(frozen=True)
class Refusal:
    """An item as the practitioner wants it, refused: `absolute` blocks are never given; the
    `relative` ones need a written reason; `safe_side` is where it could go instead."""

    absolute: tuple[Block, ...]
    relative: tuple[Block, ...]
    safe_side: str | None = None


def refusal(kind, code, side, library, hazards, *, overridden=(), reason="") -> Refusal | None:
    """None when the item may be given on `side` as it stands (with `reason` answering the
    relative hazards it meets), else what stops it."""
    verdict = item_verdict(kind, code, side, library, hazards)
    absolute, relative = unmet(verdict, overridden)
    if reason.strip():
        relative = ()
    if not absolute and not relative:
        return None
    return Refusal(absolute, relative, safe_side(kind, code, library, hazards))


def relative_codes(kind, code, side, library, hazards) -> list[str]:
    verdict = item_verdict(kind, code, side, library, hazards)
    return list(dict.fromkeys(block.hazard.code for block in verdict.relative))


def _default_dose(kind: str, code: str, row: Exercise | None, complaint_side: str, library):
    """The library's (or the rule's) dose, for an item added by hand."""
    side = default_side(placement_of(code, kind, library), complaint_side)
    if row is not None:
        return {key: getattr(row, key) for key in DOSE_FIELDS} | {"side": side}
    rule_dose = RULE_BY_KEY[(kind, code)].dose
    values = rule_dose.as_dict() if rule_dose else {}
    return {key: values.get(key) for key in DOSE_FIELDS} | {"side": side}


def addable(clinic_id) -> list[tuple[str, str, str]]:
    """(kind, code, label) of everything a practitioner may add by hand: the clinic's active
    exercises and every in-clinic, habit, supporter and compress rule."""
    found = [
        ("exercise", row.code, row.name)
        for row in Exercise.objects.filter(clinic_id=clinic_id, retired=False)
    ]
    for (kind, code), rule in RULE_BY_KEY.items():
        found.append((kind, code, str(rule.label)))
    return sorted(found, key=lambda entry: KIND_ORDER.index(entry[0]))


@transaction.atomic
def add_item(
    *,
    plan: CarePlan,
    kind: str,
    code: str,
    side: str | None,
    by,
    override_reason: str,
    today,
    revision: int | None = None,
) -> PlanItem:
    """Add an item by hand, with the library's (or rule's) default dose, on `side` (None: where
    it goes by default). The same hazard check as the generator: an absolute hazard refuses it
    ("absolute", with the Refusal); a relative one needs `override_reason` ("needs_reason")."""
    plan = _draft(plan, revision)
    rows = library_for(plan.clinic_id)
    library = _pure_library(rows)
    row = rows.get(code) if kind == "exercise" else None
    if (kind == "exercise" and (row is None or row.retired)) or (
        kind != "exercise" and (kind, code) not in RULE_BY_KEY
    ):
        raise PlanError("unknown_item")
    if plan.items.filter(kind=kind, code=code, removed=False).exists():
        raise PlanError("already_in_plan")
    complaint_side = plan.assessment.section("complaint").get("side", "")
    dose = _default_dose(kind, code, row, complaint_side, library)
    if side is not None and placement_of(code, kind, library) in ("each_leg", "complaint_side"):
        dose["side"] = side
    hazards = hazards_for(plan, today)
    refused = refusal(kind, code, dose["side"], library, hazards, reason=override_reason)
    if refused is not None:
        raise PlanError("absolute" if refused.absolute else "needs_reason", refused)
    overridden = relative_codes(kind, code, dose["side"], library, hazards)
    position = (plan.items.aggregate(p=Max("position"))["p"] or 0) + 1
    rule = RULE_BY_KEY.get((kind, code))
    label = both(rule.label) if rule else {"ja": row.name_ja, "en": row.name_en or row.name_ja}
    detail = both(rule.detail) if rule else {"ja": "", "en": ""}
    added = both(format_lazy(_("Added by the practitioner ({name})."), name=by))
    item = PlanItem.objects.create(
        plan=plan,
        position=position,
        kind=kind,
        code=code,
        exercise=row,
        label=label["ja"],
        label_en=label["en"],
        detail=detail["ja"],
        detail_en=detail["en"],
        reason=added["ja"],
        reason_en=added["en"],
        **{key: dose.get(key) for key in DOSE_FIELDS},
        side=dose["side"],
        added_by_hand=True,
        override_reason=override_reason.strip() if overridden else "",
        overridden=overridden,
    )
    _touch(plan)
    return item


def check_item_change(item: PlanItem, values: dict, library, hazards) -> Refusal | None:
    """Would `values` (a dose form's cleaned data, with its side and override reason) put the
    item where a hazard stops it? Pure of writes: the editor calls it before saving anything."""
    side = values.get("side", item.side)
    reason = values.get("override_reason") or ""
    return refusal(
        item.kind,
        item.code,
        side,
        library,
        hazards,
        overridden=item.overridden if item.override_reason else (),
        reason=reason,
    )


def _apply_item(item: PlanItem, values: dict, library, hazards) -> bool:
    """Write the editor's values to one item; True when something changed (only then is it
    saved, so an untouched item leaves no entry in the audit trail)."""
    changed = False
    for key in (*DOSE_FIELDS, "side", "extra_sets_side"):
        if key not in values:
            continue
        value = values[key] if key in DOSE_FIELDS else (values[key] or "")
        if getattr(item, key) != value:
            setattr(item, key, value)
            changed = True
    reason = (values.get("override_reason") or "").strip()
    codes = relative_codes(item.kind, item.code, item.side, library, hazards)
    if reason and codes and (reason != item.override_reason or codes != item.overridden):
        item.override_reason, item.overridden = reason, codes
        changed = True
    if changed:
        item.save()
    return changed


@transaction.atomic
def save_editor(*, plan: CarePlan, revision: int, details: dict, items: dict, today) -> CarePlan:
    """Save everything the plan editor holds, all or nothing: the goals, note and visits
    (`details`) and each item's dose and side (`items`: item pk -> the dose form's cleaned
    data). Refused as a conflict when someone changed the draft after `revision`, and with
    PlanError("refused", {pk: Refusal}) when a change would put an item where a hazard stops it."""
    plan = _draft(plan, revision)
    library = _pure_library(library_for(plan.clinic_id))
    hazards = hazards_for(plan, today)
    rows = {item.pk: item for item in plan.items.all()}
    refused = {}
    for pk, values in items.items():
        if pk in rows and not rows[pk].removed:
            found = check_item_change(rows[pk], values, library, hazards)
            if found is not None:
                refused[pk] = found
    if refused:
        raise PlanError("refused", refused)
    changed = False
    for name, value in details.items():
        if getattr(plan, name) != value:
            setattr(plan, name, value)
            changed = True
    if changed:
        plan.save(update_fields=list(details))
    for pk, values in items.items():
        if pk in rows and not rows[pk].removed:
            _apply_item(rows[pk], values, library, hazards)
    _touch(plan)
    return plan


@transaction.atomic
def set_removed(*, item: PlanItem, removed: bool, revision: int | None = None) -> None:
    plan = _draft(item.plan, revision)
    item.removed = removed
    item.save(update_fields=["removed"])
    _touch(plan)


@transaction.atomic
def move(*, item: PlanItem, up: bool, revision: int | None = None) -> bool:
    """Swap with the neighbouring item of the same kind; the plan is shown grouped by kind."""
    plan = _draft(item.plan, revision)
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
    _touch(plan)
    return True


# Publishing --------------------------------------------------------------------------------


def publish_blockers(plan: CarePlan, rows, today, *, referral_explained: bool) -> list[Blocker]:
    """Why this draft cannot be published yet (empty when it can). Checked again at publish,
    on every item as it would be given."""
    blockers = []
    if plan.referrals and not referral_explained and plan.referral_explained_at is None:
        blockers.append(Blocker("referral_not_explained"))
    library = _pure_library(rows)
    hazards = hazards_for(plan, today)
    for item in plan.items.filter(removed=False):
        verdict = item_verdict(item.kind, item.code, item.side, library, hazards)
        absolute, relative = unmet(verdict, item.overridden if item.override_reason else ())
        if absolute:
            blockers.append(Blocker("absolute", item, absolute))
        elif relative:
            blockers.append(Blocker("needs_reason", item, relative))
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
    plan.snapshot = snapshot(plan, by=by, today=today, rows=rows)
    plan.revision += 1
    plan.save()
    _open_referrals(plan, by)
    return plan


def _supersede(plans, now=None) -> None:
    # One row at a time (at most one per patient): each change goes through the audit trail.
    for earlier in plans.select_for_update():
        earlier.status, earlier.superseded_at = PlanStatus.SUPERSEDED, now or timezone.now()
        earlier.save(update_fields=["status", "superseded_at"])


def open_referrals_of(patient, department: str):
    return Referral.objects.filter(patient=patient, department=department).exclude(
        status=ReferralStatus.CLOSED
    )


def _open_referrals(plan: CarePlan, by) -> None:
    """One referral per department and flag: a flag an open referral of the patient already
    carries is not referred twice (a reassessment reuses it); the rest get a new one."""
    for proposal in plan.referrals:
        department = proposal["department"]
        if Referral.objects.filter(assessment=plan.assessment, department=department).exists():
            continue
        covered = {
            code
            for referral in open_referrals_of(plan.patient, department)
            for code in referral.flag_codes
        }
        remaining = [code for code in proposal["flag_codes"] if code not in covered]
        if not remaining:
            continue
        reason = proposal["reason"]
        Referral.objects.create(
            clinic_id=plan.clinic_id,
            patient=plan.patient,
            assessment=plan.assessment,
            number=_next_referral_number(plan.clinic_id),
            department=department,
            urgency=proposal["urgency"],
            reason=reason["ja"] if isinstance(reason, dict) else reason,
            reason_en=reason.get("en", "") if isinstance(reason, dict) else "",
            flag_codes=remaining,
            created_by=by,
        )


def referrals_for_plan(plan: CarePlan):
    """The referrals a plan's page links: those opened from its assessment, and the patient's
    open ones it reuses."""
    departments = [proposal["department"] for proposal in plan.referrals]
    from_assessment = Referral.objects.filter(assessment=plan.assessment)
    still_open = Referral.objects.filter(patient=plan.patient, department__in=departments).exclude(
        status=ReferralStatus.CLOSED
    )
    return (from_assessment | still_open).distinct().order_by("number")


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
        "name": {"ja": row.name_ja, "en": row.name_en or row.name_ja}
        if row
        else {"ja": item.label, "en": item.label_en or item.label},
        "purpose": row.purpose if row else "",
        "steps": row.lines("steps") if row else [],
        "key_points": row.lines("key_points") if row else [],
        "cautions": row.lines("cautions") if row else [],
        "illustration": row.illustration if row else "",
    }


def _held_leg(item: PlanItem, library, hazards) -> dict | None:
    """For an item given on one leg because a hazard holds the other: that leg and what the
    patient reads about it (the item is in their care on one leg, on hold on the other)."""
    if item.side not in LEGS:
        return None
    verdict = check(care_item(item.code, item.kind, library, Side.BOTH), hazards)
    if not verdict.narrowed or verdict.side != item.side:
        return None
    first = verdict.blocks[0]
    leg = verdict.held_leg
    return {
        "side": leg,
        "severity": verdict.severity,
        "hazards": verdict.hazard_codes(),
        "patient": both(hazard_rules.patient_why(first.hazard, first.tag, leg)),
        "reason": both(block_reason(first)),
    }


def _item_snapshot(item: PlanItem, library, hazards) -> dict:
    entry = {
        "kind": item.kind,
        "code": item.code,
        "label": {"ja": item.label, "en": item.label_en or item.label},
        "detail": {"ja": item.detail, "en": item.detail_en or item.detail},
        "reason": {"ja": item.reason, "en": item.reason_en or item.reason},
        "side": item.side,
        "extra_sets_side": item.extra_sets_side,
        "dose": {key: getattr(item, key) for key in DOSE_FIELDS},
        # For staff only: the practitioner's reason for giving it beside a relative hazard.
        "override_reason": item.override_reason,
        "overridden": list(item.overridden),
        "held_leg": _held_leg(item, library, hazards),
    }
    if item.kind == "exercise":
        entry.update(_exercise_snapshot(item))
    return entry


def _referral_snapshot(referral: dict) -> dict:
    return {
        "department": referral["department"],
        "urgency": referral["urgency"],
        "flag_codes": list(referral["flag_codes"]),
        "reason": referral["reason"],
        "department_label": both(DEPARTMENT_LABELS.get(referral["department"], "")),
        "urgency_label": both(URGENCY_LABELS.get(referral["urgency"], "")),
        "flag_labels": [both(patient_label(code)) for code in referral["flag_codes"]],
    }


def snapshot(plan: CarePlan, *, by, today, rows=None) -> dict:
    """Everything the handout and the portal show, frozen in Japanese and English. An item is
    either in the patient's care or on hold, never both: what was added back is not listed as
    held, and a leg on hold is told beside the item it belongs to."""
    clinic, patient = plan.clinic, plan.patient
    library = _pure_library(rows if rows is not None else library_for(plan.clinic_id))
    hazards = hazards_for(plan, today)
    items = [
        _item_snapshot(item, library, hazards)
        for item in ordered_items(plan, include_removed=False)
    ]
    given = {(item["kind"], item["code"]) for item in items}
    withheld = [
        held
        for held in plan.withheld
        if not held.get("partial") and (held["kind"], held["code"]) not in given
    ]
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
        "withheld": withheld,
        "cautions": list(plan.cautions),
        "referrals": [_referral_snapshot(referral) for referral in plan.referrals],
        "care_on_hold": bool(withheld) or any(item["held_leg"] for item in items),
        "same_day": any(referral["urgency"] == "same_day" for referral in plan.referrals),
        "visit_interval_days": plan.visit_interval_days,
        "reassess_on": plan.reassess_on.isoformat() if plan.reassess_on else None,
        "next_visit": _next_visit(plan),
        "picture": _plain(body.picture(plan.assessment)),
        "rules_version": plan.rules_version,
    }


def _plain(value):
    """Lazy translation strings to text, so the snapshot is plain JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# Referrals ---------------------------------------------------------------------------------


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


def liftable(referral: Referral, today) -> list:
    """The hazards a doctor's clearance on this referral may lift: every one in force that
    withholds something (absolute or relative). Precautions withhold nothing."""
    if not referral.cleared:
        return []
    return [
        hazard
        for hazard in hazards_for_assessment(referral.assessment, today)
        if hazard.severity != hazard_rules.PRECAUTION
    ]
