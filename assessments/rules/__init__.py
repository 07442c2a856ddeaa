"""The clinical rules: pure, database-free, versioned.

Facts in (`facts`), findings out: left-right asymmetries (`asymmetry`, over the `measures`
table), the Wells DVT score (`wells`) and the red-flag screen (`redflags.screen`). Nothing here
imports `django.db` or reads the clock: callers pass `today`.
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
    "DEPARTMENT_LABELS",
    "MEASURES",
    "MEASURE_BY_CODE",
    "RULES",
    "RULES_VERSION",
    "RULE_BY_CODE",
    "URGENCY_LABELS",
    "AssessmentFacts",
    "Asymmetry",
    "Bilateral",
    "Complaint",
    "Flag",
    "Measure",
    "Palpation",
    "Provoker",
    "Quality",
    "RedFlagAnswers",
    "RedFlagRule",
    "Screening",
    "Side",
    "WellsAnswers",
    "WellsResult",
    "band",
    "compute_asymmetries",
    "screen",
    "wells_score",
]
