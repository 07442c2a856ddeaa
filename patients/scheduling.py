"""Appointment status rules. Pure: no Django model imports, so they are tested without a database."""

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

# Starting and finishing a session is clinical work: not for the front desk.
CLINICAL_TARGETS = frozenset({IN_SESSION, COMPLETED})
CLINICAL_ROLES = frozenset({"practitioner", "admin"})
STAFF_ROLES = frozenset({"practitioner", "frontdesk", "admin"})


def can_transition(current: str, target: str, role: str | None) -> bool:
    if role not in STAFF_ROLES or target not in TRANSITIONS.get(current, ()):
        return False
    return target not in CLINICAL_TARGETS or role in CLINICAL_ROLES


def next_steps(current: str, role: str | None) -> list[str]:
    order = [CHECKED_IN, IN_SESSION, COMPLETED, BOOKED, NO_SHOW, CANCELLED]
    return [target for target in order if can_transition(current, target, role)]

