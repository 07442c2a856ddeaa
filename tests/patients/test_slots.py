"""The free-slot rule (patients/slots.py), pure: no database."""

import datetime as dt

import pytest

from patients import slots

NINE, NOON, ONE, SIX = 9 * 60, 12 * 60, 13 * 60, 18 * 60


def test_a_free_morning_offers_every_quarter_hour_a_visit_fits_in():
    found = slots.free_starts(bookable=[(NINE, NOON)], busy=[], minutes=45)
    assert found[0] == NINE and found[-1] == NOON - 45
    assert all(b - a == 15 for a, b in zip(found, found[1:], strict=False))


def test_a_booked_visit_takes_the_slots_that_would_overlap_it_and_touching_ends_are_free():
    busy = [(10 * 60, 10 * 60 + 45)]
    found = slots.free_starts(bookable=[(NINE, NOON)], busy=busy, minutes=45)
    assert 9 * 60 + 15 in found  # ends 10:00, as the visit starts
    assert 9 * 60 + 30 not in found and 10 * 60 + 30 not in found
    assert 10 * 60 + 45 in found  # starts as the visit ends


def test_a_visit_booked_off_the_step_frees_the_next_step_after_it():
    busy = [(10 * 60 + 5, 10 * 60 + 35)]
    found = slots.free_starts(bookable=[(NINE, NOON)], busy=busy, minutes=30)
    assert 9 * 60 + 30 in found and 9 * 60 + 45 not in found
    assert 10 * 60 + 45 in found and 10 * 60 + 30 not in found


def test_no_slot_crosses_a_break_between_shifts():
    found = slots.free_starts(bookable=[(NINE, NOON), (ONE, SIX)], busy=[], minutes=45)
    assert NOON - 45 in found and NOON - 30 not in found
    assert ONE in found and all(not (NOON - 45 < s < ONE) for s in found)


def test_a_shift_starting_off_the_step_starts_its_slots_on_the_next_step():
    found = slots.free_starts(bookable=[(9 * 60 + 10, NOON)], busy=[], minutes=30)
    assert found[0] == 9 * 60 + 15


def test_slots_of_today_start_after_now():
    found = slots.free_starts(bookable=[(NINE, NOON)], busy=[], minutes=30, not_before=10 * 60 + 1)
    assert found[0] == 10 * 60 + 15


def test_a_visit_longer_than_the_stretch_has_no_slot():
    assert slots.free_starts(bookable=[(NINE, NINE + 30)], busy=[], minutes=45) == []


@pytest.mark.parametrize("minutes, step", [(0, 15), (30, 0), (-5, 15)])
def test_a_length_or_step_of_nothing_is_a_programming_error(minutes, step):
    with pytest.raises(ValueError):
        slots.free_starts(bookable=[(NINE, NOON)], busy=[], minutes=minutes, step=step)


def test_the_closed_stretches_are_the_window_outside_the_bookable_ones():
    closed = slots.closed_stretches(window=(8 * 60, 19 * 60), bookable=[(NINE, NOON), (ONE, SIX)])
    assert closed == [(8 * 60, NINE), (NOON, ONE), (SIX, 19 * 60)]
    assert slots.closed_stretches(window=(NINE, SIX), bookable=[]) == [(NINE, SIX)]
    assert slots.closed_stretches(window=(NINE, SIX), bookable=[(NINE, SIX)]) == []


def test_the_window_is_widened_to_whole_hours_and_has_a_default():
    assert slots.window_of([(9 * 60 + 30, 17 * 60 + 15)]) == (NINE, SIX)
    assert slots.window_of([]) == (9 * 60, 20 * 60)
    assert slots.window_of([(0, slots.DAY_MINUTES)]) == (0, slots.DAY_MINUTES)


def test_rows_count_five_minutes_from_the_window_start():
    assert slots.rows(NINE, NINE + 45, window_start=NINE) == (1, 9)
    assert slots.rows(NINE + 5, NINE + 10, window_start=NINE) == (2, 1)
    assert slots.rows(0, slots.DAY_MINUTES, window_start=0) == (1, 288)


def test_minutes_and_times_convert_both_ways():
    assert slots.minute_of(dt.time(10, 15)) == 615
    assert slots.time_of(615) == dt.time(10, 15)
    assert slots.time_of(slots.DAY_MINUTES) == dt.time(23, 59, 59)
