"""One person, several roles (issue 14): a staff member's roles are a set, and every access rule,
the navigation, the visit steps and the staff form read the set."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from clinic import access
from clinic.models import Role
from patients import scheduling
from tests.factories import UserFactory


@pytest.fixture
def owner(ours):
    return UserFactory(
        clinic=ours.clinic, role=Role.ADMIN, also_practitioner=True, username="owner"
    )


def test_the_owner_holds_both_roles_and_only_those(owner):
    assert owner.roles == {Role.ADMIN, Role.PRACTITIONER}
    assert access.has_role(owner, Role.PRACTITIONER)
    assert not access.has_role(owner, Role.FRONT_DESK)
    assert access.role_of(owner) == Role.ADMIN  # the main role still picks the home page


def test_a_deactivated_owner_holds_nothing(owner):
    owner.is_active = False
    assert access.roles_of(owner) == frozenset()


def test_the_owner_opens_the_practitioners_day_and_the_staff_list(owner, login):
    client = login(owner)
    assert client.get(reverse("assessments:practitioner_home")).status_code == 200
    assert client.get(reverse("staff_list")).status_code == 200
    page = client.get(reverse("patients:patient_list")).content.decode()
    assert reverse("assessments:practitioner_home") in page  # "My day" in the navigation
    assert reverse("staff_list") in page


def test_a_plain_admin_does_not_get_the_practitioners_day(ours, login):
    assert login(ours.admin).get(reverse("assessments:practitioner_home")).status_code == 403


def test_the_owner_is_bookable_as_a_practitioner(ours, owner):
    assert owner in access.practitioners_for(ours.clinic.pk)
    assert ours.admin not in access.practitioners_for(ours.clinic.pk)


def test_the_desk_who_also_treats_may_start_a_session():
    when = scheduling.VisitTime(
        start=dt.datetime(2026, 1, 5, 10),
        visit_day=dt.date(2026, 1, 5),
        today=dt.date(2026, 1, 5),
        now=dt.datetime(2026, 1, 5, 9),
    )
    desk_only = {Role.FRONT_DESK}
    both = {Role.FRONT_DESK, Role.PRACTITIONER}
    assert not scheduling.can_transition(
        scheduling.CHECKED_IN, scheduling.IN_SESSION, desk_only, when
    )
    assert scheduling.can_transition(scheduling.CHECKED_IN, scheduling.IN_SESSION, both, when)
    assert scheduling.IN_SESSION in scheduling.next_steps(scheduling.CHECKED_IN, both, when)


def test_a_patient_account_cannot_hold_a_staff_role(ours):
    user = ours.patient_user
    user.also_admin = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_a_patient_account_opens_no_staff_page_even_with_a_flag_in_memory(ours):
    user = ours.patient_user
    user.also_admin = True  # never saved (the database refuses it); the set ignores it anyway
    assert user.roles == {Role.PATIENT}


def _staff_post(member, **changes):
    data = {
        "username": member.username,
        "display_name": member.display_name or "職員",
        "email": member.email,
        "role": member.role,
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_the_admin_gives_a_practitioner_the_desk_role_too(ours, login):
    client = login(ours.admin)
    url = reverse("staff_edit", kwargs={"pk": ours.practitioner.pk})
    response = client.post(url, _staff_post(ours.practitioner, also_frontdesk="on"))
    assert response.status_code == 302
    ours.practitioner.refresh_from_db()
    assert ours.practitioner.roles == {Role.PRACTITIONER, Role.FRONT_DESK}
    listing = client.get(reverse("staff_list")).content.decode()
    assert ours.practitioner.roles_display in listing


def test_the_main_roles_own_flag_is_not_stored_twice(ours, login):
    client = login(ours.admin)
    url = reverse("staff_edit", kwargs={"pk": ours.practitioner.pk})
    client.post(url, _staff_post(ours.practitioner, also_practitioner="on"))
    ours.practitioner.refresh_from_db()
    assert ours.practitioner.also_practitioner is False
    assert ours.practitioner.roles == {Role.PRACTITIONER}


def test_an_admin_may_change_their_main_role_while_still_holding_admin(ours, login):
    client = login(ours.admin)
    url = reverse("staff_edit", kwargs={"pk": ours.admin.pk})
    response = client.post(url, _staff_post(ours.admin, role=Role.PRACTITIONER, also_admin="on"))
    assert response.status_code == 302
    ours.admin.refresh_from_db()
    assert ours.admin.roles == {Role.PRACTITIONER, Role.ADMIN}


def test_an_admin_cannot_drop_their_own_admin_role(ours, login):
    client = login(ours.admin)
    url = reverse("staff_edit", kwargs={"pk": ours.admin.pk})
    response = client.post(url, _staff_post(ours.admin, role=Role.PRACTITIONER))
    assert response.status_code == 200
    assert response.context["form"].errors  # shown next to the field, nothing saved
    ours.admin.refresh_from_db()
    assert ours.admin.roles == {Role.ADMIN}
