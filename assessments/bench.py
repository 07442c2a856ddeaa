"""Bench data for `make bench`: a patient with N earlier signed assessments and a current draft."""

from django.utils import timezone

from assessments import services
from assessments.models import Assessment
from clinic.models import Clinic, Role, User
from patients.models import Patient

SECTIONS = {
    "complaint": {
        "region": "knee_back",
        "side": "right",
        "qualities": ["pulling"],
        "pain": 5,
        "provokers": ["walking"],
    },
    "measurements": {
        "slr": {"left": "75", "right": "55"},
        "knee_to_wall": {"left": "10", "right": "6.5"},
        "calf_circumference": {"left": "36.5", "right": "37"},
    },
    "habits": {"bag_side": "right", "leg_on_top": "right", "sitting_hours": "9"},
    "red_flags": {"night_pain": True},
}


def practitioner_for(clinic: Clinic) -> User:
    user, _ = User.objects.get_or_create(
        username=f"{clinic.slug}-practitioner",
        defaults={"clinic": clinic, "role": Role.PRACTITIONER, "display_name": "ベンチ 施術者"},
    )
    return user


def assessment_with_history(clinic: Clinic, earlier: int) -> Assessment:
    """The current draft of a patient who has `earlier` signed assessments (made once, reused)."""
    practitioner = practitioner_for(clinic)
    patient = Patient.objects.filter(clinic=clinic, is_archived=False).order_by("number")[earlier]
    signed = patient.assessments.filter(status="signed").count()
    today = timezone.localdate()
    for _ in range(earlier - signed):
        assessment = _filled(patient, practitioner, today)
        for flag in assessment.flags.filter(is_current=True):
            services.acknowledge(flag=flag, by=practitioner)
        services.sign(assessment=assessment, by=practitioner, today=today)
    draft = patient.assessments.filter(status="draft").first()
    return draft or _filled(patient, practitioner, today)


def _filled(patient, practitioner, today) -> Assessment:
    assessment = services.start_assessment(patient=patient, practitioner=practitioner)
    for code, data in SECTIONS.items():
        assessment = services.save_section(
            assessment=assessment,
            section=code,
            data=data,
            revision=assessment.revision,
            by=practitioner,
            today=today,
        )
    return assessment


KNEE_BACK_PLAN = {
    "complaint": {"region": "knee_back", "side": "right", "qualities": ["pulling"], "pain": 5},
    "posture": {"thoracic_kyphosis": True},
    "measurements": {
        "slr": {"left": "75", "right": "55"},
        "knee_to_wall": {"left": "10", "right": "6.5"},
    },
    "lower_limb": {"stiff_hip": "right"},
    "habits": {
        "work_style": "desk",
        "leg_on_top": "right",
        "bag_side": "right",
        "cold_extremities": True,
    },
    "red_flags": {},
}


def published_plan(clinic: Clinic):
    """A published plan with five home exercises for a bench patient (made once, reused)."""
    from assessments import plans
    from assessments.library import install_shipped
    from assessments.models import CarePlan

    found = CarePlan.objects.filter(clinic=clinic, status="published", patient__number=1).first()
    if found:
        return found
    install_shipped(clinic)
    practitioner = practitioner_for(clinic)
    patient = Patient.objects.get(clinic=clinic, number=1)
    today = timezone.localdate()
    assessment = services.start_assessment(patient=patient, practitioner=practitioner)
    for code, data in KNEE_BACK_PLAN.items():
        assessment = services.save_section(
            assessment=assessment,
            section=code,
            data=data,
            revision=assessment.revision,
            by=practitioner,
            today=today,
        )
    assessment = services.sign(assessment=assessment, by=practitioner, today=today)
    plan = plans.create_draft(assessment=assessment, by=practitioner, today=today)
    return plans.publish(plan=plan, by=practitioner, today=today, referral_explained=True)
