from django.urls import path

from patients.views import appointments, patients, portal

app_name = "patients"

urlpatterns = [
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<id:pk>/", patients.patient_detail, name="patient_detail"),
    path("patients/<id:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<id:pk>/record.json", patients.patient_export_json, name="patient_export_json"),
    path("patients/<id:pk>/record.pdf", patients.patient_export_pdf, name="patient_export_pdf"),
    path("patients/<id:pk>/archive/", patients.patient_archive, name="patient_archive"),
    path("patients/<id:pk>/restore/", patients.patient_restore, name="patient_restore"),
    path("appointments/", appointments.day_view, name="day_view"),
    path("appointments/new/", appointments.book, name="book"),
    path(
        "appointments/<id:pk>/status/",
        appointments.appointment_status,
        name="appointment_status",
    ),
    path("desk/", appointments.frontdesk_home, name="frontdesk_home"),
    path("today/", appointments.practitioner_home, name="practitioner_home"),
    path("portal/", portal.portal_home, name="portal_home"),
    path("portal/plans/<id:pk>/", portal.portal_plan, name="portal_plan"),
    path("portal/plans/<id:pk>/handout.pdf", portal.portal_handout, name="portal_handout"),
    path(
        "portal/activate/<str:uidb64>/<str:token>/", portal.portal_activate, name="portal_activate"
    ),
    path("portal/reset/", portal.portal_reset, name="portal_reset"),
    path("portal/log/", portal.portal_log, name="portal_log"),
    path("portal/reminders/", portal.portal_reminders, name="portal_reminders"),
    path("portal/psfs/", portal.portal_psfs, name="portal_psfs"),
    path("safety/<id:pk>/seen/", portal.safety_seen, name="safety_seen"),
    path("patients/<id:pk>/invite/", portal.patient_invite, name="patient_invite"),
    path(
        "patients/<id:pk>/portal/deactivate/",
        portal.patient_portal_deactivate,
        name="patient_portal_deactivate",
    ),
]
