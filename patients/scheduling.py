"""Appointment status rules. Pure: no Django imports, so they are tested without a database."""

from dataclasses import dataclass
from datetime import date, datetime

BOOKED, CHECKED_IN, IN_SESSION = "booked", "checked_in", "in_session"
COMPLETED, CANCELLED, NO_SHOW = "completed", "cancelled", "no_show"

# current status -> statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    BOOKED: frozenset({CHECKED_IN, CANCELLED, NO_SHOW}),
    CHECKED_IN: frozenset({IN_SESSION, BOOKED, CANCELLED}),
    IN_SESSION: frozenset({COMPLETED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
    NO_SHOW: frozenset(),
}
# Statuses a visit still has ahead of it (shown as "upcoming").
OPEN = frozenset({BOOKED, CHECKED_IN, IN_SESSION})

# Starting and finishing a session is clinical work: not for the front desk.
CLINICAL_TARGETS = frozenset({IN_SESSION, COMPLETED})
CLINICAL_ROLES = frozenset({"practitioner", "admin"})
STAFF_ROLES = frozenset({"practitioner", "frontdesk", "admin"})
# Only on the visit's own day: a patient cannot arrive for tomorrow's visit today.
SAME_DAY_TARGETS = frozenset({CHECKED_IN, IN_SESSION, COMPLETED})


@dataclass(frozen=True)
class VisitTime:
    start: datetime
    visit_day: date
    today: date
    now: datetime


def _roles(roles) -> frozenset[str]:
    """The roles a user holds (one person may hold several), or one role given alone."""
    if roles is None:
        return frozenset()
    return frozenset({roles}) if isinstance(roles, str) else frozenset(roles)


def can_transition(current: str, target: str, roles, when: VisitTime) -> bool:
    """`roles`: every role the user holds (a set), or a single role."""
    held = _roles(roles)
    if not held & STAFF_ROLES or target not in TRANSITIONS.get(current, ()):
        return False
    if target in CLINICAL_TARGETS and not held & CLINICAL_ROLES:
        return False
    if target in SAME_DAY_TARGETS and when.visit_day != when.today:
        return False
    # A no-show is known only once the start time has passed.
    return target != NO_SHOW or when.now >= when.start


def next_steps(current: str, roles, when: VisitTime) -> list[str]:
    order = [CHECKED_IN, IN_SESSION, COMPLETED, BOOKED, NO_SHOW, CANCELLED]
    return [target for target in order if can_transition(current, target, roles, when)]
