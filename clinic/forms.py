from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm, SetPasswordMixin
from django.utils.translation import gettext_lazy as _

from clinic.models import STAFF_ROLES, Role, User

STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class StaffForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=STAFF_ROLE_CHOICES)

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "role", "is_active"]
        labels = {"is_active": _("Can log in")}
        help_texts = {
            "username": _("Used to log in: letters, digits and @ . + - _ only."),
            "is_active": _("Untick when the person leaves the clinic: records they wrote stay."),
            "display_name": _("Shown on schedules and records, family name first."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.helper = FormHelper()
        self.helper.form_tag = False


class NewStaffForm(SetPasswordMixin, StaffForm):
    password1, password2 = SetPasswordMixin.create_password_fields()

    class Meta(StaffForm.Meta):
        fields = ["username", "display_name", "email", "role"]

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
