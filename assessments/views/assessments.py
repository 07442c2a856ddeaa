import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import body, explain, plans, progress, selectors, services, summary
from assessments.forms import AmendmentReasonForm, section_form
from assessments.models import SECTIONS
from assessments.rules.redflags import URGENCY_ORDER
from clinic import access, audit
from patients import selectors as patient_selectors

SECTION_LABELS = dict(SECTIONS)
PAIN_CHART_DAYS = 90
_URGENCY_RANK = {code: rank for rank, code in enumerate(URGENCY_ORDER)}


def _section_or_404(section: str) -> str:
    if section not in SECTION_LABELS:
        raise Http404
    return section


@access.allow(*access.CLINICAL)
@require_POST
def start(request, pk):
    patient = patient_selectors.get_patient(request, pk)
    if patient.is_archived:
        messages.error(request, _("Restore the patient's record before assessing."))
        return redirect("assessments:patient_detail", pk=patient.pk)
    visit_id = access.parse_id(request.POST.get("appointment"))
    visit = patient.appointments.filter(pk=visit_id).first() if visit_id else None
    assessment = services.start_assessment(
        patient=patient, practitioner=request.user, appointment=visit
    )
    if assessment.previous_id:
        messages.info(request, _("Started from the last signed assessment: check every section."))
    return redirect("assessments:detail", pk=assessment.pk)


@access.allow(*access.CLINICAL)
def detail(request, pk):
    assessment = selectors.get_assessment(request, pk)
    audit.viewed(assessment)
    flags = list(assessment.flags.select_related("acknowledged_by"))
    for flag in flags:
        flag.input_lines = explain.input_lines(flag.inputs)
    blockers = None if assessment.is_signed else services.sign_blockers(assessment, flags)
    sections = [
        {
            "code": code,
            "label": label,
            "saved": code in assessment.saved_sections,
            "lines": summary.describe(code, assessment.section(code)),
            "kept": summary.kept_lines(code, assessment.findings_unmigrated.get(code)),
        }
        for code, label in SECTIONS
    ]
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "patient": assessment.patient,
            "current_flags": sorted(
                (f for f in flags if f.is_current), key=lambda f: _URGENCY_RANK.get(f.urgency, 9)
            ),
            "cleared_flags": [f for f in flags if not f.is_current],
            "sections": sections,
            "rows": summary.measurement_rows(assessment, assessment.previous),
            "unmigrated": summary.unmigrated_lines(assessment.measurements_unmigrated),
            "wells": explain.wells_breakdown(assessment.screening.get("wells")),
            "hazards": plans.hazards_for_assessment(assessment, timezone.localdate()),
            "picture": body.picture(assessment),
            "blockers": blockers,
            "missing_sections": [SECTION_LABELS[c] for c in blockers.missing_sections]
            if blockers
            else [],
            "plans": assessment.care_plans.order_by("-version"),
            "amendments": [
                (amendment, summary.changes(amendment.section, amendment.before, amendment.after))
                for amendment in assessment.amendments.select_related("made_by")
            ],
        },
    )


@access.allow(*access.CLINICAL)
def edit_section(request, pk, section):
    assessment = selectors.get_assessment(request, pk)
    section = _section_or_404(section)
    if assessment.is_signed:
        messages.info(
            request, _("This assessment is signed: a change is recorded as an amendment.")
        )
        return redirect("assessments:amend", pk=assessment.pk, section=section)
    data = access.form_data(request)
    form = section_form(section, assessment.section(section), data)
    revision, conflict = assessment.revision, None
    if data is not None:  # posted now, or kept from a post the ended session refused
        revision = access.parse_id(data.get("revision")) or 0
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_section(
                    assessment=assessment,
                    section=section,
                    data=form.to_json(),
                    revision=revision,
                    by=request.user,
                    today=timezone.localdate(),
                )
            except services.EditConflict as clash:
                conflict, revision = clash.current, clash.current.revision
            except services.AlreadySigned:
                messages.error(request, _("This assessment was signed meanwhile."))
                return redirect("assessments:detail", pk=assessment.pk)
            else:
                messages.success(
                    request, _("Saved: %(section)s") % {"section": SECTION_LABELS[section]}
                )
                return redirect(_next_section_url(assessment, section))
    return _section_page(
        request,
        assessment,
        section,
        form,
        {
            "revision": revision,
            "conflict": conflict,
            "conflict_lines": summary.stored_lines(section, conflict.section(section))
            if conflict
            else None,
            "previous_rows": summary.measurement_rows(assessment.previous, None)
            if assessment.previous and section == "measurements"
            else None,
        },
    )


