"""The signs each hazard reads: (facts, screening, today) in, (side, evidence) or None out.

Sides are LEFT, RIGHT or BOTH (both legs, or no known side: the cautious reading). Used by the
table in `hazard_rules`.
"""

from collections.abc import Callable
from datetime import date

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .evidence import YES, Evidence, gather, when
from .facts import AssessmentFacts, Side
from .redflags import Screening, improving_persistent_pain
from .stage import ACUTE, days_since_onset, stage
from .swelling import measured_swelling_side, reported_swelling, sudden_or_warm, swollen_side

Evaluate = Callable[[AssessmentFacts, Screening, date], "tuple[str, Evidence] | None"]


def one_side(*sides: str) -> str:
    """The one leg the sides name (left or right); BOTH when they name both, "both" or none."""
    named = {side for side in sides if side in (Side.LEFT, Side.RIGHT, Side.BOTH)}
    if len(named) == 1 and Side.BOTH not in named:
        return named.pop()
    return Side.BOTH


def raised_flag(screening: Screening, code: str) -> Evidence | None:
    """The red flag of that code, if the screen raised it, as evidence quoting it."""
    found = next((flag for flag in screening.flags if flag.code == code), None)
    if found is None:
        return None
    reason = format_lazy(_("red flag “{flag}”: {reason}"), flag=found.label, reason=found.reason)
    return Evidence((reason,), dict(found.inputs))


def swelling_side(facts: AssessmentFacts) -> str:
    """The swollen leg; both when the leg reported and the larger calf measured disagree (a
    clot may be in either), or when no side is known."""
    return one_side(swollen_side(facts) or Side.NONE, measured_swelling_side(facts) or Side.NONE)


def suspected_dvt(facts, screening, today):
    evidence = raised_flag(screening, "suspected_dvt")
    return None if evidence is None else (swelling_side(facts), evidence)


def warmth_of_swollen_leg(facts: AssessmentFacts) -> Evidence | None:
    return gather(
        when(facts.red_flags.leg_warm, _("the leg feels warm"), {"red_flags.leg_warm": YES}),
        when(facts.palpation.warm, _("warmth behind the knee"), {"palpation.warm": YES}),
    )


def hot_swollen_leg(facts, screening, today):
    if swollen_side(facts) is None:
        return None
    swelling = reported_swelling(facts) or raised_flag(screening, "calf_asymmetry")
    warmth = warmth_of_swollen_leg(facts)
    if swelling is None or warmth is None:
        return None
    return swelling_side(facts), gather(swelling, warmth)


def leg_swelling(facts, screening, today):
    if swollen_side(facts) is None:
        return None
    swelling = gather(reported_swelling(facts), raised_flag(screening, "calf_asymmetry"))
    if swelling is None:
        return None
    return swelling_side(facts), gather(swelling, sudden_or_warm(facts))


def palpation_side(facts: AssessmentFacts) -> str:
    return one_side(facts.palpation.side)


def complaint_side(facts: AssessmentFacts) -> str:
    return one_side(facts.complaint.side)


def pulsating_mass(facts, screening, today):
    if not facts.palpation.pulsating:
        return None
    evidence = Evidence((_("pulsation felt behind the knee"),), {"palpation.pulsating": YES})
    return palpation_side(facts), evidence


def injury(facts, screening, today):
    # The screen does not ask which leg was injured: both, the cautious reading.
    evidence = raised_flag(screening, "trauma_cannot_bear_weight")
    return None if evidence is None else (Side.BOTH, evidence)


def lump(facts, screening, today):
    palpation = facts.palpation
    if palpation.pulsating or not (palpation.mass or palpation.hard or palpation.growing):
        return None
    evidence = gather(
        when(palpation.mass, _("lump felt behind the knee"), {"palpation.mass": YES}),
        when(palpation.hard, _("the lump is hard"), {"palpation.hard": YES}),
        when(palpation.growing, _("the lump is growing"), {"palpation.growing": YES}),
    )
    return palpation_side(facts), evidence


def sided_flag(code: str) -> Evaluate:
    def evaluate(facts, screening, today):
        evidence = raised_flag(screening, code)
        return None if evidence is None else (complaint_side(facts), evidence)

    return evaluate


def acute_inflammation(facts, screening, today):
    """From its signs, never from the date alone: warmth or redness at any time; a swelling or an
    injury only within the first two days after the onset."""
    palpation, answers = facts.palpation, facts.red_flags
    days = days_since_onset(facts, today)
    fresh = days is not None and stage(days) == ACUTE
    felt = gather(
        when(palpation.warm, _("warmth behind the knee"), {"palpation.warm": YES}),
        when(palpation.red, _("redness behind the knee"), {"palpation.red": YES}),
    )
    leg = gather(
        when(answers.leg_warm, _("the leg feels warm"), {"red_flags.leg_warm": YES}),
        when(fresh and swollen_side(facts) is not None, _("a fresh swelling"), {}),
        when(
            fresh and answers.trauma_cannot_bear_weight,
            _("a fresh injury"),
            {"red_flags.trauma_cannot_bear_weight": YES},
        ),
    )
    if felt is None and leg is None:
        return None
    sides = []
    if felt is not None:
        # palpation names a side only with a lump: otherwise it is the complaint's knee
        sides.append(palpation.side or facts.complaint.side or Side.BOTH)
    if leg is not None:
        sides.append(swollen_side(facts) or facts.complaint.side or Side.BOTH)
    evidence = gather(felt, leg)
    if fresh:
        onset = facts.complaint.onset
        evidence = gather(
            evidence,
            Evidence(
                (format_lazy(_("pain since {onset}"), onset=onset),),
                {"complaint.onset": onset.isoformat(), "today": today.isoformat()},
            ),
        )
    return one_side(*sides), evidence


def fever(facts, screening, today):
    evidence = when(facts.red_flags.fever, _("fever"), {"red_flags.fever": YES})
    return None if evidence is None else (Side.BOTH, evidence)


def improving(facts, screening, today):
    evidence = improving_persistent_pain(facts, today)
    return None if evidence is None else (complaint_side(facts), evidence)
