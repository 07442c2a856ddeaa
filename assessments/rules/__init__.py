"""The clinical rules: pure, database-free, versioned.

Facts in (`facts`), findings out: left-right asymmetries (`asymmetry`, over the `measures`
table), the Wells DVT score (`wells`) and the red-flag screen (`redflags.screen`). The care plan
(`plan.propose`) builds on them: plan findings (`findings`), contraindications in force
(`contraindications`), the rule tables (`plan_rules`) and the exercise library (`library`).
Nothing here imports `django.db` or reads the clock: callers pass `today`.
"""

from .asymmetry import Asymmetry, band, compute_asymmetries
from .facts import (
    AssessmentFacts,
    Bilateral,
    Complaint,
    Palpation,
    Provoker,
    Quality,
    RedFlagAnswers,
    Side,
    WellsAnswers,
)
from .measures import MEASURE_BY_CODE, MEASURES, Measure
from .plan import (
    CONTRAINDICATION_BY_CODE,
    CONTRAINDICATIONS,
    KIND_LABELS,
    PLAN_RULES,
    TARGET_LABELS,
    Dose,
    LibraryExercise,
    PlanInput,
    PlanItem,
    ProposedPlan,
    ReferralProposal,
    WithheldItem,
    contraindications_in_force,
    propose,
    violations,
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
from .version import RULES_VERSION
from .wells import WellsResult, wells_score

__all__ = [
    "CONTRAINDICATIONS",
    "CONTRAINDICATION_BY_CODE",
    "DEPARTMENT_LABELS",
    "KIND_LABELS",
    "MEASURES",
    "MEASURE_BY_CODE",
    "PLAN_RULES",
    "RULES",
    "RULES_VERSION",
    "RULE_BY_CODE",
    "TARGET_LABELS",
    "URGENCY_LABELS",
    "AssessmentFacts",
    "Asymmetry",
    "Bilateral",
    "Complaint",
    "Dose",
    "Flag",
    "LibraryExercise",
    "Measure",
    "Palpation",
    "PlanInput",
    "PlanItem",
    "ProposedPlan",
    "Provoker",
    "Quality",
    "RedFlagAnswers",
    "RedFlagRule",
    "ReferralProposal",
    "Screening",
    "Side",
    "WellsAnswers",
    "WellsResult",
    "WithheldItem",
    "band",
    "compute_asymmetries",
    "contraindications_in_force",
    "propose",
    "screen",
    "violations",
    "wells_score",
]
