"""The rules package stays pure: no database, no clock."""

import ast
from pathlib import Path

import pytest

import assessments.rules

PACKAGE = Path(assessments.rules.__file__).parent
MODULES = sorted(PACKAGE.glob("*.py"))


def imported_names(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module or ""
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_the_rules_import_nothing_from_the_database(module):
    names = list(imported_names(ast.parse(module.read_text())))
    assert not [name for name in names if "django.db" in name or "models" in name]


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_the_rules_never_read_the_clock(module):
    calls = [
        node.func.attr
        for node in ast.walk(ast.parse(module.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    assert not {"now", "today", "utcnow"} & set(calls)
