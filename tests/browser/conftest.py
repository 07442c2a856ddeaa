"""Real-browser journeys: Debian's Chromium driven by Playwright's sync API against the live server.

Chromium comes from Debian (the Makefile installs the `chromium` package when it is missing);
Playwright's own browser download is never used. A missing Chromium fails these tests: it does
not skip them, so CI cannot pass without the journeys having run.

Playwright's sync API keeps an asyncio event loop running in the main thread from `start()` to
`stop()`. Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation),
and the journeys need the ORM in the test thread both before the browser opens (the cast) and
after (asserting what was stored), and pytest-django flushes the database between them. So
DJANGO_ALLOW_ASYNC_UNSAFE is set while Playwright runs: nothing here is async, the loop only
carries Playwright's messages. Both live for this package only (not the session), so the loop
and the setting are gone before the rest of the suite's transactional tests run.
"""

import datetime as dt
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone, translation

from assessments.library import install_shipped
from clinic.models import Role
from tests.factories import PASSWORD, ClinicFactory, UserFactory

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


def pytest_runtest_makereport(item, call):
    """Remember whether the test body failed, so the page fixture can keep a screenshot."""
    if call.when == "call":
        item.browser_journey_failed = call.excinfo is not None


def ja(message: str) -> str:
    """What a Japanese user reads for this msgid: locators follow the catalogue, not a copy of it.

    Fails at once for a msgid the catalogue does not translate (a typo would otherwise show up
    as a locator timing out).
    """
    with translation.override("ja"):
        text = translation.gettext(message)
    assert text != message, f"no Japanese translation for {message!r}"
    return text


def label(message: str) -> re.Pattern:
    """A form field's label exactly (crispy adds an asterisk to required fields)."""
    return re.compile(rf"^\s*{re.escape(ja(message))}\s*\*?\s*$")


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label(label("username")).fill(username)
    page.get_by_label(label("Password")).fill(password)
    page.get_by_role("button", name=ja("Log in"), exact=True).click()


def save_screenshot(page, name: str) -> Path:
    """A full-page PNG of the journey's final page in test-artifacts/ (for people, not asserts)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


@pytest.fixture(scope="package")
def playwright():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make setup` installs Debian's chromium package.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    runner = sync_playwright().start()
    try:
        yield runner
    finally:
        runner.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright):
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def open_page(browser, live_server, request):
    """open_page(**context options) -> a page on the live server in a fresh browser context
    (its own cookies: one person each). A failing journey leaves a screenshot of where it was."""
    pages = []
    for stale in ARTIFACTS.glob(f"{request.node.name}-failed-*.png"):
        stale.unlink()

    def open_(viewport=DESKTOP, **options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale="ja-JP",
            **options,
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        page = context.new_page()
        pages.append(page)
        return page

    yield open_
    for number, page in enumerate(pages):
        if getattr(request.node, "browser_journey_failed", False):
            save_screenshot(page, f"{request.node.name}-failed-{number}")
        page.context.close()


@pytest.fixture
def clinic_staff(transactional_db):
    """One clinic with its shipped exercise library, a practitioner and a front desk."""
    clinic = ClinicFactory(name="ひかがみ整体院")
    install_shipped(clinic)
    return SimpleNamespace(
        clinic=clinic,
        practitioner=UserFactory(
            clinic=clinic, role=Role.PRACTITIONER, username="suzuki", display_name="鈴木 一郎"
        ),
        frontdesk=UserFactory(
            clinic=clinic, role=Role.FRONT_DESK, username="tanaka", display_name="田中 由美"
        ),
    )


@pytest.fixture
def clinic_morning(settings):
    """Put the clinic in a time zone where it is about 10 o'clock now, so a visit can be booked
    for later today whatever the hour the suite runs (bookings stay within opening hours)."""
    utc_hour = dt.datetime.now(dt.UTC).hour
    offset = (10 - utc_hour) % 24
    if offset > 14:
        offset -= 24
    # POSIX sign: Etc/GMT-9 is nine hours ahead of UTC.
    settings.TIME_ZONE = f"Etc/GMT{-offset:+d}"
    assert 9 <= timezone.localtime().hour <= 11
    return timezone.localtime()
