"""The patient's way in (invitation, reset, deactivation) and their plan pages."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments.models import CarePlan
from clinic.models import User
from patients.invitations import tokens
from tests.factories import PatientFactory, log_in

PASSWORD = "hikagami-portal-2026!"


@pytest.fixture
def newcomer(ours):
    return PatientFactory(clinic=ours.clinic, email="hanako@example.jp")


def invite(client, patient):
    return client.post(reverse("patients:patient_invite", args=[patient.pk]))


def link_in_last_mail():
    return re.search(r"http://testserver(/portal/activate/\S+/)", mail.outbox[-1].body).group(1)


def test_the_desk_invites_a_patient_who_sets_a_password_once(ours, login, newcomer):
    invite(login(ours.frontdesk), newcomer)
    newcomer.refresh_from_db()
    account = newcomer.portal_user
    assert account.role == "patient" and not account.is_active
    assert mail.outbox[-1].to == ["hanako@example.jp"]
    link = link_in_last_mail()
    patient = Client()
    response = patient.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessments:portal_home"
    )
    assert patient.get(reverse("assessments:portal_home")).status_code == 200
    again = Client().get(link)
    assert again.status_code == 400  # single use
    assert log_in(Client(), "hanako@example.jp", PASSWORD)


def test_a_link_older_than_72_hours_is_refused_and_a_younger_one_works(ours, login, newcomer):
    invite(login(ours.frontdesk), newcomer)
    newcomer.refresh_from_db()
    user = newcomer.portal_user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    now = tokens._num_seconds(tokens._now())
    for hours, status in ((73, 400), (71, 200)):
        token = tokens._make_token_with_timestamp(user, now - hours * 3600, tokens.secret)
        assert (
            Client().get(reverse("patients:portal_activate", args=[uid, token])).status_code
            == status
        )


@pytest.mark.parametrize(
    "uid, token", [("MQ", "bad-token"), ("!!", "x"), ("OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "a-b")]
)
def test_a_tampered_link_is_refused_without_an_error(db, uid, token):
    assert Client().get(reverse("patients:portal_activate", args=[uid, token])).status_code == 400


def test_an_invitation_needs_an_email_address(ours, login):
    no_mail = PatientFactory(clinic=ours.clinic, email="")
    response = invite(login(ours.frontdesk), no_mail)
    no_mail.refresh_from_db()
    assert response.status_code == 302 and no_mail.portal_user is None and not mail.outbox


def test_a_password_reset_says_the_same_for_any_address(ours, login, newcomer):
    invite(login(ours.frontdesk), newcomer)
    Client().post(link_in_last_mail(), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    sent = len(mail.outbox)
    reset = reverse("patients:portal_reset")
    code = ours.clinic.slug
    unknown = Client().post(reset, {"clinic": code, "email": "nobody@example.jp"})
    known = Client().post(reset, {"clinic": code, "email": "HANAKO@example.jp"})
    assert [t.name for t in unknown.templates] == [t.name for t in known.templates]
    assert unknown.status_code == known.status_code == 200
    assert len(mail.outbox) == sent + 1 and mail.outbox[-1].to == ["hanako@example.jp"]


def test_ending_portal_access_keeps_the_records(ours, login):
    login(ours.frontdesk).post(
        reverse("patients:patient_portal_deactivate", args=[ours.patient.pk])
    )
    ours.patient_user.refresh_from_db()
    assert not ours.patient_user.is_active
    assert User.objects.filter(pk=ours.patient_user.pk).exists()
    assert CarePlan.objects.filter(patient=ours.patient).exists()
    assert login(ours.patient_user).get(reverse("assessments:portal_home")).status_code == 302


def test_the_patient_sees_the_doctor_box_first_then_the_exercises(ours, login):
    page = login(ours.patient_user).get(reverse("assessments:portal_home")).content.decode()
    assert ours.plan.snapshot["referrals"]  # the cast's plan refers (fever)
    assert 0 < page.index('id="see-a-doctor"') < page.index('id="home-exercises"')


def test_the_patient_downloads_their_handout(ours, login):
    response = login(ours.patient_user).get(
        reverse("assessments:portal_handout", args=[ours.plan.pk])
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_patient_cannot_open_another_patients_plan_or_a_draft(ours, login):
    other = CarePlan.objects.create(
        clinic=ours.clinic,
        patient=ours.other_patient,
        assessment=ours.plan.assessment,
        version=1,
        status="published",
        created_by=ours.practitioner,
        snapshot={"items": []},
    )
    draft = CarePlan.objects.create(
        clinic=ours.clinic,
        patient=ours.patient,
        assessment=ours.plan.assessment,
        version=9,
        created_by=ours.practitioner,
    )
    client = login(ours.patient_user)
    for plan in (other, draft):
        assert client.get(reverse("assessments:portal_plan", args=[plan.pk])).status_code == 404
        assert client.get(reverse("assessments:portal_handout", args=[plan.pk])).status_code == 404


def test_the_patients_plan_page_costs_the_same_queries_and_one_trail_entry(
    ours, login, django_assert_num_queries
):
    from clinic import audit

    client = login(ours.patient_user)
    url = reverse("assessments:portal_plan", args=[ours.plan.pk])
    client.get(url)
    # session, user, own record, the plan; then the view's audit entry (which names the plan
    # without fetching the patient again)
    with django_assert_num_queries(4 + audit.queries_per_entry()):
        assert client.get(url).status_code == 200
