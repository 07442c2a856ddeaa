from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Assessments")

    def ready(self):
        from assessments import models
        from clinic import audit, audit_display

        audit.register(models.Assessment, exclude_fields=["section_revisions"])
        for model in (
            models.RedFlag,
            models.Amendment,
            models.Measurement,
            *models.SECTION_RECORDS.values(),
            models.AsymmetryThreshold,
            models.Exercise,
            models.PlanItem,
            models.Referral,
            models.ExerciseLog,
            models.SafetyCheck,
            models.FunctionalScale,
            models.FunctionalActivity,
            models.VisitRecord,
            models.VisitRecordItem,
            models.VisitRecordAmendment,
        ):
            audit.register(model)
        for model in (models.VisitRecordItem, models.VisitRecordAmendment):
            audit.register_subject(
                model,
                lambda row: (row.visit_record.clinic_id, row.visit_record.patient_id),
            )
        audit.register(models.ComplaintTrait)
        audit.register_subject(
            models.ComplaintTrait,
            lambda trait: (
                trait.complaint.assessment.clinic_id,
                trait.complaint.assessment.patient_id,
            ),
        )
        audit.register_subject(
            models.FunctionalActivity,
            lambda activity: (activity.scale.patient.clinic_id, activity.scale.patient_id),
        )
        audit.register(models.CarePlan)
        # The file itself is left out: its size and SHA-256 name it in the trail.
        audit.register(models.PlanDocument, exclude_fields=["pdf"])
        audit_display.SECTION_LABELS.update(models.assessment.SECTIONS)
