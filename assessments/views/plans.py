"""The care-plan editor (draft), publishing, the handout PDF, and referrals to their outcome."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import documents, plans
from assessments.models import CarePlan, Exercise, Referral
from assessments.rules.contraindications import CONTRAINDICATION_BY_CODE
from assessments.rules.redflags import DEPARTMENT_LABELS, URGENCY_LABELS
from clinic import access, audit

SIDES = [
    ("", "—"),
    ("both", gettext_lazy("Both")),
    ("left", gettext_lazy("Left")),
    ("right", gettext_lazy("Right")),
]


class DoseForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = f"{css} {css}-sm"

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
    side = forms.ChoiceField(label=gettext_lazy("Side"), choices=SIDES, required=False)
    extra_sets_side = forms.ChoiceField(
        label=gettext_lazy("One more set on"), choices=SIDES, required=False
    )


class PlanDetailsForm(forms.ModelForm):
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
        if day and not timezone.localdate() <= day <= timezone.localdate() + dt.timedelta(366):
            raise forms.ValidationError(_("Choose a date within the coming year."))
        return day


class AddExerciseForm(forms.Form):
    exercise = forms.ModelChoiceField(label=gettext_lazy("Exercise"), queryset=None)
    override_reason = forms.CharField(
        label=gettext_lazy("Reason for adding it despite a contraindication"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, clinic_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = Exercise.objects.filter(
            clinic_id=clinic_id, retired=False
        )


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
        if cleaned.get("cleared") is not None and not cleaned.get("seen_on"):
            self.add_error("seen_on", _("When did the patient see the doctor?"))
        return cleaned


def _plan(request, pk):
    return access.get_plan(request, pk)


def _item(plan, item_pk):
    item = plan.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404
    return item


@access.allow(*access.CLINICAL)
@require_POST
def propose(request, pk):
    assessment = access.get_assessment(request, pk)
    draft = CarePlan.objects.filter(patient=assessment.patient, status="draft").first()
    if draft is not None:
        messages.info(request, _("This patient already has a draft plan: continue it here."))
        return redirect("assessments:plan", pk=draft.pk)
    try:
        plan = plans.create_draft(
            assessment=assessment, by=request.user, today=timezone.localdate()
        )
    except plans.PlanError:
        messages.error(request, _("Sign the assessment before proposing a plan."))
        return redirect("assessments:detail", pk=assessment.pk)
    return redirect("assessments:plan", pk=plan.pk)


@access.allow(*access.CLINICAL)
def plan_detail(request, pk):
    return _render_plan(request, _plan(request, pk))


def _render_plan(
    request, plan, *, bound_item=None, bound_form=None, add_form=None, details_form=None
):
    """The plan page; a form that failed validation is shown bound, with its errors. Either
    way the plan is shown again, so the view goes into the trail."""
    audit.viewed(plan)
    today = timezone.localdate()
    rows = plans.library_for(plan.clinic_id)
    items = plans.ordered_items(plan, include_removed=plan.is_draft)
    blockers = []
    if plan.is_draft:
        blockers = plans.publish_blockers(plan, rows, today, referral_explained=True)
    blocked_items = {int(code.split(":")[1]) for code in blockers if code.startswith("contra")}
    for item in items:
        if bound_item is not None and item.pk == bound_item.pk:
            item.dose_form = bound_form
        else:
            item.dose_form = DoseForm(
                initial={key: getattr(item, key) for key in DoseForm.base_fields},
                prefix=f"item{item.pk}",
            )
        item.blocked = item.pk in blocked_items
        item.overridden_labels = [
            CONTRAINDICATION_BY_CODE[c].label
            for c in item.overridden
            if c in CONTRAINDICATION_BY_CODE
        ]
    return render(
        request,
        "assessments/plan.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "items": items,
            "details_form": details_form or PlanDetailsForm(instance=plan),
            "add_form": add_form or AddExerciseForm(clinic_id=plan.clinic_id),
            "blocked_items": blocked_items,
            "history": plan.patient.care_plans.exclude(pk=plan.pk).order_by("-version")[:10],
            "referral_rows": Referral.objects.filter(assessment=plan.assessment),
            "referral_labels": [
                (
                    DEPARTMENT_LABELS.get(r["department"], r["department"]),
                    URGENCY_LABELS.get(r["urgency"], r["urgency"]),
                    r["reason"],
                )
                for r in plan.referrals
            ],
        },
    )


@access.allow(*access.CLINICAL)
def plan_item(request, pk, item_pk):
    plan = _plan(request, pk)
    item = _item(plan, item_pk)
    if request.method != "POST":  # a reload after an error lands back on the plan
        return redirect("assessments:plan", pk=plan.pk)
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            if not plans.move(item=item, up=action == "up"):
                messages.info(request, _("This item is already at the end of its group."))
        elif action in ("remove", "restore"):
            plans.set_removed(item=item, removed=action == "remove")
        else:
            form = DoseForm(request.POST, prefix=f"item{item.pk}")
            if not form.is_valid():
                messages.error(request, _("Dose not saved: see the marked field."))
                return _render_plan(request, plan, bound_item=item, bound_form=form)
            plans.update_item(item=item, values=form.cleaned_data)
    except plans.PlanError:
        messages.error(request, _("A published plan cannot be changed: start a new version."))
    return redirect(f"{reverse('assessments:plan', args=[plan.pk])}#item-{item.pk}")


@access.allow(*access.CLINICAL)
def plan_add(request, pk):
    plan = _plan(request, pk)
    if request.method != "POST":
        return redirect("assessments:plan", pk=plan.pk)
    form = AddExerciseForm(request.POST, clinic_id=plan.clinic_id)
    if form.is_valid():
        exercise = form.cleaned_data["exercise"]
        try:
            plans.add_exercise(
                plan=plan,
                exercise=exercise,
                by=request.user,
                override_reason=form.cleaned_data["override_reason"],
                today=timezone.localdate(),
            )
        except plans.PlanError as refused:
            if refused.code == "contraindicated":
                why = "、".join(str(label) for label in refused.detail)
                form.add_error(
                    "override_reason",
                    _(
                        "%(name)s is contraindicated now (%(why)s). "
                        "To add it anyway, write why here."
                    )
                    % {"name": exercise, "why": why},
                )
            elif refused.code == "already_in_plan":
                form.add_error("exercise", _("This exercise is already in the plan."))
            else:
                messages.error(
                    request, _("A published plan cannot be changed: start a new version.")
                )
                return redirect("assessments:plan", pk=plan.pk)
        else:
            messages.success(request, _("Added: %(name)s") % {"name": exercise})
            return redirect("assessments:plan", pk=plan.pk)
    messages.error(request, _("Not added: see the marked field."))
    return _render_plan(request, plan, add_form=form)


@access.allow(*access.CLINICAL)
def plan_details(request, pk):
    plan = _plan(request, pk)
    if request.method != "POST":
        return redirect("assessments:plan", pk=plan.pk)
    form = PlanDetailsForm(request.POST, instance=plan)
    if not plan.is_draft:
        messages.error(request, _("A published plan cannot be changed: start a new version."))
    elif form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Not saved: see the marked field."))
        return _render_plan(request, plan, details_form=form)
    return redirect("assessments:plan", pk=plan.pk)


@access.allow(*access.CLINICAL)
@require_POST
def plan_publish(request, pk):
    plan = _plan(request, pk)
    try:
        plans.publish(
            plan=plan,
            by=request.user,
            today=timezone.localdate(),
            referral_explained=request.POST.get("referral_explained") == "on",
        )
    except plans.PlanError as refused:
        if refused.code == "blocked" and "referral_not_explained" in refused.detail:
            messages.error(request, _("Confirm that the referral was explained to the patient."))
        elif refused.code == "blocked":
            messages.error(request, _("A contraindicated item has no override reason."))
        else:
            messages.error(request, _("This plan is already published."))
    else:
        if plan.version > 1:
            messages.success(
                request, _("Published. The previous plan is kept as an earlier version.")
            )
        else:
            messages.success(request, _("Published. The patient can now see this plan."))
    return redirect("assessments:plan", pk=plan.pk)


@access.allow(*access.CLINICAL)
def plan_handout(request, pk):
    plan = _plan(request, pk)
    if plan.is_draft:
        raise Http404
    audit.downloaded(plan, "handout.pdf")
    response = HttpResponse(documents.handout(plan), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="plan-{plan.patient.number_display}-v{plan.version}.pdf"'
    )
    return response


def _referral(request, pk):
    return access.get_referral(request, pk)


@access.allow(*access.CLINICAL)
def referral_detail(request, pk):
    referral = _referral(request, pk)
    form = OutcomeForm(request.POST or None, instance=referral)
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
    in_force = plans.in_force_for_assessment(referral.assessment, timezone.localdate())
    return render(
        request,
        "assessments/referral.html",
        {
            "department": DEPARTMENT_LABELS.get(referral.department, referral.department),
            "urgency": URGENCY_LABELS.get(referral.urgency, referral.urgency),
            "referral": referral,
            "patient": referral.patient,
            "form": form,
            "liftable": [
                (code, CONTRAINDICATION_BY_CODE[code].label, reason)
                for code, reason in in_force.items()
            ]
            if referral.cleared
            else [],
        },
    )


@access.allow(*access.CLINICAL)
@require_POST
def referral_lift(request, pk):
    referral = _referral(request, pk)
    if not referral.cleared:
        messages.error(request, _("Only a doctor's clearance lifts withheld items."))
        return redirect("assessments:referral", pk=referral.pk)
    chosen = [code for code in request.POST.getlist("lift") if code in CONTRAINDICATION_BY_CODE]
    if not chosen:
        messages.error(request, _("Tick what the doctor's clearance lifts."))
        return redirect("assessments:referral", pk=referral.pk)
    plan = plans.create_draft(
        assessment=referral.assessment, by=request.user, today=timezone.localdate(), lifted=chosen
    )
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
