"""The plan's rule tables: in-clinic work, habits, the knee supporter and compresses.

Each rule is a small named entry: what it proposes, which findings trigger it (any one of them),
which findings suppress it, and which contraindications rule it out. Home exercises are not here:
they come from the clinic's library (`library.LibraryExercise`), which carries its own targets and
contraindications. `violations` answers "does this item break anything in force?" for both.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .contraindications import in_table_order
from .library import Dose, LibraryExercise

CLINIC, EXERCISE, HABIT = "clinic", "exercise", "habit"
SUPPORTER, COMPRESS = "supporter", "compress"
KIND_LABELS = {
    CLINIC: _("In-clinic work"),
    EXERCISE: _("Home exercise"),
    HABIT: _("Daily habit"),
    SUPPORTER: _("Knee supporter"),
    COMPRESS: _("Compress"),
}

# Hands-on work that presses, stretches or moves the leg waits while a clot is suspected, the leg
# is hot and swollen, or a doctor has yet to see a red flag.
LEG_WORK = frozenset({"suspected_dvt", "acute_hot_swelling", "awaiting_clearance"})
HEAT = frozenset({"acute_inflammation", "acute_hot_swelling", "suspected_dvt"})


@dataclass(frozen=True)
class PlanRule:
    code: str
    kind: str
    label: str
    triggers: frozenset[str]
    detail: str = ""
    dose: Dose | None = None
    unless: frozenset[str] = frozenset()
    contraindications: frozenset[str] = frozenset()


def _clinic(code, label, triggers, contraindications=LEG_WORK) -> PlanRule:
    return PlanRule(code, CLINIC, label, frozenset(triggers), contraindications=contraindications)


CLINIC_RULES: tuple[PlanRule, ...] = (
    _clinic(
        "pelvic_alignment",
        _("Pelvic alignment"),
        {"pelvic_obliquity", "pelvic_rotation", "posture_lordosis"},
    ),
    _clinic("hip_mobilisation", _("Hip mobilisation"), {"stiff_hip"}),
    _clinic("ankle_mobilisation", _("Ankle mobilisation"), {"stiff_ankle"}),
    _clinic(
        "hamstring_release",
        _("Hamstring and fascia release"),
        {"tight_hamstring", "knee_back_pain"},
    ),
    _clinic("calf_release", _("Calf release"), {"calf_tension"}),
    # Teaching how to stand and walk presses on nothing: it needs no clearance.
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
        contraindications=frozenset(),
    ),
)
PLAN_RULES = CLINIC_RULES


def _habit(code, label, triggers, detail) -> PlanRule:
    return PlanRule(code, HABIT, label, frozenset(triggers), detail=detail)


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
    ),
    _habit(
        "stand_up_regularly",
        _("Stand up regularly"),
        {"desk_work", "driving_work"},
        _(
            "Every 30 to 60 minutes of sitting, stand up and walk a few steps or rise onto your "
            "toes a few times, so the calves pump the blood back up the legs."
        ),
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
    _habit(
        "keep_legs_warm",
        _("Keep the legs warm"),
        {"cold_extremities"},
        _(
            "Keep the knees and calves warm: long socks or leg warmers, a blanket over the lap "
            "in air-conditioned rooms, and a soak in the bath rather than only a shower."
        ),
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
        # A warm, swollen leg is for the doctor to see first, not to be treated at home.
        contraindications=frozenset({"suspected_dvt"}),
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
        dose=Dose(duration_minutes=20),
        contraindications=HEAT,
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


def ruled_out_by(item_code: str, kind: str, library: Mapping[str, LibraryExercise]) -> frozenset:
    """The contraindications that rule an item out, whether or not they are in force.

    An item nobody defined is an error (KeyError), never silently "safe".
    """
    if kind == EXERCISE:
        return library[item_code].contraindications
    try:
        return RULE_BY_KEY[(kind, item_code)].contraindications
    except KeyError:
        raise KeyError(f"no plan item {kind}/{item_code}") from None


def violations(
    item_code: str,
    kind: str,
    library: Mapping[str, LibraryExercise],
    in_force: Mapping[str, str],
) -> list[str]:
    """The contraindication codes in force that this item breaks, most serious first.

    The plan editor calls it for an item a practitioner adds by hand: a non-empty answer means
    the item needs an override reason.
    """
    return in_table_order(ruled_out_by(item_code, kind, library) & set(in_force))
