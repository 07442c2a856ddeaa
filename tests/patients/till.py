"""What the till's tests share (not a test module): a seen visit, a cast's menu, item, ticket
type, a checked-out payment and a ticket sold, each made once per cast (the permission walk's
ids)."""

import datetime as dt

from django.utils import timezone

from patients import checkout
from patients.models import AppointmentStatus
from tests.factories import AppointmentFactory, MenuFactory, ProductFactory, TicketPackageFactory


def seen_visit(patient, practitioner, *, menu=None, start=None):
    """A finished visit (ready for checkout), 30 minutes long, ending at `start` + 30 min."""
    start = start or timezone.now() - dt.timedelta(minutes=30)
    return AppointmentFactory(
        patient=patient,
        practitioner=practitioner,
        menu=menu,
        start=start,
        end=start + dt.timedelta(minutes=30),
        status=AppointmentStatus.COMPLETED,
    )


def _once(cast, name, make):
    if not hasattr(cast, name):
        setattr(cast, name, make())
    return getattr(cast, name)


def cast_till_menu(cast):
    return _once(cast, "till_menu", lambda: MenuFactory(clinic=cast.clinic, name="整体60分"))


def cast_product(cast):
    return _once(cast, "product", lambda: ProductFactory(clinic=cast.clinic, name="膝サポーター"))


def cast_package(cast):
    return _once(
        cast,
        "package",
        lambda: TicketPackageFactory(clinic=cast.clinic, name="5回券", menu=cast_till_menu(cast)),
    )


def cast_payment(cast):
    """The cast patient's finished visit, checked out in cash at the menu's price."""

    def make():
        visit = seen_visit(cast.patient, cast.practitioner, menu=cast_till_menu(cast))
        return checkout.checkout(
            patient=cast.patient,
            appointment=visit,
            charge=checkout.Charge(treatment=cast_till_menu(cast)),
            by=cast.frontdesk,
        )

    return _once(cast, "payment", make)


def cast_ticket(cast):
    """A 5-visit ticket sold to the cast's patient (by card)."""

    def make():
        sale = checkout.checkout(
            patient=cast.patient,
            charge=checkout.Charge(package=cast_package(cast), method="card"),
            by=cast.frontdesk,
        )
        return sale.lines.get(kind="ticket_sale").ticket_sold

    return _once(cast, "ticket", make)
