"""The clinic's outcomes page as a practitioner meets it: the nav link, the numbers of two
patients assessed twice (pain and a left-right difference, first vs latest, in the table and
the chart), a filter typed wrong (the message beside the field, the values kept) and the CSV.

The assessments are prepared through the services; what is under test is the page.
"""

import csv
import io

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from devtools.records import record
from tests.browser.helpers import ja, label, log_in, save_screenshot
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _knee_back(pain, slr_right):
    return {
        "complaint": {"region": "knee_back", "side": "right", "pain": pain},
        "measurements": {"slr": {"left": "75", "right": slr_right}},
        "red_flags": {},  # screened: nothing found
    }


def test_the_practitioner_reads_the_clinics_outcomes_and_downloads_them(open_page, clinic_staff):
    today = timezone.localdate()
    for first, latest in (((6, "55"), (2, "65")), ((8, "50"), (4, "60"))):
        patient = PatientFactory(clinic=clinic_staff.clinic)
        for pain, slr in (first, latest):
            with translation.override("ja"):
                record(
                    patient=patient,
                    practitioner=clinic_staff.practitioner,
                    sections=_knee_back(pain, slr),
                    today=today,
                    sign_it=True,
                )

    page = open_page(accept_downloads=True)
    log_in(page, "suzuki")
    page.get_by_role("link", name=ja("Outcomes")).click()
    expect(page.get_by_role("heading", name=ja("Outcomes"))).to_be_visible()

    groups = page.locator("#outcome-groups")
    expect(groups).to_contain_text(ja("Back of the knee"))
    expect(groups).to_contain_text("7.0 → 3.0")  # pain averages, first → latest
    # SLR differences 20 and 25 at first (22.5), 10 and 15 latest (12.5)
    expect(page.locator("#outcome-measures")).to_contain_text("22.5 °")
    expect(page.locator("#outcome-measures")).to_contain_text("12.5 °")
    expect(page.locator("#pain-chart rect")).to_have_count(2)
    save_screenshot(page, "outcomes-page")

    page.get_by_label(label("From")).fill(today.isoformat())
    page.get_by_label(label("To")).fill("2020-01-01")
    page.get_by_role("button", name=ja("Show")).click()
    expect(page.get_by_text(ja("The end comes before the start."))).to_be_visible()
    expect(page.get_by_label(label("From"))).to_have_value(today.isoformat())

    page.get_by_label(label("To")).fill(today.isoformat())
    page.get_by_role("button", name=ja("Show")).click()
    with page.expect_download() as download:
        page.get_by_role("link", name=ja("Download CSV (one row per patient)")).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 3  # the header and the two patients
    assert [row[4:6] for row in rows[1:]] == [["6", "2"], ["8", "4"]]
