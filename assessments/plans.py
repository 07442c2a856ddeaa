"""Care plans: a draft proposed from a signed assessment, edited, then published as a snapshot.

The pure generator (`rules.plan.propose`) proposes; this module saves it, runs the same hazard
check (`rules.verdicts`) on everything a practitioner adds or changes by hand and again at
publishing, and freezes what the patient is given. An absolute hazard is never overridden; a
relative one only with a written reason, kept on the item.

Generated wording is stored in Japanese and English (`both`), so a page in either language
shows its own words, and a later change of the rules or the library never rewrites what was given.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessments import documents, plan_snapshot, referrals
from assessments.models import (
    GIVEN_STATUSES,
    Assessment,
    CarePlan,
    Exercise,
    PlanItem,
    PlanStatus,
    Referral,
)
from assessments.plan_basis import (  # noqa: F401 (re-exported: the plan API in one place)
    DOSE_FIELDS,
    KIND_ORDER,
    hazards_for,
    hazards_for_assessment,
    library_for,
    ordered_items,
    plan_input,
    pure_library,
    screening_of,
)
from assessments.referrals import for_plan as referrals_for_plan  # noqa: F401
from assessments.referrals import liftable, record_outcome  # noqa: F401
from assessments.rules import hazards as hazard_rules
from assessments.rules.facts import Side
from assessments.rules.hazards import HAZARD_BY_CODE
from assessments.rules.plan import propose
from assessments.rules.plan_rules import RULE_BY_KEY, care_item, default_side, placement_of
from assessments.rules.verdicts import Block, as_given, check, unmet
from assessments.rules.wording import both
from clinic.templatetags.hikagami import in_language

snapshot = plan_snapshot.build


class PlanError(Exception):
    """A plan action that is not possible now; `code` says why (shown to the practitioner)."""

    def __init__(self, code: str, detail=None):
        super().__init__(code)
        self.code = code
        self.detail = detail


class EditConflict(Exception):
    """Someone changed the draft after this editor was opened."""

    def __init__(self, current: CarePlan):
        super().__init__("conflict")
        self.current = current


class BlockerCode:
    """Why a draft cannot be published yet (`Blocker.code`; the last two are also the codes of
    a `PlanError` refusing an item added by hand)."""

    # Templates read these as attributes: a class must not be called there.
    do_not_call_in_templates = True

    # a referral stands and its explanation is not confirmed
    REFERRAL_NOT_EXPLAINED = "referral_not_explained"
    # a current red flag of the assessment awaits acknowledgement
    UNACKNOWLEDGED_FLAG = "unacknowledged_flag"
    # the assessment's red flags changed after the draft was made (an amendment): the draft's
    # referrals are out of date, propose again
    FLAGS_CHANGED = "flags_changed"
    # the current rules raise a red flag the signed assessment does not have (a rules change):
    # screen it again
    SCREEN_OUTDATED = "screen_outdated"
    # an item given where an absolute hazard holds, or a relative one with no written reason
    # answering it (`item`, `blocks`)
    ABSOLUTE = "absolute"
    NEEDS_REASON = "needs_reason"


@dataclass(frozen=True)
class Blocker:
    """Why a draft cannot be published yet: a `BlockerCode`, and for an item the item and the
    hazards' blocks that stop it."""

    code: str
    item: PlanItem | None = None
    blocks: tuple[Block, ...] = ()

    @property
    def message(self):
        """What the practitioner is told beside a blocked item."""
        if self.code == BlockerCode.ABSOLUTE:
            return _(
                "An absolute hazard holds this item where it is given: change its side or "
                "remove it."
            )
        return _("A relative hazard holds this item: write a reason or remove it.")


# Drafts ------------------------------------------------------------------------------------


def _withheld_entries(proposal) -> list[dict]:
    return [
        {
            "kind": held.kind,
            "code": held.code,
            "side": held.side,
            "severity": held.severity,
            "hazards": list(held.hazards),
            "partial": held.partial,
            "label": both(held.label),
            "reason": both(held.reason),
            "patient": both(held.patient),
        }
        for held in proposal.withheld
    ]


