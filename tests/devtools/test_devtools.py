"""The tooling lives in `devtools/`, which production settings do not install."""

import os
import subprocess
import sys

from django.conf import settings

from tests.clinic.test_settings import PRODUCTION_KEYS

TOOLS = {"load_demo", "seed_patients", "bench", "loadbench"}


def _commands(**env) -> set[str]:
    keep = {k: v for k, v in os.environ.items() if k not in {"PRODUCTION", "DEBUG", "SECRET_KEY"}}
    keep["AUDIT_CHAIN_KEY_FILE"] = os.devnull + ".none"
    result = subprocess.run(
        [sys.executable, "manage.py", "help", "--commands"],
        env={**keep, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_production_has_none_of_the_tools_and_keeps_its_own_commands():
    commands = _commands(PRODUCTION="1", **PRODUCTION_KEYS)
    assert commands & TOOLS == set()
    assert {"backup", "restore", "audit_verify", "send_reminders"} <= commands


def test_outside_production_the_tools_are_there():
    assert TOOLS <= _commands(SECRET_KEY="x")


def test_no_app_of_the_product_holds_tooling():
    for app in ("clinic", "patients", "assessments"):
        root = settings.BASE_DIR / app
        names = {p.stem for p in root.rglob("*.py") if "/migrations/" not in p.as_posix()}
        assert names & (TOOLS | {"loadgen", "bench_data"}) == set(), app
