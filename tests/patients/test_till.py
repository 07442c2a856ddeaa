"""The day's close (patients/till.py) and the till's pages: the close's arithmetic and refusals,
the day and month pages as each role sees them, the accountant's CSV, the prepaid balances on a
past day, and bad query values."""

import csv
import datetime as dt
import io
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from patients import checkout, till
from patients.models import DayClose
from tests.factories import MenuFactory, ProductFactory, TicketPackageFactory
from tests.patients.test_takings import at, pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def menu(ours):
    return MenuFactory(clinic=ours.clinic, name="整体60分", price=6600)


@pytest.fixture
def day():
    return timezone.localdate() - dt.timedelta(days=2)


@pytest.fixture
def takings_day(ours, menu, day):
    """On `day`: 6,600 in cash and 3,300 by card taken, 1,000 given back in cash."""
    cash = pay(ours, checkout.Charge(treatment=menu), day=day, practitioner=ours.practitioner)
    product = ProductFactory(clinic=ours.clinic, price=3300)
    pay(ours, checkout.Charge(items=[(product, 1)], method="card"), day=day, hour=13)
    checkout.refund_payment(
        payment=cash, amount=1000, method="cash", reason="説明不足", by=ours.frontdesk, now=at(day)
    )
    return cash


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _close(cast, day, **given):
    what = {"float_yen": 10000, "counted_cash": 15600, "note": "", "by": cast.frontdesk}
    return till.close_day(clinic_id=cast.clinic.pk, day=day, **(what | given))


# The close -------------------------------------------------------------------------------


def test_the_close_expects_the_float_plus_cash_taken_less_cash_refunded(ours, takings_day, day):
    close = _close(ours, day)
    assert (close.expected_cash, close.counted_cash, close.difference) == (15600, 15600, 0)
    cash = next(row for row in close.totals["methods"] if row["method"] == "cash")
    assert (cash["taken"], cash["refunded"]) == (6600, 1000)
    assert close.totals["net"] == 6600 + 3300 - 1000
    assert close.totals["refunds"] == [
        {
            "number": takings_day.number,
            "amount": 1000,
            "method": "cash",
            "visits_returned": 0,
            "reason": "説明不足",
        }
    ]
    assert close.totals["voids"] == []


def test_a_difference_is_counted_less_expected_and_needs_a_note(ours, takings_day, day):
    with pytest.raises(ValidationError) as refused:
        _close(ours, day, counted_cash=15500)
    assert "note" in refused.value.message_dict
    assert not DayClose.objects.exists()
    close = _close(ours, day, counted_cash=15500, note="釣り銭の渡し過ぎ")
    assert close.difference == -100 and close.note == "釣り銭の渡し過ぎ"


def test_a_day_is_closed_once(ours, takings_day, day):
    _close(ours, day)
    with pytest.raises(ValidationError):
        _close(ours, day, by=ours.admin)
    assert DayClose.objects.count() == 1


def test_a_day_in_the_future_is_not_closed(ours):
    with pytest.raises(ValidationError) as refused:
        _close(ours, timezone.localdate() + dt.timedelta(days=1), counted_cash=10000)
    assert "day" in refused.value.message_dict


def test_a_closed_day_takes_no_more_payment(ours, menu, day):
    _close(ours, day, counted_cash=10000)
    with pytest.raises(ValidationError):
        pay(ours, checkout.Charge(treatment=menu), day=day)


@pytest.mark.parametrize("who", ["practitioner", "patient_user"])
def test_only_the_desk_or_admin_closes(ours, who, day):
    with pytest.raises(PermissionDenied):
        _close(ours, day, by=getattr(ours, who))


def test_another_clinics_desk_cannot_close_ours(ours, theirs, day):
    with pytest.raises(PermissionDenied):
        _close(ours, day, by=theirs.frontdesk)


# The pages -------------------------------------------------------------------------------


def _close_url(day):
    return f"{reverse('patients:till_close')}?day={day.isoformat()}"


def test_the_desk_closes_the_day_and_the_day_shows_the_difference(ours, takings_day, day, login):
    client = login(ours.frontdesk)
    form = {"float_yen": "10000", "counted_cash": "15500", "note": ""}
    refused = client.post(_close_url(day), form)
    assert refused.status_code == 200 and refused.context["form"].errors["note"]
    response = client.post(_close_url(day), form | {"note": "釣り銭の渡し過ぎ"}, follow=True)
    assert response.context["close"].difference == -100
    page = response.content.decode()
    assert "-¥100" in page and "text-danger" in page and "釣り銭の渡し過ぎ" in page
    assert client.get(_close_url(day)).status_code == 302  # closed: back to the day


