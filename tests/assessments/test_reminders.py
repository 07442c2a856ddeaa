import datetime as dt

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import ExerciseLog, SafetyCheck

TODAY = timezone.localdate()


def quiet(cast):
    """The cast patient has a published plan and a portal account; clear what they logged."""
    SafetyCheck.objects.filter(patient=cast.patient).delete()
    ExerciseLog.objects.filter(patient=cast.patient).delete()
    cast.patient.email = "yamada@example.jp"
    cast.patient.save()


def test_a_silent_patient_gets_one_reminder_a_day(ours):
    quiet(ours)
    call_command("send_reminders")
    call_command("send_reminders")
    assert [m.to for m in mail.outbox] == [["yamada@example.jp"]]
    ours.patient.refresh_from_db()
    assert ours.patient.last_reminded_on == TODAY


def test_a_log_within_three_days_means_no_reminder(ours):
    quiet(ours)
    ExerciseLog.objects.create(
        patient=ours.patient,
        plan=ours.plan,
        item_code="x",
        day=TODAY - dt.timedelta(days=2),
        done=True,
    )
    call_command("send_reminders")
    assert not mail.outbox


def test_a_log_four_days_ago_is_not_enough(ours):
    quiet(ours)
    ExerciseLog.objects.create(
        patient=ours.patient,
        plan=ours.plan,
        item_code="x",
        day=TODAY - dt.timedelta(days=3),
        done=True,
    )
    call_command("send_reminders")
    assert len(mail.outbox) == 1


def test_a_patient_who_opted_out_gets_nothing(ours, login):
    quiet(ours)
    login(ours.patient_user).post(reverse("assessments:portal_reminders"), {})
    ours.patient.refresh_from_db()
    assert ours.patient.reminders_opt_out
    call_command("send_reminders")
    assert not mail.outbox
    login(ours.patient_user).post(reverse("assessments:portal_reminders"), {"reminders": "on"})
    call_command("send_reminders")
    assert len(mail.outbox) == 1


def test_a_deactivated_portal_account_gets_nothing(ours):
    quiet(ours)
    ours.patient_user.is_active = False
    ours.patient_user.save()
    call_command("send_reminders")
    assert not mail.outbox
