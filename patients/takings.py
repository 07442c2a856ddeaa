"""The till's figures (日計, 月計): reads only, each scoped through `clinic.access`.

The day's takings are the payments of that business day that are not void (their `total`, by
`method`) less the refunds given that day (by their own `method`: a refund counts on the day it
was given, not on the payment's). A refund by "ticket" gives back a visit, not money.

Everything is summed in the database (GROUP BY with Sum / Count): a month of 300 payments costs
the same queries as one of 3. Front desk and admin see the whole clinic; a practitioner sees the
payments of the visits they treated (and the refunds on those) and nothing else.
"""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinic import access
from patients import money
from patients.models import (
    MONEY_METHODS,
    DayClose,
    LineKind,
    Payment,
    PaymentLine,
    PaymentMethod,
    Refund,
    Ticket,
)

METHODS = (*MONEY_METHODS, PaymentMethod.TICKET)
# The lines that are not a menu's visit, shown as rows of their own under the menus.
OTHER_KINDS = {
    LineKind.ITEM: _("Items sold"),
    LineKind.TICKET_SALE: _("Prepaid tickets sold"),
    LineKind.DISCOUNT: _("Discounts"),
}
# The report of prepaid balances: tickets valid for longer than this may need reporting.
LONG_VALIDITY_MONTHS = 6


def sees_all(user) -> bool:
    """Front desk and admin see the clinic's takings; a practitioner only their own."""
    return access.has_role(user, *access.DESK)


def payments_for(user):
    payments = access.scoped(user, Payment.objects.all(), roles=access.STAFF)
    return payments if sees_all(user) else payments.filter(practitioner=user)


def refunds_for(user):
    refunds = access.scoped(user, Refund.objects.all(), roles=access.STAFF)
    return refunds if sees_all(user) else refunds.filter(payment__practitioner=user)


def lines_for(user):
    lines = access.scoped(
        user, PaymentLine.objects.all(), roles=access.STAFF, via="payment__clinic_id"
    )
    return lines if sees_all(user) else lines.filter(payment__practitioner=user)


@dataclass
class MethodRow:
    method: str
    label: str
    taken: int = 0  # yen (for "ticket": 0)
    payments: int = 0
    refunded: int = 0
    refunds: int = 0

    @property
    def net(self) -> int:
        return self.taken - self.refunded


@dataclass
class Figures:
    """The takings of the days first..last (one day, or a month)."""

    first: dt.date
    last: dt.date
    methods: list[MethodRow]
    ticket_visits: int  # visits paid with a prepaid ticket
    visits_returned: int  # ticket visits given back by a refund
    payment_count: int
    void_count: int
    refund_count: int
    practitioners: list[dict] = field(default_factory=list)
    menus: list[dict] = field(default_factory=list)
    others: list[dict] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return sum(row.taken for row in self.methods)

    @property
    def refunded(self) -> int:
        return sum(row.refunded for row in self.methods)

    @property
    def net(self) -> int:
        return self.taken - self.refunded

    def method(self, method) -> MethodRow:
        return next(row for row in self.methods if row.method == method)

    def as_json(self) -> dict:
        """The figures as plain JSON (what a day's close freezes)."""
        return {
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "methods": [
                {k: v for k, v in asdict(row).items() if k != "label"} for row in self.methods
            ],
            "taken": self.taken,
            "refunded": self.refunded,
            "net": self.net,
            "ticket_visits": self.ticket_visits,
            "visits_returned": self.visits_returned,
            "payment_count": self.payment_count,
            "void_count": self.void_count,
            "refund_count": self.refund_count,
            "practitioners": self.practitioners,
            "menus": self.menus,
            "others": [{k: v for k, v in row.items() if k != "label"} for row in self.others],
        }


def _between(queryset, first, last, day_field="business_day"):
    return queryset.filter(**{f"{day_field}__gte": first, f"{day_field}__lte": last})


def _method_rows(payments, refunds) -> list[MethodRow]:
    rows = {m: MethodRow(m, str(PaymentMethod(m).label)) for m in METHODS}
    taken = payments.filter(voided_at__isnull=True).values("method")
    for entry in taken.annotate(yen=Sum("total"), n=Count("id")).order_by():
        rows[entry["method"]].taken, rows[entry["method"]].payments = entry["yen"], entry["n"]
    for entry in refunds.values("method").annotate(yen=Sum("amount"), n=Count("id")).order_by():
        rows[entry["method"]].refunded, rows[entry["method"]].refunds = entry["yen"], entry["n"]
    return list(rows.values())


def _practitioner_rows(payments) -> list[dict]:
    """Per practitioner (who treated): the sum of their payments' totals and their visits. A
    sale without a visit has nobody and is its own row."""
    grouped = (
        payments.filter(voided_at__isnull=True)
        .values("practitioner_id", "practitioner__display_name", "practitioner__username")
        .annotate(
            yen=Sum("total"),
            payments=Count("id"),
            visits=Count("id", filter=Q(appointment__isnull=False)),
        )
        .order_by("practitioner__display_name", "practitioner__username")
    )
    return [
        {
            "id": entry["practitioner_id"],
            "name": entry["practitioner__display_name"] or entry["practitioner__username"] or "",
            "yen": entry["yen"],
            "payments": entry["payments"],
            "visits": entry["visits"],
        }
        for entry in grouped
    ]


