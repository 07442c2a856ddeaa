"""Statuses and choices live in one place (issue 12, item 5).

The source of the apps (not migrations, not tests) never compares a status with a string literal
nor filters on one: it names the TextChoices member. A (code, label) choice list is written out
once, and the forms, the model fields and the explanations use that one definition.
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from assessments import explain, forms
from assessments.models import (
    AssessmentStatus,
    PlanItem,
    PlanStatus,
    ReferralStatus,
    VisitRecordStatus,
)
from assessments.plans import BlockerCode
from assessments.rules import facts
from assessments.rules.hazard_rules import ABSOLUTE
from patients.models import AppointmentStatus, AssessmentNeed, MenuColour, Patient, WorkStyle
from patients.work import Work

ROOT = Path(settings.BASE_DIR)
APPS = ("clinic", "patients", "assessments")
SOURCE_DIRS = (*APPS, "devtools")
STATUS_CHOICES = (
    AssessmentStatus,
    PlanStatus,
    AppointmentStatus,
    ReferralStatus,
    VisitRecordStatus,
)
STATUS_VALUES = frozenset(value for choices in STATUS_CHOICES for value in choices.values)
ITEM_KINDS = frozenset(PlanItem.Kind.values)
BLOCKER_CODES = frozenset(
    value for name, value in vars(BlockerCode).items() if name.isupper() and isinstance(value, str)
)
TEMPLATE_COMPARISON = re.compile(r"""status\s*(==|!=)\s*["']|["']\s+(not\s+)?in\s+\S*status""")


def sources():
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _strings(node):
    """The string constants `node` is, or holds (a list, tuple or set of them)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for element in node.elts:
            yield from _strings(element)


def literal_statuses(source: str, values=STATUS_VALUES) -> list[tuple[int, str]]:
    """(line, value) of each status (or blocker code) written as a literal: compared (`==`,
    `!=`, `in`, `not in`) or passed as `status=` / `status__in=` / `status__...=`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            found += [(node.lineno, s) for operand in operands for s in _strings(operand)]
        elif isinstance(node, ast.keyword) and node.arg and node.arg.split("__")[0] == "status":
            found += [(node.value.lineno, s) for s in _strings(node.value)]
    return [(line, value) for line, value in found if value in values]


def literal_choices(source: str) -> list[tuple[int, frozenset[str]]]:
    """(line, codes) of each choice list written out as literals: a list or tuple of at least two
    (string, label) pairs."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.List, ast.Tuple)):
            continue
        pairs = [e for e in node.elts if isinstance(e, ast.Tuple) and len(e.elts) == 2]
        codes = [
            pair.elts[0].value
            for pair in pairs
            if isinstance(pair.elts[0], ast.Constant) and isinstance(pair.elts[0].value, str)
        ]
        if len(codes) >= 2 and len(codes) == len(node.elts):
            found.append((node.lineno, frozenset(codes) - {""}))
    return found


DEFINED_ONCE = {
    "qualities": frozenset(code for code, _label in facts.QUALITIES),
    "provokers": frozenset(code for code, _label in facts.PROVOKERS),
    "work styles": frozenset(WorkStyle.values),
    "menu colours": frozenset(MenuColour.values),
    "assessment needs": frozenset(AssessmentNeed.values),
}


# The readers find what they look for ------------------------------------------------------


@pytest.mark.parametrize(
    "snippet",
    [
        'if plan.status == "draft": pass',
        'if "published" != plan.status: pass',
        'ok = visit.status in ("checked_in", "in_session")',
        'ok = visit.status not in ["cancelled"]',
        'CarePlan.objects.filter(status="superseded")',
        'Appointment.objects.filter(status__in=["booked", "checked_in"])',
        'Referral.objects.exclude(status="closed")',
    ],
)
def test_the_reader_finds_a_literal_status(snippet):
    assert literal_statuses(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "if plan.status == PlanStatus.DRAFT: pass",
        'render(request, "page.html", status=403)',
        'if work_style == "desk": pass',
        'label = "draft"',  # named, not compared: a definition may spell the value
    ],
)
def test_the_reader_leaves_named_statuses_and_other_strings_alone(snippet):
    assert not literal_statuses(snippet)


def test_the_reader_finds_a_choice_list_written_out_again():
    snippet = 'QUALITIES = [("throbbing", _("Throbbing")), ("dull", _("Dull ache"))]'
    assert literal_choices(snippet) == [(1, frozenset({"throbbing", "dull"}))]


@pytest.mark.parametrize(
    "line",
    [
        '{% if plan.status == "published" %}',
        "{% if visit.status != 'booked' %}",
        '{% if "draft" in plan.status %}',
    ],
)
def test_the_template_reader_finds_a_literal_status(line):
    assert TEMPLATE_COMPARISON.search(line)


# The code holds ---------------------------------------------------------------------------


def test_every_status_field_is_one_of_the_status_choices():
    """A new status field is added to STATUS_CHOICES, so its values are checked too."""
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "status"), None)
        if field is not None and field.choices and model.__module__.split(".")[0] in APPS:
            assert any(field.choices == choices.choices for choices in STATUS_CHOICES), model


@pytest.mark.parametrize("path", list(sources()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_status_is_a_string_literal(path):
    assert literal_statuses(path.read_text()) == []


@pytest.mark.parametrize("path", list(sources()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_blocker_is_a_string_literal(path):
    """Blockers are `Blocker` objects whose code is a `BlockerCode`, never a spelled string."""
    assert literal_statuses(path.read_text(), values=BLOCKER_CODES) == []


@pytest.mark.parametrize("path", list(sources()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_plan_item_kind_is_compared_with_a_string_literal(path):
    assert literal_statuses(path.read_text(), values=ITEM_KINDS) == []


def test_the_reader_finds_a_literal_item_kind():
    snippet = 'exercises = [item for item in items if item["kind"] == "exercise"]'
    assert literal_statuses(snippet, values=ITEM_KINDS) == [(1, "exercise")]


def test_the_plan_item_kinds_are_the_plan_rules_codes():
    from assessments.rules import plan_rules

    assert set(PlanItem.Kind.values) == set(plan_rules.KIND_LABELS)


def test_the_reader_finds_a_literal_blocker_code():
    snippet = 'if "referral_not_explained" in {b.code for b in blockers}: pass'
    assert literal_statuses(snippet, values=BLOCKER_CODES) == [(1, "referral_not_explained")]


def test_no_template_compares_a_status_with_a_string():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if TEMPLATE_COMPARISON.search(line)
    ]
    assert found == []


def test_no_template_spells_a_blocker_code():
    # "absolute" is also a hazard's severity, which templates may show: left to the hazards.
    codes = sorted(BLOCKER_CODES - {ABSOLUTE})
    spelled = re.compile("|".join(rf"[\"']{code}[\"']" for code in codes))
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if spelled.search(line)
    ]
    assert found == []


@pytest.mark.parametrize("path", list(sources()), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_choice_list_is_written_out_twice(path):
    repeated = [
        (line, name)
        for line, codes in literal_choices(path.read_text())
        for name, defined in DEFINED_ONCE.items()
        if len(codes & defined) >= 2
    ]
    assert repeated == []


def test_the_complaint_form_offers_the_rules_qualities_and_provokers():
    form = forms.ComplaintForm()
    assert forms.QUALITIES is facts.QUALITIES
    assert forms.PROVOKERS is facts.PROVOKERS
    assert form.fields["qualities"].choices == list(facts.QUALITIES)
    assert form.fields["provokers"].choices == list(facts.PROVOKERS)


def test_the_explanations_name_the_qualities_and_provokers_as_the_form_does():
    assert explain.QUALITY_LABELS is facts.QUALITY_LABELS
    assert explain.PROVOKER_LABELS is facts.PROVOKER_LABELS
    assert facts.QUALITY_LABELS == dict(facts.QUALITIES)
    assert facts.PROVOKER_LABELS == dict(facts.PROVOKERS)


def test_the_habits_form_and_the_patient_record_share_the_work_styles():
    assert Patient._meta.get_field("work_style").choices == WorkStyle.choices
    assert forms.HabitsForm().fields["work_style"].choices[1:] == WorkStyle.choices
    assert {Work.DESK, Work.STANDING, Work.DRIVING, Work.MIXED} == set(WorkStyle.values)


def test_the_appointment_statuses_are_the_scheduling_rules_codes():
    from patients import scheduling

    assert set(AppointmentStatus.values) == set(scheduling.TRANSITIONS)
