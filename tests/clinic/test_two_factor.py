"""Two-factor authentication (TOTP) for staff: enrolment, the log-in's second step, throttling,
turning off, the clinic's requirement, the admin's reset. Patients are never asked."""

import datetime as dt
import logging
from base64 import b32decode

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Clinic
from tests.factories import PASSWORD, enrol, log_in, next_code, verify_session, wrong_code

SETUP, VERIFY = reverse("two_factor_setup"), reverse("two_factor_verify")


def password_only(user, **client_kwargs):
    """A client that has logged in with the password, through the log-in page."""
    client = Client(**client_kwargs)
    assert log_in(client, user.username, PASSWORD)
    return client


def require_two_factor(clinic, on=True):
    clinic.require_two_factor = on
    clinic.save()


def pending(user):
    return TOTPDevice.objects.get(user=user, confirmed=False)


def has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


# Enrolment ------------------------------------------------------------------------------------


def test_the_setup_page_shows_a_qr_code_and_the_secret_to_type(ours, login):
    page = login(ours.practitioner).get(SETUP)
    device = pending(ours.practitioner)
    html = page.content.decode()
    assert page.status_code == 200 and '<svg width="' in html and "<path" in html
    assert b32decode(page.context["secret"].replace(" ", "")) == device.bin_key
    assert page.context["secret"] in html
    assert page["Cache-Control"].startswith("max-age=0")


def test_the_secret_stays_the_same_in_one_session_until_confirmed(ours, login):
    client = login(ours.practitioner)
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first
    assert TOTPDevice.objects.filter(user=ours.practitioner).count() == 1


def test_a_correct_code_turns_it_on_and_the_session_stays_in(ours, login):
    client = login(ours.practitioner)
    client.get(SETUP)
    device = pending(ours.practitioner)
    response = client.post(SETUP, {"code": next_code(device)})
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("assessments:practitioner_home")).status_code == 200


def test_a_wrong_code_is_a_field_error_and_turns_nothing_on(ours, login, client):
    staff = login(ours.practitioner)
    staff.get(SETUP)
    response = staff.post(SETUP, {"code": wrong_code(pending(ours.practitioner))})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert response.context["form"].has_error("code", "wrong")
    assert not has_device(ours.practitioner)
    # the log-in is still the password alone
    assert log_in(client, ours.practitioner.username, PASSWORD)
    assert client.get(reverse("assessments:practitioner_home")).status_code == 200


@pytest.mark.parametrize("typed", ["12345", "abcdef", "1234567", ""])
def test_a_code_that_is_not_six_digits_is_refused_before_it_is_tried(ours, login, typed):
    client = login(ours.practitioner)
    client.get(SETUP)
    response = client.post(SETUP, {"code": typed})
    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert pending(ours.practitioner).throttling_failure_count == 0


def test_full_width_digits_and_spaces_from_a_japanese_keyboard_are_accepted(ours, login):
    client = login(ours.practitioner)
    client.get(SETUP)
    code = next_code(pending(ours.practitioner))
    full_width = str.maketrans("0123456789", "０１２３４５６７８９")
    typed = (code[:3] + " " + code[3:]).translate(full_width)
    assert client.post(SETUP, {"code": typed}).status_code == 200
    assert has_device(ours.practitioner)


def test_enrolling_again_replaces_nothing_without_a_verified_session(ours, client):
    device = enrol(ours.practitioner)
    staff = password_only(ours.practitioner)
    response = staff.get(SETUP)
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")
    assert staff.get(response["Location"])["Location"].startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=ours.practitioner)) == [device]


def test_patients_have_no_two_factor_pages(ours, login):
    patient = login(ours.patient_user)
    assert patient.get(SETUP).status_code == 403
    assert patient.get(VERIFY).status_code == 403
    assert patient.get(reverse("two_factor")).status_code == 403


# The log-in's second step ---------------------------------------------------------------------


