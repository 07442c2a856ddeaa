"""Every URL, every role, our ids and another clinic's ids; and every URL again for a staff
member who has not yet given their second factor.

A URL added without an entry in RULES fails `test_every_url_has_a_rule`; a view without an
access mark fails `test_every_view_is_marked`; a view reachable before the second factor
(`access.allow_unverified`) that is not listed in BEFORE_SECOND_FACTOR fails
`test_only_the_second_factor_pages_skip_it`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic import access
from tests.assessments.visits import cast_record, cast_visit
from tests.factories import enrol, verify_session
from tests.patients.till import (
    cast_package,
    cast_payment,
    cast_product,
    cast_ticket,
    cast_till_menu,
    seen_visit,
)

ANON, PATIENT, DESK, PRACT, ADMIN = "anon", "patient", "frontdesk", "practitioner", "admin"
# One person, several roles: the owner is an admin who also treats (main role admin). Roles are
# a set: the owner may open whatever either role may, and nothing else.
OWNER = "owner"
HOLDS = {OWNER: {ADMIN, PRACT}}
ROLES = (ANON, PATIENT, DESK, PRACT, ADMIN, OWNER)
PUBLIC = {ANON, PATIENT, DESK, PRACT, ADMIN}
STAFF = {DESK, PRACT, ADMIN}
CLINICAL = {PRACT, ADMIN}
DESK_ADMIN = {DESK, ADMIN}

# url name: (method, kwargs from the cast, POST data, roles allowed)
RULES = {
    "home": ("get", None, None, PUBLIC),
    "login": ("get", None, None, PUBLIC),
    "logout": ("post", None, None, PUBLIC),
    "set_language": ("post", None, {"language": "en", "next": "/"}, PUBLIC),
    "staff_list": ("get", None, None, {ADMIN}),
    "staff_create": ("get", None, None, {ADMIN}),
    "staff_edit": ("get", lambda c: {"pk": c.frontdesk.pk}, None, {ADMIN}),
    "staff_password": ("get", lambda c: {"pk": c.frontdesk.pk}, None, {ADMIN}),
    "audit_list": ("get", None, None, {ADMIN}),
    "audit_export": ("get", None, None, {ADMIN}),
    "audit_verify": ("post", None, None, {ADMIN}),
    "assessments:patient_export_json": ("get", lambda c: {"pk": c.patient.pk}, None, {ADMIN}),
    "assessments:patient_export_pdf": ("get", lambda c: {"pk": c.patient.pk}, None, {ADMIN}),
    "staff_two_factor_reset": ("post", lambda c: {"pk": c.frontdesk.pk}, None, {ADMIN}),
    "staff_backup_codes_reset": ("post", lambda c: {"pk": c.frontdesk.pk}, None, {ADMIN}),
    "clinic_settings": ("get", None, None, {ADMIN}),
    "own_password": ("get", None, None, STAFF),
    "two_factor": ("get", None, None, STAFF),
    "two_factor_setup": ("get", None, None, STAFF),
    "two_factor_verify": ("get", None, None, STAFF),
    "patients:patient_list": ("get", None, None, STAFF),
    "patients:patient_create": ("get", None, None, STAFF),
    "assessments:patient_detail": ("get", lambda c: {"pk": c.patient.pk}, None, STAFF),
    "patients:patient_edit": ("get", lambda c: {"pk": c.patient.pk}, None, STAFF),
    "patients:patient_archive": ("post", lambda c: {"pk": c.other_patient.pk}, None, {DESK, ADMIN}),
    "patients:patient_restore": ("post", lambda c: {"pk": c.other_patient.pk}, None, {DESK, ADMIN}),
    "patients:day_view": ("get", None, None, STAFF),
    "patients:book": ("get", None, None, STAFF),
    "patients:calendar": ("get", None, {"view": "week"}, STAFF),
    "patients:patient_matches": ("get", None, {"q": "ヤマダ"}, STAFF),
    "patients:appointment_detail": ("get", lambda c: {"pk": c.appointment.pk}, None, STAFF),
    "patients:appointment_move": ("get", lambda c: {"pk": c.appointment.pk}, None, STAFF),
    "patients:appointment_cancel": ("get", lambda c: {"pk": c.appointment.pk}, None, STAFF),
    "patients:appointment_status": (
        "post",
        lambda c: {"pk": c.appointment.pk},
        {"status": "checked_in"},
        STAFF,
    ),
    "assessments:frontdesk_home": ("get", None, None, {DESK, ADMIN}),
    "assessments:practitioner_home": ("get", None, None, {PRACT}),
    "assessments:portal_home": ("get", None, None, {PATIENT}),
    "assessments:portal_plan": ("get", lambda c: {"pk": c.plan.pk}, None, {PATIENT}),
    "assessments:portal_handout": ("get", lambda c: {"pk": c.plan.pk}, None, {PATIENT}),
    # receipts: printed by the desk and admins (practitioners: 403); a patient fetches their own
    "assessments:payment_receipt": (
        "get",
        lambda c: {"pk": cast_payment(c).pk},
        None,
        {DESK, ADMIN},
    ),
    "assessments:portal_money": ("get", None, None, {PATIENT}),
    "assessments:portal_receipt": ("get", lambda c: {"pk": cast_payment(c).pk}, None, {PATIENT}),
    "patients:portal_activate": ("get", lambda c: _link(c.patient_user), None, PUBLIC),
    "patients:portal_reset": ("get", None, None, PUBLIC),
    "assessments:portal_log": ("get", None, None, {PATIENT}),
    "assessments:portal_psfs": ("get", None, None, {PATIENT}),
    "assessments:portal_reminders": ("post", None, {"reminders": "on"}, {PATIENT}),
    "assessments:safety_seen": ("post", lambda c: {"pk": c.safety.pk}, None, STAFF),
    "patients:patient_invite": ("post", lambda c: {"pk": c.other_patient.pk}, None, STAFF),
    "patients:patient_portal_deactivate": (
        "post",
        lambda c: {"pk": c.patient.pk},
        None,
        {DESK, ADMIN},
    ),
    "assessments:start": ("post", lambda c: {"pk": c.patient.pk}, None, CLINICAL),
    "assessments:detail": ("get", lambda c: {"pk": c.assessment.pk}, None, CLINICAL),
    "assessments:section": (
        "get",
        lambda c: {"pk": c.assessment.pk, "section": "complaint"},
        None,
        CLINICAL,
    ),
    "assessments:amend": (
        "get",
        lambda c: {"pk": c.assessment.pk, "section": "habits"},
        None,
        CLINICAL,
    ),
    "assessments:sign": ("post", lambda c: {"pk": c.assessment.pk}, None, CLINICAL),
    "assessments:rescreen": ("post", lambda c: {"pk": c.assessment.pk}, None, CLINICAL),
    "assessments:acknowledge": (
        "post",
        lambda c: {"pk": c.assessment.pk, "flag_pk": c.flag.pk},
        None,
        CLINICAL,
    ),
    "assessments:thresholds": ("get", None, None, CLINICAL),
    "assessments:outcomes": ("get", None, None, CLINICAL),
    "assessments:outcomes_csv": ("get", None, None, CLINICAL),
    # the repeat numbers and the recall list: the desk and admins see the clinic, a practitioner
    # their own patients (the cast's patient was last seen by the cast's practitioner)
    "assessments:repeat_numbers": ("get", None, None, STAFF),
    "assessments:recall_list": ("get", None, None, STAFF),
    "assessments:recall_email": (
        "post",
        lambda c: {"pk": _seen_patient(c).pk},
        {"reason": "overdue"},
        STAFF,
    ),
    "assessments:recall_call": (
        "post",
        lambda c: {"pk": _seen_patient(c).pk},
        {"reason": "overdue", "note": "留守番電話に伝言"},
        STAFF,
    ),
    "assessments:propose_plan": ("post", lambda c: {"pk": c.plan.assessment_id}, None, CLINICAL),
    "assessments:plan": ("get", lambda c: {"pk": c.plan.pk}, None, CLINICAL),
    "assessments:plan_item": (
        "post",
        lambda c: {"pk": c.plan.pk, "item_pk": c.plan_item.pk},
        {"action": "up"},
        CLINICAL,
    ),
    "assessments:plan_add": ("post", lambda c: {"pk": c.plan.pk}, None, CLINICAL),
    "assessments:plan_details": ("post", lambda c: {"pk": c.plan.pk}, None, CLINICAL),
    "assessments:plan_publish": ("post", lambda c: {"pk": c.plan.pk}, None, CLINICAL),
    "assessments:plan_handout": ("get", lambda c: {"pk": c.plan.pk}, None, CLINICAL),
    "assessments:referral": ("get", lambda c: {"pk": c.referral.pk}, None, CLINICAL),
    "assessments:referral_lift": ("post", lambda c: {"pk": c.referral.pk}, None, CLINICAL),
    "assessments:referral_letter": ("get", lambda c: {"pk": c.referral.pk}, None, CLINICAL),
    "assessments:exercise_list": ("get", None, None, CLINICAL),
    "assessments:exercise_create": ("get", None, None, {ADMIN}),
    "assessments:exercise_detail": ("get", lambda c: {"pk": c.exercise.pk}, None, CLINICAL),
    "assessments:exercise_edit": ("get", lambda c: {"pk": c.exercise.pk}, None, {ADMIN}),
    "assessments:exercise_retire": ("post", lambda c: {"pk": c.exercise.pk}, None, {ADMIN}),
    "assessments:threshold_edit": ("get", lambda c: {"code": "slr"}, None, {ADMIN}),
    "patients:menu_list": ("get", None, None, {ADMIN}),
    "patients:menu_create": ("get", None, None, {ADMIN}),
    "patients:menu_edit": ("get", lambda c: {"pk": c.menu.pk}, None, {ADMIN}),
    "patients:menu_offered": ("post", lambda c: {"pk": c.menu.pk}, {"offered": "1"}, {ADMIN}),
    "patients:clinic_hours": ("get", None, None, {ADMIN}),
    "patients:closure_remove": ("post", lambda c: {"pk": c.closure.pk}, None, {ADMIN}),
    "patients:practitioner_hours": ("get", lambda c: {"pk": c.practitioner.pk}, None, {ADMIN}),
    "patients:day_off_remove": ("post", lambda c: {"pk": c.day_off.pk}, None, {ADMIN}),
    # the till's reports: a practitioner sees the day and the month of their own payments only
    "patients:till_day": ("get", None, None, STAFF),
    "patients:till_month": ("get", None, None, STAFF),
    "patients:till_close": ("get", None, None, {DESK, ADMIN}),
    "patients:till_export": ("get", None, None, {DESK, ADMIN}),
    "patients:prepaid_report": ("get", None, None, {DESK, ADMIN}),
    # the visit record: clinical content, for practitioners and admins only
    "assessments:record_visit": ("get", lambda c: {"pk": cast_visit(c).pk}, None, CLINICAL),
    "assessments:visit_record": ("get", lambda c: {"pk": cast_record(c).pk}, None, CLINICAL),
    "assessments:visit_record_edit": ("get", lambda c: {"pk": cast_record(c).pk}, None, CLINICAL),
    "assessments:visit_record_sign": ("post", lambda c: {"pk": cast_record(c).pk}, None, CLINICAL),
    "assessments:visit_record_amend": (
        "get",
        lambda c: {"pk": cast_record(c).pk},
        None,
        CLINICAL,
    ),
    # the till: front desk and admin take the money; the admin sets up what it sells
    "patients:visit_checkout": ("get", lambda c: {"pk": _till_visit(c).pk}, None, DESK_ADMIN),
    "patients:patient_sale": ("get", lambda c: {"pk": c.patient.pk}, None, DESK_ADMIN),
    "patients:payment_detail": ("get", lambda c: {"pk": cast_payment(c).pk}, None, DESK_ADMIN),
    "patients:payment_void": ("get", lambda c: {"pk": cast_payment(c).pk}, None, DESK_ADMIN),
    "patients:payment_refund": ("get", lambda c: {"pk": cast_payment(c).pk}, None, DESK_ADMIN),
    "patients:ticket_refund": ("get", lambda c: {"pk": cast_ticket(c).pk}, None, DESK_ADMIN),
    "patients:till_setup": ("get", None, None, {ADMIN}),
    "patients:product_create": ("get", None, None, {ADMIN}),
    "patients:product_edit": ("get", lambda c: {"pk": cast_product(c).pk}, None, {ADMIN}),
    "patients:product_on_sale": (
        "post",
        lambda c: {"pk": cast_product(c).pk},
        {"on_sale": "1"},
        {ADMIN},
    ),
    "patients:package_create": ("get", None, None, {ADMIN}),
    "patients:package_edit": ("get", lambda c: {"pk": cast_package(c).pk}, None, {ADMIN}),
    "patients:package_on_sale": (
        "post",
        lambda c: {"pk": cast_package(c).pk},
        {"on_sale": "1"},
        {ADMIN},
    ),
}
# URLs whose arguments are not database ids (nothing of another clinic to reach through them).
NOT_IDS = {"assessments:threshold_edit", "patients:portal_activate"}
# The pages where the second factor is given: the only staff pages before it (allow_unverified).
BEFORE_SECOND_FACTOR = {"two_factor_setup", "two_factor_verify"}


def _till_visit(cast):
    """A seen visit of the cast's patient, not yet checked out (made once per cast)."""
    if not hasattr(cast, "till_visit"):
        cast.till_visit = seen_visit(cast.patient, cast.practitioner, menu=cast_till_menu(cast))
    return cast.till_visit


