from assessments.models.assessment import (
    SECTION_CODES,
    SECTIONS,
    Amendment,
    Assessment,
    AssessmentStatus,
    AsymmetryThreshold,
    RedFlag,
)
from assessments.models.homecare import ExerciseLog, FunctionalScale, SafetyCheck
from assessments.models.measurement import MeasuredSide, Measurement
from assessments.models.plan import (
    GIVEN_STATUSES,
    CarePlan,
    Exercise,
    PlanItem,
    PlanStatus,
    Referral,
    ReferralStatus,
)

__all__ = [
    "GIVEN_STATUSES",
    "SECTIONS",
    "SECTION_CODES",
    "Amendment",
    "Assessment",
    "AssessmentStatus",
    "AsymmetryThreshold",
    "CarePlan",
    "Exercise",
    "ExerciseLog",
    "FunctionalScale",
    "MeasuredSide",
    "Measurement",
    "PlanItem",
    "PlanStatus",
    "RedFlag",
    "SafetyCheck",
    "Referral",
    "ReferralStatus",
]
