"""Property-based: any input to the assessment sections gives a field message or a clean save."""

from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessments.forms import SECTION_FORMS
from assessments.services import start_assessment
from clinic.models import Role
from tests.factories import ClinicFactory, PatientFactory, UserFactory

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
number_like = st.one_of(
    st.integers(min_value=-1000, max_value=1000).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=12),
)


def _section_data(section):
    form = SECTION_FORMS[section]()
    fields = {}
    for name, field in form.fields.items():
        choices = [value for value, _label in getattr(field, "choices", [])]
        if choices:
            fields[name] = st.one_of(st.sampled_from(choices), st.text(max_size=10))
            if hasattr(field, "widget") and field.widget.allow_multiple_selected:
                fields[name] = st.lists(st.sampled_from(choices + ["bogus"]), max_size=4)
        else:
            fields[name] = st.one_of(
                number_like, st.sampled_from(["on", ""]), st.text(max_size=300)
            )
    return st.fixed_dictionaries({}, optional=fields)


class AssessmentFuzz(TestCase):
    @classmethod
    def setUpTestData(cls):
        clinic = ClinicFactory()
        cls.practitioner = UserFactory(clinic=clinic, role=Role.PRACTITIONER)
        patient = PatientFactory(clinic=clinic)
        cls.assessment = start_assessment(patient=patient, practitioner=cls.practitioner)

    def setUp(self):
        self.client = Client()
        self.client.force_login(self.practitioner)

    def _post(self, section, data):
        self.assessment.refresh_from_db()
        before = self.assessment.revision
        response = self.client.post(
            reverse("assessments:section", args=[self.assessment.pk, section]),
            {**data, "revision": before},
        )
        assert response.status_code in (200, 302)
        self.assessment.refresh_from_db()
        assert self.assessment.revision == before + (response.status_code == 302)

    @FUZZ
    @given(data=_section_data("measurements"))
    def test_measurements(self, data):
        self._post("measurements", data)

    @FUZZ
    @given(data=_section_data("complaint"))
    def test_complaint(self, data):
        self._post("complaint", data)

    @FUZZ
    @given(data=_section_data("palpation"))
    def test_palpation(self, data):
        self._post("palpation", data)

    @FUZZ
    @given(data=_section_data("habits"))
    def test_habits(self, data):
        self._post("habits", data)

    @FUZZ
    @given(data=_section_data("red_flags"))
    def test_red_flags(self, data):
        self._post("red_flags", data)

    @FUZZ
    @given(data=st.one_of(_section_data("posture"), _section_data("lower_limb")))
    def test_posture_and_lower_limb_forms_never_raise(self, data):
        for section in ("posture", "lower_limb"):
            form = SECTION_FORMS[section](data)
            if form.is_valid():
                assert isinstance(form.to_json(), dict)
            else:
                assert form.errors
