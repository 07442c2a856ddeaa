"""The visit record's pages: write it for a visit in the clinic, see it, sign it, amend it.
Practitioners and admins only (the front desk gets 403: the record is clinical)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assessments import selectors, visit_records
from assessments.forms import AmendmentReasonForm
from assessments.rules import visit as visit_rules
from assessments.visit_form import VisitRecordForm, initial_from
from clinic import access, audit
from patients import selectors as patient_selectors

SIGN = "sign"  # the name of the form's "save and sign" button
REFUSALS = {
    "not_recordable": gettext_lazy(
        "A visit record is written once the patient has checked in (or after the session)."
    ),
    "already_signed": gettext_lazy("This visit record is already signed."),
    "visit_gone": gettext_lazy(
        "This visit is no longer one that is recorded (it was cancelled or its check-in undone "
        "since): the record is kept as it stands and cannot be signed. Nothing you typed was "
        "saved; it is kept below."
    ),
    "visit_cancelled": gettext_lazy(
        "This visit was cancelled or its check-in undone: its record is kept as it stands and "
        "cannot be signed."
    ),
    "recorded_meanwhile": gettext_lazy(
        "Someone else started this visit's record while you were typing: nothing you typed was "
        "saved, and it is kept below. Open the record to add it there."
    ),
    "not_signed": gettext_lazy("This visit record is not signed yet: edit it instead."),
    visit_rules.BLOCK_UNANSWERED: gettext_lazy(
        "Not signed: answer the three red-flag questions first."
    ),
    visit_rules.BLOCK_RED_FLAG_PATH_OPEN: gettext_lazy(
        "Not signed: the red-flag re-check answered yes. Record and sign the assessment's "
        "red-flag screen first; the visit record is kept as a draft until then."
    ),
}


def _timeline(record):
    return reverse("assessments:patient_detail", args=[record.patient_id]) + "#timeline"


def _after_save(request, record, wanted_sign: bool):
    """Where the practitioner goes next: a "yes" to the assessment's red-flag section; a signed
    record to the patient's timeline; a draft to its page."""
    if record.red_flag_path_open:
        messages.warning(
            request,
            _(
                "The red-flag re-check answered yes: %(what)s. The visit record is saved as a "
                "draft and cannot be signed as a routine visit. Record the red-flag screen now."
            )
            % {"what": _(", ").join(str(label) for label in record.raised_labels)},
        )
        return redirect(
            "assessments:section", pk=record.red_flag_assessment_id, section="red_flags"
        )
    if record.is_signed:
        messages.success(request, _("Visit record signed. Later corrections are amendments."))
        return redirect(_timeline(record))
    if wanted_sign:
        messages.error(request, REFUSALS[record.sign_verdict().code])
    else:
        messages.success(request, _("Visit record saved as a draft."))
    return redirect("assessments:visit_record", pk=record.pk)


def _form_page(request, template_context):
    return render(request, "assessments/visit_record_form.html", template_context)


@access.allow(*access.CLINICAL)
def record_visit(request, pk):
    """The record of a visit: a new one's form, or the one already started."""
    visit = patient_selectors.get_appointment(request, pk)
    existing = selectors.visit_record_of_visit(request.user, visit)
    if existing is not None and not existing.is_signed and request.method == "POST":
        # Started by someone else since this form opened: the draft's page shows the clash
        # with what was typed (its edit refuses to turn their "yes" into a "no").
        return edit(request, existing.pk)
    if existing is not None and request.method != "POST":
        name = "visit_record" if existing.is_signed else "visit_record_edit"
        return redirect(f"assessments:{name}", pk=existing.pk)
    if not visit_records.recordable(visit):
        messages.error(request, REFUSALS["not_recordable"])
        return redirect("assessments:patient_detail", pk=visit.patient_id)
    plan = visit_records.current_plan(visit.patient)
    hints = visit_records.suggestions(visit, plan)
    form = VisitRecordForm(
        access.form_data(request),
        plan_items=visit_records.clinic_items(plan),
        initial={"home_care": hints["home_care"], "next_visit_on": hints["next_visit_on"]},
    )
    if request.method == "POST" and existing is not None:  # signed meanwhile
        form.is_valid()
        form.add_error(None, REFUSALS["recorded_meanwhile"])
    elif request.method == "POST" and form.is_valid():
        try:
            record = visit_records.start(
                appointment=visit,
                by=request.user,
                data=form.to_data(),
                today=timezone.localdate(),
                sign_it=SIGN in request.POST,
            )
        except ValidationError as error:
            form.add_error(None, _not_saved(error))
        except visit_records.VisitRecordError as refused:
            if refused.code != "already_recorded":
                messages.error(request, REFUSALS.get(refused.code, REFUSALS["not_recordable"]))
                return redirect("assessments:patient_detail", pk=visit.patient_id)
            form.add_error(None, REFUSALS["recorded_meanwhile"])
        else:
            return _after_save(request, record, SIGN in request.POST)
    audit.viewed(visit.patient, f"visit_record:new:{visit.pk}")
    return _form_page(
        request,
        {"visit": visit, "patient": visit.patient, "plan": plan, "hints": hints, "form": form},
    )


