"""The kinds of work a patient does: the codes of the patient's record and of the assessment's
habits section. Pure (no Django models), so the clinical rules read the same codes."""


class Work:
    DESK = "desk"
    STANDING = "standing"
    DRIVING = "driving"
    MIXED = "mixed"