def test_a_future_day_is_refused_on_the_close_form(ours, login):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    form = {"float_yen": "0", "counted_cash": "0", "note": ""}
    response = login(ours.admin).post(_close_url(tomorrow), form)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not DayClose.objects.exists()


def test_a_practitioner_may_not_open_the_close(ours, day, login):
    response = login(ours.practitioner).post(_close_url(day), {"float_yen": 0, "counted_cash": 0})
    assert response.status_code == 403
    assert not DayClose.objects.exists()


def test_the_day_page_lists_the_days_payments_and_refunds(ours, theirs, takings_day, day, login):
    theirs_menu = MenuFactory(clinic=theirs.clinic, price=77000)
    pay(theirs, checkout.Charge(treatment=theirs_menu), day=day, practitioner=theirs.practitioner)
    response = login(ours.frontdesk).get(reverse("patients:till_day"), {"day": day.isoformat()})
    page = response.content.decode()
    assert f"No.{takings_day.number_display}" in page and "説明不足" in page
    assert "¥9,900" in page  # taken: 6,600 + 3,300
    assert "¥77,000" not in page and theirs.patient.full_name not in page
    assert response.context["can_close"]


def test_a_practitioner_sees_their_own_payments_only_with_a_note(ours, takings_day, day, login):
    client = _english(login(ours.practitioner))
    response = client.get(reverse("patients:till_day"), {"day": day.isoformat()})
    page = response.content.decode()
    assert response.context["figures"].taken == 6600  # not the item sold at the desk
    assert [p.pk for p in response.context["payments"]] == [takings_day.pk]
    assert "the visits you treated only" in page
    assert not response.context["can_close"] and response.context["close"] is None
    assert reverse("patients:till_export") not in page


