"""The front desk's till in a day: checks a visit out in cash, sells a 5-visit ticket, checks
the next visit out with the ticket, refunds a mistaken payment, prints the receipt, and closes
the day with a counted-cash difference."""

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from patients.models import DayClose, Payment, Refund, Ticket
from tests.browser.helpers import ja, label, log_in, save_screenshot
from tests.factories import MenuFactory, PatientFactory, TicketPackageFactory
from tests.patients.till import seen_visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_desk_runs_a_day_of_the_till(open_page, clinic_staff, clinic_morning):
    clinic = clinic_staff.clinic
    menu = MenuFactory(clinic=clinic, name="整体45分", price=6600)
    TicketPackageFactory(clinic=clinic, name="5回券", menu=menu, visits=5, price=30000)
    patient = PatientFactory(clinic=clinic, family_name="佐藤", given_name="花子")
    earlier = clinic_morning.replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=2)
    first = seen_visit(patient, clinic_staff.practitioner, menu=menu, start=earlier)
    second = seen_visit(
        patient, clinic_staff.practitioner, menu=menu, start=earlier + dt.timedelta(hours=1)
    )
    page = open_page()
    log_in(page, clinic_staff.frontdesk.username)

    # 1. The first visit, in cash at the menu's price.
    page.goto(f"/appointments/{first.pk}/checkout/")
    page.get_by_label(re.compile("整体45分")).check()
    page.get_by_label(ja("Cash"), exact=True).check()
    page.locator("#checkout-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("No.000001")
    expect(page.locator("#payment-total")).to_have_text("¥6,600")

    # 2. A 5-visit ticket, sold from the patient's page, by card.
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name=ja("Sell a ticket or item")).click()
    page.get_by_label(label("Sell a prepaid ticket")).select_option(label="5回券")
    page.get_by_label(ja("Card"), exact=True).check()
    page.locator("#checkout-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("No.000002")
    ticket = Ticket.objects.get(patient=patient)
    assert (ticket.visits_left, ticket.price) == (5, 30000)

    # 3. The next visit, on the ticket: nothing owed in money.
    page.goto(f"/appointments/{second.pk}/checkout/")
    page.get_by_label(re.compile("5回券")).check()
    page.locator("#checkout-submit").click()
    expect(page.get_by_role("alert")).to_contain_text("No.000003")
    expect(page.locator("#payment-total")).to_have_text("¥0")
    ticket.refresh_from_db()
    assert ticket.visits_left == 4

    # 4. The first payment was a mistake (the patient had meant to use the ticket): refunded.
    page.goto("/till/")
    page.get_by_role("link", name="No.000001").click()
    page.get_by_role("link", name=ja("Refund"), exact=True).click()
    page.get_by_label(label("Amount to give back (yen)")).fill("6600")
    page.get_by_label(label("Reason for the refund")).fill("回数券で支払う予定だった")
    page.get_by_role("button", name=ja("Record the refund")).click()
    expect(page.get_by_role("alert")).to_contain_text(ja("The refund is recorded."))
    expect(page.locator("#refunds")).to_contain_text("回数券で支払う予定だった")
    refund = Refund.objects.get()
    assert (refund.amount, refund.method, refund.refunded_by) == (
        6600,
        "cash",
        clinic_staff.frontdesk,
    )

    # 5. The receipt of the ticket's sale, printed: its PDF reads back.
    page.goto(f"/payments/{Payment.objects.get(number=2).pk}/")
    href = page.locator("#print-receipt").get_attribute("href")
    pdf = page.context.request.get(href)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "領収書" in text and "No. 000002" in text and "¥30,000" in text and "佐藤 花子" in text

    # 6. The day's close: cash in 6,600 and out 6,600 on a 10,000 float; 9,900 counted.
    page.goto("/till/")
    page.get_by_role("link", name=ja("Close the day")).click()
    page.get_by_label(label("Change float (yen)")).fill("10000")
    page.get_by_label(label("Counted cash (yen)")).fill("9900")
    page.get_by_role("button", name=ja("Close the day")).click()
    expect(
        page.get_by_text(ja("The count differs from the expected cash: say why in a note."))
    ).to_be_visible()
    assert not DayClose.objects.exists()
    expect(page.get_by_label(label("Counted cash (yen)"))).to_have_value("9900")
    page.get_by_label(label("Note")).fill("100円玉が1枚足りない")
    page.get_by_role("button", name=ja("Close the day")).click()
    expect(page.get_by_role("alert")).to_contain_text(ja("The day is closed."))
    close = DayClose.objects.get(clinic=clinic)
    assert (close.expected_cash, close.counted_cash, close.difference) == (10000, 9900, -100)
    expect(page.locator("body")).to_contain_text("-¥100")
    save_screenshot(page, "till-day-closed")
