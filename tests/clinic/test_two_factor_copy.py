"""A second factor nobody can copy (issue 11, item 3): a pending secret belongs to the one
session that asked for it; adding a second factor ends the person's other sessions and tells
them by e-mail and on the next page; one-time backup codes, which the admin can count and void
but never read."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import two_factor
from tests.factories import PASSWORD, enrol, log_in, next_code, verify_session, wrong_code

SETUP, VERIFY, OWN = (
    reverse("two_factor_setup"),
    reverse("two_factor_verify"),
    reverse("two_factor"),
)


def password_only(user):
    client = Client()
    assert log_in(client, user.username, PASSWORD)
    return client


def shown_device(client) -> TOTPDevice:
    """The unconfirmed device this client's setup page shows (the session's own)."""
    page = client.get(SETUP)
    assert page.status_code == 200
    return TOTPDevice.objects.get(pk=client.session[two_factor.PENDING_KEY])


def enrol_through_the_page(client):
    device = shown_device(client)
    response = client.post(SETUP, {"code": next_code(device)})
    assert response.status_code == 200, response
    return device, [code.replace(" ", "") for code in response.context["codes"]]


def with_email(user, address="staff@example.jp"):
    user.email = address
    user.save()
    return user


# One secret per session -------------------------------------------------------------------------


def test_two_sessions_with_the_same_password_are_shown_different_secrets(ours):
    mine, theirs = password_only(ours.frontdesk), password_only(ours.frontdesk)
    first, second = shown_device(mine), shown_device(theirs)
    assert first.pk != second.pk and first.bin_key != second.bin_key
    # and each session keeps its own on every visit
    assert shown_device(mine).pk == first.pk and shown_device(theirs).pk == second.pk


def test_a_secret_seen_by_another_session_is_worth_nothing_once_one_is_confirmed(ours):
    colleague, copier = password_only(ours.frontdesk), password_only(ours.frontdesk)
    copied = shown_device(copier)
    confirmed, _codes = enrol_through_the_page(colleague)
    assert not TOTPDevice.objects.filter(pk=copied.pk).exists()
    assert list(TOTPDevice.objects.filter(user=ours.frontdesk)) == [confirmed]
    # the copier's session has ended; logging in again, the copied secret opens nothing
    assert copier.get(reverse("assessments:frontdesk_home"))["Location"].startswith(
        reverse("login")
    )
    again = password_only(ours.frontdesk)
    refused = again.post(VERIFY, {"code": f"{totp(copied.bin_key):06d}"})
    assert refused.status_code == 200 and refused.context["form"].has_error("code", "wrong")
    assert again.get(reverse("assessments:frontdesk_home"))["Location"].startswith(VERIFY)


def test_a_second_session_cannot_confirm_over_a_confirmed_device(ours):
    first, second = password_only(ours.frontdesk), password_only(ours.frontdesk)
    late = shown_device(second)
    confirmed, _codes = enrol_through_the_page(first)
    # the service refuses even a right code for another pending device (two tabs, a race)
    late = TOTPDevice.objects.create(user=ours.frontdesk, name="x", confirmed=False, key=late.key)
    assert not two_factor.confirm(device=late, code=next_code(late))
    assert list(TOTPDevice.objects.filter(user=ours.frontdesk, confirmed=True)) == [confirmed]


def test_adding_a_second_factor_ends_the_other_sessions_and_keeps_this_one(ours):
    other, this = password_only(ours.practitioner), password_only(ours.practitioner)
    home = reverse("assessments:practitioner_home")
    assert other.get(home).status_code == 200
    enrol_through_the_page(this)
    assert this.get(home).status_code == 200
    assert other.get(home)["Location"].startswith(reverse("login"))


def test_an_abandoned_secret_is_removed_after_a_day(ours):
    stale = shown_device(password_only(ours.frontdesk))
    TOTPDevice.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - two_factor.PENDING_LIFETIME - dt.timedelta(minutes=1)
    )
    recent = shown_device(password_only(ours.frontdesk))
    shown_device(password_only(ours.frontdesk))
    left = set(TOTPDevice.objects.filter(user=ours.frontdesk).values_list("pk", flat=True))
    assert stale.pk not in left and recent.pk in left and len(left) == 2


# Told on the next page and by e-mail ----------------------------------------------------------


def test_the_member_is_told_on_the_next_page_and_by_email(ours, mailoutbox):
    with_email(ours.frontdesk)
    client = password_only(ours.frontdesk)
    device = shown_device(client)
    response = client.post(SETUP, {"code": next_code(device)})
    told = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("他の端末" in text for text in told), told
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["staff@example.jp"]
    message = mailoutbox[0]
    assert "二要素" in message.subject or "2段階" in message.subject or "確認" in message.subject
    assert ours.clinic.name in message.body and "管理者" in message.body
    # the codes are never in the e-mail
    for code in response.context["codes"]:
        assert code not in message.body and code.replace(" ", "") not in message.body


def test_no_address_no_email_and_nothing_fails(ours, mailoutbox):
    assert not ours.frontdesk.email
    enrol_through_the_page(password_only(ours.frontdesk))
    assert mailoutbox == [] and TOTPDevice.objects.filter(user=ours.frontdesk, confirmed=True)


@pytest.mark.parametrize("event", ["off", "reset", "void"])
def test_every_change_to_the_second_factor_is_emailed(ours, login, mailoutbox, event):
    with_email(ours.practitioner)
    device = enrol(ours.practitioner)
    two_factor.new_backup_codes(member=ours.practitioner, by=ours.practitioner)
    mailoutbox.clear()
    if event == "off":
        client = login(ours.practitioner)
        verify_session(client, device)
        client.post(OWN, {"action": "off", "code": next_code(device)})
    elif event == "reset":
        login(ours.admin).post(reverse("staff_two_factor_reset", args=[ours.practitioner.pk]))
    else:
        login(ours.admin).post(reverse("staff_backup_codes_reset", args=[ours.practitioner.pk]))
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [ours.practitioner.email]
    if event != "off":
        assert str(ours.admin) in mailoutbox[0].body  # who did it


# Backup codes ---------------------------------------------------------------------------------


def test_enrolment_shows_ten_backup_codes_once(ours):
    client = password_only(ours.frontdesk)
    device = shown_device(client)
    response = client.post(SETUP, {"code": next_code(device)})
    codes = response.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    html = response.content.decode()
    assert all(code in html for code in codes)
    assert "no-store" in response["Cache-Control"]
    # the person's page afterwards counts them but never shows them
    page = client.get(OWN)
    assert page.context["backup"].left == 10
    assert not any(code in page.content.decode() for code in codes)


def test_a_backup_code_stands_in_for_the_phone_once(ours, mailoutbox):
    with_email(ours.frontdesk)
    _device, codes = enrol_through_the_page(password_only(ours.frontdesk))
    mailoutbox.clear()
    client = password_only(ours.frontdesk)
    typed = codes[3][:4].upper() + "-" + codes[3][4:]  # as someone copies it from paper
    response = client.post(VERIFY, {"code": typed})
    assert response.status_code == 302
    assert client.get(reverse("assessments:frontdesk_home")).status_code == 200
    assert two_factor.backup_status(ours.frontdesk).left == 9
    assert len(mailoutbox) == 1 and "9" in mailoutbox[0].body
    again = password_only(ours.frontdesk).post(VERIFY, {"code": codes[3]})
    assert again.status_code == 200 and again.context["form"].has_error("code", "wrong")


def test_a_wrong_backup_code_is_a_field_error_and_is_throttled(ours, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 30
    _device, codes = enrol_through_the_page(password_only(ours.frontdesk))
    client = password_only(ours.frontdesk)
    wrong = client.post(VERIFY, {"code": "aaaa aaaa"})
    assert wrong.context["form"].has_error("code", "wrong")
    throttled = client.post(VERIFY, {"code": codes[0]})
    assert throttled.context["form"].has_error("code", "throttled")
    assert two_factor.backup_status(ours.frontdesk).left == 10


@pytest.mark.parametrize("typed", ["abcd", "abcdefgh1", "abcdef01", "１２３４５"])
def test_a_code_of_neither_shape_is_a_format_error(ours, typed):
    enrol_through_the_page(password_only(ours.frontdesk))
    response = password_only(ours.frontdesk).post(VERIFY, {"code": typed})
    assert response.context["form"].has_error("code", "format")


def test_backup_codes_do_not_replace_the_app_at_enrolment(ours):
    """Setting up asks for a code from the new app: a backup code cannot confirm a device."""
    client = password_only(ours.frontdesk)
    shown_device(client)
    response = client.post(SETUP, {"code": "abcd efgh"})
    assert response.context["form"].has_error("code", "format")


def test_a_new_set_needs_a_code_and_voids_the_old_one(ours, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # the old code's refusal makes no wait here
    this = password_only(ours.frontdesk)
    device, old = enrol_through_the_page(this)
    refused = this.post(OWN, {"action": "codes", "codes-code": wrong_code(device)})
    assert refused.context["codes_form"].has_error("code", "wrong")
    device.refresh_from_db()
    device.throttle_reset()
    response = this.post(OWN, {"action": "codes", "codes-code": next_code(device)})
    new = [code.replace(" ", "") for code in response.context["codes"]]
    assert len(new) == 10 and not set(new) & set(old)
    assert password_only(ours.frontdesk).post(VERIFY, {"code": old[0]}).status_code == 200
    assert password_only(ours.frontdesk).post(VERIFY, {"code": new[0]}).status_code == 302


@pytest.mark.parametrize(("action", "field"), [("codes", "codes-code"), ("off", "code")])
def test_a_backup_code_neither_makes_a_new_set_nor_turns_it_off(ours, action, field):
    """Both ask a code from the app: a printed sheet alone cannot take the second factor over."""
    this = password_only(ours.frontdesk)
    _device, codes = enrol_through_the_page(this)
    response = this.post(OWN, {"action": action, field: codes[0]})
    form = response.context["codes_form" if action == "codes" else "form"]
    assert response.status_code == 200 and form.has_error("code", "format")
    assert TOTPDevice.objects.filter(user=ours.frontdesk, confirmed=True).exists()
    assert two_factor.backup_status(ours.frontdesk).left == 10  # the code was not spent


def test_a_session_that_logged_in_with_a_backup_code_stays_in_after_a_new_set(ours):
    _device, codes = enrol_through_the_page(password_only(ours.frontdesk))
    client = password_only(ours.frontdesk)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
    made = two_factor.new_backup_codes(member=ours.frontdesk, by=ours.frontdesk)
    assert len(made) == 10 and two_factor.backup_status(ours.frontdesk).left == 10
    assert client.get(reverse("assessments:frontdesk_home")).status_code == 200
    two_factor.reset_backup_codes(member=ours.frontdesk, by=ours.admin)
    assert two_factor.backup_status(ours.frontdesk).left == 0
    assert client.get(reverse("assessments:frontdesk_home")).status_code == 200


def test_turning_it_off_takes_the_backup_codes_with_it(ours):
    this = password_only(ours.frontdesk)
    device, _codes = enrol_through_the_page(this)
    assert this.post(OWN, {"action": "off", "code": next_code(device)}).status_code == 302
    assert not StaticDevice.objects.filter(user=ours.frontdesk).exists()
    assert not StaticToken.objects.filter(device__user=ours.frontdesk).exists()


def test_an_unknown_action_is_refused(ours):
    this = password_only(ours.frontdesk)
    enrol_through_the_page(this)
    assert this.post(OWN, {"action": "other", "code": "123456"}).status_code == 403


# The admin counts and voids them, never reads them ---------------------------------------------


def test_the_admin_sees_how_many_are_left_but_never_the_codes(ours, login):
    _device, codes = enrol_through_the_page(password_only(ours.frontdesk))
    page = login(ours.admin).get(reverse("staff_edit", args=[ours.frontdesk.pk]))
    assert page.context["member_backup"].left == 10
    html = page.content.decode()
    assert reverse("staff_backup_codes_reset", args=[ours.frontdesk.pk]) in html
    assert not any(code[:4] in html and code[4:] in html for code in codes)


def test_the_admin_voids_a_colleagues_codes_and_it_is_recorded(ours, login):
    from clinic.models import AuditEntry

    _device, codes = enrol_through_the_page(password_only(ours.frontdesk))
    url = reverse("staff_backup_codes_reset", args=[ours.frontdesk.pk])
    assert login(ours.admin).post(url).status_code == 302
    assert two_factor.backup_status(ours.frontdesk).left == 0
    assert password_only(ours.frontdesk).post(VERIFY, {"code": codes[0]}).status_code == 200
    entry = AuditEntry.objects.filter(object_pk=str(ours.frontdesk.pk), actor=ours.admin).latest(
        "id"
    )
    assert entry.additional_data["note"] == "backup_codes_reset"
    # the authenticator itself still works
    assert TOTPDevice.objects.filter(user=ours.frontdesk, confirmed=True).exists()


def test_only_this_clinics_admin_voids_codes_and_only_by_post(ours, theirs, login):
    enrol_through_the_page(password_only(ours.frontdesk))
    url = reverse("staff_backup_codes_reset", args=[ours.frontdesk.pk])
    assert login(theirs.admin).post(url).status_code == 404
    assert login(ours.practitioner).post(url).status_code == 403
    assert login(ours.admin).get(url).status_code == 405
    assert two_factor.backup_status(ours.frontdesk).left == 10
