from decimal import Decimal as D

import pytest

from assessments.rules import MEASURE_BY_CODE, MEASURES, Bilateral, band, compute_asymmetries
from assessments.rules.asymmetry import FLAGGED, NONE
from assessments.rules.measures import UNITS


def pair(left, right):
    return Bilateral(D(left), D(right))


def only(code, left, right, thresholds=None):
    [asymmetry] = compute_asymmetries({code: pair(left, right)}, thresholds)
    return asymmetry


def test_band_flags_from_the_threshold_up():
    assert band(D("3.0"), D("3")) == FLAGGED
    assert band(D("2.9"), D("3")) == NONE


def test_band_never_flags_equal_sides_even_with_a_zero_threshold():
    assert band(D("0"), D("0")) == NONE
    assert band(D("0.5"), D("0")) == FLAGGED


@pytest.mark.parametrize("measure", MEASURES, ids=lambda measure: measure.code)
def test_each_measure_is_flagged_at_its_threshold_and_not_just_below(measure):
    middle = (measure.minimum + measure.maximum) / 2
    at = only(measure.code, middle + measure.default_threshold, middle)
    below = only(measure.code, middle + measure.default_threshold - D("0.1"), middle)
    assert at.flagged and at.difference == measure.default_threshold
    assert not below.flagged


WORSE_SIDES = [
    ("shoulder_height", "140", "139", "left", "high shoulder"),
    ("iliac_crest_height", "100", "101", "right", "high iliac crest"),
    ("leg_length", "85", "86", "left", "shorter leg"),
    ("slr", "75", "55", "right", "tighter hamstring"),
    ("knee_extension", "-10", "0", "left", "stiffer knee"),
    ("hip_internal_rotation", "20", "35", "left", "stiffer hip"),
    ("hip_external_rotation", "45", "30", "right", "stiffer hip"),
    ("knee_to_wall", "8", "12", "left", "stiffer ankle"),
    ("calf_circumference", "41", "37.5", "left", "larger calf"),
    ("weight_bearing", "40", "60", "right", "more weight"),
]


@pytest.mark.parametrize("code, left, right, worse_side, marker", WORSE_SIDES)
def test_the_worse_side_follows_what_the_measure_means(code, left, right, worse_side, marker):
    asymmetry = only(code, left, right)
    assert asymmetry.worse_side == worse_side
    assert str(asymmetry.marker) == marker


def test_every_measure_has_its_worse_side_tested():
    assert {case[0] for case in WORSE_SIDES} == set(MEASURE_BY_CODE)


def test_tight_right_hamstring_reads_as_in_the_clinic():
    slr = only("slr", "75", "55")
    assert (slr.difference, slr.flagged, slr.worse_side) == (D("20"), True, "right")
    assert (str(slr.label), slr.unit) == ("Hamstring flexibility (straight-leg raise)", "deg")


def test_equal_sides_name_no_worse_side():
    asymmetry = only("slr", "70", "70")
    assert (asymmetry.difference, asymmetry.flagged, asymmetry.worse_side) == (D("0"), False, "")


def test_the_worse_side_is_named_below_the_threshold_too():
    asymmetry = only("slr", "70", "65")
    assert not asymmetry.flagged
    assert asymmetry.worse_side == "right"


def test_measures_missing_a_side_are_skipped():
    measurements = {
        "slr": Bilateral(D("70"), None),
        "calf_circumference": Bilateral(None, D("37")),
        "knee_to_wall": pair("10", "7"),
    }
    assert [asymmetry.code for asymmetry in compute_asymmetries(measurements)] == ["knee_to_wall"]


def test_results_follow_the_measures_order_and_ignore_unknown_codes():
    measurements = {
        "weight_bearing": pair("50", "50"),
        "grip_strength": pair("30", "20"),
        "shoulder_height": pair("140", "140"),
        "slr": pair("70", "70"),
    }
    codes = [asymmetry.code for asymmetry in compute_asymmetries(measurements)]
    assert codes == ["shoulder_height", "slr", "weight_bearing"]


def test_a_clinic_override_replaces_only_the_thresholds_it_names():
    measurements = {"slr": pair("70", "62"), "knee_to_wall": pair("10", "8")}
    slr, knee_to_wall = compute_asymmetries(measurements, {"slr": D("8")})
    assert (slr.threshold, slr.flagged) == (D("8"), True)
    assert (knee_to_wall.threshold, knee_to_wall.flagged) == (D("2"), True)


def test_a_clinic_override_for_an_unknown_measure_is_ignored():
    [slr] = compute_asymmetries({"slr": pair("70", "62")}, {"no_such_measure": D("1")})
    assert (slr.threshold, slr.flagged) == (D("10"), False)


def test_no_measurements_no_asymmetries():
    assert compute_asymmetries({}) == []


def test_measure_codes_are_unique():
    assert len(MEASURE_BY_CODE) == len(MEASURES)


@pytest.mark.parametrize("measure", MEASURES, ids=lambda measure: measure.code)
def test_each_measure_is_complete_data(measure):
    assert measure.unit in UNITS
    assert measure.minimum < measure.maximum
    assert 0 < measure.default_threshold < measure.maximum - measure.minimum
    assert str(measure.label) and str(measure.source) and str(measure.marker) and str(measure.how)


@pytest.mark.parametrize(
    "code, lowest, highest",
    [("slr", "0", "120"), ("calf_circumference", "15", "70"), ("knee_to_wall", "0", "25")],
)
def test_plausible_range_holds_one_side_value(code, lowest, highest):
    measure = MEASURE_BY_CODE[code]
    assert measure.plausible(D(lowest)) and measure.plausible(D(highest))
    assert not measure.plausible(D(lowest) - D("0.1"))
    assert not measure.plausible(D(highest) + D("0.1"))


def test_the_calf_default_cites_wells():
    calf = MEASURE_BY_CODE["calf_circumference"]
    assert calf.default_threshold == D("3")
    assert "Wells" in str(calf.source)