def _line_rows(lines) -> tuple[list[dict], list[dict]]:
    """(menus, others). Per menu: its visits charged at the menu's price and their revenue (the
    treatment lines' amounts), and its visits on a prepaid ticket apart (0 yen: the money came
    when the ticket was sold). A discount belongs to its whole payment, not to a menu, so the
    menus' revenue is before discounts: discounts are their own row under the menus, beside the
    items and the tickets sold (menus + others = what was taken before refunds)."""
    grouped = (
        lines.filter(payment__voided_at__isnull=True)
        .values("kind", "menu_id", "menu__name")
        .annotate(n=Count("id"), quantity=Sum("quantity"), yen=Sum("amount"))
        .order_by()
    )
    menus: dict = {}
    others = {
        kind: {"kind": kind, "label": str(label), "count": 0, "yen": 0}
        for kind, label in OTHER_KINDS.items()
    }
    for entry in grouped:
        kind = entry["kind"]
        if kind in (LineKind.TREATMENT, LineKind.TICKET_USE):
            row = menus.setdefault(
                entry["menu_id"],
                {
                    "id": entry["menu_id"],
                    "name": entry["menu__name"] or "",
                    "visits": 0,
                    "yen": 0,
                    "ticket_visits": 0,
                },
            )
            if kind == LineKind.TREATMENT:
                row["visits"] += entry["n"]
                row["yen"] += entry["yen"]
            else:
                row["ticket_visits"] += entry["n"]
        else:
            others[kind]["count"] += entry["quantity"] if kind == LineKind.ITEM else entry["n"]
            others[kind]["yen"] += entry["yen"]
    ordered = sorted(menus.values(), key=lambda row: (-row["yen"], row["name"]))
    return ordered, list(others.values())


def figures(user, first: dt.date, last: dt.date) -> Figures:
    """The takings of `first`..`last` as `user` may see them. The per-menu table counts the
    treatment lines' amounts; discounts (given on a whole payment) are a line of their own in
    it, beside the items and the tickets sold."""
    payments = _between(payments_for(user), first, last)
    refunds = _between(refunds_for(user), first, last)
    lines = _between(lines_for(user), first, last, "payment__business_day")
    counts = payments.aggregate(
        live=Count("id", filter=Q(voided_at__isnull=True)),
        void=Count("id", filter=Q(voided_at__isnull=False)),
    )
    refunded = refunds.aggregate(n=Count("id"), visits=Coalesce(Sum("visits_returned"), 0))
    menus, others = _line_rows(lines)
    ticket_visits = sum(row["ticket_visits"] for row in menus)
    return Figures(
        first=first,
        last=last,
        methods=_method_rows(payments, refunds),
        ticket_visits=ticket_visits,
        visits_returned=refunded["visits"],
        payment_count=counts["live"],
        void_count=counts["void"],
        refund_count=refunded["n"],
        practitioners=_practitioner_rows(payments),
        menus=menus,
        others=others,
    )


def day_payments(user, day: dt.date):
    """The day's payments, void ones too (marked), in receipt order."""
    return (
        payments_for(user)
        .filter(business_day=day)
        .select_related("patient", "practitioner", "voided_by")
        .order_by("number")
    )


def day_refunds(user, first: dt.date, last: dt.date | None = None):
    return (
        _between(refunds_for(user), first, last or first)
        .select_related("payment__patient", "refunded_by")
        .order_by("refunded_at", "id")
    )


def day_close(user, day: dt.date) -> DayClose | None:
    """The day's close, for those who see the whole till (a practitioner's figures are a part
    of the day, not what was counted)."""
    if not sees_all(user):
        return None
    closes = access.scoped(user, DayClose.objects.all(), roles=access.DESK)
    return closes.filter(day=day).select_related("closed_by").first()


@dataclass
class DayRow:
    day: dt.date
    taken: dict = field(default_factory=dict)  # method -> yen
    refunded: int = 0
    payments: int = 0
    ticket_visits: int = 0
    close: DayClose | None = None

    @property
    def total_taken(self) -> int:
        return sum(self.taken.values())

    @property
    def net(self) -> int:
        return self.total_taken - self.refunded


