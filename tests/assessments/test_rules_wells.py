"""The Wells score: each item, the -2, the calf measured, the history asked once, and the
breakdown every page shows."""

from dataclasses import fields
from decimal import Decimal as D

import pytest

from assessments.rules import Bilateral, Cancer, RedFlagAnswers, WellsAnswers, wells_score
from assessments.rules.wells import (
    CALF_ITEM,
    EXAMINATION,
    HISTORY,
    HISTORY_ANSWERS,
    MEASURED,
    WELLS_ITEMS,
    wells_band,
)

NO_HISTORY = RedFlagAnswers()


def calf(left, right):
    return Bilateral(D(left), D(right))


def score(history=NO_HISTORY, exam=None, measured=None, side="left"):
    return wells_score(history, exam or WellsAnswers(), measured, side)


def test_no_items_scores_zero_and_unlikely():
    result = score()
    assert (result.score, result.items, result.likely) == (0, (), False)
    assert result.calf_difference_cm is None


def test_one_item_is_unlikely():
    result = score(RedFlagAnswers(cancer=Cancer.ACTIVE))
    assert (result.score, result.likely) == (1, False)


def test_two_items_are_likely():
    result = score(RedFlagAnswers(cancer=Cancer.ACTIVE), WellsAnswers(entire_leg_swollen=True))
    assert (result.score, result.likely) == (2, True)
    assert result.items == ("active_cancer", "entire_leg_swollen")


def test_an_alternative_at_least_as_likely_takes_two_points_off():
    result = score(
        RedFlagAnswers(cancer=Cancer.ACTIVE),
        WellsAnswers(entire_leg_swollen=True, alternative_as_likely=True),
    )
    assert (result.score, result.likely) == (0, False)
    assert result.items[-1] == "alternative_as_likely"


def test_three_items_and_an_alternative_stay_below_likely():
    exam = WellsAnswers(entire_leg_swollen=True, pitting_oedema=True, alternative_as_likely=True)
    assert score(RedFlagAnswers(cancer=Cancer.ACTIVE), exam).score == 1


def test_every_item_together_scores_seven():
    history = RedFlagAnswers(
        cancer=Cancer.ACTIVE, paralysis_or_cast=True, bedridden_or_surgery=True, previous_dvt=True
    )
    exam = WellsAnswers(**{field.name: True for field in fields(WellsAnswers)})
    result = score(history, exam, calf("41", "38"))
    assert result.score == 7
    assert result.items == tuple(item.code for item in WELLS_ITEMS)


@pytest.mark.parametrize(
    "history, item",
    [
        (RedFlagAnswers(cancer=Cancer.ACTIVE), "active_cancer"),
        (RedFlagAnswers(paralysis_or_cast=True), "paralysis_or_cast"),
        (RedFlagAnswers(bedridden_or_surgery=True), "bedridden_or_surgery"),
        (RedFlagAnswers(previous_dvt=True), "previous_dvt"),
    ],
)
def test_each_history_item_is_read_from_the_one_history(history, item):
    assert score(history).items == (item,)


def test_cancer_in_the_past_is_not_the_wells_item():
    assert score(RedFlagAnswers(cancer=Cancer.PAST)).score == 0


def test_the_calf_item_counts_from_three_cm():
    result = score(measured=calf("40", "37"))
    assert (result.score, result.items, result.calf_difference_cm) == (1, (CALF_ITEM,), D("3"))


def test_the_calf_item_does_not_count_at_two_point_nine_cm():
    result = score(measured=calf("39.9", "37"))
    assert (result.score, result.items, result.calf_difference_cm) == (0, (), D("2.9"))


def test_the_calf_item_tips_one_item_into_likely():
    exam = WellsAnswers(deep_vein_tenderness=True)
    assert score(exam=exam, measured=calf("40", "37")).likely
    assert not score(exam=exam, measured=calf("39.9", "37")).likely


def test_the_calf_item_counts_for_the_right_leg():
    result = score(measured=calf("37", "40"), side="right")
    assert (result.score, result.calf_difference_cm) == (1, D("3"))


def test_a_larger_calf_on_the_other_leg_does_not_count():
    result = score(measured=calf("37", "41"))
    assert (result.score, result.calf_difference_cm) == (0, D("-4"))


@pytest.mark.parametrize("side", ["", "both"])
def test_without_one_symptomatic_leg_the_absolute_difference_counts(side):
    assert score(measured=calf("37", "40"), side=side).score == 1
    assert score(measured=calf("37", "39.9"), side=side).score == 0


def test_a_calf_measured_on_one_side_only_gives_no_difference():
    result = score(measured=Bilateral(D("41"), None))
    assert (result.score, result.calf_difference_cm) == (0, None)


def test_the_two_level_band():
    assert [wells_band(score) for score in (1, 2)] == ["unlikely", "likely"]


def test_the_items_are_the_history_the_examination_and_the_calf():
    examination = {field.name for field in fields(WellsAnswers)}
    assert {item.code for item in WELLS_ITEMS if item.origin == EXAMINATION} == examination
    assert {item.code for item in WELLS_ITEMS if item.origin == HISTORY} == set(HISTORY_ANSWERS)
    assert [item.code for item in WELLS_ITEMS if item.origin == MEASURED] == [CALF_ITEM]
    assert {item.code: item.points for item in WELLS_ITEMS}["alternative_as_likely"] == -2


def test_the_breakdown_lists_every_item_with_its_points_the_minus_two_included():
    result = score(
        RedFlagAnswers(bedridden_or_surgery=True),
        WellsAnswers(entire_leg_swollen=True, alternative_as_likely=True),
        calf("40", "37"),
    )
    lines = {line.item.code: (line.present, line.points) for line in result.lines}
    assert len(result.lines) == len(WELLS_ITEMS)
    assert lines["bedridden_or_surgery"] == (True, 1)
    assert lines["entire_leg_swollen"] == (True, 1)
    assert lines[CALF_ITEM] == (True, 1)
    assert lines["alternative_as_likely"] == (True, -2)
    assert lines["active_cancer"] == (False, 0)
    assert sum(points for _present, points in lines.values()) == result.score == 1


def test_the_breakdown_is_stored_as_codes_and_numbers():
    result = score(RedFlagAnswers(previous_dvt=True), measured=calf("41", "37"))
    stored = result.as_dict()
    assert stored["score"] == 2 and stored["likely"] is True
    assert stored["calf_difference_cm"] == "4"
    assert {"code": "previous_dvt", "present": True, "points": 1} in stored["lines"]
    assert {"code": "alternative_as_likely", "present": False, "points": 0} in stored["lines"]
