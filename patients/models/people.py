from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic import validators
from clinic.models import Clinic
from patients import hours, normalize, scheduling
from patients.work import Work


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNSPECIFIED = "unspecified", _("Prefer not to say")


class WorkStyle(models.TextChoices):
    DESK = Work.DESK, _("Desk work")
    STANDING = Work.STANDING, _("Standing work")
    DRIVING = Work.DRIVING, _("Driving")
    MIXED = Work.MIXED, _("Mixed")


class Patient(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    number = models.PositiveIntegerField(_("patient number"))
    family_name = models.CharField(_("family name"), max_length=40)
    given_name = models.CharField(_("given name"), max_length=40)
    family_name_kana = models.CharField(_("family name (kana)"), max_length=60)
    given_name_kana = models.CharField(_("given name (kana)"), max_length=60)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("email"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    occupation = models.CharField(_("occupation"), max_length=80, blank=True)
    work_style = models.CharField(
        _("work style"), max_length=12, choices=WorkStyle.choices, blank=True
    )
    emergency_contact_name = models.CharField(
        _("emergency contact name"), max_length=80, blank=True
    )
    emergency_contact_relation = models.CharField(_("relationship"), max_length=40, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=20, blank=True
    )
    # Folded copies for search and duplicate checks (see patients.normalize). search_key is
    # matched with LIKE '%…%', served by a trigram index made by migration 0004 (PostgreSQL:
    # pg_trgm GIN on (clinic_id, search_key); SQLite: the FTS5 table patient_search, kept in sync
    # by triggers). See patients/search.py.
    search_key = models.CharField(max_length=400, editable=False)
    kana_key = models.CharField(max_length=120, editable=False)
    phone_digits = models.CharField(max_length=20, editable=False)
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_record",
    )
    reminders_opt_out = models.BooleanField(_("no e-mail reminders"), default=False)
    last_reminded_on = models.DateField(null=True, blank=True, editable=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(fields=["clinic", "number"], name="patient_number_per_clinic")
        ]
        indexes = [
            models.Index(
                fields=["clinic", "is_archived", "family_name_kana", "given_name_kana", "id"],
                name="patient_list_order",
            ),
            models.Index(fields=["clinic", "kana_key", "birth_date"], name="patient_dup_kana"),
            models.Index(fields=["clinic", "phone_digits"], name="patient_dup_phone"),
            # SQLite renders is_archived=False as `NOT is_archived`, which it cannot match to the
            # is_archived column of patient_list_order, so it sorted every patient for each list
            # page; this partial index gives it the list order. search_key and number let it test
            # a search from the index alone. PostgreSQL keeps using patient_list_order.
            # Measured in docs/benchmarks.md.
            models.Index(
                fields=[
                    "clinic",
                    "family_name_kana",
                    "given_name_kana",
                    "id",
                    "search_key",
                    "number",
                ],
                condition=models.Q(is_archived=False),
                name="patient_active_list",
            ),
        ]

    # One-line names: visible characters only (clinic/validators.py), checked by clean().
    NAME_FIELDS = (
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "emergency_contact_name",
        "emergency_contact_relation",
    )

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.refresh_keys()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        validators.check_names(self, self.NAME_FIELDS)

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"

    @property
    def full_name_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}"

    @property
    def number_display(self) -> str:
        return f"{self.number:06d}"

    def age_on(self, day) -> int:
        had_birthday = (day.month, day.day) >= (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - (0 if had_birthday else 1)

    def refresh_keys(self) -> None:
        self.kana_key = normalize.fold(self.family_name_kana + self.given_name_kana)
        self.phone_digits = normalize.digits(self.phone)
        self.search_key = normalize.search_key(
            self.family_name + self.given_name,
            self.given_name,
            self.family_name_kana + self.given_name_kana,
            self.given_name_kana,
            self.phone_digits,
        )


class ConsentKind(models.TextChoices):
    TREATMENT = "treatment", _("Consent to treatment")
    PRIVACY = "privacy", _("Consent to personal-data handling")


class Consent(models.Model):
    """One consent given (or withdrawn), with the version of the text the patient saw."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(_("consent"), max_length=20, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"))
    text_version = models.CharField(_("consent text version"), max_length=20)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"{self.patient} {self.get_kind_display()} {self.given}"


class AppointmentStatus(models.TextChoices):
    # The codes are the pure scheduling rules' own, so the two cannot drift apart.
    BOOKED = scheduling.BOOKED, _("Booked")
    CHECKED_IN = scheduling.CHECKED_IN, _("Checked in")
    IN_SESSION = scheduling.IN_SESSION, _("In session")
    COMPLETED = scheduling.COMPLETED, _("Completed")
    CANCELLED = scheduling.CANCELLED, _("Cancelled")
    NO_SHOW = scheduling.NO_SHOW, _("No-show")


class CancelReason(models.TextChoices):
    """Why a visit did not happen: chosen when it is cancelled (a no-show is the patient not
    coming without a word, known once the start has passed)."""

    PATIENT = "patient", _("The patient cancelled")
    CLINIC = "clinic", _("The clinic cancelled")
    NO_SHOW = "no_show", _("No-show")


# Statuses that hold the practitioner's time: a new booking may not overlap them.
ACTIVE_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.IN_SESSION,
    AppointmentStatus.COMPLETED,
)


class Appointment(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    # The visit type booked (its length set the end); none on visits booked before menus.
    menu = models.ForeignKey(
        "Menu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name=_("menu"),
    )
    reason = models.CharField(_("reason for visit"), max_length=200, blank=True)
    note = models.CharField(_("desk note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    # Why it was cancelled (or missed), and anything the desk added; empty on visits that were
    # not, and on those cancelled before reasons were asked for.
    cancel_reason = models.CharField(
        _("cancellation reason"), max_length=12, choices=CancelReason.choices, blank=True
    )
    cancel_note = models.CharField(_("cancellation note"), max_length=200, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appt_practitioner_start"),
            models.Index(fields=["clinic", "start"], name="appt_clinic_start"),
            models.Index(fields=["patient", "start"], name="appt_patient_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appt_end_after_start"
            )
        ]

    def __str__(self):
        return f"{timezone.localtime(self.start):%Y-%m-%d %H:%M} {self.patient}"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_in_clinic(self) -> bool:
        """Checked in or in session: the patient is here, so the visit can be assessed."""
        return self.status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_SESSION)

    @property
    def is_seen(self) -> bool:
        """Here now, or the session is finished: the visit can have its record written."""
        return self.is_in_clinic or self.status == AppointmentStatus.COMPLETED


# The clinic's set-up for booking: visit types (menus), opening hours and closures, and each
# practitioner's shifts and days off. Configured by the clinic admin; the rules that read them
# are in patients/hours.py (pure) and patients/working_hours.py.


class MenuColour(models.TextChoices):
    """A fixed palette (Okabe-Ito, told apart with colour-blindness); the menu's name is always
    shown beside it, so the colour never carries the meaning alone."""

    BLUE = "blue", _("Blue")
    SKY = "sky", _("Sky blue")
    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    ORANGE = "orange", _("Orange")
    VERMILION = "vermilion", _("Vermilion")
    PURPLE = "purple", _("Reddish purple")
    GREY = "grey", _("Grey")


class AssessmentNeed(models.TextChoices):
    NONE = "none", _("No assessment")
    INITIAL = "initial", _("Initial visit (full assessment)")
    REASSESSMENT = "reassessment", _("Re-assessment")


MENU_MINUTES = (5, 240)  # shortest and longest, in steps of 5
MENU_MAX_PRICE = 1_000_000


class Menu(models.Model):
    """A visit type the clinic offers (施術メニュー): its length sets a booking's end. Menus are
    never deleted, only deactivated, so a booked visit keeps its menu."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="menus")
    name = models.CharField(_("name"), max_length=60)
    minutes = models.PositiveSmallIntegerField(_("length (minutes)"))
    price = models.PositiveIntegerField(_("price (yen, tax included)"))
    colour = models.CharField(
        _("colour"), max_length=12, choices=MenuColour.choices, default=MenuColour.BLUE
    )
    assessment = models.CharField(
        _("assessment"),
        max_length=12,
        choices=AssessmentNeed.choices,
        default=AssessmentNeed.NONE,
        help_text=_("Whether a visit of this menu needs a full assessment or a re-assessment."),
    )
    is_active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        ordering = ["-is_active", "minutes", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="menu_name_per_clinic"),
            models.CheckConstraint(
                condition=models.Q(minutes__gte=MENU_MINUTES[0], minutes__lte=MENU_MINUTES[1]),
                name="menu_minutes_in_range",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        validators.check_names(self, ("name",))
        low, high = MENU_MINUTES
        if self.minutes is not None and not (low <= self.minutes <= high and self.minutes % 5 == 0):
            raise ValidationError(
                {"minutes": _("Between 5 and 240 minutes, in steps of 5.")}, code="minutes"
            )
        if self.price is not None and self.price > MENU_MAX_PRICE:
            raise ValidationError({"price": _("At most 1,000,000 yen.")}, code="price")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


WEEKDAY_RANGE = models.Q(weekday__gte=0, weekday__lte=6)


class OpeningHours(models.Model):
    """One weekday of the clinic's week: open from `opens` to `closes`, or closed (both empty).
    A clinic without any row keeps hours.DEFAULT_WEEK."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "weekday"], name="opening_day_per_clinic"),
            models.CheckConstraint(condition=WEEKDAY_RANGE, name="opening_weekday_in_range"),
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__lt=models.F("closes")),
                name="opening_closes_after_opens",
            ),
        ]

    def __str__(self):
        if self.opens is None:
            return f"{self.get_weekday_display()}: {_('closed')}"
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    @property
    def span(self) -> hours.Span | None:
        return None if self.opens is None else hours.Span(self.opens, self.closes)


class Closure(models.Model):
    """A date the clinic is closed (a holiday, 休業日), with an optional reason."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="closures")
    day = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "day"], name="closure_day_per_clinic")
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.reason}".strip()


class Shift(models.Model):
    """A practitioner's weekly shift: on `weekday` from `start` to `end`. A weekday may have
    none or several (a break between them); shifts of one weekday do not overlap."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="shifts",
        verbose_name=_("practitioner"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(pgettext_lazy("time of day", "from"))
    end = models.TimeField(pgettext_lazy("time of day", "until"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["weekday", "start"]
        indexes = [models.Index(fields=["practitioner", "weekday"], name="shift_practitioner_day")]
        constraints = [
            models.CheckConstraint(condition=WEEKDAY_RANGE, name="shift_weekday_in_range"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="shift_end_after_start"
            ),
        ]

    def __str__(self):
        span = f"{self.start:%H:%M}-{self.end:%H:%M}"
        return f"{self.practitioner} {self.get_weekday_display()} {span}"

    @property
    def span(self) -> hours.Span:
        return hours.Span(self.start, self.end)


class DayOff(models.Model):
    """A date a practitioner does not work (holiday, training), with an optional reason."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="days_off",
        verbose_name=_("practitioner"),
    )
    day = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "day"], name="day_off_per_practitioner")
        ]

    def __str__(self):
        return f"{self.practitioner} {self.day:%Y-%m-%d}"
