from django.urls import path

from patients.views import appointments, patients, portal

app_name = "patients"

urlpatterns = [
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<id:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<id:pk>/archive/", patients.patient_archive, name="patient_archive"),
    path("patients/<id:pk>/restore/", patients.patient_restore, name="patient_restore"),
    path("appointments/", appointments.day_view, name="day_view"),
    path("appointments/new/", appointments.book, name="book"),
    path(
        "appointments/<id:pk>/status/",
        appointments.appointment_status,
        name="appointment_status",
    ),
    path(
        "portal/activate/<str:uidb64>/<str:token>/", portal.portal_activate, name="portal_activate"
    ),
    path("portal/reset/", portal.portal_reset, name="portal_reset"),
    path("patients/<id:pk>/invite/", portal.patient_invite, name="patient_invite"),
    path(
        "patients/<id:pk>/portal/deactivate/",
        portal.patient_portal_deactivate,
        name="patient_portal_deactivate",
    ),
]
