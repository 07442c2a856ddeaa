"""A form saved after the session ended: what was typed is kept, comes back in the form after the
log-in (and the second factor) on that page only, once, within two hours, and is never saved by
itself nor shown to someone who may not see the page (clinic/resume.py)."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from assessments.models import AsymmetryThreshold, Exercise
from clinic import access, resume
from clinic.models import AuditEntry, Clinic, User
from patients.models import Appointment, Patient
from tests.factories import PASSWORD, enrol, next_code

VERIFY, SETUP = reverse("two_factor_verify"), reverse("two_factor_setup")
# The message, in Japanese (the default language): nothing was saved, the typing is back.
TOLD = "保存されていません。入力されていた内容を下のフォームに戻しました"


def edit_url(patient):
    return reverse("patients:patient_edit", args=[patient.pk])


def typed_edit(**changes):
    """A patient edit as a practitioner would type it, with a long note in the address."""
    data = {
        "family_name": "鈴木",
        "given_name": "一郎",
        "family_name_kana": "スズキ",
        "given_name_kana": "イチロウ",
        "birth_date": "1975-03-02",
        "sex": "male",
        "phone": "090-2222-3333",
        "email": "",
        "postal_code": "150-0001",
        "address": "東京都渋谷区神宮前一丁目 再開テスト用の長い住所 " + "と" * 100,
        "occupation": "配送",
        "work_style": "standing",
        "emergency_contact_name": "",
        "emergency_contact_relation": "",
        "emergency_contact_phone": "",
    }
    data.update(changes)
    return data


def post_after_the_session_ended(url, data, client=None):
    """A POST from a browser whose session cookie is gone: it is sent to log in, as before."""
    client = client or Client()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
    return client


def log_in_to(client, user, url):
    """The log-in page, with the `next=` the guard gave; it goes back to that page."""
    response = client.post(
        reverse("login"),
        {
            "clinic": user.clinic.slug,
            "username": user.username,
            "password": PASSWORD,
            "next": url,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    return client


def kept_names(client):
    return sorted(name for name, _values in client.session[resume.SESSION_KEY]["fields"])


# The way back --------------------------------------------------------------------------------


def test_after_log_in_the_page_shows_what_was_typed_and_nothing_was_saved(ours):
    url, typed = edit_url(ours.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.frontdesk, url)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and page.context["form"].is_bound
    assert page.context["form"].data["address"] == typed["address"]
    assert typed["address"] in html and 'value="鈴木"' in html
    assert TOLD in html
    stored = Patient.objects.get(pk=ours.patient.pk)
    assert (stored.family_name, stored.address) == (ours.patient.family_name, ours.patient.address)


def test_the_person_who_presses_save_again_is_the_one_recorded(ours):
    url, typed = edit_url(ours.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.practitioner, url)
    assert client.get(url).context["form"].is_bound
    assert client.post(url, typed).status_code == 302
    assert Patient.objects.get(pk=ours.patient.pk).family_name == "鈴木"
    change = AuditEntry.objects.filter(
        content_type__model="patient",
        object_pk=str(ours.patient.pk),
        action=AuditEntry.Action.UPDATE,
    ).get()
    assert change.actor == ours.practitioner


def test_the_typed_values_come_back_once_only(ours):
    url, typed = edit_url(ours.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.frontdesk, url)
    assert client.get(url).context["form"].is_bound
    again = client.get(url)
    html = again.content.decode()
    assert not again.context["form"].is_bound
    assert typed["address"] not in html and TOLD not in html
    assert resume.SESSION_KEY not in client.session


def test_invalid_typing_comes_back_with_its_errors(ours):
    url = edit_url(ours.patient)
    client = post_after_the_session_ended(url, typed_edit(phone="12345"))
    log_in_to(client, ours.frontdesk, url)
    page = client.get(url)
    assert page.context["form"].errors["phone"]
    assert Patient.objects.get(pk=ours.patient.pk).phone == ours.patient.phone


def test_the_second_factor_step_keeps_it(ours):
    device = enrol(ours.frontdesk)
    url, typed = edit_url(ours.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.frontdesk, url)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"{VERIFY}?next={url}"
    assert client.get(response["Location"]).context["next"] == url
    response = client.post(VERIFY, {"code": next_code(device), "next": url})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url)
    assert page.context["form"].data["address"] == typed["address"]
    assert TOLD in page.content.decode()
    assert Patient.objects.get(pk=ours.patient.pk).address == ours.patient.address


def test_enrolling_where_the_clinic_requires_it_keeps_it(ours):
    ours.clinic.require_two_factor = True
    ours.clinic.save()
    url, typed = edit_url(ours.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.frontdesk, url)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"{SETUP}?next={url}"
    client.get(response["Location"])
    device = ours.frontdesk.totpdevice_set.get(confirmed=False)
    response = client.post(SETUP, {"code": next_code(device), "next": url})
    # the backup codes are shown once, and their page goes on to the page that was typed on
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert f'href="{url}"' in response.content.decode()
    assert client.get(url).context["form"].data["address"] == typed["address"]


# Only that page, only soon, only once ----------------------------------------------------------


def test_a_post_kept_more_than_two_hours_ago_is_not_used(ours):
    url, typed = edit_url(ours.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    session = client.session
    session[resume.SESSION_KEY]["at"] -= resume.MAX_AGE_SECONDS + 1
    session.save()
    log_in_to(client, ours.frontdesk, url)
    page = client.get(url)
    assert not page.context["form"].is_bound
    assert typed["address"] not in page.content.decode()


def test_a_post_kept_for_another_page_is_not_used_and_is_gone_afterwards(ours):
    url, other, typed = edit_url(ours.patient), edit_url(ours.other_patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.frontdesk, other)
    page = client.get(other)
    assert not page.context["form"].is_bound
    assert typed["address"] not in page.content.decode()
    # it was for the first page opened after the log-in
    assert not client.get(url).context["form"].is_bound


def test_only_the_newest_post_is_kept(ours):
    first, second = edit_url(ours.other_patient), edit_url(ours.patient)
    client = post_after_the_session_ended(first, typed_edit(address="一つ目"))
    post_after_the_session_ended(second, typed_edit(address="二つ目"), client)
    assert client.session[resume.SESSION_KEY]["path"] == second
    log_in_to(client, ours.frontdesk, second)
    assert client.get(second).context["form"].data["address"] == "二つ目"


# What is never kept --------------------------------------------------------------------------


def test_passwords_tokens_and_the_csrf_token_are_never_kept(ours):
    url = reverse("staff_create")
    secrets = {
        "password": "secret-a",
        "password1": "secret-b-2026",
        "password2": "secret-b-2026",
        "old_password": "secret-c",
        "new_password1": "secret-d",
        "new_password2": "secret-d",
        "otp_token": "secret-e",
        "token": "secret-f",
        "csrfmiddlewaretoken": "secret-g",
    }
    member = {"username": "new-member", "display_name": "新人 一郎", "role": "frontdesk"}
    client = post_after_the_session_ended(url, {**member, **secrets})
    assert kept_names(client) == ["display_name", "role", "username"]
    assert not any(value in json.dumps(dict(client.session)) for value in secrets.values())
    log_in_to(client, ours.admin, url)
    page = client.get(url)
    assert page.context["form"].data["username"] == "new-member"
    assert not any(value in page.content.decode() for value in secrets.values())
    assert not User.objects.filter(username="new-member").exists()


def test_a_form_of_passwords_only_keeps_nothing(ours):
    url = reverse("staff_password", args=[ours.frontdesk.pk])
    client = post_after_the_session_ended(
        url, {"new_password1": "secret-2026-x", "new_password2": "secret-2026-x"}
    )
    assert resume.SESSION_KEY not in client.session


def test_an_oversized_post_is_not_kept_and_drops_an_older_one(ours):
    url = edit_url(ours.patient)
    client = post_after_the_session_ended(edit_url(ours.other_patient), typed_edit())
    assert resume.SESSION_KEY in client.session
    too_long = "あ" * (resume.MAX_BYTES // 3 + 1)  # 3 bytes each in UTF-8
    post_after_the_session_ended(url, typed_edit(address=too_long), client)
    assert resume.SESSION_KEY not in client.session
    log_in_to(client, ours.frontdesk, url)
    assert not client.get(url).context["form"].is_bound


def test_uploaded_files_are_never_kept(ours):
    upload = SimpleUploadedFile(
        "scan.pdf", b"%PDF-1.4 file-content", content_type="application/pdf"
    )
    client = post_after_the_session_ended(edit_url(ours.patient), {**typed_edit(), "scan": upload})
    assert "scan" not in kept_names(client) and "address" in kept_names(client)
    assert "file-content" not in json.dumps(dict(client.session))


def test_a_post_that_fails_the_csrf_check_is_refused_and_not_kept(ours):
    url = edit_url(ours.patient)
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # the CSRF cookie, as the form page had set it
    assert client.post(url, typed_edit()).status_code == 403
    assert resume.SESSION_KEY not in client.session
    token = client.cookies["csrftoken"].value
    post_after_the_session_ended(url, {**typed_edit(), "csrfmiddlewaretoken": token}, client)
    assert resume.SESSION_KEY in client.session


def _through_the_csrf_check(request, view):
    refused = CsrfViewMiddleware(lambda r: None).process_view(request, view, (), {})
    return refused or view(request)


def test_a_view_exempt_from_the_csrf_check_keeps_nothing(rf, db):
    def form_page(request):
        return HttpResponse()

    for view, kept in (
        (access.allow(*access.STAFF)(form_page), True),
        (access.allow(*access.STAFF)(csrf_exempt(form_page)), False),
    ):
        request = rf.post("/a-form/", {"note": "書きかけ"})
        request._dont_enforce_csrf_checks = True  # as the test client does: the check passes
        request.user, request.session = AnonymousUser(), SessionStore()
        assert _through_the_csrf_check(request, view).status_code == 302
        assert (resume.SESSION_KEY in request.session) is kept


# Nobody else sees it -------------------------------------------------------------------------


def test_someone_of_another_role_gets_the_usual_403_and_never_the_typing(ours):
    url, typed = edit_url(ours.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.patient_user, url)
    response = client.get(url)
    assert response.status_code == 403
    assert typed["address"] not in response.content.decode()


def test_staff_of_another_clinic_get_the_usual_404_and_never_the_typing(ours, theirs):
    url, typed = edit_url(theirs.patient), typed_edit()
    client = post_after_the_session_ended(url, typed)
    log_in_to(client, ours.frontdesk, url)
    response = client.get(url)
    assert response.status_code == 404
    assert typed["address"] not in response.content.decode()
    assert resume.SESSION_KEY not in client.session


def test_an_admin_only_page_is_refused_to_a_practitioner_with_the_typing(ours):
    url = reverse("assessments:exercise_edit", args=[ours.exercise.pk])
    purpose = "管理者が書きかけた説明文"
    client = post_after_the_session_ended(url, {"name_ja": "タオル", "purpose": purpose})
    log_in_to(client, ours.practitioner, url)
    response = client.get(url)
    assert response.status_code == 403 and purpose not in response.content.decode()


# The session's length ------------------------------------------------------------------------


def test_a_kept_post_ends_with_its_anonymous_session_not_later(ours, settings):
    url = edit_url(ours.patient)
    client = post_after_the_session_ended(url, typed_edit())
    assert client.session.get_expiry_age() == resume.MAX_AGE_SECONDS
    log_in_to(client, ours.frontdesk, url)
    assert client.session.get_expiry_age() == settings.STAFF_IDLE_MINUTES * 60


def test_a_patient_logging_in_afterwards_keeps_the_usual_session_length(ours, settings):
    url = reverse("assessments:portal_psfs")
    client = post_after_the_session_ended(url, {"activity0": "階段を上る", "score0": "6"})
    assert client.session.get_expiry_age() == resume.MAX_AGE_SECONDS
    log_in_to(client, ours.patient_user, url)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


# Every form page outside the clinical views: a GET with the typing saves nothing ----------------


def _tomorrow_at_ten():
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


FORM_PAGES = {
    "patients:patient_create": (
        lambda c: reverse("patients:patient_create"),
        "frontdesk",
        lambda c: {**typed_edit(), "consent_treatment": "on", "consent_privacy": "on"},
        "address",
        lambda c: Patient.objects.filter(clinic=c.clinic, family_name="鈴木").exists(),
    ),
    "patients:book": (
        lambda c: reverse("patients:book"),
        "frontdesk",
        lambda c: {
            "patient_number": c.patient.number,
            "practitioner": c.practitioner.pk,
            "start": timezone.localtime(_tomorrow_at_ten()).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "30",
            "reason": "再開テストの予約",
        },
        "reason",
        lambda c: Appointment.objects.filter(reason="再開テストの予約").exists(),
    ),
    "assessments:exercise_create": (
        lambda c: reverse("assessments:exercise_create"),
        "admin",
        lambda c: {
            "code": "seated_calf",
            "name_ja": "座ってふくらはぎ",
            "name_en": "Seated calf",
            "purpose": "ふくらはぎをゆるめます",
            "steps": "椅子に座る\nつま先を上げる",
            "times_per_day": "2",
            "sets": "2",
        },
        "name_ja",
        lambda c: Exercise.objects.filter(clinic=c.clinic, code="seated_calf").exists(),
    ),
    "assessments:threshold_edit": (
        lambda c: reverse("assessments:threshold_edit", args=["slr"]),
        "admin",
        lambda c: {"threshold": "25", "note": "院内の基準"},
        "note",
        lambda c: AsymmetryThreshold.objects.filter(clinic=c.clinic, measure="slr").exists(),
    ),
    "staff_edit": (
        lambda c: reverse("staff_edit", args=[c.frontdesk.pk]),
        "admin",
        lambda c: {
            "username": c.frontdesk.username,
            "display_name": "受付 変更後",
            "email": "",
            "role": "frontdesk",
            "is_active": "on",
        },
        "display_name",
        lambda c: User.objects.filter(display_name="受付 変更後").exists(),
    ),
    "clinic_settings": (
        lambda c: reverse("clinic_settings"),
        "admin",
        lambda c: {"name": "新しい院名", "phone": "", "address": "", "tax_rate": "10"},
        "name",
        lambda c: Clinic.objects.filter(name="新しい院名").exists(),
    ),
}


@pytest.mark.parametrize("name", sorted(FORM_PAGES))
def test_the_form_page_shows_the_typing_and_saves_nothing(name, ours):
    url_of, who, data_of, field, saved = FORM_PAGES[name]
    url, data = url_of(ours), data_of(ours)
    client = post_after_the_session_ended(url, data)
    log_in_to(client, getattr(ours, who), url)
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].data[field] == data[field]
    assert TOLD in page.content.decode()
    assert not saved(ours)
