"""The floors hold: `clinic/` imports no other app of ours, `patients/` only `clinic/`,
`assessments/` both; `devtools/` (tooling) may import anything and nothing imports it.

Read from the source (AST), so an import inside a function counts as much as one at the top, and
an app named in a string to `import_module` / `apps.get_model` counts too. The project wiring
(`clinic/settings.py`, `urls.py`, `wsgi.py`, `asgi.py`) names every app by design.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOOR = {"clinic": 0, "patients": 1, "assessments": 2, "devtools": 3}
WIRING = {"clinic/settings.py", "clinic/urls.py", "clinic/wsgi.py", "clinic/asgi.py"}
BY_NAME = {"import_module", "get_model", "__import__"}


def _named(node) -> list[tuple[int, str]]:
    """(line, module or app label) of what `node` imports or looks up by name."""
    if isinstance(node, ast.Import):
        return [(node.lineno, alias.name) for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [(node.lineno, node.module)]
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in BY_NAME and node.args and isinstance(node.args[0], ast.Constant):
            value = node.args[0].value
            if isinstance(value, str):
                return [(node.lineno, value)]
    return []


def arrows_against_the_floors(app: str, rel: str, source: str) -> list[str]:
    """Every import in `source` (a file of `app`) that points at a higher floor."""
    if rel in WIRING:
        return []
    found = []
    for node in ast.walk(ast.parse(source)):
        for line, target in _named(node):
            top = target.split(".")[0]
            if top in FLOOR and FLOOR[top] > FLOOR[app]:
                found.append(f"{rel}:{line} imports {target}")
    return found


def _sources():
    for app in FLOOR:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel:
                yield app, rel, path.read_text(encoding="utf-8")


def test_no_import_points_up_a_floor():
    arrows = [a for app, rel, text in _sources() for a in arrows_against_the_floors(app, rel, text)]
    assert arrows == []


# The audit entry's `patient` is a foreign key to "patients.Patient" by label (no import): the two
# migrations that made and protected it depend on patients'. The code reads the patient through
# `audit.register_subject` (patients/apps.py); making the column a plain id is what removes these.
KNOWN_MIGRATION_ARROWS = {
    "clinic/0002_audit_trail.py depends on patients",
    "clinic/0006_audit_entries_protected.py depends on patients",
}


def test_the_migrations_point_no_higher_than_their_app():
    """A migration may depend on a lower app's migration, never on a higher one's (but the two
    known ones, which must stay exactly those: a new one fails, and so does fixing one without
    taking it off the list)."""
    arrows = []
    for app in ("clinic", "patients", "assessments"):
        for path in sorted((ROOT / app / "migrations").glob("0*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Tuple) and len(node.elts) == 2:
                    first = node.elts[0]
                    if isinstance(first, ast.Constant) and first.value in FLOOR:
                        if FLOOR[first.value] > FLOOR[app]:
                            arrows.append(f"{app}/{path.name} depends on {first.value}")
    assert set(arrows) == KNOWN_MIGRATION_ARROWS


def test_nothing_in_the_product_imports_the_tooling():
    for app in ("clinic", "patients", "assessments"):
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "clinic/settings.py":
                continue  # installs it outside production, by name
            assert "devtools" not in path.read_text(encoding="utf-8"), rel


TEMPLATE_NAME = re.compile(r"""["'](clinic|patients|assessments)/[\w/.-]+\.html["']""")


def templates_above(app: str, text: str) -> list[str]:
    """The templates named in `text` (code or a template of `app`) that live on a higher floor."""
    return [
        match.group(0).strip("\"'")
        for match in TEMPLATE_NAME.finditer(text)
        if FLOOR[match.group(1)] > FLOOR[app]
    ]


def test_templates_keep_the_floors_too():
    """A page of a floor renders and includes only templates of its floor and below: the
    assessments floor's pages (the patient page, the portal, the homes) live in
    templates/assessments/, so the patients floor cannot reach them by a template name."""
    found = []
    for app in ("clinic", "patients"):
        for path in [*(ROOT / app).rglob("*.py"), *(ROOT / "templates" / app).rglob("*.html")]:
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel:
                continue
            found += [f"{rel}: {name}" for name in templates_above(app, path.read_text("utf-8"))]
    assert found == []


def test_the_template_reader_finds_what_it_looks_for():
    text = '{% include "assessments/_side.html" %} render(r, "patients/day_view.html")'
    assert templates_above("patients", text) == ["assessments/_side.html"]
    assert templates_above("assessments", text) == []
    assert templates_above("clinic", text) == ["assessments/_side.html", "patients/day_view.html"]


@pytest.mark.parametrize(
    ("app", "source", "expected"),
    [
        ("clinic", "def f():\n    from patients.models import Patient\n", 1),
        ("clinic", "import assessments.rules\n", 1),
        ("clinic", "apps.get_model('assessments.Assessment')\n", 1),
        ("patients", "from importlib import import_module\nimport_module('assessments.x')\n", 1),
        ("patients", "from clinic import access\n", 0),
        ("assessments", "from patients.models import Patient\nfrom clinic import audit\n", 0),
        ("assessments", "from devtools import bench_data\n", 1),
        ("clinic", "from . import audit\nfrom clinic.models import User\n", 0),
    ],
)
def test_the_floor_reader_finds_what_it_looks_for(app, source, expected):
    assert len(arrows_against_the_floors(app, f"{app}/x.py", source)) == expected
