"""What the browser journeys share: where Chromium is, window sizes, and the small helpers that
find things the way a Japanese user reads them."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

from tests.factories import PASSWORD, clinic_of

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
DESKTOP = {"width": 1180, "height": 820}
PHONE = {"width": 390, "height": 844}
# A step that has not happened after this long has failed: fail fast rather than wait 30 s.
STEP_TIMEOUT_MS = 10_000


def ja(message: str, context: str | None = None) -> str:
    """What a Japanese user reads for this msgid (in this msgctxt, e.g. "patient"): locators
    follow the catalogue, not a copy of it.

    Fails at once for a msgid the catalogue does not translate (a typo would otherwise show up
    as a locator timing out).
    """
    with translation.override("ja"):
        if context is None:
            text = translation.gettext(message)
        else:
            text = translation.pgettext(context, message)
    assert text != message, f"no Japanese translation for {message!r}"
    return text


def ja_count(singular: str, plural: str, n: int) -> str:
    """A counted message (`blocktranslate count`) as a Japanese user reads it for `n`."""
    with translation.override("ja"):
        text = translation.ngettext(singular, plural, n)
    assert text not in (singular, plural), f"no Japanese translation for {plural!r}"
    return text % {"n": n}


def label(message: str) -> re.Pattern:
    """A form field's label exactly (crispy adds an asterisk to required fields)."""
    return re.compile(rf"^\s*{re.escape(ja(message))}\s*\*?\s*$")


def log_in(page, username: str, password: str = PASSWORD, *, clinic: str | None = None) -> None:
    """Through the log-in page, its clinic code filled in by the link (`?clinic=`), as the one
    in the invitation e-mail does."""
    page.goto(f"/login/?clinic={clinic or clinic_of(username)}")
    page.get_by_label(label("username")).fill(username)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name=ja("Log in"), exact=True).click()


def save_screenshot(page, name: str) -> Path:
    """A full-page PNG of the journey's final page in test-artifacts/ (for people, not asserts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
