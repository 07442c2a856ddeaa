"""The single findings as typed records (issue 12, item 1): the move from the JSON sections (0012),
what the database refuses, and the writes through the services.

The migration is run for real: back to 0010, assessments written the old way (JSON sections: one
as the section forms write them, one left over from earlier versions, with answers no typed
field can hold), an amendment, forward again. The disclosure export of the form-written record is
then the same, key for key and in the same order, as the JSON the old export printed; what the
pages and the PDFs read (`summary.describe`, `summary.changes`) is the same for both records.
"""

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from assessments import disclosure, services, summary
from assessments.forms import SECTION_FORMS
from assessments.models import (
    SECTION_RECORDS,
    Amendment,
    Assessment,
    ComplaintRecord,
    ComplaintTrait,
    HabitsRecord,
    PalpationRecord,
    RedFlagsRecord,
)
from assessments.models.findings import SectionRecord
from devtools import records
from tests.assessments import old_schema

move = importlib.import_module("assessments.migrations.0012_move_findings_to_records")
FINDINGS = tuple(SECTION_RECORDS)


def via_form(code: str, data: dict) -> dict:
    """A section as the practitioner's form writes it (every field, empty ones included)."""
    form = SECTION_FORMS[code](data)
    assert form.is_valid(), form.errors
    return form.to_json()


FORM_WRITTEN = {
    "complaint": via_form(
        "complaint",
        {
            "region": "knee_back",
            "side": "right",
            "qualities": ["pulling", "dull"],
            "pain": "5",
            "onset": "2026-11-01",
            "provokers": ["stairs"],
            "region_detail": "歩き始めに突っ張る",
            "note": "階段の下りで強い",
        },
    ),
    "posture": via_form("posture", {"rounded_shoulders": "on", "pelvic_tilt": "anterior"}),
    "lower_limb": via_form("lower_limb", {"stiff_ankle": "right", "sole_wear_right": "outer"}),
    "palpation": via_form(
        "palpation", {"mass": "on", "side": "right", "size_cm": "2.5", "tender": "on"}
    ),
    "habits": via_form("habits", {"bag_side": "right", "sitting_hours": "9", "work_style": "desk"}),
    "red_flags": via_form("red_flags", {"night_pain": "on", "cancer": "past"}),
}
# Left over from earlier versions: keys missing, a number typed as text, a choice no longer
# offered, a key no form has, a quality that is not one, a size beyond the range.
LEFT_OVER = {
    "complaint": {"region": "neck", "side": "left", "pain": "6", "qualities": ["dull", "sharp"]},
    "posture": {"forward_head": True, "scoliosis": "mild"},
    "palpation": {"mass": True, "side": "left", "size_cm": "25"},
    "habits": {"sitting_hours": 8, "fluid_litres": "1.25"},
    "red_flags": {"fever": True},
}
KEPT = {
    "complaint": {"region": "neck", "qualities": ["sharp"]},
    "posture": {"scoliosis": "mild"},
    "palpation": {"size_cm": "25"},
    "habits": {"fluid_litres": "1.25"},
}


def _empty_answers_of(code):
    return {key: value for key, value in SECTION_RECORDS[code]().as_section().items()}


# --- the move itself, on old JSON -------------------------------------------------------------


@pytest.mark.parametrize("code", FINDINGS)
def test_a_section_written_by_its_form_moves_whole_and_comes_back_the_same(code):
    stored = FORM_WRITTEN[code]
    values, traits, unmigrated = move.split(code, stored)
    assert unmigrated == {}
    assert move.joined(code, values, traits, unmigrated) == stored


def test_the_complaints_qualities_and_provokers_become_rows():
    _values, traits, _kept = move.split("complaint", FORM_WRITTEN["complaint"])
    assert traits == [("quality", "dull"), ("quality", "pulling"), ("provoker", "stairs")]


