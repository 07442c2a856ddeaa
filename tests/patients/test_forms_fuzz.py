"""Property-based: whatever is typed into the patient and booking forms, no 500 and no half save.

Hypothesis's own Django TestCase isolates each example (pytest-django does not, #912).
"""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from clinic.models import Role
from patients.models import Appointment, Consent, Patient
from tests.factories import ClinicFactory, PatientFactory, UserFactory

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
any_text = st.text(max_size=300)
digits_text = st.text(alphabet="0123456789-+()０１２３ 　", max_size=20)
dates = st.one_of(st.dates(min_value=dt.date(1, 1, 1)).map(str), any_text)

patient_fields = st.fixed_dictionaries(
    {},
    optional={
        "family_name": any_text,
        "given_name": any_text,
        "family_name_kana": st.one_of(
            any_text, st.text(alphabet="アイウエオやまだﾔﾏﾀﾞ ", max_size=70)
        ),
        "given_name_kana": any_text,
        "birth_date": dates,
        "sex": st.sampled_from(["female", "male", "other", "unspecified", "", "x"]),
        "phone": st.one_of(digits_text, any_text),
        "email": any_text,
        "postal_code": st.one_of(digits_text, any_text),
        "address": any_text,
        "occupation": any_text,
        "work_style": st.sampled_from(["desk", "mixed", "", "?"]),
        "emergency_contact_name": any_text,
        "emergency_contact_phone": digits_text,
        "consent_treatment": st.sampled_from(["on", ""]),
        "consent_privacy": st.sampled_from(["on", ""]),
        "confirm_duplicates": st.sampled_from(["1", ""]),
    },
)


class FormFuzz(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.clinic = ClinicFactory()
        cls.desk = UserFactory(clinic=cls.clinic, role=Role.FRONT_DESK)
        cls.practitioner = UserFactory(clinic=cls.clinic, role=Role.PRACTITIONER)
        cls.patient = PatientFactory(clinic=cls.clinic)

    def setUp(self):
        self.client = Client()
        self.client.force_login(self.desk)

    @FUZZ
    @given(data=patient_fields)
    def test_patient_registration_never_fails_and_never_half_saves(self, data):
        patients, consents = Patient.objects.count(), Consent.objects.count()
        response = self.client.post(reverse("patients:patient_create"), data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert Patient.objects.count() == patients
            assert Consent.objects.count() == consents
        else:
            assert Patient.objects.count() == patients + 1
            assert Consent.objects.count() == consents + 2

    @FUZZ
    @given(data=patient_fields)
    def test_patient_edit_never_fails(self, data):
        response = self.client.post(reverse("patients:patient_edit", args=[self.patient.pk]), data)
        assert response.status_code in (200, 302)

    @FUZZ
    @given(
        data=st.fixed_dictionaries(
            {},
            optional={
                "patient_number": st.one_of(st.integers().map(str), any_text),
                "practitioner": st.one_of(st.integers().map(str), any_text),
                "start": st.one_of(
                    st.datetimes(min_value=dt.datetime(1, 1, 1)).map(
                        lambda d: d.strftime("%Y-%m-%dT%H:%M")
                    ),
                    any_text,
                ),
                "minutes": st.one_of(st.integers().map(str), any_text),
                "reason": any_text,
            },
        )
    )
    def test_booking_never_fails_and_never_half_saves(self, data):
        before = Appointment.objects.count()
        response = self.client.post(reverse("patients:book"), data)
        assert response.status_code in (200, 302)
        assert Appointment.objects.count() == before + (response.status_code == 302)

    @FUZZ
    @given(q=any_text, page=any_text, date=any_text, practitioner=any_text, patient=any_text)
    def test_lists_and_day_views_take_any_query_string(self, q, page, date, practitioner, patient):
        assert (
            self.client.get(reverse("patients:patient_list"), {"q": q, "page": page}).status_code
            == 200
        )
        assert (
            self.client.get(
                reverse("patients:day_view"), {"date": date, "practitioner": practitioner}
            ).status_code
            == 200
        )
        assert self.client.get(reverse("patients:book"), {"patient": patient}).status_code == 200


def test_a_valid_booking_from_the_fuzzed_form_shape_is_accepted(ours, login):
    """The fuzzer's field names are the form's: a correct booking with them goes through."""
    start = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=4), dt.time(10))
    response = login(ours.frontdesk).post(
        reverse("patients:book"),
        {
            "patient_number": ours.patient.number,
            "practitioner": ours.practitioner.pk,
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "minutes": "30",
            "reason": "",
        },
    )
    assert response.status_code == 302
