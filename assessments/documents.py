"""The patient handout and the referral letter (情報提供書), rendered from stored data only."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import get_language

from assessments import pdf
from assessments.explain import wells_breakdown
from assessments.models import CarePlan, PlanDocument, Referral
from assessments.rules.measures import MEASURE_BY_CODE
from assessments.rules.redflags import DEPARTMENT_LABELS, URGENCY_LABELS, URGENCY_ORDER
from assessments.summary import describe

# The language of the handout that is kept: the clinic's, which patients and the desk print.
KEPT_LANGUAGE = "ja"


class NotGiven(ValueError):
    """Only a plan the patient was given (published, or superseded since) has a handout."""


def handout(plan: CarePlan) -> bytes:
    """The given plan's handout in the reader's language. The Japanese one was rendered when
    the plan was published and is read back as it was stored (one query, the only one that
    reads the PDF); a plan published before handouts were kept gets its file on the first
    download. An English copy is rendered when asked for and never kept."""
    if not (get_language() or KEPT_LANGUAGE).startswith(KEPT_LANGUAGE):
        return render_handout(plan.snapshot)
    stored = PlanDocument.objects.filter(plan_id=plan.pk).values_list("pdf", flat=True).first()
    if stored is not None:
        return bytes(stored)
    return keep_handout(plan=plan).pdf


def keep_handout(*, plan: CarePlan) -> PlanDocument:
    """Render the given plan's Japanese handout from its snapshot and store it (once: a second
    call, or two first downloads at the same moment, keep the first file)."""
    if not plan.was_given or not plan.snapshot:
        raise NotGiven(plan.pk)
    with translation.override(KEPT_LANGUAGE):
        content = render_handout(plan.snapshot)
    document = PlanDocument(
        plan_id=plan.pk,  # not `plan=`: a refused save would leave itself in plan.document
        language=KEPT_LANGUAGE,
        pdf=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        rendered_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # another request stored it first: that file is the handout
        return PlanDocument.objects.get(plan_id=plan.pk)
    return document


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
