"""The trend since the previous assessment: a clear improvement is 2 points or 30 %."""

import pytest

from assessments.rules import Complaint, PreviousVisit
from assessments.rules.trend import clearly_improved, improvement
from tests.assessments.cases import assess, days_ago


@pytest.mark.parametrize(
    "before, now, improved",
    [
        (5, 3, True),  # 2 points
        (5, 4, False),  # 1 point, 20 %
        (10, 8, True),  # 2 points, 20 %
        (10, 9, False),  # 1 point, 10 %
        (3, 2, True),  # 1 point, 33 %
        (4, 3, False),  # 1 point, 25 %
        (10, 7, True),  # 3 points, 30 %
        (1, 0, True),  # 1 point, 100 %
        (0, 0, False),
        (3, 3, False),
        (2, 5, False),  # worse
    ],
)
def test_a_clear_improvement_is_two_points_or_thirty_percent(before, now, improved):
    assert clearly_improved(before, now) is improved


def test_the_improvement_quotes_both_scores_and_the_date():
    facts = assess(complaint=Complaint(pain=2), previous=PreviousVisit(on=days_ago(14), pain=5))
    found = improvement(facts)
    assert str(found.reasons[0]) == "pain 5/10 at the assessment of 2026-11-06, 2/10 now"
    assert found.inputs == {
        "previous.pain": "5",
        "previous.on": "2026-11-06",
        "complaint.pain": "2",
    }


@pytest.mark.parametrize(
    "facts",
    [
        assess(complaint=Complaint(pain=2)),
        assess(complaint=Complaint(pain=None), previous=PreviousVisit(on=days_ago(7), pain=5)),
        assess(complaint=Complaint(pain=2), previous=PreviousVisit(on=days_ago(7), pain=None)),
    ],
    ids=["no previous assessment", "no pain now", "no pain then"],
)
def test_without_two_scores_there_is_no_trend(facts):
    assert improvement(facts) is None
