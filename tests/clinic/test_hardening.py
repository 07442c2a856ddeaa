"""Log-in lockout, staff idle timeout, production settings, and escaping of what users type."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, PatientFactory, clinic_of, log_in


def fail(client, username, times):
    data = {"clinic": clinic_of(username), "username": username, "password": "wrong-password"}
    for _ in range(times):
        client.post(reverse("login"), data)


def test_five_failures_lock_that_username_from_that_address(ours):
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    fail(attacker, ours.frontdesk.username, 5)
    response = attacker.post(
        reverse("login"),
        {"clinic": ours.clinic.slug, "username": ours.frontdesk.username, "password": PASSWORD},
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in attacker.session
    # the same person from the front desk's own machine still gets in
    assert log_in(Client(REMOTE_ADDR="10.0.0.5"), ours.frontdesk.username, PASSWORD)


def test_four_failures_do_not_lock_and_a_success_resets_the_count(ours):
    client = Client(REMOTE_ADDR="10.9.9.8")
    fail(client, ours.practitioner.username, 4)
    assert log_in(client, ours.practitioner.username, PASSWORD)
    fail(Client(REMOTE_ADDR="10.9.9.8"), ours.practitioner.username, 4)
    assert log_in(Client(REMOTE_ADDR="10.9.9.8"), ours.practitioner.username, PASSWORD)


def test_an_unknown_user_and_a_wrong_password_get_the_same_message(ours):
    code = ours.clinic.slug
    unknown = Client().post(
        reverse("login"), {"clinic": code, "username": "nobody", "password": "x"}
    )
    wrong = Client().post(
        reverse("login"), {"clinic": code, "username": ours.admin.username, "password": "x"}
    )
    assert unknown.context["form"].errors == wrong.context["form"].errors


def test_staff_sessions_expire_after_inactivity_but_patients_keep_theirs(ours, login):
    staff = login(ours.frontdesk)
    staff.get(reverse("assessments:frontdesk_home"))
    assert staff.session.get_expiry_age() == settings.STAFF_IDLE_MINUTES * 60
    patient = login(ours.patient_user)
    patient.get(reverse("assessments:portal_home"))
    assert patient.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_activity_pushes_the_staff_expiry_forward(ours, login, monkeypatch):
    staff = login(ours.frontdesk)
    touched = staff.session["staff_touched"]
    monkeypatch.setattr(time, "time", lambda: touched + 120)
    staff.get(reverse("assessments:frontdesk_home"))
    assert staff.session["staff_touched"] == touched + 120


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    env.update(
        PRODUCTION="1",
        SECRET_KEY="p" * 30 + "-Hikagami-production-test-0123456789",
        AUDIT_CHAIN_KEY="q" * 30 + "-Hikagami-audit-chain-test-0123456",
        ALLOWED_HOSTS="clinic.example.jp",
        DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PAYLOADS = ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>']


@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_users_type_is_shown_escaped_on_the_pages_that_show_it(ours, login, payload):
    patient = PatientFactory(
        clinic=ours.clinic, family_name=payload[:40], address=payload, occupation=payload[:80]
    )
    pages = [
        login(ours.frontdesk).get(reverse("patients:patient_list")),
        login(ours.frontdesk).get(reverse("assessments:patient_detail", args=[patient.pk])),
        login(ours.frontdesk).get(reverse("patients:patient_list"), {"q": payload[:100]}),
    ]
    for page in pages:
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
