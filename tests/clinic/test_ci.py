"""CI checks what the pre-stop hook checks, and the suite runs on the dependency set in the lock."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, version = line.partition("==")
        assert sep, f"not pinned with ==: {line}"
        pins[canonicalize_name(name)] = version
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(spec) for spec in listed]


def _commands(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_ci_runs_lint_and_the_migrations_check_before_the_tests():
    commands = _commands(ROOT / ".ci" / "run")
    first_test = next(i for i, c in enumerate(commands) if re.search(r"\bmake test\b", c))
    assert "make lint" in commands[:first_test]
    assert "make migrations-check" in commands[:first_test]


def test_every_declared_dependency_is_pinned_in_the_lock_within_its_range():
    pins = _lock()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{requirement.name}=={pins[name]} is outside {requirement.specifier}"
        )


def test_the_suite_runs_on_the_locked_versions():
    """What is installed here is what the lock says: a hand install or a stale venv shows."""
    drift = {}
    for name, version in _lock().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            drift[name] = (version, installed)
    assert drift == {}


def test_make_installs_from_the_lock_and_reinstalls_when_it_changes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp = re.search(r"^\$\(VENV\)/\.installed:(.*)$", makefile, re.MULTILINE)
    assert stamp and "$(LOCK)" in stamp.group(1)
    assert re.search(r"^LOCK := requirements\.lock$", makefile, re.MULTILINE)
    assert re.search(r"pip install .*-c \$\(LOCK\) -e '\.\[test\]'", makefile)
