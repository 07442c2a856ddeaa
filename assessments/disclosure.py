"""A patient's whole record for a disclosure request: one JSON (complete, machine-readable) and one
PDF (the same content for reading). Everything the clinic holds about the person is included;
only derived search columns and cached PDFs are left out (they follow from what is included)."""

import datetime as dt
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import home_log_summary, pdf, summary
from assessments import models as am
from assessments.models import GIVEN_STATUSES, CarePlan
from assessments.models.assessment import SECTION_CODES, SECTIONS
from clinic import audit_display
from clinic.audit import field_label
from clinic.models import AuditEntry, User
from clinic.templatetags.hikagami import in_language
from patients import models as pm

LEFT_OUT = {"search_key", "kana_key", "phone_digits", "section_revisions"}
FORMAT = "hikagami-disclosure/1"
# In the PDF only: internal numbers and what the heading already says (the JSON keeps them).
PDF_LEFT_OUT = {"id", "clinic", "patient", "plan", "revision", "updated_at"}
PDF_LEFT_OUT |= {"snapshot", "screening", "withheld"}  # shown item by item, or derived
PDF_LEFT_OUT |= {"complaint", "posture", "lower_limb", "palpation", "habits", "red_flags"}
PDF_LEFT_OUT |= {"signed_items", "visit_record", "plan_item"}  # shown item by item, named


def _value(obj, field):
    value = getattr(obj, field.attname)
    if isinstance(value, bytes | memoryview):
        return None
    return value


class People:
    """The people the rows name (staff, the patient's own account), read in one query once every
    row is built: `row()` leaves a name empty and asks for it here, `fill()` writes them all into
    the dicts `row()` returned (so a caller reshaping a row keeps that dict)."""

    def __init__(self):
        self.wanted: list[tuple[dict, str, int]] = []

    def ask(self, data: dict, key: str, user_id) -> None:
        data[key] = None
        if user_id is not None:
            self.wanted.append((data, key, user_id))

    def fill(self) -> None:
        wanted = {user_id for _data, _key, user_id in self.wanted}
        found = User.objects.only("username", "display_name").in_bulk(wanted)
        for data, key, user_id in self.wanted:
            person = found.get(user_id)
            data[key] = str(person) if person else None


def row(obj, people: People) -> dict:
    """Every stored field of a record; a person it points to is named as well as numbered (the
    name once `people.fill()` has run)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in LEFT_OUT:
            continue
        data[field.attname] = _value(obj, field)
        if isinstance(field, models.ForeignKey) and field.related_model is User:
            people.ask(data, f"{field.name}_name", data[field.attname])
    return data


def build(patient) -> dict:
    """The whole record, in a fixed number of queries whatever the patient's history."""
    people = People()
    given = CarePlan.objects.filter(
        patient=patient, status__in=GIVEN_STATUSES, published_at__isnull=False
    )
    scales = patient.functional_scales.order_by("pk").prefetch_related("activity_rows")
    record = {
        "format": FORMAT,
        "portal_account": _portal_account(patient),
        "access_log": _access_log(patient),
        "exported_at": timezone.now(),
        "clinic": {"name": patient.clinic.name, "phone": patient.clinic.phone},
        "patient": row(patient, people),
        "consents": [row(c, people) for c in patient.consents.order_by("recorded_at", "pk")],
        "appointments": [row(a, people) for a in patient.appointments.order_by("start", "pk")],
        "assessments": _assessments(patient, people),
        "care_plans": _plans(given, people),
        "visit_records": _visit_records(patient, people),
        # Only plans the patient was given: a draft, or one set aside before publishing, never
        # reached them (it may hold items a hazard withholds); their number is stated instead.
        "unpublished_plans": CarePlan.objects.filter(patient=patient).exclude(pk__in=given).count(),
        "referrals": [row(r, people) for r in patient.referrals.order_by("number")],
        "exercise_logs": [row(log, people) for log in patient.exercise_logs.order_by("day", "pk")],
        "safety_checks": [row(c, people) for c in patient.safety_checks.order_by("pk")],
        "functional_scales": [_scale_row(scale, people) for scale in scales],
    }
    people.fill()
    return record


def _assessments(patient, people: People) -> list[dict]:
    found = (
        patient.assessments.order_by("created_at", "pk")
        .with_findings()
        .prefetch_related(
            Prefetch("flags", am.RedFlag.objects.order_by("pk")),
            Prefetch("amendments", am.Amendment.objects.order_by("made_at", "pk")),
        )
    )
    entries = []
    for assessment in found:
        entry = _assessment_row(assessment, people)
        entry["flags_raised"] = [row(flag, people) for flag in assessment.flags.all()]
        entry["amendments"] = [row(a, people) for a in assessment.amendments.all()]
        entries.append(entry)
    return entries


