"""The clinical safety table a clinician reviews is the one the rules apply."""

from assessments.management.commands.safety_table import PAGE
from assessments.rules.hazards import HAZARD_RULES
from assessments.rules.table import SIDE_RULES, safety_table


def test_the_published_table_is_what_the_rules_say():
    assert PAGE.read_text(encoding="utf-8") == safety_table(), (
        "docs/clinical-safety-table.md is out of date: run `python manage.py safety_table`"
    )


def test_the_table_names_every_hazard_with_its_side_rule():
    page = safety_table()
    assert set(SIDE_RULES) == {rule.code for rule in HAZARD_RULES}
    for rule in HAZARD_RULES:
        assert f"`{rule.code}`" in page
    assert "深部静脈血栓症の疑い" in page and "Suspected deep-vein thrombosis" in page
