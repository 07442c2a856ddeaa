import datetime as dt

from django.urls import reverse
from django.utils import timezone

from patients.models import Consent, Patient

URL = reverse("patients:patient_create")


def form_data(**changes):
    data = {
        "family_name": "佐藤",
        "given_name": "花子",
        "family_name_kana": "さとう",
        "given_name_kana": "ﾊﾅｺ",
        "birth_date": "1985-06-15",
        "sex": "female",
        "phone": "090-1111-2222",
        "email": "hanako@example.jp",
        "postal_code": "1500001",
        "address": "東京都渋谷区",
        "occupation": "会社員",
        "work_style": "desk",
        "emergency_contact_name": "佐藤 一郎",
        "emergency_contact_relation": "夫",
        "emergency_contact_phone": "03-1234-5678",
        "consent_treatment": "on",
        "consent_privacy": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_it_registers_a_patient_with_the_next_number_and_consents(ours, login):
    response = login(ours.frontdesk).post(URL, form_data())
    patient = Patient.objects.get(clinic=ours.clinic, family_name="佐藤")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:patient_detail", args=[patient.pk])
    assert patient.family_name_kana == "サトウ" and patient.given_name_kana == "ハナコ"
    assert patient.postal_code == "150-0001"
    assert patient.created_by == ours.frontdesk
    consents = Consent.objects.filter(patient=patient)
    assert {c.kind for c in consents if c.given} == {"treatment", "privacy"}
    assert {c.recorded_by for c in consents} == {ours.frontdesk}
    assert {c.text_version for c in consents} == {"2026-11"}


def test_numbers_are_unique_within_a_clinic_and_independent_between_clinics(ours, theirs, login):
    login(ours.frontdesk).post(URL, form_data())
    login(ours.frontdesk).post(
        URL, form_data(given_name="次郎", given_name_kana="ジロウ", phone="090-3333-4444")
    )
    login(theirs.frontdesk).post(URL, form_data())
    ours_numbers = list(
        Patient.objects.filter(clinic=ours.clinic, family_name="佐藤")
        .order_by("number")
        .values_list("number", flat=True)
    )
    theirs_number = Patient.objects.get(clinic=theirs.clinic, family_name="佐藤").number
    assert ours_numbers == [3, 4]  # the cast holds numbers 1 and 2 in each clinic
    assert theirs_number == 3


def test_it_shows_possible_duplicates_before_saving(ours, login):
    client = login(ours.frontdesk)
    client.post(URL, form_data())
    response = client.post(URL, form_data(given_name="華子", phone="080-9999-0000"))
    assert response.status_code == 200
    assert response.context["duplicates"][0].given_name == "花子"
    assert "華子" in response.content.decode()  # what was typed is kept
    assert Patient.objects.filter(clinic=ours.clinic, family_name="佐藤").count() == 1


def test_a_shared_phone_number_is_a_possible_duplicate(ours, login):
    client = login(ours.frontdesk)
    client.post(URL, form_data())
    response = client.post(
        URL,
        form_data(
            given_name="健", given_name_kana="ケン", birth_date="2010-01-01", phone="09011112222"
        ),
    )
    assert [p.given_name for p in response.context["duplicates"]] == ["花子"]


def test_the_user_can_register_a_duplicate_deliberately(ours, login):
    client = login(ours.frontdesk)
    client.post(URL, form_data())
    response = client.post(URL, form_data(confirm_duplicates="1"))
    assert response.status_code == 302
    assert Patient.objects.filter(clinic=ours.clinic, family_name="佐藤").count() == 2


def test_another_clinics_patient_is_not_a_duplicate(ours, theirs, login):
    login(theirs.frontdesk).post(URL, form_data())
    response = login(ours.frontdesk).post(URL, form_data())
    assert response.status_code == 302


def _errors_for(client, **changes):
    response = client.post(URL, form_data(**changes))
    assert response.status_code == 200
    return response.context["form"].errors


def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(ours, login):
    client = login(ours.frontdesk)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    cases = {
        "birth_date": tomorrow,
        "phone": "12345",
        "emergency_contact_phone": "090-1234-567890",
        "family_name_kana": "佐藤",
        "postal_code": "15000",
        "email": "not-an-email",
        "family_name": "長" * 41,
        "sex": "robot",
        "consent_treatment": None,
    }
    before = Patient.objects.count()
    for field, value in cases.items():
        errors = _errors_for(client, **{field: value})
        assert list(errors) == [field], (field, errors)
    assert Patient.objects.count() == before
    assert Consent.objects.count() == 0


def test_error_messages_are_japanese_by_default(ours, login):
    response = login(ours.frontdesk).post(URL, form_data(phone="12345"))
    assert "電話番号" in response.context["form"].errors["phone"][0]


def test_a_birth_date_before_1900_is_refused(ours, login):
    errors = _errors_for(login(ours.frontdesk), birth_date="1899-12-31")
    assert "birth_date" in errors
    response = login(ours.frontdesk).post(URL, form_data(birth_date="1900-01-01"))
    assert response.status_code == 302


def test_today_is_a_valid_birth_date(ours, login):
    response = login(ours.frontdesk).post(
        URL, form_data(birth_date=timezone.localdate().isoformat())
    )
    assert response.status_code == 302


def test_international_japanese_numbers_are_accepted_and_others_refused(ours, login):
    client = login(ours.frontdesk)
    assert "phone" in _errors_for(client, phone="+1 415 555 0100")
    response = client.post(URL, form_data(phone="+81 90-1111-2223"))
    assert response.status_code == 302
