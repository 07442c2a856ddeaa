"""What kind of care an item is: the tags a hazard's table blocks.

Every plan item (a library exercise, in-clinic work, a habit, a compress) carries care tags from
this fixed vocabulary, and a side: where on the body it is given. A hazard blocks tags on a side
(`hazards.HAZARD_RULES`); `verdicts.check` compares the two. The tags say what the care does,
not what it is called, so a clinic's own exercise is judged by the same table as the shipped ones.
"""

from django.utils.translation import gettext_lazy as _

MASSAGE = "massage"
KNEE_BACK_PRESSURE = "knee_back_pressure"
DEEP_WORK = "deep_work"
MOBILISATION = "mobilisation"
STRETCH = "stretch"
NERVE_STRETCH = "nerve_stretch"
KNEE_BACK_STRETCH = "knee_back_stretch"
LEG_EXERCISE = "leg_exercise"
HEAT = "heat"
COLD = "cold"

CARE_TAG_LABELS = {
    MASSAGE: _("Massage: rubbing, stroking or kneading the leg"),
    KNEE_BACK_PRESSURE: _("Presses into the back of the knee"),
    DEEP_WORK: _("Deep tissue work on the leg"),
    MOBILISATION: _("Moves the leg's joints by hand (pelvis, hip, ankle)"),
    STRETCH: _("Stretches the leg muscles"),
    NERVE_STRETCH: _("Tensions the nerve along the back of the leg (straight-leg positions)"),
    KNEE_BACK_STRETCH: _("Stretches across the back of the knee"),
    LEG_EXERCISE: _("Active exercise that moves or loads the leg"),
    HEAT: _("Warms the leg"),
    COLD: _("Cools the leg"),
}
CARE_TAGS = tuple(CARE_TAG_LABELS)

# Groups of tags that share one wording: what the patient is told is on hold.
HANDS_ON, STRETCHING, EXERCISING, WARMING, COOLING = (
    "hands_on",
    "stretching",
    "exercising",
    "warming",
    "cooling",
)
GROUP_OF_TAG = {
    MASSAGE: HANDS_ON,
    KNEE_BACK_PRESSURE: HANDS_ON,
    DEEP_WORK: HANDS_ON,
    MOBILISATION: HANDS_ON,
    STRETCH: STRETCHING,
    NERVE_STRETCH: STRETCHING,
    KNEE_BACK_STRETCH: STRETCHING,
    LEG_EXERCISE: EXERCISING,
    HEAT: WARMING,
    COLD: COOLING,
}


def known_tags(values, what: str) -> frozenset[str]:
    """The values as a frozenset of care tags; an unknown tag is an error (a typo in a clinic's
    exercise must fail loudly, never silently make it "safe")."""
    tags = frozenset(values)
    unknown = sorted(tags - set(CARE_TAGS))
    if unknown:
        raise ValueError(f"{what}: unknown care tags {', '.join(unknown)}")
    return tags
