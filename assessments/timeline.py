"""The patient page's timeline: visit records, assessments and the plans the patient was given,
newest first, for the clinical roles. The front desk gets none of it: at most, beside each past
visit, whether its record is written and signed (`record_labels`)."""

from django.utils.translation import gettext_lazy as _

from assessments import selectors
from assessments.models import VisitRecordStatus
from clinic import access

VISIT_RECORD, ASSESSMENT, PLAN = "visit_record", "assessment", "plan"
TIMELINE_ROWS = 30
RECORD_LABELS = {
    VisitRecordStatus.DRAFT: _("Visit record: draft"),
    VisitRecordStatus.SIGNED: _("Visit record: signed"),
}


def timeline(patient, user, assessments) -> list[dict] | None:
    """Entries {"kind", "at", "item"}, newest first (None for a role that may not see them).
    `assessments` are the page's own (already read)."""
    if not access.has_role(user, *access.CLINICAL):
        return None
    entries = [
        {"kind": VISIT_RECORD, "at": record.appointment.start, "item": record}
        for record in selectors.visit_records_of(patient, TIMELINE_ROWS)
    ]
    entries += [{"kind": ASSESSMENT, "at": a.created_at, "item": a} for a in assessments or ()]
    entries += [
        {"kind": PLAN, "at": plan.published_at, "item": plan}
        for plan in selectors.given_plans(patient)[:TIMELINE_ROWS]
    ]
    entries.sort(key=lambda entry: entry["at"], reverse=True)
    return entries[:TIMELINE_ROWS]


def record_labels(patient, visits) -> None:
    """Put on each visit (as `record_label`) whether its record is a draft or signed: all that
    the front desk may know of it, and shown to every staff role alike."""
    states = selectors.record_states_of(patient)
    for visit in visits:
        state = states.get(visit.pk)
        visit.record_label = RECORD_LABELS.get(state) if state else None