def _seen_patient(cast):
    """The cast's patient, after a completed visit with the cast's practitioner (made once)."""
    if not hasattr(cast, "seen_patient_visit"):
        cast.seen_patient_visit = seen_visit(cast.patient, cast.practitioner)
    return cast.patient


def _link(user):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from patients.invitations import tokens

    return {
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": tokens.make_token(user),
    }


def _url_names(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _url_names(entry, ns)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}", entry.callback


def _may(role, allowed) -> bool:
    return bool(HOLDS.get(role, {role}) & allowed)


def _owner(cast):
    from clinic.models import Role
    from tests.factories import UserFactory

    found = cast.clinic.users.filter(username=f"{cast.clinic.slug}-owner").first()
    return found or UserFactory(
        clinic=cast.clinic,
        role=Role.ADMIN,
        also_practitioner=True,
        username=f"{cast.clinic.slug}-owner",
    )


def _client_for(role, cast, login):
    from django.test import Client

    if role == OWNER:
        return login(_owner(cast))
    user = {
        PATIENT: getattr(cast, "patient_user", None),
        DESK: cast.frontdesk,
        PRACT: cast.practitioner,
        ADMIN: cast.admin,
    }.get(role)
    return Client() if user is None else login(user)


def _request(client, name, cast, kwargs_from):
    method, kwargs, data, _ = RULES[name]
    url = reverse(name, kwargs=kwargs(kwargs_from) if kwargs else None)
    return getattr(client, method)(url, data or {})


