"""The visit record's pure rules: the red-flag re-check, signing, sides and the next visit.
No database."""

import datetime as dt
import itertools

import pytest

from assessments.rules import visit as rules
from assessments.rules.facts import Side
from assessments.rules.redflags import SAME_DAY, SOON

ALL_NO = rules.Recheck(False, False, False)


def test_three_noes_are_a_routine_visit():
    outcome = rules.recheck(ALL_NO)
    assert outcome.complete and outcome.routine and not outcome.opens_red_flag_path
    assert outcome.raised == () and outcome.urgency is None and outcome.sections == ()


def test_new_swelling_or_heat_opens_the_red_flag_path_for_the_same_day():
    outcome = rules.recheck(rules.Recheck(True, False, False))
    assert outcome.opens_red_flag_path and not outcome.routine
    assert outcome.raised == (rules.SWELLING_OR_HEAT,)
    assert outcome.urgency == SAME_DAY
    assert outcome.sections[0] == "red_flags" and "measurements" in outcome.sections


@pytest.mark.parametrize("code", [rules.NUMBNESS, rules.MUCH_WORSE_PAIN])
def test_new_numbness_or_much_worse_pain_opens_it_within_days(code):
    outcome = rules.recheck(rules.Recheck(**{**vars(ALL_NO), code: True}))
    assert outcome.raised == (code,) and outcome.urgency == SOON
    assert outcome.sections == ("red_flags", "complaint")


def test_several_yes_answers_keep_every_one_and_the_most_urgent_wins():
    outcome = rules.recheck(rules.Recheck(True, True, True))
    assert outcome.raised == (rules.SWELLING_OR_HEAT, rules.NUMBNESS, rules.MUCH_WORSE_PAIN)
    assert outcome.urgency == SAME_DAY
    assert len(outcome.sections) == len(set(outcome.sections))


def test_an_unanswered_question_is_not_complete_and_not_routine():
    outcome = rules.recheck(rules.Recheck(False, None, False))
    assert outcome.unanswered == (rules.NUMBNESS,)
    assert not outcome.complete and not outcome.routine and not outcome.opens_red_flag_path


def test_a_yes_opens_the_path_even_with_another_question_unanswered():
    outcome = rules.recheck(rules.Recheck(None, True, None))
    assert outcome.opens_red_flag_path and not outcome.complete


@pytest.mark.parametrize("answers", list(itertools.product((True, False, None), repeat=3)))
def test_every_combination_is_routine_only_when_all_three_are_no(answers):
    outcome = rules.recheck(rules.Recheck(*answers))
    assert outcome.routine == (answers == (False, False, False))
    assert outcome.opens_red_flag_path == (True in answers)
    assert set(outcome.raised) == {
        q.code for q, a in zip(rules.QUESTIONS, answers, strict=True) if a is True
    }


# Signing: both sides of the rule.


def test_a_routine_visit_may_be_signed():
    verdict = rules.sign_verdict(rules.recheck(ALL_NO), red_flag_path_signed=False)
    assert verdict.allowed and verdict.code == rules.SIGN_ROUTINE


def test_a_yes_blocks_signing_until_its_assessment_is_signed():
    raised = rules.recheck(rules.Recheck(True, False, False))
    blocked = rules.sign_verdict(raised, red_flag_path_signed=False)
    assert not blocked.allowed and blocked.code == rules.BLOCK_RED_FLAG_PATH_OPEN
    after = rules.sign_verdict(raised, red_flag_path_signed=True)
    assert after.allowed and after.code == rules.SIGN_AFTER_RED_FLAG_PATH


def test_an_unanswered_question_always_blocks_signing():
    for answers in [(None, False, False), (True, None, False)]:
        verdict = rules.sign_verdict(
            rules.recheck(rules.Recheck(*answers)), red_flag_path_signed=True
        )
        assert not verdict.allowed and verdict.code == rules.BLOCK_UNANSWERED


# A yes is never taken back.


def test_taking_a_yes_back_is_found():
    before = rules.Recheck(True, False, True)
    assert rules.kept_yes(before, rules.Recheck(False, False, True)) == (rules.SWELLING_OR_HEAT,)
    assert rules.kept_yes(before, rules.Recheck(None, False, None)) == (
        rules.SWELLING_OR_HEAT,
        rules.MUCH_WORSE_PAIN,
    )


def test_adding_a_yes_or_answering_a_question_loses_nothing():
    assert rules.kept_yes(rules.Recheck(None, None, None), rules.Recheck(True, False, False)) == ()
    assert rules.kept_yes(rules.Recheck(False, True, False), rules.Recheck(True, True, False)) == ()


# Where an in-clinic item may have been done, and the next visit.


def test_an_item_given_on_both_legs_may_be_done_on_either_or_both():
    assert rules.allowed_sides(Side.BOTH) == (Side.LEFT, Side.RIGHT, Side.BOTH)


@pytest.mark.parametrize("side", [Side.LEFT, Side.RIGHT])
def test_an_item_given_on_one_leg_is_done_on_that_leg_only(side):
    assert rules.allowed_sides(side) == (side,)


def test_an_item_not_done_on_a_leg_has_no_side():
    assert rules.allowed_sides(Side.NONE) == (Side.NONE,)


def test_the_next_visit_follows_the_plans_interval_or_is_left_open():
    day = dt.date(2026, 3, 2)
    assert rules.next_visit(day, 7) == dt.date(2026, 3, 9)
    assert rules.next_visit(day, None) is None and rules.next_visit(day, 0) is None
