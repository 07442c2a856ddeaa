"""For migration tests: take the database back to an earlier assessments migration and put one
clinic, practitioner and patient in it, written with the models as they were then."""

from dataclasses import dataclass

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@dataclass
class OldSchema:
    executor: MigrationExecutor
    latest: list  # the assessments leaf, to migrate forward to
    others: list  # the other apps' leaves (as they are)
    apps: object  # the historical models
    clinic: object
    user: object
    patient: object


def back_to(before: list[tuple[str, str]]) -> OldSchema:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("assessments")
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "assessments"]
    executor.migrate(before)
    old = executor.loader.project_state([*before, *others]).apps  # the other apps as they are
    clinic = old.get_model("clinic", "Clinic").objects.create(name="旧", slug="old")
    user = old.get_model("clinic", "User").objects.create(username="old-pr", clinic=clinic)
    patient = old.get_model("patients", "Patient").objects.create(
        clinic=clinic,
        number=1,
        family_name="旧",
        given_name="患者",
        family_name_kana="キュウ",
        given_name_kana="カンジャ",
        birth_date="1980-01-01",
    )
    return OldSchema(
        executor=executor,
        latest=latest,
        others=others,
        apps=old,
        clinic=clinic,
        user=user,
        patient=patient,
    )
