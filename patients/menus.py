"""The clinic admin's writes of menus (施術メニュー). A menu is never deleted: it is taken off
the booking form (deactivated), and the visits booked with it keep it. Each change is on the
audit trail (patients/apps.py registers the model)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clinic.models import Role
from patients.models import Menu

MENU_FIELDS = ("name", "minutes", "price", "colour", "assessment")


def _check(menu: Menu, by) -> None:
    if by.clinic_id != menu.clinic_id or Role.ADMIN not in by.roles:
        raise ValueError("only the clinic's admin changes its menus")
    taken = Menu.objects.filter(clinic_id=menu.clinic_id, name=menu.name).exclude(pk=menu.pk)
    if taken.exists():
        raise ValidationError({"name": _("This clinic already has a menu with this name.")})
    menu.full_clean()


@transaction.atomic
def add_menu(*, menu: Menu, by) -> Menu:
    if menu.pk is not None:
        raise ValueError("add_menu takes a new, unsaved menu")
    _check(menu, by)
    menu.save()
    return menu


@transaction.atomic
def update_menu(*, menu: Menu, by) -> Menu:
    """Save a changed name, length, price, colour or assessment. Visits already booked keep
    their times: a new length applies to the bookings made from now on."""
    if menu.pk is None:
        raise ValueError("update_menu takes a saved menu")
    _check(menu, by)
    menu.save(update_fields=[*MENU_FIELDS])
    return menu


@transaction.atomic
def set_menu_offered(*, menu: Menu, offered: bool, by) -> Menu:
    """Offer the menu on the booking form again, or take it off (deactivate)."""
    _check(menu, by)
    if menu.is_active != offered:
        menu.is_active = offered
        menu.save(update_fields=["is_active"])
    return menu
