"""Taking portal access back (issue 11, items 1, 2, 5 and 7): every invitation or reset link dies
when access ends, when the e-mail address changes and when a newer link is sent; ending access is
one step; links are throttled; a clinic name with a line break no longer stops every mail."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic import mail as clinic_mail
from clinic.models import SentMail
from tests.factories import PatientFactory, log_in

PASSWORD = "hikagami-portal-2026!"
pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(ours):
    return PatientFactory(clinic=ours.clinic, email="hanako@example.jp")


def invite(client, patient):
    return client.post(reverse("patients:patient_invite", args=[patient.pk]))


def last_link():
    return re.search(r"http://testserver(/portal/activate/\S+/)", mail.outbox[-1].body).group(1)


def set_password(link, client=None):
    client = client or Client()
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    return client, response


def edit(desk, patient, follow=False, **changes):
    """Save the patient's form as the desk sees it, with these fields changed."""
    url = reverse("patients:patient_edit", args=[patient.pk])
    form = desk.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    return desk.post(url, {**data, **changes}, follow=follow)


def page_text(response) -> str:
    return re.sub(r'value="[^"]*"', "", response.content.decode())


def opens(link) -> bool:
    return Client().get(link).status_code == 200


def test_ending_access_kills_a_never_used_invitation(ours, login, newcomer):
    desk = login(ours.frontdesk)
    invite(desk, newcomer)
    link = last_link()
    assert opens(link)
    desk.post(reverse("patients:patient_portal_deactivate", args=[newcomer.pk]))
    assert not opens(link)
    _client, response = set_password(link)
    assert response.status_code == 400
    newcomer.refresh_from_db()
    assert not newcomer.portal_user.is_active


def test_the_mistyped_address_story(ours, login, newcomer):
    """Invite at a wrong address, end access, correct the e-mail, invite again: only the new
    link works, and the holder of the first sees nothing."""
    desk = login(ours.frontdesk)
    newcomer.email = "hanak0@example.jp"
    newcomer.save()
    invite(desk, newcomer)
    first = last_link()
    desk.post(reverse("patients:patient_portal_deactivate", args=[newcomer.pk]))
    assert edit(desk, newcomer, email="hanako@example.jp").status_code == 302
    invite(desk, newcomer)
    assert mail.outbox[-1].to == ["hanako@example.jp"]
    second = last_link()
    stranger, response = set_password(first)
    assert response.status_code == 400
    assert stranger.get(reverse("assessments:portal_home")).status_code == 302  # to the log-in
    patient, response = set_password(second)
    assert response.status_code == 302
    assert patient.get(reverse("assessments:portal_home")).status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.portal_user.username == "hanako@example.jp"


def test_a_newer_invitation_kills_the_older_one(ours, login, newcomer):
    desk = login(ours.frontdesk)
    invite(desk, newcomer)
    first = last_link()
    invite(desk, newcomer)
    second = last_link()
    assert first != second
    assert not opens(first)
    assert opens(second)


def test_changing_the_address_ends_access_and_kills_links(ours, login, newcomer):
    desk = login(ours.frontdesk)
    invite(desk, newcomer)
    link = last_link()
    response = edit(desk, newcomer, follow=True, email="hanako.new@example.jp")
    assert "メールアドレスが変わったため" in response.content.decode()
    assert not opens(link)


def test_an_edit_that_keeps_the_address_keeps_the_link(ours, login, newcomer):
    desk = login(ours.frontdesk)
    invite(desk, newcomer)
    link = last_link()
    assert edit(desk, newcomer, phone="090-1111-2222").status_code == 302
    assert opens(link)


def activated(ours, login, newcomer):
    desk = login(ours.frontdesk)
    invite(desk, newcomer)
    patient, _response = set_password(last_link())
    return desk, patient


def reset_for(email, clinic, client=None):
    client = client or Client()
    return client.post(reverse("patients:portal_reset"), {"clinic": clinic, "email": email})


def test_a_reset_link_dies_when_access_ends(ours, login, newcomer):
    desk, _patient = activated(ours, login, newcomer)
    reset_for("hanako@example.jp", ours.clinic.slug)
    link = last_link()
    assert opens(link)
    desk.post(reverse("patients:patient_portal_deactivate", args=[newcomer.pk]))
    assert not opens(link)


def test_a_newer_reset_link_kills_the_older(ours, login, newcomer):
    activated(ours, login, newcomer)
    reset_for("hanako@example.jp", ours.clinic.slug)
    first = last_link()
    reset_for("hanako@example.jp", ours.clinic.slug)
    assert not opens(first)
    assert opens(last_link())


