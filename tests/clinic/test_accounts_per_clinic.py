"""Accounts belong to a clinic: names and e-mail addresses are unique within one clinic only, the
log-in asks for the clinic code, and nothing a clinic sees depends on another clinic's accounts."""

import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from clinic.models import Role, User
from tests.factories import PASSWORD, PatientFactory, UserFactory, log_in

OURS_PASSWORD = "kuzu-no-ha-2026!"
THEIRS_PASSWORD = "sakura-no-ki-2026!"
EMAIL = "hanako@example.jp"
CLINIC_COOKIE = "hikagami_clinic"


def new_member(username, password):
    return {
        "username": username,
        "display_name": "鈴木 一郎",
        "email": "",
        "role": "practitioner",
        "password1": password,
        "password2": password,
    }


def log_in_form(clinic, username, password):
    return {"clinic": clinic, "username": username, "password": password}


@pytest.fixture
def two_suzukis(ours, theirs):
    """One "suzuki" in each clinic, with passwords of their own."""
    return (
        UserFactory(clinic=ours.clinic, username="suzuki", password=OURS_PASSWORD),
        UserFactory(clinic=theirs.clinic, username="suzuki", password=THEIRS_PASSWORD),
    )


# Staff accounts -------------------------------------------------------------------------------


def test_each_clinics_admin_creates_the_same_name_and_hears_nothing_of_the_other(
    ours, theirs, login
):
    first = login(theirs.admin).post(reverse("staff_create"), new_member("suzuki", THEIRS_PASSWORD))
    second = login(ours.admin).post(reverse("staff_create"), new_member("suzuki", OURS_PASSWORD))
    assert first.status_code == second.status_code == 302  # no form shown again, no error
    assert set(User.objects.filter(username__iexact="suzuki").values_list("clinic", flat=True)) == {
        ours.clinic.pk,
        theirs.clinic.pk,
    }


def test_a_name_taken_in_the_same_clinic_is_refused_whatever_its_case(ours, login):
    admin = login(ours.admin)
    for taken in (ours.frontdesk.username, ours.frontdesk.username.upper()):
        response = admin.post(reverse("staff_create"), new_member(taken, OURS_PASSWORD))
        assert response.status_code == 200
        errors = response.context["form"].errors.as_data()["username"]
        assert [error.code for error in errors] == ["unique"]
    assert User.objects.filter(username__iexact=ours.frontdesk.username).count() == 1


def test_renaming_a_member_to_a_colleagues_name_is_refused_but_another_clinics_is_not(
    ours, theirs, login
):
    edit = reverse("staff_edit", args=[ours.practitioner.pk])
    data = {"display_name": "x", "email": "", "role": "practitioner", "is_active": "on"}
    admin = login(ours.admin)
    refused = admin.post(edit, {**data, "username": ours.frontdesk.username.upper()})
    assert [e.code for e in refused.context["form"].errors.as_data()["username"]] == ["unique"]
    assert admin.post(edit, {**data, "username": theirs.frontdesk.username}).status_code == 302
    ours.practitioner.refresh_from_db()
    assert ours.practitioner.username == theirs.frontdesk.username


def test_the_database_refuses_one_name_twice_in_a_clinic_whatever_its_case(ours):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(clinic=ours.clinic, username=ours.admin.username.upper())


def test_accounts_of_no_clinic_keep_unique_names(db):
    UserFactory(clinic=None, username="root")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(clinic=None, username="ROOT")


# Logging in -----------------------------------------------------------------------------------


def test_each_suzuki_logs_in_with_their_own_clinic_code_and_password(ours, theirs, two_suzukis):
    mine, other = two_suzukis
    for clinic, password, account in (
        (ours.clinic.slug, OURS_PASSWORD, mine),
        (theirs.clinic.slug, THEIRS_PASSWORD, other),
    ):
        client = Client()
        assert log_in(client, "SUZUKI", password, clinic=clinic)
        assert int(client.session["_auth_user_id"]) == account.pk
    assert not log_in(Client(), "suzuki", THEIRS_PASSWORD, clinic=ours.clinic.slug)
    # the code as a phone or a Japanese input method may type it: capitals, full width, spaces
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ours.clinic.slug.upper())
    assert log_in(Client(), "suzuki", OURS_PASSWORD, clinic=f" {full_width} ")


