"""Contraindications: what in this assessment rules a plan item out, and why.

They are derived, never typed: from the red-flag screen (`screen`) and the recorded facts. Each one
in force carries a reason quoting the flag or the finding. Which items a contraindication rules out
is data on the item (a library exercise's `contraindications`, a plan rule's), read by
`plan_rules.violations`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from .evidence import YES, Evidence, gather, when
from .facts import AssessmentFacts
from .redflags import PERSISTENT, Flag, Screening, duration_band
from .swelling import swollen_side
from .wording import listed, number

# Onset this many days ago or fewer is acute: cold, never heat (the first 24-48 hours).
ACUTE_DAYS = 2
ACUTE, SUBACUTE, CHRONIC = "acute", "subacute", "chronic"

DVT_FLAGS = frozenset({"suspected_dvt", "calf_asymmetry", "leg_swelling_or_warmth"})
MASS_FLAGS = frozenset({"popliteal_mass_hard_or_growing", "pulsating_mass"})


def stage(days: int) -> str:
    """Acute up to 2 days after onset (a future onset counts as acute: the cautious reading),
    chronic from the two weeks the red-flag screen uses, subacute between."""
    if days <= ACUTE_DAYS:
        return ACUTE
    if duration_band(days) == PERSISTENT:
        return CHRONIC
    return SUBACUTE


def days_since_onset(facts: AssessmentFacts, today: date) -> int | None:
    onset = facts.complaint.onset
    return None if onset is None else (today - onset).days


def quoted_flags(flags: Iterable[Flag]) -> str:
    return listed(format_lazy(_("“{flag}”"), flag=flag.label) for flag in flags)


def _flags(screening: Screening, codes: frozenset[str], template: str) -> Evidence | None:
    fired = [flag for flag in screening.flags if flag.code in codes]
    if not fired:
        return None
    inputs = {f"flags.{flag.code}": YES for flag in fired}
    return Evidence((format_lazy(template, flags=quoted_flags(fired)),), inputs)


def _suspected_dvt(facts: AssessmentFacts, screening: Screening, today: date) -> Evidence | None:
    return _flags(screening, DVT_FLAGS, _("red flag {flags}"))


def _acute_hot_swelling(
    facts: AssessmentFacts, screening: Screening, today: date
) -> Evidence | None:
    palpation = facts.palpation
    swollen = swollen_side(facts) is not None or palpation.mass
    return gather(
        when(facts.red_flags.leg_warm, _("the leg feels warm or hot"), {"red_flags.leg_warm": YES}),
        when(
            palpation.warm and swollen,
            _("warmth behind the knee, with swelling"),
            {"palpation.warm": YES},
        ),
    )


def _popliteal_mass(facts: AssessmentFacts, screening: Screening, today: date) -> Evidence | None:
    palpation = facts.palpation
    if palpation.size_cm is not None:
        felt = format_lazy(
            _("lump felt behind the knee ({size} cm)"), size=number(palpation.size_cm)
        )
    else:
        felt = _("lump felt behind the knee")
    return gather(
        _flags(screening, MASS_FLAGS, _("red flag {flags}")),
        when(palpation.mass, felt, {"palpation.mass": YES}),
    )


def _acute_inflammation(
    facts: AssessmentFacts, screening: Screening, today: date
) -> Evidence | None:
    days = days_since_onset(facts, today)
    onset = facts.complaint.onset
    return gather(
        when(
            days is not None and stage(days) == ACUTE,
            format_lazy(_("recent onset: pain since {onset}"), onset=onset),
            {"complaint.onset": onset.isoformat() if onset else "", "today": today.isoformat()},
        ),
        when(facts.palpation.warm, _("warmth behind the knee"), {"palpation.warm": YES}),
        when(facts.palpation.red, _("redness behind the knee"), {"palpation.red": YES}),
    )


def _awaiting_clearance(
    facts: AssessmentFacts, screening: Screening, today: date
) -> Evidence | None:
    every_flag = frozenset(flag.code for flag in screening.flags)
    return _flags(screening, every_flag, _("a doctor has yet to see the red flag {flags}"))


@dataclass(frozen=True)
class Contraindication:
    code: str
    label: str
    explanation: str
    evaluate: Callable[[AssessmentFacts, Screening, date], Evidence | None]


# Most serious first: a withheld item names the first one it breaks.
CONTRAINDICATIONS: tuple[Contraindication, ...] = (
    Contraindication(
        code="suspected_dvt",
        label=_("Suspected deep-vein thrombosis"),
        explanation=_(
            "No massage, deep tissue work or strong stretching of the legs, and no heat, until a "
            "doctor has ruled out a clot."
        ),
        evaluate=_suspected_dvt,
    ),
    Contraindication(
        code="acute_hot_swelling",
        label=_("Hot, swollen leg"),
        explanation=_(
            "No massage, deep tissue work, strong stretching or heat on a leg that is hot and "
            "swollen."
        ),
        evaluate=_acute_hot_swelling,
    ),
    Contraindication(
        code="popliteal_mass",
        label=_("Lump behind the knee"),
        explanation=_(
            "Nothing that presses on a lump behind the knee until a doctor has examined it."
        ),
        evaluate=_popliteal_mass,
    ),
    Contraindication(
        code="acute_inflammation",
        label=_("Acute inflammation"),
        explanation=_("No heat while the area is acutely inflamed: warmth feeds the swelling."),
        evaluate=_acute_inflammation,
    ),
    Contraindication(
        code="awaiting_clearance",
        label=_("Waiting for a doctor's clearance"),
        explanation=_(
            "A red flag was raised: exercises and hands-on work on the leg wait until a doctor "
            "has seen the patient and cleared them."
        ),
        evaluate=_awaiting_clearance,
    ),
)
CONTRAINDICATION_BY_CODE = {entry.code: entry for entry in CONTRAINDICATIONS}


def contraindications_in_force(
    facts: AssessmentFacts, screening: Screening, today: date
) -> dict[str, str]:
    """Code -> reason for every contraindication that holds, in `CONTRAINDICATIONS` order."""
    in_force = {}
    for entry in CONTRAINDICATIONS:
        evidence = entry.evaluate(facts, screening, today)
        if evidence is not None:
            in_force[entry.code] = capfirst(listed(evidence.reasons))
    return in_force


def in_table_order(codes: Iterable[str]) -> list[str]:
    wanted = set(codes)
    return [entry.code for entry in CONTRAINDICATIONS if entry.code in wanted]
