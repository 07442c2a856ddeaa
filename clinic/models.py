from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from clinic import validators


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name"), unique=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Next patient number to hand out; bumped atomically by patients.services.
    next_patient_number = models.PositiveIntegerField(default=1, editable=False)
    next_referral_number = models.PositiveIntegerField(default=1, editable=False)
    # Receipts (領収書) are numbered per clinic with no gaps: the number is taken in the same
    # transaction as the payment it numbers (patients/checkout.py), so a refused or rolled-back
    # checkout never uses one.
    next_receipt_number = models.PositiveIntegerField(default=1, editable=False)
    # Shown on receipts: 適格請求書発行事業者登録番号 ("T" and 13 digits), and the consumption tax
    # included in the prices (0: a tax-exempt business shows none).
    invoice_registration_number = models.CharField(
        _("invoice registration number"),
        max_length=14,
        blank=True,
        validators=[validators.validate_invoice_registration_number],
        help_text=_("T and 13 digits, as registered with the tax office. Leave empty if none."),
    )
    tax_rate = models.PositiveSmallIntegerField(
        _("consumption tax rate included in prices"),
        choices=[(10, "10%"), (8, "8%"), (0, _("None shown (tax-exempt business)"))],
        default=10,
    )
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

    def clean(self):
        super().clean()
        validators.check_names(self, ("name",))


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    FRONT_DESK = "frontdesk", _("Front desk")
    ADMIN = "admin", _("Clinic admin")
    PATIENT = "patient", _("Patient")


STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.FRONT_DESK, Role.ADMIN})
# One person, several roles: the staff roles a member may hold beside their main `role`, and the
# flag on User that holds each (an owner who also treats is admin + practitioner).
ALSO_FIELDS = {
    Role.PRACTITIONER: "also_practitioner",
    Role.FRONT_DESK: "also_frontdesk",
    Role.ADMIN: "also_admin",
}


def holding(role) -> models.Q:
    """The users who hold `role`, as their main role or beside it."""
    q = models.Q(role=role)
    if role in ALSO_FIELDS:
        q |= models.Q(**{ALSO_FIELDS[role]: True})
    return q


class ClinicUserManager(UserManager):
    def get_by_natural_key(self, username):
        """Only an account of no clinic (`createsuperuser`'s) has a name alone: the accounts of
        a clinic are found by clinic and name, at log-in (clinic/backends.py)."""
        return self.get(clinic__isnull=True, username__iexact=username)

    async def aget_by_natural_key(self, username):
        return await self.aget(clinic__isnull=True, username__iexact=username)