def _visit_records(patient, people: People) -> list[dict]:
    """Every visit record, with the in-clinic items ticked (named as the plan gave them) and
    its amendments."""
    found = patient.visit_records.order_by("created_at", "pk").prefetch_related(
        Prefetch("items", am.VisitRecordItem.objects.select_related("plan_item").order_by("pk")),
        Prefetch("amendments", am.VisitRecordAmendment.objects.order_by("made_at", "pk")),
    )
    entries = []
    for record in found:
        entry = row(record, people)
        entry["items"] = [
            {**row(item, people), "plan_item_label": item.plan_item.label_text}
            for item in record.items.all()
        ]
        entry["amendments"] = [row(a, people) for a in record.amendments.all()]
        entries.append(entry)
    return entries


def _plans(given, people: People) -> list[dict]:
    items = Prefetch("items", am.PlanItem.objects.order_by("kind", "position", "pk"))
    entries = []
    for plan in given.order_by("version", "pk").prefetch_related(items):
        entry = row(plan, people)
        entry["items"] = [row(item, people) for item in plan.items.all()]
        entries.append(entry)
    return entries


def _assessment_row(assessment, people: People) -> dict:
    """An assessment's stored fields and its sections (typed records, measurement rows and the
    body weight) each in the place and shape it had when the sections were JSON columns; the
    answers the move to typed records kept as recorded, when there are any, after them."""
    entry = row(assessment, people)
    stored = list(entry.items())
    entry.clear()  # refilled in place: `people` fills the names into this very dict
    sections = iter(SECTION_CODES)
    for key, value in stored:
        if key in ("body_weight_kg", "findings_unmigrated"):
            continue  # in the measurements, as "body_weight_kg"; and below
        entry[key] = value
        if key in ("status", "measurements_unmigrated"):
            for code in sections:
                entry[code] = assessment.section(code)
                if code in ("measurements", "red_flags"):
                    break
    if assessment.findings_unmigrated:
        entry["findings_unmigrated"] = assessment.findings_unmigrated
    return entry


def _scale_row(scale, people: People) -> dict:
    """A PSFS with its activities (rows) as the list it always had, after the day; activities
    the move to rows kept as recorded, when there are any."""
    entry = row(scale, people)
    stored = list(entry.items())
    entry.clear()  # refilled in place, as an assessment's
    for key, value in stored:
        if key == "activities_unmigrated":
            continue
        entry[key] = value
        if key == "recorded_on":
            entry["activities"] = scale.activities
    if scale.activities_unmigrated:
        entry["activities_unmigrated"] = scale.activities_unmigrated
    return entry


def _portal_account(patient) -> dict | None:
    user = patient.portal_user
    if user is None:
        return None
    fields = ("username", "email", "is_active", "date_joined", "last_login")
    return {name: getattr(user, name) for name in fields}


def _access_log(patient) -> list[dict]:
    """Who created, changed, viewed, downloaded or exported this patient's records, and when
    (from the audit trail; the addresses stay with the clinic)."""
    entries = AuditEntry.objects.filter(patient=patient).select_related("content_type", "actor")
    rows = []
    for entry in entries.order_by("id"):
        shown = audit_display.describe(entry)
        rows.append(
            {
                "at": entry.timestamp,
                "by": shown["who_display"] or shown["who"],
                "what": shown["what"],
                "record": shown["record"],
                "detail": shown["detail"],
            }
        )
    return rows


def to_json(record: dict) -> bytes:
    return json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _text(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)
    return str(value)


def readable(model, data: dict) -> list[tuple[str, str]]:
    """(label, text) pairs of one record, in the model's field order, for the PDF."""
    lines = []
    for field in model._meta.concrete_fields:
        if field.attname not in data or field.name in PDF_LEFT_OUT:
            continue
        value = data[field.attname]
        if field.choices and value not in (None, ""):
            value = dict(field.flatchoices).get(value, value)
        if isinstance(field, models.ForeignKey) and f"{field.name}_name" in data:
            value = data[f"{field.name}_name"]
        text = _text(value)
        if text:
            lines.append((field_label(field), text))
    return lines


