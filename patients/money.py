"""The arithmetic of the till, pure (no database, `today=` passed in): integer yen, prices
tax-inclusive. patients/checkout.py applies it to rows; tests/patients/test_money.py holds it on
both sides of every edge.

- A checkout is lines (a treatment, items, a prepaid ticket sold, a visit on a ticket, a
  discount). Its total is the sum of the lines, never below zero: a discount may not exceed what
  it discounts.
- The consumption tax shown is the part of a tax-inclusive total at the clinic's rate, rounded
  down once per receipt (適格請求書: one rounding per rate per document).
- A prepaid ticket (回数券) refunds what was paid less the visits used at the regular price and
  the fee of its terms, never below zero nor above what is left of the payment.
"""

import calendar
from dataclasses import dataclass
from datetime import date

MAX_LINE_YEN = 1_000_000  # one line's unit price, and one discount
MAX_QUANTITY = 99
MAX_LINES = 20


@dataclass(frozen=True)
class Line:
    """One line as the desk entered it: `unit_price` × `quantity`, negative for a discount."""

    kind: str
    unit_price: int
    quantity: int = 1

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


DISCOUNT = "discount"


def problems(lines: list[Line]) -> list[str]:
    """Codes of what is wrong with `lines` (empty when they can be charged)."""
    found = []
    if not lines:
        found.append("no_lines")
    if len(lines) > MAX_LINES:
        found.append("too_many_lines")
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            found.append("quantity")
        if line.kind == DISCOUNT:
            if not -MAX_LINE_YEN <= line.unit_price < 0:
                found.append("discount_amount")
        elif not 0 <= line.unit_price <= MAX_LINE_YEN:
            found.append("price")
    if not found and total(lines) < 0:
        found.append("discount_exceeds")
    return sorted(set(found))


def total(lines: list[Line]) -> int:
    return sum(line.amount for line in lines)


def tax_included(amount: int, rate_percent: int) -> int:
    """The consumption tax inside a tax-inclusive `amount` (rounded down); 0 at rate 0."""
    if amount < 0 or rate_percent < 0:
        raise ValueError("amounts and rates are never negative")
    return amount * rate_percent // (100 + rate_percent)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has none (31 Aug + 6 → 28
    or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(sold_on: date, months: int) -> date:
    """The last day a ticket sold on `sold_on` may be used: the day before the same date
    `months` later (sold 1 Jun, 6 months: valid to 30 Nov)."""
    end = add_months(sold_on, months)
    return date.fromordinal(end.toordinal() - 1)


@dataclass(frozen=True)
class TicketTerms:
    """A ticket's terms as sold (kept with the sale, so a later change of the package never
    changes a ticket already bought)."""

    visits: int
    price: int
    regular_price: int  # one visit at the menu's price, what a used visit is worth on refund
    fee_percent: int  # of what is refunded, kept as a handling fee
    refundable_after_expiry: bool


@dataclass(frozen=True)
class TicketRefund:
    used: int
    used_value: int
    before_fee: int
    fee: int
    amount: int


def ticket_refund(
    terms: TicketTerms, *, visits_left: int, valid_until: date, today: date, already_refunded: int
) -> TicketRefund | None:
    """What the unused visits give back, or None when the terms give nothing back (expired and
    not refundable after expiry, or nothing left)."""
    if not 0 <= visits_left <= terms.visits:
        raise ValueError("visits_left out of range")
    if visits_left == 0 or (today > valid_until and not terms.refundable_after_expiry):
        return None
    used = terms.visits - visits_left
    used_value = used * terms.regular_price
    before_fee = max(0, terms.price - used_value)
    fee = before_fee * terms.fee_percent // 100
    amount = min(before_fee - fee, terms.price - already_refunded)
    return TicketRefund(used, used_value, before_fee, fee, max(0, amount))


def unused_value(*, price: int, visits: int, visits_left: int) -> int:
    """The yen value of a ticket's unused visits, pro rata of what was paid (what a report of
    prepaid balances counts), rounded down."""
    if visits <= 0 or not 0 <= visits_left <= visits:
        raise ValueError("visits out of range")
    return price * visits_left // visits


def expected_cash(*, float_yen: int, cash_in: int, cash_out: int) -> int:
    """What the drawer should hold at the day's close: the change float, plus cash taken, less
    cash refunded."""
    return float_yen + cash_in - cash_out