def test_every_url_has_a_rule():
    names = {name for name, _ in _url_names()}
    assert names == set(RULES), f"URLs without a rule: {names - set(RULES)}"


def test_every_view_is_marked():
    unmarked = [name for name, view in _url_names() if not hasattr(view, "access_rule")]
    assert unmarked == []


def test_only_the_second_factor_pages_skip_it():
    skipping = {n for n, view in _url_names() if isinstance(view.access_rule, access.Unverified)}
    assert skipping == BEFORE_SECOND_FACTOR


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_what_the_rule_says(name, role, ours, login):
    response = _request(_client_for(role, ours, login), name, ours, ours)
    allowed = RULES[name][3]
    if _may(role, allowed):
        assert response.status_code in (200, 302), response.status_code
        if role != ANON or name not in {"home"}:
            assert "/login/?next=" not in response.get("Location", "")
    elif role == ANON:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == 403


WITH_IDS = sorted(n for n, rule in RULES.items() if rule[1] and n not in NOT_IDS)


@pytest.mark.parametrize("name", WITH_IDS)
@pytest.mark.parametrize("role", (DESK, PRACT, ADMIN, PATIENT, OWNER))
def test_another_clinics_ids_are_not_found(name, role, ours, theirs, login):
    allowed = RULES[name][3]
    response = _request(_client_for(role, ours, login), name, ours, theirs)
    assert response.status_code == (404 if _may(role, allowed) else 403)


