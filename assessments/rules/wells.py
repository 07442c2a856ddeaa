"""Wells criteria for deep-vein thrombosis, two-level rule (score 2 or more: DVT likely).

The calf item is never answered: it is computed from the calf circumferences, and it uses the
fixed Wells 3 cm, not the clinic's editable asymmetry threshold.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .facts import Bilateral, Side, WellsAnswers

SOURCE = _("Wells DVT criteria, two-level rule (Wells et al., Lancet 1997; N Engl J Med 2003)")
CALF_DIFFERENCE_CM = Decimal("3")
LIKELY_FROM = 2
CALF_ITEM = "calf_difference"

SWOLLEN, NOT_SWOLLEN = "swollen", "not_swollen"
LIKELY, UNLIKELY = "likely", "unlikely"


def calf_band(difference: Decimal | None) -> str:
    if difference is not None and difference >= CALF_DIFFERENCE_CM:
        return SWOLLEN
    return NOT_SWOLLEN


def wells_band(score: int) -> str:
    return LIKELY if score >= LIKELY_FROM else UNLIKELY


@dataclass(frozen=True)
class WellsItem:
    code: str
    label: str
    points: int


WELLS_ITEMS: tuple[WellsItem, ...] = (
    WellsItem("active_cancer", _("Active cancer (treated within 6 months, or palliative)"), 1),
    WellsItem("paralysis_or_cast", _("Paralysis, paresis or recent plaster cast of a leg"), 1),
    WellsItem(
        "bedridden_or_surgery", _("Bedridden 3 days or more, or major surgery within 12 weeks"), 1
    ),
    WellsItem("deep_vein_tenderness", _("Tenderness along the deep veins"), 1),
    WellsItem("entire_leg_swollen", _("Entire leg swollen"), 1),
    WellsItem(
        CALF_ITEM,
        _("Calf 3 cm or more larger than the other side (10 cm below the tibial tuberosity)"),
        1,
    ),
    WellsItem("pitting_oedema", _("Pitting oedema, only in the symptomatic leg"), 1),
    WellsItem("collateral_veins", _("Collateral superficial veins (not varicose)"), 1),
    WellsItem("previous_dvt", _("Previously documented DVT"), 1),
    WellsItem("alternative_as_likely", _("Another cause at least as likely as DVT"), -2),
)
WELLS_ITEM_BY_CODE = {item.code: item for item in WELLS_ITEMS}


@dataclass(frozen=True)
class WellsResult:
    score: int
    items: tuple[str, ...]
    calf_difference_cm: Decimal | None
    likely: bool


def calf_difference(calf: Bilateral | None, symptomatic_side: str) -> Decimal | None:
    """The symptomatic calf minus the other one (negative when the other calf is larger).

    With no single symptomatic side ("" or "both") it is the absolute difference.
    None when a side was not measured.
    """
    if calf is None or not calf.complete:
        return None
    if symptomatic_side == Side.LEFT:
        return calf.left - calf.right
    if symptomatic_side == Side.RIGHT:
        return calf.right - calf.left
    return abs(calf.left - calf.right)


def _counts(item: WellsItem, answers: WellsAnswers, difference: Decimal | None) -> bool:
    if item.code == CALF_ITEM:
        return calf_band(difference) == SWOLLEN
    return getattr(answers, item.code)


def wells_score(
    answers: WellsAnswers, calf: Bilateral | None, symptomatic_side: str
) -> WellsResult:
    difference = calf_difference(calf, symptomatic_side)
    items = tuple(item for item in WELLS_ITEMS if _counts(item, answers, difference))
    score = sum(item.points for item in items)
    return WellsResult(
        score=score,
        items=tuple(item.code for item in items),
        calf_difference_cm=difference,
        likely=wells_band(score) == LIKELY,
    )
