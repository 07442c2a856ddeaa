import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic.access import practitioners_for
from patients import normalize, selectors
from patients.models import ConsentKind, Patient

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


def clean_phone(value: str, *, required: bool) -> str:
    """A Japanese phone number (landline 10 digits, mobile 11; +81 accepted), kept as typed."""
    value = (value or "").strip()
    if not value:
        if required:
            raise forms.ValidationError(_("Enter a phone number."), code="required")
        return ""
    number = normalize.digits(value)
    if value.lstrip().startswith("+"):
        if not number.startswith("81"):
            raise forms.ValidationError(_("Only Japanese numbers (+81) are accepted."))
        number = "0" + number[2:]
    allowed = set("0123456789-()+ 　－（）＋０１２３４５６７８９")
    if (
        any(ch not in allowed for ch in value)
        or not number.startswith("0")
        or not (10 <= len(number) <= 11)
    ):
        raise forms.ValidationError(
            _("Enter a Japanese phone number, e.g. 03-1234-5678 or 090-1234-5678."),
            code="invalid_phone",
        )
    return value


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "family_name",
            "given_name",
            "family_name_kana",
            "given_name_kana",
            "birth_date",
            "sex",
            "phone",
            "email",
            "postal_code",
            "address",
            "occupation",
            "work_style",
            "emergency_contact_name",
            "emergency_contact_relation",
            "emergency_contact_phone",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields["emergency_contact_phone"].widget.attrs.update(inputmode="tel")
        self.fields["postal_code"].widget.attrs.update(placeholder="123-4567", inputmode="numeric")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Name"),
                Row(Column("family_name"), Column("given_name")),
                Row(Column("family_name_kana"), Column("given_name_kana")),
            ),
            Fieldset(_("Profile"), Row(Column("birth_date"), Column("sex"))),
            Fieldset(
                _("Contact"),
                Row(Column("phone"), Column("email")),
                Row(Column("postal_code", css_class="col-md-3"), Column("address")),
            ),
            Fieldset(_("Work"), Row(Column("occupation"), Column("work_style"))),
            Fieldset(
                _("Emergency contact"),
                Row(
                    Column("emergency_contact_name"),
                    Column("emergency_contact_relation"),
                    Column("emergency_contact_phone"),
                ),
            ),
        )

    def _clean_kana(self, field):
        value = normalize.to_katakana(self.cleaned_data.get(field, ""))
        if not normalize.is_katakana(value):
            raise forms.ValidationError(
                _("Enter the reading in kana (katakana or hiragana)."), code="kana"
            )
        return value

    def clean_family_name_kana(self):
        return self._clean_kana("family_name_kana")

    def clean_given_name_kana(self):
        return self._clean_kana("given_name_kana")

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        if born > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(_("Check the date of birth: it is before 1900."))
        return born

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone"), required=True)

    def clean_emergency_contact_phone(self):
        return clean_phone(self.cleaned_data.get("emergency_contact_phone"), required=False)

    def clean_postal_code(self):
        value = self.cleaned_data.get("postal_code", "").strip()
        if not value:
            return ""
        number = normalize.digits(value)
        allowed = set("0123456789-－０１２３４５６７８９〒 ")
        if len(number) != 7 or any(ch not in allowed for ch in value):
            raise forms.ValidationError(_("Enter a 7-digit postal code, e.g. 150-0001."))
        return f"{number[:3]}-{number[3:]}"


class NewPatientForm(PatientForm):
    consent_treatment = forms.BooleanField(
        label=ConsentKind.TREATMENT.label,
        error_messages={"required": _("Treatment cannot be recorded without this consent.")},
    )
    consent_privacy = forms.BooleanField(
        label=ConsentKind.PRIVACY.label,
        error_messages={"required": _("Personal data cannot be kept without this consent.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.append(Fieldset(_("Consent"), "consent_treatment", "consent_privacy"))

    def consents(self) -> dict[str, bool]:
        return {
            ConsentKind.TREATMENT: self.cleaned_data["consent_treatment"],
            ConsentKind.PRIVACY: self.cleaned_data["consent_privacy"],
        }


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    archived = forms.BooleanField(label=_("Archived patients"), required=False)


class BookingForm(forms.Form):
    patient_number = forms.IntegerField(
        label=_("Patient number"),
        min_value=1,
        max_value=99_999_999,
        error_messages={"invalid": _("Enter the patient number in digits.")},
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose a practitioner of this clinic.")},
    )
    start = forms.DateTimeField(
        label=_("Start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        initial=30,
        min_value=5,
        max_value=240,
        error_messages={
            "min_value": _("The visit must end after it starts: at least 5 minutes."),
            "max_value": _("A visit can last at most 240 minutes."),
        },
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    reason = forms.CharField(label=_("Reason for visit"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["practitioner"].queryset = practitioners_for(user.clinic_id)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("patient_number", css_class="col-md-4"), Column("practitioner")),
            Row(Column("start"), Column("minutes", css_class="col-md-4")),
            "reason",
        )

    def clean_patient_number(self):
        number = self.cleaned_data["patient_number"]
        self.patient = selectors.patients_for(self.user).filter(number=number).first()
        if self.patient is None:
            raise forms.ValidationError(_("No patient with this number in this clinic."))
        if self.patient.is_archived:
            raise forms.ValidationError(
                _("%(name)s is archived: restore the record on the patient's page first.")
                % {"name": self.patient.full_name}
            )
        return number

    def clean_start(self):
        start = self.cleaned_data["start"]
        local = timezone.localtime(start)
        if start < timezone.now():
            raise forms.ValidationError(_("A visit cannot be booked in the past."))
        if start.year > timezone.localdate().year + 2:
            raise forms.ValidationError(_("Bookings can be made up to two years ahead."))
        if not settings.CLINIC_OPENS <= local.time() < settings.CLINIC_CLOSES:
            raise forms.ValidationError(
                _("Visits start between %(opens)s and %(closes)s.")
                % {
                    "opens": settings.CLINIC_OPENS.strftime("%H:%M"),
                    "closes": settings.CLINIC_CLOSES.strftime("%H:%M"),
                }
            )
        if local.minute % 5:
            raise forms.ValidationError(_("Start on a 5-minute mark (e.g. 10:00, 10:05)."))
        return start

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes % 5:
            raise forms.ValidationError(_("Choose a length in steps of 5 minutes."))
        return minutes

    def clean(self):
        cleaned = super().clean()
        start, minutes = cleaned.get("start"), cleaned.get("minutes")
        if start and minutes:
            local_start = timezone.localtime(start)
            end = local_start + dt.timedelta(minutes=minutes)
            if end.date() != local_start.date() or end.time() > settings.CLINIC_CLOSES:
                self.add_error(
                    "minutes",
                    _("The visit would end after closing time (%(closes)s).")
                    % {"closes": settings.CLINIC_CLOSES.strftime("%H:%M")},
                )
        return cleaned
