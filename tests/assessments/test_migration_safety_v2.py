"""Migration 0006 moves old records to the one history and the hazard codes, losing no answer.

The pure mapping is tested on old JSON directly; then the real migration runs on a database
holding rows written the old way (migrated back to 0004, rows made with the models of that
time, migrated forward again) and the rows are read back.
"""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments.models import Assessment
from tests.assessments import old_schema

migration = importlib.import_module("assessments.migrations.0006_one_history_and_hazards")
one_history = migration.one_history

OLD_EVERYTHING = {
    "leg_swelling": "left",
    "night_pain": True,
    "cancer_history": True,
    "recent_surgery_or_immobilisation": True,
    "previous_dvt": False,
    "wells_active_cancer": True,
    "wells_paralysis_or_cast": False,
    "wells_bedridden_or_surgery": True,
    "wells_deep_vein_tenderness": True,
    "wells_previous_dvt": True,
    "wells_alternative_as_likely": False,
}


def test_every_old_answer_lands_in_the_one_history():
    moved = one_history(OLD_EVERYTHING)
    assert moved == {
        "leg_swelling": "left",
        "night_pain": True,
        "cancer": "active",
        "paralysis_or_cast": False,
        "bedridden_or_surgery": True,
        "previous_dvt": True,
        "wells_deep_vein_tenderness": True,
        "wells_alternative_as_likely": False,
    }


@pytest.mark.parametrize(
    "old, new",
    [
        ({"cancer_history": True}, {"cancer": "unknown"}),
        ({"wells_active_cancer": True}, {"cancer": "active"}),
        ({"cancer_history": True, "wells_active_cancer": True}, {"cancer": "active"}),
        ({"cancer_history": False}, {"cancer": ""}),
        ({"recent_surgery_or_immobilisation": True}, {"bedridden_or_surgery": True}),
        (
            {"recent_surgery_or_immobilisation": True, "wells_paralysis_or_cast": True},
            {"paralysis_or_cast": True, "bedridden_or_surgery": False},
        ),
        ({"wells_previous_dvt": True}, {"previous_dvt": True}),
        ({"previous_dvt": True, "wells_previous_dvt": False}, {"previous_dvt": True}),
        ({"cancer_history": "true"}, {"cancer": "unknown"}),  # ticks once stored as text
    ],
)
def test_each_old_history_answer_keeps_its_meaning(old, new):
    moved = one_history(old)
    for key, value in new.items():
        assert moved[key] == value, key
    assert not set(moved) & set(migration.OLD_HISTORY_KEYS)


def test_a_section_already_in_the_new_shape_is_left_as_it_is():
    current = {"cancer": "past", "bedridden_or_surgery": True, "fever": True}
    assert one_history(current) is current


EVERY_LEG_TAG = migration.EVERY_LEG_TAG


def test_an_exercise_the_old_codes_held_for_a_leg_hazard_takes_every_leg_tag():
    """The old "awaiting clearance" held it for any red flag: nothing is now given more freely."""
    assert migration.care_tags_for("clinic_stretch", ["suspected_dvt", "awaiting_clearance"]) == (
        EVERY_LEG_TAG
    )
    assert migration.care_tags_for("clinic_rub", ["acute_hot_swelling"]) == EVERY_LEG_TAG


def test_an_exercise_with_only_lump_or_inflammation_codes_takes_those_tags():
    assert migration.care_tags_for("my_massage", ["popliteal_mass", "acute_inflammation"]) == [
        "massage",
        "knee_back_pressure",
        "deep_work",
        "knee_back_stretch",
        "heat",
    ]
    assert migration.care_tags_for("breathing", []) == []


def test_a_shipped_exercise_takes_the_shipped_tags_unless_the_clinic_changed_its_codes():
    shipped = sorted(migration.SHIPPED_CODES["towel_hamstring_stretch"])
    assert migration.care_tags_for("towel_hamstring_stretch", shipped) == [
        "stretch",
        "knee_back_stretch",
    ]
    widened = migration.care_tags_for("morning_posture_breathing", ["awaiting_clearance"])
    assert widened == EVERY_LEG_TAG  # the clinic had made breathing wait: it still waits


def test_old_lifted_and_overridden_codes_become_hazard_codes():
    assert migration.hazard_codes(["suspected_dvt", "awaiting_clearance", "popliteal_mass"]) == [
        "suspected_dvt",
        "leg_swelling",
        "popliteal_lump",
        "pulsating_mass",
    ]


BEFORE = [("assessments", "0004_psfs")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_reads_old_rows_and_keeps_every_answer():
    then = old_schema.back_to(BEFORE)
    old, latest, others = then.apps, then.latest, then.others
    clinic, user, patient = then.clinic, then.user, then.patient
    assessment = old.get_model("assessments", "Assessment").objects.create(
        clinic=clinic,
        patient=patient,
        practitioner=user,
        status="signed",
        red_flags=OLD_EVERYTHING,
        signed_at=timezone.now(),
    )
    old.get_model("assessments", "Amendment").objects.create(
        assessment=assessment,
        section="red_flags",
        before={"cancer_history": True},
        after={"cancer_history": True, "wells_active_cancer": True},
        reason="聞き漏れ",
        made_by=user,
    )
    exercise = old.get_model("assessments", "Exercise").objects.create(
        clinic=clinic,
        code="my_massage",
        name_ja="自院のマッサージ",
        name_en="Our massage",
        purpose="x",
        steps="x",
        contraindications=["popliteal_mass", "awaiting_clearance"],
    )
    plan_model = old.get_model("assessments", "CarePlan")
    set_aside = plan_model.objects.create(
        clinic=clinic,
        patient=patient,
        assessment=assessment,
        version=1,
        status="superseded",
        created_by=user,
        lifted=["awaiting_clearance", "suspected_dvt"],
    )
    given = plan_model.objects.create(
        clinic=clinic,
        patient=patient,
        assessment=assessment,
        version=2,
        status="published",
        published_at=timezone.now(),
        created_by=user,
    )
    open_draft = plan_model.objects.create(
        clinic=clinic, patient=patient, assessment=assessment, version=3, created_by=user
    )
    item = old.get_model("assessments", "PlanItem").objects.create(
        plan=given, kind="exercise", code="my_massage", label="x", overridden=["acute_hot_swelling"]
    )

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new = executor.loader.project_state([*latest, *others]).apps
    answers = Assessment.objects.get(pk=assessment.pk).section("red_flags")  # typed since 0012
    assessment = new.get_model("assessments", "Assessment").objects.get(pk=assessment.pk)
    expected = one_history(OLD_EVERYTHING)
    assert {key: answers[key] for key in expected} == expected
    assert not any(answers[key] for key in set(answers) - set(expected))  # the rest unanswered
    amendment = new.get_model("assessments", "Amendment").objects.get(assessment=assessment)
    assert (amendment.before["cancer"], amendment.after["cancer"]) == ("unknown", "active")
    exercise = new.get_model("assessments", "Exercise").objects.get(pk=exercise.pk)
    assert exercise.care_tags == EVERY_LEG_TAG
    plans = new.get_model("assessments", "CarePlan").objects
    set_aside = plans.get(pk=set_aside.pk)
    assert (set_aside.status, set_aside.lifted) == ("set_aside", ["suspected_dvt", "leg_swelling"])
    assert plans.get(pk=given.pk).status == "published"
    assert plans.get(pk=open_draft.pk).status == "set_aside"  # proposed again under new rules
    item = new.get_model("assessments", "PlanItem").objects.get(pk=item.pk)
    assert item.overridden == ["hot_swollen_leg"]
