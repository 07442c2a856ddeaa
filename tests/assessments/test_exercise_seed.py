"""The shipped home-exercise library: well-formed data and safe, local drawings. No database."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from assessments.exercise_seed import EXERCISES

STATIC = Path(__file__).resolve().parents[2] / "static"

KEYS = {
    "code",
    "name_ja",
    "name_en",
    "purpose",
    "steps",
    "key_points",
    "cautions",
    "care_tags",
    "hold_seconds",
    "reps",
    "sets",
    "times_per_day",
    "duration_minutes",
    "per_side",
    "targets",
    "illustration",
}
CARE_TAGS = {
    "massage",
    "knee_back_pressure",
    "deep_work",
    "mobilisation",
    "stretch",
    "nerve_stretch",
    "knee_back_stretch",
    "leg_exercise",
    "heat",
    "cold",
}
TARGETS = {
    "tight_hamstring",
    "knee_back_pain",
    "knee_back_tension",
    "stiff_ankle",
    "stiff_hip",
    "calf_tension",
    "posture_kyphosis",
    "posture_lordosis",
    "desk_work",
    "cold_extremities",
    "night_cramps",
}
FORBIDDEN_IN_SVG = ("href", "<script", "<image", "url(", "@import")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SVG_NS = "{http://www.w3.org/2000/svg}"

ids = [exercise["code"] for exercise in EXERCISES]


def test_eight_exercises_with_unique_codes():
    codes = [exercise["code"] for exercise in EXERCISES]
    assert len(EXERCISES) == 8
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in codes)


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_each_exercise_has_exactly_the_agreed_keys(exercise):
    assert set(exercise) == KEYS


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_codes_come_from_the_fixed_vocabularies(exercise):
    assert isinstance(exercise["care_tags"], tuple)
    assert set(exercise["care_tags"]) <= CARE_TAGS
    assert isinstance(exercise["targets"], tuple) and exercise["targets"]
    assert set(exercise["targets"]) <= TARGETS


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_patient_text_is_japanese(exercise):
    assert JAPANESE.search(exercise["name_ja"])
    assert JAPANESE.search(exercise["purpose"])
    assert 3 <= len(exercise["steps"]) <= 6
    assert 1 <= len(exercise["key_points"]) <= 3
    assert 1 <= len(exercise["cautions"]) <= 3
    for field in ("steps", "key_points", "cautions"):
        assert isinstance(exercise[field], tuple)
        assert all(isinstance(line, str) and JAPANESE.search(line) for line in exercise[field])
        # The library stores each list as lines joined with "\n": a line must not split itself.
        assert not [line for line in exercise[field] if "\n" in line or not line.strip()]


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_doses_are_whole_numbers_or_unset(exercise):
    for field in ("hold_seconds", "reps", "sets", "duration_minutes"):
        value = exercise[field]
        assert value is None or (type(value) is int and 1 <= value <= 600)
    assert type(exercise["times_per_day"]) is int and 1 <= exercise["times_per_day"] <= 12
    assert type(exercise["per_side"]) is bool
    assert any(exercise[field] for field in ("hold_seconds", "reps", "duration_minutes"))


@pytest.mark.parametrize("exercise", EXERCISES, ids=ids)
def test_illustration_is_a_local_self_contained_svg(exercise):
    assert exercise["illustration"] == f"exercises/{exercise['code']}.svg"
    path = STATIC / exercise["illustration"]
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) < 4096
    lowered = text.lower()
    assert not [needle for needle in FORBIDDEN_IN_SVG if needle in lowered]
    root = ET.fromstring(text)
    assert root.tag == f"{SVG_NS}svg"
    assert len(root.get("viewBox", "").split()) == 4
    assert root.find(f".//{SVG_NS}text") is None


def test_the_knee_back_massages_press_into_the_back_of_the_knee():
    """So a lump, a pulsating mass and a swollen leg hold them (the hazard table)."""
    massages = [
        e for e in EXERCISES if e["code"] in {"knee_back_lymph_massage", "desk_break_knee_back_rub"}
    ]
    assert len(massages) == 2
    for exercise in massages:
        assert {"massage", "knee_back_pressure"} <= set(exercise["care_tags"])


def test_only_the_release_that_straightens_the_knee_is_a_nerve_tension_stretch():
    tags = {e["code"]: set(e["care_tags"]) for e in EXERCISES}
    assert tags["lying_knee_back_release"] == {"stretch", "nerve_stretch", "knee_back_stretch"}
    assert tags["towel_hamstring_stretch"] == {"stretch", "knee_back_stretch"}  # knee kept bent
    assert [code for code, found in tags.items() if "nerve_stretch" in found] == [
        "lying_knee_back_release"
    ]


def test_breathing_is_the_one_exercise_no_hazard_can_hold():
    untagged = [e["code"] for e in EXERCISES if not e["care_tags"]]
    assert untagged == ["morning_posture_breathing"]
