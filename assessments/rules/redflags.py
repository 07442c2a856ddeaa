"""Red-flag screening: every rule that fires becomes a referral flag.

A red flag says whom the patient should see and how soon; what care is withheld meanwhile is
decided separately, by the hazards (`hazards`). Rules are data (`RULES`): a code, what is
suspected (for staff), what was found (for the patient, in words that name no condition), which
department and how soon, the source, and an `evaluate(facts, today)` that returns the `Evidence`
or None. Each rule reads its red-flag
answer AND the findings recorded elsewhere (measurements, palpation, complaint, Wells answers),
so a flag fires even when its checkbox was left empty. Rules are independent of one another: the
screen collects every flag that fires and suppresses none (a same-day suspected DVT still lists
the calf difference and the risk factors beside it), most urgent first.

The safety thresholds here are fixed (Wells 3 cm, two weeks); a clinic's asymmetry overrides
change only the asymmetry markers, never a red flag.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .asymmetry import Asymmetry, compute_asymmetries
from .evidence import NO, YES, Evidence, codes, gather, joined, when
from .facts import AssessmentFacts, Cancer, Provoker, Quality, Side
from .swelling import (
    calf_evidence,
    reported_swelling,
    sudden_or_warm,
    swollen_side,
    wells_evidence,
    wells_for,
)
from .trend import improvement
from .version import RULES_VERSION
from .wells import SOURCE as WELLS_SOURCE
from .wells import WellsResult

ORTHOPAEDICS = "orthopaedics"
INTERNAL_VASCULAR = "internal_vascular"
VASCULAR_SURGERY = "vascular_surgery"
INTERNAL_MEDICINE = "internal_medicine"
DEPARTMENT_LABELS = {
    ORTHOPAEDICS: _("Orthopaedics"),
    INTERNAL_VASCULAR: _("Internal medicine / vascular surgery"),
    VASCULAR_SURGERY: _("Vascular surgery"),
    INTERNAL_MEDICINE: _("Internal medicine"),
}

SAME_DAY, SOON, ROUTINE = "same_day", "soon", "routine"
URGENCY_LABELS = {
    SAME_DAY: _("Same day"),
    SOON: _("Within a few days"),
    ROUTINE: _("At a routine appointment"),
}
URGENCY_ORDER = (SAME_DAY, SOON, ROUTINE)

PERSISTENT_PAIN_DAYS = 14
PERSISTENT, RECENT = "persistent", "recent"

GUIDANCE = _("Hikagami referral guidance: when a seitai practitioner sends a patient to a doctor")


def duration_band(days: int) -> str:
    return PERSISTENT if days >= PERSISTENT_PAIN_DAYS else RECENT


@dataclass(frozen=True)
class Flag:
    code: str
    label: str
    department: str
    urgency: str
    reason: str
    inputs: Mapping[str, str]
    source: str
    patient_label: str = ""

    @property
    def advice(self) -> str:
        return format_lazy(
            _("Please see {department} ({urgency})."),
            department=DEPARTMENT_LABELS[self.department],
            urgency=URGENCY_LABELS[self.urgency],
        )

    def as_dict(self) -> dict[str, object]:
        """Plain text in the active language: for a snapshot that must not change later."""
        return {
            "code": self.code,
            "label": str(self.label),
            "department": self.department,
            "urgency": self.urgency,
            "reason": str(self.reason),
            "inputs": dict(self.inputs),
            "source": str(self.source),
        }


@dataclass(frozen=True)
class RedFlagRule:
    """`label` is for staff ("suspected ..."); `patient_label` says what was found, in words a
    patient reads, naming no condition."""

    code: str
    label: str
    patient_label: str
    department: str
    urgency: str
    source: str
    evaluate: Callable[[AssessmentFacts, date], Evidence | None]

    def check(self, facts: AssessmentFacts, today: date) -> Flag | None:
        evidence = self.evaluate(facts, today)
        if evidence is None:
            return None
        return Flag(
            code=self.code,
            label=self.label,
            department=self.department,
            urgency=self.urgency,
            reason=capfirst(joined(evidence.reasons)),
            inputs=dict(evidence.inputs),
            source=self.source,
            patient_label=self.patient_label,
        )


@dataclass(frozen=True)
class Screening:
    flags: tuple[Flag, ...]
    wells: WellsResult | None
    rules_version: str
    asymmetries: tuple[Asymmetry, ...]

    @property
    def most_urgent(self) -> str | None:
        return self.flags[0].urgency if self.flags else None


# The rules' evaluate functions: (facts, today) -> Evidence | None.


def _suspected_dvt(facts: AssessmentFacts, today: date) -> Evidence | None:
    wells = wells_for(facts)
    one_leg = swollen_side(facts) in (Side.LEFT, Side.RIGHT)
    acute = sudden_or_warm(facts)
    if not ((one_leg and acute) or (wells is not None and wells.likely)):
        return None
    return gather(reported_swelling(facts), calf_evidence(facts), acute, wells_evidence(wells))


def _calf_asymmetry(facts: AssessmentFacts, today: date) -> Evidence | None:
    return calf_evidence(facts)


def _leg_swelling(facts: AssessmentFacts, today: date) -> Evidence | None:
    # Warmth is quoted beside a swelling; on its own it is no reason for a vascular referral.
    swelling = reported_swelling(facts)
    if swelling is None:
        return None
    return gather(swelling, sudden_or_warm(facts))


_LUMP_FEATURES = (
    ("hard", _("the lump is hard")),
    ("growing", _("the lump is growing")),
    ("red", _("the skin over it is red")),
    ("warm", _("it feels warm")),
)


def _lump_details(facts: AssessmentFacts) -> dict[str, str]:
    palpation = facts.palpation
    details = {"palpation.mass": YES if palpation.mass else NO}
    if palpation.size_cm is not None:
        details["palpation.size_cm"] = str(palpation.size_cm)
    if palpation.side:
        details["palpation.side"] = palpation.side
    return details


def _popliteal_mass(facts: AssessmentFacts, today: date) -> Evidence | None:
    palpation = facts.palpation
    features = gather(
        *(
            when(getattr(palpation, name), reason, {f"palpation.{name}": YES})
            for name, reason in _LUMP_FEATURES
        )
    )
    # Something felt hard or growing is a lump even with the "mass" box empty; redness or
    # warmth alone is not (warmth counts towards the DVT and swelling rules instead).
    if features is None or not (palpation.mass or palpation.hard or palpation.growing):
        return None
    lump = Evidence((_("lump felt behind the knee"),), _lump_details(facts))
    return gather(lump, features)


def _pulsating_mass(facts: AssessmentFacts, today: date) -> Evidence | None:
    if not facts.palpation.pulsating:
        return None
    inputs = {**_lump_details(facts), "palpation.pulsating": YES}
    return Evidence((_("pulsation felt behind the knee"),), inputs)


def _walking_or_stairs_worse(facts: AssessmentFacts, today: date) -> Evidence | None:
    # Walking and stairs as provokers are the usual complaint; only getting worse is a flag.
    return when(
        facts.red_flags.stairs_or_walking_harder,
        _("walking or stairs getting harder"),
        {"red_flags.stairs_or_walking_harder": YES},
    )


def _night_pain(facts: AssessmentFacts, today: date) -> Evidence | None:
    provokers = facts.complaint.provokers
    return gather(
        when(facts.red_flags.night_pain, _("strong pain at night"), {"red_flags.night_pain": YES}),
        when(
            Provoker.NIGHT in provokers,
            _("the pain comes on at night"),
            {"complaint.provokers": codes(provokers)},
        ),
    )


def _numbness(facts: AssessmentFacts, today: date) -> Evidence | None:
    qualities = facts.complaint.qualities
    return gather(
        when(facts.red_flags.numbness, _("numbness"), {"red_flags.numbness": YES}),
        when(
            Quality.NUMBNESS in qualities,
            _("numbness described in the complaint"),
            {"complaint.qualities": codes(qualities)},
        ),
    )


def _pain_duration(facts: AssessmentFacts, today: date) -> Evidence | None:
    onset = facts.complaint.onset
    if onset is None:
        return None
    days = (today - onset).days
    if duration_band(days) != PERSISTENT:
        return None
    reason = format_lazy(_("pain for {days} days (since {onset})"), days=days, onset=onset)
    inputs = {
        "complaint.onset": onset.isoformat(),
        "today": today.isoformat(),
        "days_since_onset": str(days),
    }
    return Evidence((reason,), inputs)


def _not_improving(facts: AssessmentFacts) -> Evidence | None:
    return when(
        facts.red_flags.pain_not_improving,
        _("the pain is not improving"),
        {"red_flags.pain_not_improving": YES},
    )


def _persistent_pain(facts: AssessmentFacts, today: date) -> Evidence | None:
    """Two weeks or more, unless clearly better than at the previous assessment (then it is a
    precaution: see `hazards`); "not improving" ticked is a flag whatever the numbers say."""
    duration = _pain_duration(facts, today)
    ticked = _not_improving(facts)
    if ticked is None and (duration is None or improvement(facts) is not None):
        return None
    return gather(duration, ticked)


def improving_persistent_pain(facts: AssessmentFacts, today: date) -> Evidence | None:
    """Pain for two weeks or more that is clearly better than last time (and nobody ticked "not
    improving"): no new referral, a precaution to keep watching."""
    duration = _pain_duration(facts, today)
    better = improvement(facts)
    if duration is None or better is None or _not_improving(facts) is not None:
        return None
    return gather(duration, better)


def _fever(facts: AssessmentFacts, today: date) -> Evidence | None:
    return when(facts.red_flags.fever, _("fever"), {"red_flags.fever": YES})


def _trauma(facts: AssessmentFacts, today: date) -> Evidence | None:
    return when(
        facts.red_flags.trauma_cannot_bear_weight,
        _("injury, and cannot bear weight on the leg"),
        {"red_flags.trauma_cannot_bear_weight": YES},
    )


def _cancer(facts: AssessmentFacts) -> Evidence | None:
    cancer = facts.red_flags.cancer
    return gather(
        when(
            cancer == Cancer.ACTIVE,
            _("cancer treated within 6 months, or palliative care"),
            {"red_flags.cancer": cancer},
        ),
        when(cancer == Cancer.PAST, _("cancer in the past"), {"red_flags.cancer": cancer}),
        when(
            cancer == Cancer.UNKNOWN,
            _("a history of cancer, not recorded whether active"),
            {"red_flags.cancer": cancer},
        ),
    )


def _immobilised(facts: AssessmentFacts) -> Evidence | None:
    answers = facts.red_flags
    return gather(
        when(
            answers.paralysis_or_cast,
            _("paralysis, paresis or a recent plaster cast of a leg"),
            {"red_flags.paralysis_or_cast": YES},
        ),
        when(
            answers.bedridden_or_surgery,
            _("bedridden 3 days or more, or major surgery within 12 weeks"),
            {"red_flags.bedridden_or_surgery": YES},
        ),
    )


def _previous_dvt(facts: AssessmentFacts) -> Evidence | None:
    return when(facts.red_flags.previous_dvt, _("previous DVT"), {"red_flags.previous_dvt": YES})


def _risk_factor(
    factor_of: Callable[[AssessmentFacts], Evidence | None],
) -> Callable[[AssessmentFacts, date], Evidence | None]:
    """A DVT risk factor is a flag only beside a swollen leg; alone it is history, not a flag.
    The answer is the one history question the Wells score reads too."""

    def evaluate(facts: AssessmentFacts, today: date) -> Evidence | None:
        if swollen_side(facts) is None:
            return None
        factor = factor_of(facts)
        if factor is None:
            return None
        return gather(factor, reported_swelling(facts), calf_evidence(facts))

    return evaluate


RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule(
        code="suspected_dvt",
        label=_("Suspected deep-vein thrombosis (DVT)"),
        patient_label=pgettext_lazy("patient", "Leg swelling a doctor should see today"),
        department=INTERNAL_VASCULAR,
        urgency=SAME_DAY,
        source=format_lazy("{}; {}", WELLS_SOURCE, GUIDANCE),
        evaluate=_suspected_dvt,
    ),
    RedFlagRule(
        code="calf_asymmetry",
        label=_("Calf 3 cm or more larger on one side"),
        patient_label=pgettext_lazy("patient", "One calf measured clearly larger than the other"),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_calf_asymmetry,
    ),
    RedFlagRule(
        code="leg_swelling",
        label=_("Leg swelling"),
        patient_label=pgettext_lazy("patient", "Swelling of the leg"),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_leg_swelling,
    ),
    RedFlagRule(
        code="popliteal_mass_hard_or_growing",
        label=_("Lump behind the knee that is hard, growing, red or warm"),
        patient_label=pgettext_lazy("patient", "A lump behind the knee"),
        department=ORTHOPAEDICS,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_popliteal_mass,
    ),
    RedFlagRule(
        code="pulsating_mass",
        label=_("Pulsating lump behind the knee"),
        patient_label=pgettext_lazy("patient", "A lump behind the knee that pulses"),
        department=VASCULAR_SURGERY,
        urgency=SAME_DAY,
        source=_("Standard red-flag screening: a pulsating lump behind the knee"),
        evaluate=_pulsating_mass,
    ),
    RedFlagRule(
        code="walking_or_stairs_worse",
        label=_("Walking or stairs getting harder"),
        patient_label=pgettext_lazy("patient", "Walking or stairs getting harder"),
        department=ORTHOPAEDICS,
        urgency=ROUTINE,
        source=GUIDANCE,
        evaluate=_walking_or_stairs_worse,
    ),
    RedFlagRule(
        code="night_pain",
        label=_("Pain at night"),
        patient_label=pgettext_lazy("patient", "Pain at night"),
        department=ORTHOPAEDICS,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_night_pain,
    ),
    RedFlagRule(
        code="numbness",
        label=_("Numbness"),
        patient_label=pgettext_lazy("patient", "Numbness"),
        department=ORTHOPAEDICS,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_numbness,
    ),
    RedFlagRule(
        code="persistent_pain",
        label=_("Pain for two weeks or more, or not improving"),
        patient_label=pgettext_lazy("patient", "Pain that has lasted two weeks or more"),
        department=ORTHOPAEDICS,
        urgency=ROUTINE,
        source=GUIDANCE,
        evaluate=_persistent_pain,
    ),
    RedFlagRule(
        code="fever",
        label=_("Fever"),
        patient_label=pgettext_lazy("patient", "Fever"),
        department=INTERNAL_MEDICINE,
        urgency=SAME_DAY,
        source=_("Standard red-flag screening: fever with leg or joint pain"),
        evaluate=_fever,
    ),
    RedFlagRule(
        code="trauma_cannot_bear_weight",
        label=_("Injury and unable to bear weight"),
        patient_label=pgettext_lazy("patient", "An injury, and standing on the leg is difficult"),
        department=ORTHOPAEDICS,
        urgency=SAME_DAY,
        source=_("Ottawa knee rule: unable to bear weight after an injury (Stiell et al.)"),
        evaluate=_trauma,
    ),
    RedFlagRule(
        code="risk_factor_cancer",
        label=_("DVT risk factor beside a swollen leg: cancer"),
        patient_label=pgettext_lazy(
            "patient", "A swollen leg, with a medical history the doctor should know about"
        ),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_risk_factor(_cancer),
    ),
    RedFlagRule(
        code="risk_factor_surgery_or_immobilisation",
        label=_("DVT risk factor beside a swollen leg: recent surgery or immobilisation"),
        patient_label=pgettext_lazy(
            "patient", "A swollen leg after an operation, a cast or time in bed"
        ),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_risk_factor(_immobilised),
    ),
    RedFlagRule(
        code="risk_factor_previous_dvt",
        label=_("DVT risk factor beside a swollen leg: previous DVT"),
        patient_label=pgettext_lazy(
            "patient", "A swollen leg, with a medical history the doctor should know about"
        ),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_risk_factor(_previous_dvt),
    ),
)
RULE_BY_CODE = {rule.code: rule for rule in RULES}

# Codes earlier rules versions raised, kept on old records: their labels still read.
RETIRED_RULE_LABELS = {
    "leg_swelling_or_warmth": _("Leg swelling or warmth"),
}


def rule_label(code: str) -> str:
    """The staff label of a flag code, current or retired; the code itself when unknown."""
    if code in RULE_BY_CODE:
        return RULE_BY_CODE[code].label
    return RETIRED_RULE_LABELS.get(code, code)


def patient_label(code: str) -> str:
    rule = RULE_BY_CODE.get(code)
    return rule.patient_label if rule else rule_label(code)


def screen(
    facts: AssessmentFacts, today: date, *, thresholds: Mapping[str, Decimal] | None = None
) -> Screening:
    """Every flag that fires, most urgent first (in `RULES` order within one urgency).

    `thresholds` (a clinic's asymmetry overrides) reach the asymmetries only.
    """
    flags = [flag for rule in RULES if (flag := rule.check(facts, today)) is not None]
    flags.sort(key=lambda flag: URGENCY_ORDER.index(flag.urgency))
    return Screening(
        flags=tuple(flags),
        wells=wells_for(facts),
        rules_version=RULES_VERSION,
        asymmetries=tuple(compute_asymmetries(facts.measurements, thresholds)),
    )
