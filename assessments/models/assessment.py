"""Assessments: what the practitioner found in one visit, the red flags it raised, and amendments.

Each section of the assessment is validated by its form (assessments/forms.py) and again by its
typed record before it is written: the bilateral measurements are rows (`Measurement`) and the
body weight a column, every other section a record of typed fields (`models/findings.py`). The
clinical rules (assessments/rules) read them through assessments/services.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.models.findings import SECTION_RECORDS, section_of
from assessments.models.measurement import BODY_WEIGHT_IN_RANGE, measurements_section
from assessments.rules.redflags import (
    DEPARTMENT_LABELS,
    RULE_BY_CODE,
    URGENCY_LABELS,
    rule_label,
)
from clinic.models import Clinic
from patients.models import Appointment, Patient

SECTIONS = (
    ("complaint", _("Complaint")),
    ("posture", _("Posture")),
    ("measurements", _("Left-right measurements")),
    ("lower_limb", _("Pelvis, hip, ankle and gait")),
    ("palpation", _("Back of the knee")),
    ("habits", _("Daily habits")),
    ("red_flags", _("Red-flag screen")),
)
SECTION_CODES = tuple(code for code, _label in SECTIONS)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed")


class AssessmentQuerySet(models.QuerySet):
    def with_findings(self):
        """Each row with every section it holds, read in a fixed number of queries."""
        return self.select_related(
            *(f"{code}_record" for code in SECTION_RECORDS)
        ).prefetch_related("measurement_rows", "complaint_record__traits")


class Assessment(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="assessments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="assessments")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    # The signed assessment this one was pre-filled from (a reassessment).
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    # The findings are typed records, one per section saved (assessments/models/findings.py):
    # complaint_record, posture_record, ...; the measurements are Measurement rows.
    body_weight_kg = models.DecimalField(
        _("body weight (kg)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    # Values the move to typed rows could not read or found out of range, kept as they were.
    measurements_unmigrated = models.JSONField(
        _("measurements kept as recorded (not moved to rows)"),
        default=dict,
        blank=True,
        editable=False,
    )
    # Answers of the other sections the move to typed records could not hold, kept as they were:
    # {section: {field: as stored}}.
    findings_unmigrated = models.JSONField(
        _("findings kept as recorded (not moved to typed fields)"),
        default=dict,
        blank=True,
        editable=False,
    )
    # The last screening: asymmetries, Wells, rules version (flags also live as RedFlag rows).
    screening = models.JSONField(default=dict, blank=True, editable=False)
    # Bumped by every save; a save made against an older revision is a conflict.
    revision = models.PositiveIntegerField(default=1, editable=False)
    # section -> the revision its last save produced: a conflict is a save of the SAME section
    # made after the form was opened (two people may fill different sections at once).
    section_revisions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "status", "created_at"], name="assess_patient"),
            # the outcomes page: a clinic's signed assessments in a period
            models.Index(fields=["clinic", "status", "signed_at"], name="assess_signed"),
        ]
        constraints = [
            models.CheckConstraint(condition=BODY_WEIGHT_IN_RANGE, name="body_weight_in_range")
        ]

    def __str__(self):
        return f"{self.patient} {timezone.localtime(self.created_at):%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.status == AssessmentStatus.SIGNED

    @property
    def saved_sections(self) -> list[str]:
        return list(self.section_revisions)

    def section(self, code: str) -> dict:
        """One section as its form writes it, read from the typed records ({} if never saved)."""
        if code == "measurements":
            return measurements_section(self)
        if code not in SECTION_RECORDS:
            raise ValueError(f"not an assessment section: {code!r}")
        return section_of(self, code)


class RedFlag(models.Model):
    """One red flag raised by the screen, kept with what it used and the rules that raised it.

    Never deleted: a flag that no longer fires after a correction is kept with is_current=False.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="flags")
    code = models.CharField(max_length=60)
    label = models.CharField(max_length=200)
    department = models.CharField(max_length=40)
    urgency = models.CharField(max_length=20)
    reason = models.TextField()
    reason_en = models.TextField(blank=True)
    inputs = models.JSONField(default=dict)
    source = models.CharField(max_length=300)
    rules_version = models.CharField(max_length=20)
    raised_at = models.DateTimeField(auto_now_add=True)
    is_current = models.BooleanField(default=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="one_flag_per_code")
        ]

    def __str__(self):
        return self.label

    @property
    def label_text(self):
        """The rule's label in the reader's language (the stored one for an unknown code)."""
        label = rule_label(self.code)
        return self.label if label == self.code else label

    @property
    def source_text(self):
        """The rule's source in the reader's language (the stored one for an unknown code)."""
        rule = RULE_BY_CODE.get(self.code)
        return rule.source if rule else self.source

    @property
    def reason_text(self):
        return (
            self.reason_en
            if (get_language() or "").startswith("en") and self.reason_en
            else self.reason
        )

    @property
    def department_label(self):
        return DEPARTMENT_LABELS.get(self.department, self.department)

    @property
    def urgency_label(self):
        return URGENCY_LABELS.get(self.urgency, self.urgency)


class AmendmentRecord(models.Model):
    """What every amendment of a signed record keeps: the record before and after (frozen JSON),
    why, who and when. The assessment's and the visit record's amendments are both this."""

    before = models.JSONField()
    after = models.JSONField()
    reason = models.TextField(_("reason for the amendment"))
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["made_at", "id"]


class Amendment(AmendmentRecord):
    """A correction to a signed assessment: who, when, why, and the section before and after."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="amendments")
    section = models.CharField(max_length=20)

    class Meta(AmendmentRecord.Meta):
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")

    def __str__(self):
        return f"{self.assessment} {self.section} {self.made_at:%Y-%m-%d}"

    @property
    def section_label(self):
        return dict(SECTIONS).get(self.section, self.section)


class AsymmetryThreshold(models.Model):
    """A clinic's own threshold for one measure, replacing the documented default."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="thresholds")
    measure = models.CharField(max_length=40)
    threshold = models.DecimalField(_("threshold"), max_digits=5, decimal_places=1)
    note = models.CharField(_("why this value"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("asymmetry threshold")
        verbose_name_plural = _("asymmetry thresholds")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "measure"], name="one_threshold_per_measure")
        ]

    def __str__(self):
        return f"{self.measure}: {self.threshold}"