class User(AbstractUser):
    """A person who logs in: staff of one clinic, or a patient of one clinic.

    A user name is unique within its clinic only (whatever the case), so that nothing a clinic
    sees depends on another's accounts: two clinics may each have a "suzuki", and a person who is
    a patient of two clinics has an account in each, with the same e-mail address. The log-in asks
    for the clinic's code (its slug) beside the name.
    """

    username = models.CharField(
        _("username"),
        max_length=150,
        help_text=_("Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only."),
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": _("A user with that username already exists.")},
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    # The main role: it picks the home page. A staff member may hold the other staff roles too
    # (`roles`); a patient holds no other.
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    also_practitioner = models.BooleanField(_("also a practitioner"), default=False)
    also_frontdesk = models.BooleanField(_("also at the front desk"), default=False)
    also_admin = models.BooleanField(_("also a clinic admin"), default=False)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    # Bumped to end every session of the account at once (deactivation, own password change):
    # it is part of the session's auth hash, so an old session stays dead even when the account
    # is active again (see end_sessions below and clinic/sessions.py).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Bumped to kill every outstanding invitation or reset link (patients/invitations.py): a
    # newer link, the end of portal access and a changed e-mail address each bump it.
    link_epoch = models.PositiveIntegerField(default=0, editable=False)
    # When the clinic last ended this (portal) account's access; a new invitation clears it.
    access_ended_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ClinicUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["clinic", "role"])]
        constraints = [
            models.UniqueConstraint(Lower("username"), "clinic", name="user_name_unique_in_clinic"),
            # NULL never equals NULL in a unique index: the accounts of no clinic need their own.
            models.UniqueConstraint(
                Lower("username"),
                condition=models.Q(clinic__isnull=True),
                name="user_name_unique_without_clinic",
            ),
            # Staff roles are held by staff only: a patient's account never opens a staff page.
            models.CheckConstraint(
                condition=models.Q(role__in=sorted(STAFF_ROLES))
                | models.Q(also_practitioner=False, also_frontdesk=False, also_admin=False),
                name="user_extra_roles_staff_only",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        """Deactivating an account ends its sessions for good: the epoch moves, so they stay dead
        when the account is active again."""
        if self.pk and not self.is_active:
            was_active = type(self).objects.filter(pk=self.pk, is_active=True).exists()
            if was_active:
                self.session_epoch += 1
                fields = kwargs.get("update_fields")
                if fields is not None and "session_epoch" not in fields:
                    kwargs["update_fields"] = [*fields, "session_epoch"]
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        """Django's hash of the password, and of the session epoch once it moved: a session
        logged in before the account's sessions were ended no longer matches. At epoch 0 the
        hash is Django's own, so sessions from before this field existed stay valid."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "hikagami.User.session_auth_hash",
            f"{self.password}|{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def clean(self):
        super().clean()
        validators.check_names(self, ("username", "display_name", "first_name", "last_name"))

    @property
    def roles(self) -> frozenset[str]:
        """Every role this account holds: the main one and, for staff, those held beside it."""
        if not self.role:
            return frozenset()
        if self.role not in STAFF_ROLES:
            return frozenset({self.role})
        extra = {role for role, field in ALSO_FIELDS.items() if getattr(self, field)}
        return frozenset({self.role, *extra})

    @property
    def roles_display(self) -> str:
        """The roles for a list, the main one first."""
        others = [
            Role(r).label
            for r in (Role.ADMIN, Role.PRACTITIONER, Role.FRONT_DESK)
            if r in self.roles and r != self.role
        ]
        return " / ".join(str(label) for label in [self.get_role_display(), *others])

    @property
    def is_staff_member(self) -> bool:
        return self.clinic_id is not None and self.role in STAFF_ROLES and self.is_active


class AppendOnlyQuerySet(models.QuerySet):
    """The trail is never changed in bulk from the app (QuerySet.update/delete refuse)."""

    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def bulk_create(self, *args, **kwargs):
        raise PermissionError("Audit entries are sealed one by one.")

    def bulk_update(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEntryManager(LogEntryManager.from_queryset(AppendOnlyQuerySet)):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        from clinic import audit

        clinic_id, patient_id = audit.subject_of(instance)
        kwargs.setdefault("clinic_id", clinic_id)
        kwargs.setdefault("patient_id", patient_id)
        return super().log_create(instance, force_log, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One line of the audit trail (django-auditlog's log entry with our additions): which clinic
    and patient it concerns, who by name, and a SHA-256 chain per clinic so that an edited or
    removed line is detected (see clinic/audit.py). Rows are inserted, never changed."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # PROTECT, not auditlog's SET_NULL/CASCADE: deleting a user or a content type must not
    # rewrite (and so unseal) the trail.
    actor = models.ForeignKey(
        "clinic.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)
    # How the entry was sealed (clinic/audit.py `_canonical`): empty for the entries sealed before
    # every column was hashed (version 1), 2 since. Nullable, so adding it left SQLite's
    # append-only trigger in place (a NOT NULL column would have rebuilt the table).
    seal_version = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["clinic", "timestamp"]),
            models.Index(fields=["patient", "timestamp"]),
            models.Index(fields=["actor", "timestamp"]),
            models.Index(fields=["clinic", "id"]),  # the chain's last entry, at every insert
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The audit trail is append-only.")
        from clinic import audit

        # No savepoint inside a caller's transaction: a failed entry fails the whole change.
        with transaction.atomic(savepoint=False):
            audit.seal(self)
            kwargs["force_insert"] = True  # never an UPDATE, whatever pk was set
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


class SentMail(models.Model):
    """A request to e-mail a link (reset or invitation), kept a day for the throttle
    (clinic/throttle.py). No address is stored: only keyed hashes of it and of the client's
    address, so the table says nothing about who asked."""

    kind = models.CharField(max_length=20)
    address_key = models.CharField(max_length=64)
    client_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "address_key", "created_at"]),
            models.Index(fields=["kind", "client_key", "created_at"]),
        ]

    def __str__(self):
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
