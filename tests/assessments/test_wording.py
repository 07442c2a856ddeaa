"""What a patient reads states no condition as fact, and an English page has no Japanese left.

- Every catalogue entry written for the patient (msgctxt "patient": the red flags' patient
  labels, the hazards' patient sentences, the cautions, the referral box) and every one of those
  texts as the rules produce it, in English and in Japanese, is scanned for diagnostic words.
- Staff pages and the patient's pages, rendered in English for a clinic and a patient with Latin
  names, show no Japanese character outside the clinic's own exercise texts (data, not wording).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from assessments import plans
from assessments.library import install_shipped
from assessments.rules import HAZARD_RULES, RULES
from assessments.rules.care import GROUP_OF_TAG
from assessments.rules.hazards import patient_why
from clinic.models import Role
from devtools.records import record
from tests.assessments.cases import hazard
from tests.factories import ClinicFactory, PatientFactory, UserFactory

# Names of conditions (and the words that assert one) a patient must never read as a finding.
DIAGNOSTIC = re.compile(
    r"\b(DVT|thrombosis|thrombus|clot|embolism|aneurysm|cyst|tumou?r|cancer|fracture|infection"
    r"|inflammation|inflamed|cellulitis|sciatica|arthritis|diagnos\w*)\b"
    r"|血栓|塞栓|動脈瘤|嚢腫|のう胞|腫瘍|がん|癌|骨折|感染|炎症|蜂窩織炎|坐骨神経痛|関節炎|診断",
    re.IGNORECASE,
)
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def patient_entries():
    """(msgid, msgstr) of every catalogue entry in the "patient" context."""
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        if 'msgctxt "patient"' not in block:
            continue
        parts = {"msgid": [], "msgstr": []}
        current = None
        for line in block.splitlines():
            for key in ("msgid", "msgstr"):
                if line.startswith(f"{key} "):
                    current = key
                    line = line[len(key) + 1 :]
            if current and line.startswith('"'):
                parts[current].append(line.strip()[1:-1])
        entries.append(("".join(parts["msgid"]), "".join(parts["msgstr"])))
    return entries


def test_the_catalogue_has_the_patients_wording():
    assert len(patient_entries()) >= 40


@pytest.mark.parametrize("msgid, msgstr", patient_entries(), ids=lambda value: value[:40])
def test_no_patient_catalogue_entry_names_a_condition(msgid, msgstr):
    assert msgstr, msgid
    assert not DIAGNOSTIC.search(msgid), msgid
    assert not DIAGNOSTIC.search(msgstr), msgstr


def rule_texts():
    for rule in RULES:
        yield f"flag {rule.code}", rule.patient_label
    for rule in HAZARD_RULES:
        for tag, group in GROUP_OF_TAG.items():
            if tag in rule.blocks:
                for side in ("left", "right", "both"):
                    yield f"{rule.code}/{group}/{side}", patient_why(hazard(rule.code), tag, side)
        if rule.caution:
            yield f"{rule.code}/caution", rule.caution.patient


@pytest.mark.parametrize("language", ["en", "ja"])
def test_what_the_rule_tables_tell_the_patient_names_no_condition(language):
    with translation.override(language):
        found = {name: str(text) for name, text in rule_texts()}
    assert found
    offending = {name: text for name, text in found.items() if DIAGNOSTIC.search(text)}
    assert offending == {}
    if language == "en":
        assert not {name: text for name, text in found.items() if JAPANESE.search(text)}
    else:
        assert all(JAPANESE.search(text) for text in found.values())


def test_the_scan_would_catch_a_diagnosis():
    assert DIAGNOSTIC.search("This is a deep-vein thrombosis")
    assert DIAGNOSTIC.search("血栓の疑いがあります")
    assert not DIAGNOSTIC.search("Swelling of one leg with warmth or a sudden start")


# English pages: no Japanese fragment (departments, urgencies, hazards, doses, separators).

SWOLLEN = {
    "complaint": {"region": "knee_back", "side": "left", "pain": 6, "qualities": ["pulling"]},
    "measurements": {
        "calf_circumference": {"left": "41", "right": "37.5"},
        "slr": {"left": "60", "right": "75"},
    },
    "palpation": {"tender": True},
    "habits": {"cold_extremities": True, "bag_side": "left"},
    "red_flags": {"leg_swelling": "left", "leg_warm": True, "swelling_sudden": True},
}


@pytest.fixture
def english_clinic(db, client):
    clinic = ClinicFactory(name="Hikagami Test Clinic", address="1 Test Street", phone="03-0000")
    doctor = UserFactory(clinic=clinic, role=Role.PRACTITIONER, display_name="Sam Smith")
    patient_user = UserFactory(clinic=clinic, role=Role.PATIENT, display_name="Alex Grey")
    patient = PatientFactory(
        clinic=clinic,
        family_name="Grey",
        given_name="Alex",
        family_name_kana="グレイ",
        given_name_kana="アレックス",
        portal_user=patient_user,
        address="2 Test Street",
        occupation="clerk",
    )
    install_shipped(clinic=clinic)
    today = timezone.localdate()
    assessment = record(
        patient=patient, practitioner=doctor, sections=SWOLLEN, today=today, sign_it=True
    )
    plan = plans.create_draft(assessment=assessment, by=doctor, today=today)
    return {
        "doctor": doctor,
        "patient_user": patient_user,
        "patient": patient,
        "assessment": assessment,
        "plan": plan,
    }


def _without_data(html: str, case) -> str:
    """The page without what the clinic typed itself: the kana of the name and the exercises'
    own texts (the library is the clinic's data, written in Japanese)."""
    for kana in ("グレイ", "アレックス", "日本語"):  # and the language switch's own name
        html = html.replace(kana, "")
    lines = set()
    for row in case["plan"].items.select_related("exercise"):
        if row.exercise:
            for field in ("name_ja", "purpose", "steps", "key_points", "cautions"):
                lines |= {line.strip() for line in getattr(row.exercise, field).splitlines()}
    for line in sorted(lines - {""}, key=len, reverse=True):  # longest first: lines share parts
        html = html.replace(line, "")
    return html


def _english(client, user, url):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_staff_pages_in_english_have_no_japanese_left(english_clinic, client):
    case = english_clinic
    for url in (
        reverse("assessments:detail", args=[case["assessment"].pk]),
        reverse("assessments:plan", args=[case["plan"].pk]),
    ):
        html = _without_data(_english(client, case["doctor"], url), case)
        fragments = [
            m.group(0) for m in re.finditer(r".{0,30}" + JAPANESE.pattern + r"+.{0,30}", html)
        ]
        assert not fragments, (url, fragments[:10])


def test_the_patients_portal_in_english_has_no_japanese_left(english_clinic, client):
    case = english_clinic
    today = timezone.localdate()
    plans.publish(plan=case["plan"], by=case["doctor"], today=today, referral_explained=True)
    html = _without_data(
        _english(client, case["patient_user"], reverse("assessments:portal_home")), case
    )
    fragments = [m.group(0) for m in re.finditer(r".{0,30}" + JAPANESE.pattern + r"+.{0,30}", html)]
    assert not fragments, fragments[:10]
    assert "Internal medicine / vascular surgery" in html and "Same day" in html
    assert 'href="tel:030000"' in html
