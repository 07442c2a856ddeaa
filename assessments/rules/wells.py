"""Wells criteria for deep-vein thrombosis, two-level rule (score 2 or more: DVT likely).

Every item is shown with its points, whether it counted, and where its answer came from: the
history the red-flag screen asks once, the examination beside the score, or the calf
measurements (the calf item is never typed; it uses the fixed Wells 3 cm, not the clinic's
editable asymmetry threshold). The -2 item is listed like the others, so a reader can add the
score up from the page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .facts import Bilateral, Cancer, RedFlagAnswers, Side, WellsAnswers

SOURCE = _("Wells DVT criteria, two-level rule (Wells et al., Lancet 1997; N Engl J Med 2003)")
CALF_DIFFERENCE_CM = Decimal("3")
LIKELY_FROM = 2
CALF_ITEM = "calf_difference"

SWOLLEN, NOT_SWOLLEN = "swollen", "not_swollen"
LIKELY, UNLIKELY = "likely", "unlikely"

# Where an item's answer comes from.
HISTORY, EXAMINATION, MEASURED = "history", "examination", "measured"
ORIGIN_LABELS = {
    HISTORY: _("answered in the history"),
    EXAMINATION: _("found on examination"),
    MEASURED: _("measured"),
}


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
    origin: str


WELLS_ITEMS: tuple[WellsItem, ...] = (
    WellsItem(
        "active_cancer", _("Active cancer (treated within 6 months, or palliative)"), 1, HISTORY
    ),
    WellsItem(
        "paralysis_or_cast", _("Paralysis, paresis or recent plaster cast of a leg"), 1, HISTORY
    ),
    WellsItem(
        "bedridden_or_surgery",
        _("Bedridden 3 days or more, or major surgery within 12 weeks"),
        1,
        HISTORY,
    ),
    WellsItem("deep_vein_tenderness", _("Tenderness along the deep veins"), 1, EXAMINATION),
    WellsItem("entire_leg_swollen", _("Entire leg swollen"), 1, EXAMINATION),
    WellsItem(
        CALF_ITEM,
        _("Calf 3 cm or more larger than the other side (10 cm below the tibial tuberosity)"),
        1,
        MEASURED,
    ),
    WellsItem("pitting_oedema", _("Pitting oedema, only in the symptomatic leg"), 1, EXAMINATION),
    WellsItem("collateral_veins", _("Collateral superficial veins (not varicose)"), 1, EXAMINATION),
    WellsItem("previous_dvt", _("Previously documented DVT"), 1, HISTORY),
    WellsItem(
        "alternative_as_likely", _("Another cause at least as likely as DVT"), -2, EXAMINATION
    ),
)
WELLS_ITEM_BY_CODE = {item.code: item for item in WELLS_ITEMS}

# How each history item reads the one history (the examination items read `WellsAnswers`).
HISTORY_ANSWERS: dict[str, Callable[[RedFlagAnswers], bool]] = {
    "active_cancer": lambda answers: answers.cancer == Cancer.ACTIVE,
    "paralysis_or_cast": lambda answers: answers.paralysis_or_cast,
    "bedridden_or_surgery": lambda answers: answers.bedridden_or_surgery,
    "previous_dvt": lambda answers: answers.previous_dvt,
}


@dataclass(frozen=True)
class WellsLine:
    """One item of the score: its points count only when `present`."""

    item: WellsItem
    present: bool

    @property
    def points(self) -> int:
        return self.item.points if self.present else 0


@dataclass(frozen=True)
class WellsResult:
    score: int
    lines: tuple[WellsLine, ...]
    calf_difference_cm: Decimal | None
    likely: bool

    @property
    def items(self) -> tuple[str, ...]:
        """The codes of the items that counted."""
        return tuple(line.item.code for line in self.lines if line.present)

    def as_dict(self) -> dict[str, object]:
        """Codes and numbers only: labels are read from `WELLS_ITEMS` in the reader's language."""
        return {
            "score": self.score,
            "likely": self.likely,
            "items": list(self.items),
            "calf_difference_cm": None
            if self.calf_difference_cm is None
            else str(self.calf_difference_cm),
            "lines": [
                {"code": line.item.code, "present": line.present, "points": line.points}
                for line in self.lines
            ],
        }


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


def _present(item: WellsItem, history, examination, difference) -> bool:
    if item.code == CALF_ITEM:
        return calf_band(difference) == SWOLLEN
    if item.origin == HISTORY:
        return HISTORY_ANSWERS[item.code](history)
    return getattr(examination, item.code)


def wells_score(
    history: RedFlagAnswers,
    examination: WellsAnswers,
    calf: Bilateral | None,
    symptomatic_side: str,
) -> WellsResult:
    difference = calf_difference(calf, symptomatic_side)
    lines = tuple(
        WellsLine(item, _present(item, history, examination, difference)) for item in WELLS_ITEMS
    )
    score = sum(line.points for line in lines)
    return WellsResult(
        score=score,
        lines=lines,
        calf_difference_cm=difference,
        likely=wells_band(score) == LIKELY,
    )
