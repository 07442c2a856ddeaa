import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from clinic.management.commands.load_demo import DEMO_PASSWORD
from clinic.models import User
from patients.models import Appointment, Consent, Patient


def _counts():
    return (
        User.objects.count(),
        Patient.objects.count(),
        Consent.objects.count(),
        Appointment.objects.count(),
    )


@pytest.mark.django_db
def test_load_demo_twice_adds_nothing_twice():
    call_command("load_demo", stdout=None)
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert first[1] == 30 and first[3] > 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username, home",
    [
        ("demo-admin", "staff_list"),
        ("demo-practitioner", "patients:practitioner_home"),
        ("demo-frontdesk", "patients:frontdesk_home"),
        ("demo-patient", "patients:portal_home"),
    ],
)
def test_each_demo_user_logs_in_and_lands_on_their_home(username, home):
    call_command("load_demo")
    client = Client()
    response = client.post(
        reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_demo_patient_sees_their_visits(client):
    call_command("load_demo")
    client.login(username="demo-patient", password=DEMO_PASSWORD)
    page = client.get(reverse("patients:portal_home"))
    assert page.context["patient"].full_name == "山田 太郎"


@pytest.mark.django_db
def test_load_demo_refuses_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert Patient.objects.count() == 0
