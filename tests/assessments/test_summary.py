from django.utils import translation

from assessments import summary


def test_measurement_changes_list_only_what_changed_in_measure_order():
    before = {
        "slr": {"left": "75", "right": "55"},
        "calf_circumference": {"left": "37", "right": "37"},
    }
    after = {
        "slr": {"left": "75", "right": "60"},
        "calf_circumference": {"left": "37", "right": "37"},
        "knee_to_wall": {"left": "10", "right": "7"},
    }
    with translation.override("en"):
        rows = summary.changes("measurements", before, after)
    assert [(before, after) for _label, before, after in rows] == [
        ("75 / 55", "75 / 60"),
        ("—", "10 / 7"),
    ]


def test_section_changes_use_the_form_labels_and_choice_names():
    with translation.override("en"):
        rows = summary.changes(
            "complaint",
            {"side": "right", "pain": 5},
            {"side": "left", "pain": 5, "qualities": ["dull"]},
        )
    assert ("Side", "Right", "Left") in rows
    assert ("How it feels", "—", "Dull ache") in rows
    assert not any(label.startswith("Pain") for label, _b, _a in rows)


def test_a_pain_of_zero_is_shown_and_an_unticked_box_is_not():
    with translation.override("en"):
        lines = dict(summary.describe("complaint", {"pain": 0, "region": "knee_back"}))
        assert lines["Pain now (0-10)"] == "0"
        habits = dict(summary.describe("habits", {"cold_extremities": False}))
    assert habits == {}


def test_whole_numbers_are_stored_as_written():
    from decimal import Decimal

    from assessments.forms import _json_value

    assert [_json_value(Decimal(v)) for v in ("10", "20.0", "99.5", "100")] == [
        "10",
        "20",
        "99.5",
        "100",
    ]
