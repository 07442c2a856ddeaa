"""The visit record's one form, laid out for a tablet: radio buttons (pain 0-10, the re-check,
the response, home care, the side of each item) rather than dropdowns, and a row per in-clinic
item of the plan (done, side, note). It writes the data `visit_records` takes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import RECHECK_FIELDS, HomeCare, Response, VisitSide
from assessments.rules import visit as visit_rules
from assessments.rules.facts import Side

PAIN = [(str(n), str(n)) for n in range(11)]
NOT_RECORDED = ""
YES, NO = "yes", "no"
YES_NO = [(YES, _("Yes")), (NO, _("No"))]
SIDE_LABELS = dict(VisitSide.choices)
RADIO = {"class": "btn-check"}


def _radio():
    return forms.RadioSelect(attrs=RADIO)


def _pain_field(label, *, required):
    return forms.TypedChoiceField(
        label=label,
        choices=PAIN if required else [(NOT_RECORDED, _("Not asked")), *PAIN],
        coerce=int,
        empty_value=None,
        required=required,
        widget=_radio(),
        error_messages={
            "required": _("Rate the pain before the session, from 0 (none) to 10 (worst)."),
            "invalid_choice": _("Pain is rated from 0 (none) to 10 (worst)."),
        },
    )


def _recheck_field(question):
    return forms.TypedChoiceField(
        label=question.label,
        choices=YES_NO,
        coerce=lambda answer: answer == YES,
        empty_value=None,
        widget=_radio(),
        error_messages={
            "required": _("Answer this question: choose “No” if nothing is new."),
            "invalid_choice": _("Answer this question: choose “No” if nothing is new."),
        },
    )


class VisitRecordForm(forms.Form):
    pain_before = _pain_field(_("Pain before the session (0-10)"), required=True)
    pain_after = _pain_field(_("Pain after the session (0-10)"), required=False)
    other_work = forms.CharField(label=_("Anything else done"), max_length=300, required=False)
    response = forms.ChoiceField(
        label=_("How the patient responded"),
        choices=Response.choices,
        widget=_radio(),
        error_messages={"required": _("Choose how the patient responded.")},
    )
    response_note = forms.CharField(
        label=_("The response, in words"), max_length=300, required=False
    )
    home_care = forms.ChoiceField(
        label=_("Home exercises since the last visit"),
        choices=HomeCare.choices,
        widget=_radio(),
        error_messages={"required": _("Choose whether the home exercises were done.")},
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_visit_on = forms.DateField(
        label=_("Next visit suggested"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    new_swelling_or_heat = _recheck_field(visit_rules.QUESTION_BY_CODE["new_swelling_or_heat"])
    new_numbness = _recheck_field(visit_rules.QUESTION_BY_CODE["new_numbness"])
    much_worse_pain = _recheck_field(visit_rules.QUESTION_BY_CODE["much_worse_pain"])

    def __init__(self, *args, plan_items=(), amending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan_items = list(plan_items)
        self.rows = []
        for item in self.plan_items:
            self._item_fields(item)
        if amending:  # the re-check stands as answered at the visit
            for code in RECHECK_FIELDS:
                self.fields[code].disabled = True

    def _item_fields(self, item):
        prefix = f"item-{item.pk}"
        sides = visit_rules.allowed_sides(item.side)
        self.fields[f"{prefix}-done"] = forms.BooleanField(
            label=_("Done"),
            required=False,
            widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        )
        if len(sides) > 1:
            self.fields[f"{prefix}-side"] = forms.ChoiceField(
                label=_("Side"),
                choices=[(side, SIDE_LABELS[side]) for side in sides],
                required=False,
                widget=_radio(),
            )
        self.fields[f"{prefix}-note"] = forms.CharField(
            label=_("Note"), max_length=200, required=False
        )
        self.rows.append(
            {
                "item": item,
                "done": self[f"{prefix}-done"],
                "side": self[f"{prefix}-side"] if len(sides) > 1 else None,
                "fixed_side": SIDE_LABELS[sides[0]] if len(sides) == 1 else None,
                "note": self[f"{prefix}-note"],
            }
        )

    @property
    def recheck_fields(self):
        return [self[code] for code in RECHECK_FIELDS]

    def clean(self):
        cleaned = super().clean()
        for item in self.plan_items:
            prefix = f"item-{item.pk}"
            done = cleaned.get(f"{prefix}-done")
            sides = visit_rules.allowed_sides(item.side)
            if done and len(sides) > 1 and not cleaned.get(f"{prefix}-side"):
                self.add_error(f"{prefix}-side", _("Choose the side it was done on."))
            if not done and cleaned.get(f"{prefix}-note"):
                self.add_error(f"{prefix}-note", _("Tick the item to keep its note."))
        return cleaned

    def to_data(self) -> dict:
        """The record's data as `visit_records` takes it."""
        cleaned = self.cleaned_data
        data = {
            name: cleaned.get(name)
            for name in (
                "pain_before",
                "pain_after",
                "other_work",
                "response",
                "response_note",
                "home_care",
                "notes",
            )
        }
        data["next_visit_on"] = cleaned.get("next_visit_on")
        data["recheck"] = {code: cleaned.get(code) for code in RECHECK_FIELDS}
        data["items"] = {}
        for item in self.plan_items:
            prefix = f"item-{item.pk}"
            if cleaned.get(f"{prefix}-done"):
                sides = visit_rules.allowed_sides(item.side)
                side = sides[0] if len(sides) == 1 else cleaned.get(f"{prefix}-side")
                data["items"][item.pk] = {"side": side, "note": cleaned.get(f"{prefix}-note", "")}
        return data


def initial_from(data: dict) -> dict:
    """A stored record's data (`visit_records.data_of`) as the form's initial values."""
    initial = {
        key: value
        for key, value in data.items()
        if key not in ("recheck", "items") and value is not None
    }
    for key in ("pain_before", "pain_after"):
        if data.get(key) is not None:
            initial[key] = str(data[key])
    for code, answer in (data.get("recheck") or {}).items():
        if answer is not None:
            initial[code] = YES if answer else NO
    for pk, values in (data.get("items") or {}).items():
        initial[f"item-{pk}-done"] = True
        initial[f"item-{pk}-side"] = values.get("side") or Side.NONE
        initial[f"item-{pk}-note"] = values.get("note", "")
    return initial
