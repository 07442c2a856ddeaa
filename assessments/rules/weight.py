"""Weight borne on each foot, typed as a share of body weight (%) or read off two scales (kg).

The asymmetry threshold for weight bearing is in percentage points, so kg are turned into each
side's share of the total before the left-right difference is taken (`share_percent`). The
plausibility checks catch the typing slips a pair of numbers cannot show by itself: 70 % / 70 %,
or kilograms that do not add up to the body weight recorded beside them.
"""

from decimal import ROUND_HALF_EVEN, Decimal

from .measures import KG, PERCENT

WEIGHT_BEARING = "weight_bearing"  # the measure's code
BODY_WEIGHT = "body_weight_kg"  # stored beside the measures in the measurements section
WEIGHT_BEARING_UNITS = (PERCENT, KG)
# Two scales, or a practitioner's estimate in %, do not add up to exactly 100: allow ±5 points.
PERCENT_TOTAL_MIN, PERCENT_TOTAL_MAX = Decimal("95"), Decimal("105")
# kg on two scales against a body weight from another scale or from the patient: within ±5 %.
BODY_WEIGHT_TOLERANCE = Decimal("0.05")
KG_PER_SIDE_MAX = Decimal("300")
BODY_WEIGHT_MIN, BODY_WEIGHT_MAX = Decimal("10"), Decimal("300")

_TENTH = Decimal("0.1")


def share_percent(left: Decimal, right: Decimal, unit: str) -> tuple[Decimal, Decimal]:
    """Each side's share of the total, in percent, whichever unit was typed.

    % are returned as typed. kg become left / (left + right) * 100, rounded to 0.1; half-even
    rounding keeps the two shares adding up to exactly 100. Nothing on either scale is (0, 0).
    """
    if unit not in WEIGHT_BEARING_UNITS:
        raise ValueError(f"weight bearing is typed in % or kg, not {unit!r}")
    if left < 0 or right < 0:
        raise ValueError("a scale cannot read less than nothing")
    if unit == PERCENT:
        return left, right
    total = left + right
    if total == 0:
        return Decimal(0), Decimal(0)
    return tuple(
        (side * 100 / total).quantize(_TENTH, rounding=ROUND_HALF_EVEN) for side in (left, right)
    )


def percent_total_plausible(left: Decimal, right: Decimal) -> bool:
    """Shares of body weight should make about 100 % (95 to 105, both included)."""
    return PERCENT_TOTAL_MIN <= left + right <= PERCENT_TOTAL_MAX


def kg_total_plausible(left: Decimal, right: Decimal, body_weight: Decimal) -> bool:
    """Both scales together should read the body weight, give or take 5 % (bounds included)."""
    return abs(left + right - body_weight) <= body_weight * BODY_WEIGHT_TOLERANCE
