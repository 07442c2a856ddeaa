"""The visit record (施術記録): what was done at one visit between assessments, written in a
minute by the practitioner, signed, and changed afterwards only by amendment.

Typed columns throughout; the ticked in-clinic items of the plan are rows (`VisitRecordItem`)
pointing at the plan item. JSON holds frozen snapshots only: the ticked items' text at signing,
and an amendment's before and after. Never deleted (the foreign keys to it protect it).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models.assessment import AmendmentRecord
from assessments.rules import visit as visit_rules
from assessments.rules.facts import Side
from clinic.models import Clinic
from patients.models import Appointment, Patient

NRS = models.Q(pain_before__gte=0, pain_before__lte=10)
NRS_AFTER = models.Q(pain_after__isnull=True) | models.Q(pain_after__gte=0, pain_after__lte=10)
RECHECK_FIELDS = tuple(question.code for question in visit_rules.QUESTIONS)


class VisitRecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class Response(models.TextChoices):
    BETTER = "better", _("Better")
    SAME = "same", _("About the same")
    WORSE = "worse", _("Worse")


class HomeCare(models.TextChoices):
    AS_PLANNED = "as_planned", _("Did them as planned")
    PARTLY = "partly", _("Did some of them")
    NOT_DONE = "not_done", _("Did not do them")
    NONE_GIVEN = "none_given", _("No home exercises in the plan")


class VisitSide(models.TextChoices):
    # The codes are the rules' own sides ("" is an item not done on a leg).
    LEFT = Side.LEFT, _("Left")
    RIGHT = Side.RIGHT, _("Right")
    BOTH = Side.BOTH, _("Both")
    NONE = Side.NONE, _("Not on a leg")


def _recheck_field(question):
    return models.BooleanField(question.label, null=True, blank=True)


class VisitRecord(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="visit_records")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visit_records")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="visit_record"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visit_records"
    )
    # The plan whose in-clinic items could be ticked: the patient's published plan when the
    # record was started (none when there was no plan).
    plan = models.ForeignKey(
        "assessments.CarePlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_records",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=VisitRecordStatus.choices,
        default=VisitRecordStatus.DRAFT,
    )
    pain_before = models.PositiveSmallIntegerField(
        _("pain before (0-10)"), validators=[MaxValueValidator(10)]
    )
    pain_after = models.PositiveSmallIntegerField(
        _("pain after (0-10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    other_work = models.CharField(_("anything else done"), max_length=300, blank=True)
    response = models.CharField(_("how the patient responded"), max_length=10, choices=Response)
    response_note = models.CharField(_("response, in words"), max_length=300, blank=True)
    home_care = models.CharField(_("home exercises"), max_length=12, choices=HomeCare)
    # What the portal log said when the record was written: days with an exercise done out of
    # the days the plan assigned, over the last HOME_LOG_DAYS days (none without a plan or log).
    home_log_days_done = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    home_log_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    next_visit_on = models.DateField(_("next visit suggested"), null=True, blank=True)
    # The red-flag re-check: three questions, all answered before signing; a "yes" opens the
    # assessment's red-flag path (`red_flag_assessment`) and is never taken back.
    new_swelling_or_heat = _recheck_field(visit_rules.QUESTION_BY_CODE["new_swelling_or_heat"])
    new_numbness = _recheck_field(visit_rules.QUESTION_BY_CODE["new_numbness"])
    much_worse_pain = _recheck_field(visit_rules.QUESTION_BY_CODE["much_worse_pain"])
    red_flag_assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_records",
    )
    red_flag_opened_at = models.DateTimeField(null=True, blank=True)
    # The linked assessment's revision when the "yes" opened the path: its red-flag screen must be
    # saved after that (a later revision), so a draft screened before the "yes" cannot close it.
    red_flag_opened_revision = models.PositiveIntegerField(null=True, blank=True)
    # At signing: the ticked items as they read then ({"items": [...], "plan_version": n}).
    signed_items = models.JSONField(default=dict, blank=True, editable=False)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("visit record")
        verbose_name_plural = _("visit records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "created_at"], name="visitrec_patient"),
            models.Index(fields=["clinic", "status"], name="visitrec_clinic_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=NRS, name="visitrec_pain_before_0_10"),
            models.CheckConstraint(condition=NRS_AFTER, name="visitrec_pain_after_0_10"),
            models.CheckConstraint(
                condition=models.Q(response__in=Response.values),
                name="visitrec_response_choice",
            ),
            models.CheckConstraint(
                condition=models.Q(home_care__in=HomeCare.values),
                name="visitrec_home_care_choice",
            ),
            # Signed means every re-check question was answered.
            models.CheckConstraint(
                condition=~models.Q(status=VisitRecordStatus.SIGNED)
                | models.Q(
                    new_swelling_or_heat__isnull=False,
                    new_numbness__isnull=False,
                    much_worse_pain__isnull=False,
                    signed_at__isnull=False,
                ),
                name="visitrec_signed_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.patient} {timezone.localtime(self.created_at or timezone.now()):%Y-%m-%d}"

    def delete(self, *args, **kwargs):
        raise ValueError("a visit record is never deleted: correct it by amendment")

    @property
    def is_signed(self) -> bool:
        return self.status == VisitRecordStatus.SIGNED

    @property
    def answers(self) -> visit_rules.Recheck:
        return visit_rules.Recheck(**{code: getattr(self, code) for code in RECHECK_FIELDS})

    @property
    def outcome(self) -> visit_rules.RecheckOutcome:
        return visit_rules.recheck(self.answers)

    @property
    def raised_labels(self) -> list[str]:
        return [visit_rules.QUESTION_BY_CODE[code].label for code in self.outcome.raised]

    @property
    def red_flag_path_signed(self) -> bool:
        """The "yes" was examined: the linked assessment's red-flag screen was saved after the
        path opened, and the assessment is signed."""
        found = self.red_flag_assessment
        if found is None or not found.is_signed:
            return False
        screened_at = found.section_revisions.get("red_flags", 0)
        return screened_at > (self.red_flag_opened_revision or 0)

    @property
    def red_flag_path_open(self) -> bool:
        return self.outcome.opens_red_flag_path and not self.red_flag_path_signed

    def sign_verdict(self) -> visit_rules.SignVerdict:
        return visit_rules.sign_verdict(
            self.outcome, red_flag_path_signed=self.red_flag_path_signed
        )


class VisitRecordItem(models.Model):
    """One in-clinic item of the plan done at the visit: where, and a short note."""

    visit_record = models.ForeignKey(VisitRecord, on_delete=models.PROTECT, related_name="items")
    plan_item = models.ForeignKey(
        "assessments.PlanItem", on_delete=models.PROTECT, related_name="visit_record_items"
    )
    side = models.CharField(_("side"), max_length=8, choices=VisitSide.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("in-clinic item done")
        verbose_name_plural = _("in-clinic items done")
        ordering = ["plan_item__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit_record", "plan_item"], name="visitrec_item_once"
            ),
            models.CheckConstraint(
                condition=models.Q(side__in=VisitSide.values), name="visitrec_item_side"
            ),
        ]

    def __str__(self):
        return f"{self.plan_item} {self.side}".strip()


class VisitRecordAmendment(AmendmentRecord):
    """A correction of a signed visit record: who, when, why, and the record before and after."""

    visit_record = models.ForeignKey(
        VisitRecord, on_delete=models.PROTECT, related_name="amendments"
    )

    class Meta(AmendmentRecord.Meta):
        verbose_name = _("visit record amendment")
        verbose_name_plural = _("visit record amendments")

    def __str__(self):
        return f"{self.visit_record} {self.made_at:%Y-%m-%d}"
