"""The clinic's exercise library: practitioners read it; the clinic admin adds, edits, retires."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import library, selectors
from assessments.library import install_shipped
from assessments.models import Exercise
from assessments.pdf import static_root
from assessments.rules.care import CARE_TAG_LABELS
from assessments.rules.library import TARGET_LABELS
from clinic import access


class ExerciseForm(forms.ModelForm):
    care_tags = forms.MultipleChoiceField(
        label=gettext_lazy("What kind of care it is (the safety table withholds by these)"),
        help_text=gettext_lazy(
            "Tick every one that applies: a hazard on a leg withholds the kinds of care it "
            "blocks there. An exercise with none ticked is never withheld."
        ),
        choices=list(CARE_TAG_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    targets = forms.MultipleChoiceField(
        label=gettext_lazy("Findings it addresses"),
        choices=list(TARGET_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    illustration = forms.ChoiceField(label=gettext_lazy("Drawing"), required=False)

    class Meta:
        model = Exercise
        fields = [
            "illustration",
            "code",
            "name_ja",
            "name_en",
            "purpose",
            "steps",
            "key_points",
            "cautions",
            "care_tags",
            "targets",
            "hold_seconds",
            "reps",
            "sets",
            "times_per_day",
            "duration_minutes",
            "per_side",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "steps": forms.Textarea(attrs={"rows": 5}),
            "key_points": forms.Textarea(attrs={"rows": 3}),
            "cautions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, clinic_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id
        for name in ("hold_seconds", "reps", "sets", "duration_minutes"):
            self.fields[name].widget.attrs["max"] = 600
        self.fields["code"].error_messages["invalid"] = _(
            "Use lower-case letters, digits, hyphens and underscores, e.g. seated_calf_raise."
        )
        if self.instance.pk:
            self.fields["code"].disabled = True  # plans refer to it
        drawings = sorted(path.name for path in (static_root() / "exercises").glob("*.svg"))
        self.fields["illustration"].choices = [("", "—")] + [
            (f"exercises/{name}", name.removesuffix(".svg")) for name in drawings
        ]

    def clean_code(self):
        code = self.cleaned_data["code"]
        taken = selectors.exercise_code_taken(clinic_id=self.clinic_id, code=code)
        if not self.instance.pk and taken:
            raise forms.ValidationError(_("This clinic already has an exercise with this code."))
        return code

    def clean(self):
        cleaned = super().clean()
        for name in ("hold_seconds", "reps", "sets", "duration_minutes"):
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= 600:
                self.add_error(name, _("Between 1 and 600."))
        if cleaned.get("times_per_day") is not None and not 1 <= cleaned["times_per_day"] <= 12:
            self.add_error("times_per_day", _("Between 1 and 12 times a day."))
        return cleaned


def _library(request):
    return selectors.exercises_for(request.user)


@access.allow(*access.CLINICAL)
def exercise_list(request):
    if not _library(request).exists():
        install_shipped(clinic=request.user.clinic)
    return render(request, "assessments/exercise_list.html", {"exercises": _library(request)})


@access.allow(*access.CLINICAL)
def exercise_detail(request, pk):
    exercise = selectors.get_exercise(request, pk)
    return render(
        request,
        "assessments/exercise_detail.html",
        {
            "exercise": exercise,
            "care_tag_labels": [CARE_TAG_LABELS.get(code, code) for code in exercise.care_tags],
            "target_labels": [TARGET_LABELS.get(code, code) for code in exercise.targets],
        },
    )


@access.allow(*access.ADMIN)
def exercise_edit(request, pk=None):
    exercise = (
        selectors.get_exercise(request, pk) if pk else Exercise(clinic_id=request.user.clinic_id)
    )
    form = ExerciseForm(
        access.form_data(request), instance=exercise, clinic_id=request.user.clinic_id
    )
    if request.method == "POST" and form.is_valid():
        saved = library.save_exercise(
            exercise=form.save(commit=False), clinic_id=request.user.clinic_id
        )
        messages.success(request, _("Saved: %(name)s") % {"name": saved.name_ja})
        return redirect("assessments:exercise_detail", pk=saved.pk)
    if form.errors:
        messages.error(request, _("Not saved: see the marked fields below."))
    return render(request, "assessments/exercise_form.html", {"form": form, "exercise": exercise})


@access.allow(*access.ADMIN)
@require_POST
def exercise_retire(request, pk):
    exercise = selectors.get_exercise(request, pk)
    library.set_retired(exercise=exercise, retired=not exercise.retired)
    if exercise.retired:
        messages.success(
            request, _("Retired: it is no longer proposed; plans that use it keep it.")
        )
    else:
        messages.success(request, _("Back in use."))
    return redirect("assessments:exercise_detail", pk=exercise.pk)
