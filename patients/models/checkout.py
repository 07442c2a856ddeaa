"""The till (会計): payments with their lines, refunds, prepaid tickets (回数券), items sold, the
day's close (日計) and recall calls. A ledger that is only appended to: a payment is never
deleted or changed, a mistake is voided (the same day, before the close) or refunded, with a
reason, by whom and when; totals are sums of these rows. Amounts are integer yen, tax included.
The writes are in patients/checkout.py; the arithmetic in patients/money.py."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinic import validators
from clinic.models import Clinic
from patients import money
from patients.models.people import Appointment, Menu, Patient


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    QR = "qr", _("QR code payment")
    # Nothing owed in money: the visit was on a prepaid ticket.
    TICKET = "ticket", _("Prepaid ticket")


MONEY_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.QR)


class LineKind(models.TextChoices):
    TREATMENT = "treatment", _("Treatment")
    ITEM = "item", _("Item")
    TICKET_SALE = "ticket_sale", _("Prepaid ticket")
    TICKET_USE = "ticket_use", _("Visit on a prepaid ticket")
    DISCOUNT = money.DISCOUNT, _("Discount")


class Product(models.Model):
    """An item the clinic sells at the desk (a supporter, a compress). Never deleted, only taken
    off the till."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("name"), max_length=60)
    price = models.PositiveIntegerField(_("price (yen, tax included)"))
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["-is_active", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="product_name_per_clinic"),
            models.CheckConstraint(
                condition=models.Q(price__lte=money.MAX_LINE_YEN), name="product_price_in_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        validators.check_names(self, ("name",))


TICKET_VISITS = (1, 50)
TICKET_MONTHS = (1, 24)


class TicketPackage(models.Model):
    """A prepaid ticket the clinic sells (e.g. 5 visits for ¥24,000, valid 6 months). Its terms
    are copied onto each ticket sold, with their version, so a later change never changes a
    ticket already bought."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="ticket_packages")
    name = models.CharField(_("name"), max_length=60)
    menu = models.ForeignKey(
        Menu,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("menu"),
        help_text=_("The visits it pays for. Leave empty for a visit of any menu."),
    )
    visits = models.PositiveSmallIntegerField(_("visits"))
    price = models.PositiveIntegerField(_("price (yen, tax included)"))
    valid_months = models.PositiveSmallIntegerField(_("valid for (months)"), default=6)
    regular_price = models.PositiveIntegerField(
        _("regular price of one visit (yen)"),
        help_text=_("What a used visit counts for when unused visits are refunded."),
    )
    refund_fee_percent = models.PositiveSmallIntegerField(_("refund fee (%)"), default=10)
    refundable_after_expiry = models.BooleanField(
        _("unused visits refundable after expiry"), default=False
    )
    terms = models.TextField(_("terms shown to the patient"), max_length=2000)
    terms_version = models.CharField(_("terms version"), max_length=20)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prepaid ticket type")
        verbose_name_plural = _("prepaid ticket types")
        ordering = ["-is_active", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="package_name_per_clinic"),
            models.CheckConstraint(
                condition=models.Q(visits__gte=TICKET_VISITS[0], visits__lte=TICKET_VISITS[1]),
                name="package_visits_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    valid_months__gte=TICKET_MONTHS[0], valid_months__lte=TICKET_MONTHS[1]
                ),
                name="package_months_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(refund_fee_percent__lte=50), name="package_fee_in_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        validators.check_names(self, ("name",))


class Payment(models.Model):
    """One checkout: what was charged and how it was paid. Its receipt number is the clinic's
    next, with no gaps; the receipt is the frozen `receipt` snapshot, never the live rows."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="payments")
    number = models.PositiveIntegerField(_("receipt number"), editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payments")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    # Who treated (the visit's practitioner), for the takings per practitioner; none for a sale
    # without a visit.
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    business_day = models.DateField(_("day"))
    method = models.CharField(_("paid by"), max_length=8, choices=PaymentMethod.choices)
    total = models.PositiveIntegerField(_("total (yen)"))
    tax_rate = models.PositiveSmallIntegerField(_("tax rate (%)"))
    tax = models.PositiveIntegerField(_("consumption tax included (yen)"))
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # What the receipt says, frozen at checkout (clinic, patient, lines, totals).
    receipt = models.JSONField(default=dict, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField(_("reason for the void"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-taken_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "number"], name="receipt_number_per_clinic"),
            # A visit is checked out once; a correction voids it first.
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(voided_at__isnull=True, appointment__isnull=False),
                name="one_payment_per_visit",
            ),
            models.CheckConstraint(
                condition=models.Q(tax__lte=models.F("total")), name="payment_tax_within_total"
            ),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""),
                name="payment_void_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "business_day"], name="payment_clinic_day"),
            models.Index(fields=["patient", "taken_at"], name="payment_patient"),
            models.Index(fields=["practitioner", "business_day"], name="payment_practitioner_day"),
        ]

    def __str__(self):
        return f"No.{self.number} {self.patient} ¥{self.total:,}"

    @property
    def number_display(self) -> str:
        return f"{self.number:06d}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None


