from django.urls import path

from assessments.views import (
    assessments,
    homes,
    library,
    outcomes,
    patient_page,
    plans,
    portal,
    referrals,
    thresholds,
    visit_records,
)

app_name = "assessments"

urlpatterns = [
    # pages that show the patients' side and the clinical side together
    path("patients/<id:pk>/", patient_page.patient_detail, name="patient_detail"),
    path(
        "patients/<id:pk>/record.json", patient_page.patient_export_json, name="patient_export_json"
    ),
    path("patients/<id:pk>/record.pdf", patient_page.patient_export_pdf, name="patient_export_pdf"),
    path("desk/", homes.frontdesk_home, name="frontdesk_home"),
    path("today/", homes.practitioner_home, name="practitioner_home"),
    path("portal/", portal.portal_home, name="portal_home"),
    path("portal/plans/<id:pk>/", portal.portal_plan, name="portal_plan"),
    path("portal/plans/<id:pk>/handout.pdf", portal.portal_handout, name="portal_handout"),
    path("portal/log/", portal.portal_log, name="portal_log"),
    path("portal/reminders/", portal.portal_reminders, name="portal_reminders"),
    path("portal/psfs/", portal.portal_psfs, name="portal_psfs"),
    path("safety/<id:pk>/seen/", portal.safety_seen, name="safety_seen"),
    path("assessments/<id:pk>/plan/", plans.propose, name="propose_plan"),
    path("plans/<id:pk>/", plans.plan_detail, name="plan"),
    path("plans/<id:pk>/items/<id:item_pk>/", plans.plan_item, name="plan_item"),
    path("plans/<id:pk>/add/", plans.plan_add, name="plan_add"),
    path("plans/<id:pk>/details/", plans.plan_details, name="plan_details"),
    path("plans/<id:pk>/publish/", plans.plan_publish, name="plan_publish"),
    path("plans/<id:pk>/handout.pdf", plans.plan_handout, name="plan_handout"),
    path("referrals/<id:pk>/", referrals.referral_detail, name="referral"),
    path("referrals/<id:pk>/lift/", referrals.referral_lift, name="referral_lift"),
    path("referrals/<id:pk>/letter.pdf", referrals.referral_letter, name="referral_letter"),
    path("patients/<id:pk>/assessments/new/", assessments.start, name="start"),
    path("assessments/<id:pk>/", assessments.detail, name="detail"),
    path("assessments/<id:pk>/sign/", assessments.sign, name="sign"),
    path("assessments/<id:pk>/rescreen/", assessments.rescreen, name="rescreen"),
    path(
        "assessments/<id:pk>/flags/<id:flag_pk>/acknowledge/",
        assessments.acknowledge_flag,
        name="acknowledge",
    ),
    path("assessments/<id:pk>/amend/<slug:section>/", assessments.amend, name="amend"),
    path("assessments/<id:pk>/<slug:section>/", assessments.edit_section, name="section"),
    path("visits/<id:pk>/record/", visit_records.record_visit, name="record_visit"),
    path("visit-records/<id:pk>/", visit_records.detail, name="visit_record"),
    path("visit-records/<id:pk>/edit/", visit_records.edit, name="visit_record_edit"),
    path("visit-records/<id:pk>/sign/", visit_records.sign, name="visit_record_sign"),
    path("visit-records/<id:pk>/amend/", visit_records.amend, name="visit_record_amend"),
    path("exercises/", library.exercise_list, name="exercise_list"),
    path("exercises/new/", library.exercise_edit, name="exercise_create"),
    path("exercises/<id:pk>/", library.exercise_detail, name="exercise_detail"),
    path("exercises/<id:pk>/edit/", library.exercise_edit, name="exercise_edit"),
    path("exercises/<id:pk>/retire/", library.exercise_retire, name="exercise_retire"),
    path("outcomes/", outcomes.outcomes_page, name="outcomes"),
    path("outcomes.csv", outcomes.outcomes_csv, name="outcomes_csv"),
    path("thresholds/", thresholds.threshold_list, name="thresholds"),
    path("thresholds/<slug:code>/", thresholds.threshold_edit, name="threshold_edit"),
]