def month_days(user, first: dt.date, last: dt.date) -> list[DayRow]:
    """One row per day of first..last: taken by method, refunded, payments, ticket visits and
    the day's close (for those who see the whole till)."""
    rows = {
        first + dt.timedelta(days=n): DayRow(first + dt.timedelta(days=n))
        for n in range((last - first).days + 1)
    }
    payments = _between(payments_for(user), first, last).filter(voided_at__isnull=True)
    grouped = payments.values("business_day", "method").annotate(yen=Sum("total"), n=Count("id"))
    for entry in grouped.order_by():
        row = rows[entry["business_day"]]
        if entry["method"] in MONEY_METHODS:
            row.taken[entry["method"]] = entry["yen"]
        row.payments += entry["n"]
    refunds = _between(refunds_for(user), first, last).values("business_day")
    for entry in refunds.annotate(yen=Sum("amount")).order_by():
        rows[entry["business_day"]].refunded = entry["yen"]
    uses = _between(lines_for(user), first, last, "payment__business_day").filter(
        kind=LineKind.TICKET_USE, payment__voided_at__isnull=True
    )
    for entry in uses.values("payment__business_day").annotate(n=Count("id")).order_by():
        rows[entry["payment__business_day"]].ticket_visits = entry["n"]
    if sees_all(user):
        closes = access.scoped(user, DayClose.objects.all(), roles=access.DESK)
        for close in _between(closes, first, last, "day"):
            rows[close.day].close = close
    return list(rows.values())


# The report of prepaid balances (前払式支払手段の未使用残高) -----------------------------------


@dataclass
class Balance:
    ticket: Ticket
    visits_left: int  # on the report's day
    value: int  # yen, pro rata of what was paid
    long_validity: bool  # valid for more than LONG_VALIDITY_MONTHS


@dataclass
class PrepaidReport:
    day: dt.date
    balances: list[Balance]

    @property
    def total(self) -> int:
        return sum(b.value for b in self.balances)

    @property
    def visits_left(self) -> int:
        return sum(b.visits_left for b in self.balances)

    @property
    def long_total(self) -> int:
        return sum(b.value for b in self.balances if b.long_validity)

    @property
    def long_count(self) -> int:
        return sum(1 for b in self.balances if b.long_validity)


def _count(queryset, expression):
    """A correlated subquery's aggregate per ticket, 0 when there is none."""
    value = queryset.values("ticket_id").annotate(n=expression).values("n")
    return Coalesce(Subquery(value, output_field=IntegerField()), Value(0))


def prepaid_balances(user, day: dt.date) -> PrepaidReport:
    """The prepaid tickets with visits unused on `day` (not today): sold on or before it, not
    closed (refunded or voided) by its end, valid on it. Their visits left are counted as they
    were then: the visits less the uses paid up to the day (void payments never took one) plus
    the visits given back by refunds up to the day."""
    tickets = access.scoped(user, Ticket.objects.all(), roles=access.DESK)
    end_of_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    uses = PaymentLine.objects.filter(
        ticket_id=OuterRef("pk"),
        kind=LineKind.TICKET_USE,
        payment__voided_at__isnull=True,
        payment__business_day__lte=day,
    )
    returned = Refund.objects.filter(ticket_id=OuterRef("pk"), business_day__lte=day)
    rows = (
        tickets.filter(valid_from__lte=day, valid_until__gte=day)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end_of_day))
        .annotate(
            used=_count(uses, Count("id")),
            given_back=_count(returned, Sum("visits_returned")),
        )
        .select_related("patient")
        .order_by("valid_until", "id")
    )
    balances = []
    for ticket in rows:
        left = min(ticket.visits, max(0, ticket.visits - ticket.used + ticket.given_back))
        if left == 0:
            continue
        value = money.unused_value(price=ticket.price, visits=ticket.visits, visits_left=left)
        long_validity = ticket.valid_until > money.add_months(
            ticket.valid_from, LONG_VALIDITY_MONTHS
        )
        balances.append(Balance(ticket, left, value, long_validity))
    return PrepaidReport(day, balances)


def month_range(first: dt.date) -> tuple[dt.date, dt.date]:
    last = money.add_months(first, 1) - dt.timedelta(days=1)
    return first, last


KINDS = {
    "payment": _("Payment"),
    "refund": _("Refund"),
    "void": _("Void"),
}


def export_rows(user, first: dt.date, last: dt.date):
    """The month's payments and refunds, one row each, by day then receipt number, as
    (day, receipt number, patient number, kind, method label, yen, tax included, practitioner).
    A void payment is its one row marked void (with what it had charged); a refund is counted
    on its own day, its tax the part of its amount at the payment's rate."""
    rows = []
    payments = (
        _between(payments_for(user), first, last)
        .select_related("patient", "practitioner")
        .order_by("business_day", "number")
    )
    for p in payments.iterator(chunk_size=500):
        kind = KINDS["void"] if p.is_void else KINDS["payment"]
        rows.append(
            (
                p.business_day,
                p.number,
                0,
                p.number_display,
                p.patient.number_display,
                str(kind),
                p.get_method_display(),
                p.total,
                p.tax,
                str(p.practitioner or ""),
            )
        )
    refunds = (
        _between(refunds_for(user), first, last)
        .select_related("payment__patient", "payment__practitioner")
        .order_by("business_day", "id")
    )
    for r in refunds.iterator(chunk_size=500):
        p = r.payment
        rows.append(
            (
                r.business_day,
                p.number,
                1,
                p.number_display,
                p.patient.number_display,
                str(KINDS["refund"]),
                r.get_method_display(),
                r.amount,
                money.tax_included(r.amount, p.tax_rate),
                str(p.practitioner or ""),
            )
        )
    rows.sort(key=lambda row: row[:3])
    return [(row[0].isoformat(), *row[3:]) for row in rows]
