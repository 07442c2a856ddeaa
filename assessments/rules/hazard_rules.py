"""The hazard table: one entry per hazard, with its severity, what it blocks, its sources,
what clears it, and the staff and patient sentences per group of care it holds.

See `hazards` for what the entries mean and how they are applied.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import care
from . import hazard_signs as signs
from .evidence import Evidence
from .facts import AssessmentFacts, Side
from .redflags import GUIDANCE, Screening
from .trend import SOURCE as TREND_SOURCE

ABSOLUTE, RELATIVE, PRECAUTION = "absolute", "relative", "precaution"
SEVERITY_ORDER = (ABSOLUTE, RELATIVE, PRECAUTION)
SEVERITY_LABELS = {
    ABSOLUTE: _("Absolute: never given; only a doctor's clearance lifts it"),
    RELATIVE: _("Relative: given only with a written reason"),
    PRECAUTION: _("Precaution: nothing withheld; a caution is printed"),
}
SEVERITY_SHORT = {ABSOLUTE: _("absolute"), RELATIVE: _("relative"), PRECAUTION: _("precaution")}

HIKAGAMI = _("Hikagami safety table: what manual therapy withholds, and on which side")
HAZARD_LEG_WORDS = {
    Side.LEFT: pgettext_lazy("patient", "left leg"),
    Side.RIGHT: pgettext_lazy("patient", "right leg"),
    Side.BOTH: pgettext_lazy("patient", "legs"),
}
VASCULAR_FLAGS = frozenset(
    {
        "suspected_dvt",
        "calf_asymmetry",
        "leg_swelling",
        "risk_factor_cancer",
        "risk_factor_surgery_or_immobilisation",
        "risk_factor_previous_dvt",
    }
)

Evaluate = Callable[[AssessmentFacts, Screening, date], "tuple[str, Evidence] | None"]


@dataclass(frozen=True)
class Wording:
    """What the practitioner and the patient read about one group of held care."""

    staff: str
    patient: str


@dataclass(frozen=True)
class HazardRule:
    code: str
    label: str
    severity: str
    blocks: tuple[str, ...]
    explanation: str
    source: str
    evaluate: Evaluate
    why: Mapping[str, Wording] = field(default_factory=dict)
    # PRECAUTION only: what the patient is told (go now if ...), and the staff caution.
    caution: Wording | None = None
    # The red flags whose referral, once a doctor has cleared the patient, may lift this hazard;
    # None: the clearance of any referral of the assessment may (relative hazards only).
    cleared_by: frozenset[str] | None = None

    def __post_init__(self):
        if self.severity == ABSOLUTE and not self.cleared_by:
            raise ValueError(f"{self.code}: an absolute hazard names the flags that clear it")

    def lifted_by(self, flag_codes) -> bool:
        """May a doctor's clearance on a referral for these flags lift this hazard?"""
        if self.severity == PRECAUTION:
            return False
        return self.cleared_by is None or bool(self.cleared_by & set(flag_codes))

    def blocked_tag(self, tags: Iterable[str]) -> str | None:
        """The first of this hazard's blocked tags among `tags` (the wording key), or None."""
        present = set(tags)
        return next((tag for tag in self.blocks if tag in present), None)


EVERYTHING_ON_THE_LEG = (
    care.MASSAGE,
    care.KNEE_BACK_PRESSURE,
    care.DEEP_WORK,
    care.MOBILISATION,
    care.STRETCH,
    care.NERVE_STRETCH,
    care.KNEE_BACK_STRETCH,
    care.LEG_EXERCISE,
    care.HEAT,
    care.COLD,
)

LUMP_FLAGS = frozenset({"popliteal_mass_hard_or_growing", "pulsating_mass"})


