"""The patient handout and the referral letter (情報提供書), rendered from stored data only."""

from django.utils import timezone
from django.utils.translation import get_language

from assessments import pdf
from assessments.explain import wells_breakdown
from assessments.models import CarePlan, Referral
from assessments.rules.measures import MEASURE_BY_CODE
from assessments.rules.redflags import DEPARTMENT_LABELS, URGENCY_LABELS, URGENCY_ORDER
from assessments.summary import describe


def handout(plan: CarePlan) -> bytes:
    """The published plan's handout in the reader's language. The Japanese one (the clinic's
    language, which patients and the desk print) is rendered once and kept: the snapshot never
    changes after publishing, and a new version is a new plan with its own cache. An English
    copy is rendered when asked for."""
    if not (get_language() or "ja").startswith("ja"):
        return render_handout(plan.snapshot)
    if plan.handout_pdf:
        return bytes(plan.handout_pdf)
    content = render_handout(plan.snapshot)
    CarePlan.objects.filter(pk=plan.pk).update(handout_pdf=content)
    return content


def render_handout(snapshot: dict) -> bytes:
    kinds = {item["kind"]: True for item in snapshot.get("items", [])}
    return pdf.render_pdf("assessments/pdf/handout.html", {"plan": snapshot, "kinds": kinds})


def referral_letter(referral: Referral, *, by) -> bytes:
    assessment = referral.assessment
    rank = {code: i for i, code in enumerate(URGENCY_ORDER)}
    flags = sorted(
        assessment.flags.filter(code__in=referral.flag_codes, is_current=True),
        key=lambda flag: rank.get(flag.urgency, 9),
    )
    complaint = assessment.section("complaint")
    clinic, patient = referral.clinic, referral.patient
    return pdf.render_pdf(
        "assessments/pdf/referral_letter.html",
        {
            "referral": referral,
            "clinic": clinic,
            "patient": patient,
            "age": patient.age_on(timezone.localdate()),
            "assessment": assessment,
            "flags": flags,
            "wells": wells_breakdown(assessment.screening.get("wells")),
            "department": DEPARTMENT_LABELS.get(referral.department, referral.department),
            "urgency": URGENCY_LABELS.get(referral.urgency, referral.urgency),
            "practitioner": assessment.signed_by or assessment.practitioner,
            "written_on": timezone.localdate(),
            "complaint": complaint,
            "complaint_lines": describe("complaint", complaint),
            "asymmetries": [
                {
                    **a,
                    "label": MEASURE_BY_CODE[a["code"]].label,
                    "unit": MEASURE_BY_CODE[a["code"]].unit_label,
                }
                for a in assessment.screening.get("asymmetries", [])
                if a["flagged"] and a["code"] in MEASURE_BY_CODE
            ],
        },
    )
