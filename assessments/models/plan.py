"""The exercise library, care plans (draft → published → superseded) and referrals."""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessments.rules import plan_rules
from clinic.models import Clinic
from patients.models import Patient


class Exercise(models.Model):
    """A home exercise in a clinic's library. Retired, never deleted: old plans keep it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="exercises")
    code = models.SlugField(_("code"), max_length=60)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    purpose = models.TextField(_("purpose"), max_length=1000)
    steps = models.TextField(_("steps"), max_length=3000, help_text=_("One step a line."))
    key_points = models.TextField(
        _("key points"), max_length=2000, blank=True, help_text=_("One point a line.")
    )
    cautions = models.TextField(
        _("cautions"), max_length=2000, blank=True, help_text=_("One caution a line.")
    )
    # What kind of care it is (assessments/rules/care.py): the hazard table withholds by tag.
    care_tags = models.JSONField(_("kind of care"), default=list, blank=True)
    targets = models.JSONField(_("target findings"), default=list, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(_("hold (seconds)"), null=True, blank=True)
    reps = models.PositiveSmallIntegerField(_("repetitions"), null=True, blank=True)
    sets = models.PositiveSmallIntegerField(_("sets"), null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(_("times a day"), default=1)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    per_side = models.BooleanField(_("each leg separately"), default=False)
    illustration = models.CharField(_("drawing"), max_length=200, blank=True)
    retired = models.BooleanField(_("retired"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["retired", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "code"], name="exercise_code_per_clinic")
        ]

    def __str__(self):
        return self.name_ja

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]

    @property
    def name(self) -> str:
        """The name in the reader's language (the Japanese one unless English is active)."""
        return (
            self.name_en
            if (get_language() or "").startswith("en") and self.name_en
            else self.name_ja
        )


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")
    # A draft replaced by another draft before it was ever published: kept, never shown to the
    # patient (portal, handout, disclosure).
    SET_ASIDE = "set_aside", _("Set aside (never published)")


# Plans a patient was given: the current one and those it replaced.
GIVEN_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)


class CarePlan(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="care_plans")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="care_plans")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="care_plans"
    )
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    goals = models.TextField(_("goals"), max_length=2000, blank=True)
    patient_note = models.TextField(_("note for the patient"), max_length=2000, blank=True)
    visit_interval_days = models.PositiveSmallIntegerField(
        _("visit every (days)"), null=True, blank=True
    )
    reassess_on = models.DateField(_("reassessment date"), null=True, blank=True)
    # What the generator withheld and why, frozen when the draft was made (texts in ja and en).
    withheld = models.JSONField(default=list, blank=True)
    # Precautions in force: nothing withheld, a caution for staff and the patient (ja and en).
    cautions = models.JSONField(default=list, blank=True)
    # Hazards the practitioner lifted after a doctor's clearance recorded on a referral.
    lifted = models.JSONField(default=list, blank=True)
    # Referrals the generator proposed from the assessment's red flags.
    referrals = models.JSONField(default=list, blank=True)
    referral_explained_at = models.DateTimeField(null=True, blank=True)
    referral_explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Published plans are snapshots: the PDF and the portal read only this.
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    rules_version = models.CharField(max_length=20, blank=True)
    revision = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("care plan")
        verbose_name_plural = _("care plans")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="plan_version_per_patient")
        ]
        # The clinic's plans in the course of care (the practitioner's watch list).
        indexes = [
            models.Index(fields=["clinic", "status", "published_at"], name="plan_clinic_published")
        ]

    def __str__(self):
        return f"{self.patient} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PlanStatus.PUBLISHED

    @property
    def is_superseded(self) -> bool:
        return self.status == PlanStatus.SUPERSEDED

    @property
    def was_given(self) -> bool:
        """Given to the patient: the current plan or one it replaced (never a set-aside draft)."""
        return self.status in GIVEN_STATUSES


class PlanDocument(models.Model):
    """The handout a published plan gave, rendered once from its snapshot (which never changes
    after publishing) and kept in a table of its own, so that no query for plans reads the PDF."""

    plan = models.OneToOneField(CarePlan, on_delete=models.PROTECT, related_name="document")
    language = models.CharField(max_length=8)
    pdf = models.BinaryField(editable=False)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("handout")
        verbose_name_plural = _("handouts")

    def __str__(self):
        return f"{self.plan_id} {self.language} {self.size} B"


class PlanItem(models.Model):
    class Kind(models.TextChoices):
        # The codes are the plan rules' own, so the two cannot drift apart.
        CLINIC = plan_rules.CLINIC, _("In-clinic work")
        EXERCISE = plan_rules.EXERCISE, _("Home exercise")
        HABIT = plan_rules.HABIT, _("Habit")
        SUPPORTER = plan_rules.SUPPORTER, _("Knee supporter")
        COMPRESS = plan_rules.COMPRESS, _("Compress")

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=60)
    exercise = models.ForeignKey(Exercise, on_delete=models.PROTECT, null=True, blank=True)
    label = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    # The same generated texts in English (the columns above are Japanese for new drafts).
    label_en = models.CharField(max_length=200, blank=True)
    detail_en = models.TextField(blank=True)
    reason_en = models.TextField(blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    sets = models.PositiveSmallIntegerField(null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    side = models.CharField(max_length=8, blank=True)
    extra_sets_side = models.CharField(max_length=8, blank=True)
    added_by_hand = models.BooleanField(default=False)
    # Taken off the draft by the practitioner: kept (not deleted), left out when published.
    removed = models.BooleanField(default=False)
    # Set when an item a relative hazard holds was given anyway: the practitioner's reason, and
    # the hazard codes it answers (an absolute hazard is never overridden).
    override_reason = models.TextField(blank=True)
    overridden = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label

    def text(self, field: str) -> str:
        """A generated text in the reader's language, falling back to the stored one."""
        english = getattr(self, f"{field}_en")
        return (
            english if (get_language() or "").startswith("en") and english else getattr(self, field)
        )

    @property
    def label_text(self) -> str:
        if self.exercise_id and self.exercise:
            return self.exercise.name
        return self.text("label")

    @property
    def detail_text(self) -> str:
        return self.text("detail")

    @property
    def reason_text(self) -> str:
        return self.text("reason")


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SEEN = "seen", _("Saw the doctor")
    CLOSED = "closed", _("Outcome recorded")


class Referral(models.Model):
    """A referral to a doctor from the red flags of one assessment, followed to its outcome."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="referrals")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="referrals"
    )
    number = models.PositiveIntegerField(_("letter number"))
    department = models.CharField(max_length=40)
    urgency = models.CharField(max_length=20)
    reason = models.TextField()
    reason_en = models.TextField(blank=True)
    flag_codes = models.JSONField(default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )
    seen_on = models.DateField(_("saw the doctor on"), null=True, blank=True)
    doctor_findings = models.TextField(_("what the doctor found"), max_length=2000, blank=True)
    cleared = models.BooleanField(_("cleared for treatment"), null=True, blank=True)
    outcome_on = models.DateField(_("outcome date"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "number"], name="referral_number_per_clinic"),
            models.UniqueConstraint(
                fields=["assessment", "department"], name="one_referral_per_department"
            ),
        ]

    def __str__(self):
        return f"{self.patient} {self.department} #{self.number}"

    @property
    def is_open(self) -> bool:
        """Not closed: the patient has still to see the doctor, or the outcome is not in."""
        return self.status != ReferralStatus.CLOSED

    @property
    def reason_text(self) -> str:
        return (
            self.reason_en
            if (get_language() or "").startswith("en") and self.reason_en
            else self.reason
        )
