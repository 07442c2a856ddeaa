from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def _entries(text):
    """(msgid, [msgstr...], flags) for each entry of a .po file, header excluded."""
    entries, current = [], None
    for line in text.splitlines() + [""]:
        if not line.strip():
            if current and current["msgid"]:
                entries.append(current)
            current = None
            continue
        current = current or {"msgid": "", "msgstr": [], "flags": "", "key": None}
        if line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("msgid "):
            current["msgid"], current["key"] = line[6:].strip('"'), "msgid"
        elif line.startswith("msgid_plural"):
            current["key"] = "plural"
        elif line.startswith("msgstr"):
            current["msgstr"].append(line.split(" ", 1)[1].strip('"'))
            current["key"] = "msgstr"
        elif line.startswith('"') and current["key"] == "msgstr":
            current["msgstr"][-1] += line.strip('"')
        elif line.startswith('"') and current["key"] == "msgid":
            current["msgid"] += line.strip('"')
    return entries


def test_the_japanese_catalogue_is_complete():
    entries = _entries(CATALOGUE.read_text(encoding="utf-8"))
    assert len(entries) > 100
    assert [e["msgid"] for e in entries if not all(e["msgstr"])] == []
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []


def test_the_login_page_is_japanese_by_default(db):
    page = Client().get(reverse("login")).content.decode()
    assert 'lang="ja"' in page
    assert "ログイン" in page


def test_english_can_be_chosen_and_sticks(db):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
    page = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in page and "Log in" in page


def test_form_errors_follow_the_chosen_language(ours, login):
    client = login(ours.frontdesk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("patients:patient_create"), {"phone": "12345"})
    assert response.context["form"].errors["phone"][0].startswith("Enter a Japanese phone")


def test_names_are_shown_family_name_first(ours, login):
    page = (
        login(ours.frontdesk)
        .get(reverse("assessments:patient_detail", args=[ours.patient.pk]))
        .content.decode()
    )
    assert f"{ours.patient.family_name} {ours.patient.given_name}" in page
