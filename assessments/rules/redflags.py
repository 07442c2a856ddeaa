"""Red-flag screening: every rule that fires becomes a referral flag.

Rules are data (`RULES`): a code, what is suspected, which department and how soon, the source,
and an `evaluate(facts, today)` that returns the `Evidence` or None. Each rule reads its red-flag
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

from .asymmetry import Asymmetry, compute_asymmetries
from .evidence import NO, YES, Evidence, codes, gather, joined, when
from .facts import AssessmentFacts, Provoker, Quality, Side
from .swelling import (
    calf_evidence,
    reported_swelling,
    sudden_or_warm,
    swollen_side,
    wells_evidence,
    wells_for,
)
from .version import RULES_VERSION
from .wells import SOURCE as WELLS_SOURCE
from .wells import WELLS_ITEM_BY_CODE, WellsResult

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
    code: str
    label: str
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


def _leg_swelling_or_warmth(facts: AssessmentFacts, today: date) -> Evidence | None:
    return gather(reported_swelling(facts), sudden_or_warm(facts))


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


def _persistent_pain(facts: AssessmentFacts, today: date) -> Evidence | None:
    return gather(
        _pain_duration(facts, today),
        when(
            facts.red_flags.pain_not_improving,
            _("the pain is not improving"),
            {"red_flags.pain_not_improving": YES},
        ),
    )


def _fever(facts: AssessmentFacts, today: date) -> Evidence | None:
    return when(facts.red_flags.fever, _("fever"), {"red_flags.fever": YES})


def _trauma(facts: AssessmentFacts, today: date) -> Evidence | None:
    return when(
        facts.red_flags.trauma_cannot_bear_weight,
        _("injury, and cannot bear weight on the leg"),
        {"red_flags.trauma_cannot_bear_weight": YES},
    )


def _risk_factor(
    answer: str, reason: str, wells_items: tuple[str, ...]
) -> Callable[[AssessmentFacts, date], Evidence | None]:
    """A DVT risk factor is a flag only beside a swollen leg; alone it is history, not a flag.

    It counts whether ticked on the red-flag screen or among the matching Wells answers.
    """

    def evaluate(facts: AssessmentFacts, today: date) -> Evidence | None:
        if swollen_side(facts) is None:
            return None
        factor = gather(
            when(getattr(facts.red_flags, answer), reason, {f"red_flags.{answer}": YES}),
            *(
                when(
                    getattr(facts.wells, item),
                    WELLS_ITEM_BY_CODE[item].label,
                    {f"wells.{item}": YES},
                )
                for item in wells_items
            ),
        )
        if factor is None:
            return None
        return gather(factor, reported_swelling(facts), calf_evidence(facts))

    return evaluate


RULES: tuple[RedFlagRule, ...] = (
    RedFlagRule(
        code="suspected_dvt",
        label=_("Suspected deep-vein thrombosis (DVT)"),
        department=INTERNAL_VASCULAR,
        urgency=SAME_DAY,
        source=format_lazy("{}; {}", WELLS_SOURCE, GUIDANCE),
        evaluate=_suspected_dvt,
    ),
    RedFlagRule(
        code="calf_asymmetry",
        label=_("Calf 3 cm or more larger on one side"),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_calf_asymmetry,
    ),
    RedFlagRule(
        code="leg_swelling_or_warmth",
        label=_("Leg swelling or warmth"),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_leg_swelling_or_warmth,
    ),
    RedFlagRule(
        code="popliteal_mass_hard_or_growing",
        label=_("Lump behind the knee that is hard, growing, red or warm"),
        department=ORTHOPAEDICS,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_popliteal_mass,
    ),
    RedFlagRule(
        code="pulsating_mass",
        label=_("Pulsating lump behind the knee"),
        department=VASCULAR_SURGERY,
        urgency=SAME_DAY,
        source=_("Standard red-flag screening: a pulsating lump behind the knee"),
        evaluate=_pulsating_mass,
    ),
    RedFlagRule(
        code="walking_or_stairs_worse",
        label=_("Walking or stairs getting harder"),
        department=ORTHOPAEDICS,
        urgency=ROUTINE,
        source=GUIDANCE,
        evaluate=_walking_or_stairs_worse,
    ),
    RedFlagRule(
        code="night_pain",
        label=_("Pain at night"),
        department=ORTHOPAEDICS,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_night_pain,
    ),
    RedFlagRule(
        code="numbness",
        label=_("Numbness"),
        department=ORTHOPAEDICS,
        urgency=SOON,
        source=GUIDANCE,
        evaluate=_numbness,
    ),
    RedFlagRule(
        code="persistent_pain",
        label=_("Pain for two weeks or more, or not improving"),
        department=ORTHOPAEDICS,
        urgency=ROUTINE,
        source=GUIDANCE,
        evaluate=_persistent_pain,
    ),
    RedFlagRule(
        code="fever",
        label=_("Fever"),
        department=INTERNAL_MEDICINE,
        urgency=SAME_DAY,
        source=_("Standard red-flag screening: fever with leg or joint pain"),
        evaluate=_fever,
    ),
    RedFlagRule(
        code="trauma_cannot_bear_weight",
        label=_("Injury and unable to bear weight"),
        department=ORTHOPAEDICS,
        urgency=SAME_DAY,
        source=_("Ottawa knee rule: unable to bear weight after an injury (Stiell et al.)"),
        evaluate=_trauma,
    ),
    RedFlagRule(
        code="risk_factor_cancer",
        label=_("DVT risk factor beside a swollen leg: cancer"),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_risk_factor("cancer_history", _("history of cancer"), ("active_cancer",)),
    ),
    RedFlagRule(
        code="risk_factor_surgery_or_immobilisation",
        label=_("DVT risk factor beside a swollen leg: recent surgery or immobilisation"),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_risk_factor(
            "recent_surgery_or_immobilisation",
            _("recent surgery or immobilisation"),
            ("paralysis_or_cast", "bedridden_or_surgery"),
        ),
    ),
    RedFlagRule(
        code="risk_factor_previous_dvt",
        label=_("DVT risk factor beside a swollen leg: previous DVT"),
        department=INTERNAL_VASCULAR,
        urgency=SOON,
        source=WELLS_SOURCE,
        evaluate=_risk_factor("previous_dvt", _("previous DVT"), ("previous_dvt",)),
    ),
)
RULE_BY_CODE = {rule.code: rule for rule in RULES}


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
