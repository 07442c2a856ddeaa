"""How long the pain has lasted: acute, subacute or chronic, from the onset date."""

from datetime import date

from .facts import AssessmentFacts
from .redflags import PERSISTENT, duration_band

# Onset this many days ago or fewer is acute: cold, never heat (the first 24-48 hours).
ACUTE_DAYS = 2
ACUTE, SUBACUTE, CHRONIC = "acute", "subacute", "chronic"


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
