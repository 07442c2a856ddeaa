from django.urls import reverse

from clinic.models import User
from tests.factories import log_in


def test_the_admin_adds_a_front_desk_member_who_can_log_in(ours, login, client):
    response = login(ours.admin).post(
        reverse("staff_create"),
        {
            "username": "new-desk",
            "display_name": "受付 花子",
            "email": "",
            "role": "frontdesk",
            "password1": "kuzu-no-ha-2026!",
            "password2": "kuzu-no-ha-2026!",
        },
    )
    assert response.status_code == 302
    member = User.objects.get(username="new-desk")
    assert (member.clinic, member.role) == (ours.clinic, "frontdesk")
    assert log_in(client, "new-desk", "kuzu-no-ha-2026!")


def test_a_staff_member_cannot_be_given_the_patient_role(ours, login):
    response = login(ours.admin).post(
        reverse("staff_create"),
        {
            "username": "sneaky",
            "display_name": "x",
            "role": "patient",
            "password1": "kuzu-no-ha-2026!",
            "password2": "kuzu-no-ha-2026!",
        },
    )
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


def test_mismatched_passwords_are_refused(ours, login):
    response = login(ours.admin).post(
        reverse("staff_create"),
        {
            "username": "typo",
            "display_name": "x",
            "role": "practitioner",
            "password1": "kuzu-no-ha-2026!",
            "password2": "kuzu-no-ha-2027!",
        },
    )
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="typo").exists()


def test_deactivating_a_member_stops_their_log_in(ours, login, client):
    login(ours.admin).post(
        reverse("staff_edit", args=[ours.frontdesk.pk]),
        {
            "username": ours.frontdesk.username,
            "display_name": "x",
            "role": "frontdesk",
        },
    )
    ours.frontdesk.refresh_from_db()
    assert not ours.frontdesk.is_active


def test_the_admin_cannot_remove_their_own_admin_role(ours, login):
    response = login(ours.admin).post(
        reverse("staff_edit", args=[ours.admin.pk]),
        {
            "username": ours.admin.username,
            "display_name": "x",
            "role": "frontdesk",
            "is_active": "on",
        },
    )
    ours.admin.refresh_from_db()
    assert response.status_code == 200 and ours.admin.role == "admin"


def test_the_staff_list_shows_staff_but_not_patients(ours, login):
    staff = login(ours.admin).get(reverse("staff_list")).context["staff"]
    assert ours.frontdesk in staff and ours.patient_user not in staff


def test_the_admin_cannot_edit_a_patient_account_through_staff_pages(ours, login):
    response = login(ours.admin).get(reverse("staff_edit", args=[ours.patient_user.pk]))
    assert response.status_code == 404


def test_the_admin_sets_a_new_password_for_a_colleague(ours, login, client):
    desk_session = login(ours.frontdesk)
    response = login(ours.admin).post(
        reverse("staff_password", args=[ours.frontdesk.pk]),
        {"new_password1": "hikagami-new-2026!", "new_password2": "hikagami-new-2026!"},
    )
    assert response.status_code == 302
    assert log_in(client, ours.frontdesk.username, "hikagami-new-2026!")
    # the colleague's old session ends with the old password
    assert desk_session.get(reverse("assessments:frontdesk_home")).status_code == 302


def test_a_weak_new_password_is_refused(ours, login, client):
    response = login(ours.admin).post(
        reverse("staff_password", args=[ours.frontdesk.pk]),
        {"new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not log_in(client, ours.frontdesk.username, "12345678")
