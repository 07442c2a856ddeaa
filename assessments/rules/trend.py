"""The trend since the previous signed assessment: is the pain clearly better?

A fall of 2 points or of 30 % on the 0-10 scale counts as a clear improvement: the smallest
change patients with chronic pain rate as "much better" (Farrar et al., Pain 2001). Pain that has
lasted two weeks but is clearly improving is watched, not referred again.
"""

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .evidence import Evidence
from .facts import AssessmentFacts

IMPROVED_POINTS = 2
IMPROVED_SHARE = Decimal("0.3")
SOURCE = _(
    "Clinically important change in pain: 2 points or 30 per cent on the 0-10 scale "
    "(Farrar et al., Pain 2001)"
)


def clearly_improved(before: int, now: int) -> bool:
    """True from a fall of 2 points, or of 30 % of the earlier score."""
    fall = before - now
    if fall <= 0:
        return False
    return fall >= IMPROVED_POINTS or Decimal(fall) >= IMPROVED_SHARE * before


def improvement(facts: AssessmentFacts) -> Evidence | None:
    """The evidence of a clear improvement since the previous assessment, or None (no previous
    assessment, a pain not recorded on either, or not clearly better)."""
    previous, now = facts.previous, facts.complaint.pain
    if previous is None or previous.pain is None or now is None:
        return None
    if not clearly_improved(previous.pain, now):
        return None
    reason = format_lazy(
        _("pain {before}/10 at the assessment of {day}, {now}/10 now"),
        before=previous.pain,
        day=previous.on,
        now=now,
    )
    inputs = {
        "previous.pain": str(previous.pain),
        "previous.on": previous.on.isoformat(),
        "complaint.pain": str(now),
    }
    return Evidence((reason,), inputs)
