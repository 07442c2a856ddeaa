"""Real-browser journeys: Debian's Chromium driven by Playwright's sync API against the live server.

Chromium comes from Debian (the Makefile installs the `chromium` package when it is missing);
Playwright's own browser download is never used. A missing Chromium fails these tests: it does
not skip them, so CI cannot pass without the journeys having run.

Playwright's sync API keeps an asyncio event loop running in the main thread from `start()` to
`stop()`, and Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation).
The journeys use the ORM in the test thread while the browser is up (preparing the cast, checking
what was stored) and pytest-django flushes the database after each. So DJANGO_ALLOW_ASYNC_UNSAFE
is set while Playwright runs: nothing here is async, the loop only carries Playwright's messages.
Playwright and the setting live for this package, not the session, so both are gone before
pytest-django runs the rest of the suite's transactional tests (the race tests).

The live server runs in its own thread (no loop there) on the same test database: pytest-django's
`live_server` makes these tests transactional, and SQLite's test database is a file.
"""

import datetime as dt
import os
from types import SimpleNamespace

import pytest
from django.utils import timezone

from assessments.library import install_shipped
from clinic.models import Role
from tests.browser.helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    STEP_TIMEOUT_MS,
    save_screenshot,
)
from tests.factories import ClinicFactory, UserFactory


def pytest_runtest_makereport(item, call):
    """Remember whether the test body failed, so the page fixture can keep a screenshot."""
    if call.when == "call":
        item.browser_journey_failed = call.excinfo is not None


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
    install_shipped(clinic=clinic)
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