def _not_saved(error: ValidationError) -> str:
    """A check the form cannot make (the service's) refused the record: nothing was saved."""
    if getattr(error, "error_dict", None) and any(
        item.code == "yes_kept" for items in error.error_dict.values() for item in items
    ):
        return _("A “yes” in the red-flag re-check cannot be changed to “no”. Nothing was saved.")
    return _("This record could not be saved as it stands: check the entries. Nothing was saved.")


@access.allow(*access.CLINICAL)
def edit(request, pk):
    record = selectors.get_visit_record(request, pk)
    if record.is_signed:
        return redirect("assessments:visit_record_amend", pk=record.pk)
    data = access.form_data(request)
    form = VisitRecordForm(
        data,
        plan_items=visit_records.clinic_items(record.plan),
        initial=initial_from(visit_records.data_of(record)),
    )
    revision, conflict = record.revision, None
    if data is not None:
        revision = access.parse_id(data.get("revision")) or 0
    if request.method == "POST" and form.is_valid():
        try:
            saved = visit_records.save_draft(
                record=record,
                data=form.to_data(),
                revision=revision,
                by=request.user,
                today=timezone.localdate(),
                sign_it=SIGN in request.POST,
            )
        except visit_records.EditConflict as clash:
            conflict, revision = clash.current, clash.current.revision
        except ValidationError as error:
            form.add_error(None, _not_saved(error))
        except visit_records.VisitRecordError as refused:
            if refused.code != "not_recordable":
                messages.error(request, REFUSALS.get(refused.code, REFUSALS["already_signed"]))
                return redirect("assessments:visit_record", pk=record.pk)
            form.add_error(None, REFUSALS["visit_gone"])
        else:
            return _after_save(request, saved, SIGN in request.POST)
    audit.viewed(record, "edit")
    return _form_page(
        request,
        {
            "record": record,
            "visit": record.appointment,
            "patient": record.patient,
            "plan": record.plan,
            "form": form,
            "revision": revision,
            "conflict": conflict,
        },
    )


@access.allow(*access.CLINICAL)
def detail(request, pk):
    record = selectors.get_visit_record(request, pk)
    audit.viewed(record)
    verdict = None if record.is_signed else record.sign_verdict()
    return render(
        request,
        "assessments/visit_record.html",
        {
            "record": record,
            "patient": record.patient,
            "verdict": verdict,
            "refusal": REFUSALS.get(verdict.code) if verdict and not verdict.allowed else None,
            "amendments": list(record.amendments.select_related("made_by")),
        },
    )


@access.allow(*access.CLINICAL)
@require_POST
def sign(request, pk):
    record = selectors.get_visit_record(request, pk)
    try:
        visit_records.sign(record=record, by=request.user)
    except visit_records.VisitRecordError as refused:
        code = "visit_cancelled" if refused.code == "not_recordable" else refused.code
        messages.error(request, REFUSALS.get(code, REFUSALS["already_signed"]))
        return redirect("assessments:visit_record", pk=record.pk)
    messages.success(request, _("Visit record signed. Later corrections are amendments."))
    return redirect(_timeline(record))


@access.allow(*access.CLINICAL)
def amend(request, pk):
    record = selectors.get_visit_record(request, pk)
    if not record.is_signed:
        return redirect("assessments:visit_record_edit", pk=record.pk)
    data = access.form_data(request)
    form = VisitRecordForm(
        data,
        plan_items=visit_records.clinic_items(record.plan),
        initial=initial_from(visit_records.data_of(record)),
        amending=True,
    )
    reason_form = AmendmentReasonForm(data)
    revision, conflict = record.revision, None
    if data is not None:
        revision = access.parse_id(data.get("revision")) or 0
    if request.method == "POST" and form.is_valid() and reason_form.is_valid():
        try:
            done = visit_records.amend(
                record=record,
                data=form.to_data(),
                reason=reason_form.cleaned_data["reason"],
                revision=revision,
                by=request.user,
            )
        except visit_records.EditConflict as clash:
            conflict, revision = clash.current, clash.current.revision
        except ValidationError as error:
            form.add_error(None, _not_saved(error))
        else:
            if done:
                messages.success(request, _("Amendment recorded."))
            else:
                messages.info(request, _("Nothing was changed, so no amendment was recorded."))
            return redirect("assessments:visit_record", pk=record.pk)
    audit.viewed(record, "amend")
    return _form_page(
        request,
        {
            "record": record,
            "visit": record.appointment,
            "patient": record.patient,
            "plan": record.plan,
            "form": form,
            "reason_form": reason_form,
            "amending": True,
            "revision": revision,
            "conflict": conflict,
        },
    )
