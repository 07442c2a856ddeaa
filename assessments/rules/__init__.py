"""The clinical rules: pure, database-free, versioned.

Facts in (`facts`), findings out: left-right asymmetries (`asymmetry`, over the `measures`
table), the Wells DVT score (`wells`), the red-flag screen (`redflags.screen`: whom to see and
how soon) and the hazards (`hazards`: what care is withheld, on which side, how firmly). The care
plan (`plan.propose`) builds on them: plan findings (`findings`), the rule tables (`plan_rules`),
the exercise library (`library`) and the one check of an item against the hazards
(`verdicts.check`). Nothing here imports `django.db` or reads the clock: callers pass `today`.
"""

from .asymmetry import Asymmetry, band, compute_asymmetries
from .care import CARE_TAG_LABELS, CARE_TAGS
from .facts import (
    AssessmentFacts,
    Bilateral,
    Cancer,
    Complaint,
    Palpation,
    PreviousVisit,
    Provoker,
    Quality,
    RedFlagAnswers,
    Side,
    WellsAnswers,
)
from .hazards import (
    ABSOLUTE,
    HAZARD_BY_CODE,
    HAZARD_RULES,
    PRECAUTION,
    RELATIVE,
    Hazard,
    HazardRule,
    hazards_in_force,
)
from .measures import MEASURE_BY_CODE, MEASURES, Measure
from .plan import (
    KIND_LABELS,
    PLAN_RULES,
    TARGET_LABELS,
    Caution,
    Dose,
    LibraryExercise,
    PlanInput,
    PlanItem,
    ProposedPlan,
    ReferralProposal,
    WithheldItem,
    propose,
)
from .redflags import (
    DEPARTMENT_LABELS,
    RULE_BY_CODE,
    RULES,
    URGENCY_LABELS,
    Flag,
    RedFlagRule,
    Screening,
    screen,
)
from .verdicts import Block, CareItem, Verdict, as_given, check, unmet
from .version import RULES_VERSION
from .wells import WellsResult, wells_score

__all__ = [
    "ABSOLUTE",
    "CARE_TAGS",
    "CARE_TAG_LABELS",
    "DEPARTMENT_LABELS",
    "HAZARD_BY_CODE",
    "HAZARD_RULES",
    "KIND_LABELS",
    "MEASURES",
    "MEASURE_BY_CODE",
    "PLAN_RULES",
    "PRECAUTION",
    "RELATIVE",
    "RULES",
    "RULES_VERSION",
    "RULE_BY_CODE",
    "TARGET_LABELS",
    "URGENCY_LABELS",
    "AssessmentFacts",
    "Asymmetry",
    "Bilateral",
    "Block",
    "Cancer",
    "CareItem",
    "Caution",
    "Complaint",
    "Dose",
    "Flag",
    "Hazard",
    "HazardRule",
    "LibraryExercise",
    "Measure",
    "Palpation",
    "PlanInput",
    "PlanItem",
    "PreviousVisit",
    "ProposedPlan",
    "Provoker",
    "Quality",
    "RedFlagAnswers",
    "RedFlagRule",
    "ReferralProposal",
    "Screening",
    "Side",
    "Verdict",
    "WellsAnswers",
    "WellsResult",
    "WithheldItem",
    "as_given",
    "band",
    "check",
    "compute_asymmetries",
    "hazards_in_force",
    "propose",
    "screen",
    "unmet",
    "wells_score",
]