@pytest.mark.parametrize(
    "code, key, stored",
    [
        ("complaint", "region", "neck"),  # a choice no longer offered
        ("complaint", "side", "up"),
        ("complaint", "pain", "11"),  # beyond 0-10
        ("complaint", "pain", "-1"),
        ("complaint", "pain", "5.5"),  # not a whole number
        ("complaint", "pain", True),
        ("complaint", "onset", "2026-13-01"),  # not a date
        ("complaint", "onset", 20261101),
        ("complaint", "region_detail", "x" * 201),  # longer than its column
        ("complaint", "qualities", "dull"),  # not a list
        ("posture", "forward_head", "yes"),  # not a tick
        ("posture", "scoliosis", "mild"),  # a key the section never had
        ("palpation", "size_cm", "0"),  # below 0.1
        ("palpation", "size_cm", "20.1"),
        ("palpation", "size_cm", "2.55"),  # a decimal the column cannot hold
        ("habits", "sitting_hours", "25"),
        ("habits", "fluid_litres", "NaN"),
        ("habits", "work_style", "night_shift"),
        ("red_flags", "cancer", "yes"),
        ("red_flags", "leg_swelling", "both"),  # one leg only
    ],
)
def test_an_answer_that_cannot_be_held_is_kept_as_it_was_and_the_rest_moves(code, key, stored):
    values, _traits, unmigrated = move.split(code, {key: stored})
    assert unmigrated[key] == stored
    assert key not in values


def test_numbers_typed_as_text_move_as_numbers_and_missing_keys_read_empty():
    values, _traits, unmigrated = move.split("complaint", {"pain": "6", "side": "left"})
    assert unmigrated == {} and values == {"pain": 6, "side": "left"}
    values, _traits, unmigrated = move.split("habits", {"sitting_hours": 8.5})
    assert unmigrated == {} and values == {"sitting_hours": D("8.5")}


def test_a_section_that_was_not_a_dict_is_kept_whole_and_given_back():
    values, traits, unmigrated = move.split("posture", ["forward_head"])
    assert values is None and unmigrated == {"section": ["forward_head"]}
    assert move.joined("posture", values, traits, unmigrated) == ["forward_head"]


def test_an_empty_section_makes_no_record():
    assert move.split("habits", {}) == (None, [], {})
    assert move.joined("habits", None, [], {}) == {}


# --- the migration, run for real ----------------------------------------------------------------