def test_after_the_password_a_member_with_a_device_gives_a_code_before_any_page(ours):
    device = enrol(ours.frontdesk)
    client = password_only(ours.frontdesk)
    home = reverse("assessments:frontdesk_home")
    response = client.get(home)
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next={home}"
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["next"] == home
    response = client.post(VERIFY, {"code": next_code(device), "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert client.get(home).status_code == 200


def test_logging_in_lands_on_the_code_step(ours):
    enrol(ours.admin)
    response = Client().post(
        reverse("login"),
        {"clinic": ours.clinic.slug, "username": ours.admin.username, "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert response.status_code == 200


def test_a_wrong_code_at_log_in_is_a_field_error_and_opens_nothing(ours):
    device = enrol(ours.frontdesk)
    client = password_only(ours.frontdesk)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200 and response.context["form"].has_error("code", "wrong")
    assert client.get(reverse("patients:patient_list")).status_code == 302


def test_a_code_works_once(ours):
    device = enrol(ours.frontdesk)
    code = next_code(device)
    assert password_only(ours.frontdesk).post(VERIFY, {"code": code}).status_code == 302
    again = password_only(ours.frontdesk).post(VERIFY, {"code": code})
    assert again.status_code == 200 and again.context["form"].has_error("code", "wrong")


def test_giving_the_code_changes_the_session_key(ours):
    device = enrol(ours.frontdesk)
    client = password_only(ours.frontdesk)
    before = client.session.session_key
    client.post(VERIFY, {"code": next_code(device)})
    assert client.session.session_key != before


def test_the_code_step_goes_only_to_pages_of_this_site(ours):
    device = enrol(ours.frontdesk)
    client = password_only(ours.frontdesk)
    response = client.post(VERIFY, {"code": next_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_half_way_through_the_menu_shows_no_staff_pages(ours):
    enrol(ours.admin)
    html = password_only(ours.admin).get(VERIFY).content.decode()
    assert reverse("staff_list") not in html and reverse("patients:patient_list") not in html
    assert reverse("logout") in html


def test_a_member_without_a_device_is_not_asked(ours):
    client = password_only(ours.frontdesk)
    assert client.get(reverse("assessments:frontdesk_home")).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("home")


def test_a_device_set_up_elsewhere_is_asked_for_in_sessions_opened_before(ours):
    client = password_only(ours.frontdesk)
    enrol(ours.frontdesk)
    assert client.get(reverse("assessments:frontdesk_home"))["Location"].startswith(VERIFY)


# Throttling -----------------------------------------------------------------------------------


def test_repeated_wrong_codes_are_refused_for_a_while_even_the_right_one(ours, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 30  # 30 s after one failure, 60 s after two...
    device = enrol(ours.frontdesk)
    client = password_only(ours.frontdesk)
    client.post(VERIFY, {"code": wrong_code(device)})
    response = client.post(VERIFY, {"code": next_code(device)})
    assert response.context["form"].has_error("code", "throttled")
    assert client.get(reverse("patients:patient_list")).status_code == 302
    # the throttle belongs to the device: another browser is refused too
    other = password_only(ours.frontdesk, REMOTE_ADDR="10.1.2.3")
    refused = other.post(VERIFY, {"code": next_code(device)})
    assert refused.context["form"].has_error("code", "throttled")
    # once the wait is over, the right code works and clears the count
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttling_failure_timestamp -= dt.timedelta(seconds=31)
    device.save()
    assert client.post(VERIFY, {"code": next_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_wait_doubles_with_each_wrong_code(ours):
    device = enrol(ours.frontdesk)
    client = password_only(ours.frontdesk)
    waits = []
    for _ in range(4):
        device.refresh_from_db()
        device.throttling_failure_timestamp = None  # let the next try through at once
        device.save()
        client.post(VERIFY, {"code": wrong_code(device)})
        response = client.post(VERIFY, {"code": wrong_code(device)})
        waits.append(response.context["form"].errors.as_data()["code"][0].params["seconds"])
    assert waits == [1, 2, 4, 8]


# Turning it off -------------------------------------------------------------------------------


def test_a_member_turns_it_off_with_a_code(ours, login, caplog):
    device = enrol(ours.practitioner)
    client = login(ours.practitioner)
    verify_session(client, device)
    with caplog.at_level(logging.WARNING, logger="hikagami.security"):
        response = client.post(reverse("two_factor"), {"action": "off", "code": next_code(device)})
    assert response.status_code == 302 and not has_device(ours.practitioner)
    assert "two_factor_turned_off" in caplog.text
    assert client.get(reverse("assessments:practitioner_home")).status_code == 200


def test_turning_it_off_with_a_wrong_code_leaves_it_on(ours, login):
    device = enrol(ours.practitioner)
    client = login(ours.practitioner)
    verify_session(client, device)
    response = client.post(reverse("two_factor"), {"action": "off", "code": wrong_code(device)})
    assert response.context["form"].has_error("code", "wrong") and has_device(ours.practitioner)


def test_it_cannot_be_turned_off_where_the_clinic_requires_it(ours, login):
    require_two_factor(ours.clinic)
    device = enrol(ours.practitioner)
    client = login(ours.practitioner)
    verify_session(client, device)
    page = client.get(reverse("two_factor"))
    assert page.status_code == 200 and page.context["form"] is None
    response = client.post(reverse("two_factor"), {"action": "off", "code": next_code(device)})
    assert response.status_code == 403 and has_device(ours.practitioner)


# The clinic's requirement ---------------------------------------------------------------------


def test_the_cast_and_new_clinics_do_not_require_it(ours, theirs):
    assert not ours.clinic.require_two_factor and not theirs.clinic.require_two_factor
    assert not Clinic._meta.get_field("require_two_factor").default


def test_when_required_a_member_without_a_device_enrols_before_anything_else(ours):
    require_two_factor(ours.clinic)
    client = password_only(ours.frontdesk)
    home = reverse("assessments:frontdesk_home")
    response = client.get(home)
    assert response["Location"] == f"{SETUP}?next={home}"
    page = client.get(response["Location"])
    assert page.context["required"] and page.context["next"] == home
    code = next_code(pending(ours.frontdesk))
    response = client.post(SETUP, {"code": code, "next": home})
    assert response.context["next"] == home and f'href="{home}"' in response.content.decode()
    assert client.get(home).status_code == 200


def test_when_required_the_member_can_still_log_out(ours):
    require_two_factor(ours.clinic)
    client = password_only(ours.frontdesk)
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_when_not_required_staff_without_a_device_are_not_asked(ours):
    client = password_only(ours.frontdesk)
    assert client.get(reverse("assessments:frontdesk_home")).status_code == 200


@pytest.mark.parametrize("with_device", [False, True])
def test_patients_are_never_asked(ours, with_device):
    require_two_factor(ours.clinic)
    if with_device:
        enrol(ours.patient_user)
    client = password_only(ours.patient_user)
    assert client.get(reverse("assessments:portal_home")).status_code == 200


def test_the_admin_turns_the_requirement_on_and_it_is_recorded(ours, login, caplog):
    admin = login(ours.admin)
    verify_session(admin, enrol(ours.admin))
    data = {"name": ours.clinic.name, "phone": "", "address": "", "tax_rate": "10"}
    data["require_two_factor"] = "on"
    with caplog.at_level(logging.WARNING, logger="hikagami.security"):
        assert admin.post(reverse("clinic_settings"), data).status_code == 302
    ours.clinic.refresh_from_db()
    assert ours.clinic.require_two_factor
    assert f"two_factor_required clinic={ours.clinic.pk}" in caplog.text
    # the admin's verified session goes on; a colleague without a device is asked to enrol
    assert admin.get(reverse("staff_list")).status_code == 200
    desk = login(ours.frontdesk).get(reverse("assessments:frontdesk_home"))
    assert desk["Location"].startswith(SETUP)


def test_saving_the_settings_keeps_a_patient_number_handed_out_meanwhile(ours, login, monkeypatch):
    from clinic.forms import ClinicSettingsForm
    from patients.services import next_patient_number

    admin = login(ours.admin)
    clean = ClinicSettingsForm.clean

    def a_registration_meanwhile(form):
        next_patient_number(clinic_id=ours.clinic.pk)  # the row was already read by this request
        return clean(form)

    monkeypatch.setattr(ClinicSettingsForm, "clean", a_registration_meanwhile)
    before = Clinic.objects.get(pk=ours.clinic.pk).next_patient_number
    admin.post(
        reverse("clinic_settings"),
        {"name": "新しい名前", "phone": "", "address": "", "tax_rate": "10"},
    )
    after = Clinic.objects.get(pk=ours.clinic.pk)
    assert after.name == "新しい名前" and after.next_patient_number == before + 1


def test_only_the_admin_changes_the_clinic_settings(ours, login):
    data = {"name": "x", "require_two_factor": "on"}
    assert login(ours.practitioner).post(reverse("clinic_settings"), data).status_code == 403
    ours.clinic.refresh_from_db()
    assert not ours.clinic.require_two_factor


# The admin's reset ----------------------------------------------------------------------------


def test_the_admin_resets_a_colleagues_two_factor_and_it_is_recorded(ours, login, caplog):
    enrol(ours.frontdesk)
    url = reverse("staff_two_factor_reset", args=[ours.frontdesk.pk])
    with caplog.at_level(logging.WARNING, logger="hikagami.security"):
        response = login(ours.admin).post(url)
    assert response.status_code == 302 and not has_device(ours.frontdesk)
    expected = f"two_factor_reset clinic={ours.clinic.pk} member={ours.frontdesk.pk}"
    assert f"{expected} by={ours.admin.pk}" in caplog.text
    from clinic.models import AuditEntry

    entry = AuditEntry.objects.filter(object_pk=str(ours.frontdesk.pk), actor=ours.admin).latest(
        "id"
    )
    assert (
        entry.content_type.model == "user" and entry.additional_data["note"] == "two_factor_reset"
    )
    # their password alone opens their pages again
    client = password_only(ours.frontdesk)
    assert client.get(reverse("assessments:frontdesk_home")).status_code == 200


def test_the_staff_page_shows_whether_it_is_on(ours, login):
    enrol(ours.frontdesk)
    admin = login(ours.admin)
    page = admin.get(reverse("staff_edit", args=[ours.frontdesk.pk]))
    assert page.context["member_two_factor"].enrolled
    assert reverse("staff_two_factor_reset", args=[ours.frontdesk.pk]) in page.content.decode()
    listed = {m.pk: m.has_two_factor for m in admin.get(reverse("staff_list")).context["staff"]}
    assert listed[ours.frontdesk.pk] and not listed[ours.practitioner.pk]


def test_staff_of_another_clinic_cannot_reset_ours(ours, theirs, login):
    enrol(ours.frontdesk)
    url = reverse("staff_two_factor_reset", args=[ours.frontdesk.pk])
    assert login(theirs.admin).post(url).status_code == 404
    assert login(ours.practitioner).post(url).status_code == 403
    assert has_device(ours.frontdesk)


def test_the_reset_is_a_post(ours, login):
    enrol(ours.frontdesk)
    url = reverse("staff_two_factor_reset", args=[ours.frontdesk.pk])
    assert login(ours.admin).get(url).status_code == 405
    assert has_device(ours.frontdesk)


def test_a_command_resets_the_only_admin(ours, caplog):
    enrol(ours.admin)
    with caplog.at_level(logging.WARNING, logger="hikagami.security"):
        call_command("reset_two_factor", ours.admin.username, stdout=None)
    assert not has_device(ours.admin) and "by=command line" in caplog.text
    from clinic.models import AuditEntry

    entry = AuditEntry.objects.filter(object_pk=str(ours.admin.pk)).latest("id")
    assert (
        entry.actor_name == "reset_two_factor"
        and entry.changes["two_factor"][1] == "two_factor_reset"
    )


# The demo clinic, and what a user types -------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_clinic_never_requires_it_and_its_log_ins_stay_password_only():
    from clinic.models import User
    from devtools.management.commands.load_demo import DEMO_PASSWORD

    call_command("load_demo")
    demo = Clinic.objects.get(slug="demo")
    assert not demo.require_two_factor
    require_two_factor(demo)
    enrol(User.objects.get(username="demo-admin"))
    call_command("load_demo")
    demo.refresh_from_db()
    assert not demo.require_two_factor
    client = Client()
    assert log_in(client, "demo-admin", DEMO_PASSWORD)
    assert client.get(reverse("staff_list")).status_code == 200


def test_the_setup_page_escapes_what_users_typed(ours, login):
    ours.practitioner.display_name = '<script>alert("x")</script>'
    ours.practitioner.username = '"><img src=x onerror=alert(1)>'
    ours.practitioner.save()
    html = login(ours.practitioner).get(SETUP).content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html


def test_the_admin_sets_the_receipts_registration_number_and_tax_rate(ours, login):
    admin = login(ours.admin)
    data = {"name": ours.clinic.name, "phone": "", "address": "", "tax_rate": "8"}
    refused = admin.post(
        reverse("clinic_settings"), {**data, "invoice_registration_number": "1234567890123"}
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["invoice_registration_number"]
    assert 'value="1234567890123"' in refused.content.decode()
    admin.post(
        reverse("clinic_settings"), {**data, "invoice_registration_number": "T1234567890123"}
    )
    ours.clinic.refresh_from_db()
    assert (ours.clinic.invoice_registration_number, ours.clinic.tax_rate) == ("T1234567890123", 8)
