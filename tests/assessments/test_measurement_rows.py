"""The bilateral measurements as typed rows (issue 12, item 1): the move from JSON (0009), the
ranges the database holds, numeric filters, and the writes through the services.

The migration is run for real: back to 0007, an assessment written the old way (JSON, with a
kg weight-bearing pair, a body weight and a value that cannot be moved), forward again. What the
assessment says is compared before and after through the pure readers that the pages and the
disclosure PDF use (`summary.stored_lines`, `summary.changes`) and through the disclosure export
itself after the move (before it, the export's code no longer matches the old schema).
"""

import importlib
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from assessments import disclosure, services, summary
from assessments.forms import MeasurementsForm
from assessments.models import Amendment, Assessment, Measurement
from assessments.rules.measures import MEASURE_BY_CODE
from clinic.models import AuditEntry
from devtools import records
from tests.assessments import old_schema
from tests.factories import PatientFactory

move = importlib.import_module("assessments.migrations.0009_move_measurements_to_rows")

OLD_SECTION = {
    "slr": {"left": "75", "right": "55"},
    "knee_to_wall": {"left": "10", "right": "6.5"},
    "calf_circumference": {"left": "41", "right": "37.5"},
    "weight_bearing": {"left": "30", "right": "32.5", "unit": "kg"},
    "body_weight_kg": "62",
}


# --- the move itself, on old JSON -------------------------------------------------------------


def test_every_value_of_an_old_section_becomes_a_row_and_the_body_weight_a_column():
    rows, body_weight, unmigrated = move.split(OLD_SECTION)
    assert ("calf_circumference", "left", D("41.0"), "cm") in rows
    assert ("weight_bearing", "right", D("32.5"), "kg") in rows
    assert len(rows) == 8 and body_weight == D("62.0") and unmigrated == {}
    assert move.joined(rows, body_weight, unmigrated) == OLD_SECTION  # and back, unchanged


def test_a_weight_bearing_pair_stored_before_units_is_in_percent():
    rows, _body, _kept = move.split({"weight_bearing": {"left": "48", "right": "52"}})
    assert {unit for *_rest, unit in rows} == {"%"}


@pytest.mark.parametrize(
    "code, stored",
    [
        ("slr", {"left": "abc", "right": "55"}),  # not a number
        ("calf_circumference", {"left": "80", "right": "37.5"}),  # beyond the measure's range
        ("calf_circumference", {"left": "14.9", "right": "37.5"}),  # below it
        ("knee_to_wall", {"left": "10.25", "right": "6.5"}),  # a decimal the column cannot hold
        ("weight_bearing", {"left": "70", "right": "30", "unit": "lb"}),  # an unknown unit
        ("weight_bearing", {"left": "130", "right": "20", "unit": "%"}),  # 130 % on one foot
        ("slr", {"left": "75", "right": "55", "unit": "cm"}),  # not the measure's unit
        ("slr", {"left": "75", "right": "55", "note": "tight"}),  # a key the section never had
        ("grip_strength", {"left": "30", "right": "28"}),  # a measure the rules do not know
        ("slr", "75/55"),  # not a pair
        ("slr", {"left": True, "right": "55"}),
        ("slr", {"left": "1E+30", "right": "55"}),
        ("slr", {"left": "NaN", "right": "55"}),
        ("body_weight_kg", "620"),
        ("body_weight_kg", "sixty"),
    ],
)
def test_a_value_that_cannot_be_moved_is_kept_as_it_was_with_its_pair(code, stored):
    rows, body_weight, unmigrated = move.split({code: stored, "leg_length": {"left": "88"}})
    assert unmigrated == {code: stored}
    assert rows == [("leg_length", "left", D("88.0"), "cm")]  # the rest still moves
    assert body_weight is None


def test_a_value_with_a_trailing_zero_moves_as_the_same_number():
    rows, _body, unmigrated = move.split({"knee_to_wall": {"left": "6.50", "right": " 7 "}})
    assert unmigrated == {} and [value for _c, _s, value, _u in rows] == [D("6.5"), D("7")]


