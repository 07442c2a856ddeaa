import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import outcomes
from assessments.models import Assessment, RedFlag
from clinic.models import Clinic, User
from devtools.management.commands.load_demo import DEMO_PASSWORD
from patients.models import Appointment, Consent, Patient
from tests.factories import log_in


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
        ("demo-practitioner", "assessments:practitioner_home"),
        ("demo-frontdesk", "assessments:frontdesk_home"),
        ("demo-patient", "assessments:portal_home"),
    ],
)
def test_each_demo_user_logs_in_and_lands_on_their_home(username, home):
    call_command("load_demo")
    client = Client()
    response = client.post(
        reverse("login"),
        {"clinic": "demo", "username": username, "password": DEMO_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(home)
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_demo_patient_sees_their_visits(client):
    call_command("load_demo")
    assert log_in(client, "demo-patient", DEMO_PASSWORD)
    page = client.get(reverse("assessments:portal_home"))
    assert page.context["patient"].full_name == "山田 太郎"


@pytest.mark.django_db
def test_the_demo_clinic_has_signed_assessments_one_with_an_acknowledged_red_flag():
    call_command("load_demo")
    call_command("load_demo")
    signed = Assessment.objects.filter(status="signed")
    # the two worked cases, the worked patient's reassessment, three follow-ups of two each
    assert signed.count() == 2 + 1 + 3 * 2
    flagged = RedFlag.objects.get(code="suspected_dvt", is_current=True)
    assert flagged.acknowledged_at is not None and flagged.urgency == "same_day"
    knee = signed.filter(patient__portal_user__username="demo-patient").earliest("signed_at")
    # three weeks of pain: a routine referral, and nothing withheld (he keeps his stretches)
    assert [(f.code, f.urgency) for f in knee.flags.all()] == [("persistent_pain", "routine")]
    plan = knee.care_plans.get(status="published")
    given = {item["code"]: item["side"] for item in plan.snapshot["items"]}
    assert given["towel_hamstring_stretch"] == "both" and not plan.snapshot["withheld"]
    sato = signed.filter(care_plans__status="published").exclude(pk=knee.pk).get()
    sato = sato.care_plans.get(status="published")
    on_the_left = [
        item["code"]
        for item in sato.snapshot["items"]
        if item["side"] in ("left", "both") and item["kind"] in ("exercise", "clinic")
    ]
    assert on_the_left == []  # the swollen, warm left leg gets nothing
    assert any(
        a["code"] == "slr" and a["flagged"] and a["worse_side"] == "right"
        for a in knee.screening["asymmetries"]
    )


@pytest.mark.django_db
def test_the_demo_clinic_has_outcomes_to_show():
    """Four patients assessed twice: the outcomes page has pain, differences and PSFS to show."""
    call_command("load_demo")
    clinic = Clinic.objects.get(slug="demo")
    today = timezone.localdate()
    period = outcomes.Period(clinic_id=clinic.pk, start=today - dt.timedelta(days=365), end=today)
    numbers = outcomes.summary(period, today=today)
    assert numbers["followed"] == 4
    knee = next(group for group in numbers["groups"] if group["region"] == "knee_back")
    assert knee["pain_latest_avg"] < knee["pain_first_avg"] and knee["with_psfs"] == 1
    slr = next(row for row in numbers["measures"] if row["measure"].code == "slr")
    assert slr["latest"] < slr["first"]


@pytest.mark.django_db
def test_load_demo_refuses_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert Patient.objects.count() == 0


@pytest.mark.django_db
def test_the_demo_clinic_has_menus_hours_a_holiday_and_shifts_and_its_visits_fit_them():
    from patients import hours, working_hours
    from patients.models import AssessmentNeed, Closure, DayOff, Menu, OpeningHours, Shift

    call_command("load_demo")
    call_command("load_demo")
    clinic = Clinic.objects.get(slug="demo")
    menus = Menu.objects.filter(clinic=clinic, is_active=True)
    assert menus.filter(minutes=45).exists()
    assert menus.filter(assessment=AssessmentNeed.INITIAL).exists()
    assert OpeningHours.objects.filter(clinic=clinic).count() == 7
    today = timezone.localdate()
    holidays = Closure.objects.filter(clinic=clinic, day__gt=today)
    assert holidays.count() == 1 and holidays.get().day <= today + dt.timedelta(days=21)
    practitioners = User.objects.filter(clinic=clinic, role="practitioner")
    for practitioner in practitioners:
        assert Shift.objects.filter(practitioner=practitioner).exists()
        assert DayOff.objects.filter(practitioner=practitioner, day__gt=today).count() == 1
    visits = Appointment.objects.filter(clinic=clinic).select_related("practitioner")
    assert visits.count() > 30 and all(v.menu and v.menu.minutes == 45 for v in visits)
    for visit in visits:
        day = timezone.localtime(visit.start).date()
        found = hours.refusal(
            start=timezone.localtime(visit.start).replace(tzinfo=None),
            end=timezone.localtime(visit.end).replace(tzinfo=None),
            clinic=working_hours.clinic_hours(clinic.pk, first=day, last=day),
            practitioner=working_hours.practitioners_hours(
                [visit.practitioner_id], first=day, last=day
            )[visit.practitioner_id],
        )
        assert found is None, (visit, found)


@pytest.mark.django_db
def test_the_demo_patient_has_a_week_of_visits_with_signed_records():
    from assessments.models import VisitRecord

    call_command("load_demo")
    call_command("load_demo")  # idempotent: nothing twice
    yamada = Patient.objects.get(clinic__slug="demo", family_name="山田", given_name="太郎")
    records = VisitRecord.objects.filter(patient=yamada)
    assert records.count() == 4
    assert all(record.is_signed and record.items.count() == 2 for record in records)
    days = {timezone.localtime(record.appointment.start).date() for record in records}
    assert len(days) == 4  # four days of the last week the clinic was open
    assert dt.timedelta(days=5) <= max(days) - min(days) <= dt.timedelta(days=6)
    assert max(days) < timezone.localdate()


@pytest.mark.django_db
def test_the_demo_clinic_has_a_till_with_a_closed_day_a_ticket_and_a_refund():
    from patients.models import DayClose, Payment, Refund, Ticket

    call_command("load_demo")
    clinic = Clinic.objects.get(slug="demo")
    assert set(Payment.objects.filter(clinic=clinic).values_list("method", flat=True)) >= {
        "cash",
        "card",
        "qr",
        "ticket",
    }
    ticket = Ticket.objects.get(clinic=clinic)
    assert ticket.visits_left == ticket.visits - 1
    assert Refund.objects.filter(clinic=clinic).count() == 1
    close = DayClose.objects.get(clinic=clinic)
    assert close.difference == -100 and close.note and close.day < timezone.localdate()