class PaymentLine(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=12, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=120)
    unit_price = models.IntegerField(_("unit price (yen)"))
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    amount = models.IntegerField(_("amount (yen)"))
    menu = models.ForeignKey(
        Menu, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    package = models.ForeignKey(
        TicketPackage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The ticket a TICKET_USE line took a visit from.
    ticket = models.ForeignKey(
        "Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="uses"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["payment", "position"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "position"], name="line_position"),
            models.CheckConstraint(
                condition=models.Q(amount=models.F("unit_price") * models.F("quantity")),
                name="line_amount_is_price_times_quantity",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=money.DISCOUNT) | ~models.Q(reason=""),
                name="discount_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.description} ¥{self.amount:,}"


class Ticket(models.Model):
    """A prepaid ticket sold to a patient, with its terms as sold. `visits_left` only moves
    under the row's lock and never below zero (the database refuses it too), so two desks using
    the last visit at once cannot both have it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="tickets")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="tickets")
    package = models.ForeignKey(TicketPackage, on_delete=models.PROTECT, related_name="tickets")
    sold_on = models.OneToOneField(
        PaymentLine, on_delete=models.PROTECT, related_name="ticket_sold"
    )
    name = models.CharField(_("name"), max_length=60)
    menu = models.ForeignKey(
        Menu, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visits = models.PositiveSmallIntegerField(_("visits"))
    visits_left = models.PositiveSmallIntegerField(_("visits left"))
    price = models.PositiveIntegerField(_("price paid (yen)"))
    regular_price = models.PositiveIntegerField(_("regular price of one visit (yen)"))
    refund_fee_percent = models.PositiveSmallIntegerField(_("refund fee (%)"))
    refundable_after_expiry = models.BooleanField(_("unused visits refundable after expiry"))
    terms = models.TextField(_("terms"))
    terms_version = models.CharField(_("terms version"), max_length=20)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    # Closed by a refund of its unused visits or by the void of its sale: nothing left to use.
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("prepaid ticket")
        verbose_name_plural = _("prepaid tickets")
        ordering = ["valid_until", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visits_left__gte=0, visits_left__lte=models.F("visits")),
                name="ticket_visits_left_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "valid_until"], name="ticket_patient"),
            models.Index(fields=["clinic", "valid_until"], name="ticket_clinic_expiry"),
        ]

    def __str__(self):
        return f"{self.name} ({self.visits_left}/{self.visits})"

    @property
    def terms_as_sold(self) -> money.TicketTerms:
        return money.TicketTerms(
            visits=self.visits,
            price=self.price,
            regular_price=self.regular_price,
            fee_percent=self.refund_fee_percent,
            refundable_after_expiry=self.refundable_after_expiry,
        )

    def usable_on(self, day) -> bool:
        open_ = self.closed_at is None and self.visits_left > 0
        return open_ and self.valid_from <= day <= self.valid_until


class Refund(models.Model):
    """Money given back on a payment (all of it or part), or a ticket's visit given back, with
    the reason. Counted on the day it was given, not the payment's day."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveIntegerField(_("amount (yen)"))
    method = models.CharField(_("given back by"), max_length=8, choices=PaymentMethod.choices)
    reason = models.CharField(_("reason"), max_length=200)
    # A ticket refunded (its unused visits) or given back a visit by this refund.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    visits_returned = models.PositiveSmallIntegerField(default=0)
    business_day = models.DateField(_("day"))
    refunded_at = models.DateTimeField(_("refunded at"))
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-refunded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="refund_has_reason"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0) | models.Q(visits_returned__gt=0),
                name="refund_gives_something_back",
            ),
        ]
        indexes = [models.Index(fields=["clinic", "business_day"], name="refund_clinic_day")]

    def __str__(self):
        return f"No.{self.payment.number} -¥{self.amount:,}"


class ReceiptIssue(models.Model):
    """Each time a payment's receipt was printed or downloaded: the first is the original, any
    later one is marked 再発行 (reissue)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="issues")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self):
        return f"No.{self.payment_id} {self.issued_at:%Y-%m-%d %H:%M}"


class DayClose(models.Model):
    """The day's close (日計): the cash counted in the drawer against what the ledger says it
    should hold. Once closed, the day takes no new payment nor void; corrections go on a later
    day as refunds. `totals` freezes the day's figures as they were at the close."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="day_closes")
    day = models.DateField(_("day"))
    float_yen = models.PositiveIntegerField(_("change float (yen)"))
    expected_cash = models.IntegerField(_("expected cash (yen)"))
    counted_cash = models.PositiveIntegerField(_("counted cash (yen)"))
    difference = models.IntegerField(_("difference (yen)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    totals = models.JSONField(default=dict, editable=False)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("day's close")
        verbose_name_plural = _("day's closes")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "day"], name="one_close_per_day"),
            models.CheckConstraint(
                condition=models.Q(difference=models.F("counted_cash") - models.F("expected_cash")),
                name="close_difference_is_counted_less_expected",
            ),
            models.CheckConstraint(
                condition=models.Q(difference=0) | ~models.Q(note=""),
                name="close_difference_has_note",
            ),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d}"


class RecallChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone call")


class RecallReason(models.TextChoices):
    OVERDUE = "overdue", _("Next visit overdue")
    TICKET_EXPIRING = "ticket_expiring", _("Prepaid ticket about to expire")


class RecallContact(models.Model):
    """A call-back made from the recall list: an e-mail sent or a phone call noted."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="recalls")
    channel = models.CharField(_("how"), max_length=8, choices=RecallChannel.choices)
    reason = models.CharField(_("why"), max_length=16, choices=RecallReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    contacted_at = models.DateTimeField()
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("recall contact")
        verbose_name_plural = _("recall contacts")
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["patient", "contacted_at"], name="recall_patient")]

    def __str__(self):
        return f"{self.patient} {self.get_channel_display()} {self.contacted_at:%Y-%m-%d}"
