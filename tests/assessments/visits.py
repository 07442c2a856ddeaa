"""What the visit-record tests share (not a test module): a visit in the clinic, a record's
data as the form writes it, the form as posted, and a cast's record for the permission walk."""

from django.utils import timezone

from assessments import visit_records
from assessments.models import PlanItem
from patients.models import AppointmentStatus
from tests.factories import AppointmentFactory

NO_FLAGS = {"new_swelling_or_heat": False, "new_numbness": False, "much_worse_pain": False}


def checked_in(patient, practitioner, status=AppointmentStatus.CHECKED_IN):
    return AppointmentFactory(patient=patient, practitioner=practitioner, status=status)


def data(**changes):
    """A complete record's data (as `VisitRecordForm.to_data` writes it)."""
    values = {
        "pain_before": 5,
        "pain_after": 3,
        "other_work": "",
        "response": "better",
        "response_note": "",
        "home_care": "as_planned",
        "notes": "",
        "next_visit_on": None,
        "recheck": dict(NO_FLAGS),
        "items": {},
    }
    return {**values, **changes}


def posted(**changes):
    """The form as a browser posts it: every answer, all re-check questions "no"."""
    values = {
        "pain_before": "5",
        "pain_after": "3",
        "response": "better",
        "home_care": "as_planned",
        "new_swelling_or_heat": "no",
        "new_numbness": "no",
        "much_worse_pain": "no",
    }
    return {key: value for key, value in {**values, **changes}.items() if value is not None}


def clinic_items(plan):
    return list(plan.items.filter(kind=PlanItem.Kind.CLINIC, removed=False).order_by("position"))


def cast_visit(cast):
    """The cast's checked-in visit (made once per cast)."""
    if not hasattr(cast, "visit"):
        cast.visit = checked_in(cast.patient, cast.practitioner)
    return cast.visit


def cast_record(cast):
    """A draft record of another checked-in visit of the cast's patient (made once)."""
    if not hasattr(cast, "visit_record"):
        cast.visit_record = visit_records.start(
            appointment=checked_in(cast.patient, cast.practitioner),
            by=cast.practitioner,
            data=data(),
            today=timezone.localdate(),
        )
    return cast.visit_record


def planned_patient(clinic, practitioner, **patient_fields):
    """A patient with the demo's worked case signed and its plan published (in-clinic items on
    both legs, on the pelvis, and the right leg)."""
    import datetime as dt

    from assessments.plans import create_draft, publish
    from devtools.management.commands.load_demo import KNEE_BACK_RIGHT
    from devtools.records import record
    from tests.factories import PatientFactory

    today = timezone.localdate()
    patient = PatientFactory(clinic=clinic, **patient_fields)
    onset = (today - dt.timedelta(days=21)).isoformat()
    sections = {**KNEE_BACK_RIGHT, "complaint": {**KNEE_BACK_RIGHT["complaint"], "onset": onset}}
    signed = record(
        patient=patient, practitioner=practitioner, sections=sections, today=today, sign_it=True
    )
    plan = create_draft(assessment=signed, by=practitioner, today=today)
    publish(plan=plan, by=practitioner, today=today, referral_explained=True)
    return patient, plan


def sign_red_flag_screen(assessment, by):
    """The red-flag screen recorded (a swollen warm left leg) and the assessment signed, every
    flag acknowledged: the red-flag path followed to its end."""
    from assessments.services import acknowledge, save_section, sign

    assessment = save_section(
        assessment=assessment,
        section="red_flags",
        data={"leg_swelling": "left", "leg_warm": True},
        revision=assessment.revision,
        by=by,
        today=timezone.localdate(),
    )
    if "complaint" not in assessment.saved_sections:
        assessment = save_section(
            assessment=assessment,
            section="complaint",
            data={"region": "calf", "side": "left", "pain": 6},
            revision=assessment.revision,
            by=by,
            today=timezone.localdate(),
        )
    for flag in assessment.flags.filter(is_current=True):
        acknowledge(flag=flag, by=by)
    return sign(assessment=assessment, by=by, today=timezone.localdate())
