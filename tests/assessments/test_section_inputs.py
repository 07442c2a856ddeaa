"""Inputs that cannot mislead: no side chosen for the practitioner, weights that must add up."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from assessments import summary
from assessments.forms import ComplaintForm, MeasurementsForm, section_form
from assessments.models import Amendment, Assessment
from tests.factories import PatientFactory

COMPLAINT = {"region": "knee_back", "region_detail": "歩き始めに右膝裏", "pain": "5"}


@pytest.fixture
def patient(ours):
    return PatientFactory(clinic=ours.clinic)


@pytest.fixture
def doc(ours, login):
    return login(ours.practitioner)


@pytest.fixture
def assessment(doc, patient):
    doc.post(reverse("assessments:start", args=[patient.pk]))
    return Assessment.objects.filter(patient=patient).latest("id")


def url(assessment, section):
    return reverse("assessments:section", args=[assessment.pk, section])


def save(client, assessment, section, data):
    assessment.refresh_from_db()
    return client.post(url(assessment, section), {"revision": assessment.revision, **data})


def options(html, name):
    """(value, selected, text) of each option of the <select name=...> in the page."""
    [select] = re.findall(rf'<select name="{name}".*?</select>', html, flags=re.S)
    return [
        (value, "selected" in attrs, text.strip())
        for value, attrs, text in re.findall(
            r'<option value="([^"]*)"([^>]*)>(.*?)</option>', select, flags=re.S
        )
    ]


def as_a_browser_submits(choices):
    """A select with no option selected sends its first option."""
    chosen = [value for value, selected, _text in choices if selected]
    return chosen[0] if chosen else choices[0][0]


# The complaint's side


def test_a_new_complaint_shows_a_blank_side_and_nothing_selected(doc, assessment):
    choices = options(doc.get(url(assessment, "complaint")).content.decode(), "side")
    assert choices[0] == ("", False, "— 選んでください —")
    assert [value for value, _selected, _text in choices[1:]] == ["left", "right", "both"]
    assert not any(selected for _value, selected, _text in choices)


def test_a_practitioner_who_never_chooses_a_side_saves_nothing(doc, assessment):
    page = doc.get(url(assessment, "complaint")).content.decode()
    side = as_a_browser_submits(options(page, "side"))
    response = save(doc, assessment, "complaint", {**COMPLAINT, "side": side})
    assert response.status_code == 200
    assessment.refresh_from_db()
    assert assessment.section("complaint") == {}
    assert response.context["form"].errors["side"] == ["どちら側か選んでください（左・右・両方）。"]


def test_the_side_message_is_next_to_the_field_and_the_rest_is_kept(doc, assessment):
    page = save(doc, assessment, "complaint", COMPLAINT).content.decode()
    [field] = re.findall(r'<div id="div_id_side".*?</select>.*?</div>', page, flags=re.S)
    assert "どちら側か選んでください" in field and "is-invalid" in field
    assert 'value="歩き始めに右膝裏"' in page and 'value="5"' in page
    assert ("knee_back", True, "膝裏（膕）") in options(page, "region")


def test_the_side_message_in_english():
    with translation.override("en"):
        form = ComplaintForm({**COMPLAINT, "side": ""})
        assert form.errors["side"] == ["Choose the side: left, right or both."]


@pytest.mark.parametrize("side", ["left", "right", "both"])
def test_a_chosen_side_is_saved_and_shows_selected_when_reopened(doc, assessment, side):
    assert save(doc, assessment, "complaint", {**COMPLAINT, "side": side}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.section("complaint")["side"] == side
    choices = options(doc.get(url(assessment, "complaint")).content.decode(), "side")
    assert [value for value, selected, _text in choices if selected] == [side]


# Weight on each foot

WEIGHT_ERRORS = ("weight_bearing_left", "weight_bearing_right")


def measured(**data):
    form = MeasurementsForm(data)
    form.is_valid()
    return form


def test_70_and_70_percent_is_refused_next_to_both_fields_in_japanese(doc, assessment):
    response = save(
        doc, assessment, "measurements", {"weight_bearing_left": "70", "weight_bearing_right": "70"}
    )
    assert response.status_code == 200
    message = (
        "左右の合計が140%です。合計はおよそ100%になるはずです。"
        "kgで量った場合は、単位をkgにしてください。"
    )
    errors = response.context["form"].errors
    assert [errors[name] for name in WEIGHT_ERRORS] == [[message], [message]]
    page = response.content.decode()
    for name in WEIGHT_ERRORS:
        [cell] = re.findall(rf'<input[^>]*name="{name}"[^>]*>(.*?)</td>', page, flags=re.S)
        assert message in cell
    assessment.refresh_from_db()
    assert assessment.section("measurements") == {}


def test_the_sum_message_in_english():
    with translation.override("en"):
        form = measured(weight_bearing_left="70.5", weight_bearing_right="70")
        assert form.errors["weight_bearing_left"] == [
            "Left and right add up to 140.5 %: they should make about 100 %. "
            "Weighed in kg? Choose kg as the unit."
        ]


@pytest.mark.parametrize(
    "left, right, valid",
    [
        ("47.4", "47.5", False),
        ("47.5", "47.5", True),
        ("52.5", "52.5", True),
        ("52.5", "52.6", False),
    ],
)
@pytest.mark.parametrize("unit", ["%", ""])  # no unit sent is %
def test_percentages_must_add_up_to_95_to_105(left, right, valid, unit):
    form = measured(weight_bearing_left=left, weight_bearing_right=right, weight_bearing_unit=unit)
    assert form.is_valid() is valid
    assert bool(set(WEIGHT_ERRORS) & set(form.errors)) is not valid


def test_one_side_over_100_percent_is_out_of_range():
    with translation.override("en"):
        form = measured(weight_bearing_left="100.5", weight_bearing_right="0")
        assert form.errors["weight_bearing_left"] == ["Between 0 and 100 %."]


def test_kg_without_a_body_weight_are_accepted_and_stored_with_their_unit():
    form = measured(weight_bearing_left="30", weight_bearing_right="32", weight_bearing_unit="kg")
    assert form.is_valid(), form.errors
    assert form.to_json() == {"weight_bearing": {"left": "30", "right": "32", "unit": "kg"}}
    with translation.override("en"):
        assert "body weight" in str(form.fields["body_weight_kg"].help_text)
        assert "kg" in str(form.fields["body_weight_kg"].help_text)


@pytest.mark.parametrize("left, valid", [("300", True), ("300.1", False), ("-0.1", False)])
def test_kg_on_one_foot_stay_between_0_and_300(left, valid):
    form = measured(weight_bearing_left=left, weight_bearing_right="0", weight_bearing_unit="kg")
    assert form.is_valid() is valid
    if not valid:
        with translation.override("en"):
            assert form.errors["weight_bearing_left"] == ["Between 0 and 300 kg."]


@pytest.mark.parametrize(
    "left, right, valid",
    [
        ("28.4", "28.5", False),  # 56.9 kg, 60 kg - 5 % is 57
        ("28.5", "28.5", True),
        ("31.5", "31.5", True),  # 63 kg, 60 kg + 5 %
        ("31.5", "31.6", False),
    ],
)
def test_kg_must_come_within_5_percent_of_the_body_weight(left, right, valid):
    form = measured(
        weight_bearing_left=left,
        weight_bearing_right=right,
        weight_bearing_unit="kg",
        body_weight_kg="60",
    )
    assert form.is_valid() is valid
    if not valid:
        total = Decimal(left) + Decimal(right)
        with translation.override("en"):
            assert form.errors["weight_bearing_right"] == [
                f"Left and right add up to {total} kg and the body weight is 60 kg: "
                "together they should come within 5 % of it."
            ]


def test_one_foot_cannot_carry_more_than_the_body_weight():
    form = measured(
        weight_bearing_left="55",
        weight_bearing_right="0",
        weight_bearing_unit="kg",
        body_weight_kg="50",
    )
    with translation.override("ja"):
        assert form.errors["weight_bearing_left"] == [
            "体重（50 kg）を超えています。片足にかかる重さが体重を超えることはありません。"
        ]
    assert "weight_bearing_right" not in form.errors  # one message, not a second about the sum


def test_a_refused_body_weight_does_not_also_refuse_the_kg():
    form = measured(
        weight_bearing_left="30",
        weight_bearing_right="32",
        weight_bearing_unit="kg",
        body_weight_kg="620",
    )
    assert list(form.errors) == ["body_weight_kg"]


@pytest.mark.parametrize(
    "body, valid", [("9.9", False), ("10", True), ("300", True), ("300.1", False)]
)
def test_the_body_weight_is_between_10_and_300_kg(body, valid):
    form = measured(body_weight_kg=body)
    assert form.is_valid() is valid


def test_a_percentage_pair_is_stored_with_its_unit_and_the_body_weight_beside_it():
    form = measured(weight_bearing_left="52", weight_bearing_right="48", body_weight_kg="62.5")
    assert form.is_valid(), form.errors
    assert form.to_json() == {
        "weight_bearing": {"left": "52", "right": "48", "unit": "%"},
        "body_weight_kg": "62.5",
    }


def test_an_unknown_unit_is_refused():
    form = measured(weight_bearing_left="30", weight_bearing_right="32", weight_bearing_unit="lb")
    assert "weight_bearing_unit" in form.errors


@pytest.mark.parametrize(
    "stored",
    [
        {"weight_bearing": {"left": "30", "right": "32", "unit": "kg"}, "body_weight_kg": "62.5"},
        {"weight_bearing": {"left": "52", "right": "48", "unit": "%"}},
        {"slr": {"left": "75", "right": "55"}, "body_weight_kg": "80"},
    ],
)
def test_what_is_stored_comes_back_unchanged_through_the_form(stored):
    initial = MeasurementsForm.initial_from(stored)
    again = MeasurementsForm({name: str(value) for name, value in initial.items()})
    assert again.is_valid(), again.errors
    assert again.to_json() == stored


def test_a_pair_stored_before_units_reopens_in_percent():
    form = section_form("measurements", {"weight_bearing": {"left": "52", "right": "48"}})
    assert form["weight_bearing_unit"].value() == "%"
    assert form["weight_bearing_left"].value() == "52"


def test_a_kg_pair_reopens_with_kg_selected_and_its_body_weight(doc, assessment):
    data = {
        "weight_bearing_left": "30",
        "weight_bearing_right": "32",
        "weight_bearing_unit": "kg",
        "body_weight_kg": "62.5",
    }
    assert save(doc, assessment, "measurements", data).status_code == 302
    page = doc.get(url(assessment, "measurements")).content.decode()
    assert [v for v, selected, _t in options(page, "weight_bearing_unit") if selected] == ["kg"]
    assert re.search(r'name="body_weight_kg"[^>]*value="62.5"', page)
    assert re.search(r'name="weight_bearing_left"[^>]*value="30"', page)


def test_a_new_measurements_page_offers_percent_first_and_the_body_weight(doc, assessment):
    page = doc.get(url(assessment, "measurements")).content.decode()
    assert options(page, "weight_bearing_unit") == [("%", True, "%"), ("kg", False, "kg")]
    assert 'name="body_weight_kg"' in page and "体重" in page


def test_kg_are_screened_as_shares_and_shown_as_weighed(doc, assessment):
    data = {
        "weight_bearing_left": "30",
        "weight_bearing_right": "40",
        "weight_bearing_unit": "kg",
        "body_weight_kg": "70",
    }
    assert save(doc, assessment, "measurements", data).status_code == 302
    assessment.refresh_from_db()
    [weight] = [a for a in assessment.screening["asymmetries"] if a["code"] == "weight_bearing"]
    assert (weight["left"], weight["right"], weight["flagged"]) == ("42.9", "57.1", True)
    [row] = [
        r for r in summary.measurement_rows(assessment) if r["measure"].code == "weight_bearing"
    ]
    assert row["typed"] == {"left": "30", "right": "40", "unit": "kg"}
    page = doc.get(reverse("assessments:detail", args=[assessment.pk])).content.decode()
    assert "測定値: 30 / 40 kg" in page


def test_percent_pairs_are_shown_as_screened_only(doc, assessment):
    data = {"weight_bearing_left": "52", "weight_bearing_right": "48"}
    assert save(doc, assessment, "measurements", data).status_code == 302
    assessment.refresh_from_db()
    rows = summary.measurement_rows(assessment)
    assert not any(row["typed"] for row in rows)


def test_amendments_show_kg_with_kg_and_the_body_weight():
    before = {"weight_bearing": {"left": "50", "right": "50"}}
    after = {
        "weight_bearing": {"left": "30", "right": "32", "unit": "kg"},
        "body_weight_kg": "62.5",
    }
    with translation.override("en"):
        rows = summary.changes("measurements", before, after)
    assert rows == [
        ("Weight on each foot", "50 / 50 %", "30 / 32 kg"),
        ("Body weight", "—", "62.5 kg"),
    ]


def test_recording_the_unit_of_an_old_pair_is_not_a_change():
    before = {"weight_bearing": {"left": "50", "right": "50"}}
    after = {"weight_bearing": {"left": "50", "right": "50", "unit": "%"}}
    assert summary.changes("measurements", before, after) == []


def test_an_amended_signed_assessment_shows_its_kg_in_the_history(ours, doc, assessment):
    save(doc, assessment, "complaint", {**COMPLAINT, "side": "right"})
    save(doc, assessment, "red_flags", {})
    doc.post(reverse("assessments:sign", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.is_signed
    amend = reverse("assessments:amend", args=[assessment.pk, "measurements"])
    form = doc.get(amend)
    doc.post(
        amend,
        {
            "revision": form.context.get("revision", assessment.revision),
            "weight_bearing_left": "30",
            "weight_bearing_right": "32",
            "weight_bearing_unit": "kg",
            "reason": "体重計2台で測り直し",
        },
    )
    assert Amendment.objects.filter(assessment=assessment).exists()
    page = doc.get(reverse("assessments:detail", args=[assessment.pk]))
    [(_amendment, changed)] = page.context["amendments"]
    assert [(b, a) for _label, b, a in changed] == [("—", "30 / 32 kg")]
