"""What made a rule fire: phrases for the referral reason, and the values they came from.

`inputs` keys name where a value was read (`red_flags.night_pain`, `palpation.warm`,
`measurements.calf_circumference.left`, `wells.score`, ...); values are strings, so "why was this
flagged" can be answered from a stored snapshot.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

YES, NO = "true", "false"


@dataclass(frozen=True)
class Evidence:
    reasons: tuple[str, ...]
    inputs: Mapping[str, str]


def when(condition: bool, reason: str, inputs: Mapping[str, str]) -> Evidence | None:
    return Evidence((reason,), dict(inputs)) if condition else None


def gather(*found: Evidence | None) -> Evidence | None:
    """All the evidence that holds, merged; None when none does."""
    present = [evidence for evidence in found if evidence is not None]
    if not present:
        return None
    inputs: dict[str, str] = {}
    for evidence in present:
        inputs.update(evidence.inputs)
    return Evidence(tuple(reason for evidence in present for reason in evidence.reasons), inputs)


def joined(reasons: tuple[str, ...]) -> str:
    # Translators: separator between the findings that make up a referral reason.
    separator = _("; ")
    return format_lazy("{sep}".join(["{}"] * len(reasons)), *reasons, sep=separator)


def codes(values: frozenset[str]) -> str:
    return ",".join(sorted(values))
