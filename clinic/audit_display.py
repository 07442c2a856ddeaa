"""An audit entry as people read it (the admin's page, the CSV, the disclosure's list of who
used a record): labels for what happened, the record, the fields and the details."""

import datetime as dt

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic import audit
from clinic.models import AuditEntry

ACTION_LABELS = {
    AuditEntry.Action.CREATE: gettext_lazy("created"),
    AuditEntry.Action.UPDATE: gettext_lazy("changed"),
    AuditEntry.Action.DELETE: gettext_lazy("removed"),
}


# Entries recorded by hand name a change that is no column of the record.
PSEUDO_FIELDS = {
    "two_factor": gettext_lazy("two-factor authentication"),
    "portal_access": gettext_lazy("portal access"),
}
# Columns declared without a verbose name that only the trail shows.
COLUMN_LABELS = {
    "session_epoch": gettext_lazy("sessions ended (count)"),
    "link_epoch": gettext_lazy("links renewed (count)"),
    "access_ended_at": gettext_lazy("portal access ended at"),
    "last_login": gettext_lazy("last log-in"),
    "date_joined": gettext_lazy("account created at"),
    "is_active": gettext_lazy("can log in"),
    "is_staff": gettext_lazy("Django admin site access"),
    "is_superuser": gettext_lazy("all permissions"),
    "password": gettext_lazy("password"),
}


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except (FieldDoesNotExist, AttributeError):
        return None


def _field_label(model, name: str) -> str:
    if name in COLUMN_LABELS:
        return str(COLUMN_LABELS[name])
    field = _field(model, name)
    if field is not None:
        return audit.field_label(field)
    if name in PSEUDO_FIELDS:
        return str(PSEUDO_FIELDS[name])
    return str(audit.FIELD_LABELS.get(name, name.replace("_", " ")))


EMPTY = {"", "None", "null", "[]", "{}"}


def _as_datetime(raw: str):
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    if timezone.is_naive(value):  # django-auditlog writes the stored (UTC) value
        value = value.replace(tzinfo=dt.UTC)
    return timezone.localtime(value)


def display_value(model, name: str, raw, related=None) -> str:
    """A value of the trail as the reader's language says it: yes/no, a choice's label, a time
    in the clinic's time zone, the name of a linked record; never True/False, a code or UTC."""
    if raw is None:
        return ""
    text = str(raw)
    if text in EMPTY:
        return ""
    if text == audit.mask(""):
        return str(_("(changed, not shown)"))
    if name in PSEUDO_FIELDS:
        return _detail(text)
    field = _field(model, name)
    if field is None:
        return text
    if isinstance(field, models.BooleanField):
        return str({"True": _("yes"), "False": _("no")}.get(text, text))
    if field.flatchoices:
        return str(dict((str(k), v) for k, v in field.flatchoices).get(text, text))
    if isinstance(field, models.DateTimeField):
        value = _as_datetime(text)
        return date_format(value, "SHORT_DATETIME_FORMAT") if value else text
    if isinstance(field, models.DateField):
        try:
            return date_format(dt.date.fromisoformat(text[:10]), "SHORT_DATE_FORMAT")
        except ValueError:
            return text
    if field.is_relation and field.many_to_one and related is not None:
        shown = related.get((field.related_model, text))
        return str(shown) if shown is not None else f"#{text}"
    return text


def related_names(entries) -> dict:
    """The linked records the changes of these entries name, fetched once per model: the page
    costs the same queries whatever it shows."""
    wanted: dict = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, pair in (entry.changes or {}).items():
            field = _field(model, name)
            if field is None or not (field.is_relation and field.many_to_one):
                continue
            for raw in pair if isinstance(pair, list) else []:
                if str(raw).isdigit():
                    wanted.setdefault(field.related_model, set()).add(int(raw))
    found = {}
    for model, ids in wanted.items():
        for pk, obj in model._default_manager.in_bulk(sorted(ids)).items():
            found[(model, str(pk))] = obj
    return found


HIDDEN_FIELDS = {"id", "clinic"}  # the entry's own columns say these

# "section:<code>" details (a section of an assessment was viewed or saved): code -> label, given
# by the app that owns the sections (assessments/apps.py), since this floor imports none above it.
SECTION_LABELS: dict = {}


def _detail(what: str) -> str:
    if what.startswith("section:"):
        code = what.split(":", 1)[1]
        return str(SECTION_LABELS.get(code, what))
    if what.startswith("audit_list"):
        query = what.partition("?")[2]
        return str(_("audit trail page")) + (f" ({query})" if query else "")
    if what.startswith("audit_verify: "):
        count, _sep, result = what.removeprefix("audit_verify: ").partition(" entries, ")
        return str(_("tamper check: %(count)s entries, %(result)s")) % {
            "count": count,
            "result": _("intact") if result == "intact" else _("altered"),
        }
    return str(DETAIL_LABELS.get(what, what))


DETAIL_LABELS = {
    "patient_page": gettext_lazy("patient page"),
    "patient_edit": gettext_lazy("patient details form"),
    "portal": gettext_lazy("on the patient's own page"),
    "reminder": gettext_lazy("reminder e-mail"),
    "two_factor_enrolled": gettext_lazy("two-factor authentication turned on"),
    "two_factor_turned_off": gettext_lazy("two-factor authentication turned off"),
    "two_factor_reset": gettext_lazy("two-factor authentication reset by the admin"),
    "ended": gettext_lazy("ended by the clinic"),
    "email_changed": gettext_lazy("ended: the e-mail address changed"),
    "unknown name": gettext_lazy("a name that is no account of this clinic"),
    "audit.csv": gettext_lazy("audit trail (CSV)"),
}


def describe(entry, related=None) -> dict:
    """One entry as the page and the CSV show it (`related`: from related_names(), for the
    names of linked records; without it they show as #id)."""
    model = entry.content_type.model_class()
    data = entry.additional_data or {}
    if entry.action == AuditEntry.Action.ACCESS:
        what = str(audit.EVENT_LABELS.get(data.get("event"), _("viewed")))
    else:
        what = str(ACTION_LABELS.get(entry.action, entry.action))
    created = entry.action == AuditEntry.Action.CREATE
    changes = [
        (
            _field_label(model, name),
            "" if created else display_value(model, name, pair[0], related),
            display_value(model, name, pair[1], related),
        )
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
