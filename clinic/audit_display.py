"""An audit entry as people read it (the admin's page, the CSV, the disclosure's list of who
used a record): labels for what happened, the record, the fields and the details."""

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic import audit
from clinic.models import AuditEntry

ACTION_LABELS = {
    AuditEntry.Action.CREATE: gettext_lazy("created"),
    AuditEntry.Action.UPDATE: gettext_lazy("changed"),
    AuditEntry.Action.DELETE: gettext_lazy("removed"),
}


def _field_label(model, name: str) -> str:
    try:
        return audit.field_label(model._meta.get_field(name))
    except (FieldDoesNotExist, AttributeError):
        return name


HIDDEN_FIELDS = {"id", "clinic"}  # the entry's own columns say these


def _detail(what: str) -> str:
    if what.startswith("section:"):
        from assessments.models.assessment import SECTIONS

        return str(dict(SECTIONS).get(what.split(":", 1)[1], what))
    return str(DETAIL_LABELS.get(what, what))


DETAIL_LABELS = {
    "patient_page": gettext_lazy("patient page"),
    "patient_edit": gettext_lazy("patient details form"),
    "portal": gettext_lazy("on the patient's own page"),
    "reminder": gettext_lazy("reminder e-mail"),
    "two_factor_enrolled": gettext_lazy("two-factor authentication turned on"),
    "two_factor_turned_off": gettext_lazy("two-factor authentication turned off"),
    "two_factor_reset": gettext_lazy("two-factor authentication reset by the admin"),
}


def describe(entry) -> dict:
    """One entry as the page and the CSV show it."""
    model = entry.content_type.model_class()
    data = entry.additional_data or {}
    if entry.action == AuditEntry.Action.ACCESS:
        what = str(audit.EVENT_LABELS.get(data.get("event"), _("viewed")))
    else:
        what = str(ACTION_LABELS.get(entry.action, entry.action))
    created = entry.action == AuditEntry.Action.CREATE
    changes = [
        (_field_label(model, name), "" if created else pair[0], pair[1])
        for name, pair in (entry.changes or {}).items()
        if isinstance(pair, list) and len(pair) == 2 and name not in HIDDEN_FIELDS
    ]
    record = str(model._meta.verbose_name) if model else entry.content_type.model
    return {
        "entry": entry,
        "when": timezone.localtime(entry.timestamp),
        "who": entry.actor_name or _("system"),
        "who_display": str(entry.actor) if entry.actor_id else "",
        "what": what,
        "detail": _detail(data.get("what", "") or data.get("note", "")),
        "record": record,
        "changes": changes,
    }
