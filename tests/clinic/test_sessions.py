"""Sessions that can be taken back (issue 11, item 4): deactivation ends a staff member's
sessions for good, a staff member can change their own password (ending their other sessions),
and a staff session has an absolute lifetime beside the idle timeout."""

import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from clinic.models import User
from tests.factories import PASSWORD, log_in

NEW_PASSWORD = "another-long-pass-2026"
pytestmark = pytest.mark.django_db


def desk_home(client):
    return client.get(reverse("assessments:frontdesk_home")).status_code


def set_active(admin_client, member, active: bool):
    data = {"username": member.username, "display_name": "x", "role": member.role}
    if active:
        data["is_active"] = "on"
    return admin_client.post(reverse("staff_edit", args=[member.pk]), data)


def test_reactivating_an_account_does_not_revive_its_old_sessions(ours, login):
    tablet = login(ours.frontdesk)
    assert desk_home(tablet) == 200
    admin = login(ours.admin)
    set_active(admin, ours.frontdesk, False)
    assert desk_home(tablet) == 302
    set_active(admin, ours.frontdesk, True)
    ours.frontdesk.refresh_from_db()
    assert ours.frontdesk.is_active
    assert desk_home(tablet) == 302  # stays logged out
    fresh = Client()
    assert log_in(fresh, ours.frontdesk.username, PASSWORD)
    assert desk_home(fresh) == 200  # a new log-in works


def test_an_edit_that_keeps_the_account_active_keeps_its_sessions(ours, login):
    tablet = login(ours.frontdesk)
    set_active(login(ours.admin), ours.frontdesk, True)
    assert desk_home(tablet) == 200


def test_sessions_from_before_the_epoch_existed_stay_valid(ours, login):
    """Epoch 0 is Django's own hash: deploying this logs nobody out."""
    user = User.objects.get(pk=ours.frontdesk.pk)
    from django.contrib.auth.base_user import AbstractBaseUser

    assert user.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(user)
    user.session_epoch = 1
    assert user.get_session_auth_hash() != AbstractBaseUser._get_session_auth_hash(user)


def change_own_password(client, old=PASSWORD, new=NEW_PASSWORD):
    return client.post(
        reverse("own_password"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_changing_ones_own_password_ends_the_other_sessions_only(ours):
    laptop, tablet = Client(), Client()
    assert log_in(laptop, ours.frontdesk.username, PASSWORD)
    assert log_in(tablet, ours.frontdesk.username, PASSWORD)
    response = change_own_password(laptop)
    assert response.status_code == 302
    assert desk_home(laptop) == 200
    assert desk_home(tablet) == 302
    assert log_in(Client(), ours.frontdesk.username, NEW_PASSWORD)
    assert not log_in(Client(), ours.frontdesk.username, PASSWORD)


def test_a_wrong_old_password_changes_nothing_and_says_so(ours, login):
    laptop = login(ours.frontdesk)
    response = change_own_password(laptop, old="not-my-password")
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert log_in(Client(), ours.frontdesk.username, PASSWORD)


def test_patients_do_not_get_the_staff_password_page(ours, login):
    assert login(ours.patient_user).get(reverse("own_password")).status_code == 403


@override_settings(STAFF_SESSION_HOURS=12, STAFF_IDLE_MINUTES=30)
def test_a_staff_session_ends_twelve_hours_after_log_in_however_active(ours, monkeypatch):
    tablet = Client()
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start)
    assert log_in(tablet, ours.frontdesk.username, PASSWORD)
    # Busy all day: a request every ten minutes keeps the idle clock happy.
    for minutes in range(10, 12 * 60, 10):
        monkeypatch.setattr(time, "time", lambda m=minutes: start + m * 60)
        assert desk_home(tablet) == 200, minutes
    monkeypatch.setattr(time, "time", lambda: start + 12 * 3600 + 60)
    response = tablet.get(reverse("assessments:frontdesk_home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert desk_home(tablet) == 302  # the session is gone, not only this request


@override_settings(STAFF_SESSION_HOURS=12)
def test_patients_have_no_twelve_hour_limit(ours, monkeypatch):
    phone = Client()
    start = time.time()
    monkeypatch.setattr(time, "time", lambda: start)
    ours.patient_user.set_password(PASSWORD)
    ours.patient_user.save()
    assert log_in(phone, ours.patient_user.username, PASSWORD)
    monkeypatch.setattr(time, "time", lambda: start + 13 * 3600)
    assert phone.get(reverse("assessments:portal_home")).status_code == 200