BEFORE = [("assessments", "0007_remove_exercise_contraindications")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_old_json_into_rows_and_every_reader_says_the_same():
    stored = {**OLD_SECTION, "hip_internal_rotation": {"left": "40", "right": "zz"}}
    kept = {"hip_internal_rotation": stored["hip_internal_rotation"]}
    amended_before = {"calf_circumference": {"left": "39", "right": "37.5"}}
    # What the readers made of the old JSON (the values the page and the PDF show).
    lines_before = summary.stored_lines("measurements", OLD_SECTION)
    changes_before = summary.changes("measurements", amended_before, OLD_SECTION)

    then = old_schema.back_to(BEFORE)
    old, latest = then.apps, then.latest
    clinic, user, patient = then.clinic, then.user, then.patient
    old_assessment = old.get_model("assessments", "Assessment")
    assessment = old_assessment.objects.create(
        clinic=clinic,
        patient=patient,
        practitioner=user,
        status="signed",
        measurements=stored,
        signed_at=timezone.now(),
    )
    empty = old_assessment.objects.create(clinic=clinic, patient=patient, practitioner=user)
    old.get_model("assessments", "Amendment").objects.create(
        assessment=assessment,
        section="measurements",
        before=amended_before,
        after=OLD_SECTION,
        reason="左右の取り違え",
        made_by=user,
    )

    MigrationExecutor(connection).migrate(latest)

    assessment = Assessment.objects.get(pk=assessment.pk)
    rows = {(r.measure, r.side): (r.value, r.unit) for r in assessment.measurement_rows.all()}
    assert rows[("calf_circumference", "left")] == (D("41"), "cm")
    assert rows[("weight_bearing", "left")] == (D("30"), "kg")
    assert rows[("weight_bearing", "right")] == (D("32.5"), "kg")
    assert len(rows) == 8 and assessment.body_weight_kg == D("62")
    assert assessment.measurements_unmigrated == kept
    assert assessment.section("measurements") == OLD_SECTION
    assert summary.stored_lines("measurements", assessment.section("measurements")) == (
        lines_before
    )
    assert Assessment.objects.get(pk=empty.pk).section("measurements") == {}
    amendment = Amendment.objects.get(assessment=assessment)
    assert (amendment.before, amendment.after) == (amended_before, OLD_SECTION)
    assert summary.changes("measurements", amendment.before, amendment.after) == changes_before

    exported = disclosure.build(assessment.patient)["assessments"]
    entry = next(e for e in exported if e["id"] == assessment.pk)
    assert entry["measurements"] == OLD_SECTION and "body_weight_kg" not in entry
    assert list(entry).index("measurements") == list(entry).index("posture") + 1
    assert entry["measurements_unmigrated"] == kept
    pdf_parts = disclosure._sections(disclosure.build(assessment.patient))[3]["records"]
    pdf_lines = [
        part["lines"] for record in pdf_parts for part in record["extra"] if part.get("lines")
    ]
    assert lines_before in pdf_lines


# --- what the database holds --------------------------------------------------------------------


@pytest.fixture
def draft(ours):
    return services.start_assessment(patient=ours.other_patient, practitioner=ours.practitioner)


def _row(assessment, measure, value, unit, side="left"):
    return Measurement(assessment=assessment, measure=measure, side=side, value=value, unit=unit)


@pytest.mark.parametrize(
    "measure, value, unit",
    [
        ("calf_circumference", "14.9", "cm"),
        ("calf_circumference", "70.1", "cm"),
        ("knee_extension", "-60.1", "deg"),
        ("knee_extension", "30.1", "deg"),
        ("slr", "-0.1", "deg"),
        ("slr", "120.1", "deg"),
        ("weight_bearing", "100.1", "%"),
        ("weight_bearing", "-0.1", "kg"),
        ("weight_bearing", "300.1", "kg"),
        ("calf_circumference", "40", "deg"),  # not the measure's unit
        ("grip_strength", "30", "kg"),  # not a measure
    ],
)
def test_the_database_refuses_a_value_out_of_its_measures_range(draft, measure, value, unit):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(draft, measure, D(value), unit).save()
    assert not draft.measurement_rows.exists()


@pytest.mark.parametrize(
    "measure, value, unit",
    [
        ("calf_circumference", "15", "cm"),
        ("calf_circumference", "70", "cm"),
        ("knee_extension", "-60", "deg"),
        ("knee_extension", "30", "deg"),
        ("weight_bearing", "100", "%"),
        ("weight_bearing", "100.1", "kg"),  # in kg one foot may carry more than 100
        ("weight_bearing", "300", "kg"),
    ],
)
def test_the_database_takes_a_value_at_its_measures_bounds(draft, measure, value, unit):
    _row(draft, measure, D(value), unit).save()
    assert draft.measurement_rows.get().value == D(value)


def test_the_database_refuses_a_third_side_and_a_second_value_for_one_side(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(draft, "slr", D("70"), "deg", side="both").save()
    _row(draft, "slr", D("70"), "deg").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(draft, "slr", D("71"), "deg").save()


@pytest.mark.parametrize("body_weight", ["9.9", "300.1"])
def test_the_database_refuses_a_body_weight_out_of_range(draft, body_weight):
    draft.body_weight_kg = D(body_weight)
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.save()


def test_a_filter_on_values_compares_numbers_not_text(ours):
    """ "10.0" > "9" is false as text, as are "15.5" and "41": the filter must say true."""
    for calf, knee_to_wall in (("15.5", "10.0"), ("41", "5"), ("37.5", "9")):
        assessment = services.start_assessment(patient=ours.patient, practitioner=ours.practitioner)
        _row(assessment, "calf_circumference", D(calf), "cm").save()
        _row(assessment, "knee_to_wall", D(knee_to_wall), "cm").save()
    rows = Measurement.objects.filter(side="left")
    calf = rows.filter(measure="calf_circumference")
    knee = rows.filter(measure="knee_to_wall")
    assert sorted(r.value for r in knee.filter(value__gt=9)) == [D("10")]
    assert sorted(r.value for r in calf.filter(value__gt=9)) == [D("15.5"), D("37.5"), D("41")]
    assert sorted(r.value for r in calf.filter(value__gt=D("37.5"))) == [D("41")]
    assert sorted(r.value for r in calf.filter(value__lt=20)) == [D("15.5")]


# --- the writes -------------------------------------------------------------------------------


def _form_data(**values):
    form = MeasurementsForm(values)
    assert form.is_valid(), form.errors
    return form.to_json()


def _save(assessment, data, by):
    return services.save_section(
        assessment=assessment,
        section="measurements",
        data=data,
        revision=assessment.revision,
        by=by,
        today=timezone.localdate(),
    )


def _rows(assessment):
    return {(r.measure, r.side): (r.value, r.unit) for r in assessment.measurement_rows.all()}


def test_saving_the_measurements_form_writes_rows_and_the_body_weight(ours, draft):
    data = _form_data(
        calf_circumference_left="41",
        calf_circumference_right="37.5",
        weight_bearing_left="30",
        weight_bearing_right="32.5",
        weight_bearing_unit="kg",
        body_weight_kg="62.0",
    )
    saved = _save(draft, data, ours.practitioner)
    assert _rows(saved) == {
        ("calf_circumference", "left"): (D("41"), "cm"),
        ("calf_circumference", "right"): (D("37.5"), "cm"),
        ("weight_bearing", "left"): (D("30"), "kg"),
        ("weight_bearing", "right"): (D("32.5"), "kg"),
    }
    fresh = Assessment.objects.get(pk=draft.pk)
    assert fresh.body_weight_kg == D("62")
    assert fresh.section("measurements") == data  # the same shape and spelling as the form's
    assert MeasurementsForm.initial_from(fresh.section("measurements"))["calf_circumference_left"]
    # the rules read the rows: the swollen calf is screened
    assert any(a["code"] == "calf_circumference" for a in fresh.screening["asymmetries"])


def test_saving_again_updates_rows_in_place_and_removes_one_no_longer_measured(ours, draft):
    first = _save(
        draft,
        _form_data(slr_left="75", slr_right="55", knee_to_wall_left="10", knee_to_wall_right="6.5"),
        ours.practitioner,
    )
    kept = first.measurement_rows.get(measure="slr", side="left").pk
    again = _save(first, _form_data(slr_left="70", slr_right="55"), ours.practitioner)
    assert _rows(again) == {
        ("slr", "left"): (D("70"), "deg"),
        ("slr", "right"): (D("55"), "deg"),
    }
    assert again.measurement_rows.get(measure="slr", side="left").pk == kept
    trail = AuditEntry.objects.filter(content_type__model="measurement", patient=draft.patient)
    actions = [entry.action for entry in trail.order_by("id")]
    assert actions.count(AuditEntry.Action.CREATE) == 4
    assert actions.count(AuditEntry.Action.UPDATE) == 1  # 75 → 70
    assert actions.count(AuditEntry.Action.DELETE) == 2  # the knee-to-wall pair


def test_the_service_refuses_what_the_database_would_refuse_and_writes_nothing(ours, draft):
    _save(draft, _form_data(slr_left="75", slr_right="55"), ours.practitioner)
    draft.refresh_from_db()
    for data in (
        {"slr": {"left": "75", "right": "55"}, "calf_circumference": {"left": "80", "right": "37"}},
        {"slr": {"left": "seventy", "right": "55"}},
        {"slr": {"left": "75", "right": "55"}, "body_weight_kg": "5"},
        {"grip_strength": {"left": "30", "right": "28"}},
    ):
        with pytest.raises(ValidationError):
            _save(draft, data, ours.practitioner)
    assert _rows(Assessment.objects.get(pk=draft.pk)) == {
        ("slr", "left"): (D("75"), "deg"),
        ("slr", "right"): (D("55"), "deg"),
    }


def test_an_amendment_of_the_measurements_keeps_before_and_after_and_changes_the_rows(ours):
    first = {"calf_circumference": {"left": "39", "right": "37.5"}, "body_weight_kg": "62"}
    signed = records.record(
        patient=ours.other_patient,
        practitioner=ours.practitioner,
        sections={
            "complaint": {"region": "knee_back", "side": "left"},
            "red_flags": {},
            "measurements": first,
        },
        today=timezone.localdate(),
        sign_it=True,
    )
    corrected = _form_data(
        calf_circumference_left="41", calf_circumference_right="37.5", body_weight_kg="62"
    )
    amendment = services.amend(
        assessment=signed,
        section="measurements",
        data=corrected,
        reason="左右の取り違え",
        revision=signed.revision,
        by=ours.practitioner,
        today=timezone.localdate(),
    )
    assert (amendment.before, amendment.after) == (first, corrected)
    fresh = Assessment.objects.get(pk=signed.pk)
    assert fresh.section("measurements") == corrected
    assert _rows(fresh)[("calf_circumference", "left")] == (D("41"), "cm")
    calf = str(MEASURE_BY_CODE["calf_circumference"].label)
    assert summary.changes("measurements", amendment.before, amendment.after) == [
        (calf, "39 / 37.5", "41 / 37.5")
    ]
    # the same values again: nothing to amend
    again = services.amend(
        assessment=fresh,
        section="measurements",
        data=corrected,
        reason="確認",
        revision=fresh.revision,
        by=ours.practitioner,
        today=timezone.localdate(),
    )
    assert again is None


def test_a_reassessment_starts_from_the_previous_rows_and_body_weight(ours):
    measured = {"slr": {"left": "75", "right": "55"}, "body_weight_kg": "58.5"}
    records.record(
        patient=ours.other_patient,
        practitioner=ours.practitioner,
        sections={"complaint": {"region": "knee_back"}, "red_flags": {}, "measurements": measured},
        today=timezone.localdate(),
        sign_it=True,
    )
    second = services.start_assessment(patient=ours.other_patient, practitioner=ours.practitioner)
    assert Assessment.objects.get(pk=second.pk).section("measurements") == measured
    assert second.previous.measurement_rows.count() == second.measurement_rows.count() == 2


@pytest.mark.parametrize("stored", [OLD_SECTION, ["not", "a", "dict"], "75/55"])
def test_the_way_back_gives_the_section_that_was_moved(stored):
    assert move.joined(*move.split(stored)) == stored


def test_a_reassessment_keeps_the_values_that_were_kept_as_recorded_in_sight(ours):
    kept = {"slr": {"left": "abc", "right": "55"}}
    first = records.record(
        patient=ours.other_patient,
        practitioner=ours.practitioner,
        sections={"complaint": {"region": "knee_back"}, "red_flags": {}},
        today=timezone.localdate(),
        sign_it=True,
    )
    Assessment.objects.filter(pk=first.pk).update(measurements_unmigrated=kept)
    second = services.start_assessment(patient=ours.other_patient, practitioner=ours.practitioner)
    assert Assessment.objects.get(pk=second.pk).measurements_unmigrated == kept


def test_the_assessment_page_shows_values_that_were_kept_as_recorded(ours, login, draft):
    draft.measurements_unmigrated = {"slr": {"left": "abc", "right": "55"}}
    draft.save()
    page = login(ours.practitioner).get(reverse("assessments:detail", args=[draft.pk]))
    text = page.content.decode()
    assert 'id="measurements-unmigrated"' in text and "abc" in text
    other = services.start_assessment(patient=ours.patient, practitioner=ours.practitioner)
    page = login(ours.practitioner).get(reverse("assessments:detail", args=[other.pk]))
    assert 'id="measurements-unmigrated"' not in page.content.decode()


def test_the_disclosure_export_reads_the_measurements_from_the_rows(ours, draft):
    data = _form_data(slr_left="75", slr_right="55", body_weight_kg="62")
    _save(draft, data, ours.practitioner)
    entries = disclosure.build(draft.patient)["assessments"]
    assert next(e for e in entries if e["id"] == draft.pk)["measurements"] == data


def test_a_new_patient_without_measurements_reads_an_empty_section(ours):
    patient = PatientFactory(clinic=ours.clinic)
    fresh = services.start_assessment(patient=patient, practitioner=ours.practitioner)
    assert fresh.section("measurements") == {} and fresh.body_weight_kg is None
