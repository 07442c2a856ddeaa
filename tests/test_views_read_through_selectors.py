"""Views call selectors and services: no view module touches a model's manager, so every read
is one of the selectors (`patients/selectors.py`, `assessments/selectors.py`, and the few in
`clinic/access.py`), each built on `access.scoped()`, which answers only the user's own clinic.

Read from the source (AST): a manager reached in a view (`Model.objects`, `_default_manager`,
`get_object_or_404(Model, ...)`) is a lookup that is scoped only if someone remembered to.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VIEW_MODULES = [
    ROOT / "clinic" / "views.py",
    ROOT / "clinic" / "audit_views.py",
    *sorted((ROOT / "patients" / "views").glob("*.py")),
    *sorted((ROOT / "assessments" / "views").glob("*.py")),
]
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def unscoped_lookups(source: str) -> list[int]:
    """Lines of `source` that reach a model manager or Django's lookup shortcuts directly."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in {"objects", "_default_manager"}:
            lines.append(node.lineno)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in SHORTCUTS:
                lines.append(node.lineno)
    return lines


def test_there_are_view_modules_to_read():
    assert len(VIEW_MODULES) >= 10 and all(path.exists() for path in VIEW_MODULES)


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_view_module_reads_only_through_selectors(path):
    assert unscoped_lookups(path.read_text(encoding="utf-8")) == []


def test_every_selector_is_built_on_the_scoping_helper_or_on_a_scoped_record():
    """A selector either goes through `access.scoped` / `access.get_scoped` (or another selector
    of the module that does), or takes a record that was itself fetched through one (a patient,
    a plan): its first parameter names it."""
    for module in ("patients", "assessments"):
        tree = ast.parse((ROOT / module / "selectors.py").read_text(encoding="utf-8"))
        functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        for name, function in functions.items():
            if name.startswith("_"):
                continue
            called = {
                getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                for node in ast.walk(function)
                if isinstance(node, ast.Call)
            }
            first = function.args.args[0].arg if function.args.args else None
            scoped = called & ({"scoped", "get_scoped"} | set(functions))
            by_record = first in {"patient", "plan", "assessment"}
            checks_a_code = function.args.kwonlyargs and first is None  # a uniqueness check
            assert scoped or by_record or checks_a_code, f"{module}/selectors.py {name}"


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def v(request):\n    return Patient.objects.get(pk=1)\n", 1),
        ("def v(request):\n    return get_object_or_404(Patient, pk=1)\n", 1),
        ("def v(request):\n    return shortcuts.get_object_or_404(x, pk=1)\n", 1),
        ("def v(request):\n    return Plan._default_manager.all()\n", 1),
        ("def v(request):\n    return selectors.get_patient(request, 1)\n", 0),
        ("def v(request):\n    return patient.appointments.all()\n", 0),
    ],
)
def test_the_reader_finds_what_it_looks_for(source, found):
    assert len(unscoped_lookups(source)) == found