def test_a_wrong_clinic_code_gets_the_same_answer_as_a_wrong_password(ours, theirs):
    name = ours.frontdesk.username
    answers = [
        Client().post(reverse("login"), log_in_form(clinic, name, password))
        for clinic, password in (
            (ours.clinic.slug, "wrong-password"),
            (theirs.clinic.slug, PASSWORD),  # the right password elsewhere
            ("no-such-clinic", PASSWORD),
        )
    ]
    assert {answer.status_code for answer in answers} == {200}
    errors = [answer.context["form"].errors for answer in answers]
    assert errors[0] == errors[1] == errors[2] and list(errors[0]) == ["__all__"]


def test_a_log_in_without_a_clinic_code_finds_nobody(ours):
    right = {"username": ours.frontdesk.username, "password": PASSWORD}
    response = Client().post(reverse("login"), right)
    assert "_auth_user_id" not in response.wsgi_request.session
    assert "clinic" in response.context["form"].errors
    assert authenticate(response.wsgi_request, **right) is None  # the backend too, not the form
    with_code = authenticate(response.wsgi_request, clinic=ours.clinic.slug, **right)
    assert with_code == ours.frontdesk


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


def test_a_wrong_clinic_costs_the_same_hashing_as_a_wrong_password(ours, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    ours.frontdesk.set_password(PASSWORD)
    ours.frontdesk.save()
    counts = []
    for clinic in (ours.clinic.slug, "no-such-clinic"):
        CountingHasher.calls = 0
        Client().post(reverse("login"), log_in_form(clinic, ours.frontdesk.username, "wrong"))
        counts.append(CountingHasher.calls)
    assert counts == [1, 1]


def test_a_lockout_in_one_clinic_leaves_the_same_name_in_another_alone(ours, theirs, two_suzukis):
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for name in ("suzuki", "SUZUKI", "Suzuki", "suzuki", "suzukI"):  # case is no fresh try
        attacker.post(reverse("login"), log_in_form(ours.clinic.slug, name, "wrong-password"))
    locked = attacker.post(reverse("login"), log_in_form(ours.clinic.slug, "suzuki", OURS_PASSWORD))
    assert locked.status_code == 429
    assert log_in(attacker, "suzuki", THEIRS_PASSWORD, clinic=theirs.clinic.slug)


def test_the_clinic_code_is_remembered_and_can_come_from_the_link(ours, theirs):
    client = Client()
    assert client.get(reverse("login")).context["form"].initial["clinic"] == ""
    assert log_in(client, ours.frontdesk.username, PASSWORD)
    assert client.cookies[CLINIC_COOKIE].value == ours.clinic.slug
    assert client.cookies[CLINIC_COOKIE]["max-age"] > 365 * 24 * 60 * 60
    client.post(reverse("logout"))
    page = client.get(reverse("login"))
    assert page.context["form"].initial["clinic"] == ours.clinic.slug
    assert f'value="{ours.clinic.slug}"' in page.content.decode()
    linked = client.get(reverse("login"), {"clinic": theirs.clinic.slug})
    assert linked.context["form"].initial["clinic"] == theirs.clinic.slug
    junk = Client().get(reverse("login"), {"clinic": '"><script>'})
    assert junk.context["form"].initial["clinic"] == ""


# Patients of two clinics ----------------------------------------------------------------------


def link_in_last_mail():
    return re.search(r"http://testserver(/portal/activate/\S+/)", mail.outbox[-1].body).group(1)


def test_an_invitation_at_an_address_used_in_another_clinic_is_sent(ours, theirs, login):
    elsewhere = PatientFactory(clinic=theirs.clinic, email=EMAIL)
    login(theirs.frontdesk).post(reverse("patients:patient_invite", args=[elsewhere.pk]))
    here = PatientFactory(clinic=ours.clinic, email=EMAIL.upper())
    desk = login(ours.frontdesk)
    response = desk.post(reverse("patients:patient_invite", args=[here.pk]), follow=True)
    here.refresh_from_db()
    assert here.portal_user is not None and here.portal_user.clinic == ours.clinic
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert len(mail.outbox) == 2 and mail.outbox[-1].to == [EMAIL.upper()]


def test_an_address_of_another_account_in_the_same_clinic_is_still_refused(ours, login):
    UserFactory(clinic=ours.clinic, role=Role.PATIENT, username=EMAIL)
    patient = PatientFactory(clinic=ours.clinic, email=EMAIL)
    response = login(ours.frontdesk).post(
        reverse("patients:patient_invite", args=[patient.pk]), follow=True
    )
    patient.refresh_from_db()
    assert patient.portal_user is None and not mail.outbox
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_a_patient_of_two_clinics_has_two_accounts_each_with_only_its_clinics_records(
    ours, theirs, login
):
    people = []
    for cast, password, given in ((ours, OURS_PASSWORD, "花子"), (theirs, THEIRS_PASSWORD, "華子")):
        patient = PatientFactory(clinic=cast.clinic, email=EMAIL, given_name=given)
        login(cast.frontdesk).post(reverse("patients:patient_invite", args=[patient.pk]))
        assert f"http://testserver/login/?clinic={cast.clinic.slug}" in mail.outbox[-1].body
        activated = Client().post(
            link_in_last_mail(), {"new_password1": password, "new_password2": password}
        )
        assert activated.status_code == 302
        people.append((cast, patient, password))
    pairs = zip(people, people[::-1], strict=True)  # each account, and the other clinic's
    for (cast, patient, password), (other, other_patient, _) in pairs:
        client = Client()
        assert log_in(client, EMAIL, password, clinic=cast.clinic.slug)
        home = client.get(reverse("assessments:portal_home"))
        assert home.context["patient"] == patient
        assert other_patient.full_name not in home.content.decode()
        other_plan = reverse("assessments:portal_plan", args=[other.plan.pk])
        assert client.get(other_plan).status_code == 404
    # each password opens its own clinic's account only
    assert not log_in(Client(), EMAIL, OURS_PASSWORD, clinic=theirs.clinic.slug)


def test_a_password_reset_goes_to_the_account_of_the_clinic_named(ours, theirs):
    accounts = {}
    for cast in (ours, theirs):
        account = UserFactory(clinic=cast.clinic, role=Role.PATIENT, username=EMAIL, email=EMAIL)
        PatientFactory(clinic=cast.clinic, email=EMAIL, portal_user=account)
        accounts[cast.clinic.slug] = account
    reset = reverse("patients:portal_reset")
    nowhere = Client().post(reset, {"clinic": "no-such-clinic", "email": EMAIL})
    assert nowhere.status_code == 200 and not mail.outbox
    sent = Client().post(reset, {"clinic": theirs.clinic.slug, "email": EMAIL})
    assert [t.name for t in sent.templates] == [t.name for t in nowhere.templates]
    assert len(mail.outbox) == 1
    link = link_in_last_mail()
    page = Client().get(link)
    assert page.context["account"] == accounts[theirs.clinic.slug]
    assert f"/login/?clinic={theirs.clinic.slug}" in mail.outbox[-1].body


# The migration --------------------------------------------------------------------------------


def _migrations(executor):
    """This change's migration and the one before it, found by name (the numbers may move)."""
    graph = executor.loader.graph
    this = next(key for key in graph.nodes if key[0] == "clinic" and key[1].endswith("_per_clinic"))
    before = next(n.key for n in graph.node_map[this].parents if n.key[0] == "clinic")
    return [before], [this]


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_the_accounts_that_differ_only_in_case_then_goes_through():
    executor = MigrationExecutor(connection)
    before, after = _migrations(executor)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    clinic = old.get_model("clinic", "Clinic").objects.create(name="旧", slug="old")
    old_users = old.get_model("clinic", "User").objects
    old_users.create(username="Suzuki", clinic=clinic)
    old_users.create(username="suzuki", clinic=clinic)
    old_users.create(username="SUZUKI")  # no clinic: alone of its kind, no clash
    executor.loader.build_graph()
    with pytest.raises(RuntimeError, match=f"clinic {clinic.pk}: suzuki"):
        executor.migrate(after)
    old_users.filter(username="Suzuki").update(username="suzuki-2")
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # and whatever came after it
    assert User.objects.filter(clinic__slug="old").count() == 2
