"""Left-right differences of the bilateral measurements, and which side the picture points at."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .facts import Bilateral, Side
from .measures import HIGHER, MEASURES, Measure

NONE, FLAGGED = "none", "flagged"


@dataclass(frozen=True)
class Asymmetry:
    """One measure's left-right difference.

    `worse_side` is named whenever the sides differ, flagged or not (so a reassessment can show
    a difference shrinking below the threshold); the body picture draws `marker` only when
    `flagged`.
    """

    code: str
    left: Decimal
    right: Decimal
    difference: Decimal
    threshold: Decimal
    flagged: bool
    worse_side: str
    marker: str
    label: str
    unit: str = ""


def band(difference: Decimal, threshold: Decimal) -> str:
    """From the threshold up a difference is flagged; no difference is never flagged."""
    if difference > 0 and difference >= threshold:
        return FLAGGED
    return NONE


def worse_side(measure: Measure, left: Decimal, right: Decimal) -> str:
    if left == right:
        return Side.NONE
    higher = Side.LEFT if left > right else Side.RIGHT
    if measure.worse == HIGHER:
        return higher
    return Side.RIGHT if higher == Side.LEFT else Side.LEFT


def compute_asymmetries(
    measurements: Mapping[str, Bilateral], thresholds: Mapping[str, Decimal] | None = None
) -> list[Asymmetry]:
    """Every measure with both sides recorded, in `MEASURES` order.

    `thresholds` is a clinic's override map (measure code -> difference); codes it does not name
    keep the measure's default, and codes no measure has are ignored, so a stale clinic setting
    can never break a screening.
    """
    overrides = thresholds or {}
    found = []
    for measure in MEASURES:
        pair = measurements.get(measure.code)
        if pair is None or not pair.complete:
            continue
        threshold = overrides.get(measure.code, measure.default_threshold)
        difference = abs(pair.left - pair.right)
        found.append(
            Asymmetry(
                code=measure.code,
                left=pair.left,
                right=pair.right,
                difference=difference,
                threshold=threshold,
                flagged=band(difference, threshold) == FLAGGED,
                worse_side=worse_side(measure, pair.left, pair.right),
                marker=measure.marker,
                label=measure.label,
                unit=measure.unit,
            )
        )
    return found
