import datetime as dt

from patients import scheduling as s

TODAY = dt.date(2026, 12, 1)
TEN = dt.datetime(2026, 12, 1, 10, 0)


def at(now, start=TEN):
    return s.VisitTime(start=start, visit_day=start.date(), today=now.date(), now=now)


BEFORE = at(TEN - dt.timedelta(minutes=20))
AFTER = at(TEN + dt.timedelta(minutes=1))
YESTERDAY_FOR_TOMORROW = at(TEN - dt.timedelta(days=1))


def test_front_desk_can_check_in_a_booked_visit_on_its_day():
    assert s.can_transition(s.BOOKED, s.CHECKED_IN, "frontdesk", BEFORE)


def test_a_visit_on_another_day_cannot_be_checked_in():
    assert not s.can_transition(s.BOOKED, s.CHECKED_IN, "frontdesk", YESTERDAY_FOR_TOMORROW)
    assert s.can_transition(s.BOOKED, s.CANCELLED, "frontdesk", YESTERDAY_FOR_TOMORROW)


def test_a_no_show_is_possible_only_once_the_start_time_has_passed():
    assert not s.can_transition(s.BOOKED, s.NO_SHOW, "frontdesk", BEFORE)
    assert not s.can_transition(s.BOOKED, s.NO_SHOW, "frontdesk", at(TEN - dt.timedelta(seconds=1)))
    assert s.can_transition(s.BOOKED, s.NO_SHOW, "frontdesk", at(TEN))
    assert s.can_transition(s.BOOKED, s.NO_SHOW, "frontdesk", AFTER)


def test_front_desk_cannot_start_a_session():
    assert not s.can_transition(s.CHECKED_IN, s.IN_SESSION, "frontdesk", BEFORE)
    assert s.can_transition(s.CHECKED_IN, s.IN_SESSION, "practitioner", BEFORE)


def test_a_visit_cannot_skip_check_in():
    assert not s.can_transition(s.BOOKED, s.IN_SESSION, "practitioner", BEFORE)


def test_completed_and_cancelled_visits_are_final():
    for final in (s.COMPLETED, s.CANCELLED, s.NO_SHOW):
        assert s.next_steps(final, "admin", AFTER) == []


def test_patients_and_unknown_roles_change_nothing():
    assert not s.can_transition(s.BOOKED, s.CANCELLED, "patient", BEFORE)
    assert not s.can_transition(s.BOOKED, s.CANCELLED, None, BEFORE)


def test_next_steps_list_check_in_first_for_the_desk():
    assert s.next_steps(s.BOOKED, "frontdesk", BEFORE) == [s.CHECKED_IN, s.CANCELLED]
    assert s.next_steps(s.BOOKED, "frontdesk", AFTER) == [s.CHECKED_IN, s.NO_SHOW, s.CANCELLED]
