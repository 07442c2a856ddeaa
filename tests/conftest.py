"""The test cast: two clinics; in ours one user per role, in the other a full copy."""

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from assessments.models import Exercise, SafetyCheck
from assessments.plans import create_draft, publish
from assessments.services import save_section, start_assessment
from clinic.models import Role
from devtools.records import record
from patients.models import Closure, DayOff
from tests.factories import (
    AppointmentFactory,
    ClinicFactory,
    MenuFactory,
    PatientFactory,
    UserFactory,
)


def _clinic_cast(name):
    clinic = ClinicFactory(name=name)
    cast = SimpleNamespace(clinic=clinic)
    cast.admin = UserFactory(clinic=clinic, role=Role.ADMIN, username=f"{clinic.slug}-admin")
    cast.practitioner = UserFactory(
        clinic=clinic, role=Role.PRACTITIONER, username=f"{clinic.slug}-pr"
    )
    cast.frontdesk = UserFactory(clinic=clinic, role=Role.FRONT_DESK, username=f"{clinic.slug}-fd")
    cast.patient_user = UserFactory(clinic=clinic, role=Role.PATIENT, username=f"{clinic.slug}-pt")
    cast.patient = PatientFactory(clinic=clinic, portal_user=cast.patient_user)
    cast.other_patient = PatientFactory(clinic=clinic)
    cast.appointment = AppointmentFactory(patient=cast.patient, practitioner=cast.practitioner)
    # The booking set-up the admin pages edit: a menu no longer offered (so the booking form of
    # the cast's clinic types lengths, as one without menus does), and a closure and a day off
    # far enough ahead that no test books on them.
    cast.menu = MenuFactory(clinic=clinic, name="旧コース", is_active=False)
    far = timezone.localdate() + dt.timedelta(days=400)
    cast.closure = Closure.objects.create(clinic=clinic, day=far, reason="改装")
    cast.day_off = DayOff.objects.create(
        clinic=clinic, practitioner=cast.practitioner, day=far - dt.timedelta(days=1)
    )
    cast.assessment = start_assessment(patient=cast.patient, practitioner=cast.practitioner)
    save_section(
        assessment=cast.assessment,
        section="red_flags",
        data={"fever": True},
        revision=cast.assessment.revision,
        by=cast.practitioner,
        today=timezone.localdate(),
    )
    cast.flag = cast.assessment.flags.get(code="fever")
    cast.exercise = Exercise.objects.create(
        clinic=clinic,
        code="towel_stretch",
        name_ja="タオルストレッチ",
        name_en="Towel stretch",
        purpose="太ももの裏を伸ばします。",
        steps="仰向けになる\nタオルを足裏にかける",
        care_tags=["stretch", "nerve_stretch", "knee_back_stretch"],
        targets=["tight_hamstring"],
        hold_seconds=20,
        sets=2,
        times_per_day=1,
        per_side=True,
    )
    cast.plan, cast.referral = _published_plan(cast)
    cast.plan_item = cast.plan.items.first()
    cast.safety = SafetyCheck.objects.create(
        patient=cast.patient, day=timezone.localdate(), night_pain=True
    )
    return cast


def _published_plan(cast):
    """A signed assessment with a fever flag, its published plan and the referral it opened."""
    today = timezone.localdate()
    sections = {
        "complaint": {"region": "knee_back", "side": "right", "pain": 5},
        "red_flags": {"fever": True},
        "habits": {"bag_side": "right"},
    }
    signed = record(
        patient=cast.patient,
        practitioner=cast.practitioner,
        sections=sections,
        today=today,
        sign_it=True,
    )
    plan = create_draft(assessment=signed, by=cast.practitioner, today=today)
    plan = publish(plan=plan, by=cast.practitioner, today=today, referral_explained=True)
    return plan, signed.referrals.get()


def pytest_configure(config):
    from django.conf import settings

    # Hashing strength is not under test; a fast hasher keeps the permission walk quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The audit anchors of this run, never the checkout's; emptied before every test (below).
    folder = Path(tempfile.mkdtemp(prefix="hikagami-test-anchors-"))
    settings.AUDIT_ANCHOR_FILE = folder / "audit-anchors.json"


def pytest_unconfigure(config):
    from django.conf import settings

    shutil.rmtree(Path(settings.AUDIT_ANCHOR_FILE).parent, ignore_errors=True)


def pytest_runtest_setup(item):
    # A hook, not an autouse fixture: Hypothesis refuses function-scoped fixtures.
    from django.conf import settings

    Path(settings.AUDIT_ANCHOR_FILE).unlink(missing_ok=True)


@pytest.fixture
def ours(db):
    return _clinic_cast("ひかがみ整体院")


@pytest.fixture
def theirs(db):
    return _clinic_cast("よその整体院")


@pytest.fixture
def login():
    def as_user(user):
        client = Client()
        client.force_login(user)
        return client

    return as_user
