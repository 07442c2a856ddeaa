"""The clinic's outcomes page (issue 12, item 7): first vs latest signed assessment per patient,
computed by the database from the typed record, filtered, exported, and in a fixed number of
queries whatever the number of patients."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import homecare, outcomes
from assessments.models import Assessment, ExerciseLog, FunctionalScale
from clinic.models import AuditEntry, Role
from devtools.records import record
from tests.factories import PatientFactory, UserFactory

TODAY = timezone.localdate()


def signed(
    patient,
    practitioner,
    *,
    days_ago,
    region="knee_back",
    side="right",
    pain=None,
    measurements=None,
):
    sections = {"complaint": {"region": region, "side": side, "pain": pain}, "red_flags": {}}
    if measurements:
        sections["measurements"] = measurements
    assessment = record(
        patient=patient, practitioner=practitioner, sections=sections, today=TODAY, sign_it=True
    )
    when = timezone.now() - dt.timedelta(days=days_ago)
    Assessment.objects.filter(pk=assessment.pk).update(signed_at=when)  # as if signed then
    return assessment


@pytest.fixture
def doctor(ours):
    """A practitioner of our clinic whose patients are only the ones made here."""
    return UserFactory(clinic=ours.clinic, role=Role.PRACTITIONER, username="outcomes-pr")


def period(ours, doctor, **options):
    return outcomes.Period(
        clinic_id=ours.clinic.pk,
        start=TODAY - dt.timedelta(days=365),
        end=TODAY,
        practitioner_id=doctor.pk,
        **options,
    )


def test_pain_and_differences_first_vs_latest_per_region_and_side(ours, doctor):
    better, worse, once = (PatientFactory(clinic=ours.clinic) for _ in range(3))
    signed(better, doctor, days_ago=60, pain=7, measurements={"slr": {"left": "75", "right": "55"}})
    signed(better, doctor, days_ago=30, pain=4)  # between: not the latest
    signed(better, doctor, days_ago=2, pain=3, measurements={"slr": {"left": "75", "right": "70"}})
    signed(worse, doctor, days_ago=40, pain=3, measurements={"slr": {"left": "60", "right": "70"}})
    signed(worse, doctor, days_ago=5, pain=6, measurements={"slr": {"left": "60", "right": "72"}})
    signed(once, doctor, days_ago=10, pain=5, region="calf", side="left")

    numbers = outcomes.summary(period(ours, doctor), today=TODAY)

    assert (numbers["patients"], numbers["followed"]) == (3, 2)
    knee, calf = numbers["groups"][1], numbers["groups"][0]
    assert (calf["region"], calf["side"], calf["patients"], calf["with_pain"]) == (
        "calf",
        "left",
        1,
        0,
    )
    assert (knee["region"], knee["side"], knee["patients"], knee["followed"]) == (
        "knee_back",
        "right",
        2,
        2,
    )
    assert knee["pain_first_avg"] == pytest.approx(5.0)  # (7 + 3) / 2
    assert knee["pain_latest_avg"] == pytest.approx(4.5)  # (3 + 6) / 2
    assert (knee["pain_better"], knee["pain_worse"]) == (1, 1)
    slr = next(row for row in numbers["measures"] if row["measure"].code == "slr")
    assert slr["patients"] == 2
    assert slr["first"] == pytest.approx(15.0)  # (20 + 10) / 2
    assert slr["latest"] == pytest.approx(8.5)  # (5 + 12) / 2


def test_a_pain_change_of_one_point_is_neither_better_nor_worse(ours, doctor):
    patient = PatientFactory(clinic=ours.clinic)
    signed(patient, doctor, days_ago=20, pain=5)
    signed(patient, doctor, days_ago=1, pain=4)
    group = outcomes.summary(period(ours, doctor), today=TODAY)["groups"][0]
    assert (group["pain_better"], group["pain_worse"], group["with_pain"]) == (0, 0, 1)


def test_weight_on_each_foot_is_compared_as_shares_whatever_the_unit(ours, doctor):
    patient = PatientFactory(clinic=ours.clinic)
    kg = {"weight_bearing": {"left": "36", "right": "24", "unit": "kg"}}  # 60 % / 40 %
    percent = {"weight_bearing": {"left": "52", "right": "48", "unit": "%"}}
    signed(patient, doctor, days_ago=20, pain=5, measurements=kg)
    signed(patient, doctor, days_ago=1, pain=4, measurements=percent)
    row = outcomes.summary(period(ours, doctor), today=TODAY)["measures"][0]
    assert row["measure"].code == "weight_bearing"
    assert (row["first"], row["latest"]) == (pytest.approx(20.0), pytest.approx(4.0))


def test_adherence_and_psfs_change(ours, doctor):
    patient = PatientFactory(clinic=ours.clinic)
    signed(patient, doctor, days_ago=20, pain=5)
    signed(patient, doctor, days_ago=1, pain=4)
    # Two items on one day count as one day; 28 and 40 days ago are outside the window.
    for n, days_ago in enumerate((0, 1, 1, 5, 27, 28, 40)):
        ExerciseLog.objects.create(
            patient=patient,
            plan=ours.plan,
            item_code=f"item{n}",
            day=TODAY - dt.timedelta(days=days_ago),
            done=True,
        )
    ExerciseLog.objects.create(
        patient=patient, plan=ours.plan, item_code="x", day=TODAY - dt.timedelta(days=3), done=False
    )
    for days_ago, scores in ((30, (2, 4)), (10, (5, 5)), (2, (6, 8))):
        homecare.save_functional_scale(
            patient=patient,
            day=TODAY - dt.timedelta(days=days_ago),
            activities=[{"name": f"動作{i}", "score": s} for i, s in enumerate(scores)],
        )
    group = outcomes.summary(period(ours, doctor), today=TODAY)["groups"][0]
    assert group["done_days_avg"] == pytest.approx(4.0)  # today, 1, 5 and 27 days ago
    assert (group["psfs_first_avg"], group["psfs_latest_avg"]) == (3.0, 7.0)
    assert group["with_psfs"] == 1


def test_one_psfs_only_is_no_change(ours, doctor):
    patient = PatientFactory(clinic=ours.clinic)
    signed(patient, doctor, days_ago=20, pain=5)
    homecare.save_functional_scale(
        patient=patient, day=TODAY, activities=[{"name": "階段", "score": 4}]
    )
    group = outcomes.summary(period(ours, doctor), today=TODAY)["groups"][0]
    assert group["with_psfs"] == 0 and group["psfs_first_avg"] is None


def test_the_filters_period_practitioner_region_and_clinic(ours, theirs, doctor):
    patient, old, calf = (PatientFactory(clinic=ours.clinic) for _ in range(3))
    signed(patient, doctor, days_ago=10, pain=5)
    signed(old, doctor, days_ago=400, pain=5)  # before the period
    signed(calf, doctor, days_ago=3, pain=5, region="calf", side="left")
    signed(PatientFactory(clinic=ours.clinic), ours.practitioner, days_ago=3, pain=9)
    signed(PatientFactory(clinic=theirs.clinic), theirs.practitioner, days_ago=3, pain=9)

    assert outcomes.summary(period(ours, doctor), today=TODAY)["patients"] == 2
    assert outcomes.summary(period(ours, doctor, region="calf"), today=TODAY)["patients"] == 1
    everyone = outcomes.Period(
        clinic_id=ours.clinic.pk, start=TODAY - dt.timedelta(days=30), end=TODAY
    )
    found = set(outcomes.patient_ids(everyone, today=TODAY))
    assert found and found <= set(ours.clinic.patients.values_list("pk", flat=True))
    assert len(found) == outcomes.summary(everyone, today=TODAY)["patients"]
    # the latest of a patient assessed before and in the period is the one in the period
    signed(old, doctor, days_ago=1, pain=2)
    assert outcomes.summary(period(ours, doctor), today=TODAY)["followed"] == 0


def _page(client, **query):
    return client.get(reverse("assessments:outcomes"), query)


@pytest.mark.parametrize("patients", [1, 4])
def test_the_page_runs_the_same_queries_whatever_the_number_of_patients(
    ours, login, doctor, django_assert_num_queries, patients
):
    for _ in range(patients):
        patient = PatientFactory(clinic=ours.clinic)
        signed(
            patient,
            doctor,
            days_ago=20,
            pain=6,
            measurements={"slr": {"left": "70", "right": "60"}},
        )
        signed(
            patient, doctor, days_ago=2, pain=3, measurements={"slr": {"left": "70", "right": "66"}}
        )
    client = login(ours.practitioner)
    _page(client)  # warm (content types, translations)
    # session, user, second factor, the chosen practitioner (the filter's check), the groups, the
    # totals, the practitioners (the filter's choices)
    with django_assert_num_queries(6):
        response = _page(
            client, practitioner=doctor.pk, start=str(TODAY - dt.timedelta(days=90)), end=str(TODAY)
        )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="pain-chart"' in html and 'id="measure-chart"' in html
    assert response.context["numbers"]["patients"] == patients


def test_bad_filters_are_shown_next_to_the_fields_and_nothing_is_computed(ours, login):
    client = login(ours.admin)
    response = _page(client, start="2026-11-30", end="2026-11-01", practitioner="999999")
    assert response.status_code == 200 and response.context["numbers"] is None
    form = response.context["form"]
    assert "end" in form.errors and "practitioner" in form.errors
    assert 'value="2026-11-30"' in response.content.decode()  # what was typed is kept
    response = _page(client, start="not a date", end="2026-11-01")
    assert response.status_code == 200 and "start" in response.context["form"].errors
    response = _page(client, start="2020-01-01", end="2026-11-01")
    assert "end" in response.context["form"].errors  # more than five years


def test_another_clinics_practitioner_is_not_a_choice(ours, theirs, login):
    response = _page(
        login(ours.admin), practitioner=theirs.practitioner.pk, start="2026-01-01", end="2026-11-01"
    )
    assert "practitioner" in response.context["form"].errors


def test_the_csv_has_one_row_per_patient_and_is_in_the_trail(ours, login, doctor):
    patient = PatientFactory(clinic=ours.clinic)
    signed(
        patient, doctor, days_ago=20, pain=6, measurements={"slr": {"left": "70", "right": "60"}}
    )
    signed(patient, doctor, days_ago=2, pain=3)
    client = login(ours.admin)
    before = AuditEntry.objects.count()
    query = {
        "practitioner": doctor.pk,
        "start": str(TODAY - dt.timedelta(days=90)),
        "end": str(TODAY),
    }
    response = client.get(reverse("assessments:outcomes_csv"), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    header, row = rows
    assert row[0] == str(patient.number) and row[4:6] == ["6", "3"]
    slr_first = outcomes.CSV_FIELDS.index("first_slr")
    assert len(header) == len(outcomes.CSV_FIELDS)
    assert row[slr_first] == "10.0"
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.additional_data["what"].startswith("outcomes.csv?")


def test_a_bad_csv_request_goes_back_to_the_page_with_its_errors(ours, login):
    response = login(ours.admin).get(
        reverse("assessments:outcomes_csv"), {"start": "x", "end": "2026-11-01"}
    )
    assert response.status_code == 302 and "/outcomes/?" in response["Location"]


def test_front_desk_and_patients_do_not_see_outcomes(ours, login):
    for user in (ours.frontdesk, ours.patient_user):
        assert _page(login(user)).status_code == 403
        assert login(user).get(reverse("assessments:outcomes_csv")).status_code == 403


def test_no_scale_no_logs_reads_zero_days_and_no_psfs(ours, doctor):
    patient = PatientFactory(clinic=ours.clinic)
    signed(patient, doctor, days_ago=3, pain=None)
    group = outcomes.summary(period(ours, doctor), today=TODAY)["groups"][0]
    assert group["done_days_avg"] == 0 and group["with_pain"] == 0
    assert not FunctionalScale.objects.filter(patient=patient).exists()
