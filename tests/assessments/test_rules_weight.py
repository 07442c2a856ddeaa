"""Weight on each foot: kg become shares of the total, and the totals must be plausible."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.rules import Bilateral, compute_asymmetries
from assessments.rules.weight import (
    kg_total_plausible,
    percent_total_plausible,
    share_percent,
)


def test_percentages_are_returned_as_typed():
    assert share_percent(D("55"), D("45"), "%") == (D("55"), D("45"))
    assert share_percent(D("70"), D("70"), "%") == (D("70"), D("70"))  # plausibility is not its job


@pytest.mark.parametrize(
    "left, right, shares",
    [
        ("30", "32", ("48.4", "51.6")),
        ("31", "31", ("50.0", "50.0")),
        ("1", "2", ("33.3", "66.7")),
        ("0", "50", ("0.0", "100.0")),
        ("27.5", "22.5", ("55.0", "45.0")),
        # an exact tie at the hundredths: half-even keeps the two shares at 100 together
        ("0.1", "39.9", ("0.2", "99.8")),
    ],
)
def test_kilograms_become_each_sides_share_of_the_total_to_a_tenth(left, right, shares):
    assert share_percent(D(left), D(right), "kg") == (D(shares[0]), D(shares[1]))


def test_nothing_on_either_scale_is_no_share_at_all():
    assert share_percent(D("0"), D("0"), "kg") == (D("0"), D("0"))


tenths = st.integers(min_value=0, max_value=3000).map(lambda n: D(n) / 10)


@given(left=tenths, right=tenths)
def test_the_two_shares_always_make_exactly_100(left, right):
    shares = share_percent(left, right, "kg")
    if left + right == 0:
        assert shares == (0, 0)
    else:
        assert sum(shares) == 100 and all(0 <= share <= 100 for share in shares)


@pytest.mark.parametrize("unit", ["lb", "", None, "KG"])
def test_an_unknown_unit_is_refused_rather_than_guessed(unit):
    with pytest.raises(ValueError):
        share_percent(D("30"), D("32"), unit)


def test_a_negative_reading_is_refused():
    with pytest.raises(ValueError):
        share_percent(D("-1"), D("32"), "kg")


@pytest.mark.parametrize(
    "left, right, unit, flagged",
    [
        ("27.5", "22.5", "kg", True),  # 55 / 45: 10 points, the default threshold
        ("27.4", "22.6", "kg", False),  # 54.8 / 45.2: 9.6 points
        ("55", "45", "%", True),
        ("54.9", "45.1", "%", False),
    ],
)
def test_kg_and_percent_meet_the_same_10_point_threshold(left, right, unit, flagged):
    pair = Bilateral(*share_percent(D(left), D(right), unit))
    [weight] = compute_asymmetries({"weight_bearing": pair})
    assert weight.flagged is flagged


def test_kg_screened_raw_would_have_missed_the_imbalance():
    """30 / 40 kg is 42.9 / 57.1 %: 14.3 points, flagged; the raw 10 kg difference says nothing."""
    [weight] = compute_asymmetries(
        {"weight_bearing": Bilateral(*share_percent(D("30"), D("40"), "kg"))}
    )
    assert (weight.left, weight.right, weight.difference) == (D("42.9"), D("57.1"), D("14.2"))
    assert weight.flagged and weight.worse_side == "right"


@pytest.mark.parametrize(
    "left, right, plausible",
    [
        ("47.4", "47.5", False),  # 94.9
        ("47.5", "47.5", True),  # 95
        ("52.5", "52.5", True),  # 105
        ("52.5", "52.6", False),  # 105.1
        ("70", "70", False),
        ("0", "100", True),
    ],
)
def test_percentages_must_make_95_to_105(left, right, plausible):
    assert percent_total_plausible(D(left), D(right)) is plausible


@pytest.mark.parametrize(
    "left, right, body, plausible",
    [
        ("28.4", "28.5", "60", False),  # 56.9: below 57 (60 - 5 %)
        ("28.5", "28.5", "60", True),  # 57
        ("31.5", "31.5", "60", True),  # 63 (60 + 5 %)
        ("31.5", "31.6", "60", False),  # 63.1
        ("29.6", "29.7", "62.5", False),  # 59.3 < 59.375
        ("29.7", "29.7", "62.5", True),  # 59.4
        ("32.8", "32.8", "62.5", True),  # 65.6 < 65.625
        ("32.8", "32.9", "62.5", False),  # 65.7
        ("30", "40", "62.5", False),
    ],
)
def test_kilograms_must_come_within_5_percent_of_the_body_weight(left, right, body, plausible):
    assert kg_total_plausible(D(left), D(right), D(body)) is plausible
