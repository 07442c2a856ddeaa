"""The audit trail: who created, changed, viewed or downloaded which record, when, from where.

- Changes are captured by django-auditlog (model signals, before/after per field) for the models
  registered in `register_models()`; views and downloads are recorded by the views themselves with
  `viewed()` / `downloaded()` / `exported()`.
- Every entry is sealed before insert: the actor and address come from the request being served
  (`AuditContext` middleware; the address as resolved for django-axes, so a forwarded header is
  trusted only behind a configured proxy), and a SHA-256 hash chains it to the clinic's previous
  entry. `verify()` walks a clinic's chain: an entry edited or removed outside the app breaks it.
- Writes that bypass model signals (`QuerySet.update`, `bulk_create`) are not used on audited data;
  tests/clinic/test_audit.py keeps that list honest.
"""

import contextlib
import contextvars
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import connection
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_request = contextvars.ContextVar("audit_request", default=None)
_acting = contextvars.ContextVar("audit_acting", default=None)

VIEW, DOWNLOAD, EXPORT, LOGIN, LOGOUT = "view", "download", "export", "login", "logout"
EVENT_LABELS = {
    VIEW: _("viewed"),
    DOWNLOAD: _("downloaded"),
    EXPORT: _("exported"),
    LOGIN: _("logged in"),
    LOGOUT: _("logged out"),
}
CHAIN_LOCK = 0x48494B41  # "HIKA": the advisory-lock namespace of the audit chain (PostgreSQL)


class AuditContext:
    """Makes the request being served available to the audit entries it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextlib.contextmanager
def acting_as(label: str, user=None):
    """For work outside a request (commands): entries name the command (and a user if given)."""
    token = _acting.set((label, user))
    try:
        yield
    finally:
        _acting.reset(token)


def _who():
    """(user or None, name, address) of whoever is acting now."""
    from axes.helpers import get_client_ip_address

    request = _request.get()
    if request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user, user.get_username(), get_client_ip_address(request)
        return None, "", get_client_ip_address(request)
    label, user = _acting.get() or ("system", None)
    return user, (user.get_username() if user else label), None


def _address(request):
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) if request is not None and request.META else None


def subject_of(instance) -> tuple[int | None, int | None]:
    """(clinic id, patient id) a record belongs to, for filtering the trail."""
    from clinic.models import Clinic
    from patients.models import Patient

    if isinstance(instance, Patient):
        return instance.clinic_id, instance.pk
    if isinstance(instance, Clinic):
        return instance.pk, None
    clinic_id = getattr(instance, "clinic_id", None)
    patient_id = getattr(instance, "patient_id", None)
    for parent in ("assessment", "plan"):  # red flags, amendments, plan items
        if patient_id is None and getattr(instance, f"{parent}_id", None):
            owner = getattr(instance, parent)
            patient_id, clinic_id = owner.patient_id, clinic_id or owner.clinic_id
    if clinic_id is None and patient_id is not None:
        clinic_id = instance.patient.clinic_id
    return clinic_id, patient_id


def _address_text(value) -> str | None:
    # One spelling for one address: PostgreSQL's inet reads "::102:304" back as "::1.2.3.4".
    return ipaddress.ip_address(value).exploded if value else None


def _canonical(entry, prev: str) -> bytes:
    stamp = entry.timestamp.astimezone(dt.UTC).isoformat()
    data = {
        "prev": prev,
        "clinic": entry.clinic_id,
        "patient": entry.patient_id,
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "content_type": entry.content_type_id,
        "object_pk": str(entry.object_pk),
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "changes_text": entry.changes_text,
        "remote_addr": _address_text(entry.remote_addr),
        "timestamp": stamp,
        "additional_data": entry.additional_data,
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(entry, prev: str) -> str:
    """HMAC-SHA-256 with a key that lives outside the database (AUDIT_CHAIN_KEY, else SECRET_KEY):
    someone who can write to the database but not read the settings cannot re-seal an edited
    chain."""
    key = settings.AUDIT_CHAIN_KEY.encode()
    return hmac.new(key, _canonical(entry, prev), hashlib.sha256).hexdigest()


def seal(entry) -> None:
    """Fill who/where and chain the entry to its clinic's last one. Runs inside the insert's
    transaction; on PostgreSQL an advisory lock per clinic keeps the chain a single line."""
    from clinic.models import AuditEntry

    user, name, address = _who()
    if entry.actor_id is None and user is not None:
        entry.actor = user
    entry.actor_name = entry.actor_name or (entry.actor.get_username() if entry.actor else name)
    if entry.remote_addr is None:
        entry.remote_addr = address
    entry.remote_addr = AuditEntry._meta.get_field("remote_addr").get_prep_value(entry.remote_addr)
    if entry.clinic_id is None and user is not None:
        entry.clinic_id = user.clinic_id
    if entry.timestamp is None:
        entry.timestamp = timezone.now()
    elif timezone.is_naive(entry.timestamp):
        entry.timestamp = timezone.make_aware(entry.timestamp)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [CHAIN_LOCK, entry.clinic_id or 0]
            )
    entry.prev_hash = (
        AuditEntry.objects.filter(clinic_id=entry.clinic_id)
        .order_by("-id")
        .values_list("entry_hash", flat=True)
        .first()
        or ""
    )
    entry.entry_hash = entry_hash(entry, entry.prev_hash)


def queries_per_entry() -> int:
    """What one entry costs: the chain's last hash and the insert (+ the lock on PostgreSQL)."""
    return 3 if connection.vendor == "postgresql" else 2


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    broken_at: int | None  # id of the first entry that does not match
    last_hash: str


