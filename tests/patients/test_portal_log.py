"""The patient's daily log and safety check, and the alert it raises at the clinic."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import homecare
from assessments.models import CarePlan, ExerciseLog, SafetyCheck

URL = reverse("assessments:portal_log")


@pytest.fixture
def with_exercise(ours):
    """The cast's published plan, given one home exercise in its snapshot."""
    snapshot = {
        **ours.plan.snapshot,
        "items": [
            *ours.plan.snapshot["items"],
            {
                "kind": "exercise",
                "code": "towel_stretch",
                "name": "タオルストレッチ",
                "label": "タオル",
                "dose": {"hold_seconds": 20, "sets": 2, "times_per_day": 1},
                "side": "both",
                "extra_sets_side": "",
                "steps": [],
                "key_points": [],
                "cautions": [],
                "reason": "",
                "detail": "",
                "illustration": "",
                "purpose": "",
            },
        ],
    }
    CarePlan.objects.filter(pk=ours.plan.pk).update(snapshot=snapshot)
    ours.plan.refresh_from_db()
    return ours.plan


def log(client, day=None, **data):
    """Post the day's log; the safety question is answered "no" unless a test answers it."""
    url = URL if day is None else f"{URL}?day={day.isoformat()}"
    return client.post(url, {"swelling_heat_leg": "no", **data})


def leg_answers(page):
    """(value, checked) of each answer to the swelling question on the page."""
    radios = re.findall(r'<input type="radio"[^>]*name="swelling_heat_leg"[^>]*>', page)
    return [(re.search(r'value="([^"]*)"', r).group(1), " checked" in r) for r in radios]


def test_the_patient_logs_today_once_per_exercise(ours, login, with_exercise):
    client = login(ours.patient_user)
    log(
        client, **{"towel_stretch-done": "on", "towel_stretch-sets": "2", "towel_stretch-pain": "3"}
    )
    log(
        client,
        **{
            "towel_stretch-done": "on",
            "towel_stretch-sets": "3",
            "towel_stretch-pain": "2",
            "towel_stretch-note": "楽になった",
        },
    )
    [entry] = ExerciseLog.objects.filter(patient=ours.patient)
    assert (entry.done, entry.sets, entry.pain, entry.note) == (True, 3, 2, "楽になった")
    assert entry.day == timezone.localdate() and entry.plan == with_exercise


def test_yesterday_can_be_corrected_but_not_the_future_or_older_days(ours, login, with_exercise):
    client = login(ours.patient_user)
    today = timezone.localdate()
    log(client, today - dt.timedelta(days=1), **{"towel_stretch-done": "on"})
    assert ExerciseLog.objects.filter(day=today - dt.timedelta(days=1)).exists()
    for day in (today + dt.timedelta(days=1), today - dt.timedelta(days=2)):
        response = log(client, day, **{"towel_stretch-done": "on"})
        assert response.status_code == 302
        assert not ExerciseLog.objects.filter(day=day).exists()


