"""The owner's repeat numbers and the recall list (assessments/repeat.py and recall.py).

Who sees what: clinic admins and the front desk see the whole clinic (the desk runs the
recall); a practitioner sees the same pages over their own patients only
(`access.own_patients_only`); patients 403.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import recall, repeat, selectors
from assessments.report_forms import RepeatForm
from assessments.rules import repeat as rules
from clinic import access


def _scope(request):
    """(the range form, the scope it asks for or None while it has errors)."""
    today = timezone.localdate()
    data = request.GET if request.GET else None
    form = RepeatForm(data, initial=RepeatForm.defaults(today))
    chosen = RepeatForm.defaults(today) if data is None else None
    if data is not None and form.is_valid():
        chosen = form.cleaned_data
    if chosen is None:
        return form, None
    scope = repeat.Scope(
        clinic_id=request.user.clinic_id,
        first_month=chosen["first"].replace(day=1),
        last_month=chosen["last"].replace(day=1),
        practitioner_id=access.own_patients_only(request.user),
    )
    return form, scope


@access.allow(*access.STAFF)
def repeat_numbers(request):
    form, scope = _scope(request)
    today = timezone.localdate()
    return render(
        request,
        "assessments/repeat_numbers.html",
        {
            "form": form,
            "scope": scope,
            "numbers": repeat.summary(scope, today=today) if scope else None,
            "windows": rules.WINDOWS,
            "this_month": today.replace(day=1),
        },
    )


@access.allow(*access.STAFF)
def recall_list(request):
    today = timezone.localdate()
    scope = recall.Scope(
        clinic_id=request.user.clinic_id,
        practitioner_id=access.own_patients_only(request.user),
    )
    return render(
        request,
        "assessments/recall_list.html",
        {
            "lists": recall.recall_list(scope, today=today),
            "own_only": scope.practitioner_id is not None,
            "overdue_after": recall.OVERDUE_AFTER_DAYS,
            "ticket_days": recall.TICKET_DAYS,
            "recent_days": recall.RECENT_CONTACT_DAYS,
            "note_max": recall.NOTE_MAX,
        },
    )


def _refused(request, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    return redirect("assessments:recall_list")


@access.allow(*access.STAFF)
@require_POST
def recall_email(request, pk):
    patient = selectors.get_recall_patient(request, pk)
    try:
        recall.send_email(patient=patient, reason=request.POST.get("reason", ""), by=request.user)
    except ValidationError as error:
        return _refused(request, error)
    messages.success(request, _("E-mail sent to %(name)s.") % {"name": patient.full_name})
    return redirect("assessments:recall_list")


@access.allow(*access.STAFF)
@require_POST
def recall_call(request, pk):
    patient = selectors.get_recall_patient(request, pk)
    try:
        recall.note_call(
            patient=patient,
            reason=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            by=request.user,
        )
    except ValidationError as error:
        return _refused(request, error)
    messages.success(request, _("Call with %(name)s noted.") % {"name": patient.full_name})
    return redirect("assessments:recall_list")
