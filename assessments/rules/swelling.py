"""Swelling of a leg, by any route: reported on the screen, answered in the Wells items, or
measured (calves 3 cm or more apart), and the Wells score that goes with it.

Warmth is read here only beside a swollen leg: warmth behind the knee with no swelling is not a
reason to think of a clot (it belongs to the lump and inflammation rules)."""

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .evidence import NO, YES, Evidence, gather, when
from .facts import LEG_LABELS, SIDE_LABELS, AssessmentFacts, Bilateral, Side
from .wells import SWOLLEN, WELLS_ITEM_BY_CODE, WellsResult, calf_band, wells_score
from .wording import number

CALF = "calf_circumference"


def _calf(facts: AssessmentFacts) -> Bilateral | None:
    calf = facts.measurements.get(CALF)
    return calf if calf is not None and calf.complete else None


def measured_swelling_side(facts: AssessmentFacts) -> str | None:
    """The larger calf's side when the calves differ by the Wells 3 cm or more."""
    calf = _calf(facts)
    if calf is None or calf_band(abs(calf.left - calf.right)) != SWOLLEN:
        return None
    return Side.LEFT if calf.left > calf.right else Side.RIGHT


def swollen_side(facts: AssessmentFacts) -> str | None:
    """Which leg is swollen: the reported side, else the larger calf, else "" (side unknown) when
    the Wells answers say a leg is swollen; None when nothing says so."""
    if facts.red_flags.leg_swelling:
        return facts.red_flags.leg_swelling
    measured = measured_swelling_side(facts)
    if measured is not None:
        return measured
    if facts.wells.entire_leg_swollen or facts.wells.pitting_oedema:
        return Side.NONE
    return None


def wells_for(facts: AssessmentFacts) -> WellsResult | None:
    """The Wells score whenever a leg is swollen by any route; None otherwise."""
    side = swollen_side(facts)
    if side is None:
        return None
    return wells_score(facts.red_flags, facts.wells, facts.measurements.get(CALF), side)


def calf_evidence(facts: AssessmentFacts) -> Evidence | None:
    side = measured_swelling_side(facts)
    if side is None:
        return None
    calf = _calf(facts)
    difference: Decimal = abs(calf.left - calf.right)
    reason = format_lazy(
        _("calf {difference} cm larger on the {side}"),
        difference=number(difference),
        side=SIDE_LABELS[side],
    )
    inputs = {
        f"measurements.{CALF}.left": str(calf.left),
        f"measurements.{CALF}.right": str(calf.right),
        "calf_difference_cm": str(difference),
        "larger_side": side,
    }
    return Evidence((reason,), inputs)


def reported_swelling(facts: AssessmentFacts) -> Evidence | None:
    reported = facts.red_flags.leg_swelling
    return gather(
        when(
            bool(reported),
            format_lazy(_("swelling of the {legs}"), legs=LEG_LABELS.get(reported, reported)),
            {"red_flags.leg_swelling": reported},
        ),
        *(
            when(getattr(facts.wells, item), WELLS_ITEM_BY_CODE[item].label, {f"wells.{item}": YES})
            for item in ("entire_leg_swollen", "pitting_oedema")
        ),
    )


def sudden_or_warm(facts: AssessmentFacts) -> Evidence | None:
    return gather(
        when(
            facts.red_flags.swelling_sudden,
            _("the swelling came on suddenly"),
            {"red_flags.swelling_sudden": YES},
        ),
        when(facts.red_flags.leg_warm, _("the leg feels warm"), {"red_flags.leg_warm": YES}),
        when(facts.palpation.warm, _("warmth behind the knee"), {"palpation.warm": YES}),
    )


def wells_evidence(wells: WellsResult | None) -> Evidence | None:
    if wells is None:
        return None
    template = _("Wells score {score}: DVT likely") if wells.likely else _("Wells score {score}")
    inputs = {"wells.score": str(wells.score), "wells.likely": YES if wells.likely else NO}
    for line in wells.lines:
        if line.present:
            inputs[f"wells.{line.item.code}"] = f"{line.points:+d}"
    return Evidence((format_lazy(template, score=wells.score),), inputs)
