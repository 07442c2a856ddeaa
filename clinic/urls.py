from django.urls import include, path, register_converter

from clinic import audit_views, views
from clinic.converters import IdConverter

register_converter(IdConverter, "id")

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("login/code/", views.two_factor_verify, name="two_factor_verify"),
    path("account/password/", views.own_password, name="own_password"),
    path("account/two-factor/", views.two_factor_status, name="two_factor"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<id:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<id:pk>/password/", views.staff_password, name="staff_password"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("audit/export.csv", audit_views.audit_export, name="audit_export"),
    path("audit/verify/", audit_views.audit_verify, name="audit_verify"),
    path(
        "staff/<id:pk>/two-factor/reset/",
        views.staff_two_factor_reset,
        name="staff_two_factor_reset",
    ),
    path(
        "staff/<id:pk>/backup-codes/reset/",
        views.staff_backup_codes_reset,
        name="staff_backup_codes_reset",
    ),
    path("clinic/settings/", views.clinic_settings, name="clinic_settings"),
    path("", include("patients.urls")),
    path("", include("assessments.urls")),
]
