from dataclasses import fields
from decimal import Decimal as D

import pytest

from assessments.rules import Bilateral, WellsAnswers, wells_score
from assessments.rules.wells import CALF_ITEM, WELLS_ITEMS, wells_band


def calf(left, right):
    return Bilateral(D(left), D(right))


def test_no_items_scores_zero_and_unlikely():
    result = wells_score(WellsAnswers(), None, "left")
    assert (result.score, result.items, result.likely) == (0, (), False)
    assert result.calf_difference_cm is None


def test_one_item_is_unlikely():
    result = wells_score(WellsAnswers(active_cancer=True), None, "left")
    assert (result.score, result.likely) == (1, False)


def test_two_items_are_likely():
    answers = WellsAnswers(active_cancer=True, entire_leg_swollen=True)
    result = wells_score(answers, None, "left")
    assert (result.score, result.likely) == (2, True)
    assert result.items == ("active_cancer", "entire_leg_swollen")


def test_an_alternative_at_least_as_likely_takes_two_points_off():
    answers = WellsAnswers(active_cancer=True, entire_leg_swollen=True, alternative_as_likely=True)
    result = wells_score(answers, None, "left")
    assert (result.score, result.likely) == (0, False)
    assert result.items[-1] == "alternative_as_likely"


def test_three_items_and_an_alternative_stay_below_likely():
    answers = WellsAnswers(
        active_cancer=True,
        entire_leg_swollen=True,
        pitting_oedema=True,
        alternative_as_likely=True,
    )
    assert wells_score(answers, None, "left").score == 1


def test_every_item_together_scores_seven():
    answers = WellsAnswers(**{field.name: True for field in fields(WellsAnswers)})
    result = wells_score(answers, calf("41", "38"), "left")
    assert result.score == 7
    assert result.items == tuple(item.code for item in WELLS_ITEMS)


def test_the_calf_item_counts_from_three_cm():
    result = wells_score(WellsAnswers(), calf("40", "37"), "left")
    assert (result.score, result.items, result.calf_difference_cm) == (1, (CALF_ITEM,), D("3"))


def test_the_calf_item_does_not_count_at_two_point_nine_cm():
    result = wells_score(WellsAnswers(), calf("39.9", "37"), "left")
    assert (result.score, result.items, result.calf_difference_cm) == (0, (), D("2.9"))


def test_the_calf_item_tips_one_item_into_likely():
    answers = WellsAnswers(deep_vein_tenderness=True)
    assert wells_score(answers, calf("40", "37"), "left").likely
    assert not wells_score(answers, calf("39.9", "37"), "left").likely


def test_the_calf_item_counts_for_the_right_leg():
    result = wells_score(WellsAnswers(), calf("37", "40"), "right")
    assert (result.score, result.calf_difference_cm) == (1, D("3"))


def test_a_larger_calf_on_the_other_leg_does_not_count():
    result = wells_score(WellsAnswers(), calf("37", "41"), "left")
    assert (result.score, result.calf_difference_cm) == (0, D("-4"))


@pytest.mark.parametrize("side", ["", "both"])
def test_without_one_symptomatic_leg_the_absolute_difference_counts(side):
    assert wells_score(WellsAnswers(), calf("37", "40"), side).score == 1
    assert wells_score(WellsAnswers(), calf("37", "39.9"), side).score == 0


def test_a_calf_measured_on_one_side_only_gives_no_difference():
    result = wells_score(WellsAnswers(), Bilateral(D("41"), None), "left")
    assert (result.score, result.calf_difference_cm) == (0, None)


def test_the_two_level_band():
    assert [wells_band(score) for score in (1, 2)] == ["unlikely", "likely"]


def test_every_wells_answer_and_the_calf_are_items():
    answered = {field.name for field in fields(WellsAnswers)}
    assert {item.code for item in WELLS_ITEMS} == answered | {CALF_ITEM}
    assert {item.code: item.points for item in WELLS_ITEMS}["alternative_as_likely"] == -2
