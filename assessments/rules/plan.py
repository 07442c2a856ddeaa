"""The care-plan generator: findings in, a proposed plan out, for the practitioner to edit.

`propose` reads the facts, the red-flag screening and the posture, lower-limb and habits sections,
names the findings (`findings`), and proposes in-clinic work, home exercises from the clinic's
library, habits, the knee supporter and compresses, each with the findings that triggered it.
Every candidate is checked against the hazards in force (`verdicts.check`): a clear item is
proposed as it is; a two-sided item blocked on one leg is proposed for the other leg only, and
the held leg is listed; an item blocked whole goes to `withheld` with its severity and both
wordings. Precautions hold nothing and become `cautions`. Every red flag becomes a referral, one
per department.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from .evidence import joined
from .facts import AssessmentFacts, Side
from .findings import FINDING_RULES, Finding, FindingRule, PlanInput, findings
from .hazards import (
    HAZARD_BY_CODE,
    HAZARD_RULES,
    PRECAUTION,
    SEVERITY_SHORT,
    Hazard,
    hazards_in_force,
    patient_why,
    staff_why,
)
from .library import TARGET_LABELS, Dose, LibraryExercise, exercise_dose
from .plan_rules import (
    CLINIC,
    CLINIC_RULES,
    COMPRESS,
    COMPRESS_RULES,
    EXERCISE,
    HABIT,
    HABIT_RULES,
    KIND_LABELS,
    PLAN_RULES,
    SUPPORTER,
    SUPPORTER_RULES,
    PlanRule,
    care_item,
    default_side,
)
from .redflags import SAME_DAY, URGENCY_ORDER, Flag, Screening
from .verdicts import Block, Verdict, check
from .version import RULES_VERSION
from .wording import sentences

MAX_EXERCISES = 5
WEEKLY, FORTNIGHTLY = 7, 14
WEEKLY_FROM_PAIN = 5
REASSESS_DAYS = 28
REASSESS_AFTER_REFERRAL_DAYS = 7

__all__ = [
    "CLINIC",
    "CLINIC_RULES",
    "COMPRESS",
    "COMPRESS_RULES",
    "EXERCISE",
    "FINDING_RULES",
    "HABIT",
    "HABIT_RULES",
    "HAZARD_BY_CODE",
    "HAZARD_RULES",
    "KIND_LABELS",
    "MAX_EXERCISES",
    "PLAN_RULES",
    "SUPPORTER",
    "SUPPORTER_RULES",
    "TARGET_LABELS",
    "Caution",
    "Dose",
    "Finding",
    "FindingRule",
    "LibraryExercise",
    "PlanInput",
    "PlanItem",
    "PlanRule",
    "ProposedPlan",
    "ReferralProposal",
    "WithheldItem",
    "exercise_dose",
    "findings",
    "hazards_in_force",
    "propose",
    "referrals",
    "visit_interval_days",
]


@dataclass(frozen=True)
class PlanItem:
    kind: str
    code: str
    label: str
    dose: Dose | None
    reason: str
    findings: tuple[str, ...]
    detail: str = ""

    @property
    def side(self) -> str:
        return self.dose.side if self.dose else Side.NONE

    def as_dict(self) -> dict[str, object]:
        """Plain text in the active language: for a snapshot that must not change later."""
        return {
            "kind": self.kind,
            "code": self.code,
            "label": str(self.label),
            "dose": None if self.dose is None else self.dose.as_dict(),
            "reason": str(self.reason),
            "findings": list(self.findings),
            "detail": str(self.detail),
        }


@dataclass(frozen=True)
class WithheldItem:
    """An item (or, when `partial`, one leg of it) held back, and why.

    `side` is the leg on hold (LEFT or RIGHT), or BOTH / NONE for the whole item. `severity` is
    the most serious among `hazards` (codes, most serious first): an ABSOLUTE hold is never
    given, a RELATIVE one may be, with a written reason. `reason` is for staff (every hazard,
    with what it blocks and why); `patient` is what the patient reads (the most serious pair's
    sentence, naming no condition)."""

    kind: str
    code: str
    label: str
    side: str
    severity: str
    hazards: tuple[str, ...]
    reason: str
    patient: str
    partial: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "code": self.code,
            "label": str(self.label),
            "side": self.side,
            "severity": self.severity,
            "hazards": list(self.hazards),
            "reason": str(self.reason),
            "patient": str(self.patient),
            "partial": self.partial,
        }


@dataclass(frozen=True)
class Caution:
    """A precaution in force: nothing withheld, a caution for staff and a "go now" for the
    patient."""

    hazard: str
    side: str
    reason: str
    staff: str
    patient: str

    def as_dict(self) -> dict[str, object]:
        return {
            "hazard": self.hazard,
            "side": self.side,
            "reason": str(self.reason),
            "staff": str(self.staff),
            "patient": str(self.patient),
        }


@dataclass(frozen=True)
class ReferralProposal:
    department: str
    urgency: str
    reason: str
    flag_codes: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "department": self.department,
            "urgency": self.urgency,
            "reason": str(self.reason),
            "flag_codes": list(self.flag_codes),
        }


@dataclass(frozen=True)
class ProposedPlan:
    items: tuple[PlanItem, ...]
    withheld: tuple[WithheldItem, ...]
    referrals: tuple[ReferralProposal, ...]
    visit_interval_days: int | None
    reassess_on: date
    rules_version: str
    cautions: tuple[Caution, ...] = ()
    hazards: tuple[Hazard, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "items": [item.as_dict() for item in self.items],
            "withheld": [item.as_dict() for item in self.withheld],
            "cautions": [caution.as_dict() for caution in self.cautions],
            "hazards": [hazard.as_dict() for hazard in self.hazards],
            "referrals": [referral.as_dict() for referral in self.referrals],
            "visit_interval_days": self.visit_interval_days,
            "reassess_on": self.reassess_on.isoformat(),
            "rules_version": self.rules_version,
        }


def _quoting(found: Mapping[str, Finding], codes: Iterable[str]) -> str:
    return capfirst(joined(tuple(reason for code in codes for reason in found[code].reasons)))


def _triggered(found: Mapping[str, Finding], triggers: frozenset[str]) -> tuple[str, ...]:
    """The triggering findings present, in `FINDING_RULES` order."""
    return tuple(code for code in found if code in triggers)


def _rule_dose(rule: PlanRule, complaint_side: str) -> Dose | None:
    side = default_side(rule.placement, complaint_side)
    if rule.dose is None and not side:
        return None
    return replace(rule.dose or Dose(), side=side)


def _from_rules(
    rules: Iterable[PlanRule], found: Mapping[str, Finding], complaint_side: str
) -> Iterator[PlanItem]:
    for rule in rules:
        triggered = _triggered(found, rule.triggers)
        if triggered and not rule.unless & found.keys():
            yield PlanItem(
                kind=rule.kind,
                code=rule.code,
                label=rule.label,
                dose=_rule_dose(rule, complaint_side),
                reason=_quoting(found, triggered),
                findings=triggered,
                detail=rule.detail,
            )


def _tighter_side(found: Mapping[str, Finding], triggered: tuple[str, ...]) -> str:
    """The one side the triggering findings point at; none when they name none or disagree."""
    sides = {found[code].side for code in triggered} - {Side.NONE}
    return sides.pop() if len(sides) == 1 else Side.NONE


def _exercises(
    library: Iterable[LibraryExercise], found: Mapping[str, Finding]
) -> Iterator[PlanItem]:
    for exercise in library:
        triggered = _triggered(found, exercise.targets)
        if exercise.retired or not triggered:
            continue
        yield PlanItem(
            kind=EXERCISE,
            code=exercise.code,
            label=exercise.name,
            dose=exercise_dose(exercise, _tighter_side(found, triggered)),
            reason=_quoting(found, triggered),
            findings=triggered,
        )


def block_reason(block: Block) -> str:
    """Staff wording of one block: the hazard, its severity and why this care is held (the
    findings behind the hazard are listed once, with the hazard)."""
    hazard = block.hazard
    return format_lazy(
        _("{hazard} ({severity}): {why}"),
        hazard=hazard.label,
        severity=SEVERITY_SHORT[hazard.severity],
        why=staff_why(hazard, block.tag),
    )


def withheld_entry(item: PlanItem, verdict: Verdict) -> WithheldItem:
    """The held item (or its held leg), from a verdict that blocks it."""
    partial = verdict.narrowed
    side = verdict.held_leg if partial else (item.side or Side.NONE)
    first = verdict.blocks[0]
    legs = {block.leg for block in verdict.blocks}
    told = side if partial else (legs.pop() if len(legs) == 1 else Side.BOTH)
    return WithheldItem(
        kind=item.kind,
        code=item.code,
        label=item.label,
        side=side,
        severity=verdict.severity,
        hazards=tuple(verdict.hazard_codes()),
        reason=sentences(block_reason(block) for block in verdict.blocks),
        patient=patient_why(first.hazard, first.tag, told),
        partial=partial,
    )


def _narrowed(item: PlanItem, side: str) -> PlanItem:
    dose = item.dose
    extra = dose.extra_sets_side if dose.extra_sets_side == side else Side.NONE
    return replace(item, dose=replace(dose, side=side, extra_sets_side=extra))


def choose_exercises(candidates: list[PlanItem], limit: int = MAX_EXERCISES) -> list[PlanItem]:
    """Up to `limit` exercises, listed in library order.

    Each exercise that addresses a finding no earlier pick addresses is taken first, then the
    rest in library order: so a long library cannot fill every place with exercises for one
    finding (desk work, say) and leave a measured stiff ankle without one.
    """
    picked: list[int] = []
    covered: set[str] = set()
    for index, item in enumerate(candidates):
        if len(picked) < limit and not set(item.findings) <= covered:
            picked.append(index)
            covered |= set(item.findings)
    for index in range(len(candidates)):
        if len(picked) >= limit:
            break
        if index not in picked:
            picked.append(index)
    return [candidates[index] for index in sorted(picked)]


def _every(candidates: list[PlanItem]) -> list[PlanItem]:
    return candidates


def _sort_out(
    candidates: Iterable[PlanItem],
    pick: Callable[[list[PlanItem]], list[PlanItem]],
    library: Mapping[str, LibraryExercise],
    hazards: tuple[Hazard, ...],
) -> tuple[list[PlanItem], list[WithheldItem]]:
    """Clear and narrowed candidates to the plan, the rest to the withheld list; `pick` chooses
    among each (all of them, or the exercises within the limit). A narrowed item's held leg is
    listed beside it, so the practitioner sees why it is one-sided."""
    given, held, verdicts = [], [], {}
    for item in candidates:
        verdict = check(care_item(item.code, item.kind, library, item.side), hazards)
        verdicts[item.code] = verdict
        if verdict.held:
            held.append(item)
        else:
            given.append(_narrowed(item, verdict.side) if verdict.narrowed else item)
    chosen = pick(given)
    withheld = [
        withheld_entry(item, verdicts[item.code]) for item in chosen if verdicts[item.code].narrowed
    ]
    withheld += [withheld_entry(item, verdicts[item.code]) for item in pick(held)]
    return chosen, withheld


def _referral_reason(flags: list[Flag]) -> str:
    return sentences(
        format_lazy(_("{flag}: {reason}."), flag=flag.label, reason=flag.reason) for flag in flags
    )


def referrals(screening: Screening) -> tuple[ReferralProposal, ...]:
    """One referral per department, at the most urgent urgency among its flags; most urgent
    first, then in the order the screen listed the departments."""
    by_department: dict[str, list[Flag]] = {}
    for flag in screening.flags:
        by_department.setdefault(flag.department, []).append(flag)
    proposals = [
        ReferralProposal(
            department=department,
            urgency=min((flag.urgency for flag in flags), key=URGENCY_ORDER.index),
            reason=_referral_reason(flags),
            flag_codes=tuple(flag.code for flag in flags),
        )
        for department, flags in by_department.items()
    ]
    proposals.sort(key=lambda referral: URGENCY_ORDER.index(referral.urgency))
    return tuple(proposals)


def visit_interval_days(
    facts: AssessmentFacts, screening: Screening, proposed: tuple[ReferralProposal, ...]
) -> int | None:
    """None while a same-day referral stands (in-clinic work waits for the doctor); weekly with
    pain from 5/10 or any flagged left-right difference; otherwise every two weeks."""
    if any(referral.urgency == SAME_DAY for referral in proposed):
        return None
    pain = facts.complaint.pain
    if (pain is not None and pain >= WEEKLY_FROM_PAIN) or any(
        asymmetry.flagged for asymmetry in screening.asymmetries
    ):
        return WEEKLY
    return FORTNIGHTLY


def cautions(hazards: Iterable[Hazard]) -> tuple[Caution, ...]:
    return tuple(
        Caution(
            hazard=hazard.code,
            side=hazard.side,
            reason=hazard.reason,
            staff=hazard.rule.caution.staff,
            patient=hazard.rule.caution.patient,
        )
        for hazard in hazards
        if hazard.severity == PRECAUTION
    )


def propose(plan_input: PlanInput) -> ProposedPlan:
    facts, screening, today = plan_input.facts, plan_input.screening, plan_input.today
    found = findings(plan_input)
    hazards = hazards_in_force(facts, screening, today, lifted=plan_input.lifted)
    library = {exercise.code: exercise for exercise in plan_input.library}
    complaint_side = facts.complaint.side
    items: list[PlanItem] = []
    withheld: list[WithheldItem] = []
    for candidates, pick in (
        (_from_rules(CLINIC_RULES, found, complaint_side), _every),
        (_exercises(plan_input.library, found), choose_exercises),
        (_from_rules(HABIT_RULES, found, complaint_side), _every),
        (_from_rules(SUPPORTER_RULES, found, complaint_side), _every),
        (_from_rules(COMPRESS_RULES, found, complaint_side), _every),
    ):
        proposed, held = _sort_out(candidates, pick, library, hazards)
        items.extend(proposed)
        withheld.extend(held)
    proposed_referrals = referrals(screening)
    reassess_after = REASSESS_AFTER_REFERRAL_DAYS if proposed_referrals else REASSESS_DAYS
    return ProposedPlan(
        items=tuple(items),
        withheld=tuple(withheld),
        referrals=proposed_referrals,
        visit_interval_days=visit_interval_days(facts, screening, proposed_referrals),
        reassess_on=today + timedelta(days=reassess_after),
        rules_version=RULES_VERSION,
        cautions=cautions(hazards),
        hazards=hazards,
    )
