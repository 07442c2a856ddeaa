from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self):
        from django.db.models.signals import post_migrate

        from clinic import audit
        from patients import search
        from patients.models import (
            Appointment,
            Closure,
            Consent,
            DayClose,
            DayOff,
            Menu,
            OpeningHours,
            Patient,
            Payment,
            PaymentLine,
            Product,
            RecallContact,
            ReceiptIssue,
            Refund,
            Shift,
            Ticket,
            TicketPackage,
        )

        post_migrate.connect(search.restore_triggers, sender=self)

        audit.register(Patient, exclude_fields=["search_key", "kana_key", "phone_digits"])
        audit.register(Consent)
        audit.register(Appointment)
        # The clinic's booking set-up is an admin's change like the clinic's settings.
        for model in (Menu, OpeningHours, Closure, Shift, DayOff):
            audit.register(model)
        audit.register_subject(Patient, lambda patient: (patient.clinic_id, patient.pk))
        # The till: every payment, line, refund, void, ticket, receipt print and close.
        for model in (Payment, Refund, Ticket, RecallContact, DayClose, Product, TicketPackage):
            audit.register(model)
        audit.register(PaymentLine)
        audit.register(ReceiptIssue)
        audit.register_subject(
            PaymentLine, lambda line: (line.payment.clinic_id, line.payment.patient_id)
        )
        audit.register_subject(
            ReceiptIssue, lambda issue: (issue.payment.clinic_id, issue.payment.patient_id)
        )
