"""The care-plan editor (draft), publishing and the handout PDF.

The editor is one form: every button posts everything typed on the page to its own URL (HTML
`formaction`), which saves it all (or nothing, with the errors shown and the typing kept) and then
does its action. A GET on those URLs after a session ended mid-post shows the editor with what was
typed (clinic/resume.py).
"""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import documents, explain, plans, selectors
from assessments.models import PlanStatus
from assessments.plan_editor import Editor
from assessments.rules.hazards import HAZARD_BY_CODE
from assessments.rules.redflags import DEPARTMENT_LABELS, URGENCY_LABELS
from clinic import access, audit


def _plan(request, pk):
    return selectors.get_plan(request, pk)


@access.allow(*access.CLINICAL)
@require_POST
def propose(request, pk):
    assessment = selectors.get_assessment(request, pk)
    draft = selectors.draft_plan_of(assessment.patient)
    try:
        plan = plans.create_draft(
            assessment=assessment, by=request.user, today=timezone.localdate()
        )
    except plans.PlanError:
        messages.error(request, _("Sign the assessment before proposing a plan."))
        return redirect("assessments:detail", pk=assessment.pk)
    if draft is not None and draft.pk == plan.pk:
        messages.info(request, _("This patient already has a draft plan: continue it here."))
    elif draft is not None:
        messages.info(
            request,
            _(
                "The earlier draft (version %(version)s) was set aside: it is kept, and never "
                "shown to the patient."
            )
            % {"version": draft.version},
        )
    return redirect("assessments:plan", pk=plan.pk)


@access.allow(*access.CLINICAL)
def plan_detail(request, pk):
    plan = _plan(request, pk)
    return _render_plan(request, plan, Editor(plan, access.form_data(request)))


