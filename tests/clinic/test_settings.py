import os
import subprocess
import sys

import pytest
from django.conf import settings


def _settings_in_subprocess(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DEBUG",
            "DATABASE_URL",
            "ALLOWED_HOSTS",
            "PRODUCTION",
            "SECURE_COOKIES",
            "AUDIT_CHAIN_KEY",
            "SECRET_KEY_FALLBACKS",
        }
    }
    # The checkout's own key file (make writes one) must not stand in for what a test leaves out.
    clean["AUDIT_CHAIN_KEY_FILE"] = os.devnull + ".none"
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='clinic.settings';"
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS,"
        " settings.DATABASES['default']['ENGINE'], settings.PRODUCTION,"
        " settings.SESSION_COOKIE_SECURE, settings.AUDIT_CHAIN_KEY == settings.SECRET_KEY)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


def test_a_missing_secret_key_fails_loudly_when_debug_is_off(tmp_path):
    result = _settings_in_subprocess(SECRET_KEY_FILE=str(tmp_path / "none"))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_checkouts_key_file_is_used_when_the_environment_has_none(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("k" * 60)
    code_ok = _settings_in_subprocess(SECRET_KEY_FILE=str(key_file))
    assert code_ok.returncode == 0 and code_ok.stdout.split()[0] == "False"


def test_debug_is_off_unless_asked():
    result = _settings_in_subprocess(SECRET_KEY="x")
    assert result.stdout.split()[0] == "False"


def test_sqlite_is_the_default_and_database_url_switches_to_postgresql():
    assert "sqlite3" in _settings_in_subprocess(SECRET_KEY="x").stdout
    pg = _settings_in_subprocess(SECRET_KEY="x", DATABASE_URL="postgres://u@127.0.0.1/db")
    assert "postgresql" in pg.stdout


def test_sqlite_runs_in_wal_with_immediate_transactions(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # the PostgreSQL run checks its own engine above
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


PRODUCTION_KEYS = {
    "SECRET_KEY": "s" * 30 + "-Hikagami-settings-test-0123456789",
    "AUDIT_CHAIN_KEY": "a" * 30 + "-Hikagami-audit-chain-test-01234",
    "ALLOWED_HOSTS": "clinic.example.jp",
}


@pytest.mark.parametrize("word", ["1", "true", "YES", " on "])
def test_production_starts_with_any_on_word_and_its_own_audit_key(word):
    result = _settings_in_subprocess(PRODUCTION=word, **PRODUCTION_KEYS)
    assert result.returncode == 0, result.stderr
    debug, _hosts, _engine, production, _secure, same_key = result.stdout.split()
    assert production == "True" and same_key == "False"


@pytest.mark.parametrize("word", ["0", "false", "No", "off", ""])
def test_off_words_mean_off(word):
    result = _settings_in_subprocess(SECRET_KEY="x", PRODUCTION=word, SECURE_COOKIES=word)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[3:5] == ["False", "False"]


@pytest.mark.parametrize(
    ("name", "word"), [("PRODUCTION", "Y"), ("SECURE_COOKIES", "ture"), ("DEBUG", "2")]
)
def test_an_unknown_on_off_word_stops_start_up_and_names_the_variable(name, word):
    result = _settings_in_subprocess(SECRET_KEY="x", **{name: word})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name}='{word}'" in result.stderr


def test_production_without_an_audit_chain_key_fails_at_start_up():
    keys = {k: v for k, v in PRODUCTION_KEYS.items() if k != "AUDIT_CHAIN_KEY"}
    result = _settings_in_subprocess(PRODUCTION="1", **keys)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY must be set" in result.stderr


def test_production_with_the_secret_key_as_audit_chain_key_fails_at_start_up():
    keys = {**PRODUCTION_KEYS, "AUDIT_CHAIN_KEY": PRODUCTION_KEYS["SECRET_KEY"]}
    result = _settings_in_subprocess(PRODUCTION="1", **keys)
    assert result.returncode != 0
    assert "AUDIT_CHAIN_KEY must differ from SECRET_KEY" in result.stderr


def test_outside_production_the_audit_chain_key_defaults_to_the_secret_key():
    result = _settings_in_subprocess(SECRET_KEY="x")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[5] == "True"


def test_secret_key_fallbacks_come_from_a_list():
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='clinic.settings';"
        "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)"
    )
    env = {**os.environ, "SECRET_KEY": "new", "SECRET_KEY_FALLBACKS": "old-1, old-2"}
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.stdout.strip() == "['old-1', 'old-2']", result.stderr
