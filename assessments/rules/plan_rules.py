"""The plan's rule tables: in-clinic work, habits, the knee supporter and compresses.

Each rule is a small named entry: what it proposes, which findings trigger it (any one of them),
which findings suppress it, what kind of care it is (its care tags, read by the hazard table) and
how it is placed on the body. Home exercises are not here: they come from the clinic's library
(`library.LibraryExercise`), which carries its own targets and care tags. `care_item` describes
either kind of item to the hazard check (`verdicts.check`).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import care
from .facts import Side
from .library import Dose, LibraryExercise
from .verdicts import CareItem

CLINIC, EXERCISE, HABIT = "clinic", "exercise", "habit"
SUPPORTER, COMPRESS = "supporter", "compress"
KIND_LABELS = {
    CLINIC: _("In-clinic work"),
    EXERCISE: _("Home exercise"),
    HABIT: _("Daily habit"),
    SUPPORTER: _("Knee supporter"),
    COMPRESS: _("Compress"),
}

# How an item is placed on the body.
EACH_LEG = "each_leg"  # done on each leg in turn: can be narrowed to one leg
BOTH_AT_ONCE = "both_at_once"  # both legs (or the pelvis) at once: cannot be split
COMPLAINT_SIDE = "complaint_side"  # where it hurts: one leg when the complaint names one
NOT_ON_A_LEG = "not_on_a_leg"


@dataclass(frozen=True)
class PlanRule:
    code: str
    kind: str
    label: str
    triggers: frozenset[str]
    detail: str = ""
    dose: Dose | None = None
    unless: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()
    placement: str = NOT_ON_A_LEG

    def __post_init__(self):
        object.__setattr__(self, "tags", care.known_tags(self.tags, f"plan rule {self.code!r}"))


def _clinic(code, label, triggers, tags, placement=EACH_LEG) -> PlanRule:
    return PlanRule(
        code, CLINIC, label, frozenset(triggers), tags=frozenset(tags), placement=placement
    )


CLINIC_RULES: tuple[PlanRule, ...] = (
    _clinic(
        "pelvic_alignment",
        _("Pelvic alignment"),
        {"pelvic_obliquity", "pelvic_rotation", "posture_lordosis"},
        {care.MOBILISATION},
        BOTH_AT_ONCE,
    ),
    _clinic("hip_mobilisation", _("Hip mobilisation"), {"stiff_hip"}, {care.MOBILISATION}),
    _clinic("ankle_mobilisation", _("Ankle mobilisation"), {"stiff_ankle"}, {care.MOBILISATION}),
    _clinic(
        "hamstring_release",
        _("Hamstring and fascia release"),
        {"tight_hamstring", "knee_back_pain"},
        {care.DEEP_WORK, care.MASSAGE, care.KNEE_BACK_PRESSURE},
    ),
    _clinic("calf_release", _("Calf release"), {"calf_tension"}, {care.DEEP_WORK, care.MASSAGE}),
    # Teaching how to stand and walk presses on nothing, but it has the patient walk: only a
    # leg that must not be loaded holds it.
    _clinic(
        "posture_gait_guidance",
        _("Posture and gait guidance"),
        {
            "posture_kyphosis",
            "posture_lordosis",
            "knee_hyperextension",
            "gait_pattern",
            "short_stride",
        },
        {care.LEG_EXERCISE},
        NOT_ON_A_LEG,
    ),
)
PLAN_RULES = CLINIC_RULES


def _habit(code, label, triggers, detail, tags=(), placement=NOT_ON_A_LEG) -> PlanRule:
    return PlanRule(
        code,
        HABIT,
        label,
        frozenset(triggers),
        detail=detail,
        tags=frozenset(tags),
        placement=placement,
    )


HABIT_RULES: tuple[PlanRule, ...] = (
    _habit(
        "uncross_legs",
        _("Uncross the legs"),
        {"crosses_legs"},
        _(
            "Sit with both feet flat on the floor. Each time you notice your legs crossed, "
            "uncross them: crossing on one side twists the pelvis the same way every day."
        ),
    ),
    _habit(
        "swap_bag_side",
        _("Swap the bag side"),
        {"bag_one_side"},
        _(
            "Change the shoulder or hand that carries the bag through the day, or use a "
            "backpack that spreads the weight over both shoulders."
        ),
    ),
    _habit(
        "stop_one_leg_standing",
        _("Stand on both legs"),
        {"stands_on_one_leg"},
        _(
            "When standing, keep the feet about hip-width apart with the weight on both, "
            "instead of resting on one leg."
        ),
        {care.LEG_EXERCISE},  # weight on both legs: not for a leg that must not be loaded
        BOTH_AT_ONCE,
    ),
    _habit(
        "stand_up_regularly",
        _("Stand up regularly"),
        {"desk_work", "driving_work"},
        _(
            "Every 30 to 60 minutes of sitting, stand up and walk a few steps or rise onto your "
            "toes a few times, so the calves pump the blood back up the legs."
        ),
        {care.LEG_EXERCISE},
        BOTH_AT_ONCE,
    ),
    _habit(
        "shoe_choice",
        _("Choose supportive shoes"),
        {"heels"},
        _(
            "For everyday walking choose well-fitting shoes with a low, stable heel and a "
            "cushioned sole; keep high heels for short occasions."
        ),
    ),
    _habit(
        "fluids_and_minerals",
        _("Fluids and minerals"),
        {"low_fluids", "heavy_sweating", "night_cramps"},
        _(
            "Drink water little and often through the day (about 1.5 litres, more when you "
            "sweat, unless a doctor has set a limit), and eat foods that bring magnesium, "
            "potassium and calcium, such as leafy greens, beans, bananas, seaweed and dairy."
        ),
    ),
    PlanRule(
        "keep_legs_warm",
        HABIT,
        _("Keep the legs warm"),
        frozenset({"cold_extremities"}),
        detail=_(
            "Keep the knees and calves warm: long socks or leg warmers, a blanket over the lap "
            "in air-conditioned rooms, and a soak in the bath rather than only a shower."
        ),
        tags=frozenset({care.HEAT}),
        placement=BOTH_AT_ONCE,
    ),
)

SUPPORTER_RULES: tuple[PlanRule, ...] = (
    PlanRule(
        "supporter_active_only",
        SUPPORTER,
        _("Knee supporter: only when active"),
        frozenset({"supporter_all_day"}),
        detail=_(
            "Wear the knee supporter only while walking or exercising and take it off at rest. "
            "Worn all day, it leaves the muscles around the knee less to do and slows "
            "circulation. It should be your size: snug, without digging in or leaving marks."
        ),
    ),
    PlanRule(
        "supporter_optional",
        SUPPORTER,
        _("Knee supporter (optional)"),
        frozenset({"knee_pain_moderate"}),
        unless=frozenset({"supporter_all_day"}),
        # a snug sleeve round the knee presses on the back of it (a lump, a swollen leg)
        tags=frozenset({care.KNEE_BACK_PRESSURE}),
        placement=COMPLAINT_SIDE,
        detail=_(
            "If a supporter makes walking easier, you may wear one: only while walking or "
            "exercising, off at rest, and in your size. Worn all day, it weakens the muscles "
            "and slows circulation."
        ),
    ),
)

COMPRESS_RULES: tuple[PlanRule, ...] = (
    PlanRule(
        "cold_compress",
        COMPRESS,
        _("Cold compress, briefly"),
        frozenset({"acute_stage"}),
        dose=Dose(duration_minutes=10),
        tags=frozenset({care.COLD}),
        placement=COMPLAINT_SIDE,
        detail=_(
            "Only in the first 24 to 48 hours of the pain: a cold pack wrapped in a thin cloth "
            "for about 10 minutes at a time. Put it above or below the back of the knee, not in "
            "the hollow itself. Do not keep cooling after that: cold stiffens the muscles."
        ),
    ),
    PlanRule(
        "warm_compress",
        COMPRESS,
        _("Warm compress"),
        frozenset({"chronic_stage"}),
        unless=frozenset({"acute_stage"}),  # never warm and cool the same leg at once
        dose=Dose(duration_minutes=20),
        tags=frozenset({care.HEAT}),
        placement=COMPLAINT_SIDE,
        detail=_(
            "For a long-standing dull or heavy ache: a warm pack for 20 to 30 minutes. Not "
            "straight after a bath, when the skin is sensitive. Put it on the thigh or calf side "
            "of the back of the knee, not in the hollow, and do not leave it on skin that "
            "reddens or itches easily."
        ),
    ),
)

RULE_BY_KEY: dict[tuple[str, str], PlanRule] = {
    (rule.kind, rule.code): rule
    for rule in (*CLINIC_RULES, *HABIT_RULES, *SUPPORTER_RULES, *COMPRESS_RULES)
}


def tags_of(item_code: str, kind: str, library: Mapping[str, LibraryExercise]) -> frozenset:
    """The care tags of an item. An item nobody defined is an error (KeyError), never silently
    "safe"."""
    if kind == EXERCISE:
        return library[item_code].care_tags
    try:
        return RULE_BY_KEY[(kind, item_code)].tags
    except KeyError:
        raise KeyError(f"no plan item {kind}/{item_code}") from None


def placement_of(item_code: str, kind: str, library: Mapping[str, LibraryExercise]) -> str:
    if kind == EXERCISE:
        return EACH_LEG if library[item_code].per_side else BOTH_AT_ONCE
    return RULE_BY_KEY[(kind, item_code)].placement


def default_side(placement: str, complaint_side: str) -> str:
    """Where an item is given when nobody has chosen: each leg, or the complaint's one leg."""
    if placement == EACH_LEG:
        return Side.BOTH
    if placement == COMPLAINT_SIDE:
        return complaint_side if complaint_side in (Side.LEFT, Side.RIGHT) else Side.BOTH
    return Side.NONE


def care_item(
    item_code: str, kind: str, library: Mapping[str, LibraryExercise], side: str
) -> CareItem:
    """The item as the hazard check reads it, given on `side`."""
    placement = placement_of(item_code, kind, library)
    if placement in (BOTH_AT_ONCE, NOT_ON_A_LEG):
        side = Side.NONE
    return CareItem(
        kind=kind,
        code=item_code,
        tags=tags_of(item_code, kind, library),
        side=side,
        splittable=placement in (EACH_LEG, COMPLAINT_SIDE),
    )
