"""The clinic admin's writes of what the till sells besides visits: items (商品) and prepaid
ticket types (回数券). Neither is ever deleted, only taken off sale, so a payment and a ticket
sold keep theirs. Each change is on the audit trail (patients/apps.py registers the models)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import Role
from patients.models import Product, TicketPackage

PRODUCT_FIELDS = ("name", "price")
PACKAGE_FIELDS = (
    "name",
    "menu",
    "visits",
    "price",
    "valid_months",
    "regular_price",
    "refund_fee_percent",
    "refundable_after_expiry",
    "terms",
    "terms_version",
)


def _check(thing, by) -> None:
    if by.clinic_id != thing.clinic_id or Role.ADMIN not in by.roles:
        raise ValueError("only the clinic's admin changes what the till sells")
    model = type(thing)
    taken = model.objects.filter(clinic_id=thing.clinic_id, name=thing.name).exclude(pk=thing.pk)
    if taken.exists():
        raise ValidationError({"name": _("This name is already taken in this clinic.")})
    if isinstance(thing, TicketPackage) and thing.menu_id:
        if thing.menu.clinic_id != thing.clinic_id:
            raise ValueError("a menu of another clinic")
    thing.full_clean()


@transaction.atomic
def save_product(*, product: Product, by) -> Product:
    _check(product, by)
    product.save()
    return product


@transaction.atomic
def save_package(*, package: TicketPackage, by) -> TicketPackage:
    """Save a ticket type. Tickets already sold keep the terms they were sold under (copied onto
    each ticket at the sale), whatever is changed here."""
    _check(package, by)
    package.save()
    return package


@transaction.atomic
def set_on_sale(*, thing: Product | TicketPackage, on_sale: bool, by):
    _check(thing, by)
    if thing.is_active != on_sale:
        thing.is_active = on_sale
        thing.save(update_fields=["is_active"])
    return thing
