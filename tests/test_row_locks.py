"""Row locks are FOR NO KEY UPDATE (PostgreSQL): never a plain FOR UPDATE.

PostgreSQL checks a new row's foreign key (Django's are deferred, checked at commit) with
FOR KEY SHARE on the row it points at, which FOR UPDATE blocks and FOR NO KEY UPDATE lets
through. The audit trail holds a per-clinic lock from a record's first audited write to its
commit, so a transaction holding FOR UPDATE on a clinic, a patient or a visit while it waits
for that lock, beside another that holds the lock while its commit checks a key into the locked
row, deadlock. No lock here changes a key; NO KEY UPDATE still serialises them all.

Read from the source (AST); on SQLite the locks are no-ops (IMMEDIATE transactions serialise).
"""

import ast

import pytest

from tests.test_views_read_through_selectors import ROOT

APPS = ("clinic", "patients", "assessments")


def plain_locks(source: str) -> list[int]:
    """Lines of `source` that call select_for_update without no_key=True."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "select_for_update"
            and not any(
                k.arg == "no_key" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            )
        ):
            found.append(node.lineno)
    return found


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "/migrations/" not in path.as_posix():
                yield path


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_row_lock_lets_foreign_key_checks_through(path):
    assert plain_locks(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("Clinic.objects.select_for_update().get(pk=1)\n", 1),
        ("Clinic.objects.select_for_update(of=('self',)).get(pk=1)\n", 1),
        ("Clinic.objects.select_for_update(no_key=True).get(pk=1)\n", 0),
    ],
)
def test_the_reader_finds_a_plain_lock(source, found):
    assert len(plain_locks(source)) == found