@pytest.mark.parametrize("role", (DESK, PRACT, ADMIN))
def test_another_clinics_staff_see_none_of_our_patients(role, ours, theirs, login):
    client = _client_for(role, theirs, login)
    response = client.get(reverse("patients:patient_list"), {"q": ours.patient.family_name})
    assert ours.patient.given_name not in response.content.decode()
    assert ours.patient.pk not in [p.pk for p in response.context["page"]]


def test_a_patient_sees_only_their_own_visits(ours, login):
    other_visit_reason = "他の患者の予約理由"
    from tests.factories import AppointmentFactory

    AppointmentFactory(
        patient=ours.other_patient, practitioner=ours.practitioner, reason=other_visit_reason
    )
    page = login(ours.patient_user).get(reverse("assessments:portal_home")).content.decode()
    assert ours.patient.full_name in page
    assert ours.other_patient.full_name not in page


def test_a_deactivated_user_is_sent_back_to_log_in(ours, login):
    client = login(ours.frontdesk)
    ours.frontdesk.is_active = False
    ours.frontdesk.save()
    response = client.get(reverse("patients:patient_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", WITH_IDS)
def test_an_id_too_large_for_the_database_is_not_found(name, ours, login):
    method, kwargs_from, _data, allowed = RULES[name]
    role = next(r for r in (ADMIN, PRACT, DESK, PATIENT) if r in allowed)
    client = _client_for(role, ours, login)
    kwargs = kwargs_from(ours)
    for key in kwargs:
        if key.endswith("pk"):
            huge = reverse(name, kwargs={**kwargs, key: 10**17 + 7})
            assert getattr(client, method)(huge).status_code == 404
            too_big = huge.replace(str(10**17 + 7), "9" * 30)
            assert getattr(client, method)(too_big).status_code == 404


def test_a_flag_of_another_assessment_is_not_found(ours, theirs, login):
    url = reverse("assessments:acknowledge", args=[ours.assessment.pk, theirs.flag.pk])
    assert login(ours.practitioner).post(url).status_code == 404
    theirs.flag.refresh_from_db()
    assert theirs.flag.acknowledged_at is None


# The second factor: with the clinic requiring it, or with a device, an unverified staff member
# reaches nothing but the pages that take it (and the public ones); patients are never asked.

PUBLIC_NAMES = {name for name, rule in RULES.items() if rule[3] == PUBLIC}
STAFF_USERS = {DESK: "frontdesk", PRACT: "practitioner", ADMIN: "admin"}


def _sent_to(response, name):
    location = response.get("Location", "")
    return response.status_code == 302 and location.startswith(reverse(name) + "?next=")


def _gets_what_the_rule_says(response, role, allowed):
    if not _may(role, allowed):
        return response.status_code == 403
    return response.status_code in (200, 302) and not any(
        _sent_to(response, step) for step in ("login", *sorted(BEFORE_SECOND_FACTOR))
    )


@pytest.mark.parametrize("name", sorted(set(RULES) - PUBLIC_NAMES))
def test_with_two_factor_required_unverified_staff_are_sent_to_enrol(name, ours, login):
    ours.clinic.require_two_factor = True
    ours.clinic.save()
    allowed = RULES[name][3]
    for role in (DESK, PRACT, ADMIN, PATIENT, OWNER):
        response = _request(_client_for(role, ours, login), name, ours, ours)
        if _may(role, allowed) and role != PATIENT and name not in BEFORE_SECOND_FACTOR:
            assert _sent_to(response, "two_factor_setup"), (role, response.get("Location"))
        else:
            assert _gets_what_the_rule_says(response, role, allowed), (role, response)


@pytest.mark.parametrize("name", sorted(set(RULES) - PUBLIC_NAMES))
def test_staff_with_a_device_give_a_code_first_then_get_what_the_rule_says(name, ours, login):
    allowed = RULES[name][3]
    for role, attribute in STAFF_USERS.items():
        client = _client_for(role, ours, login)
        device = enrol(getattr(ours, attribute))
        response = _request(client, name, ours, ours)
        if role in allowed and name not in BEFORE_SECOND_FACTOR:
            assert _sent_to(response, "two_factor_verify"), (role, response.get("Location"))
        else:
            assert _gets_what_the_rule_says(response, role, allowed), (role, response)
        verify_session(client, device)
        response = _request(client, name, ours, ours)
        assert _gets_what_the_rule_says(response, role, allowed), (role, response)
