import unicodedata

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm, SetPasswordMixin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic import two_factor
from clinic.models import STAFF_ROLES, Clinic, Role, User
from clinic.services import ROLE_FIELDS, SETTINGS_FIELDS, STAFF_FIELDS

STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


def clinic_code_field():
    """The clinic's code (its slug), asked where a person names their account: user names and
    e-mail addresses are unique only within a clinic."""
    return forms.CharField(
        label=_("Clinic code"),
        max_length=50,
        help_text=_("Your clinic gives it to you with your log-in."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )


class LoginForm(AuthenticationForm):
    """The clinic's code, then the name and password (clinic/backends.py finds the account).

    One message for a wrong code, name or password: the form never says which was wrong."""

    clinic = clinic_code_field()
    field_order = ["clinic", "username", "password"]
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct clinic code, %(username)s and password. The password is "
            "case-sensitive."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.initial.get("clinic"):  # nothing remembered: the code comes first
            self.fields["username"].widget.attrs.pop("autofocus", None)
            self.fields["clinic"].widget.attrs["autofocus"] = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        clinic = self.cleaned_data.get("clinic")
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if clinic and username is not None and password:
            self.user_cache = authenticate(
                self.request, clinic=clinic, username=username, password=password
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class StaffForm(forms.ModelForm):
    role = forms.ChoiceField(
        label=_("Main role"),
        choices=STAFF_ROLE_CHOICES,
        help_text=_("Opens their home page after the log-in."),
    )

    class Meta:
        model = User
        fields = list(STAFF_FIELDS)
        labels = {
            "is_active": _("Can log in"),
            "also_practitioner": _("Also treats patients (practitioner)"),
            "also_frontdesk": _("Also works at the front desk"),
            "also_admin": _("Also a clinic admin"),
        }
        help_texts = {
            "username": _("Used to log in: letters, digits and @ . + - _ only."),
            "is_active": _("Untick when the person leaves the clinic: records they wrote stay."),
            "display_name": _("Shown on schedules and records, family name first."),
        }

    def __init__(self, *args, clinic=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clinic is not None:
            self.instance.clinic = clinic
        self.fields["display_name"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_username(self):
        """Unique within this clinic, whatever the case; other clinics' names are theirs."""
        username = self.cleaned_data["username"]
        taken = User.objects.filter(
            clinic_id=self.instance.clinic_id, username__iexact=username
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                User._meta.get_field("username").error_messages["unique"], code="unique"
            )
        return username


class NewStaffForm(SetPasswordMixin, StaffForm):
    password1, password2 = SetPasswordMixin.create_password_fields()

    class Meta(StaffForm.Meta):
        fields = ["username", "display_name", "email", *ROLE_FIELDS]

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        self.validate_password_for_user(self.instance)

    def save(self, commit=True):
        user = super().save(commit=False)
        user = self.set_password_and_save(user, commit=commit)
        return user


class StaffPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ClinicSettingsForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = list(SETTINGS_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TwoFactorCodeForm(forms.Form):
    """A 6-digit code from the authenticator app, checked by `check(code)`; the device's
    throttle answers first after repeated wrong codes. With `backup` (the person's backup-code
    device), one of their one-time backup codes is taken too. `used` is the device that took
    the code."""

    code = forms.CharField(
        label=_("6-digit code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device, check, backup=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device, self.check, self.backup = device, check, backup
        self.used = None
        if backup is not None:
            self.fields["code"].label = _("6-digit code, or a backup code")
            self.fields["code"].widget.attrs["inputmode"] = "text"
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_code(self):
        # Full-width digits and spaces come from Japanese input methods and from the app's display.
        code = unicodedata.normalize("NFKC", self.cleaned_data["code"]).replace(" ", "")
        if len(code) == 6 and code.isascii() and code.isdigit():
            self._wait_for(self.device)
            if not self.check(code=code):
                raise forms.ValidationError(
                    _(
                        "That code is not right. Check that your phone's clock is correct and "
                        "enter the code now shown."
                    ),
                    code="wrong",
                )
            self.used = self.device
            return code
        backup_code = two_factor.backup_code_form(code) if self.backup is not None else None
        if backup_code is None:
            raise forms.ValidationError(
                _("Enter the 6-digit code shown in your authenticator app, or a backup code.")
                if self.backup is not None
                else _("Enter the 6-digit code shown in your authenticator app."),
                code="format",
            )
        self._wait_for(self.backup)
        self.used = two_factor.check_backup_code(self.backup.user, backup_code)
        if self.used is None:
            raise forms.ValidationError(
                _("That backup code is not right, or it was used already."), code="wrong"
            )
        return backup_code

    def _wait_for(self, device):
        wait = two_factor.seconds_to_wait(device)
        if wait:
            raise forms.ValidationError(
                ngettext(
                    "Too many wrong codes: wait %(seconds)s second, then try again.",
                    "Too many wrong codes: wait %(seconds)s seconds, then try again.",
                    wait,
                ),
                code="throttled",
                params={"seconds": wait},
            )
