"""Two desks at once on the till: real transactions and two connections (threads), on SQLite
(IMMEDIATE transactions) and on PostgreSQL (row locks) alike. `transaction=True` so no test
transaction hides the locking."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from patients import checkout
from patients.models import Payment, Ticket
from tests.patients.till import cast_ticket, cast_till_menu, seen_visit


def _at_once(work, arguments):
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def run(argument):
        try:
            barrier.wait(timeout=10)
            outcomes.append(work(argument))
        except ValidationError as refused:
            outcomes.append(("refused", refused.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_desks_using_the_last_visit_of_one_ticket_at_once_one_wins(ours):
    ticket = cast_ticket(ours)
    Ticket.objects.filter(pk=ticket.pk).update(visits_left=1)
    menu = cast_till_menu(ours)
    visits = [seen_visit(ours.patient, ours.practitioner, menu=menu) for _ in range(2)]

    def use(visit):
        charge = checkout.Charge(treatment=menu, ticket=ticket)
        checkout.checkout(patient=ours.patient, appointment=visit, charge=charge, by=ours.frontdesk)
        return "paid"

    outcomes = _at_once(use, visits)
    assert sorted(o if o == "paid" else o[0] for o in outcomes) == ["paid", "refused"]
    ticket.refresh_from_db()
    assert ticket.visits_left == 0
    assert Payment.objects.filter(appointment__in=visits).count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_two_desks_checking_one_visit_out_at_once_charge_it_once(ours):
    menu = cast_till_menu(ours)
    visit = seen_visit(ours.patient, ours.practitioner, menu=menu)

    def pay(desk):
        checkout.checkout(
            patient=ours.patient, appointment=visit, charge=checkout.Charge(treatment=menu), by=desk
        )
        return "paid"

    outcomes = _at_once(pay, [ours.frontdesk, ours.admin])
    assert sorted(o if o == "paid" else o[0] for o in outcomes) == ["paid", "refused"]
    assert Payment.objects.filter(appointment=visit).count() == 1


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_checkouts_never_share_or_skip_a_receipt_number(ours):
    menu = cast_till_menu(ours)
    visits = [seen_visit(ours.patient, ours.practitioner, menu=menu) for _ in range(5)]

    def pay(visit):
        return checkout.checkout(
            patient=ours.patient,
            appointment=visit,
            charge=checkout.Charge(treatment=menu),
            by=ours.frontdesk,
        ).number

    assert sorted(_at_once(pay, visits)) == [1, 2, 3, 4, 5]
