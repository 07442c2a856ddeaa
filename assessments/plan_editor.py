"""The care-plan editor's forms: one form for the whole draft.

Every button of the editor (save, move, remove, add, publish) submits everything typed on the
page, so saving one part never loses unsaved edits in another. `Editor` binds the goals and note,
each item's dose and side, and the add-an-item fields; it is valid only when all of them are,
and the service saves all or nothing. A hazard that stops a change is shown next to the field it
concerns, with the typed values kept.
"""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments import plans
from assessments.models import CarePlan, PlanItem
from assessments.rules.facts import LEG_LABELS, Side
from assessments.rules.hazards import SEVERITY_SHORT, staff_why
from assessments.rules.plan import KIND_LABELS
from assessments.rules.plan_rules import BOTH_AT_ONCE, NOT_ON_A_LEG, placement_of
from assessments.rules.wording import sentences

SIDES = [
    ("both", gettext_lazy("Both legs")),
    ("left", gettext_lazy("Left leg only")),
    ("right", gettext_lazy("Right leg only")),
]
EXTRA_SIDES = [
    ("", gettext_lazy("Neither")),
    ("left", gettext_lazy("Left")),
    ("right", gettext_lazy("Right")),
]
DOSED_KINDS = (PlanItem.Kind.EXERCISE, PlanItem.Kind.COMPRESS)


class _Small(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"


class DoseForm(_Small):
    """One item's dose, side and (when a relative hazard holds) the reason to give it anyway.
    Only the fields that apply to the item are on the form, so a field nobody was shown is
    never saved empty."""

    hold_seconds = forms.IntegerField(
        label=gettext_lazy("Hold (s)"), min_value=1, max_value=600, required=False
    )
    reps = forms.IntegerField(
        label=gettext_lazy("Reps"), min_value=1, max_value=200, required=False
    )
    sets = forms.IntegerField(label=gettext_lazy("Sets"), min_value=1, max_value=20, required=False)
    times_per_day = forms.IntegerField(
        label=gettext_lazy("Times a day"), min_value=1, max_value=12, required=False
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), min_value=1, max_value=120, required=False
    )
    side = forms.ChoiceField(label=gettext_lazy("Side"), choices=SIDES)
    extra_sets_side = forms.ChoiceField(
        label=gettext_lazy("One more set on"), choices=EXTRA_SIDES, required=False
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Reason to give it despite a relative hazard"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, item: PlanItem, sided: bool, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set()
        if item.kind == PlanItem.Kind.EXERCISE:
            keep |= {"hold_seconds", "reps", "sets", "times_per_day", "duration_minutes"}
            keep.add("extra_sets_side")
        elif item.kind == PlanItem.Kind.COMPRESS:
            keep.add("duration_minutes")
        if sided:
            keep.add("side")
        if keep:
            keep.add("override_reason")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        side, extra = cleaned.get("side"), cleaned.get("extra_sets_side")
        if extra and side in (Side.LEFT, Side.RIGHT) and extra != side:
            self.add_error("extra_sets_side", _("The extra set goes on the leg that is done."))
        return cleaned


class DetailsForm(forms.ModelForm):
    class Meta:
        model = CarePlan
        fields = ["goals", "patient_note", "visit_interval_days", "reassess_on"]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 2}),
            "patient_note": forms.Textarea(attrs={"rows": 3}),
            "reassess_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean_visit_interval_days(self):
        days = self.cleaned_data.get("visit_interval_days")
        if days is not None and not 1 <= days <= 90:
            raise forms.ValidationError(_("Between 1 and 90 days."))
        return days

    def clean_reassess_on(self):
        day = self.cleaned_data.get("reassess_on")
        today = timezone.localdate()
        if day and not today <= day <= today + dt.timedelta(366):
            raise forms.ValidationError(_("Choose a date within the coming year."))
        return day


