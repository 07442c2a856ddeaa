"""Every write goes through a service: no view module saves, creates, updates or deletes a
record itself, and every service function that writes takes keyword-only arguments (so a call
names what it passes: `sign(assessment=..., by=...)`, never a bare positional status or section).

Read from the source (AST), like the selectors' test beside it.
"""

import ast

import pytest

from tests.test_views_read_through_selectors import ROOT, VIEW_MODULES

WRITES = {
    "save",
    "delete",
    "create",
    "update",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
# The modules that hold the writes views call (an app's `services.py` and its topic modules).
SERVICE_MODULES = [
    ROOT / "clinic" / "services.py",
    ROOT / "clinic" / "two_factor.py",
    ROOT / "patients" / "services.py",
    ROOT / "patients" / "invitations.py",
    ROOT / "patients" / "menus.py",
    ROOT / "patients" / "working_hours.py",
    ROOT / "patients" / "checkout.py",
    ROOT / "patients" / "till_setup.py",
    ROOT / "patients" / "receipts.py",
    ROOT / "patients" / "till.py",
    ROOT / "assessments" / "services.py",
    ROOT / "assessments" / "documents.py",
    ROOT / "assessments" / "receipts.py",
    ROOT / "assessments" / "homecare.py",
    ROOT / "assessments" / "library.py",
    ROOT / "assessments" / "plans.py",
    ROOT / "assessments" / "plan_editor.py",
    ROOT / "assessments" / "recall.py",
    ROOT / "assessments" / "referrals.py",
    ROOT / "assessments" / "thresholds.py",
    ROOT / "assessments" / "visit_records.py",
]


def _is_unsaved_form_instance(call: ast.Call) -> bool:
    """`form.save(commit=False)`: builds the instance a service then checks and saves."""
    return any(
        keyword.arg == "commit"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is False
        for keyword in call.keywords
    )


def writes(node) -> list[int]:
    """Lines under `node` that call a write method (save, create, update, delete, ...)."""
    return [
        call.lineno
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in WRITES
        and not _is_unsaved_form_instance(call)
    ]


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_view_module_writes_nothing_itself(path):
    assert writes(ast.parse(path.read_text(encoding="utf-8"))) == []


def positional_writers(source: str) -> list[str]:
    """Public functions of a module that write and take positional arguments."""
    found = []
    for function in ast.parse(source).body:
        if not isinstance(function, ast.FunctionDef) or function.name.startswith("_"):
            continue
        if function.args.args and writes(function):
            found.append(function.name)
    return found


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_service_that_writes_takes_keyword_only_arguments(path):
    assert positional_writers(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("def v(request):\n    form.save()\n", 1),
        ("def v(request):\n    form.save(commit=False)\n", 0),
        ("def v(request):\n    form.save(commit=True)\n", 1),
        ("def v(request):\n    patient.care_plans.create(x=1)\n", 1),
        ("def v(request):\n    qs.filter(a=1).update(b=2)\n", 1),
        ("def v(request):\n    entry.delete()\n", 1),
        ("def v(request):\n    services.sign(assessment=a, by=b)\n", 0),
        ("def v(request):\n    return render(request, 'x.html')\n", 0),
    ],
)
def test_the_reader_finds_the_writes(source, found):
    assert len(writes(ast.parse(source))) == found


def test_the_reader_finds_a_positional_writer():
    source = (
        "def sign(assessment, by):\n    assessment.save()\n"
        "def sign_kw(*, assessment, by):\n    assessment.save()\n"
        "def read(assessment):\n    return assessment.flags.all()\n"
        "def _helper(x):\n    x.save()\n"
    )
    assert positional_writers(source) == ["sign"]
