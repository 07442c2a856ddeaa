"""The bilateral measurements: what is measured, in what unit, and from which side difference on
it counts as an asymmetry.

Each side is recorded separately and the difference is computed, never typed. `minimum` and
`maximum` bound ONE side's value (forms use them to reject typing slips such as a difference typed
into a side); `default_threshold` is the left-right difference from which the asymmetry is flagged,
with the reason for that number in `source`. A clinic may override thresholds; the red-flag screen
never reads those overrides (see `redflags`).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

CM, DEG, PERCENT, KG = "cm", "deg", "%", "kg"
UNITS = (CM, DEG, PERCENT, KG)

# Which value marks the side the body picture points at.
HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    minimum: Decimal
    maximum: Decimal
    default_threshold: Decimal
    source: str
    marker: str
    worse: str = HIGHER
    how: str = ""

    @property
    def unit_label(self) -> str:
        """The unit as printed: degrees as °, the others as they are."""
        return "°" if self.unit == DEG else self.unit

    def plausible(self, value: Decimal) -> bool:
        return self.minimum <= value <= self.maximum


def _d(value: str) -> Decimal:
    return Decimal(value)


def as_text(value: Decimal) -> str:
    """A measured value as it is stored in a section and shown: "41", "37.5", "10" (never "1E+1",
    and a whole number without its ".0", as the measurements were always written)."""
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


MEASURES: tuple[Measure, ...] = (
    Measure(
        code="shoulder_height",
        label=_("Shoulder height"),
        unit=CM,
        minimum=_d("50"),
        maximum=_d("200"),
        default_threshold=_d("1"),
        source=_(
            "Clinic default, based on clinical convention: about the smallest height difference "
            "that eye and tape show reliably; adjust per clinic"
        ),
        marker=_("high shoulder"),
        worse=HIGHER,
        how=_("Floor to the top of the shoulder (acromion), standing barefoot"),
    ),
    Measure(
        code="iliac_crest_height",
        label=_("Iliac-crest height"),
        unit=CM,
        minimum=_d("40"),
        maximum=_d("150"),
        default_threshold=_d("1"),
        source=_(
            "Clinic default, based on clinical convention: about the smallest height difference "
            "that eye and tape show reliably; adjust per clinic"
        ),
        marker=_("high iliac crest"),
        worse=HIGHER,
        how=_("Floor to the top of the iliac crest, standing barefoot"),
    ),
    Measure(
        code="leg_length",
        label=_("Leg length"),
        unit=CM,
        minimum=_d("40"),
        maximum=_d("130"),
        default_threshold=_d("1"),
        source=_(
            "Clinic default, based on clinical convention for a noticeable leg-length difference "
            "measured with a tape; adjust per clinic"
        ),
        marker=_("shorter leg"),
        worse=LOWER,
        how=_("Front of the hip bone (ASIS) to the inner ankle bone, lying on the back"),
    ),
    Measure(
        code="slr",
        label=_("Hamstring flexibility (straight-leg raise)"),
        unit=DEG,
        minimum=_d("0"),
        maximum=_d("120"),
        default_threshold=_d("10"),
        source=_(
            "Clinic default, based on clinical convention: a 10° side difference is clearly "
            "beyond goniometer reading error; adjust per clinic"
        ),
        marker=_("tighter hamstring"),
        worse=LOWER,
        how=_("Lying on the back, knee straight: angle of the raised leg at first firm resistance"),
    ),
    Measure(
        code="knee_extension",
        label=_("Knee extension"),
        unit=DEG,
        minimum=_d("-60"),
        maximum=_d("30"),
        default_threshold=_d("5"),
        source=_(
            "Clinic default, based on clinical convention: about the goniometer's reading error "
            "at the knee; adjust per clinic"
        ),
        marker=_("stiffer knee"),
        worse=LOWER,
        how=_("0° = fully straight, minus = cannot straighten fully, plus = hyperextension"),
    ),
    Measure(
        code="hip_internal_rotation",
        label=_("Hip internal rotation"),
        unit=DEG,
        minimum=_d("0"),
        maximum=_d("90"),
        default_threshold=_d("10"),
        source=_(
            "Clinic default, based on clinical convention: a 10° side difference is clearly "
            "beyond goniometer reading error; adjust per clinic"
        ),
        marker=_("stiffer hip"),
        worse=LOWER,
        how=_("Lying face down, knee bent to 90°"),
    ),
    Measure(
        code="hip_external_rotation",
        label=_("Hip external rotation"),
        unit=DEG,
        minimum=_d("0"),
        maximum=_d("90"),
        default_threshold=_d("10"),
        source=_(
            "Clinic default, based on clinical convention: a 10° side difference is clearly "
            "beyond goniometer reading error; adjust per clinic"
        ),
        marker=_("stiffer hip"),
        worse=LOWER,
        how=_("Lying face down, knee bent to 90°"),
    ),
    Measure(
        code="knee_to_wall",
        label=_("Ankle dorsiflexion (knee-to-wall)"),
        unit=CM,
        minimum=_d("0"),
        maximum=_d("25"),
        default_threshold=_d("2"),
        source=_(
            "Clinic default, based on clinical convention: a 2 cm side difference is clearly "
            "beyond the lunge test's repeat error; adjust per clinic"
        ),
        marker=_("stiffer ankle"),
        worse=LOWER,
        how=_(
            "Lunge facing a wall, heel down: greatest toe-to-wall distance at which the knee "
            "still touches the wall"
        ),
    ),
    Measure(
        code="calf_circumference",
        label=_("Calf circumference"),
        unit=CM,
        minimum=_d("15"),
        maximum=_d("70"),
        default_threshold=_d("3"),
        source=_("Wells DVT criteria (Wells et al., Lancet 1997)"),
        marker=_("larger calf"),
        worse=HIGHER,
        how=_("10 cm below the tibial tuberosity, the same landmark on both sides"),
    ),
    Measure(
        code="weight_bearing",
        label=_("Weight on each foot"),
        unit=PERCENT,
        minimum=_d("0"),
        maximum=_d("100"),
        default_threshold=_d("10"),
        source=_(
            "Clinic default, based on clinical convention: a split of 55/45 or more; "
            "adjust per clinic"
        ),
        marker=_("more weight"),
        worse=HIGHER,
        how=_("Standing on two scales: share of body weight on each foot (percentage points)"),
    ),
)

MEASURE_BY_CODE: dict[str, Measure] = {measure.code: measure for measure in MEASURES}