def verify(clinic_id, *, anchor: tuple[int, str] | None = None) -> ChainCheck:
    """Walk the clinic's chain. `anchor` is (count, last hash) from an earlier check: the chain
    must still hold that entry at that position, which shows the newest entries of then were
    not removed since (something the chain alone cannot show)."""
    from clinic.models import AuditEntry

    prev, checked = "", 0
    rows = AuditEntry.objects.filter(clinic_id=clinic_id).order_by("id")
    for entry in rows.iterator(chunk_size=2000):
        if entry.prev_hash != prev or entry.entry_hash != entry_hash(entry, prev):
            return ChainCheck(False, checked, entry.pk, prev)
        prev, checked = entry.entry_hash, checked + 1
        if anchor and checked == anchor[0] and prev != anchor[1]:
            return ChainCheck(False, checked - 1, entry.pk, prev)
    if anchor and checked < anchor[0]:
        return ChainCheck(False, checked, None, prev)  # entries removed from the end
    return ChainCheck(True, checked, None, prev)


def mask(value: str) -> str:
    """What the trail keeps of a password hash: that it changed, nothing of it."""
    return "********"


# Views, downloads and exports: recorded by the view that serves them.


def _access(instance, event: str, what: str = "", **fields):
    from clinic.models import AuditEntry

    data = {"event": event}
    if what:
        data["what"] = what
    return AuditEntry.objects.log_create(
        instance, force_log=True, action=AuditEntry.Action.ACCESS, additional_data=data, **fields
    )


def viewed(instance, what: str = ""):
    return _access(instance, VIEW, what)


def downloaded(instance, what: str):
    return _access(instance, DOWNLOAD, what)


def exported(instance, what: str):
    return _access(instance, EXPORT, what)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    # Named from the signal: the request may not have passed the middleware (Client.force_login).
    _access(user, LOGIN, actor=user, remote_addr=_address(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        _access(user, LOGOUT, actor=user, remote_addr=_address(request))


def changed(instance, changes: dict[str, list], note: str = ""):
    """A change made without model signals (a guarded `QuerySet.update`), recorded by hand."""
    from clinic.models import AuditEntry

    data = {"note": note} if note else None
    return AuditEntry.objects.log_create(
        instance, action=AuditEntry.Action.UPDATE, changes=changes, additional_data=data
    )


# Labels for stored fields that were declared without a verbose name (shown in the trail and the
# disclosure PDF; the field's own verbose name wins when it has one).
FIELD_LABELS = {
    "status": _("status"),
    "created_at": _("created at"),
    "updated_at": _("updated at"),
    "updated_by": _("updated by"),
    "created_by": _("created by"),
    "signed_at": _("signed at"),
    "signed_by": _("signed by"),
    "acknowledged_at": _("acknowledged at"),
    "acknowledged_by": _("acknowledged by"),
    "made_at": _("made at"),
    "made_by": _("made by"),
    "reason": _("reason"),
    "section": _("section"),
    "before": _("before"),
    "after": _("after"),
    "version": _("version"),
    "published_at": _("published at"),
    "published_by": _("published by"),
    "superseded_at": _("superseded at"),
    "practitioner": _("practitioner"),
    "assessment": _("assessment"),
    "appointment": _("visit"),
    "code": _("code"),
    "label": _("label"),
    "kind": _("kind"),
    "answered_at": _("answered at"),
    "seen_at": _("seen at"),
    "seen_by": _("seen by"),
    "number": _("number"),
    "department": _("department"),
    "urgency": _("urgency"),
    "inputs": _("inputs"),
    "source": _("source"),
    "rules_version": _("rules version"),
    "is_current": _("still applies"),
    "raised_at": _("raised at"),
    "recorded_by": _("recorded by"),
    "two_factor": _("Two-factor authentication"),
    "patient": _("patient"),
    "plan": _("care plan"),
    "item_code": _("item"),
    "portal_user": _("portal account"),
    "complaint": _("complaint"),
    "posture": _("posture"),
    "measurements": _("measurements"),
    "lower_limb": _("pelvis, hip and ankle"),
    "palpation": _("back of the knee"),
    "habits": _("daily habits"),
    "red_flags": _("red-flag screen"),
}


def field_label(field) -> str:
    default = field.name.replace("_", " ")
    if str(field.verbose_name) != default:
        return str(field.verbose_name)
    return str(FIELD_LABELS.get(field.name, field.verbose_name))


def register_models() -> None:
    """The records whose every create/change/delete is kept. Derived search columns and caches
    are left out (they follow from the fields that are kept)."""
    from auditlog.registry import auditlog
    from django.apps import apps

    def reg(label, exclude_fields=(), **options):
        model = apps.get_model(label)
        # Stored fields only (auditlog would also list reverse relations on a create).
        kept = [f.name for f in model._meta.concrete_fields if f.name not in exclude_fields]
        auditlog.register(model, include_fields=kept, **options)

    reg("clinic.Clinic", exclude_fields=["next_patient_number", "next_referral_number"])
    reg("clinic.User", exclude_fields=["last_login"], mask_fields=["password"])
    reg("patients.Patient", exclude_fields=["search_key", "kana_key", "phone_digits"])
    reg("patients.Consent")
    reg("patients.Appointment")
    reg("assessments.Assessment", exclude_fields=["section_revisions"])
    reg("assessments.RedFlag")
    reg("assessments.Amendment")
    reg("assessments.AsymmetryThreshold")
    reg("assessments.Exercise")
    reg("assessments.CarePlan", exclude_fields=["handout_pdf"])
    reg("assessments.PlanItem")
    reg("assessments.Referral")
    reg("assessments.ExerciseLog")
    reg("assessments.SafetyCheck")
    reg("assessments.FunctionalScale")
