"""The audit page flat at any size (issue 13): the same queries for a clinic of a few people or
hundreds, for a short trail or a long one; pages by keyset (`?before=` / `?after=` an entry's
id) that stay put while entries arrive; a count that stops at a cap; staff found by name."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from clinic import audit, pagination
from clinic.models import AuditEntry, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page(client, **query):
    response = client.get(reverse("audit_list"), query)
    assert response.status_code == 200
    return response


def ids(response) -> list[int]:
    return [row["entry"].pk for row in response.context["rows"]]


def queries_of(client, **query) -> list[str]:
    with CaptureQueriesContext(connection) as counted:
        page(client, **query)
    return [q["sql"] for q in counted.captured_queries]


def views(instance, count):
    with audit.acting_as("test"):
        for _n in range(count):
            audit.viewed(instance, "patient_page")


def test_the_page_costs_the_same_queries_for_few_or_many_staff(ours, login):
    admin = login(ours.admin)
    page(admin)  # a warm page: the first of a process fills its caches
    views(ours.patient, 60)  # the page shows rows of one kind at both sizes
    few = queries_of(admin)
    for n in range(120):
        UserFactory(clinic=ours.clinic, role=Role.FRONT_DESK, username=f"desk{n}")
    views(ours.patient, 60)
    response = page(admin)
    assert len(queries_of(admin)) == len(few)
    assert f'name="actor" value="{ours.frontdesk.pk}"' not in response.content.decode()
    assert 'type="hidden" name="actor"' in response.content.decode()  # no list of everyone


@pytest.mark.parametrize("cursor", [None, "before", "after"])
def test_the_page_costs_the_same_queries_for_a_short_or_a_long_trail(ours, login, cursor):
    admin = login(ours.admin)
    views(ours.patient, 120)
    page(admin)
    short = AuditEntry.objects.filter(clinic=ours.clinic).order_by("-id")[25].pk
    few = queries_of(admin, **({cursor: short} if cursor else {}))
    views(ours.patient, 400)
    long = AuditEntry.objects.filter(clinic=ours.clinic).order_by("-id")[200].pk
    many = queries_of(admin, **({cursor: long} if cursor else {}))
    assert len(many) == len(few)
    counts = [sql for sql in many if "COUNT(" in sql.upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)  # never the whole trail
    assert not any("OFFSET" in sql.upper() for sql in many)


def test_older_and_newer_links_walk_the_trail_and_stay_put_as_entries_arrive(ours, login):
    admin = login(ours.admin)
    views(ours.patient, 120)
    first = page(admin)
    newest = ids(first)
    assert len(newest) == 50 and newest == sorted(newest, reverse=True)
    older = first.context["page"].older
    assert older == newest[-1] and f"before={older}" in first.content.decode()
    second = page(admin, before=older)
    assert ids(second) and max(ids(second)) < min(newest) and len(ids(second)) == 50
    views(ours.patient, 7)  # new entries arrive; the same link shows the same entries
    assert ids(page(admin, before=older)) == ids(second)
    back = second.context["page"].newer
    assert back == ids(second)[0]
    assert ids(page(admin, after=back)) == newest  # "newer" is the page we came from


def test_the_links_keep_the_filter(ours, login):
    admin = login(ours.admin)
    views(ours.patient, 70)
    first = page(admin, kind="view", patient=ours.patient.number)
    html = first.content.decode()
    older = first.context["page"].older
    assert re.search(rf'href="\?[^"]*kind=view[^"]*before={older}"', html)
    second = page(admin, kind="view", patient=ours.patient.number, before=older)
    assert all(row["entry"].patient_id == ours.patient.pk for row in second.context["rows"])


@pytest.mark.parametrize(
    "query",
    [
        {"before": "abc"},
        {"before": "-5"},
        {"after": "9" * 40},
        {"before": "1", "after": "x"},  # nothing older than the first entry
        {"after": "999999999"},  # nothing newer
        {"page": "7"},  # the old links
    ],
)
def test_a_cursor_that_is_no_page_shows_the_newest_page(ours, login, query):
    admin = login(ours.admin)
    views(ours.patient, 60)
    newest = ids(page(admin))
    shown = page(admin, **query)
    assert ids(shown)[1:] == newest[:49]  # one newer: the previous view of the page itself
    assert shown.context["page"].newer is None


def test_the_count_stops_at_the_cap(ours, login, monkeypatch):
    admin = login(ours.admin)
    views(ours.patient, 40)
    monkeypatch.setattr(pagination, "COUNT_CAP", 30)
    capped = page(admin)
    assert (capped.context["count"], capped.context["more"]) == (30, True)
    with translation.override("ja"):
        assert _("%(cap)s+ entries") % {"cap": 30} in capped.content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 1000)
    total = AuditEntry.objects.filter(clinic=ours.clinic).count()
    counted = page(admin)
    assert (counted.context["count"], counted.context["more"]) == (total, False)


def test_a_staff_member_is_found_by_name_and_by_the_link_on_their_name(ours, login):
    login(ours.practitioner).get(reverse("assessments:detail", args=[ours.assessment.pk]))
    admin = login(ours.admin)
    found = page(admin, staff=ours.practitioner.display_name)
    assert found.context["rows"]
    assert {row["entry"].actor_id for row in found.context["rows"]} == {ours.practitioner.pk}
    assert page(admin, staff=ours.patient_user.username).context["rows"] == []  # staff only
    html = found.content.decode()
    assert f'href="?actor={ours.practitioner.pk}"' in html
    chosen = page(admin, actor=ours.practitioner.pk)
    assert chosen.context["chosen"] == ours.practitioner
    assert {row["entry"].actor_id for row in chosen.context["rows"]} == {ours.practitioner.pk}
