"""Hazards: what in this assessment makes a kind of care unsafe, on which side, and how firmly.

A red flag says whom to see and how soon (`redflags`). A hazard says what care is withheld
meanwhile. Each hazard has
- a severity: ABSOLUTE (never given, no override; only a doctor's clearance recorded on the
  referral lifts it), RELATIVE (given only with a reason the practitioner writes, kept and
  printed for staff) or PRECAUTION (nothing withheld; a caution is printed, and the patient is
  told what would mean "go now");
- a side (left, right, or both when both legs or no known side are concerned): a left-side hazard
  never withholds right-side care;
- the care tags it blocks (`care`), in the order its wording prefers;
- a practitioner's and a patient's wording for each group of blocked care (`why`), so that what a
  patient reads about a held massage is about massage, and names no condition.

`HAZARD_RULES` is the one table; `hazards_in_force` evaluates it. Like the rest of the package
it is pure: facts, the screening and `today` in, plain values out.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import care
from .evidence import YES, Evidence, gather, joined, when
from .facts import LEG_LABELS, AssessmentFacts, Side
from .redflags import GUIDANCE, Screening, improving_persistent_pain
from .stage import ACUTE, days_since_onset, stage
from .swelling import reported_swelling, sudden_or_warm, swollen_side
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

    def blocked_tag(self, tags: Iterable[str]) -> str | None:
        """The first of this hazard's blocked tags among `tags` (the wording key), or None."""
        present = set(tags)
        return next((tag for tag in self.blocks if tag in present), None)


@dataclass(frozen=True)
class Hazard:
    """One hazard that holds, on one side, with the findings that raised it."""

    code: str
    severity: str
    side: str
    reason: str
    inputs: Mapping[str, str]

    @property
    def rule(self) -> HazardRule:
        return HAZARD_BY_CODE[self.code]

    @property
    def label(self) -> str:
        return self.rule.label

    def covers(self, side: str) -> bool:
        """Does this hazard reach a leg on `side` (left or right)?"""
        return self.side == Side.BOTH or self.side == side

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "side": self.side,
            "reason": str(self.reason),
            "inputs": dict(self.inputs),
        }


def one_side(*sides: str) -> str:
    """The one leg the sides name (left or right); BOTH when they name both, "both" or none."""
    named = {side for side in sides if side in (Side.LEFT, Side.RIGHT, Side.BOTH)}
    if len(named) == 1 and Side.BOTH not in named:
        return named.pop()
    return Side.BOTH


def leg_words(side: str) -> str:
    return LEG_LABELS.get(side, LEG_LABELS[Side.BOTH])


# Evaluate functions: (facts, screening, today) -> (side, evidence) or None.


def _flag(screening: Screening, code: str) -> Evidence | None:
    flag = next((flag for flag in screening.flags if flag.code == code), None)
    if flag is None:
        return None
    reason = format_lazy(_("red flag “{flag}”: {reason}"), flag=flag.label, reason=flag.reason)
    return Evidence((reason,), dict(flag.inputs))


def _swelling_side(facts: AssessmentFacts) -> str:
    return one_side(swollen_side(facts) or Side.NONE)


def _suspected_dvt(facts, screening, today):
    evidence = _flag(screening, "suspected_dvt")
    return None if evidence is None else (_swelling_side(facts), evidence)


def _warmth_of_swollen_leg(facts: AssessmentFacts) -> Evidence | None:
    return gather(
        when(facts.red_flags.leg_warm, _("the leg feels warm"), {"red_flags.leg_warm": YES}),
        when(facts.palpation.warm, _("warmth behind the knee"), {"palpation.warm": YES}),
    )


def _hot_swollen_leg(facts, screening, today):
    if swollen_side(facts) is None:
        return None
    swelling = reported_swelling(facts) or _flag(screening, "calf_asymmetry")
    warmth = _warmth_of_swollen_leg(facts)
    if swelling is None or warmth is None:
        return None
    return _swelling_side(facts), gather(swelling, warmth)


def _leg_swelling(facts, screening, today):
    if swollen_side(facts) is None:
        return None
    swelling = gather(reported_swelling(facts), _flag(screening, "calf_asymmetry"))
    if swelling is None:
        return None
    return _swelling_side(facts), gather(swelling, sudden_or_warm(facts))


def _palpation_side(facts: AssessmentFacts) -> str:
    return one_side(facts.palpation.side)


def _complaint_side(facts: AssessmentFacts) -> str:
    return one_side(facts.complaint.side)


def _pulsating_mass(facts, screening, today):
    if not facts.palpation.pulsating:
        return None
    evidence = Evidence((_("pulsation felt behind the knee"),), {"palpation.pulsating": YES})
    return _palpation_side(facts), evidence