def _render_plan(request, plan, editor):
    """The plan page, with the editor bound or fresh. Either way the plan is shown, so the view
    goes into the trail."""
    audit.viewed(plan)
    today = timezone.localdate()
    state = plans.screened(plan, today)  # one screening for every check on this page
    blockers, outdated = [], []
    if plan.is_draft:
        blockers = plans.publish_blockers(
            plan, editor.rows, today, referral_explained=True, state=state
        )
    elif plan.status == PlanStatus.PUBLISHED:
        outdated = plans.given_under_current_rules(plan, state.hazards, editor.rows)
    blocked = {blocker.item.pk: blocker for blocker in blockers if blocker.item is not None}
    for item in editor.items:
        item.blocker = blocked.get(item.pk)
        item.overridden_labels = [
            HAZARD_BY_CODE[code].label for code in item.overridden if code in HAZARD_BY_CODE
        ]
    hazards = state.hazards
    return render(
        request,
        "assessments/plan.html",
        {
            "plan": plan,
            "patient": plan.patient,
            "editor": editor,
            "items": editor.items,
            "blocked_items": blocked,
            "flag_blockers": {b.code for b in blockers if b.item is None},
            "blocker_codes": plans.BlockerCode,
            "outdated": outdated,
            "outdated_labels": [blocker.item.label for blocker in outdated],
            "conflict_lines": editor.conflict_lines(),
            "hazards": hazards,
            "wells": explain.wells_breakdown(plan.assessment.screening.get("wells")),
            "history": plan.patient.care_plans.exclude(pk=plan.pk).order_by("-version")[:10],
            "referral_rows": plans.referrals_for_plan(plan),
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


def _submit(request, pk, action, *, adding=False, anchor=""):
    """Save everything the editor holds, then do `action(plan, editor)` in the same
    transaction: a refusal anywhere leaves nothing saved and the page shows what was typed."""
    plan = _plan(request, pk)
    data = access.form_data(request)
    if request.method != "POST":
        if data is None:
            return redirect("assessments:plan", pk=plan.pk)
        return _render_plan(request, plan, Editor(plan, data, adding=adding))
    if not plan.is_draft:
        messages.error(request, _("A published plan cannot be changed: start a new version."))
        return redirect("assessments:plan", pk=plan.pk)
    editor = Editor(plan, data, adding=adding)
    if not editor.is_valid():
        messages.error(request, _("Nothing was saved: see the marked fields."))
        return _render_plan(request, plan, editor)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            if editor.saves_anything:
                plans.save_editor(
                    plan=plan,
                    revision=access.parse_id(request.POST.get("revision")) or 0,
                    details=editor.details_values(),
                    items=editor.item_values(),
                    today=today,
                )
            done = action(plan, editor, today)
    except plans.EditConflict as clash:
        editor.conflict = clash.current
        messages.error(
            request,
            _(
                "Someone else changed this draft after you opened it, so nothing of yours was "
                "saved. What you typed is kept below; compare it with what is stored now."
            ),
        )
        return _render_plan(request, plan, editor)
    except plans.PlanError as refused:
        _show(request, editor, refused)
        return _render_plan(request, plan, editor)
    if done:
        messages.success(request, done)
    return redirect(f"{reverse('assessments:plan', args=[plan.pk])}{anchor}")


def _show(request, editor, refused):
    if refused.code == "refused":
        editor.show_refusals(refused.detail)
        messages.error(request, _("Nothing was saved: a hazard stops a change (see the item)."))
    elif refused.code in (plans.BlockerCode.ABSOLUTE, plans.BlockerCode.NEEDS_REASON):
        editor.show_add_refusal(refused.detail)
        messages.error(request, _("Not added: see the marked field. Nothing else was saved."))
    elif refused.code == "already_in_plan":
        editor.add.add_error("item", _("This item is already in the plan: change it there."))
        messages.error(request, _("Not added: see the marked field. Nothing else was saved."))
    elif refused.code == "blocked":
        codes = {blocker.code for blocker in refused.detail}
        if plans.BlockerCode.REFERRAL_NOT_EXPLAINED in codes:
            editor.referral_error = _("Confirm that the referral was explained to the patient.")
        messages.error(request, _("Not published: see what is still needed below."))
    else:
        messages.error(request, _("A published plan cannot be changed: start a new version."))


@access.allow(*access.CLINICAL)
def plan_details(request, pk):
    return _submit(request, pk, lambda plan, editor, today: _("Saved."))


@access.allow(*access.CLINICAL)
def plan_item(request, pk, item_pk):
    if not _plan(request, pk).items.filter(pk=item_pk).exists():
        raise Http404

    def act(plan, editor, today):
        item = plan.items.get(pk=item_pk)
        action = request.POST.get("action", "")
        if action in ("up", "down"):
            if not plans.move(item=item, up=action == "up"):
                return _("This item is already at the end of its group.")
        elif action in ("remove", "restore"):
            plans.set_removed(item=item, removed=action == "remove")
        return _("Saved.")

    return _submit(request, pk, act, anchor=f"#item-{item_pk}")


@access.allow(*access.CLINICAL)
def plan_add(request, pk):
    def act(plan, editor, today):
        kind, code = editor.add.chosen()
        data = editor.add.cleaned_data
        item = plans.add_item(
            plan=plan,
            kind=kind,
            code=code,
            side=data.get("item_side") or None,
            by=request.user,
            override_reason=data.get("add_reason") or "",
            today=today,
        )
        return _("Added: %(name)s") % {"name": item.label_text}

    return _submit(request, pk, act, adding=True)


@access.allow(*access.CLINICAL)
def plan_publish(request, pk):
    def act(plan, editor, today):
        published = plans.publish(
            plan=plan,
            by=request.user,
            today=today,
            referral_explained=request.POST.get("referral_explained") == "on",
        )
        if (
            published.version > 1
            and published.patient.care_plans.filter(status=PlanStatus.SUPERSEDED).exists()
        ):
            return _("Published. The previous plan is kept as an earlier version.")
        return _("Published. The patient can now see this plan.")

    return _submit(request, pk, act)


@access.allow(*access.CLINICAL)
def plan_handout(request, pk):
    plan = _plan(request, pk)
    if plan.status not in (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED):
        raise Http404
    audit.downloaded(plan, "handout.pdf")
    response = HttpResponse(documents.handout(plan), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="plan-{plan.patient.number_display}-v{plan.version}.pdf"'
    )
    return response
