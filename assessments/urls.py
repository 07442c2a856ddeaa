from django.urls import path

from assessments.views import assessments, library, plans, referrals, thresholds

app_name = "assessments"

urlpatterns = [
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
    path("exercises/", library.exercise_list, name="exercise_list"),
    path("exercises/new/", library.exercise_edit, name="exercise_create"),
    path("exercises/<id:pk>/", library.exercise_detail, name="exercise_detail"),
    path("exercises/<id:pk>/edit/", library.exercise_edit, name="exercise_edit"),
    path("exercises/<id:pk>/retire/", library.exercise_retire, name="exercise_retire"),
    path("thresholds/", thresholds.threshold_list, name="thresholds"),
    path("thresholds/<slug:code>/", thresholds.threshold_edit, name="threshold_edit"),
]