class AddItemForm(_Small):
    """Anything from the library or the rule tables, by hand, under the same hazard check."""

    item = forms.ChoiceField(label=gettext_lazy("Item"), required=False)
    item_side = forms.ChoiceField(
        label=gettext_lazy("Side"),
        choices=[("", gettext_lazy("As the library says")), *SIDES],
        required=False,
    )
    add_reason = forms.CharField(
        label=gettext_lazy("Reason to give it despite a relative hazard"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        groups: dict[str, list] = {}
        for kind, code, label in plans.addable(rows):
            groups.setdefault(str(KIND_LABELS[kind]), []).append((f"{kind}:{code}", label))
        self.fields["item"].choices = [("", "—"), *groups.items()]

    def chosen(self) -> tuple[str, str] | None:
        value = self.cleaned_data.get("item") or ""
        return tuple(value.split(":", 1)) if ":" in value else None


def _sided(item: PlanItem, library) -> bool:
    try:
        placement = placement_of(item.code, item.kind, library)
    except KeyError:
        return False
    return placement not in (BOTH_AT_ONCE, NOT_ON_A_LEG)


def refusal_message(refused: plans.Refusal) -> str:
    """What stops an item, for the practitioner: each hazard, its severity and leg, why, and
    the leg it could still go on."""
    parts = [
        format_lazy(
            _("{hazard} ({severity}, {leg}): {why}"),
            hazard=block.hazard.label,
            severity=SEVERITY_SHORT[block.severity],
            leg=LEG_LABELS.get(block.leg, LEG_LABELS[Side.BOTH]),
            why=staff_why(block.hazard, block.tag),
        )
        for block in (*refused.absolute, *refused.relative)
    ]
    if refused.absolute:
        parts.append(_("An absolute hazard is never overridden."))
        if refused.safe_side:
            parts.append(
                _("It can be given on the %(leg)s only.") % {"leg": LEG_LABELS[refused.safe_side]}
            )
    else:
        parts.append(_("To give it anyway, write your reason here."))
    return str(sentences(parts))


def _shown(value) -> str:
    return "—" if value in (None, "") else str(value)


def _posted(data, form_class, prefix="") -> bool:
    """Did the post carry this form at all? A browser sends every field of the page; a form
    whose fields are all absent was not on it, and is neither validated nor saved."""
    if data is None:
        return False
    names = [f"{prefix}-{name}" if prefix else name for name in form_class.base_fields]
    return any(name in data for name in names)


class Editor:
    """Every form of the plan editor, bound together (or unbound for a fresh page)."""

    def __init__(self, plan: CarePlan, data=None, *, adding=False):
        self.plan = plan
        self.data = data
        self.adding = adding
        self.conflict = None
        self.referral_error = ""
        rows = self.rows = plans.library_for(plan.clinic_id)  # one read for every form
        self.library = plans.pure_library(rows)
        self.items = plans.ordered_items(plan, include_removed=plan.is_draft)
        self.details = DetailsForm(data if _posted(data, DetailsForm) else None, instance=plan)
        self.add = AddItemForm(data if adding or _posted(data, AddItemForm) else None, rows=rows)
        for item in self.items:
            item.dose_form = None
            if (
                plan.is_draft
                and not item.removed
                and (item.kind in DOSED_KINDS or _sided(item, self.library))
            ):
                prefix = f"item{item.pk}"
                form = DoseForm(
                    data if _posted(data, DoseForm, prefix) else None,
                    item=item,
                    sided=_sided(item, self.library),
                    prefix=prefix,
                    initial={
                        **{key: getattr(item, key) for key in plans.DOSE_FIELDS},
                        "side": item.side or Side.BOTH,
                        "extra_sets_side": item.extra_sets_side,
                        "override_reason": item.override_reason,
                    },
                )
                item.dose_form = form if form.fields else None

    @property
    def dose_forms(self):
        return [item.dose_form for item in self.items if item.dose_form is not None]

    @property
    def bound_forms(self):
        return [form for form in (self.details, self.add, *self.dose_forms) if form.is_bound]

    @property
    def saves_anything(self) -> bool:
        """Whether the post carried any of the draft's own fields (goals, note, doses)."""
        return self.details.is_bound or any(form.is_bound for form in self.dose_forms)

    def is_valid(self) -> bool:
        valid = True
        for form in self.bound_forms:
            valid = form.is_valid() and valid
        if self.adding and self.add.is_valid() and self.add.chosen() is None:
            self.add.add_error("item", _("Choose the item to add."))
            valid = False
        return valid

    def details_values(self) -> dict:
        return dict(self.details.cleaned_data) if self.details.is_bound else {}

    def item_values(self) -> dict[int, dict]:
        return {
            item.pk: dict(item.dose_form.cleaned_data)
            for item in self.items
            if item.dose_form is not None and item.dose_form.is_bound
        }

    def show_refusals(self, refused: dict) -> None:
        """Put each refused item's reason next to its side (absolute) or reason (relative)."""
        for item in self.items:
            found = refused.get(item.pk)
            if found is None or item.dose_form is None:
                continue
            fields = item.dose_form.fields
            if found.absolute and "side" in fields:
                field = "side"
            else:
                field = "override_reason" if "override_reason" in fields else None
            item.dose_form.add_error(field, refusal_message(found))

    def conflict_lines(self) -> list[tuple[str, str, str]]:
        """After a conflict: (what, stored now, what you typed) for every value of the editor
        the other change left different from this post, so nothing is overwritten unseen."""
        if self.conflict is None:
            return []
        lines = []
        if self.details.is_bound and self.details.is_valid():
            for name, value in self.details.cleaned_data.items():
                stored = getattr(self.conflict, name)
                if stored != value:
                    label = self.details.fields[name].label
                    lines.append((str(label), _shown(stored), _shown(value)))
        stored_items = {item.pk: item for item in self.conflict.items.all()}
        for item in self.items:
            form, stored = item.dose_form, stored_items.get(item.pk)
            if form is None or stored is None or not form.is_bound or not form.is_valid():
                continue
            for name, value in form.cleaned_data.items():
                typed = value if name in plans.DOSE_FIELDS else (value or "")
                if name == "override_reason" or getattr(stored, name) == typed:
                    continue
                what = f"{item.label_text}: {form.fields[name].label}"
                lines.append((what, _shown(getattr(stored, name)), _shown(typed)))
        return lines

    def show_add_refusal(self, refused: plans.Refusal) -> None:
        self.add.add_error(
            "item_side" if refused.absolute else "add_reason", refusal_message(refused)
        )
