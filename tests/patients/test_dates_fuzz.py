"""Property-based: every date a query string can carry, from 0001-01-01 to 9999-12-31, gives a
page or a redirect with a message, never a 500 (issue 11, item 5).

Hypothesis's own Django TestCase isolates each example (pytest-django does not, #912).
"""

import datetime as dt

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.conftest import _clinic_cast

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EDGES = [dt.date.min, dt.date.max, dt.date(1, 1, 2), dt.date(9999, 12, 30)]
any_day = st.dates()


def _edges(test):
    for day in EDGES:
        test = example(day=day)(test)
    return test


class DatesFromTheQueryString(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = _clinic_cast("日付の整体院")

    def client_of(self, user):
        client = Client()
        client.force_login(user)
        return client

    @FUZZ
    @_edges
    @given(day=any_day)
    def test_the_day_view_takes_any_date(self, day):
        client = self.client_of(self.cast.frontdesk)
        response = client.get(reverse("patients:day_view"), {"date": day.isoformat()})
        assert response.status_code == 200
        chosen = self.cast.practitioner.pk
        response = client.get(
            reverse("patients:day_view"), {"date": day.isoformat(), "practitioner": chosen}
        )
        assert response.status_code == 200

    @FUZZ
    @_edges
    @given(day=any_day)
    def test_the_portal_log_takes_any_day(self, day):
        response = self.client_of(self.cast.patient_user).get(
            reverse("assessments:portal_log"), {"day": day.isoformat()}
        )
        assert response.status_code < 500
        today = timezone.localdate()
        assert response.status_code == (200 if today - dt.timedelta(1) <= day <= today else 302)

    @FUZZ
    @example(since=dt.date.min, until=dt.date.max)
    @example(since=dt.date.max, until=dt.date.min)
    @given(since=any_day, until=any_day)
    def test_the_audit_list_and_export_take_any_dates(self, since, until):
        client = self.client_of(self.cast.admin)
        query = {"since": since.isoformat(), "until": until.isoformat()}
        assert client.get(reverse("audit_list"), query).status_code < 500
        export = client.get(reverse("audit_export"), query)
        assert export.status_code < 500
        if export.status_code == 200:
            b"".join(export.streaming_content)  # the rows are written as they stream


def test_a_day_outside_the_calendar_shows_today_with_a_message(ours, login):
    for day in ("9999-12-31", "0001-01-01"):
        response = login(ours.frontdesk).get(reverse("patients:day_view"), {"date": day})
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate()
        said = [str(m) for m in get_messages(response.wsgi_request)]
        assert any(day in line for line in said), said


def test_the_calendar_edges_still_link_both_ways(ours, login):
    from clinic.dates import FIRST_DAY, LAST_DAY

    for day in (FIRST_DAY, LAST_DAY):
        response = login(ours.frontdesk).get(reverse("patients:day_view"), {"date": day})
        assert response.status_code == 200 and response.context["day"] == day
        assert response.context["previous_day"] >= FIRST_DAY
        assert response.context["next_day"] <= LAST_DAY


def test_a_referral_outcome_dated_outside_the_calendar_is_refused(ours, login):
    doc = login(ours.practitioner)
    url = reverse("assessments:referral", args=[ours.referral.pk])
    refused = doc.post(url, {"seen_on": "0001-01-01", "cleared": "yes", "outcome_on": ""})
    assert refused.status_code == 200
    assert "カレンダーの範囲" in str(refused.context["form"].errors["seen_on"])
    ours.referral.refresh_from_db()
    assert ours.referral.seen_on is None


def test_audit_dates_outside_the_calendar_are_refused_next_to_the_field(ours, login):
    page = login(ours.admin).get(reverse("audit_list"), {"since": "0001-01-01"})
    assert page.status_code == 200
    assert "カレンダーの範囲" in page.content.decode()
