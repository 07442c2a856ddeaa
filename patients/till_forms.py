"""The till's forms: the checkout (会計), a void, a refund, a ticket's refund, and the admin's
items and ticket types. The forms check what a field can say on its own; whether it can be
charged (a discount larger than the total, a ticket used up) is patients/checkout.py's."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from patients import money
from patients.models import MONEY_METHODS, PaymentMethod, Product, TicketPackage
from patients.till_setup import PACKAGE_FIELDS, PRODUCT_FIELDS

ITEM_ROWS = 3
PRICE = "price"  # the treatment at its menu's price (else a ticket's id)
NO_TREATMENT = "none"


def _yen_input(**attrs):
    return forms.NumberInput(attrs={"min": 0, "step": 1, "inputmode": "numeric", **attrs})


def _money_methods():
    return [(code, label) for code, label in PaymentMethod.choices if code in MONEY_METHODS]


class CheckoutForm(forms.Form):
    """One checkout. `pay_with` offers the visit's menu at its price and each ticket that can
    pay for it; `items` are ITEM_ROWS (item, quantity) rows, empty ones ignored."""

    pay_with = forms.ChoiceField(label=_("Treatment"), widget=forms.RadioSelect)
    package = forms.ModelChoiceField(
        label=_("Sell a prepaid ticket"),
        queryset=TicketPackage.objects.none(),
        required=False,
        empty_label=_("None"),
    )
    discount = forms.IntegerField(
        label=_("Discount (yen)"),
        min_value=0,
        max_value=money.MAX_LINE_YEN,
        required=False,
        widget=_yen_input(),
    )
    discount_reason = forms.CharField(
        label=_("Reason for the discount"), max_length=200, required=False
    )
    method = forms.ChoiceField(label=_("Paid by"), widget=forms.RadioSelect)

    def __init__(self, *args, menu, tickets, products, packages, with_visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.tickets = {str(t.pk): t for t in tickets}
        choices = []
        if with_visit and menu is not None:
            choices.append(
                (
                    PRICE,
                    _("%(menu)s at its price, ¥%(price)s")
                    % {"menu": menu.name, "price": f"{menu.price:,}"},
                )
            )
        for ticket in tickets:
            choices.append(
                (
                    str(ticket.pk),
                    _("%(name)s: %(left)s of %(visits)s visits left, until %(day)s")
                    % {
                        "name": ticket.name,
                        "left": ticket.visits_left,
                        "visits": ticket.visits,
                        "day": f"{ticket.valid_until:%Y-%m-%d}",
                    },
                )
            )
        choices.append((NO_TREATMENT, _("No treatment on this receipt")))
        self.fields["pay_with"].choices = choices
        self.fields["pay_with"].initial = choices[0][0]
        self.fields["method"].choices = _money_methods()
        self.fields["method"].initial = PaymentMethod.CASH
        self.fields["package"].queryset = packages
        self.products = products
        for row in range(ITEM_ROWS):
            self.fields[f"item_{row}"] = forms.ModelChoiceField(
                label=_("Item sold"), queryset=products, required=False, empty_label="—"
            )
            self.fields[f"quantity_{row}"] = forms.IntegerField(
                label=_("Quantity"),
                min_value=1,
                max_value=money.MAX_QUANTITY,
                required=False,
                initial=1,
                widget=forms.NumberInput(attrs={"min": 1, "max": money.MAX_QUANTITY}),
            )
        self.menu = menu

    def item_rows(self):
        return [(self[f"item_{row}"], self[f"quantity_{row}"]) for row in range(ITEM_ROWS)]

    def clean(self):
        cleaned = super().clean()
        cleaned["items"] = []
        for row in range(ITEM_ROWS):
            product = cleaned.get(f"item_{row}")
            if product is not None:
                cleaned["items"].append((product, cleaned.get(f"quantity_{row}") or 1))
        return cleaned

    def charge_fields(self) -> dict:
        """The cleaned form as patients.checkout.Charge's fields."""
        data = self.cleaned_data
        choice = data["pay_with"]
        return {
            "treatment": self.menu if choice != NO_TREATMENT else None,
            "ticket": self.tickets.get(choice),
            "items": data["items"],
            "package": data.get("package"),
            "discount": data.get("discount") or 0,
            "discount_reason": data.get("discount_reason", ""),
            "method": data["method"],
        }


# Where a refusal of patients.checkout lands on the checkout form.
CHECKOUT_FIELDS = {"ticket": "pay_with", "items": None}


class VoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this payment void?"),
        max_length=200,
        help_text=_("For example: entered for the wrong patient. Kept on the audit trail."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class RefundForm(forms.Form):
    amount = forms.IntegerField(
        label=_("Amount to give back (yen)"), min_value=0, required=False, widget=_yen_input()
    )
    method = forms.ChoiceField(label=_("Given back by"), widget=forms.RadioSelect)
    return_visits = forms.BooleanField(
        label=_("Give the prepaid-ticket visits back too"), required=False
    )
    reason = forms.CharField(label=_("Reason for the refund"), max_length=200)

    def __init__(self, *args, can_return_visits=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = _money_methods()
        self.fields["method"].initial = PaymentMethod.CASH
        if not can_return_visits:
            del self.fields["return_visits"]
        self.helper = FormHelper()
        self.helper.form_tag = False


class TicketRefundForm(forms.Form):
    method = forms.ChoiceField(label=_("Given back by"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason for the refund"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = _money_methods()
        self.fields["method"].initial = PaymentMethod.CASH
        self.helper = FormHelper()
        self.helper.form_tag = False


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = list(PRODUCT_FIELDS)
        widgets = {"price": _yen_input(step=10)}
        help_texts = {"price": _("In yen, tax included.")}

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.clinic = clinic
        self.fields["price"].validators.append(_max_price)
        self.helper = FormHelper()
        self.helper.form_tag = False


def _max_price(value):
    if value is not None and value > money.MAX_LINE_YEN:
        raise forms.ValidationError(_("At most 1,000,000 yen."), code="max_price")


class PackageForm(forms.ModelForm):
    class Meta:
        model = TicketPackage
        fields = list(PACKAGE_FIELDS)
        widgets = {
            "price": _yen_input(step=10),
            "regular_price": _yen_input(step=10),
            "visits": forms.NumberInput(attrs={"min": 1, "max": 50}),
            "valid_months": forms.NumberInput(attrs={"min": 1, "max": 24}),
            "refund_fee_percent": forms.NumberInput(attrs={"min": 0, "max": 50}),
            "terms": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, clinic, menus, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.clinic = clinic
        self.fields["menu"].queryset = menus
        self.fields["price"].validators.append(_max_price)
        self.fields["regular_price"].validators.append(_max_price)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        checks = {
            "visits": (1, 50, _("Between 1 and 50 visits.")),
            "valid_months": (1, 24, _("Between 1 and 24 months.")),
            "refund_fee_percent": (0, 50, _("Between 0 and 50%.")),
        }
        for name, (low, high, message) in checks.items():
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, message)
        return cleaned
