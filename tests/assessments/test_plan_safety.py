"""No item an absolute hazard holds reaches a published snapshot, by any path.

Hypothesis plays a practitioner: from a signed assessment with an absolute hazard, it proposes a
plan (the generator), adds items by hand on any side with or without a reason (the editor and
its overrides), changes sides, removes and restores, sometimes drafts again after a doctor's
clearance lifted some hazards, and tries to publish. Whatever it does, every item of every
published snapshot is clear of the hazards still in force on the side it is given, apart from
relative ones its written reason answers.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from assessments import plans
from assessments.library import install_shipped
from assessments.models import CarePlan, PlanStatus, Referral
from assessments.plans import PlanError
from assessments.rules.hazards import HAZARD_BY_CODE
from assessments.rules.plan_rules import RULE_BY_KEY
from assessments.rules.verdicts import unmet
from clinic.models import Role
from devtools.records import record
from tests.factories import ClinicFactory, PatientFactory, UserFactory

CASES = {
    "same-day DVT, left": {
        "complaint": {"region": "calf", "side": "left", "pain": 6},
        "measurements": {
            "calf_circumference": {"left": "41", "right": "37.5"},
            "slr": {"left": "60", "right": "75"},
        },
        "palpation": {"tender": True},
        "habits": {"cold_extremities": True, "work_style": "desk"},
        "red_flags": {"leg_swelling": "left", "swelling_sudden": True, "leg_warm": True},
    },
    "pulsating lump, right": {
        "complaint": {"region": "knee_back", "side": "right", "pain": 4},
        "measurements": {"slr": {"left": "75", "right": "55"}},
        "palpation": {"mass": True, "pulsating": True, "side": "right"},
        "habits": {"work_style": "desk"},
        "red_flags": {},
    },
    "injury and night pain, both": {
        "complaint": {"region": "knee_back", "side": "both", "pain": 7},
        "measurements": {"knee_to_wall": {"left": "10", "right": "6"}},
        "red_flags": {"trauma_cannot_bear_weight": True, "night_pain": True, "fever": True},
    },
}
SHIPPED_CODES = [
    "towel_hamstring_stretch",
    "lying_knee_back_release",
    "knee_back_lymph_massage",
    "morning_posture_breathing",
    "desk_break_knee_back_rub",
    "wall_calf_stretch",
    "knee_to_wall_ankle_rock",
    "lying_hip_rotation",
]
ITEMS = [("exercise", code) for code in SHIPPED_CODES] + sorted(RULE_BY_KEY)
SIDES = st.sampled_from([None, "both", "left", "right"])
REASONS = st.sampled_from(["", "患者の希望", "医師に電話で確認済み"])

add = st.tuples(st.just("add"), st.sampled_from(ITEMS), SIDES, REASONS)
change = st.tuples(
    st.just("side"), st.integers(0, 30), st.sampled_from(["both", "left", "right"]), REASONS
)
toggle = st.tuples(st.just("toggle"), st.integers(0, 30), st.none(), st.none())
publish = st.tuples(st.just("publish"), st.none(), st.none(), st.none())
clearance = st.tuples(st.just("clearance"), st.integers(0, 7), st.none(), st.none())
steps = st.lists(st.one_of(add, change, toggle, publish, clearance), min_size=1, max_size=8)


class NoAbsoluteHazardReachesAPublishedSnapshot(TestCase):
    def setUp(self):
        self.clinic = ClinicFactory()
        self.doctor = UserFactory(clinic=self.clinic, role=Role.PRACTITIONER)
        install_shipped(clinic=self.clinic)

    def _act(self, plan, step, today):
        kind, first, second, reason = step
        plan.refresh_from_db()
        if kind == "add":
            (item_kind, code), side = first, second
            plans.add_item(
                plan=plan,
                kind=item_kind,
                code=code,
                side=side,
                by=self.doctor,
                override_reason=reason,
                today=today,
            )
        elif kind in ("side", "toggle"):
            rows = list(plan.items.order_by("pk"))
            if not rows:
                return plan
            item = rows[first % len(rows)]
            if kind == "toggle":
                plans.set_removed(item=item, removed=not item.removed)
            else:
                plans.save_editor(
                    plan=plan,
                    revision=plan.revision,
                    details={},
                    items={item.pk: {"side": second, "override_reason": reason}},
                    today=today,
                )
        elif kind == "publish":
            plans.publish(plan=plan, by=self.doctor, today=today, referral_explained=True)
        elif kind == "clearance":
            referrals = list(Referral.objects.filter(patient=plan.patient).order_by("number"))
            if not referrals:
                return plan
            referral = referrals[first % len(referrals)]
            plans.record_outcome(
                referral=referral,
                seen_on=today,
                doctor_findings="",
                cleared=True,
                outcome_on=today,
                by=self.doctor,
            )
            referral.refresh_from_db()
            # any hazard at all may be ticked: the service decides what the clearance lifts
            found = [hazard.code for hazard in plans.hazards_for_assessment(plan.assessment, today)]
            chosen = [code for i, code in enumerate(found) if (first >> i) & 1]
            if chosen:
                return plans.lift(referral=referral, codes=chosen, by=self.doctor, today=today)
        return plan

    def _assert_published_plans_are_safe(self, patient, today):
        library = plans.pure_library(plans.library_for(self.clinic.pk))
        cleared = [r.flag_codes for r in Referral.objects.filter(patient=patient, cleared=True)]
        for plan in CarePlan.objects.filter(patient=patient, published_at__isnull=False):
            # a hazard is lifted only by the clearance of a referral for its own flags
            for code in plan.lifted:
                assert any(HAZARD_BY_CODE[code].lifted_by(flags) for flags in cleared), code
            hazards = plans.hazards_for(plan, today)
            for entry in plan.snapshot["items"]:
                verdict = plans.item_verdict(
                    entry["kind"], entry["code"], entry["side"], library, hazards
                )
                overridden = entry["overridden"] if entry["override_reason"] else ()
                absolute, relative = unmet(verdict, overridden)
                assert not absolute, (plan.version, entry["code"], entry["side"])
                assert not relative, (plan.version, entry["code"], entry["side"])
            given = {(entry["kind"], entry["code"]) for entry in plan.snapshot["items"]}
            held = {(entry["kind"], entry["code"]) for entry in plan.snapshot["withheld"]}
            assert not given & held  # in the patient's care or on hold, never both

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(case=st.sampled_from(sorted(CASES)), steps=steps)
    def test_whatever_the_practitioner_does(self, case, steps):
        from django.utils import timezone

        today = timezone.localdate()
        patient = PatientFactory(clinic=self.clinic)
        assessment = record(
            patient=patient,
            practitioner=self.doctor,
            sections=CASES[case],
            today=today,
            sign_it=True,
        )
        plan = plans.create_draft(assessment=assessment, by=self.doctor, today=today)
        for step in [*steps, ("publish", None, None, None)]:
            try:
                plan = self._act(plan, step, today)
            except PlanError:
                pass  # refused: what matters is what reaches the patient
            latest = CarePlan.objects.filter(patient=patient).order_by("-version").first()
            plan = latest if latest.status == PlanStatus.DRAFT else plan
            if plan.status != PlanStatus.DRAFT:
                plan = plans.create_draft(assessment=assessment, by=self.doctor, today=today)
        self._assert_published_plans_are_safe(patient, today)