def _caution_entries(proposal) -> list[dict]:
    return [
        {
            "hazard": caution.hazard,
            "side": caution.side,
            "label": both(HAZARD_BY_CODE[caution.hazard].label),
            "reason": both(caution.reason),
            "staff": both(caution.staff),
            "patient": both(caution.patient),
        }
        for caution in proposal.cautions
    ]


def _referral_entries(proposal, cleared_departments) -> list[dict]:
    return [
        {
            "department": referral.department,
            "urgency": referral.urgency,
            "flag_codes": list(referral.flag_codes),
            "reason": both(referral.reason),
        }
        for referral in proposal.referrals
        if referral.department not in cleared_departments
    ]


def _open_draft(patient) -> CarePlan | None:
    return (
        CarePlan.objects.select_for_update(no_key=True)
        .filter(patient=patient, status=PlanStatus.DRAFT)
        .first()
    )


@transaction.atomic
def create_draft(*, assessment: Assessment, by, today: dt.date, lifted=()) -> CarePlan:
    """The patient's one open draft. Proposing again from the same assessment (and the same
    lifted hazards) opens the existing draft; a draft from another assessment or after a
    clearance sets the older draft aside (kept, never published, never shown to the patient)."""
    if not assessment.is_signed:
        raise PlanError("assessment_not_signed")
    lifted = sorted(set(lifted))
    draft = _open_draft(assessment.patient)
    if draft is not None:
        same = draft.assessment_id == assessment.pk and sorted(draft.lifted) == lifted
        if same and not _flags_changed(draft):
            return draft
        _set_aside(draft)
    rows = library_for(assessment.clinic_id)
    proposal = propose(plan_input(assessment, rows, today, lifted))
    version = (
        CarePlan.objects.filter(patient=assessment.patient).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    cleared = set(
        Referral.objects.filter(assessment=assessment, cleared=True).values_list(
            "department", flat=True
        )
    )
    earlier = (
        CarePlan.objects.filter(patient=assessment.patient, status__in=GIVEN_STATUSES)
        .order_by("-version")
        .first()
    )
    plan = CarePlan.objects.create(
        clinic_id=assessment.clinic_id,
        patient=assessment.patient,
        assessment=assessment,
        version=version,
        created_by=by,
        visit_interval_days=proposal.visit_interval_days,
        reassess_on=proposal.reassess_on,
        rules_version=proposal.rules_version,
        withheld=_withheld_entries(proposal),
        cautions=_caution_entries(proposal),
        lifted=lifted,
        referrals=_referral_entries(proposal, cleared),
        goals=earlier.goals if earlier else "",
        patient_note=earlier.patient_note if earlier else "",
    )
    for position, item in enumerate(proposal.items):
        dose = item.dose.as_dict() if item.dose else {}
        label, detail, reason = both(item.label), both(item.detail), both(item.reason)
        PlanItem.objects.create(
            plan=plan,
            position=position,
            kind=item.kind,
            code=item.code,
            exercise=rows.get(item.code) if item.kind == PlanItem.Kind.EXERCISE else None,
            label=label["ja"],
            label_en=label["en"],
            detail=detail["ja"],
            detail_en=detail["en"],
            reason=reason["ja"],
            reason_en=reason["en"],
            **{key: dose.get(key) for key in DOSE_FIELDS},
            side=dose.get("side", ""),
            extra_sets_side=dose.get("extra_sets_side", ""),
        )
    return plan


def _set_aside(draft: CarePlan) -> None:
    draft.status, draft.superseded_at = PlanStatus.SET_ASIDE, timezone.now()
    draft.save(update_fields=["status", "superseded_at"])


def _draft(plan: CarePlan, revision: int | None = None) -> CarePlan:
    """The plan locked for a change: refused unless it is a draft, and (given `revision`) unless
    nobody changed it since the editor was opened."""
    locked = CarePlan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise PlanError("not_a_draft")
    if revision is not None and locked.revision != revision:
        raise EditConflict(locked)
    return locked


def _touch(plan: CarePlan) -> None:
    plan.revision += 1
    plan.save(update_fields=["revision"])


# Checking an item against the hazards -------------------------------------------------------


def item_verdict(kind: str, code: str, side: str, library, hazards):
    """The verdict for an item given exactly on `side` (never narrowed)."""
    return as_given(care_item(code, kind, library, side), hazards)


def safe_side(kind: str, code: str, library, hazards) -> str | None:
    """The leg a two-sided item could still be given on, when one leg is held (else None)."""
    verdict = check(care_item(code, kind, library, Side.BOTH), hazards)
    return verdict.side if verdict.narrowed else None


@dataclass(frozen=True)
class Refusal:
    """An item as the practitioner wants it, refused: `absolute` blocks are never given; the
    `relative` ones need a written reason; `safe_side` is where it could go instead."""

    absolute: tuple[Block, ...]
    relative: tuple[Block, ...]
    safe_side: str | None = None


def refusal(kind, code, side, library, hazards, *, answered=()) -> Refusal | None:
    """None when the item may be given on `side` as it stands, the relative hazards it meets
    being among `answered` (those a written reason answers), else what stops it."""
    verdict = item_verdict(kind, code, side, library, hazards)
    absolute, relative = unmet(verdict, answered)
    if not absolute and not relative:
        return None
    return Refusal(absolute, relative, safe_side(kind, code, library, hazards))


def relative_codes(kind, code, side, library, hazards) -> list[str]:
    verdict = item_verdict(kind, code, side, library, hazards)
    return list(dict.fromkeys(block.hazard.code for block in verdict.relative))


def _default_dose(kind: str, code: str, row: Exercise | None, complaint_side: str, library):
    """The library's (or the rule's) dose, for an item added by hand."""
    side = default_side(placement_of(code, kind, library), complaint_side)
    if row is not None:
        return {key: getattr(row, key) for key in DOSE_FIELDS} | {"side": side}
    rule_dose = RULE_BY_KEY[(kind, code)].dose
    values = rule_dose.as_dict() if rule_dose else {}
    return {key: values.get(key) for key in DOSE_FIELDS} | {"side": side}


def addable(rows: dict[str, Exercise]) -> list[tuple[str, str, str]]:
    """(kind, code, label) of everything a practitioner may add by hand: the clinic's active
    exercises (`rows`, the clinic's library) and every in-clinic, habit, supporter and compress
    rule."""
    found = [
        (PlanItem.Kind.EXERCISE, row.code, row.name) for row in rows.values() if not row.retired
    ]
    for (kind, code), rule in RULE_BY_KEY.items():
        found.append((kind, code, str(rule.label)))
    return sorted(found, key=lambda entry: KIND_ORDER.index(entry[0]))


@transaction.atomic
def add_item(
    *,
    plan: CarePlan,
    kind: str,
    code: str,
    side: str | None,
    by,
    override_reason: str,
    today,
    revision: int | None = None,
) -> PlanItem:
    """Add an item by hand, with the library's (or rule's) default dose, on `side` (None: where
    it goes by default). The same hazard check as the generator: an absolute hazard refuses it
    ("absolute", with the Refusal); a relative one needs `override_reason` ("needs_reason")."""
    plan = _draft(plan, revision)
    rows = library_for(plan.clinic_id)
    library = pure_library(rows)
    exercise = kind == PlanItem.Kind.EXERCISE
    row = rows.get(code) if exercise else None
    if (exercise and (row is None or row.retired)) or (
        not exercise and (kind, code) not in RULE_BY_KEY
    ):
        raise PlanError("unknown_item")
    if plan.items.filter(kind=kind, code=code, removed=False).exists():
        raise PlanError("already_in_plan")
    complaint_side = plan.assessment.section("complaint").get("side", "")
    dose = _default_dose(kind, code, row, complaint_side, library)
    if side is not None and placement_of(code, kind, library) in ("each_leg", "complaint_side"):
        dose["side"] = side
    hazards = hazards_for(plan, today)
    answers = relative_codes(kind, code, dose["side"], library, hazards)
    answered = answers if override_reason.strip() else ()
    refused = refusal(kind, code, dose["side"], library, hazards, answered=answered)
    if refused is not None:
        code = BlockerCode.ABSOLUTE if refused.absolute else BlockerCode.NEEDS_REASON
        raise PlanError(code, refused)
    overridden = relative_codes(kind, code, dose["side"], library, hazards)
    position = (plan.items.aggregate(p=Max("position"))["p"] or 0) + 1
    rule = RULE_BY_KEY.get((kind, code))
    label = both(rule.label) if rule else {"ja": row.name_ja, "en": row.name_en or row.name_ja}
    detail = both(rule.detail) if rule else {"ja": "", "en": ""}
    added = both(format_lazy(_("Added by the practitioner ({name})."), name=by))
    item = PlanItem.objects.create(
        plan=plan,
        position=position,
        kind=kind,
        code=code,
        exercise=row,
        label=label["ja"],
        label_en=label["en"],
        detail=detail["ja"],
        detail_en=detail["en"],
        reason=added["ja"],
        reason_en=added["en"],
        **{key: dose.get(key) for key in DOSE_FIELDS},
        side=dose["side"],
        added_by_hand=True,
        override_reason=override_reason.strip() if overridden else "",
        overridden=overridden,
    )
    _touch(plan)
    return item


def _answered(item: PlanItem, values: dict, relative: list[str]) -> list[str]:
    """The relative hazards the item's written reason answers: all of them when the reason is
    new or changed (it was written for what holds now), only those it was written for when it
    is the same text, and none when it was cleared."""
    reason = (values.get("override_reason", item.override_reason) or "").strip()
    if not reason:
        return []
    if reason == item.override_reason.strip():
        return [code for code in relative if code in item.overridden]
    return relative


def check_item_change(item: PlanItem, values: dict, library, hazards) -> Refusal | None:
    """Would `values` (a dose form's cleaned data, with its side and override reason) put the
    item where a hazard stops it? Pure of writes: the editor calls it before saving anything."""
    side = values.get("side", item.side)
    relative = relative_codes(item.kind, item.code, side, library, hazards)
    answered = _answered(item, values, relative)
    return refusal(item.kind, item.code, side, library, hazards, answered=answered)


def _apply_item(item: PlanItem, values: dict, library, hazards) -> bool:
    """Write the editor's values to one item; True when something changed (only then is it
    saved, so an untouched item leaves no entry in the audit trail)."""
    changed = False
    for key in (*DOSE_FIELDS, "side", "extra_sets_side"):
        if key not in values:
            continue
        value = values[key] if key in DOSE_FIELDS else (values[key] or "")
        if getattr(item, key) != value:
            setattr(item, key, value)
            changed = True
    if "override_reason" in values:
        relative = relative_codes(item.kind, item.code, item.side, library, hazards)
        answered = _answered(item, values, relative)
        reason = (values["override_reason"] or "").strip() if answered else ""
        if (reason, answered) != (item.override_reason, list(item.overridden)):
            item.override_reason, item.overridden = reason, answered
            changed = True
    if changed:
        item.save()
    return changed


@transaction.atomic
def save_editor(*, plan: CarePlan, revision: int, details: dict, items: dict, today) -> CarePlan:
    """Save everything the plan editor holds, all or nothing: the goals, note and visits
    (`details`) and each item's dose and side (`items`: item pk -> the dose form's cleaned
    data). Refused as a conflict when someone changed the draft after `revision`, and with
    PlanError("refused", {pk: Refusal}) when a change would put an item where a hazard stops it."""
    plan = _draft(plan, revision)
    library = pure_library(library_for(plan.clinic_id))
    hazards = hazards_for(plan, today)
    rows = {item.pk: item for item in plan.items.all()}
    refused = {}
    for pk, values in items.items():
        if pk in rows and not rows[pk].removed:
            found = check_item_change(rows[pk], values, library, hazards)
            if found is not None:
                refused[pk] = found
    if refused:
        raise PlanError("refused", refused)
    changed = False
    for name, value in details.items():
        if getattr(plan, name) != value:
            setattr(plan, name, value)
            changed = True
    if changed:
        plan.save(update_fields=list(details))
    for pk, values in items.items():
        if pk in rows and not rows[pk].removed:
            _apply_item(rows[pk], values, library, hazards)
    _touch(plan)
    return plan


@transaction.atomic
def set_removed(*, item: PlanItem, removed: bool, revision: int | None = None) -> None:
    plan = _draft(item.plan, revision)
    item.removed = removed
    item.save(update_fields=["removed"])
    _touch(plan)


@transaction.atomic
def move(*, item: PlanItem, up: bool, revision: int | None = None) -> bool:
    """Swap with the neighbouring item of the same kind; the plan is shown grouped by kind."""
    plan = _draft(item.plan, revision)
    ordered = ordered_items(plan)
    same_kind = [i for i, other in enumerate(ordered) if other.kind == item.kind]
    here = next(i for i in same_kind if ordered[i].pk == item.pk)
    neighbours = [i for i in same_kind if (i < here if up else i > here)]
    if not neighbours:
        return False
    there = neighbours[-1] if up else neighbours[0]
    ordered[here], ordered[there] = ordered[there], ordered[here]
    for position, other in enumerate(ordered):
        if other.position != position:
            other.position = position
            other.save(update_fields=["position"])
    _touch(plan)
    return True


# Publishing --------------------------------------------------------------------------------


def _proposed_flag_codes(plan: CarePlan) -> set[str]:
    """The flags the draft's referrals were made from, and those a clearance already answered."""
    codes = {code for proposal in plan.referrals for code in proposal["flag_codes"]}
    cleared = Referral.objects.filter(assessment=plan.assessment, cleared=True)
    return codes | {code for referral in cleared for code in referral.flag_codes}


def _flags_changed(plan: CarePlan) -> bool:
    current = set(plan.assessment.flags.filter(is_current=True).values_list("code", flat=True))
    return bool(current - _proposed_flag_codes(plan))


@dataclass(frozen=True)
class Screened:
    """One screening of a plan's assessment under the current rules, read by every check of
    one request: the hazards in force (less what the plan lifted) and the flags the rules raise
    that the signed assessment has not stored."""

    hazards: tuple
    unstored_flags: tuple[str, ...]


def screened(plan: CarePlan, today) -> Screened:
    facts, screening = screening_of(plan.assessment, today)
    hazards = hazard_rules.hazards_in_force(facts, screening, today, lifted=plan.lifted)
    stored = set(plan.assessment.flags.filter(is_current=True).values_list("code", flat=True))
    return Screened(hazards, tuple(f.code for f in screening.flags if f.code not in stored))


def _flag_blockers(plan: CarePlan, state: Screened) -> list[Blocker]:
    blockers = []
    if plan.assessment.flags.filter(is_current=True, acknowledged_at__isnull=True).exists():
        blockers.append(Blocker(BlockerCode.UNACKNOWLEDGED_FLAG))
    if state.unstored_flags:
        blockers.append(Blocker(BlockerCode.SCREEN_OUTDATED))
    elif _flags_changed(plan):
        blockers.append(Blocker(BlockerCode.FLAGS_CHANGED))
    return blockers


def publish_blockers(
    plan: CarePlan, rows, today, *, referral_explained: bool, state: Screened | None = None
) -> list[Blocker]:
    """Why this draft cannot be published yet (empty when it can). Checked again at publish:
    the red flags as they stand, and every item as it would be given."""
    state = state or screened(plan, today)
    blockers = _flag_blockers(plan, state)
    if plan.referrals and not referral_explained and plan.referral_explained_at is None:
        blockers.append(Blocker(BlockerCode.REFERRAL_NOT_EXPLAINED))
    blockers += item_blockers(plan, rows, state.hazards)
    return blockers


def item_blockers(plan: CarePlan, rows, hazards, items=None) -> list[Blocker]:
    """Each item (of the draft, or the given entries) that one of `hazards` stops as given."""
    library = pure_library(rows)
    found = []
    for item in plan.items.filter(removed=False) if items is None else items:
        verdict = item_verdict(item.kind, item.code, item.side, library, hazards)
        absolute, relative = unmet(verdict, item.overridden if item.override_reason else ())
        if absolute:
            found.append(Blocker(BlockerCode.ABSOLUTE, item, absolute))
        elif relative:
            found.append(Blocker(BlockerCode.NEEDS_REASON, item, relative))
    return found


def _given_entries(plan: CarePlan) -> list[PlanItem]:
    """A published plan's items as it gave them (from its snapshot), to check again."""
    return [
        PlanItem(
            kind=entry["kind"],
            code=entry["code"],
            side=entry.get("side", ""),
            label=in_language(entry.get("name") or entry["label"]),
            override_reason=entry.get("override_reason", ""),
            overridden=entry.get("overridden", []),
        )
        for entry in plan.snapshot.get("items", [])
    ]


def given_under_current_rules(plan: CarePlan, hazards, rows=None) -> list[Blocker]:
    """For a published plan: what it gave that `hazards` (the current rules) would stop (a plan
    published under earlier rules, or before an amendment). Staff are told to draft anew.
    `rows`: the clinic's library when the caller has read it already (the plan page's editor)."""
    rows = library_for(plan.clinic_id) if rows is None else rows
    entries = [
        entry
        for entry in _given_entries(plan)
        if entry.kind != PlanItem.Kind.EXERCISE or entry.code in rows
    ]
    try:
        return item_blockers(plan, rows, hazards, entries)
    except KeyError:  # an item no rule or library defines any more
        return []


@transaction.atomic
def publish(*, plan: CarePlan, by, today, referral_explained: bool) -> CarePlan:
    plan = _draft(plan)
    rows = library_for(plan.clinic_id)
    blockers = publish_blockers(plan, rows, today, referral_explained=referral_explained)
    if blockers:
        raise PlanError("blocked", blockers)
    now = timezone.now()
    if plan.referrals and plan.referral_explained_at is None:
        plan.referral_explained_at, plan.referral_explained_by = now, by
    _supersede(CarePlan.objects.filter(patient=plan.patient, status=PlanStatus.PUBLISHED), now)
    plan.status, plan.published_at, plan.published_by = PlanStatus.PUBLISHED, now, by
    plan.snapshot = snapshot(plan, by=by, today=today, rows=rows)
    plan.revision += 1
    plan.save()
    referrals.open_for_plan(plan=plan, by=by)
    # The handout is rendered once the plan is committed, not inside the transaction: rendering
    # takes longer than the rest of publishing, and while the transaction is open it holds the
    # write lock (the whole database on SQLite, the patient's plan rows on PostgreSQL). The
    # snapshot it renders is committed and never changes, so nothing is lost by waiting; if
    # rendering fails the plan stays published (the portal reads the snapshot) and the first
    # download renders and keeps the file (`documents.handout`).
    transaction.on_commit(lambda: documents.keep_handout(plan=plan), robust=True)
    return plan


@transaction.atomic
def lift(*, referral: Referral, codes, by, today) -> CarePlan:
    """A new draft after a doctor's clearance: from the patient's latest signed assessment,
    lifting the ticked hazards this referral may lift (and those earlier clearances lifted on
    the same assessment). Refused (PlanError "nothing_to_lift") when none of them may."""
    allowed = {hazard.code for hazard in liftable(referral, today)}
    chosen = set(codes) & allowed
    if not chosen:
        raise PlanError("nothing_to_lift")
    latest = referrals.latest_signed(referral.patient) or referral.assessment
    earlier = (
        CarePlan.objects.filter(patient=referral.patient, assessment=latest)
        .exclude(status=PlanStatus.SET_ASIDE)
        .order_by("-version")
        .first()
    )
    kept = set(earlier.lifted) if earlier else set()
    return create_draft(assessment=latest, by=by, today=today, lifted=sorted(chosen | kept))


def _supersede(plans, now=None) -> None:
    # One row at a time (at most one per patient): each change goes through the audit trail.
    for earlier in plans.select_for_update(no_key=True):
        earlier.status, earlier.superseded_at = PlanStatus.SUPERSEDED, now or timezone.now()
        earlier.save(update_fields=["status", "superseded_at"])
