from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Next patient number to hand out; bumped atomically by patients.services.
    next_patient_number = models.PositiveIntegerField(default=1, editable=False)
    next_referral_number = models.PositiveIntegerField(default=1, editable=False)
    # When on, every staff member needs a second factor (clinic/two_factor.py); patients never.
    require_two_factor = models.BooleanField(
        _("require two-factor authentication for staff"),
        default=False,
        help_text=_(
            "Staff who have not set it up are asked to, the next time they open a page. "
            "Patients are never asked."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    FRONT_DESK = "frontdesk", _("Front desk")
    ADMIN = "admin", _("Clinic admin")
    PATIENT = "patient", _("Patient")


STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.FRONT_DESK, Role.ADMIN})


class User(AbstractUser):
    """A person who logs in: staff of one clinic, or a patient of one clinic."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["clinic", "role"])]

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.clinic_id is not None and self.role in STAFF_ROLES and self.is_active