def _sections(record: dict) -> list[dict]:
    tz = timezone.get_current_timezone()

    def block(title, model, rows, extra=None, compact=False):
        records = []
        for data in rows:
            lines = readable(model, data)
            records.append({"lines": lines, "extra": extra(data) if extra else []})
        return {"title": title, "records": records, "compact": compact, "count": len(rows)}

    def assessment_extra(data):
        parts = []
        for code, label in SECTIONS:
            lines = (summary.stored_lines if code == "measurements" else summary.describe)(
                code, data.get(code) or {}
            )
            if lines:
                parts.append({"title": str(label), "lines": lines})
        parts += [
            {"title": _("Red flag"), "lines": readable(am.RedFlag, flag)}
            for flag in data["flags_raised"]
        ]
        parts += [
            {"title": _("Amendment"), "lines": readable(am.Amendment, a)}
            for a in data["amendments"]
        ]
        return parts

    def visit_extra(data):
        parts = [
            {
                "title": f"{_('In-clinic work done')}: {item['plan_item_label']}",
                "lines": readable(am.VisitRecordItem, item),
            }
            for item in data["items"]
        ]
        parts += [
            {"title": _("Amendment"), "lines": readable(am.VisitRecordAmendment, a)}
            for a in data["amendments"]
        ]
        return parts

    def plan_extra(data):
        # What the patient was given (the snapshot), item by item, as on the handout; a draft
        # (never given) lists its items as stored.
        if not data.get("snapshot"):
            return [
                {"title": _("Plan item"), "lines": readable(am.PlanItem, item)}
                for item in data["items"]
            ]
        items = data["snapshot"].get("items", [])
        return [
            {
                "title": in_language(item.get("name") or item.get("label", "")),
                "lines": [(_("Reason"), in_language(item.get("reason", "")))]
                if item.get("reason")
                else [],
                "item": item,
            }
            for item in items
        ]

    return [
        block(_("Patient"), pm.Patient, [record["patient"]]),
        block(_("Consents"), pm.Consent, record["consents"]),
        block(_("Visits"), pm.Appointment, record["appointments"], compact=True),
        block(_("Assessments"), am.Assessment, record["assessments"], assessment_extra),
        block(_("Care plans"), am.CarePlan, record["care_plans"], plan_extra),
        block(_("Visit records"), am.VisitRecord, record["visit_records"], visit_extra),
        block(_("Referrals"), am.Referral, record["referrals"]),
        *_home_records(record, block),
        block(
            _("Function scores (PSFS)"),
            am.FunctionalScale,
            record["functional_scales"],
            lambda data: [
                {
                    "title": _("Activities"),
                    "lines": [(a["name"], f"{a['score']} / 10") for a in data["activities"]],
                }
            ],
        ),
        {
            "title": _("Who used these records"),
            "compact": True,
            "count": len(record["access_log"]),
            "records": [
                {
                    "lines": [
                        (
                            str(e["at"].astimezone(tz))[:16],
                            f"{e['by']} · {e['what']} · {e['record']} {e['detail']}".strip(),
                        )
                    ]
                }
                for e in record["access_log"]
            ],
        },
    ]


def _raised(check: dict) -> bool:
    return any(check[question] for question in am.SafetyCheck.QUESTIONS)


def _home_records(record: dict, block) -> list[dict]:
    """The daily logs and safety answers counted per week or month (a year of them is a
    thousand rows or more: the JSON has each one); the patient's notes and every "yes" answer
    one by one."""
    logs, checks = record["exercise_logs"], record["safety_checks"]
    unit, periods, total = home_log_summary.summarise(
        logs, [(check["day"], _raised(check)) for check in checks]
    )
    names = _exercise_names(record)
    exercise_log = {
        "title": _("Home exercise log"),
        "count": len(logs),
        "compact": True,
        "note": _("Counted per week; every entry is in the JSON export.")
        if unit == home_log_summary.WEEK
        else _("Counted per month; every entry is in the JSON export."),
        "summary": {"periods": periods, "total": total, "week": unit == home_log_summary.WEEK},
        "records_title": _("Notes the patient wrote"),
        "records": [_note(log, names) for log in logs if log["note"]],
    }
    safety = block(
        _("Safety checks"), am.SafetyCheck, [c for c in checks if _raised(c)], compact=True
    )
    safety["count"] = len(checks)
    safety["note"] = _("The days with a “yes”, one by one; every day is counted above.")
    return [exercise_log, safety]


def _note(log: dict, names: dict) -> dict:
    exercise = names.get(log["item_code"], log["item_code"])
    return {"lines": [(_text(log["day"]), f"{exercise}: {log['note']}")]}


def _exercise_names(record: dict) -> dict:
    """Exercise code -> the name the patient was given it under (the plans' snapshots)."""
    return {
        item["code"]: in_language(item.get("name") or item.get("label", ""))
        for plan in record["care_plans"]
        for item in (plan.get("snapshot") or {}).get("items", [])
        if item.get("code")
    }


def to_pdf(record: dict) -> bytes:
    return pdf.render_pdf(
        "assessments/pdf/disclosure.html",
        {"record": record, "sections": _sections(record), "exported_at": record["exported_at"]},
    )
