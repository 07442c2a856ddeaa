"""What the clinical rules read: one assessment as plain frozen dataclasses.

A thin service turns model rows into these; nothing here touches the database, so the rules are
tested without one. Every field has a default, so a caller (or a test) names only what it knows.
Measurements are keyed by the measure codes in `measures.MEASURES`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class Side:
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"
    NONE = ""


SIDE_LABELS = {Side.LEFT: _("left"), Side.RIGHT: _("right"), Side.BOTH: _("both")}
LEG_LABELS = {Side.LEFT: _("left leg"), Side.RIGHT: _("right leg"), Side.BOTH: _("both legs")}


class Quality:
    THROBBING = "throbbing"
    CRAMPING = "cramping"
    DULL = "dull"
    HEAVY = "heavy"
    PULLING = "pulling"
    NUMBNESS = "numbness"
    LUMP = "lump"


# The one definition of the qualities: the complaint form's choices and the explanations' labels.
QUALITIES = (
    (Quality.THROBBING, _("Throbbing")),
    (Quality.CRAMPING, _("Cramping")),
    (Quality.DULL, _("Dull ache")),
    (Quality.HEAVY, _("Heavy")),
    (Quality.PULLING, _("Pulling")),
    (Quality.NUMBNESS, _("Numbness")),
    (Quality.LUMP, _("Feels like a lump")),
)
QUALITY_LABELS = dict(QUALITIES)


class Provoker:
    WALKING = "walking"
    STAIRS = "stairs"
    STANDING_UP = "standing_up"
    NIGHT = "night"
    AFTER_SPORT = "after_sport"
    COLD = "cold"


# The one definition of what makes it worse: the complaint form's choices and the labels.
PROVOKERS = (
    (Provoker.WALKING, _("Walking")),
    (Provoker.STAIRS, _("Stairs")),
    (Provoker.STANDING_UP, _("Standing up after sitting")),
    (Provoker.NIGHT, _("At night")),
    (Provoker.AFTER_SPORT, _("After sport")),
    (Provoker.COLD, _("Cold")),
)
PROVOKER_LABELS = dict(PROVOKERS)


@dataclass(frozen=True)
class Bilateral:
    left: Decimal | None = None
    right: Decimal | None = None

    @property
    def complete(self) -> bool:
        return self.left is not None and self.right is not None


@dataclass(frozen=True)
class Complaint:
    region: str = ""
    side: str = Side.NONE
    qualities: frozenset[str] = frozenset()
    pain: int | None = None
    onset: date | None = None
    provokers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Palpation:
    """Back-of-knee palpation."""

    mass: bool = False
    size_cm: Decimal | None = None
    hard: bool = False
    warm: bool = False
    red: bool = False
    tender: bool = False
    pulsating: bool = False
    growing: bool = False
    side: str = Side.NONE


class Cancer:
    """The one cancer question: the Wells item counts only ACTIVE (treated within 6 months, or
    palliative); PAST is still a risk factor the screen names beside a swollen leg."""

    NONE = ""
    PAST = "past"
    ACTIVE = "active"
    # An answer kept from the earlier form, which asked only "history of cancer": a risk factor,
    # no Wells point, to be asked again at the next assessment.
    UNKNOWN = "unknown"


CANCER_CHOICES = [
    (Cancer.NONE, _("No")),
    (Cancer.PAST, _("In the past (treatment ended more than 6 months ago)")),
    (Cancer.ACTIVE, _("Active: treated within the last 6 months, or palliative care")),
    (Cancer.UNKNOWN, _("History of cancer, not recorded whether active (earlier form): ask again")),
]


@dataclass(frozen=True)
class RedFlagAnswers:
    """The red-flag screen, history included. Each history question is asked once: the Wells
    score reads the same answers (`cancer`, `paralysis_or_cast`, `bedridden_or_surgery`,
    `previous_dvt`) as the general screen."""

    leg_swelling: str = Side.NONE
    swelling_sudden: bool = False
    leg_warm: bool = False
    stairs_or_walking_harder: bool = False
    night_pain: bool = False
    numbness: bool = False
    fever: bool = False
    trauma_cannot_bear_weight: bool = False
    pain_not_improving: bool = False
    cancer: str = Cancer.NONE
    paralysis_or_cast: bool = False
    bedridden_or_surgery: bool = False
    previous_dvt: bool = False


@dataclass(frozen=True)
class WellsAnswers:
    """The Wells items found on examination, asked only beside the score. The history items come
    from `RedFlagAnswers`; the calf item is computed from the measurements."""

    deep_vein_tenderness: bool = False
    entire_leg_swollen: bool = False
    pitting_oedema: bool = False
    collateral_veins: bool = False
    alternative_as_likely: bool = False


@dataclass(frozen=True)
class PreviousVisit:
    """The patient's previous signed assessment, as the trend rules read it."""

    on: date
    pain: int | None = None


@dataclass(frozen=True)
class AssessmentFacts:
    complaint: Complaint = field(default_factory=Complaint)
    palpation: Palpation = field(default_factory=Palpation)
    red_flags: RedFlagAnswers = field(default_factory=RedFlagAnswers)
    wells: WellsAnswers = field(default_factory=WellsAnswers)
    measurements: Mapping[str, Bilateral] = field(default_factory=dict)
    previous: PreviousVisit | None = None