def _injury(facts, screening, today):
    evidence = _flag(screening, "trauma_cannot_bear_weight")
    return None if evidence is None else (_complaint_side(facts), evidence)


def _lump(facts, screening, today):
    palpation = facts.palpation
    if palpation.pulsating or not (palpation.mass or palpation.hard or palpation.growing):
        return None
    evidence = gather(
        when(palpation.mass, _("lump felt behind the knee"), {"palpation.mass": YES}),
        when(palpation.hard, _("the lump is hard"), {"palpation.hard": YES}),
        when(palpation.growing, _("the lump is growing"), {"palpation.growing": YES}),
    )
    return _palpation_side(facts), evidence


def _sided_flag(code: str) -> Evaluate:
    def evaluate(facts, screening, today):
        evidence = _flag(screening, code)
        return None if evidence is None else (_complaint_side(facts), evidence)

    return evaluate


def _acute_inflammation(facts, screening, today):
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


def _fever(facts, screening, today):
    evidence = when(facts.red_flags.fever, _("fever"), {"red_flags.fever": YES})
    return None if evidence is None else (Side.BOTH, evidence)


def _improving(facts, screening, today):
    evidence = improving_persistent_pain(facts, today)
    return None if evidence is None else (_complaint_side(facts), evidence)


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
        evaluate=_suspected_dvt,
        why={
            care.HANDS_ON: Wording(
                _("Massage, pressure or deep work on a leg with a suspected clot could move it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling of your {leg}, please do not rub, "
                    "press or massage that leg.",
                ),
            ),
            care.STRETCHING: Wording(
                _("Stretching a leg with a suspected clot waits for the doctor."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling of your {leg}, please do not "
                    "stretch that leg.",
                ),
            ),
            care.EXERCISING: Wording(
                _("Exercise that loads a leg with a suspected clot waits for the doctor."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling of your {leg}, please rest that leg "
                    "from this exercise.",
                ),
            ),
            care.WARMING: Wording(
                _("No heat on a leg with a suspected clot."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling of your {leg}, please do not warm "
                    "that leg (warm packs, long hot baths).",
                ),
            ),
            care.COOLING: Wording(
                _("No cold packs at home: the doctor sees the leg as it is."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked your {leg}, please do not cool it with packs.",
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
            "warms that leg until a doctor has examined it."
        ),
        source=_("Ottawa knee rule: unable to bear weight after an injury (Stiell et al.)"),
        evaluate=_injury,
        why={
            care.HANDS_ON: Wording(
                _("No hands-on work on an injured leg before a doctor has examined it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined your injured {leg}, please do not massage or "
                    "press it.",
                ),
            ),
            care.STRETCHING: Wording(
                _("No stretching of an injured leg before a doctor has examined it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined your injured {leg}, please do not stretch it.",
                ),
            ),
            care.EXERCISING: Wording(
                _("No exercise loading an injured leg before a doctor has examined it."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined your injured {leg}, please rest it from this "
                    "exercise.",
                ),
            ),
            care.WARMING: Wording(
                _("No heat on a fresh injury."),
                pgettext_lazy("patient", "Please do not warm your injured {leg} for now."),
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
        evaluate=_pulsating_mass,
        why={
            care.HANDS_ON: Wording(
                _("Pressure or massage over a pulsating lump is never given."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined the back of the knee of your {leg}, please do "
                    "not press, rub or massage it.",
                ),
            ),
            care.STRETCHING: Wording(
                _("Stretches that pull across a pulsating lump are never given."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has examined it, please avoid stretches that pull on the "
                    "back of the knee of your {leg}.",
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
        evaluate=_hot_swollen_leg,
        why={
            care.HANDS_ON: Wording(
                _("Massage and deep work wait while the leg is hot and swollen."),
                pgettext_lazy(
                    "patient",
                    "While your {leg} is swollen and warm, please do not rub, press or massage it.",
                ),
            ),
            care.STRETCHING: Wording(
                _("Strong stretching waits while the leg is hot and swollen."),
                pgettext_lazy(
                    "patient", "While your {leg} is swollen and warm, please do not stretch it."
                ),
            ),
            care.WARMING: Wording(
                _("Heat on a hot, swollen leg adds to the warmth and the swelling."),
                pgettext_lazy(
                    "patient", "While your {leg} is swollen and warm, please do not warm it."
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
        evaluate=_leg_swelling,
        why={
            care.HANDS_ON: Wording(
                _("The cause of the swelling is not known yet: no massage, pressure or deep work."),
                pgettext_lazy(
                    "patient",
                    "Until a doctor has checked the swelling of your {leg}, please do not rub, "
                    "press or massage it. Gentle movement is fine.",
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
        evaluate=_lump,
        why={
            care.HANDS_ON: Wording(
                _("Pressing into the back of the knee presses on the lump."),
                pgettext_lazy(
                    "patient",
                    "Please do not press into the back of the knee of your {leg} while the lump "
                    "is being checked.",
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
        evaluate=_sided_flag("night_pain"),
        why={
            care.STRETCHING: Wording(
                _("Straight-leg stretches tension the nerve; with pain at night they wait."),
                pgettext_lazy(
                    "patient",
                    "Stretches that pull along the back of your {leg} are paused while the pain "
                    "at night is checked.",
                ),
            ),
            care.HANDS_ON: Wording(
                _("Deep work waits while the pain at night is being checked."),
                pgettext_lazy(
                    "patient",
                    "Firm hands-on work on your {leg} waits until the pain at night has been "
                    "checked.",
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
        evaluate=_sided_flag("numbness"),
        why={
            care.STRETCHING: Wording(
                _("Straight-leg stretches tension the nerve; with numbness they wait."),
                pgettext_lazy(
                    "patient",
                    "Stretches that pull along the back of your {leg} are paused while the "
                    "numbness is checked.",
                ),
            ),
            care.HANDS_ON: Wording(
                _("Deep work waits while the numbness is being checked."),
                pgettext_lazy(
                    "patient",
                    "Firm hands-on work on your {leg} waits until the numbness has been checked.",
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
        evaluate=_acute_inflammation,
        why={
            care.WARMING: Wording(
                _("Heat on a warm, red or freshly swollen area adds to it."),
                pgettext_lazy(
                    "patient",
                    "While your {leg} is warm, red or freshly swollen, please do not warm it.",
                ),
            ),
            care.HANDS_ON: Wording(
                _("Vigorous massage of a warm, red or freshly swollen area can aggravate it."),
                pgettext_lazy(
                    "patient",
                    "While your {leg} is warm, red or freshly swollen, please do not massage it "
                    "firmly.",
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
        evaluate=_fever,
        why={
            care.WARMING: Wording(
                _("No heat while the patient has a fever."),
                pgettext_lazy("patient", "While you have a fever, please do not warm your legs."),
            ),
            care.HANDS_ON: Wording(
                _("No massage or deep work while the patient has a fever."),
                pgettext_lazy(
                    "patient", "While you have a fever, please do not massage your legs."
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
        evaluate=_sided_flag("persistent_pain"),
        caution=Wording(
            _("Keep the home exercises; refer sooner if the pain worsens or new signs appear."),
            pgettext_lazy(
                "patient",
                "You can keep doing your home exercises. See a doctor the same day if the pain "
                "suddenly gets much worse, the leg swells or feels hot, or numbness or weakness "
                "appears.",
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
        evaluate=_sided_flag("walking_or_stairs_worse"),
        caution=Wording(
            _("Keep the home exercises; refer sooner if walking suddenly gets much worse."),
            pgettext_lazy(
                "patient",
                "You can keep doing your home exercises. See a doctor the same day if you "
                "suddenly cannot walk, or the knee gives way or locks.",
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
        evaluate=_improving,
        caution=Wording(
            _("Improving: keep watching, and refer if it stops improving."),
            pgettext_lazy(
                "patient",
                "Your pain is easing: keep going. Tell us at your next visit if it stops getting "
                "better, and see a doctor the same day if the leg swells, feels hot or goes numb.",
            ),
        ),
    ),
)
HAZARD_BY_CODE = {rule.code: rule for rule in HAZARD_RULES}


def hazards_in_force(
    facts: AssessmentFacts,
    screening: Screening,
    today: date,
    *,
    lifted: Iterable[str] = (),
) -> tuple[Hazard, ...]:
    """Every hazard that holds, in `HAZARD_RULES` order (absolute first), less those a doctor's
    clearance lifted."""
    gone = set(lifted)
    found = []
    for rule in HAZARD_RULES:
        if rule.code in gone:
            continue
        result = rule.evaluate(facts, screening, today)
        if result is None:
            continue
        side, evidence = result
        found.append(
            Hazard(
                code=rule.code,
                severity=rule.severity,
                side=side,
                reason=capfirst(joined(evidence.reasons)),
                inputs=dict(evidence.inputs),
            )
        )
    return tuple(found)


def staff_why(hazard: Hazard, tag: str) -> str:
    wording = hazard.rule.why.get(care.GROUP_OF_TAG[tag])
    return wording.staff if wording else hazard.rule.explanation


def patient_why(hazard: Hazard, tag: str, side: str) -> str:
    """What the patient reads about this held care: the pair's own sentence, for that leg."""
    wording = hazard.rule.why[care.GROUP_OF_TAG[tag]]
    return format_lazy(wording.patient, leg=leg_words(side))