def test_pain_12_is_refused_beside_the_field_and_nothing_is_saved(ours, login, with_exercise):
    response = log(
        login(ours.patient_user),
        **{"towel_stretch-pain": "12", "towel_stretch-done": "on", "numbness": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["towel_stretch-pain"]
    assert not ExerciseLog.objects.exists()
    assert not SafetyCheck.objects.filter(patient=ours.patient, numbness=True).exists()


def test_a_code_that_is_not_in_the_plan_is_ignored(ours, login, with_exercise):
    log(login(ours.patient_user), **{"someone_elses-done": "on", "towel_stretch-done": "on"})
    assert set(ExerciseLog.objects.values_list("item_code", flat=True)) == {"towel_stretch"}


def test_swelling_with_heat_tells_the_patient_to_stop_and_see_a_doctor_today(
    ours, login, with_exercise
):
    response = login(ours.patient_user).post(URL, {"swelling_heat_leg": "left"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("左" in m and "当日" in m for m in messages), messages
    check = SafetyCheck.objects.get(patient=ours.patient, day=timezone.localdate())
    assert check.swelling_heat_leg == "left" and check.seen_at is None


def test_a_yes_puts_the_patient_on_the_clinic_homes_until_someone_has_seen_it(
    ours, login, with_exercise
):
    SafetyCheck.objects.filter(patient=ours.patient).delete()
    log(login(ours.patient_user), swelling_heat_leg="right")
    desk = login(ours.frontdesk).get(reverse("assessments:frontdesk_home"))
    practitioner = login(ours.practitioner).get(reverse("assessments:practitioner_home"))
    [alert] = desk.context["alerts"]
    assert alert.patient == ours.patient
    assert [a.pk for a in practitioner.context["alerts"]] == [alert.pk]
    login(ours.frontdesk).post(reverse("assessments:safety_seen", args=[alert.pk]))
    assert not login(ours.frontdesk).get(reverse("assessments:frontdesk_home")).context["alerts"]


def test_no_alert_when_every_answer_is_no(ours, login, with_exercise):
    SafetyCheck.objects.filter(patient=ours.patient).delete()
    log(login(ours.patient_user), **{"towel_stretch-done": "on", "swelling_heat_leg": "no"})
    check = SafetyCheck.objects.get(patient=ours.patient, day=timezone.localdate())
    assert check.swelling_heat_leg == "" and not check.raised  # "no" is stored as before
    assert not login(ours.frontdesk).get(reverse("assessments:frontdesk_home")).context["alerts"]


def test_a_new_days_log_has_no_answer_checked(ours, login, with_exercise):
    SafetyCheck.objects.filter(patient=ours.patient).delete()
    page = login(ours.patient_user).get(URL).content.decode()
    assert leg_answers(page) == [
        ("no", False),
        ("left", False),
        ("right", False),
        ("both", False),
    ]
    assert "いいえ" in page and "はい（両脚）" in page


def test_an_unanswered_safety_question_is_asked_again_and_nothing_is_saved(
    ours, login, with_exercise
):
    SafetyCheck.objects.filter(patient=ours.patient).delete()
    response = login(ours.patient_user).post(
        URL, {"towel_stretch-done": "on", "towel_stretch-pain": "3", "numbness": "on"}
    )
    assert response.status_code == 200
    message = "この質問にお答えください。変わりがなければ「いいえ」を選んでください。"
    assert response.context["form"].errors["swelling_heat_leg"] == [message]
    page = response.content.decode()
    [question] = re.findall(r'<div id="div_id_swelling_heat_leg".*?</fieldset>', page, flags=re.S)
    assert message in question
    assert not ExerciseLog.objects.exists()
    assert not SafetyCheck.objects.filter(patient=ours.patient).exists()
    assert re.search(r'name="towel_stretch-pain"[^>]*value="3"', page)  # what was typed is kept


@pytest.mark.parametrize("stored, shown", [("", "no"), ("right", "right"), ("both", "both")])
def test_a_stored_day_shows_its_stored_answer(ours, login, with_exercise, stored, shown):
    SafetyCheck.objects.filter(patient=ours.patient).update(swelling_heat_leg=stored)
    page = login(ours.patient_user).get(URL).content.decode()
    assert [value for value, checked in leg_answers(page) if checked] == [shown]


def test_swelling_in_both_legs_tells_the_patient_to_stop_both_and_alerts_the_clinic(
    ours, login, with_exercise
):
    SafetyCheck.objects.filter(patient=ours.patient).delete()
    response = login(ours.patient_user).post(URL, {"swelling_heat_leg": "both"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("両脚" in m and "当日" in m for m in messages), messages
    assert not any("右脚" in m for m in messages)
    check = SafetyCheck.objects.get(patient=ours.patient, day=timezone.localdate())
    assert check.swelling_heat_leg == "both"
    assert list(homecare.open_alerts(ours.clinic.pk)) == [check]
    desk = login(ours.frontdesk).get(reverse("assessments:frontdesk_home")).content.decode()
    assert "両脚の新しい腫れ・熱っぽさ（当日中）" in desk and "右脚の新しい" not in desk


def test_an_answer_that_is_not_offered_is_refused(ours, login, with_exercise):
    response = log(login(ours.patient_user), swelling_heat_leg="maybe")
    assert response.status_code == 200
    assert response.context["form"].errors["swelling_heat_leg"]


def test_another_clinics_staff_never_see_our_alerts(ours, theirs, login):
    page = login(theirs.frontdesk).get(reverse("assessments:frontdesk_home"))
    assert ours.safety not in page.context["alerts"]
    response = login(theirs.frontdesk).post(
        reverse("assessments:safety_seen", args=[ours.safety.pk])
    )
    assert response.status_code == 404
