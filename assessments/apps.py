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
            models.AsymmetryThreshold,
            models.Exercise,
            models.PlanItem,
            models.Referral,
            models.ExerciseLog,
            models.SafetyCheck,
            models.FunctionalScale,
        ):
            audit.register(model)
        audit.register(models.CarePlan, exclude_fields=["handout_pdf"])
        audit_display.SECTION_LABELS.update(models.assessment.SECTIONS)
