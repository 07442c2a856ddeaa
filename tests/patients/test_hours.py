"""The working-hours rule on both sides of every boundary. Pure: no database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patients import hours as h

TUESDAY = dt.date(2026, 12, 1)
assert TUESDAY.weekday() == 1
WEDNESDAY, SUNDAY = TUESDAY + dt.timedelta(days=1), TUESDAY + dt.timedelta(days=5)


def t(hour, minute=0):
    return dt.time(hour, minute)


def span(a, b):
    return h.Span(t(*a), t(*b))


# Open 09:00-19:00 every weekday but Wednesday; a holiday on the 8th.
HOLIDAY = TUESDAY + dt.timedelta(days=7)
CLINIC = h.ClinicHours(
    week={day: (None if day == 2 else span((9,), (19,))) for day in h.WEEKDAYS},
    closures={HOLIDAY: "年末休業"},
)
# Works 10:00-13:00 and 14:00-18:00 on Tuesdays, 09:00-19:00 on Thursdays; off on the 15th.
DAY_OFF = TUESDAY + dt.timedelta(days=14)
SUZUKI = h.PractitionerHours(
    shifts={1: (span((14,), (18,)), span((10,), (13,))), 3: (span((9,), (19,)),)},
    days_off={DAY_OFF: "研修"},
)
ANYTIME = h.PractitionerHours()  # no shifts entered: the clinic's hours


def visit(day, start, minutes=45):
    begin = dt.datetime.combine(day, t(*start))
    return begin, begin + dt.timedelta(minutes=minutes)


def why(day, start, minutes=45, clinic=CLINIC, practitioner=ANYTIME):
    begin, end = visit(day, start, minutes)
    found = h.refusal(start=begin, end=end, clinic=clinic, practitioner=practitioner)
    return found and found.code


# The clinic's hours ---------------------------------------------------------------------


def test_a_visit_may_start_exactly_at_opening():
    assert why(TUESDAY, (9, 0)) is None


def test_a_visit_one_minute_before_opening_is_refused():
    assert why(TUESDAY, (8, 59)) == h.BEFORE_OPENING


def test_a_visit_may_end_exactly_at_closing():
    assert why(TUESDAY, (18, 15)) is None


def test_a_visit_ending_one_minute_after_closing_is_refused():
    assert why(TUESDAY, (18, 16)) == h.AFTER_CLOSING


def test_a_visit_running_past_midnight_is_refused_even_when_the_clinic_closes_late():
    late = h.ClinicHours(week={1: span((9,), (23, 59))})
    assert why(TUESDAY, (23, 30), clinic=late) == h.AFTER_CLOSING
    assert why(TUESDAY, (23, 14), clinic=late) is None


def test_a_visit_on_the_weekly_closed_day_is_refused():
    assert why(WEDNESDAY, (10,)) == h.CLINIC_CLOSED


def test_a_visit_on_a_holiday_is_refused_with_its_reason():
    begin, end = visit(HOLIDAY, (10,))
    found = h.refusal(start=begin, end=end, clinic=CLINIC, practitioner=ANYTIME)
    assert found == h.Refusal(h.HOLIDAY, reason="年末休業")
    assert why(HOLIDAY - dt.timedelta(days=7), (10,)) is None  # the same weekday a week before


def test_the_refusal_names_the_open_hours_of_that_day():
    begin, end = visit(TUESDAY, (18, 30))
    found = h.refusal(start=begin, end=end, clinic=CLINIC, practitioner=ANYTIME)
    assert found.spans == (span((9,), (19,)),)


def test_a_clinic_with_no_hours_entered_opens_nine_to_eight_monday_to_saturday():
    default = h.ClinicHours()
    assert why(TUESDAY, (9, 0), clinic=default) is None
    assert why(TUESDAY, (8, 55), clinic=default) == h.BEFORE_OPENING
    assert why(TUESDAY, (19, 15), clinic=default) is None
    assert why(TUESDAY, (19, 20), clinic=default) == h.AFTER_CLOSING
    assert why(SUNDAY - dt.timedelta(days=1), (10,), clinic=default) is None  # Saturday
    assert why(SUNDAY, (10,), clinic=default) == h.CLINIC_CLOSED


def test_a_clinic_whose_week_is_entered_keeps_no_default_day():
    only_monday = h.ClinicHours(week={0: span((9,), (12,))})
    assert why(TUESDAY, (10,), clinic=only_monday) == h.CLINIC_CLOSED


# The practitioner's shifts --------------------------------------------------------------


def test_a_visit_may_start_exactly_when_a_shift_starts_and_end_when_it_ends():
    assert why(TUESDAY, (10, 0), practitioner=SUZUKI) is None
    assert why(TUESDAY, (12, 15), practitioner=SUZUKI) is None
    assert why(TUESDAY, (17, 15), practitioner=SUZUKI) is None


def test_a_visit_a_minute_outside_a_shift_is_refused_with_the_days_shifts():
    assert why(TUESDAY, (9, 59), practitioner=SUZUKI) == h.OFF_SHIFT
    assert why(TUESDAY, (12, 16), practitioner=SUZUKI) == h.OFF_SHIFT
    begin, end = visit(TUESDAY, (17, 16))
    found = h.refusal(start=begin, end=end, clinic=CLINIC, practitioner=SUZUKI)
    assert found == h.Refusal(h.OFF_SHIFT, spans=(span((10,), (13,)), span((14,), (18,))))


def test_a_visit_across_the_break_between_two_shifts_is_refused():
    assert why(TUESDAY, (12, 30), practitioner=SUZUKI) == h.OFF_SHIFT
    assert why(TUESDAY, (13, 0), minutes=60, practitioner=SUZUKI) == h.OFF_SHIFT
    assert why(TUESDAY, (14, 0), practitioner=SUZUKI) is None


def test_touching_shifts_hold_a_visit_across_their_join():
    split = h.PractitionerHours(shifts={1: (span((9,), (12,)), span((12,), (15,)))})
    assert why(TUESDAY, (11, 30), minutes=60, practitioner=split) is None


def test_a_weekday_without_a_shift_is_refused():
    monday = TUESDAY - dt.timedelta(days=1)
    assert why(monday, (10,), practitioner=SUZUKI) == h.NO_SHIFT
    assert why(monday, (10,), practitioner=ANYTIME) is None


def test_a_day_off_is_refused_with_its_reason():
    begin, end = visit(DAY_OFF, (10,))
    found = h.refusal(start=begin, end=end, clinic=CLINIC, practitioner=SUZUKI)
    assert found == h.Refusal(h.DAY_OFF, reason="研修")
    assert why(DAY_OFF + dt.timedelta(days=7), (10,), practitioner=SUZUKI) is None


def test_the_clinic_answers_before_the_practitioner():
    closed_that_day = h.ClinicHours(week=CLINIC.week, closures={TUESDAY: ""})
    assert why(TUESDAY, (10,), clinic=closed_that_day, practitioner=SUZUKI) == h.HOLIDAY
    thursday = TUESDAY + dt.timedelta(days=2)
    assert why(thursday, (18, 30), practitioner=SUZUKI) == h.AFTER_CLOSING


def test_a_shift_outside_the_clinics_hours_still_needs_the_clinic_open():
    early = h.PractitionerHours(shifts={1: (span((7,), (12,)),)})
    assert why(TUESDAY, (8, 0), practitioner=early) == h.BEFORE_OPENING


# The bookable stretches of a day ---------------------------------------------------------


def test_the_bookable_stretches_are_the_shifts_cut_to_the_opening_hours():
    early = h.PractitionerHours(shifts={1: (span((7,), (12,)), span((15,), (21,)))})
    assert h.bookable_intervals(day=TUESDAY, clinic=CLINIC, practitioner=early) == (
        span((9,), (12,)),
        span((15,), (19,)),
    )


def test_the_bookable_stretches_of_the_clinic_alone_are_its_opening_hours():
    assert h.bookable_intervals(day=TUESDAY, clinic=CLINIC) == (span((9,), (19,)),)
    assert h.bookable_intervals(day=TUESDAY, clinic=CLINIC, practitioner=ANYTIME) == (
        span((9,), (19,)),
    )


@pytest.mark.parametrize(
    "day, practitioner",
    [
        (WEDNESDAY, ANYTIME),
        (HOLIDAY, ANYTIME),
        (DAY_OFF, SUZUKI),
        (TUESDAY - dt.timedelta(days=1), SUZUKI),
    ],
    ids=["closed weekday", "holiday", "day off", "no shift"],
)
def test_a_day_that_takes_no_visit_has_no_bookable_stretch(day, practitioner):
    assert h.bookable_intervals(day=day, clinic=CLINIC, practitioner=practitioner) == ()


def test_touching_shifts_make_one_bookable_stretch():
    split = h.PractitionerHours(shifts={1: (span((12,), (15,)), span((9,), (12,)))})
    assert h.bookable_intervals(day=TUESDAY, clinic=CLINIC, practitioner=split) == (
        span((9,), (15,)),
    )


@given(
    day=st.sampled_from([TUESDAY + dt.timedelta(days=n) for n in range(21)]),
    minute=st.integers(min_value=0, max_value=24 * 60 - 1),
    length=st.integers(min_value=1, max_value=240),
    practitioner=st.sampled_from([SUZUKI, ANYTIME]),
)
def test_a_visit_is_refused_exactly_when_no_bookable_stretch_holds_it(
    day, minute, length, practitioner
):
    begin = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minute)
    end = begin + dt.timedelta(minutes=length)
    refused = h.refusal(start=begin, end=end, clinic=CLINIC, practitioner=practitioner)
    stretches = h.bookable_intervals(day=day, clinic=CLINIC, practitioner=practitioner)
    held = end.date() == day and any(s.holds(begin.time(), end.time()) for s in stretches)
    assert (refused is None) == held


# Spans --------------------------------------------------------------------------------


def test_a_span_must_end_after_it_starts():
    with pytest.raises(ValueError):
        h.Span(t(10), t(10))


def test_overlapping_shifts_are_found_and_touching_ones_are_not():
    assert h.overlapping((span((9,), (12,)), span((11,), (14,)))) == (
        span((9,), (12,)),
        span((11,), (14,)),
    )
    assert h.overlapping((span((12,), (15,)), span((9,), (12,)))) is None


def test_the_pure_rule_imports_nothing_of_django():
    import ast
    from pathlib import Path

    source = Path(h.__file__).read_text(encoding="utf-8")
    modules = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in getattr(node, "names", [])
    ]
    assert not [m for m in modules if m and m.split(".")[0] == "django"]
