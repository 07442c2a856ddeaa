import os
import subprocess
import sys

from django.conf import settings


def _settings_in_subprocess(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS"}
    }
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='clinic.settings';"
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS,"
        " settings.DATABASES['default']['ENGINE'])"
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
