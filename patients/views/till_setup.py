"""The clinic admin's set-up of the till: items sold at the desk and prepaid ticket types."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinic import access
from patients import selectors, till_setup
from patients.till_forms import PackageForm, ProductForm


@access.allow(*access.ADMIN)
def till_setup_list(request):
    context = {
        "products": selectors.products_for(request.user),
        "packages": selectors.packages_for(request.user),
    }
    return render(request, "patients/till_setup.html", context)


def _save(request, form, save, name):
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.save(commit=False))
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
            return redirect("patients:till_setup")
    return None


@access.allow(*access.ADMIN)
def product_edit(request, pk=None):
    product = selectors.get_product(request, pk) if pk else None
    form = ProductForm(access.form_data(request), instance=product, clinic=request.user.clinic)
    saved = _save(
        request, form, lambda p: till_setup.save_product(product=p, by=request.user), "product"
    )
    context = {"form": form, "thing": product, "title": _("Item")}
    return saved or render(request, "patients/till_thing_form.html", context)


@access.allow(*access.ADMIN)
def package_edit(request, pk=None):
    package = selectors.get_package(request, pk) if pk else None
    form = PackageForm(
        access.form_data(request),
        instance=package,
        clinic=request.user.clinic,
        menus=selectors.menus_for(request.user).filter(is_active=True),
    )
    saved = _save(
        request, form, lambda p: till_setup.save_package(package=p, by=request.user), "package"
    )
    context = {"form": form, "thing": package, "title": _("Prepaid ticket type")}
    return saved or render(request, "patients/till_thing_form.html", context)


def _on_sale(request, thing):
    on_sale = request.POST.get("on_sale") == "1"
    till_setup.set_on_sale(thing=thing, on_sale=on_sale, by=request.user)
    if on_sale:
        messages.success(request, _("%(name)s is on sale again.") % {"name": thing.name})
    else:
        messages.success(
            request,
            _("%(name)s is no longer on sale; what was sold keeps it.") % {"name": thing.name},
        )
    return redirect("patients:till_setup")


@access.allow(*access.ADMIN)
@require_POST
def product_on_sale(request, pk):
    return _on_sale(request, selectors.get_product(request, pk))


@access.allow(*access.ADMIN)
@require_POST
def package_on_sale(request, pk):
    return _on_sale(request, selectors.get_package(request, pk))
