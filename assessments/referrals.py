"""Referrals to a doctor: opened when a plan with red flags is published (one per department and
flag, an open one reused across reassessments), followed to their outcome, and a doctor's
clearance that may lift the hazards of the flags it answered."""

from django.db import transaction
from django.db.models import F

from assessments.models import Assessment, AssessmentStatus, CarePlan, Referral, ReferralStatus
from assessments.plan_basis import hazards_for_assessment
from assessments.rules.hazards import HAZARD_BY_CODE
from clinic.models import Clinic


def open_referrals_of(patient, department: str):
    return Referral.objects.filter(patient=patient, department=department).exclude(
        status=ReferralStatus.CLOSED
    )


def open_for_plan(*, plan: CarePlan, by) -> None:
    """One referral per department and flag: a flag an open referral of the patient already
    carries is not referred twice (a reassessment reuses it); the rest get a new one."""
    for proposal in plan.referrals:
        department = proposal["department"]
        if Referral.objects.filter(assessment=plan.assessment, department=department).exists():
            continue
        covered = {
            code
            for referral in open_referrals_of(plan.patient, department)
            for code in referral.flag_codes
        }
        remaining = [code for code in proposal["flag_codes"] if code not in covered]
        if not remaining:
            continue
        reason = proposal["reason"]
        Referral.objects.create(
            clinic_id=plan.clinic_id,
            patient=plan.patient,
            assessment=plan.assessment,
            number=_next_number(plan.clinic_id),
            department=department,
            urgency=proposal["urgency"],
            reason=reason["ja"] if isinstance(reason, dict) else reason,
            reason_en=reason.get("en", "") if isinstance(reason, dict) else "",
            flag_codes=remaining,
            created_by=by,
        )


def for_plan(plan: CarePlan):
    """The referrals a plan's page links: those opened from its assessment, and the patient's
    open ones it reuses."""
    departments = [proposal["department"] for proposal in plan.referrals]
    from_assessment = Referral.objects.filter(assessment=plan.assessment)
    still_open = Referral.objects.filter(patient=plan.patient, department__in=departments).exclude(
        status=ReferralStatus.CLOSED
    )
    return (from_assessment | still_open).distinct().order_by("number")


def _next_number(clinic_id) -> int:
    Clinic.objects.filter(pk=clinic_id).update(next_referral_number=F("next_referral_number") + 1)
    return Clinic.objects.values_list("next_referral_number", flat=True).get(pk=clinic_id) - 1


@transaction.atomic
def record_outcome(*, referral: Referral, seen_on, doctor_findings, cleared, outcome_on, by):
    referral = Referral.objects.select_for_update(no_key=True).get(pk=referral.pk)
    referral.seen_on = seen_on
    referral.doctor_findings = doctor_findings
    referral.cleared = cleared
    referral.outcome_on = outcome_on
    referral.outcome_recorded_by = by
    referral.status = ReferralStatus.CLOSED if cleared is not None else ReferralStatus.SEEN
    referral.save()
    return referral


def latest_signed(patient) -> Assessment | None:
    return (
        Assessment.objects.filter(patient=patient, status=AssessmentStatus.SIGNED)
        .order_by("-signed_at", "-id")
        .first()
    )


def liftable(referral: Referral, today) -> list:
    """The hazards this referral's clearance may lift: those in force on the patient's latest
    signed assessment (a redraft is made from that one) that the referral's own flags raised.
    A clearance for knee pain never lifts what a swollen leg or a pulsating lump holds."""
    if not referral.cleared:
        return []
    latest = latest_signed(referral.patient) or referral.assessment
    return [
        hazard
        for hazard in hazards_for_assessment(latest, today)
        if HAZARD_BY_CODE[hazard.code].lifted_by(referral.flag_codes)
    ]
