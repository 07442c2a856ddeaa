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
            DayOff,
            Menu,
            OpeningHours,
            Patient,
            Shift,
        )

        post_migrate.connect(search.restore_triggers, sender=self)

        audit.register(Patient, exclude_fields=["search_key", "kana_key", "phone_digits"])
        audit.register(Consent)
        audit.register(Appointment)
        # The clinic's booking set-up is an admin's change like the clinic's settings.
        for model in (Menu, OpeningHours, Closure, Shift, DayOff):
            audit.register(model)
        audit.register_subject(Patient, lambda patient: (patient.clinic_id, patient.pk))
