"""The care-plan generator: findings in, a proposed plan out, for the practitioner to edit.

`propose` reads the facts, the red-flag screening and the posture, lower-limb and habits sections,
names the findings (`findings`), and proposes in-clinic work, home exercises from the clinic's
library, habits, the knee supporter and compresses, each with the findings that triggered it.
Nothing a contraindication in force rules out reaches `items`: it goes to `withheld` with the
reason. Every red flag becomes a referral, one per department.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from .contraindications import (
    CONTRAINDICATION_BY_CODE,
    CONTRAINDICATIONS,
    Contraindication,
    contraindications_in_force,
)
from .evidence import joined
from .facts import AssessmentFacts, Side
from .findings import FINDING_RULES, Finding, FindingRule, PlanInput, findings
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
    violations,
)
from .redflags import SAME_DAY, URGENCY_ORDER, Flag, Screening
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
    "CONTRAINDICATIONS",
    "CONTRAINDICATION_BY_CODE",
    "EXERCISE",
    "FINDING_RULES",
    "HABIT",
    "HABIT_RULES",
    "KIND_LABELS",
    "MAX_EXERCISES",
    "PLAN_RULES",
    "SUPPORTER",
    "SUPPORTER_RULES",
    "TARGET_LABELS",
    "Contraindication",
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
    "contraindications_in_force",
    "exercise_dose",
    "findings",
    "propose",
    "referrals",
    "visit_interval_days",
    "violations",
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
    """`contraindication` is the most serious one the item breaks; `reason` quotes them all."""

    kind: str
    code: str
    label: str
    contraindication: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "code": self.code,
            "label": str(self.label),
            "contraindication": self.contraindication,
            "reason": str(self.reason),
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

    def as_dict(self) -> dict[str, object]:
        return {
            "items": [item.as_dict() for item in self.items],
            "withheld": [item.as_dict() for item in self.withheld],
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


def _from_rules(rules: Iterable[PlanRule], found: Mapping[str, Finding]) -> Iterator[PlanItem]:
    for rule in rules:
        triggered = _triggered(found, rule.triggers)
        if triggered and not rule.unless & found.keys():
            yield PlanItem(
                kind=rule.kind,
                code=rule.code,
                label=rule.label,
                dose=rule.dose,
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


def _withheld(item: PlanItem, broken: list[str], in_force: Mapping[str, str]) -> WithheldItem:
    why = joined(
        tuple(
            format_lazy(
                _("{contraindication}: {why}"),
                contraindication=CONTRAINDICATION_BY_CODE[code].label,
                why=in_force[code],
            )
            for code in broken
        )
    )
    return WithheldItem(item.kind, item.code, item.label, broken[0], why)


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
    in_force: Mapping[str, str],
) -> tuple[list[PlanItem], list[WithheldItem]]:
    """Safe candidates to the plan, the others to the withheld list with their reasons; `pick`
    chooses among each (all of them, or the exercises within the limit)."""
    safe, held = [], []
    for item in candidates:
        broken = violations(item.code, item.kind, library, in_force)
        (held if broken else safe).append(item)
    withheld = [
        _withheld(item, violations(item.code, item.kind, library, in_force), in_force)
        for item in pick(held)
    ]
    return pick(safe), withheld


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


def propose(plan_input: PlanInput) -> ProposedPlan:
    facts, screening, today = plan_input.facts, plan_input.screening, plan_input.today
    found = findings(plan_input)
    in_force = {
        code: reason
        for code, reason in contraindications_in_force(facts, screening, today).items()
        if code not in plan_input.lifted
    }
    library = {exercise.code: exercise for exercise in plan_input.library}
    items: list[PlanItem] = []
    withheld: list[WithheldItem] = []
    for candidates, pick in (
        (_from_rules(CLINIC_RULES, found), _every),
        (_exercises(plan_input.library, found), choose_exercises),
        (_from_rules(HABIT_RULES, found), _every),
        (_from_rules(SUPPORTER_RULES, found), _every),
        (_from_rules(COMPRESS_RULES, found), _every),
    ):
        proposed, held = _sort_out(candidates, pick, library, in_force)
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
    )
