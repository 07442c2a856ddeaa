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
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connection
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.backends import clinic_code
from clinic.models import AuditEntry, Clinic, User

_request = contextvars.ContextVar("audit_request", default=None)
_acting = contextvars.ContextVar("audit_acting", default=None)

VIEW, DOWNLOAD, EXPORT, LOGIN, LOGOUT = "view", "download", "export", "login", "logout"
LOGIN_FAILED, LOCKED_OUT, REFUSED = "login_failed", "locked_out", "refused"
EVENT_LABELS = {
    VIEW: _("viewed"),
    DOWNLOAD: _("downloaded"),
    EXPORT: _("exported"),
    LOGIN: _("logged in"),
    LOGOUT: _("logged out"),
    LOGIN_FAILED: _("log-in failed"),
    LOCKED_OUT: _("log-in locked"),
    REFUSED: _("refused"),
}
# Refused requests are recorded for these statuses, on a URL the application knows.
REFUSED_STATUSES = {403, 404}
CHAIN_LOCK = 0x48494B41  # "HIKA": the advisory-lock namespace of the audit chain (PostgreSQL)


class AuditContext:
    """Makes the request being served available to the audit entries it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
            _refused(request, response)
            return response
        finally:
            _request.reset(token)


def _refused(request, response):
    """A signed-in person refused a page of the application (403, or 404 for an id that is not
    theirs to see) goes into their clinic's trail: probing for another clinic's or patient's
    records leaves a line. Unknown URLs (scanners' 404s) do not."""
    if response.status_code not in REFUSED_STATUSES or request.resolver_match is None:
        return
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    what = f"{response.status_code} {request.method} {request.path}"[:300]
    _access(user, REFUSED, what, actor=user)


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


# model -> function giving (clinic id, patient id) of a record that says them otherwise than by
# `clinic_id` / `patient_id` columns: registered by the app that owns the model.
_SUBJECTS: dict[type, Callable[[object], tuple[int | None, int | None]]] = {}


def register_subject(model, subject: Callable[[object], tuple[int | None, int | None]]) -> None:
    """How a record of `model` names its clinic and patient (the patient record names itself)."""
    _SUBJECTS[model] = subject


def subject_of(instance) -> tuple[int | None, int | None]:
    """(clinic id, patient id) a record belongs to, for filtering the trail."""
    subject = _SUBJECTS.get(type(instance))
    if subject is not None:
        return subject(instance)
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


SEAL_VERSION = 2
# Not hashed: the row's id (unknown before the insert; the chain's order is what `prev` holds) and
# the hashes themselves.
UNSEALED = {"id", "prev_hash", "entry_hash"}


def _value(field, entry):
    # As the column holds it: an object_pk given as 1 is read back as "1".
    value = field.get_prep_value(field.value_from_object(entry))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if field.name == "remote_addr":
        return _address_text(value)
    return value


def _canonical(entry, prev: str) -> bytes:
    if entry.seal_version is None:
        return _canonical_v1(entry, prev)
    # Every column, by name: a column added later is sealed without anyone remembering to.
    data = {
        field.attname: _value(field, entry)
        for field in entry._meta.concrete_fields
        if field.name not in UNSEALED
    }
    data["prev"] = prev
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def _canonical_v1(entry, prev: str) -> bytes:
    """The seal of entries written before version 2: five columns (object_id, serialized_data,
    cid, remote_port, actor_email) were outside it. Kept only to check those old entries."""
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

    user, name, address = _who()
    if entry.actor_id is None and user is not None:
        entry.actor = user
    entry.actor_name = entry.actor_name or (entry.actor.get_username() if entry.actor else name)
    if entry.remote_addr is None:
        entry.remote_addr = address
    entry.remote_addr = AuditEntry._meta.get_field("remote_addr").get_prep_value(entry.remote_addr)
    if entry.clinic_id is None and user is not None:
        entry.clinic_id = user.clinic_id
    entry.seal_version = SEAL_VERSION
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
    not removed since (something the chain alone cannot show). Without one, the latest anchor
    kept outside the database is used (`latest_anchor`); pass `anchor=NO_ANCHOR` to walk the
    chain alone."""

    if anchor is None:
        anchor = latest_anchor(clinic_id)
    elif anchor is NO_ANCHOR:
        anchor = None
    prev, checked, sealed_v2 = "", 0, False
    rows = AuditEntry.objects.filter(clinic_id=clinic_id).order_by("id")
    for entry in rows.iterator(chunk_size=2000):
        # Once entries are sealed whole, an older-style seal after them is a forged downgrade.
        downgraded = sealed_v2 and entry.seal_version is None
        if downgraded or entry.prev_hash != prev or entry.entry_hash != entry_hash(entry, prev):
            return ChainCheck(False, checked, entry.pk, prev)
        sealed_v2 = sealed_v2 or entry.seal_version is not None
        prev, checked = entry.entry_hash, checked + 1
        if anchor and checked == anchor[0] and prev != anchor[1]:
            return ChainCheck(False, checked - 1, entry.pk, prev)
    if anchor and checked < anchor[0]:
        return ChainCheck(False, checked, None, prev)  # entries removed from the end
    return ChainCheck(True, checked, None, prev)


# Anchors: (number of entries, last hash) per clinic, kept where a database edit cannot reach
# them, so that removing the newest entries, or a clinic's whole trail, shows at the next check.
# Written to the anchor file (AUDIT_ANCHOR_FILE) and the log stream after every passed check,
# and into every backup's manifest; every check compares the chain against the latest one.

NO_ANCHOR = ("none", "")
anchor_log = logging.getLogger("hikagami.audit")
security_log = logging.getLogger("hikagami.security")


def clinic_key(clinic_id) -> str:
    return str(clinic_id) if clinic_id is not None else "none"


def anchors_now(using="default") -> dict[str, list]:
    """Every clinic's (count, last hash) as the database holds it now, in two queries."""
    from django.db.models import Count, Max

    entries = AuditEntry.objects.using(using).order_by()
    tails = list(entries.values("clinic_id").annotate(n=Count("id"), last=Max("id")))
    hashes = dict(
        entries.filter(id__in=[row["last"] for row in tails]).values_list("id", "entry_hash")
    )
    return {clinic_key(row["clinic_id"]): [row["n"], hashes[row["last"]]] for row in tails}


def read_anchors(path=None) -> dict[str, list]:
    path = Path(path or settings.AUDIT_ANCHOR_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        anchor_log.error("audit anchors unreadable at %s: %s", path, error)
        return {}
    anchors = data.get("anchors", data) if isinstance(data, dict) else {}
    return {
        key: [int(value[0]), str(value[1])]
        for key, value in anchors.items()
        if isinstance(value, list) and len(value) == 2
    }


def keep_anchors(anchors: dict[str, list], *, source: str, path=None, replace=False) -> None:
    """Into the anchor file (each clinic keeps its latest, the one with most entries, unless
    `replace`, as after a restore) and the log stream, one line per clinic."""
    path = Path(path or settings.AUDIT_ANCHOR_FILE)
    kept = {} if replace else read_anchors(path)
    for key, (count, last) in anchors.items():
        if replace or key not in kept or count >= kept[key][0]:
            kept[key] = [count, last]
        anchor_log.info(
            "audit anchor source=%s clinic=%s entries=%s last=%s", source, key, count, last
        )
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    body = json.dumps(
        {"written_at": timezone.now().isoformat(timespec="seconds"), "anchors": kept}, indent=1
    )
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=".anchors-", delete=False, encoding="utf-8"
    ) as temporary:
        temporary.write(body)
    os.chmod(temporary.name, 0o600)
    os.replace(temporary.name, path)


def latest_anchor(clinic_id) -> tuple[int, str] | None:
    value = read_anchors().get(clinic_key(clinic_id))
    return tuple(value) if value else None


def known_clinics() -> set:
    """The clinics with a trail in the database or an anchor outside it (a trail removed whole
    still has its anchor)."""

    clinics = set(AuditEntry.objects.order_by().values_list("clinic_id", flat=True).distinct())
    for key in read_anchors():
        clinics.add(None if key == "none" else int(key))
    return clinics


def check_and_anchor(clinic_id, *, source: str) -> ChainCheck:
    """The check every caller uses: against the latest anchor; a passed check becomes the new
    anchor. A failed one leaves the anchors as they were (the evidence stays)."""
    check = verify(clinic_id)
    if check.ok:
        keep_anchors({clinic_key(clinic_id): [check.checked, check.last_hash]}, source=source)
    else:
        anchor_log.error(
            "audit chain altered source=%s clinic=%s first_bad=%s after=%s",
            source,
            clinic_key(clinic_id),
            check.broken_at or "end",
            check.checked,
        )
    return check


def mask(value: str) -> str:
    """What the trail keeps of a password hash: that it changed, nothing of it."""
    return "********"


# Views, downloads and exports: recorded by the view that serves them.


def _access(instance, event: str, what: str = "", **fields):

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


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    """A failed log-in goes into the trail of the clinic whose code was typed: on the account
    when the name is one of its accounts, else on the clinic ("unknown name"; what was typed as
    a name is not kept: it is sometimes a password). A code of no clinic is only logged."""
    _failed(credentials, request, LOGIN_FAILED)


def _failed(credentials, request, event):

    credentials = credentials or {}
    code = clinic_code(str(credentials.get("clinic") or ""))
    if not code and request is not None:  # axes' lockout signal carries the form's data only
        code = clinic_code(str(request.POST.get("clinic", "")))
    name = str(credentials.get("username") or "")
    clinic = Clinic.objects.filter(slug__iexact=code).first() if code else None
    if clinic is None:
        security_log.warning("%s for an unknown clinic code", event)
        return
    account = User.objects.filter(clinic=clinic, username__iexact=name).first() if name else None
    _access(
        account or clinic,
        event,
        "" if account else "unknown name",
        actor=None,
        actor_name="",
        clinic_id=clinic.pk,
        remote_addr=_address(request),
    )


def _locked_out(sender, request, username=None, **kwargs):
    # axes names the locked account by clinic.backends.lockout_key: "clinic code/name".
    code, _slash, name = (username or "").partition("/")
    _failed({"clinic": code, "username": name}, request, LOCKED_OUT)


def connect_lockout_signal():
    """django-axes' own signal (connected from the app's ready(): axes imports models)."""
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="hikagami-audit-locked-out")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        _access(user, LOGOUT, actor=user, remote_addr=_address(request))


def changed(instance, changes: dict[str, list], note: str = ""):
    """A change made without model signals (a guarded `QuerySet.update`), recorded by hand."""

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
    "archived_at": _("archived at"),
    "archived_by": _("archived by"),
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


def register(model, *, exclude_fields=(), **options) -> None:
    """Keep every create, change and delete of `model` in the trail. Each app registers its own
    models from its `ready()` (the trail imports none of them). Derived search columns and caches
    are left out with `exclude_fields` (they follow from the fields that are kept)."""
    from auditlog.registry import auditlog

    # Stored fields only (auditlog would also list reverse relations on a create).
    kept = [f.name for f in model._meta.concrete_fields if f.name not in exclude_fields]
    auditlog.register(model, include_fields=kept, **options)


def register_models() -> None:
    """This app's records."""
    register(
        Clinic,
        exclude_fields=["next_patient_number", "next_referral_number", "next_receipt_number"],
    )
    register(User, exclude_fields=["last_login"], mask_fields=["password"])
    register_subject(Clinic, lambda clinic: (clinic.pk, None))
