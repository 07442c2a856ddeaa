from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self):
        from clinic import audit
        from patients.models import Appointment, Consent, Patient

        audit.register(Patient, exclude_fields=["search_key", "kana_key", "phone_digits"])
        audit.register(Consent)
        audit.register(Appointment)
        audit.register_subject(Patient, lambda patient: (patient.clinic_id, patient.pk))
