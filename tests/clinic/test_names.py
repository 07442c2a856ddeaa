"""Names shown to people: visible characters only (issue 11, item 10).

Zero-width characters make a name that looks blank; bidi overrides, embeddings and isolates make
one name display as another; control characters break one-line names. Ordinary Japanese names
(kanji, kana, ー, ・, 々) and any script's letters and marks pass."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.models import Clinic, User
from clinic.validators import MESSAGE, validate_visible_name
from patients.models import Patient
from tests.patients.test_patient_register import URL as REGISTER_URL
from tests.patients.test_patient_register import form_data

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
BIDI = [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
BIDI += ["\u200e", "\u200f", "\u061c"]
CONTROL = ["\n", "\r", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"]
HIDDEN = ZERO_WIDTH + BIDI + CONTROL
JAPANESE_NAMES = [
    "山田 太郎",
    "山田　太郎",
    "カタカナ",
    "ヤマダ・タロウ",
    "佐々木",
    "野々村",
    "ルーシー",
]
HIDDEN_NAMES = [
    "\u200b",
    "\u200b\u200c\u200d",
    "\ufeff\u2060",
    "山田\u202e太郎",
    "\u2066山田\u2069",
    "山田\u200f",
    "山田\n太郎",
    "山田\t太郎",
]


@pytest.mark.parametrize("name", JAPANESE_NAMES)
def test_ordinary_japanese_names_are_valid(name):
    validate_visible_name(name)


@pytest.mark.parametrize("name", HIDDEN_NAMES)
def test_hidden_and_direction_changing_names_are_refused(name):
    with pytest.raises(ValidationError) as refused:
        validate_visible_name(name)
    assert refused.value.messages == [str(MESSAGE)]


@settings(max_examples=100, deadline=None)
@given(before=st.text(max_size=10), hidden=st.sampled_from(HIDDEN), after=st.text(max_size=10))
def test_any_text_holding_a_hidden_character_is_refused(before, hidden, after):
    with pytest.raises(ValidationError):
        validate_visible_name(before + hidden + after)


letters_marks_spaces = st.text(
    alphabet=st.characters(categories=("L", "M", "Zs")), min_size=1, max_size=40
).filter(lambda s: s.strip() and any(ch.isalpha() for ch in s))


@settings(max_examples=100, deadline=None)
@given(name=letters_marks_spaces)
def test_any_text_of_letters_marks_and_spaces_is_accepted(name):
    validate_visible_name(name)


# --- on the pages: the message beside the field, nothing saved ----------------------------------


@pytest.mark.parametrize("field", ["family_name", "given_name", "emergency_contact_name"])
@pytest.mark.parametrize("name", ["\u200b\u200b", "山田\u202e太郎", "山田\n太郎"])
def test_registration_refuses_a_hidden_name_beside_the_field(ours, login, field, name):
    before = Patient.objects.count()
    response = login(ours.frontdesk).post(REGISTER_URL, form_data(**{field: name}))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [str(MESSAGE)]
    assert Patient.objects.count() == before


@pytest.mark.parametrize("name", JAPANESE_NAMES)
def test_registration_accepts_japanese_names(ours, login, name):
    family, _, given = name.replace("　", " ").partition(" ")
    response = login(ours.frontdesk).post(
        REGISTER_URL, form_data(family_name=family, given_name=given or "花子")
    )
    assert response.status_code == 302, response.context["form"].errors
    assert Patient.objects.filter(clinic=ours.clinic, family_name=family).exists()


def test_editing_a_patient_refuses_a_hidden_name(ours, login):
    patient = ours.other_patient
    data = form_data(family_name="\u2067山田\u2069")
    response = login(ours.frontdesk).post(reverse("patients:patient_edit", args=[patient.pk]), data)
    assert response.context["form"].errors["family_name"] == [str(MESSAGE)]
    patient.refresh_from_db()
    assert "\u2067" not in patient.family_name


def staff_data(**changes):
    data = {
        "username": "new-desk",
        "display_name": "受付 花子",
        "email": "",
        "role": "frontdesk",
        "password1": "kuzu-no-ha-2026!",
        "password2": "kuzu-no-ha-2026!",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", "\u200b"),
        ("display_name", "受付\u202e花子"),
        ("display_name", "受付\r\n花子"),
        ("username", "desk\u200d"),
        ("username", "\u202edesk"),
    ],
)
def test_a_staff_account_with_a_hidden_name_is_refused(ours, login, field, value):
    response = login(ours.admin).post(reverse("staff_create"), staff_data(**{field: value}))
    assert response.status_code == 200
    assert str(MESSAGE) in response.context["form"].errors[field]
    assert (
        not User.objects.filter(clinic=ours.clinic, role="frontdesk")
        .exclude(pk=ours.frontdesk.pk)
        .exists()
    )


def test_a_staff_account_with_a_japanese_display_name_is_accepted(ours, login):
    response = login(ours.admin).post(
        reverse("staff_create"), staff_data(display_name="佐々木 ユーリ・々")
    )
    assert response.status_code == 302
    assert User.objects.get(clinic=ours.clinic, username="new-desk").display_name == (
        "佐々木 ユーリ・々"
    )


def test_editing_a_staff_member_refuses_a_hidden_display_name(ours, login):
    member = ours.frontdesk
    response = login(ours.admin).post(
        reverse("staff_edit", args=[member.pk]),
        {
            "username": member.username,
            "display_name": "\ufeff",
            "email": "",
            "role": "frontdesk",
            "is_active": "on",
        },
    )
    assert response.context["form"].errors["display_name"] == [str(MESSAGE)]
    member.refresh_from_db()
    assert member.display_name != "\ufeff"


@pytest.mark.parametrize(
    ("name", "saved"),
    [("\u200b\u200b", False), ("ひかがみ\u202e整体院", False), ("新・ひかがみ整体院", True)],
)
def test_the_clinic_name_is_checked_too(ours, login, name, saved):
    response = login(ours.admin).post(
        reverse("clinic_settings"), {"name": name, "phone": "", "address": "", "tax_rate": "10"}
    )
    assert Clinic.objects.filter(pk=ours.clinic.pk, name=name).exists() is saved
    if not saved:
        assert response.context["form"].errors["name"] == [str(MESSAGE)]
