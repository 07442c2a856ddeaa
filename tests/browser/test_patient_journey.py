"""On a phone: the patient opens the invitation link, sets a password, logs today's exercises
and downloads the handout PDF of their plan."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from assessments import plans
from assessments.models import ExerciseLog, SafetyCheck
from devtools.records import record
from patients import invitations
from tests.browser.helpers import PHONE, ja, label, save_screenshot
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "hiza-ura-nobasu-2026"
GOALS = "階段を手すりなしで上り下りする"
TOWEL = "タオルで太もも裏ストレッチ"
KNEE_BACK = {
    "complaint": {"region": "knee_back", "side": "right", "qualities": ["pulling"], "pain": 5},
    "measurements": {"slr": {"left": "75", "right": "55"}},
    "habits": {"work_style": "desk", "bag_side": "right"},
    "red_flags": {},
}


@pytest.fixture
def invited_patient(clinic_staff, live_server):
    """A patient with a published plan, invited the way the desk's button does it."""
    patient = PatientFactory(
        clinic=clinic_staff.clinic,
        family_name="山本",
        given_name="さくら",
        family_name_kana="ヤマモト",
        given_name_kana="サクラ",
        email="sakura.yamamoto@example.jp",
    )
    today = timezone.localdate()
    with translation.override("ja"):  # the plan snapshot keeps the language it was made in
        signed = record(
            patient=patient,
            practitioner=clinic_staff.practitioner,
            sections=KNEE_BACK,
            today=today,
            sign_it=True,
        )
        draft = plans.create_draft(assessment=signed, by=clinic_staff.practitioner, today=today)
        draft.goals = GOALS
        draft.save()
        plans.publish(
            plan=draft, by=clinic_staff.practitioner, today=today, referral_explained=False
        )
    desk = RequestFactory().post("/", HTTP_HOST=urlsplit(live_server.url).netloc)
    desk.user = clinic_staff.frontdesk
    invitations.invite(patient=patient, request=desk)
    return patient


def test_the_patient_activates_the_portal_logs_today_and_downloads_the_handout(
    open_page, invited_patient, live_server, tmp_path
):
    (invitation,) = mail.outbox
    assert invitation.to == ["sakura.yamamoto@example.jp"]
    link = re.search(r"http://\S+/portal/activate/\S+/", invitation.body).group(0)
    assert link.startswith(live_server.url)

    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text(ja("Set your password"))
    expect(phone.get_by_text("sakura.yamamoto@example.jp")).to_be_visible()
    phone.get_by_label(label("New password")).fill(PASSWORD)
    phone.get_by_label(label("New password confirmation")).fill(PASSWORD)
    phone.get_by_role("button", name=ja("Save and open my page")).tap()

    expect(phone.get_by_role("alert")).to_have_text(
        ja("Your password is set. Welcome to your patient page.")
    )
    expect(phone.get_by_role("heading", level=1)).to_contain_text("山本 さくら")
    expect(phone.locator("#home-exercises ~ .portal-exercise").first).to_be_visible()
    phone.get_by_role("link", name=ja("Fill in today's log")).tap()

    expect(phone.get_by_role("heading", level=1)).to_contain_text(ja("Today's log"))
    phone.get_by_label(ja("No"), exact=True).check()  # no new swelling or heat
    towel = phone.locator("section.card").filter(
        has=phone.get_by_role("heading", name=TOWEL, exact=True)
    )
    towel.get_by_label(label("Done")).check()
    towel.get_by_label(label("Sets")).fill("2")
    towel.get_by_label(label("Pain (0-10)")).fill("3")
    towel.get_by_label(label("Note")).fill("伸ばすと少し楽になった")
    phone.get_by_role("button", name=ja("Save"), exact=True).tap()

    expect(phone.get_by_role("alert")).to_have_text(ja("Saved. Thank you!"))
    expect(towel.get_by_label(label("Done"))).to_be_checked()  # the saved log reads back
    expect(towel.get_by_label(label("Sets"))).to_have_value("2")
    save_screenshot(phone, "patient-log-saved")
    logged = ExerciseLog.objects.get(patient=invited_patient, item_code="towel_hamstring_stretch")
    assert (logged.day, logged.done, logged.sets, logged.pain) == (
        timezone.localdate(),
        True,
        2,
        3,
    )
    check = SafetyCheck.objects.get(patient=invited_patient, day=timezone.localdate())
    assert not (check.swelling_heat_leg or check.night_pain or check.numbness or check.lump_grew)

    phone.get_by_role("link", name=ja("My page")).tap()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name=ja("Download the handout (PDF)")).tap()
    download = download_info.value
    assert download.suggested_filename == "care-plan-v1.pdf"
    handout = tmp_path / download.suggested_filename
    download.save_as(handout)
    content = handout.read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = re.sub(r"\s+", "", text)
    assert "山本さくら" in text and GOALS in text and TOWEL in text

    account = invited_patient.portal_user
    account.refresh_from_db()
    assert account.is_active and account.check_password(PASSWORD)
    shot = save_screenshot(phone, "patient-portal-after-download")
    assert shot.stat().st_size > 10_000
