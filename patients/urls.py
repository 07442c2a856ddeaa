from django.urls import path

from patients.views import (
    appointments,
    calendar,
    checkout,
    patients,
    portal,
    setup,
    till,
    till_setup,
)

app_name = "patients"

urlpatterns = [
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<id:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<id:pk>/archive/", patients.patient_archive, name="patient_archive"),
    path("patients/<id:pk>/restore/", patients.patient_restore, name="patient_restore"),
    path("appointments/", appointments.day_view, name="day_view"),
    path("appointments/new/", appointments.book, name="book"),
    path("calendar/", calendar.calendar_view, name="calendar"),
    path("appointments/patients/", calendar.patient_matches, name="patient_matches"),
    path("appointments/<id:pk>/", calendar.appointment_detail, name="appointment_detail"),
    path("appointments/<id:pk>/move/", calendar.appointment_move, name="appointment_move"),
    path("appointments/<id:pk>/cancel/", calendar.appointment_cancel, name="appointment_cancel"),
    path(
        "appointments/<id:pk>/status/",
        appointments.appointment_status,
        name="appointment_status",
    ),
    # The till.
    path("appointments/<id:pk>/checkout/", checkout.visit_checkout, name="visit_checkout"),
    path("patients/<id:pk>/sale/", checkout.patient_sale, name="patient_sale"),
    path("payments/<id:pk>/", checkout.payment_detail, name="payment_detail"),
    path("payments/<id:pk>/void/", checkout.payment_void, name="payment_void"),
    path("payments/<id:pk>/refund/", checkout.payment_refund, name="payment_refund"),
    path("tickets/<id:pk>/refund/", checkout.ticket_refund, name="ticket_refund"),
    path("clinic/till/", till_setup.till_setup_list, name="till_setup"),
    path("clinic/till/items/new/", till_setup.product_edit, name="product_create"),
    path("clinic/till/items/<id:pk>/", till_setup.product_edit, name="product_edit"),
    path("clinic/till/items/<id:pk>/on-sale/", till_setup.product_on_sale, name="product_on_sale"),
    path("clinic/till/tickets/new/", till_setup.package_edit, name="package_create"),
    path("clinic/till/tickets/<id:pk>/", till_setup.package_edit, name="package_edit"),
    path(
        "clinic/till/tickets/<id:pk>/on-sale/", till_setup.package_on_sale, name="package_on_sale"
    ),
    # The till's reports: the day (and its close), the month, the accountant's CSV, the
    # prepaid balances.
    path("till/", till.till_day, name="till_day"),
    path("till/close/", till.till_close, name="till_close"),
    path("till/month/", till.till_month, name="till_month"),
    path("till/export/", till.till_export, name="till_export"),
    path("till/prepaid/", till.prepaid_report, name="prepaid_report"),
    # The clinic admin's booking set-up.
    path("clinic/menus/", setup.menu_list, name="menu_list"),
    path("clinic/menus/new/", setup.menu_edit, name="menu_create"),
    path("clinic/menus/<id:pk>/", setup.menu_edit, name="menu_edit"),
    path("clinic/menus/<id:pk>/offered/", setup.menu_offered, name="menu_offered"),
    path("clinic/hours/", setup.clinic_hours, name="clinic_hours"),
    path("clinic/closures/<id:pk>/remove/", setup.closure_remove, name="closure_remove"),
    path("staff/<id:pk>/hours/", setup.practitioner_hours, name="practitioner_hours"),
    path("staff/days-off/<id:pk>/remove/", setup.day_off_remove, name="day_off_remove"),
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
