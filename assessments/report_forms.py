"""The repeat numbers' range of months (forms.py holds the assessment's forms)."""

import datetime as dt

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.rules import repeat as rules

MONTH_FORMAT = "%Y-%m"


def _month_field(label):
    return forms.DateField(
        label=label,
        input_formats=[MONTH_FORMAT],
        widget=forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT),
    )


class RepeatForm(forms.Form):
    """A range of months: the last 12 (this one included) by default, five years at most."""

    DEFAULT_MONTHS = 12
    MAX_MONTHS = 60

    first = _month_field(_("From (month)"))
    last = _month_field(_("To (month)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The end comes before the start."))
            elif len(rules.months_between(first, last)) > self.MAX_MONTHS:
                self.add_error("last", _("Choose five years or less."))
        return cleaned

    @classmethod
    def defaults(cls, today: dt.date) -> dict:
        return {"first": rules.months_back(today, cls.DEFAULT_MONTHS), "last": today.replace(day=1)}