BEFORE = [("assessments", "0010_remove_assessment_measurements")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_every_section_and_the_disclosure_export_is_the_same():
    amended_before = {**FORM_WRITTEN["complaint"], "pain": 7}
    lines_before = {code: summary.describe(code, FORM_WRITTEN[code]) for code in FINDINGS}
    left_over_lines = {code: summary.describe(code, LEFT_OVER.get(code, {})) for code in FINDINGS}
    changes_before = summary.changes("complaint", amended_before, FORM_WRITTEN["complaint"])

    then = old_schema.back_to(BEFORE)
    old_assessment = then.apps.get_model("assessments", "Assessment")
    written = old_assessment.objects.create(
        clinic=then.clinic,
        patient=then.patient,
        practitioner=then.user,
        status="signed",
        signed_at=timezone.now(),
        section_revisions={code: 1 for code in FINDINGS},
        **FORM_WRITTEN,
    )
    left_over = old_assessment.objects.create(
        clinic=then.clinic, patient=then.patient, practitioner=then.user, **LEFT_OVER
    )
    empty = old_assessment.objects.create(
        clinic=then.clinic, patient=then.patient, practitioner=then.user
    )
    then.apps.get_model("assessments", "Amendment").objects.create(
        assessment=written,
        section="complaint",
        before=amended_before,
        after=FORM_WRITTEN["complaint"],
        reason="痛みの数値の訂正",
        made_by=then.user,
    )
    # the keys the old export printed for an assessment (its JSON sections as they were stored,
    # the measurement rows as one section after the posture)
    old_keys = {
        field.attname
        for field in old_assessment._meta.concrete_fields
        if field.name not in disclosure.LEFT_OUT and field.name != "body_weight_kg"
    } | {"measurements"}

    MigrationExecutor(connection).migrate(then.latest)

    written = Assessment.objects.with_findings().get(pk=written.pk)
    for code in FINDINGS:
        assert written.section(code) == FORM_WRITTEN[code]
        assert summary.describe(code, written.section(code)) == lines_before[code]
    assert written.findings_unmigrated == {}
    record = ComplaintRecord.objects.get(assessment=written)
    assert (record.pain, record.onset) == (5, dt.date(2026, 11, 1))
    assert set(record.traits.values_list("kind", "code")) == {
        ("quality", "dull"),
        ("quality", "pulling"),
        ("provoker", "stairs"),
    }
    assert PalpationRecord.objects.get(assessment=written).size_cm == D("2.5")

    left_over = Assessment.objects.get(pk=left_over.pk)
    assert left_over.findings_unmigrated == KEPT
    for code in FINDINGS:  # what the page and the PDF say of it: the same, or kept as it was
        now = dict(summary.describe(code, left_over.section(code)))
        kept = dict(summary.kept_lines(code, left_over.findings_unmigrated.get(code)))
        for label, value in left_over_lines[code]:
            assert now.get(label) == value or label in kept, (code, label)
    assert left_over.section("complaint")["pain"] == 6  # a number now, no longer "6"
    assert left_over.section("lower_limb") == {}  # never saved: no record
    assert Assessment.objects.get(pk=empty.pk).section("complaint") == {}
    assert not any(
        model.objects.filter(assessment=empty.pk).exists() for model in SECTION_RECORDS.values()
    )

    amendment = Amendment.objects.get(assessment=written)  # its JSON is untouched
    assert (amendment.before, amendment.after) == (amended_before, FORM_WRITTEN["complaint"])
    assert summary.changes("complaint", amendment.before, amendment.after) == changes_before

    exported = {e["id"]: e for e in disclosure.build(written.patient)["assessments"]}
    entry = exported[written.pk]
    for code in FINDINGS:
        assert entry[code] == FORM_WRITTEN[code]
    keys = {key for key in entry if not key.endswith("_name")}
    assert keys - {"flags_raised", "amendments"} == old_keys
    in_order = ["status", "complaint", "posture", "measurements", "measurements_unmigrated"]
    in_order += ["lower_limb", "palpation", "habits", "red_flags", "screening"]
    assert [key for key in entry if key in in_order] == in_order  # where the old export had them
    assert exported[left_over.pk]["findings_unmigrated"] == KEPT
    pdf = disclosure._sections(disclosure.build(written.patient))[3]["records"]
    pdf_parts = [part["lines"] for record in pdf for part in record["extra"] if part.get("lines")]
    assert lines_before["complaint"] in pdf_parts


@pytest.mark.django_db(transaction=True)
def test_the_way_back_gives_the_json_sections_again():
    then = old_schema.back_to(BEFORE)
    old_assessment = then.apps.get_model("assessments", "Assessment")
    written = old_assessment.objects.create(
        clinic=then.clinic, patient=then.patient, practitioner=then.user, **FORM_WRITTEN
    )
    left_over = old_assessment.objects.create(
        clinic=then.clinic, patient=then.patient, practitioner=then.user, **LEFT_OVER
    )
    executor = MigrationExecutor(connection)
    executor.migrate(then.latest)
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    back = executor.loader.project_state([*BEFORE, *then.others]).apps
    again = back.get_model("assessments", "Assessment").objects
    assert {code: getattr(again.get(pk=written.pk), code) for code in FINDINGS} == FORM_WRITTEN
    old_left_over = again.get(pk=left_over.pk)
    # every answer comes back; the keys it lacked come back as their empty answers
    assert old_left_over.red_flags == {**_empty_answers_of("red_flags"), "fever": True}
    assert old_left_over.complaint["region"] == "neck"
    assert old_left_over.complaint["qualities"] == ["dull", "sharp"]
    assert old_left_over.posture["scoliosis"] == "mild"
    assert old_left_over.lower_limb == {}
    MigrationExecutor(connection).migrate(then.latest)


# --- what the database holds --------------------------------------------------------------------


@pytest.fixture
def draft(ours):
    return services.start_assessment(patient=ours.other_patient, practitioner=ours.practitioner)


@pytest.mark.parametrize(
    "model, values",
    [
        (ComplaintRecord, {"pain": 11}),
        (ComplaintRecord, {"region": "neck"}),
        (ComplaintRecord, {"side": "up"}),
        (PalpationRecord, {"size_cm": D("20.1")}),
        (PalpationRecord, {"size_cm": D("0")}),
        (HabitsRecord, {"sitting_hours": D("24.1")}),
        (HabitsRecord, {"fluid_litres": D("10.1")}),
        (HabitsRecord, {"work_style": "night"}),
        (RedFlagsRecord, {"leg_swelling": "both"}),
        (RedFlagsRecord, {"cancer": "maybe"}),
    ],
)
def test_the_database_refuses_an_answer_no_form_accepts(draft, model, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(assessment=draft, **values)


@pytest.mark.parametrize(
    "model, values",
    [
        (ComplaintRecord, {"pain": 10, "region": "calf", "side": "both"}),
        (ComplaintRecord, {"pain": 0}),
        (PalpationRecord, {"size_cm": D("20")}),
        (PalpationRecord, {"size_cm": D("0.1")}),
        (HabitsRecord, {"sitting_hours": D("24"), "fluid_litres": D("0")}),
        (RedFlagsRecord, {"leg_swelling": "left", "cancer": "active"}),
    ],
)
def test_the_database_takes_an_answer_at_the_bounds(draft, model, values):
    model.objects.create(assessment=draft, **values)


def test_a_trait_must_be_a_quality_or_a_provoker_of_its_own_kind(draft):
    complaint = ComplaintRecord.objects.create(assessment=draft)
    ComplaintTrait.objects.create(complaint=complaint, kind="quality", code="dull")
    for kind, code in (("quality", "stairs"), ("provoker", "dull"), ("quality", "sharp")):
        with pytest.raises(IntegrityError), transaction.atomic():
            ComplaintTrait.objects.create(complaint=complaint, kind=kind, code=code)
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplaintTrait.objects.create(complaint=complaint, kind="quality", code="dull")


def test_one_record_per_section(draft):
    HabitsRecord.objects.create(assessment=draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        HabitsRecord.objects.create(assessment=draft)


def test_a_filter_on_pain_compares_numbers_on_both_engines(ours, draft):
    other = services.start_assessment(patient=ours.patient, practitioner=ours.practitioner)
    for assessment, pain in ((draft, "5"), (other, 10)):
        services.save_section(
            assessment=assessment,
            section="complaint",
            data={"region": "calf", "side": "left", "pain": pain},
            revision=assessment.revision,
            by=ours.practitioner,
            today=timezone.localdate(),
        )
    # "10" > "9" is false as text; as numbers it holds
    both = Assessment.objects.filter(pk__in=[draft.pk, other.pk])
    assert list(both.filter(complaint_record__pain__gt=9)) == [other]
    assert both.filter(complaint_record__pain=5).get() == draft


# --- the writes ---------------------------------------------------------------------------------


def _save(ours, assessment, section, data):
    return services.save_section(
        assessment=assessment,
        section=section,
        data=data,
        revision=assessment.revision,
        by=ours.practitioner,
        today=timezone.localdate(),
    )


@pytest.mark.parametrize("code", FINDINGS)
def test_saving_a_section_writes_its_record_and_reads_back_as_the_form_wrote_it(ours, draft, code):
    saved = _save(ours, draft, code, FORM_WRITTEN[code])
    assert Assessment.objects.get(pk=saved.pk).section(code) == FORM_WRITTEN[code]
    assert SECTION_RECORDS[code].objects.filter(assessment=draft).count() == 1


def test_saving_again_changes_the_record_in_place_and_the_traits_row_by_row(ours, draft):
    _save(ours, draft, "complaint", FORM_WRITTEN["complaint"])
    record = ComplaintRecord.objects.get(assessment=draft)
    kept_trait = ComplaintTrait.objects.get(complaint=record, code="dull")
    changed = {**FORM_WRITTEN["complaint"], "pain": 3, "qualities": ["dull", "heavy"]}
    saved = _save(ours, Assessment.objects.get(pk=draft.pk), "complaint", changed)
    assert ComplaintRecord.objects.get(assessment=draft).pk == record.pk
    assert ComplaintTrait.objects.filter(pk=kept_trait.pk).exists()  # not rewritten
    assert Assessment.objects.get(pk=saved.pk).section("complaint") == changed


@pytest.mark.parametrize(
    "section, data",
    [
        ("complaint", {"pain": 11}),
        ("complaint", {"pain": "five"}),
        ("complaint", {"qualities": ["sharp"]}),
        ("complaint", {"provokers": "stairs"}),
        ("complaint", {"colour": "red"}),  # no such field
        ("posture", {"forward_head": "maybe"}),
        ("palpation", {"size_cm": "30"}),
        ("habits", {"work_style": "night"}),
        ("red_flags", {"leg_swelling": "both"}),
        ("red_flags", ["fever"]),
    ],
)
def test_the_service_refuses_what_no_form_would_write_and_writes_nothing(
    ours, draft, section, data
):
    before = draft.revision
    with pytest.raises(ValidationError):
        _save(ours, draft, section, data)
    draft = Assessment.objects.get(pk=draft.pk)
    assert draft.revision == before and section not in draft.saved_sections
    assert not SECTION_RECORDS[section].objects.filter(assessment=draft).exists()


def test_an_amendment_keeps_before_and_after_and_changes_the_record(ours):
    assessment = records.record(
        patient=ours.patient,
        practitioner=ours.practitioner,
        sections={"complaint": FORM_WRITTEN["complaint"], "red_flags": {}},
        today=timezone.localdate(),
        sign_it=True,
    )
    after = {**FORM_WRITTEN["complaint"], "pain": 2, "provokers": []}
    amendment = services.amend(
        assessment=assessment,
        section="complaint",
        data=after,
        reason="患者の訂正",
        revision=assessment.revision,
        by=ours.practitioner,
        today=timezone.localdate(),
    )
    assert (amendment.before, amendment.after) == (FORM_WRITTEN["complaint"], after)
    assert ComplaintRecord.objects.get(assessment=assessment).pain == 2
    assert not ComplaintTrait.objects.filter(complaint__assessment=assessment, kind="provoker")
    pain = str(SECTION_FORMS["complaint"].base_fields["pain"].label)
    assert (pain, "5", "2") in summary.changes("complaint", amendment.before, amendment.after)


def test_a_reassessment_starts_from_the_previous_records(ours):
    first = records.record(
        patient=ours.patient,
        practitioner=ours.practitioner,
        sections={**FORM_WRITTEN},
        today=timezone.localdate(),
        sign_it=True,
    )
    second = services.start_assessment(patient=ours.patient, practitioner=ours.practitioner)
    assert second.previous_id == first.pk
    second = Assessment.objects.with_findings().get(pk=second.pk)
    assert {code: second.section(code) for code in FINDINGS} == FORM_WRITTEN
    assert (
        ComplaintRecord.objects.get(assessment=second).pk
        != ComplaintRecord.objects.get(assessment=first).pk
    )


def test_every_record_keeps_the_forms_field_names():
    for code, model in SECTION_RECORDS.items():
        form_names = set(SECTION_FORMS[code].base_fields)
        assert model.keys() == form_names, code
        assert issubclass(model, SectionRecord)


def test_the_assessment_page_shows_answers_kept_as_recorded(ours, login, draft):
    Assessment.objects.filter(pk=draft.pk).update(
        findings_unmigrated={"posture": {"scoliosis": "mild"}}
    )
    page = login(ours.practitioner).get(reverse("assessments:detail", args=[draft.pk]))
    html = page.content.decode()
    assert 'id="kept-posture"' in html and "scoliosis" in html and "mild" in html
