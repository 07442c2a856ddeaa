"""Hazards: what in this assessment makes a kind of care unsafe, on which side, and how firmly.

A red flag says whom to see and how soon (`redflags`). A hazard says what care is withheld
meanwhile. Each hazard has
- a severity: ABSOLUTE (never given, no override; only a doctor's clearance recorded on the
  referral lifts it), RELATIVE (given only with a reason the practitioner writes, kept and
  printed for staff) or PRECAUTION (nothing withheld; a caution is printed, and the patient is
  told what would mean "go now");
- a side (left, right, or both when both legs or no known side are concerned): a left-side hazard
  never withholds right-side care;
- the care tags it blocks (`care`), in the order its wording prefers;
- a practitioner's and a patient's wording for each group of blocked care (`why`), so that what a
  patient reads about a held massage is about massage, and names no condition.

`HAZARD_RULES` is the one table; `hazards_in_force` evaluates it. Like the rest of the package
it is pure: facts, the screening and `today` in, plain values out.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.utils.text import capfirst, format_lazy

from . import care
from .evidence import joined
from .facts import AssessmentFacts, Side
from .hazard_rules import (
    ABSOLUTE,
    EVERYTHING_ON_THE_LEG,
    HAZARD_BY_CODE,
    HAZARD_LEG_WORDS,
    HAZARD_RULES,
    PRECAUTION,
    RELATIVE,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    SEVERITY_SHORT,
    VASCULAR_FLAGS,
    HazardRule,
    Wording,
)
from .hazard_signs import one_side
from .redflags import Screening

__all__ = [
    "ABSOLUTE",
    "EVERYTHING_ON_THE_LEG",
    "HAZARD_BY_CODE",
    "HAZARD_RULES",
    "PRECAUTION",
    "RELATIVE",
    "SEVERITY_LABELS",
    "SEVERITY_ORDER",
    "SEVERITY_SHORT",
    "VASCULAR_FLAGS",
    "Hazard",
    "HazardRule",
    "Wording",
    "hazards_in_force",
    "leg_words",
    "one_side",
    "patient_why",
    "staff_why",
]


@dataclass(frozen=True)
class Hazard:
    """One hazard that holds, on one side, with the findings that raised it."""

    code: str
    severity: str
    side: str
    reason: str
    inputs: Mapping[str, str]

    @property
    def rule(self) -> HazardRule:
        return HAZARD_BY_CODE[self.code]

    @property
    def label(self) -> str:
        return self.rule.label

    def covers(self, side: str) -> bool:
        """Does this hazard reach a leg on `side` (left or right)?"""
        return self.side == Side.BOTH or self.side == side

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "side": self.side,
            "reason": str(self.reason),
            "inputs": dict(self.inputs),
        }


def leg_words(side: str) -> str:
    """The leg as the patient's sentence names it: 'left leg', 'right leg', or just 'legs' when
    both or no known side are concerned (never 'both legs', which would claim both)."""
    return HAZARD_LEG_WORDS.get(side, HAZARD_LEG_WORDS[Side.BOTH])


def hazards_in_force(
    facts: AssessmentFacts,
    screening: Screening,
    today: date,
    *,
    lifted: Iterable[str] = (),
) -> tuple[Hazard, ...]:
    """Every hazard that holds, in `HAZARD_RULES` order (absolute first), less those a doctor's
    clearance lifted."""
    gone = set(lifted)
    found = []
    for rule in HAZARD_RULES:
        if rule.code in gone:
            continue
        result = rule.evaluate(facts, screening, today)
        if result is None:
            continue
        side, evidence = result
        found.append(
            Hazard(
                code=rule.code,
                severity=rule.severity,
                side=side,
                reason=capfirst(joined(evidence.reasons)),
                inputs=dict(evidence.inputs),
            )
        )
    return tuple(found)


def staff_why(hazard: Hazard, tag: str) -> str:
    wording = hazard.rule.why.get(care.GROUP_OF_TAG[tag])
    return wording.staff if wording else hazard.rule.explanation


def patient_why(hazard: Hazard, tag: str, side: str) -> str:
    """What the patient reads about this held care: the pair's own sentence, for that leg."""
    wording = hazard.rule.why[care.GROUP_OF_TAG[tag]]
    return format_lazy(wording.patient, leg=leg_words(side))
