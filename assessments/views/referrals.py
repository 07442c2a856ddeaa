"""Referrals to their outcome: the referral page, a doctor's clearance lifting hazards, the
letter (情報提供書)."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import documents, explain, plans, selectors
from assessments.models import Referral
from assessments.rules.redflags import DEPARTMENT_LABELS, URGENCY_LABELS
from clinic import access, audit, dates


class OutcomeForm(forms.ModelForm):
    cleared = forms.TypedChoiceField(
        label=gettext_lazy("Cleared for treatment"),
        choices=[
            ("", gettext_lazy("Not known yet")),
            ("yes", gettext_lazy("Yes: cleared")),
            ("no", gettext_lazy("No: not cleared")),
        ],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Referral
        fields = ["seen_on", "doctor_findings", "cleared", "outcome_on"]

        widgets = {
            "seen_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "outcome_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "doctor_findings": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored True/False shows as the matching choice, so saving again keeps it.
        cleared = self.instance.cleared
        self.initial["cleared"] = "" if cleared is None else ("yes" if cleared else "no")

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        for name in ("seen_on", "outcome_on"):
            if cleaned.get(name) and cleaned[name] > today:
                self.add_error(name, _("This date cannot be in the future."))
            elif cleaned.get(name) and not dates.in_calendar(cleaned[name]):
                self.add_error(name, dates.outside_message(cleaned[name]))
        if cleaned.get("cleared") is not None and not cleaned.get("seen_on"):
            self.add_error("seen_on", _("When did the patient see the doctor?"))
        return cleaned


def _referral(request, pk):
    return selectors.get_referral(request, pk)


@access.allow(*access.CLINICAL)
def referral_detail(request, pk):
    referral = _referral(request, pk)
    form = OutcomeForm(access.form_data(request), instance=referral)
    if request.method == "POST" and form.is_valid():
        plans.record_outcome(
            referral=referral,
            by=request.user,
            **{
                name: form.cleaned_data[name]
                for name in ("seen_on", "doctor_findings", "cleared", "outcome_on")
            },
        )
        messages.success(request, _("Referral outcome saved."))
        return redirect("assessments:referral", pk=referral.pk)
    audit.viewed(referral)  # shown: on a GET, or again with the form's errors
    flags = referral.assessment.flags.filter(code__in=referral.flag_codes, is_current=True)
    return render(
        request,
        "assessments/referral.html",
        {
            "department": DEPARTMENT_LABELS.get(referral.department, referral.department),
            "urgency": URGENCY_LABELS.get(referral.urgency, referral.urgency),
            "referral": referral,
            "patient": referral.patient,
            "form": form,
            "flags": [(flag, explain.input_lines(flag.inputs)) for flag in flags],
            "wells": explain.wells_breakdown(referral.assessment.screening.get("wells")),
            "liftable": plans.liftable(referral, timezone.localdate()),
        },
    )


@access.allow(*access.CLINICAL)
@require_POST
def referral_lift(request, pk):
    referral = _referral(request, pk)
    if not referral.cleared:
        messages.error(request, _("Only a doctor's clearance lifts withheld items."))
        return redirect("assessments:referral", pk=referral.pk)
    try:
        plan = plans.lift(
            referral=referral,
            codes=request.POST.getlist("lift"),
            by=request.user,
            today=timezone.localdate(),
        )
    except plans.PlanError:
        messages.error(request, _("Tick what the doctor's clearance lifts."))
        return redirect("assessments:referral", pk=referral.pk)
    messages.success(request, _("New plan version drafted with the cleared items back in."))
    return redirect("assessments:plan", pk=plan.pk)


@access.allow(*access.CLINICAL)
def referral_letter(request, pk):
    referral = _referral(request, pk)
    audit.downloaded(referral, "referral_letter.pdf")
    response = HttpResponse(
        documents.referral_letter(referral, by=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="referral-{referral.number:05d}.pdf"'
    return response
