"""What the care plan is built from: findings named in the clinic's words.

A finding is read from the facts, the screening (its asymmetries, with the clinic's thresholds
already applied) and the posture, lower-limb and habits sections, whose dicts are the JSON the
section forms store. Findings are data (`FINDING_RULES`): a code, a label, and an `evaluate` that
returns what was seen, each with the phrase a plan item quotes as its reason and, for tightness
or height, the side it points at.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from patients.work import Work

from .asymmetry import Asymmetry
from .evidence import joined
from .facts import SIDE_LABELS, AssessmentFacts, Quality, Side
from .library import LibraryExercise
from .redflags import Screening
from .stage import ACUTE, CHRONIC, days_since_onset, stage
from .wording import listed, measured, number

DESK_HOURS = Decimal("6")  # sitting this long a day counts as desk work
LOW_FLUID_LITRES = Decimal("1.5")
SUPPORTER_PAIN = 4  # knee pain from which a supporter is offered as an option

REGION_LABELS = {
    "knee_back": _("back of the knee"),
    "knee_front": _("front of the knee"),
    "calf": _("calf"),
}
GAIT_LABELS = {
    "toe_in": _("toe-in"),
    "toe_out": _("toe-out"),
    "antalgic": _("antalgic (protecting one leg)"),
}


@dataclass(frozen=True)
class PlanInput:
    facts: AssessmentFacts
    screening: Screening
    posture: Mapping[str, object]
    lower_limb: Mapping[str, object]
    habits: Mapping[str, object]
    library: tuple[LibraryExercise, ...]
    today: date
    # Hazards the practitioner lifted after a doctor's clearance recorded on a referral.
    lifted: frozenset[str] = frozenset()

    def __post_init__(self):
        codes = [exercise.code for exercise in self.library]
        if len(codes) != len(set(codes)):
            raise ValueError("library exercise codes must be unique")


@dataclass(frozen=True)
class Seen:
    reason: str
    side: str = Side.NONE


@dataclass(frozen=True)
class Finding:
    """`side` is the one side the finding points at (tighter, stiffer, higher), or "" when none
    is named or its sources disagree."""

    code: str
    label: str
    reasons: tuple[str, ...]
    side: str = Side.NONE

    @property
    def reason(self) -> str:
        return capfirst(joined(self.reasons))


# Reading the section dicts (JSON: sides and choices as strings, numbers possibly as strings).


def _one_side(value: object) -> str:
    return value if value in (Side.LEFT, Side.RIGHT) else Side.NONE


def _any_side(value: object) -> str:
    return value if value in (Side.LEFT, Side.RIGHT, Side.BOTH) else Side.NONE


def _yes(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "on", "yes", "1"}
    return value is True


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _seen(condition: bool, reason: str, side: str = Side.NONE) -> tuple[Seen, ...]:
    return (Seen(reason, side),) if condition else ()


def asymmetry_reason(asymmetry: Asymmetry) -> str:
    """ "Hamstring flexibility (straight-leg raise) left-right difference: right 55° / left 75°",
    the worse side first."""
    values = {Side.LEFT: asymmetry.left, Side.RIGHT: asymmetry.right}
    first = asymmetry.worse_side or Side.LEFT
    second = Side.RIGHT if first == Side.LEFT else Side.LEFT
    return format_lazy(
        _("{measure} left-right difference: {first_side} {first} / {second_side} {second}"),
        measure=asymmetry.label,
        first_side=SIDE_LABELS[first],
        first=measured(values[first], asymmetry.code),
        second_side=SIDE_LABELS[second],
        second=measured(values[second], asymmetry.code),
    )


def _flagged(plan: PlanInput, *codes: str) -> tuple[Seen, ...]:
    return tuple(
        Seen(asymmetry_reason(asymmetry), asymmetry.worse_side)
        for asymmetry in plan.screening.asymmetries
        if asymmetry.code in codes and asymmetry.flagged
    )


def _observed(section: Mapping[str, object], key: str, label: str) -> tuple[Seen, ...]:
    side = _any_side(section.get(key))
    reason = format_lazy(_("{finding} ({side})"), finding=label, side=SIDE_LABELS.get(side, ""))
    return _seen(bool(side), reason, _one_side(side))


def _on_side(section: Mapping[str, object], key: str, template: str) -> tuple[Seen, ...]:
    side = _one_side(section.get(key))
    return _seen(bool(side), format_lazy(template, side=SIDE_LABELS.get(side, "")), side)


def _ticked(section: Mapping[str, object], key: str, reason: str) -> tuple[Seen, ...]:
    return _seen(_yes(section.get(key)), reason)


def _complaint(plan: PlanInput, *regions: str) -> tuple[Seen, ...]:
    complaint = plan.facts.complaint
    if complaint.region not in regions:
        return ()
    parts = [REGION_LABELS[complaint.region]]
    if complaint.side in SIDE_LABELS:
        parts.append(SIDE_LABELS[complaint.side])
    if complaint.pain is not None:
        parts.append(format_lazy(_("pain {pain}/10"), pain=complaint.pain))
    return (Seen(format_lazy(_("Complaint: {details}"), details=listed(parts))),)


def _quality(plan: PlanInput, quality: str, reason: str) -> tuple[Seen, ...]:
    return _seen(quality in plan.facts.complaint.qualities, reason)


def _warm(plan: PlanInput) -> bool:
    return plan.facts.palpation.warm or plan.facts.red_flags.leg_warm


def _stage_is(plan: PlanInput, wanted: str) -> tuple[Seen, ...]:
    days = days_since_onset(plan.facts, plan.today)
    onset = plan.facts.complaint.onset
    reason = format_lazy(_("pain since {onset}"), onset=onset)
    return _seen(days is not None and stage(days) == wanted, reason)


def _posture_kyphosis(plan: PlanInput) -> tuple[Seen, ...]:
    return (
        *_ticked(plan.posture, "thoracic_kyphosis", _("Rounded upper back")),
        *_ticked(plan.posture, "rounded_shoulders", _("Rounded shoulders")),
        *_ticked(plan.posture, "forward_head", _("Forward head")),
    )


def _posture_lordosis(plan: PlanInput) -> tuple[Seen, ...]:
    return (
        *_ticked(plan.posture, "lumbar_hyperlordosis", _("Arched lower back")),
        *_seen(plan.posture.get("pelvic_tilt") == "anterior", _("Pelvis tilted forward")),
    )


def _gait(plan: PlanInput) -> tuple[Seen, ...]:
    gait = plan.lower_limb.get("gait") or ""
    if gait in ("", "normal"):
        return ()
    return (Seen(format_lazy(_("Gait: {gait}"), gait=GAIT_LABELS.get(gait, gait))),)


def _desk_work(plan: PlanInput) -> tuple[Seen, ...]:
    hours = _decimal(plan.habits.get("sitting_hours"))
    long_hours = hours is not None and hours >= DESK_HOURS
    return (
        *_seen(plan.habits.get("work_style") == Work.DESK, _("Desk work")),
        *_seen(
            long_hours,
            format_lazy(_("Sits {hours} hours a day"), hours=number(hours) if long_hours else ""),
        ),
    )


def _low_fluids(plan: PlanInput) -> tuple[Seen, ...]:
    litres = _decimal(plan.habits.get("fluid_litres"))
    low = litres is not None and litres < LOW_FLUID_LITRES
    reason = format_lazy(_("Drinks {litres} L a day"), litres=number(litres) if low else "")
    return _seen(low, reason)


def _stands_on_one_leg(plan: PlanInput) -> tuple[Seen, ...]:
    return (
        *_on_side(plan.habits, "stands_on_one_leg", _("Stands resting on the {side} leg")),
        *_on_side(plan.posture, "weight_on_leg", _("Weight habitually on the {side} leg")),
    )


def _knee_pain_moderate(plan: PlanInput) -> tuple[Seen, ...]:
    pain = plan.facts.complaint.pain
    if pain is None or pain < SUPPORTER_PAIN:
        return ()
    return _complaint(plan, "knee_back", "knee_front")


def _acute_stage(plan: PlanInput) -> tuple[Seen, ...]:
    return (
        *_stage_is(plan, ACUTE),
        *_seen(plan.facts.red_flags.leg_warm, _("The leg feels warm")),
        *_seen(plan.facts.palpation.warm, _("Warmth behind the knee")),
    )


def _chronic_stage(plan: PlanInput) -> tuple[Seen, ...]:
    cool = not _warm(plan)
    return (
        *_stage_is(plan, CHRONIC),
        *_seen(cool and Quality.DULL in plan.facts.complaint.qualities, _("Dull ache")),
        *_seen(cool and Quality.HEAVY in plan.facts.complaint.qualities, _("Heavy feeling")),
    )


@dataclass(frozen=True)
class FindingRule:
    code: str
    label: str
    evaluate: Callable[[PlanInput], tuple[Seen, ...]]

    def check(self, plan: PlanInput) -> Finding | None:
        seen = self.evaluate(plan)
        if not seen:
            return None
        sides = {item.side for item in seen if item.side in (Side.LEFT, Side.RIGHT)}
        side = sides.pop() if len(sides) == 1 else Side.NONE
        return Finding(self.code, self.label, tuple(item.reason for item in seen), side)


FINDING_RULES: tuple[FindingRule, ...] = (
    FindingRule("tight_hamstring", _("Tight hamstring"), lambda plan: _flagged(plan, "slr")),
    FindingRule(
        "stiff_hip",
        _("Stiff hip"),
        lambda plan: (
            *_flagged(plan, "hip_internal_rotation", "hip_external_rotation"),
            *_observed(plan.lower_limb, "stiff_hip", _("Stiff hip observed")),
        ),
    ),
    FindingRule(
        "stiff_ankle",
        _("Stiff ankle"),
        lambda plan: (
            *_flagged(plan, "knee_to_wall"),
            *_observed(plan.lower_limb, "stiff_ankle", _("Stiff ankle observed")),
        ),
    ),
    FindingRule(
        "pelvic_obliquity",
        _("Pelvis higher on one side"),
        lambda plan: (
            *_flagged(plan, "iliac_crest_height"),
            *_on_side(plan.posture, "pelvic_high_side", _("Pelvis higher on the {side}")),
        ),
    ),
    FindingRule(
        "pelvic_rotation",
        _("Pelvis rotated"),
        lambda plan: _on_side(
            plan.posture, "pelvic_rotation", _("Pelvis rotated forward on the {side}")
        ),
    ),
    FindingRule(
        "knee_back_pain", _("Pain behind the knee"), lambda plan: _complaint(plan, "knee_back")
    ),
    FindingRule(
        "knee_back_tension",
        _("Tension behind the knee"),
        lambda plan: (
            *_seen(plan.facts.palpation.tender, _("Tender behind the knee on palpation")),
            *_quality(plan, Quality.PULLING, _("Pulling feeling")),
        ),
    ),
    FindingRule(
        "calf_tension",
        _("Calf tension or cramping"),
        lambda plan: (
            *_complaint(plan, "calf"),
            *_quality(plan, Quality.CRAMPING, _("Cramping")),
        ),
    ),
    FindingRule("posture_kyphosis", _("Rounded upper body"), _posture_kyphosis),
    FindingRule(
        "posture_lordosis", _("Arched lower back or forward-tilted pelvis"), _posture_lordosis
    ),
    FindingRule(
        "knee_hyperextension",
        _("Locked knees"),
        lambda plan: _observed(plan.posture, "knee_hyperextension", _("Locked knees")),
    ),
    FindingRule("gait_pattern", _("Gait pattern"), _gait),
    FindingRule(
        "short_stride",
        _("Shorter stride"),
        lambda plan: _observed(plan.lower_limb, "short_stride", _("Shorter stride")),
    ),
    FindingRule("desk_work", _("Long hours sitting"), _desk_work),
    FindingRule(
        "driving_work",
        _("Driving for work"),
        lambda plan: _seen(plan.habits.get("work_style") == Work.DRIVING, _("Drives for work")),
    ),
    FindingRule(
        "crosses_legs",
        _("Crosses the legs"),
        lambda plan: _on_side(plan.habits, "leg_on_top", _("Crosses the legs, {side} leg on top")),
    ),
    FindingRule(
        "bag_one_side",
        _("Bag always on one side"),
        lambda plan: _on_side(plan.habits, "bag_side", _("Carries the bag on the {side}")),
    ),
    FindingRule("stands_on_one_leg", _("Stands on one leg"), _stands_on_one_leg),
    FindingRule(
        "heels",
        _("Wears heels"),
        lambda plan: _seen(plan.habits.get("footwear") == "heels", _("Wears heels")),
    ),
    FindingRule("low_fluids", _("Drinks little"), _low_fluids),
    FindingRule(
        "heavy_sweating",
        _("Sweats heavily"),
        lambda plan: _ticked(plan.habits, "heavy_sweating", _("Sweats heavily")),
    ),
    FindingRule(
        "night_cramps",
        _("Cramps at night"),
        lambda plan: _ticked(plan.habits, "night_cramps", _("Cramps at night")),
    ),
    FindingRule(
        "cold_extremities",
        _("Cold hands and feet"),
        lambda plan: _ticked(plan.habits, "cold_extremities", _("Cold hands and feet")),
    ),
    FindingRule(
        "supporter_all_day",
        _("Knee supporter worn all day"),
        lambda plan: _ticked(plan.habits, "supporter_all_day", _("Wears a knee supporter all day")),
    ),
    FindingRule("knee_pain_moderate", _("Knee pain 4/10 or more"), _knee_pain_moderate),
    FindingRule("acute_stage", _("Acute pain"), _acute_stage),
    FindingRule("chronic_stage", _("Long-standing dull pain"), _chronic_stage),
)
FINDING_RULE_BY_CODE = {rule.code: rule for rule in FINDING_RULES}


def findings(plan_input: PlanInput) -> dict[str, Finding]:
    """Every finding that holds, in `FINDING_RULES` order."""
    return {
        finding.code: finding
        for rule in FINDING_RULES
        if (finding := rule.check(plan_input)) is not None
    }
