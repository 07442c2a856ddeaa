"""The snapshot a published plan freezes: what the handout and the portal show, in Japanese and
English, so a later change of the library, the rules or the wording never rewrites what a
patient was given."""

from django.utils import timezone

from assessments import body
from assessments.models import CarePlan, PlanItem
from assessments.plan_basis import (
    DOSE_FIELDS,
    hazards_for,
    library_for,
    ordered_items,
    pure_library,
)
from assessments.rules import hazards as hazard_rules
from assessments.rules.facts import Side
from assessments.rules.plan import block_reason
from assessments.rules.plan_rules import care_item
from assessments.rules.redflags import DEPARTMENT_LABELS, URGENCY_LABELS, patient_label
from assessments.rules.verdicts import LEGS, check
from assessments.rules.wording import both
from patients.models import Appointment, AppointmentStatus


def _next_visit(plan: CarePlan):
    visit = (
        Appointment.objects.filter(
            patient=plan.patient,
            start__gte=timezone.now(),
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
        )
        .select_related("practitioner")
        .order_by("start")
        .first()
    )
    if visit is None:
        return None
    local = timezone.localtime(visit.start)
    return {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "practitioner": str(visit.practitioner),
    }


def _exercise_snapshot(item: PlanItem) -> dict:
    row = item.exercise
    return {
        "name": {"ja": row.name_ja, "en": row.name_en or row.name_ja}
        if row
        else {"ja": item.label, "en": item.label_en or item.label},
        "purpose": row.purpose if row else "",
        "steps": row.lines("steps") if row else [],
        "key_points": row.lines("key_points") if row else [],
        "cautions": row.lines("cautions") if row else [],
        "illustration": row.illustration if row else "",
    }


def _held_leg(item: PlanItem, library, hazards) -> dict | None:
    """For an item given on one leg because a hazard holds the other: that leg and what the
    patient reads about it (the item is in their care on one leg, on hold on the other)."""
    if item.side not in LEGS:
        return None
    verdict = check(care_item(item.code, item.kind, library, Side.BOTH), hazards)
    if not verdict.narrowed or verdict.side != item.side:
        return None
    first = verdict.blocks[0]
    leg = verdict.held_leg
    return {
        "side": leg,
        "severity": verdict.severity,
        "hazards": verdict.hazard_codes(),
        "patient": both(hazard_rules.patient_why(first.hazard, first.tag, leg)),
        "reason": both(block_reason(first)),
    }


def _item_snapshot(item: PlanItem, library, hazards) -> dict:
    entry = {
        "kind": item.kind,
        "code": item.code,
        "label": {"ja": item.label, "en": item.label_en or item.label},
        "detail": {"ja": item.detail, "en": item.detail_en or item.detail},
        "reason": {"ja": item.reason, "en": item.reason_en or item.reason},
        "side": item.side,
        "extra_sets_side": item.extra_sets_side,
        "dose": {key: getattr(item, key) for key in DOSE_FIELDS},
        # For staff only: the practitioner's reason for giving it beside a relative hazard.
        "override_reason": item.override_reason,
        "overridden": list(item.overridden),
        "held_leg": _held_leg(item, library, hazards),
    }
    if item.kind == PlanItem.Kind.EXERCISE:
        entry.update(_exercise_snapshot(item))
    return entry


def _referral_snapshot(referral: dict) -> dict:
    return {
        "department": referral["department"],
        "urgency": referral["urgency"],
        "flag_codes": list(referral["flag_codes"]),
        "reason": referral["reason"],
        "department_label": both(DEPARTMENT_LABELS.get(referral["department"], "")),
        "urgency_label": both(URGENCY_LABELS.get(referral["urgency"], "")),
        "flag_labels": [both(patient_label(code)) for code in referral["flag_codes"]],
    }


def build(plan: CarePlan, *, by, today, rows=None) -> dict:
    """Everything the handout and the portal show, frozen in Japanese and English. An item is
    either in the patient's care or on hold, never both: what was added back is not listed as
    held, and a leg on hold is told beside the item it belongs to."""
    clinic, patient = plan.clinic, plan.patient
    library = pure_library(rows if rows is not None else library_for(plan.clinic_id))
    hazards = hazards_for(plan, today)
    items = [
        _item_snapshot(item, library, hazards)
        for item in ordered_items(plan, include_removed=False)
    ]
    given = {(item["kind"], item["code"]) for item in items}
    withheld = [
        held
        for held in plan.withheld
        if not held.get("partial") and (held["kind"], held["code"]) not in given
    ]
    return {
        "version": plan.version,
        "published_on": today.isoformat(),
        "clinic": {"name": clinic.name, "phone": clinic.phone, "address": clinic.address},
        "patient": {
            "name": patient.full_name,
            "kana": patient.full_name_kana,
            "number": patient.number_display,
        },
        "practitioner": str(by),
        "goals": plan.goals,
        "patient_note": plan.patient_note,
        "items": items,
        "withheld": withheld,
        "cautions": list(plan.cautions),
        "referrals": [_referral_snapshot(referral) for referral in plan.referrals],
        "care_on_hold": bool(withheld) or any(item["held_leg"] for item in items),
        "same_day": any(referral["urgency"] == "same_day" for referral in plan.referrals),
        "visit_interval_days": plan.visit_interval_days,
        "reassess_on": plan.reassess_on.isoformat() if plan.reassess_on else None,
        "next_visit": _next_visit(plan),
        "picture": _plain(body.picture(plan.assessment)),
        "rules_version": plan.rules_version,
    }


def _plain(value):
    """Lazy translation strings to text, so the snapshot is plain JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
