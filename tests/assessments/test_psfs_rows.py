"""The PSFS activities as rows (issue 12, item 1): the move from JSON (0015), what the database
refuses, the service, and the disclosure export reading the rows in the place the list was."""

import datetime as dt
import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from assessments import disclosure, homecare
from assessments.models import FunctionalActivity, FunctionalScale
from tests.assessments import old_schema

move = importlib.import_module("assessments.migrations.0015_move_psfs_activities_to_rows")
STORED = [{"name": "階段を上る", "score": 3}, {"name": "正座", "score": 0}]


def test_every_activity_moves_in_its_order():
    assert move.split(STORED) == ([("階段を上る", 3), ("正座", 0)], [])


@pytest.mark.parametrize(
    "activity",
    [
        {"name": "", "score": 3},
        {"name": "x" * 81, "score": 3},
        {"name": "走る", "score": 11},
        {"name": "走る", "score": -1},
        {"name": "走る", "score": "4"},
        {"name": "走る", "score": True},
        {"name": "走る", "score": 4, "note": "朝"},
        "走る",
    ],
)
def test_an_activity_that_cannot_be_held_is_kept_as_it_was(activity):
    moved, kept = move.split([*STORED, activity])
    assert moved == [("階段を上る", 3), ("正座", 0)] and kept == [activity]


def test_a_sixth_activity_is_kept_as_recorded():
    six = [{"name": f"動作{i}", "score": i} for i in range(6)]
    moved, kept = move.split(six)
    assert len(moved) == 5 and kept == [six[5]]


BEFORE = [("assessments", "0013_remove_assessment_json_sections")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_activities_and_the_export_lists_them_as_before():
    then = old_schema.back_to(BEFORE)
    scales = then.apps.get_model("assessments", "FunctionalScale").objects
    odd = {"name": "走る", "score": 12}
    kept_whole = scales.create(patient=then.patient, recorded_on="2026-11-01", activities=STORED)
    with_odd = scales.create(
        patient=then.patient, recorded_on="2026-11-15", activities=[*STORED, odd]
    )

    MigrationExecutor(connection).migrate(then.latest)

    scale = FunctionalScale.objects.get(pk=kept_whole.pk)
    assert scale.activities == STORED and scale.average == 1.5
    assert list(scale.activity_rows.values_list("position", "score")) == [(0, 3), (1, 0)]
    assert FunctionalScale.objects.get(pk=with_odd.pk).activities_unmigrated == [odd]
    exported = {e["id"]: e for e in disclosure.build(scale.patient)["functional_scales"]}
    entry = exported[kept_whole.pk]
    assert entry["activities"] == STORED and "activities_unmigrated" not in entry
    assert list(entry).index("activities") == list(entry).index("recorded_on") + 1
    assert exported[with_odd.pk]["activities_unmigrated"] == [odd]

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # and back
    back = executor.loader.project_state([*BEFORE, *then.others]).apps
    again = back.get_model("assessments", "FunctionalScale").objects
    assert again.get(pk=kept_whole.pk).activities == STORED
    assert again.get(pk=with_odd.pk).activities == [*STORED, odd]
    MigrationExecutor(connection).migrate(then.latest)


def test_the_service_writes_rows_in_order(ours):
    scale = homecare.save_functional_scale(
        patient=ours.patient, day=dt.date(2026, 11, 20), activities=STORED
    )
    assert FunctionalScale.objects.get(pk=scale.pk).activities == STORED


@pytest.mark.parametrize(
    "activities",
    [
        [],
        [{"name": "走る", "score": 11}],
        [{"name": "  ", "score": 3}],
        [{"name": "走る", "score": True}],
        [{"name": "x" * 81, "score": 3}],
        [{"name": f"動作{i}", "score": 1} for i in range(6)],
    ],
)
def test_the_service_refuses_a_bad_scale_and_writes_nothing(ours, activities):
    with pytest.raises((ValueError, ValidationError)):  # refused before the database
        homecare.save_functional_scale(
            patient=ours.patient, day=dt.date(2026, 11, 20), activities=activities
        )
    assert not FunctionalScale.objects.filter(patient=ours.patient).exists()
    assert not FunctionalActivity.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"position": 0, "name": "走る", "score": 11},
        {"position": 5, "name": "走る", "score": 3},
        {"position": 0, "name": "", "score": 3},
    ],
)
def test_the_database_refuses_an_activity_out_of_range(ours, values):
    scale = FunctionalScale.objects.create(patient=ours.patient, recorded_on="2026-11-20")
    with pytest.raises(IntegrityError), transaction.atomic():
        FunctionalActivity.objects.create(scale=scale, **values)