def test_the_month_page_shows_the_days_and_the_totals(ours, takings_day, day, login):
    response = login(ours.admin).get(reverse("patients:till_month"), {"month": f"{day:%Y-%m}"})
    assert response.status_code == 200
    rows = {row.day: row for row in response.context["days"]}
    assert rows[day].net == 6600 + 3300 - 1000
    assert response.context["figures"].net == 6600 + 3300 - 1000


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("patients:till_day", {"day": "2026-13-40"}),
        ("patients:till_day", {"day": "0001-01-01"}),
        ("patients:till_month", {"month": "abc"}),
        ("patients:till_month", {"month": "2026-13"}),
        ("patients:prepaid_report", {"day": "yesterday"}),
        ("patients:till_close", {"day": "2026-02-30"}),
    ],
)
def test_a_bad_query_value_falls_back_with_a_message(ours, login, name, query):
    """A report shows the fallback day; the close goes back to the day's page instead, so a
    form never closes another day than the one it names."""
    response = login(ours.frontdesk).get(reverse(name), query, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    if name == "patients:till_close":
        assert response.redirect_chain[0][0].startswith(reverse("patients:till_day"))


# The accountant's CSV --------------------------------------------------------------------


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_csv_has_a_row_per_payment_and_per_refund_with_a_bom(ours, takings_day, day, login):
    ours.practitioner.display_name = "=HYPERLINK(1)"
    ours.practitioner.save()
    mistake = pay(ours, checkout.Charge(items=[(ProductFactory(clinic=ours.clinic), 1)]), day=day)
    checkout.void_payment(payment=mistake, reason="打ち間違い", by=ours.frontdesk, now=at(day))
    client = _english(login(ours.frontdesk))
    response = client.get(reverse("patients:till_export"), {"month": f"{day:%Y-%m}"})
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = _csv_rows(response)
    assert header == [
        "Date",
        "Receipt number",
        "Patient number",
        "Kind",
        "Paid by",
        "Amount (yen)",
        "Consumption tax included (yen)",
        "Practitioner",
    ]
    assert [(row[1], row[3], row[4], row[5]) for row in rows] == [
        (takings_day.number_display, "Payment", "Cash", "6600"),
        (takings_day.number_display, "Refund", "Cash", "1000"),
        ("000002", "Payment", "Card", "3300"),
        (mistake.number_display, "Void", "Cash", "3300"),
    ]
    first = rows[0]
    assert first[0] == day.isoformat() and first[2] == ours.patient.number_display
    assert first[6] == "600"  # 6,600 at 10 % holds 600 yen of tax
    assert first[7] == "'=HYPERLINK(1)"  # never a formula
    assert rows[1][6] == "90"


@pytest.mark.parametrize("who", ["practitioner", "patient_user"])
def test_the_csv_and_the_prepaid_report_are_not_for_practitioners_or_patients(ours, login, who):
    client = login(getattr(ours, who))
    assert client.get(reverse("patients:till_export")).status_code == 403
    assert client.get(reverse("patients:prepaid_report")).status_code == 403


def test_the_csv_never_holds_another_clinics_payments(ours, theirs, takings_day, day, login):
    theirs_menu = MenuFactory(clinic=theirs.clinic, price=77000)
    pay(theirs, checkout.Charge(treatment=theirs_menu), day=day, practitioner=theirs.practitioner)
    response = login(ours.frontdesk).get(reverse("patients:till_export"), {"month": f"{day:%Y-%m}"})
    assert "77000" not in [row[5] for row in _csv_rows(response)]


# The prepaid balances ---------------------------------------------------------------------


def _report(client, day):
    response = client.get(reverse("patients:prepaid_report"), {"day": day.isoformat()})
    assert response.status_code == 200
    return response.context["report"]


def test_the_prepaid_report_counts_the_visits_left_on_that_day(ours, theirs, menu, login):
    today = timezone.localdate()
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    package = TicketPackageFactory(clinic=ours.clinic, price=24000, visits=5, menu=menu)
    sale = pay(ours, checkout.Charge(package=package, method="card"), day=ago(10))
    ticket = sale.lines.get(kind="ticket_sale").ticket_sold
    used = [
        pay(ours, checkout.Charge(treatment=menu, ticket=ticket), day=ago(n), hour=10)
        for n in (6, 4, 1)
    ]
    checkout.refund_payment(
        payment=used[1],
        amount=0,
        method="ticket",
        reason="施術できず",
        by=ours.frontdesk,
        return_visits=True,
        now=at(ago(3)),
    )
    ticket.refresh_from_db()
    assert ticket.visits_left == 3  # today: 5 - 3 used + 1 given back
    client = login(ours.frontdesk)
    assert _report(client, ago(11)).balances == []  # not sold yet
    on = {n: _report(client, ago(n)) for n in (10, 5, 4, 3, 1)}
    assert [on[n].balances[0].visits_left for n in (10, 5, 4, 3, 1)] == [5, 4, 3, 4, 3]
    assert on[5].total == 24000 * 4 // 5 and on[5].long_total == 0
    theirs_package = TicketPackageFactory(clinic=theirs.clinic, price=50000)
    pay(theirs, checkout.Charge(package=theirs_package, method="card"), day=ago(5))
    assert len(_report(client, ago(5)).balances) == 1


def test_a_ticket_refunded_later_still_counts_before_and_not_after(ours, menu, login):
    today = timezone.localdate()
    package = TicketPackageFactory(clinic=ours.clinic, price=30000, visits=5, valid_months=12)
    sale = pay(ours, checkout.Charge(package=package, method="card"), day=today - dt.timedelta(5))
    ticket = sale.lines.get(kind="ticket_sale").ticket_sold
    checkout.refund_ticket(ticket=ticket, method="cash", reason="転居", by=ours.frontdesk)
    client = _english(login(ours.frontdesk))
    before = _report(client, today - dt.timedelta(days=1))
    assert before.total == 30000 and before.long_total == 30000 and before.long_count == 1
    assert _report(client, today).balances == []
    page = client.get(reverse("patients:prepaid_report")).content.decode()
    assert "Check with your advisor" in page


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_desks_closing_the_same_day_at_once_close_it_once(ours, day):
    barrier = threading.Barrier(2)
    outcomes = []

    def close(by):
        try:
            barrier.wait(timeout=10)
            _close(ours, day, by=by, counted_cash=10000)
            outcomes.append("closed")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(u,)) for u in (ours.frontdesk, ours.admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["closed", "refused"]
    assert DayClose.objects.filter(clinic=ours.clinic, day=day).count() == 1


def test_a_close_posted_with_a_day_that_is_not_a_date_closes_nothing(ours, login):
    from patients.models import DayClose

    response = login(ours.frontdesk).post(
        reverse("patients:till_close") + "?day=2026-13-40",
        {"float_yen": "0", "counted_cash": "0", "note": ""},
    )
    assert response.status_code == 302 and not DayClose.objects.exists()
