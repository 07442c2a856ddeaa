from patients import scheduling as s


def test_front_desk_can_check_in_a_booked_visit():
    assert s.can_transition(s.BOOKED, s.CHECKED_IN, "frontdesk")


def test_front_desk_cannot_start_a_session():
    assert not s.can_transition(s.CHECKED_IN, s.IN_SESSION, "frontdesk")
    assert s.can_transition(s.CHECKED_IN, s.IN_SESSION, "practitioner")


def test_a_visit_cannot_skip_check_in():
    assert not s.can_transition(s.BOOKED, s.IN_SESSION, "practitioner")


def test_completed_and_cancelled_visits_are_final():
    for final in (s.COMPLETED, s.CANCELLED, s.NO_SHOW):
        assert s.next_steps(final, "admin") == []


def test_patients_and_unknown_roles_change_nothing():
    assert not s.can_transition(s.BOOKED, s.CANCELLED, "patient")
    assert not s.can_transition(s.BOOKED, s.CANCELLED, None)


def test_next_steps_lists_check_in_first_for_the_desk():
    assert s.next_steps(s.BOOKED, "frontdesk") == [s.CHECKED_IN, s.NO_SHOW, s.CANCELLED]

