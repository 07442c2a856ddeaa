import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clinic.access import practitioners_for
from patients import normalize, selectors
from patients.menus import MENU_FIELDS
from patients.models import (
    CancelReason,
    Closure,
    ConsentKind,
    DayOff,
    Menu,
    MenuColour,
    Patient,
    Weekday,
)
from patients.services import REPEAT_WEEKS

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
# The length a booking starts from in a clinic without menus (its visits are mostly 45 minutes).
DEFAULT_MINUTES = 45


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


class MenuChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(name)s (%(minutes)s min, ¥%(price)s)") % {
            "name": obj.name,
            "minutes": obj.minutes,
            "price": f"{obj.price:,}",
        }


def _start_field():
    return forms.DateTimeField(
        label=_("Start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def check_start(start: dt.datetime) -> dt.datetime:
    """A visit's start as the desk may book it: ahead, within two years, on a 5-minute mark."""
    local = timezone.localtime(start)
    if start < timezone.now():
        raise forms.ValidationError(_("A visit cannot be booked in the past."))
    if start.year > timezone.localdate().year + 2:
        raise forms.ValidationError(_("Bookings can be made up to two years ahead."))
    if local.minute % 5:
        raise forms.ValidationError(_("Start on a 5-minute mark (e.g. 10:00, 10:05)."))
    return start


class BookingForm(forms.Form):
    """The desk books a visit. The patient is found by name or kana (the search box lists the
    matches to pick from; patients/selectors.patient_matches), or by the patient number typed in
    full. A clinic with menus picks one, and the visit lasts the menu's length; a clinic that
    has no menu yet types the length instead. "Every week for N weeks" books a series after a
    preview of each date. The clinic's hours and the practitioner's shifts are checked by the
    service (patients/working_hours.py), which puts its reason next to the start or the
    practitioner."""

    patient_query = forms.CharField(
        label=_("Find the patient (name or kana)"), max_length=100, required=False
    )
    patient = forms.IntegerField(required=False, widget=forms.HiddenInput)
    patient_number = forms.IntegerField(
        label=_("or the patient number"),
        required=False,
        min_value=1,
        max_value=99_999_999,
        error_messages={"invalid": _("Enter the patient number in digits.")},
    )
    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose a practitioner of this clinic.")},
    )
    menu = MenuChoiceField(
        label=_("Menu"),
        queryset=None,
        error_messages={
            "required": _("Choose a menu."),
            "invalid_choice": _("Choose one of the menus this clinic offers."),
        },
    )
    start = _start_field()
    minutes = forms.IntegerField(
        label=_("Length (minutes)"),
        initial=DEFAULT_MINUTES,
        min_value=5,
        max_value=240,
        error_messages={
            "min_value": _("The visit must end after it starts: at least 5 minutes."),
            "max_value": _("A visit can last at most 240 minutes."),
        },
        widget=forms.NumberInput(attrs={"step": 5}),
    )
    reason = forms.CharField(label=_("Reason for visit"), max_length=200, required=False)
    weeks = forms.IntegerField(
        label=_("Every week for (weeks)"),
        initial=1,
        required=False,
        min_value=1,
        max_value=REPEAT_WEEKS,
        help_text=_("1 books this date only; up to 12 books the same time every week."),
        error_messages={
            "min_value": _("At least 1 week."),
            "max_value": _("At most 12 weeks at once."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.patient = None
        self.fields["practitioner"].queryset = practitioners_for(user.clinic_id)
        menus = selectors.menus_for(user).filter(is_active=True)
        self.has_menus = menus.exists()
        if self.has_menus:
            self.fields["menu"].queryset = menus
            del self.fields["minutes"]
            length = "menu"
        else:
            del self.fields["menu"]
            length = "minutes"
        self.fields["patient_query"].widget.attrs.update(
            {"autocomplete": "off", "class": "form-control patient-search", "type": "search"}
        )
        self.fields["patient_number"].widget.attrs.update({"class": "form-control"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("practitioner"), Column(length, css_class="col-md-5")),
            Row(Column("start"), Column("weeks", css_class="col-md-5")),
            "reason",
        )

    def _found(self, patient):
        if patient is None:
            return None
        if patient.is_archived:
            raise forms.ValidationError(
                _("%(name)s is archived: restore the record on the patient's page first.")
                % {"name": patient.full_name}
            )
        return patient

    def clean_patient(self):
        pk = self.cleaned_data["patient"]
        if pk is not None:
            found = selectors.patients_for(self.user).filter(pk=pk).first()
            if found is None:
                raise forms.ValidationError(_("Choose the patient from the list."))
            self.patient = self._found(found)
        return pk

    def clean_patient_number(self):
        number = self.cleaned_data["patient_number"]
        if number is not None and self.patient is None:
            found = selectors.patients_for(self.user).filter(number=number).first()
            if found is None:
                raise forms.ValidationError(_("No patient with this number in this clinic."))
            self.patient = self._found(found)
        return number

    def clean(self):
        cleaned = super().clean()
        if self.patient is None and not self.has_error("patient_number"):
            if not self.has_error("patient"):
                self.add_error(
                    "patient_query",
                    _("Find the patient by name or kana and pick them, or type their number."),
                )
        return cleaned

    def clean_start(self):
        return check_start(self.cleaned_data["start"])

    def clean_weeks(self):
        return self.cleaned_data["weeks"] or 1  # left empty: this date only

    def clean_minutes(self):
        minutes = self.cleaned_data["minutes"]
        if minutes % 5:
            raise forms.ValidationError(_("Choose a length in steps of 5 minutes."))
        return minutes

    def booking(self) -> dict:
        """The service's arguments for what was typed: the menu, or the length typed."""
        if self.has_menus:
            return {"menu": self.cleaned_data["menu"]}
        return {"minutes": self.cleaned_data["minutes"]}


class MoveForm(forms.Form):
    """Where a visit moves: another start, and the same or another practitioner."""

    practitioner = forms.ModelChoiceField(
        label=_("Practitioner"),
        queryset=None,
        error_messages={"invalid_choice": _("Choose a practitioner of this clinic.")},
    )
    start = _start_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners_for(user.clinic_id)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("start"), Column("practitioner")))

    def clean_start(self):
        return check_start(self.cleaned_data["start"])


class VisitEditForm(forms.Form):
    """A visit's menu, reason and desk note."""

    menu = MenuChoiceField(
        label=_("Menu"),
        queryset=None,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the menus this clinic offers.")},
    )
    reason = forms.CharField(label=_("Reason for visit"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Desk note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, visit, **kwargs):
        super().__init__(*args, **kwargs)
        offered = selectors.menus_for(user).filter(Q(is_active=True) | Q(pk=visit.menu_id))
        self.fields["menu"].queryset = offered
        if visit.menu_id is not None:
            self.fields["menu"].required = True
            self.fields["menu"].error_messages["required"] = _("Choose a menu.")
        self.helper = FormHelper()
        self.helper.form_tag = False


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the visit cancelled?"),
        choices=CancelReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why the visit is cancelled."),
            "invalid_choice": _("Choose why the visit is cancelled."),
        },
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


# The clinic admin's set-up: menus, the clinic's week and closures, a practitioner's shifts and
# days off. The services (patients/menus.py, patients/working_hours.py) check again and save.


def _time_input():
    return forms.TimeInput(
        attrs={"type": "time", "step": 300, "class": "form-control"}, format="%H:%M"
    )


class MenuForm(forms.ModelForm):
    class Meta:
        model = Menu
        fields = list(MENU_FIELDS)
        widgets = {
            "minutes": forms.NumberInput(attrs={"step": 5, "min": 5, "max": 240}),
            "price": forms.NumberInput(attrs={"step": 10, "min": 0, "inputmode": "numeric"}),
            "colour": forms.RadioSelect,
        }
        help_texts = {
            "minutes": _(
                "Between 5 and 240 minutes, in steps of 5: a booking of this menu lasts this long."
            ),
            "price": _("In yen, tax included."),
        }

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.clinic = clinic
        # Each colour shown as itself beside its name (a class: the CSP allows no style attribute).
        self.fields["colour"].choices = [
            (code, format_html('<span class="menu-swatch menu-colour-{}"></span> {}', code, label))
            for code, label in MenuColour.choices
        ]
        self.fields["price"].error_messages["min_value"] = _("A price cannot be negative.")
        self.fields["minutes"].error_messages["min_value"] = _(
            "Between 5 and 240 minutes, in steps of 5."
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and price < 0:
            raise forms.ValidationError(_("A price cannot be negative."))
        return price


class WeekForm(forms.Form):
    """The clinic's opening hours, one row per weekday: open (from, until) or closed."""

    def __init__(self, *args, week: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for day, label in Weekday.choices:
            opened = week.get(day)
            self.fields[f"open_{day}"] = forms.BooleanField(
                label=label,
                required=False,
                initial=opened is not None,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("opens"),
                required=False,
                widget=_time_input(),
                initial=opened.start if opened else None,
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("closes"),
                required=False,
                widget=_time_input(),
                initial=opened.end if opened else None,
            )

    def rows(self):
        """(weekday label, open box, opens, closes) for the template's table."""
        return [
            (label, self[f"open_{day}"], self[f"opens_{day}"], self[f"closes_{day}"])
            for day, label in Weekday.choices
        ]

    def clean(self):
        cleaned = super().clean()
        for day in Weekday.values:
            if not cleaned.get(f"open_{day}"):
                continue
            opens, closes = cleaned.get(f"opens_{day}"), cleaned.get(f"closes_{day}")
            if f"opens_{day}" in self.errors or f"closes_{day}" in self.errors:
                continue
            if opens is None:
                self.add_error(f"opens_{day}", _("Enter the opening time, or untick the day."))
            if closes is None:
                self.add_error(f"closes_{day}", _("Enter the closing time, or untick the day."))
            if opens and closes and not opens < closes:
                self.add_error(f"closes_{day}", _("Closing time comes after opening time."))
        return cleaned

    def week(self) -> dict:
        return {
            day: (
                (self.cleaned_data[f"opens_{day}"], self.cleaned_data[f"closes_{day}"])
                if self.cleaned_data.get(f"open_{day}")
                else None
            )
            for day in Weekday.values
        }


class DatedForm(forms.ModelForm):
    """A closure or a day off: a date and an optional reason."""

    class Meta:
        fields = ["day", "reason"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("day", css_class="col-md-4"), Column("reason")))

    def clean_day(self):
        day = self.cleaned_data["day"]
        today = timezone.localdate()
        if day < today:
            raise forms.ValidationError(_("Choose today or a later date."))
        if day.year > today.year + 2:
            raise forms.ValidationError(_("Up to two years ahead."))
        return day


class ClosureForm(DatedForm):
    class Meta(DatedForm.Meta):
        model = Closure


class DayOffForm(DatedForm):
    class Meta(DatedForm.Meta):
        model = DayOff


class ShiftForm(forms.Form):
    """One weekly shift; a row left empty is no shift."""

    weekday = forms.TypedChoiceField(
        label=_("weekday"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = forms.TimeField(
        label=pgettext_lazy("time of day", "from"), required=False, widget=_time_input()
    )
    end = forms.TimeField(
        label=pgettext_lazy("time of day", "until"), required=False, widget=_time_input()
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        weekday, start, end = cleaned.get("weekday"), cleaned.get("start"), cleaned.get("end")
        if weekday is None and start is None and end is None:
            return cleaned
        if weekday is None:
            self.add_error("weekday", _("Choose the weekday of this shift."))
        if start is None:
            self.add_error("start", _("Enter when the shift starts."))
        if end is None:
            self.add_error("end", _("Enter when the shift ends."))
        if start and end and not start < end:
            self.add_error("end", _("A shift ends after it starts."))
        return cleaned

    def shift(self):
        data = self.cleaned_data
        if data.get("weekday") is None:
            return None
        return (data["weekday"], data["start"], data["end"])


class BaseShiftFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        taken: dict[int, list] = {}
        for form in self.forms:
            shift = form.shift()
            if shift is None:
                continue
            weekday, start, end = shift
            for other_start, other_end in taken.get(weekday, []):
                if start < other_end and other_start < end:
                    form.add_error(
                        "start",
                        _("This overlaps the shift %(start)s-%(end)s on the same weekday.")
                        % {"start": f"{other_start:%H:%M}", "end": f"{other_end:%H:%M}"},
                    )
            taken.setdefault(weekday, []).append((start, end))

    def shifts(self) -> list:
        return [shift for form in self.forms if (shift := form.shift()) is not None]


ShiftFormSet = forms.formset_factory(
    ShiftForm, formset=BaseShiftFormSet, extra=3, max_num=40, validate_max=True
)


class DayCloseForm(forms.Form):
    """The day's close: the change float the drawer started with, the cash counted in it now,
    and a note (required by the close when the count differs)."""

    float_yen = forms.IntegerField(
        label=_("Change float (yen)"),
        min_value=0,
        max_value=100_000_000,
        help_text=_("The cash the drawer held before the first payment of the day."),
    )
    counted_cash = forms.IntegerField(
        label=_("Counted cash (yen)"),
        min_value=0,
        max_value=100_000_000,
        help_text=_("All the cash in the drawer now, float included."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the count differs from the expected cash."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