def test_ending_access_is_one_step(ours, login, newcomer):
    """One press of "end portal access": the patient's open sessions end, an outstanding reset
    link stops working, the password no longer logs in, and a re-invitation is needed."""
    desk, patient = activated(ours, login, newcomer)
    second_device = Client()
    assert log_in(second_device, "hanako@example.jp", PASSWORD, clinic=ours.clinic.slug)
    reset_for("hanako@example.jp", ours.clinic.slug)
    link = last_link()
    desk.post(reverse("patients:patient_portal_deactivate", args=[newcomer.pk]))
    for client in (patient, second_device):
        assert client.get(reverse("assessments:portal_home")).status_code == 302
    assert not opens(link)
    assert not log_in(Client(), "hanako@example.jp", PASSWORD, clinic=ours.clinic.slug)
    # And it stays ended when the desk invites again: the old sessions do not come back.
    invite(desk, newcomer)
    set_password(last_link())
    for client in (patient, second_device):
        assert client.get(reverse("assessments:portal_home")).status_code == 302


def test_a_reset_is_sent_once_the_patient_uses_the_portal(ours, login, newcomer):
    activated(ours, login, newcomer)
    before = len(mail.outbox)
    reset_for("hanako@example.jp", ours.clinic.slug)
    assert len(mail.outbox) == before + 1


# Throttle (item 7) -------------------------------------------------------------------------


@override_settings(RESET_MAILS_PER_ADDRESS=3, RESET_MAILS_PER_CLIENT=100)
def test_resets_per_address_are_throttled_with_one_answer(ours, login, newcomer):
    activated(ours, login, newcomer)
    before = len(mail.outbox)
    pages = [reset_for("hanako@example.jp", ours.clinic.slug) for _ in range(12)]
    assert len(mail.outbox) - before == 3
    unknown = reset_for("nobody@example.jp", ours.clinic.slug)
    bodies = {page_text(page) for page in pages} | {page_text(unknown)}
    assert len(bodies) == 1  # the same page, sent or not, known address or not
    assert {page.status_code for page in pages} == {200}


@override_settings(RESET_MAILS_PER_ADDRESS=100, RESET_MAILS_PER_CLIENT=5)
def test_resets_from_one_client_address_are_throttled(ours, login, newcomer):
    activated(ours, login, newcomer)
    for n in range(5):
        reset_for(f"someone{n}@example.jp", ours.clinic.slug)
    before = len(mail.outbox)
    reset_for("hanako@example.jp", ours.clinic.slug)
    assert len(mail.outbox) == before  # the sixth from that client sends nothing
    other = Client(REMOTE_ADDR="203.0.113.9")
    reset_for("hanako@example.jp", ours.clinic.slug, client=other)
    assert len(mail.outbox) == before + 1


def test_the_throttle_keeps_no_address(ours, login, newcomer):
    activated(ours, login, newcomer)
    reset_for("hanako@example.jp", ours.clinic.slug)
    for row in SentMail.objects.values("address_key", "client_key"):
        assert "hanako" not in row["address_key"] and "127.0.0.1" not in row["client_key"]


@override_settings(INVITATION_MAILS_PER_ADDRESS=2)
def test_invitations_are_throttled_with_a_message_for_the_desk(ours, login, newcomer):
    desk = login(ours.frontdesk)
    for _ in range(2):
        invite(desk, newcomer)
    sent = len(mail.outbox)
    response = invite(desk, newcomer)
    assert len(mail.outbox) == sent
    page = desk.get(response["Location"]).content.decode()
    assert "minutes" in page or "分" in page


# Header text (item 5) ----------------------------------------------------------------------


def test_a_clinic_name_with_a_line_break_does_not_stop_invitations(ours, login, newcomer):
    ours.clinic.name = "ひかがみ整体院\r\nBcc: everyone@example.com"
    ours.clinic.save()
    response = invite(login(ours.frontdesk), newcomer)
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.recipients() == ["hanako@example.jp"]
    assert "Bcc" not in message.message().as_string().split("\n\n")[0].split("Subject:")[0]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=130))
def test_any_clinic_name_makes_a_one_line_subject(name):
    subject = clinic_mail.header_line(f"Your patient page at {name}")
    assert "\n" not in subject and "\r" not in subject
    assert subject == subject.strip()
    mail.outbox = []
    assert clinic_mail.send(subject=subject, body="x", to=["a@example.jp"]) == 1
    mail.outbox[0].message()  # would raise BadHeaderError


def test_an_address_with_a_line_break_is_not_sent_to():
    assert clinic_mail.send(subject="s", body="b", to=["a@example.jp\nBcc: b@example.jp"]) == 0


def test_the_patient_page_offers_to_withdraw_an_invitation_and_shows_when_access_ended(
    ours, login, newcomer
):
    desk = login(ours.frontdesk)
    detail = reverse("assessments:patient_detail", args=[newcomer.pk])
    end = reverse("patients:patient_portal_deactivate", args=[newcomer.pk])
    invite(desk, newcomer)
    waiting = desk.get(detail).content.decode()
    assert end in waiting  # an invitation not used yet can be withdrawn
    desk.post(end)
    ended = desk.get(detail).content.decode()
    assert end not in ended
    newcomer.refresh_from_db()
    assert newcomer.portal_user.access_ended_at is not None
    invite(desk, newcomer)
    newcomer.refresh_from_db()
    assert newcomer.portal_user.access_ended_at is None
    assert end in desk.get(detail).content.decode()
