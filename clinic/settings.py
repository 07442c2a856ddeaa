"""Hikagami settings: one file, driven by environment variables (see README)."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool = False) -> bool:
    """On or off from the environment; a word that is neither (PRODUCTION=Y, ...=ture) stops
    start-up instead of silently meaning off. Unset: the default; empty: off (as before)."""
    raw = os.getenv(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is neither on (1, true, yes, on) nor off (0, false, no, off)."
    )


def envint(name: str, default: int) -> int:
    return int(os.getenv(name, str(default)))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")
# From the environment; else from a per-checkout file that `make` writes (git-ignored, so each
# developer machine has its own and `manage.py check` works there); else only DEBUG may go on.
SECRET_KEY_FILE = Path(os.getenv("SECRET_KEY_FILE", BASE_DIR / ".secret-key"))
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY and SECRET_KEY_FILE.is_file():
    SECRET_KEY = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"
# Earlier keys, newest first (comma-separated): after a rotation, sessions, reset links and
# signed cookies made with one of them still verify until it is dropped (README, Rotating).
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# load_demo refuses to run when this is on (production deployments set it).
PRODUCTION = envbool("PRODUCTION")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "auditlog",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time backup codes
    "csp",
    "clinic",
    "patients",
    "assessments",
]
# Tooling (the demo clinic, seeding, benchmarks, the load run): never installed in production.
if not PRODUCTION:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves /static/ itself (gunicorn has no static handler); below SecurityMiddleware so static
    # responses get the same HTTPS redirect and headers as pages.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long-lived caching and carry neither header.
    "clinic.middleware.NoStore",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clinic.audit.AuditContext",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(), for access.allow()
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.middleware.StaffIdleTimeout",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.access.nav_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 0),
        # A kept connection is tested before reuse, so a database restart costs no failed request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE: concurrent read-then-write transactions wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not :memory:) so that the race tests' threads share one database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}

AUTH_USER_MODEL = "clinic.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Portal invitation and reset links: 72 hours, single use (see patients/invitations.py).
PASSWORD_RESET_TIMEOUT = 72 * 60 * 60

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # log-in lockout, checked first
    "clinic.backends.ClinicBackend",  # by clinic code and user name
]
# User names are unique per clinic (a constraint on clinic and the lower-cased name, see
# clinic/models.py), not on their own: the log-in finds an account by clinic and name
# (clinic/backends.py), which is what auth.W004 asks a backend to do.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# django-axes: lock a username from one address after 5 failures, for 15 minutes. By username AND
# address, so one person cannot lock everyone out behind a shared proxy; the forwarded address is
# trusted only when AXES_PROXY_COUNT says how many proxies stand in front. The "username" is
# "clinic code/name": a lockout in one clinic leaves another clinic's same-named account alone.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "clinic.backends.lockout_key"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "clinic/locked_out.html"
# Our own reading of X-Forwarded-For (clinic/proxy.py): django-axes needs django-ipware for a proxy
# count, and ipware's reading depends on its version (one gave the left-most, client-typed entry).
PROXY_COUNT = envint("AXES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "clinic.proxy.client_address"
# The audit trail (clinic/audit.py): django-auditlog writes into our own hash-chained model.
AUDITLOG_LOGENTRY_MODEL = "clinic.AuditEntry"
AUDITLOG_DISABLE_ON_RAW_SAVE = True  # fixtures and restores are not new changes
AUDITLOG_MASK_CALLABLE = "clinic.audit.mask"
# The key of the trail's HMAC chain. Keep it with the clinic's secrets (a restore on a machine
# with another key verifies as altered). From the environment; else from a per-checkout file that
# `make` writes (like .secret-key); else, outside production only, SECRET_KEY. Production must set
# a key of its own, so that rotating SECRET_KEY leaves the trail verifiable.
AUDIT_CHAIN_KEY_FILE = Path(os.getenv("AUDIT_CHAIN_KEY_FILE", BASE_DIR / ".audit-chain-key"))
AUDIT_CHAIN_KEY = os.getenv("AUDIT_CHAIN_KEY", "").strip()
if not AUDIT_CHAIN_KEY and AUDIT_CHAIN_KEY_FILE.is_file():
    AUDIT_CHAIN_KEY = AUDIT_CHAIN_KEY_FILE.read_text(encoding="utf-8").strip()
if PRODUCTION and not AUDIT_CHAIN_KEY:
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be set when PRODUCTION is on.")
if PRODUCTION and AUDIT_CHAIN_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "AUDIT_CHAIN_KEY must differ from SECRET_KEY when PRODUCTION is on "
        "(a SECRET_KEY rotation would otherwise make the audit trail verify as altered)."
    )
if not AUDIT_CHAIN_KEY:
    AUDIT_CHAIN_KEY = SECRET_KEY
# Where the trail's anchors are kept, outside the database: each clinic's entry count and last
# hash after every passed check, so that removing the newest entries shows (clinic/audit.py).
# Keep it off the database server's disk where you can; backups carry a copy in their manifest.
AUDIT_ANCHOR_FILE = Path(os.getenv("AUDIT_ANCHOR_FILE", BASE_DIR / "audit-anchors.json"))
# Two-factor authentication (TOTP, clinic/two_factor.py). The issuer names the entry in the
# authenticator app. Wrong codes are throttled per device by django-otp: after n failures in a
# row the next try waits 2^(n-1) seconds (times OTP_TOTP_THROTTLE_FACTOR).
OTP_TOTP_ISSUER = "Hikagami"
OTP_TOTP_THROTTLE_FACTOR = 1
# E-mailed links (clinic/throttle.py): at most this many per address and per client address an
# hour. Password resets, asked for by anyone who types an address, and invitations, sent by the
# desk. Requests over the limit send nothing (a reset answers the same either way).
RESET_MAILS_PER_ADDRESS = envint("RESET_MAILS_PER_ADDRESS", 3)
RESET_MAILS_PER_CLIENT = envint("RESET_MAILS_PER_CLIENT", 10)
INVITATION_MAILS_PER_ADDRESS = envint("INVITATION_MAILS_PER_ADDRESS", 3)
INVITATION_MAILS_PER_CLIENT = envint("INVITATION_MAILS_PER_CLIENT", 60)
# Staff sessions end after this much inactivity (patients keep the default two weeks).
STAFF_IDLE_MINUTES = envint("STAFF_IDLE_MINUTES", 30)
# ... and this long after their log-in, however active (a shared tablet left logged in all day).
STAFF_SESSION_HOURS = envint("STAFF_SESSION_HOURS", 12)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.getenv("TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
if PRODUCTION:
    # collectstatic writes hashed, compressed copies into STATIC_ROOT (WhiteNoise's manifest
    # storage) and WhiteNoise serves them with a far-future Cache-Control. Only in production:
    # tests and DEBUG run without collectstatic and so keep Django's default storage.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "clinic.storage.StaticStorage"},
    }
# Uploaded files: none yet, but `manage.py backup` archives whatever is under MEDIA_ROOT.
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
# Where `manage.py backup` writes its archives unless --output-dir says otherwise.
BACKUP_DIR = Path(os.getenv("BACKUP_DIR", BASE_DIR / "backups"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    # Behind the README's reverse proxy, which terminates TLS and sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4), always on: production, DEBUG and the tests alike, so the
# browser journeys run under the policy production sends. No inline script, handler or style
# attribute anywhere (tests/clinic/test_headers.py scans the templates): scripts and styles come
# from /static/ only. PDFs are rendered server-side by WeasyPrint, which CSP does not touch.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For the SMTP backend (portal invitations, password resets, reminders).
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# The version of the consent texts shown to patients; stored with every consent recorded.
CONSENT_TEXT_VERSION = os.getenv("CONSENT_TEXT_VERSION", "2026-11")
PATIENTS_PER_PAGE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    # The audit anchors go to the log stream whatever LOG_LEVEL is: a copy no database edit
    # reaches (clinic/audit.py).
    "loggers": {"hikagami.audit": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