HAZARD_RULES: tuple[HazardRule, ...] = (
    HazardRule(
        code="suspected_dvt",
        label=_("Suspected deep-vein thrombosis"),
        severity=ABSOLUTE,
        blocks=EVERYTHING_ON_THE_LEG,
        explanation=_(
            "Nothing is done to that leg (massage, pressure, deep work, stretching, exercise, "
            "heat or cold) until a doctor has excluded a clot."
        ),
        source=_(
            "Wells DVT criteria, two-level rule (Wells et al., Lancet 1997; N Engl J Med 2003)"
        ),
        evaluate=signs.suspected_dvt,
        cleared_by=VASCULAR_FLAGS,
        why={
            care.HANDS_ON: Wording(
                _("Massage, pressure or deep work on a leg with a suspected clot could move it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling, please do not rub, press or "
                    "massage your {leg}.",
                ),
            ),
            care.STRETCHING: Wording(
                _("Stretching a leg with a suspected clot waits for the doctor."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling, please do not stretch your {leg}.",
                ),
            ),
            care.EXERCISING: Wording(
                _("Exercise that loads a leg with a suspected clot waits for the doctor."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling, please rest your {leg} from this "
                    "exercise.",
                ),
            ),
            care.WARMING: Wording(
                _("No heat on a leg with a suspected clot."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling, please do not warm your {leg} "
                    "(warm packs, long hot baths).",
                ),
            ),
            care.COOLING: Wording(
                _("No cold packs at home: the doctor sees the leg as it is."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling, please do not cool your {leg} "
                    "with packs.",
                ),
            ),
        },
    ),
    HazardRule(
        code="injury_cannot_bear_weight",
        label=_("Injury, unable to bear weight"),
        severity=ABSOLUTE,
        blocks=(
            care.MASSAGE,
            care.KNEE_BACK_PRESSURE,
            care.DEEP_WORK,
            care.MOBILISATION,
            care.STRETCH,
            care.NERVE_STRETCH,
            care.KNEE_BACK_STRETCH,
            care.LEG_EXERCISE,
            care.HEAT,
        ),
        explanation=_(
            "After an injury the patient cannot stand on, nothing loads, stretches, works or "
            "warms the legs until a doctor has examined them (the screen does not ask which leg)."
        ),
        source=_("Ottawa knee rule: unable to bear weight after an injury (Stiell et al.)"),
        evaluate=signs.injury,
        cleared_by=frozenset({"trauma_cannot_bear_weight"}),
        why={
            care.HANDS_ON: Wording(
                _("No hands-on work on an injured leg before a doctor has examined it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined the injury, please do not massage or press "
                    "your {leg}.",
                ),
            ),
            care.STRETCHING: Wording(
                _("No stretching of an injured leg before a doctor has examined it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined the injury, please do not stretch your {leg}.",
                ),
            ),
            care.EXERCISING: Wording(
                _("No exercise loading an injured leg before a doctor has examined it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined the injury, please rest your {leg} from this.",
                ),
            ),
            care.WARMING: Wording(
                _("No heat on a fresh injury."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined the injury, please do not warm your {leg}.",
                ),
            ),
        },
    ),
    HazardRule(
        code="pulsating_mass",
        label=_("Pulsating lump behind the knee"),
        severity=ABSOLUTE,
        blocks=(care.KNEE_BACK_PRESSURE, care.MASSAGE, care.DEEP_WORK, care.KNEE_BACK_STRETCH),
        explanation=_(
            "Nothing presses, rubs, works or stretches the back of that knee until a doctor has "
            "examined the lump."
        ),
        source=_("Standard red-flag screening: a pulsating lump behind the knee"),
        evaluate=signs.pulsating_mass,
        cleared_by=frozenset({"pulsating_mass"}),
        why={
            care.HANDS_ON: Wording(
                _("Pressure or massage over a pulsating lump is never given."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined the lump, please do not press, rub or massage "
                    "the back of the knee of your {leg}.",
                ),
            ),
            care.STRETCHING: Wording(
                _("Stretches that pull across a pulsating lump are never given."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined the lump, please avoid stretches that pull on "
                    "the back of the knee of your {leg}.",
                ),
            ),
        },
    ),
    HazardRule(
        code="hot_swollen_leg",
        label=_("Hot, swollen leg"),
        severity=ABSOLUTE,
        blocks=(
            care.MASSAGE,
            care.KNEE_BACK_PRESSURE,
            care.DEEP_WORK,
            care.MOBILISATION,
            care.STRETCH,
            care.NERVE_STRETCH,
            care.KNEE_BACK_STRETCH,
            care.HEAT,
        ),
        explanation=_(
            "A leg that is both swollen and warm gets no massage, deep work or mobilisation, no "
            "strong stretching and no heat until a doctor has seen it."
        ),
        source=GUIDANCE,
        evaluate=signs.hot_swollen_leg,
        cleared_by=VASCULAR_FLAGS,
        why={
            care.HANDS_ON: Wording(
                _("Massage and deep work wait while the leg is hot and swollen."),
                pgettext_lazy(
                    "patient",
                    "While it is swollen and warm, please do not rub, press or massage your {leg}.",
                ),
            ),
            care.STRETCHING: Wording(
                _("Strong stretching waits while the leg is hot and swollen."),
                pgettext_lazy(
                    "patient", "While it is swollen and warm, please do not stretch your {leg}."
                ),
            ),
            care.WARMING: Wording(
                _("Heat on a hot, swollen leg adds to the warmth and the swelling."),
                pgettext_lazy(
                    "patient", "While it is swollen and warm, please do not warm your {leg}."
                ),
            ),
        },
    ),
    HazardRule(
        code="leg_swelling",
        label=_("Swelling of a leg, cause not yet known"),
        severity=ABSOLUTE,
        blocks=(care.MASSAGE, care.KNEE_BACK_PRESSURE, care.DEEP_WORK),
        explanation=_(
            "No massage, pressure or deep work on a swollen leg until a doctor has found the "
            "cause; gentle stretches and exercise go on."
        ),
        source=GUIDANCE,
        evaluate=signs.leg_swelling,
        cleared_by=VASCULAR_FLAGS,
        why={
            care.HANDS_ON: Wording(
                _("The cause of the swelling is not known yet: no massage, pressure or deep work."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling, please do not rub, press or "
                    "massage your {leg}. Gentle movement is fine.",
                ),
            ),
        },
    ),
    HazardRule(
        code="popliteal_lump",
        label=_("Lump behind the knee"),
        severity=RELATIVE,
        blocks=(care.KNEE_BACK_PRESSURE,),
        explanation=_("No pressure on the lump; given only with a written reason."),
        source=GUIDANCE,
        evaluate=signs.lump,
        cleared_by=LUMP_FLAGS,
        why={
            care.HANDS_ON: Wording(
                _("Pressing into the back of the knee presses on the lump."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has seen the lump, please do not press into the back of the "
                    "knee of your {leg}.",
                ),
            ),
        },
    ),
    HazardRule(
        code="night_pain",
        label=_("Pain at night"),
        severity=RELATIVE,
        blocks=(care.NERVE_STRETCH, care.DEEP_WORK),
        explanation=_(
            "No strong nerve-tension stretch and no deep work on that side; given only with a "
            "written reason."
        ),
        source=GUIDANCE,
        evaluate=signs.sided_flag("night_pain"),
        cleared_by=frozenset({"night_pain"}),
        why={
            care.STRETCHING: Wording(
                _("Straight-leg stretches tension the nerve; with pain at night they wait."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has seen you about the pain at night, please pause "
                    "stretches that pull along the back of your {leg}.",
                ),
            ),
            care.HANDS_ON: Wording(
                _("Deep work waits while the pain at night is being checked."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has seen you about the pain at night, firm hands-on work on "
                    "your {leg} waits.",
                ),
            ),
        },
    ),
    HazardRule(
        code="numbness",
        label=_("Numbness"),
        severity=RELATIVE,
        blocks=(care.NERVE_STRETCH, care.DEEP_WORK),
        explanation=_(
            "No strong nerve-tension stretch and no deep work on that side; given only with a "
            "written reason."
        ),
        source=GUIDANCE,
        evaluate=signs.sided_flag("numbness"),
        cleared_by=frozenset({"numbness"}),
        why={
            care.STRETCHING: Wording(
                _("Straight-leg stretches tension the nerve; with numbness they wait."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has seen you about the numbness, please pause stretches that "
                    "pull along the back of your {leg}.",
                ),
            ),
            care.HANDS_ON: Wording(
                _("Deep work waits while the numbness is being checked."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has seen you about the numbness, firm hands-on work on your "
                    "{leg} waits.",
                ),
            ),
        },
    ),
    HazardRule(
        code="acute_inflammation",
        label=_("Signs of acute inflammation (warmth, redness, a fresh swelling or injury)"),
        severity=RELATIVE,
        blocks=(care.HEAT, care.MASSAGE, care.DEEP_WORK),
        explanation=_("No heat and no vigorous massage there; given only with a written reason."),
        source=_(
            "Cold, not heat, in the first 24-48 hours of acute pain (domain brief, compresses)"
        ),
        evaluate=signs.acute_inflammation,
        why={
            care.WARMING: Wording(
                _("Heat on a warm, red or freshly swollen area adds to it."),
                pgettext_lazy(
                    "patient",
                    "While there is warmth, redness or a new swelling, please do not warm your "
                    "{leg}.",
                ),
            ),
            care.HANDS_ON: Wording(
                _("Vigorous massage of a warm, red or freshly swollen area can aggravate it."),
                pgettext_lazy(
                    "patient",
                    "While there is warmth, redness or a new swelling, please do not massage "
                    "your {leg} firmly.",
                ),
            ),
        },
    ),
    HazardRule(
        code="fever",
        label=_("Fever"),
        severity=RELATIVE,
        blocks=(care.HEAT, care.MASSAGE, care.DEEP_WORK),
        explanation=_(
            "No heat, massage or deep work while the patient has a fever; given only with a "
            "written reason."
        ),
        source=_("Standard red-flag screening: fever with leg or joint pain"),
        evaluate=signs.fever,
        cleared_by=frozenset({"fever"}),
        why={
            care.WARMING: Wording(
                _("No heat while the patient has a fever."),
                pgettext_lazy("patient", "While you have a fever, please do not warm your {leg}."),
            ),
            care.HANDS_ON: Wording(
                _("No massage or deep work while the patient has a fever."),
                pgettext_lazy(
                    "patient", "While you have a fever, please do not massage your {leg}."
                ),
            ),
        },
    ),
    HazardRule(
        code="persistent_pain",
        label=_("Pain for two weeks or more"),
        severity=PRECAUTION,
        blocks=(),
        explanation=_("Nothing withheld: the home exercises go on beside the routine referral."),
        source=GUIDANCE,
        evaluate=signs.sided_flag("persistent_pain"),
        caution=Wording(
            _("Keep the home exercises; refer sooner if the pain worsens or new signs appear."),
            pgettext_lazy(
                "patient",
                "See a doctor the same day if the pain suddenly gets much worse, the leg swells "
                "or feels hot, or numbness or weakness appears.",
            ),
        ),
    ),
    HazardRule(
        code="walking_or_stairs_worse",
        label=_("Walking or stairs getting harder"),
        severity=PRECAUTION,
        blocks=(),
        explanation=_("Nothing withheld: the home exercises go on beside the routine referral."),
        source=GUIDANCE,
        evaluate=signs.sided_flag("walking_or_stairs_worse"),
        caution=Wording(
            _("Keep the home exercises; refer sooner if walking suddenly gets much worse."),
            pgettext_lazy(
                "patient",
                "See a doctor the same day if you suddenly cannot walk, or the knee gives way or "
                "locks.",
            ),
        ),
    ),
    HazardRule(
        code="pain_improving",
        label=_("Lasting pain, clearly improving"),
        severity=PRECAUTION,
        blocks=(),
        explanation=_(
            "Nothing withheld and no new referral: the pain is clearly better than at the "
            "previous assessment. Keep watching; refer if it stops improving."
        ),
        source=TREND_SOURCE,
        evaluate=signs.improving,
        caution=Wording(
            _("Improving: keep watching, and refer if it stops improving."),
            pgettext_lazy(
                "patient",
                "Your pain is easing: keep going, and tell us at your next visit if it stops "
                "getting better. See a doctor the same day if the leg swells, feels hot or goes "
                "numb.",
            ),
        ),
    ),
)
HAZARD_BY_CODE = {rule.code: rule for rule in HAZARD_RULES}
