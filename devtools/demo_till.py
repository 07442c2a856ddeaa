"""The demo clinic's till: an item and a prepaid ticket on sale, the finished visits of the past
days checked out (cash, card, QR), a ticket sold and used once, a refund, and the last open day
before today closed with a ¥100 shortfall. Written through patients/checkout.py and
patients/till.py with `now=` in the past, as the desk would have on those days. Runs once: a
clinic that has payments is left as it is."""

import datetime as dt

from django.utils import timezone

from patients import checkout, takings, till
from patients.models import Appointment, AppointmentStatus, Payment, Product, TicketPackage

ITEM = ("膝サポーター", 3300)
TICKET_NAME = "5回券"
TICKET_TERMS = (
    "5回分の施術券です。有効期限は購入日から6か月です。未使用分の返金は、お支払い額から"
    "ご利用回数×通常料金を差し引き、手数料10%を引いた額となります。"
)
METHODS = ("cash", "card", "qr")
FLOAT_YEN = 30000


def load(*, clinic, desk, menu, ticket_patient):
    """The demo's till, once. `menu` is the menu of the demo's visits (the ticket is for it);
    `ticket_patient` buys a ticket at their first past visit and uses it at the next."""
    if Payment.objects.filter(clinic=clinic).exists():
        return 0
    product, _ = Product.objects.get_or_create(
        clinic=clinic, name=ITEM[0], defaults={"price": ITEM[1]}
    )
    package, _ = TicketPackage.objects.get_or_create(
        clinic=clinic,
        name=TICKET_NAME,
        defaults={
            "menu": menu,
            "visits": 5,
            "price": 30000,
            "valid_months": 6,
            "regular_price": menu.price,
            "terms": TICKET_TERMS,
            "terms_version": "2026-12",
        },
    )
    today = timezone.localdate()
    visits = list(
        Appointment.objects.filter(
            clinic=clinic,
            status=AppointmentStatus.COMPLETED,
            end__lt=timezone.make_aware(dt.datetime.combine(today, dt.time())),
        )
        .select_related("patient", "menu")
        .order_by("start")
    )
    payments = [
        paid
        for n, visit in enumerate(visits)
        if (paid := _check_out(n, visit, desk, product, package, ticket_patient))
    ]
    if not payments:
        return 0
    _refund_and_close(clinic, desk, payments)
    return len(payments)


def _check_out(n, visit, desk, product, package, ticket_patient):
    charge = checkout.Charge(treatment=visit.menu, method=METHODS[n % len(METHODS)])
    if visit.patient_id == ticket_patient.pk:
        ticket = ticket_patient.tickets.filter(closed_at__isnull=True).first()
        if ticket is None:
            charge.package, charge.method = package, "card"
        elif ticket.visits_left == ticket.visits:
            charge.ticket = ticket
        # later visits: charged at the menu's price
    elif n % 4 == 1:
        charge.items = [(product, 1)]
    if visit.menu is None:
        return None
    return checkout.checkout(
        patient=visit.patient,
        appointment=visit,
        charge=charge,
        by=desk,
        now=visit.end + dt.timedelta(minutes=5),
    )


def _refund_and_close(clinic, desk, payments):
    """On the last day with payments: a part refund in cash, then the close, ¥100 short."""
    last_day = payments[-1].business_day
    late = timezone.make_aware(dt.datetime.combine(last_day, dt.time(19, 30)))
    refunded = next(
        (p for p in payments if p.business_day == last_day and p.method == "cash"), None
    )
    if refunded is not None:
        checkout.refund_payment(
            payment=refunded,
            amount=1100,
            method="cash",
            reason="施術時間が短くなったため一部返金",
            by=desk,
            now=late,
        )
    cash = takings.figures(desk, last_day, last_day).method("cash")
    expected = FLOAT_YEN + cash.taken - cash.refunded
    till.close_day(
        clinic_id=clinic.pk,
        day=last_day,
        float_yen=FLOAT_YEN,
        counted_cash=expected - 100,
        note="釣り銭の渡し過ぎと思われる（100円不足）",
        by=desk,
        now=late + dt.timedelta(minutes=15),
    )