def _next_section_url(assessment, section):
    codes = [code for code, _label in SECTIONS]
    following = codes[codes.index(section) + 1 :]
    if following:
        return reverse("assessments:section", args=[assessment.pk, following[0]])
    return reverse("assessments:detail", args=[assessment.pk])


@access.allow(*access.CLINICAL)
@require_POST
def acknowledge_flag(request, pk, flag_pk):
    assessment = selectors.get_assessment(request, pk)
    flag = assessment.flags.filter(pk=flag_pk, is_current=True).first()
    if flag is None:
        raise Http404
    services.acknowledge(flag=flag, by=request.user)
    return redirect("assessments:detail", pk=assessment.pk)


@access.allow(*access.CLINICAL)
@require_POST
def sign(request, pk):
    assessment = selectors.get_assessment(request, pk)
    try:
        services.sign(assessment=assessment, by=request.user, today=timezone.localdate())
    except services.SignBlocked:
        messages.error(request, _("Not signed: see what is still needed below."))
    except services.AlreadySigned:
        messages.info(request, _("This assessment is already signed."))
    else:
        messages.success(request, _("Signed. Later corrections are recorded as amendments."))
    return redirect("assessments:detail", pk=assessment.pk)


@access.allow(*access.CLINICAL)
@require_POST
def rescreen(request, pk):
    """Screen a signed assessment again under the current rules (asked for by the plan page
    when the rules raise a flag the stored screen does not have)."""
    assessment = selectors.get_assessment(request, pk)
    if not assessment.is_signed:
        return redirect("assessments:detail", pk=assessment.pk)
    raised = services.rescreen_signed(
        assessment=assessment, by=request.user, today=timezone.localdate()
    )
    if raised:
        messages.warning(request, _("Screened again: a red flag is raised. Acknowledge it below."))
    else:
        messages.info(request, _("Screened again under the current rules: no new red flag."))
    return redirect("assessments:detail", pk=assessment.pk)


@access.allow(*access.CLINICAL)
def amend(request, pk, section):
    assessment = selectors.get_assessment(request, pk)
    section = _section_or_404(section)
    if not assessment.is_signed:
        return redirect("assessments:section", pk=assessment.pk, section=section)
    data = access.form_data(request)
    form = section_form(section, assessment.section(section), data)
    reason_form = AmendmentReasonForm(data)
    revision, conflict = assessment.revision, None
    if data is not None:
        revision = access.parse_id(data.get("revision")) or 0
    if request.method == "POST" and form.is_valid() and reason_form.is_valid():
        try:
            done = services.amend(
                assessment=assessment,
                section=section,
                data=form.to_json(),
                reason=reason_form.cleaned_data["reason"],
                revision=revision,
                by=request.user,
                today=timezone.localdate(),
            )
        except services.EditConflict as clash:
            conflict, revision = clash.current, clash.current.revision
        else:
            if done:
                messages.success(request, _("Amendment recorded."))
            else:
                messages.info(request, _("Nothing was changed, so no amendment was recorded."))
            return redirect("assessments:detail", pk=assessment.pk)
    return _section_page(
        request,
        assessment,
        section,
        form,
        {
            "reason_form": reason_form,
            "amending": True,
            "revision": revision,
            "conflict": conflict,
            "conflict_lines": summary.stored_lines(section, conflict.section(section))
            if conflict
            else None,
        },
    )


def _section_page(request, assessment, section, form, extra):
    """A section's form (to fill in or to amend): shown now, or again with its errors, so the
    view goes into the trail."""
    audit.viewed(assessment, f"section:{section}")
    return render(
        request,
        "assessments/section_form.html",
        {
            "assessment": assessment,
            "patient": assessment.patient,
            "section": section,
            "section_label": SECTION_LABELS[section],
            "form": form,
            **extra,
        },
    )


def assessments_of(patient, user):
    """The patient's assessments for the patient page (clinical roles only)."""
    if not access.has_role(user, *access.CLINICAL):
        return None
    return patient.assessments.select_related("practitioner").order_by("-created_at")[:20]


def progress_of(patient, user, today):
    """Adherence, pain trend and left-right changes for the patient page (clinical roles)."""
    if not access.has_role(user, *access.CLINICAL):
        return None
    pains = progress.pain_series(patient, today - dt.timedelta(days=PAIN_CHART_DAYS))
    return {
        "week": progress.adherence(patient, today, 7),
        "month": progress.adherence(patient, today, 28),
        "chart": progress.line_chart(pains),
        "changes": progress.asymmetry_changes(patient),
        "psfs": list(
            patient.functional_scales.order_by("recorded_on", "id").prefetch_related(
                "activity_rows"
            )[:12]
        ),
    }
