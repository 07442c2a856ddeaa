"""Search at a clinic chain's scale: kanji variants, short queries, the capped count, and the
trigram index each engine serves the search with (patients/search.py, clinic/pagination.py)."""

import pytest
from django.db import connection
from django.urls import reverse

from clinic import pagination
from patients import search
from patients.models import Patient
from tests.factories import PatientFactory

URL = reverse("patients:patient_list")


def found(client, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return response, {p.pk for p in response.context["page"]}


@pytest.fixture
def names(ours):
    def make(family, given, family_kana, given_kana):
        return PatientFactory(
            clinic=ours.clinic,
            family_name=family,
            given_name=given,
            family_name_kana=family_kana,
            given_name_kana=given_kana,
        )

    return {
        "渡邉": make("渡邉", "健", "ワタナベ", "ケン"),
        "齋藤": make("齋藤", "優子", "サイトウ", "ユウコ"),
        "髙橋": make("髙橋", "誠", "タカハシ", "マコト"),
        "林": make("林", "花子", "ハヤシ", "ハナコ"),
        "小林": make("小林", "一郎", "コバヤシ", "イチロウ"),
    }


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("渡辺", "渡邉"),
        ("渡邊", "渡邉"),
        ("渡邉健", "渡邉"),
        ("斉藤", "齋藤"),
        ("斎藤優子", "齋藤"),
        ("高橋", "髙橋"),
    ],
)
def test_a_kanji_variant_of_the_name_finds_the_patient(ours, names, login, query, who):
    _, hits = found(login(ours.frontdesk), query)
    assert names[who].pk in hits
    assert names["林"].pk not in hits


def test_a_one_character_query_matches_the_start_of_a_name(ours, names, login):
    response, hits = found(login(ours.frontdesk), "林")
    assert names["林"].pk in hits
    assert names["小林"].pk not in hits  # 林 is inside 小林, not at its start
    assert response.context["page"].extra["hint"]


def test_a_two_character_query_matches_given_names_and_kana_starts(ours, names, login):
    client = login(ours.frontdesk)
    assert names["齋藤"].pk in found(client, "優子")[1]  # the given name's start
    assert names["林"].pk in found(client, "はや")[1]  # the kana's start
    assert names["小林"].pk not in found(client, "はや")[1]  # こばやし: inside, not the start
    assert names["小林"].pk in found(client, "ばやし")[1]  # three characters: anywhere


def test_short_digit_queries_find_the_number_only_and_say_so(ours, names, login):
    response, hits = found(login(ours.frontdesk), str(names["林"].number))
    assert hits == {names["林"].pk}
    assert response.context["page"].extra["hint"]
    assert found(login(ours.frontdesk), "やまだ")[0].context["page"].extra["hint"] is None


def test_the_count_stops_at_the_cap(ours, login, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    client = login(ours.frontdesk)
    for _ in range(2):
        PatientFactory(clinic=ours.clinic)
    total = Patient.objects.filter(clinic=ours.clinic, is_archived=False).count()
    assert total == 4  # the cast's two and these two
    page = client.get(URL).context["page"]
    assert (page.count.value, page.count.capped) == (3, True)
    assert "3" in client.get(URL).content.decode()
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    page = client.get(URL).context["page"]
    assert (page.count.value, page.count.capped) == (4, False)


def _plan(sql, params):
    """The plan of a search. On PostgreSQL a test table is too small for the planner to prefer
    any index over reading the clinic's few rows, so within this test's transaction (rolled back
    after it) the other indexes on the clinic column are dropped: what remains shows whether the
    trigram index matches the query's own form (the bench checks the choice at a million)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before DDL
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'patients_patient' "
                "AND indexname NOT IN (%s, 'patients_patient_pkey')",
                [search.PG_INDEX],
            )
            for (name,) in cursor.fetchall():
                if name == "patient_number_per_clinic":
                    cursor.execute(f"ALTER TABLE patients_patient DROP CONSTRAINT {name}")
                elif "portal_user_id" not in name:
                    cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("ANALYZE patients_patient")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(part) for row in cursor.fetchall() for part in row)


@pytest.fixture
def crowd(ours):
    """Enough patients of the clinic that the planner weighs its indexes as it would in use."""
    people = [
        Patient(
            clinic=ours.clinic,
            number=10_000 + n,
            family_name=f"姓{n:04d}",
            given_name="名",
            family_name_kana=f"セイ{chr(0x30A2 + n % 80)}",
            given_name_kana="ナ",
            birth_date="1980-01-01",
            sex="female",
            phone=f"03-{n:04d}-{n:04d}",
        )
        for n in range(3000)
    ]
    for person in people:
        person.refresh_keys()
    Patient.objects.bulk_create(people, batch_size=1000)


# Digits: a phone fragment too long to be a patient number, so the query is the LIKE alone. (Up
# to 8 digits it is "number = n OR phone LIKE …", which needs the number's index as well, and
# that index also serves the clinic alone: a test table is too small to show the planner's
# choice between them; the bench's EXPLAIN at a million shows the BitmapOr.)
@pytest.mark.parametrize("query", ["やまだ", "林", "090123456", "姓0123"])
def test_the_search_uses_the_trigram_index(ours, names, crowd, query):
    listed = Patient.objects.filter(clinic=ours.clinic, is_archived=False)
    scope = search.Scope(clinic_id=ours.clinic.pk, archived=False, limit=1001)
    found = search.matching(listed, query, scope)
    sql, params = found.query.sql_with_params()
    plan = _plan(sql, params)
    if connection.vendor == "postgresql":
        assert search.PG_INDEX in plan, plan
    else:
        assert "VIRTUAL TABLE INDEX" in plan and search.FTS_TABLE in plan, plan


def test_the_index_follows_every_write(ours, names, login):
    """Registering, renaming and a rebuilt table's lost triggers: search still finds the patient
    (on SQLite the FTS table decides which rows are candidates, so a stale one would hide them)."""
    client = login(ours.frontdesk)
    patient = names["林"]
    patient.family_name, patient.family_name_kana = "森", "モリ"
    patient.save()
    assert patient.pk in found(client, "森")[1] and patient.pk not in found(client, "林")[1]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_insert")
            cursor.execute(f"DROP TRIGGER {search.FTS_TABLE}_update")
        made = search.ensure_index(cursor, connection.vendor)
        assert made is (connection.vendor == "sqlite")
        assert search.ensure_index(cursor, connection.vendor) is False  # nothing missing now
    newcomer = PatientFactory(clinic=ours.clinic, family_name="森", family_name_kana="モリ")
    newcomer.family_name = "杜"
    newcomer.save()
    assert newcomer.pk in found(client, "杜")[1]


def test_a_search_matching_more_than_the_cap_asks_for_more(ours, names, login, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    client = login(ours.frontdesk)
    for given in ("一", "二", "三"):
        PatientFactory(clinic=ours.clinic, family_name="森田", given_name=given)
    response = client.get(URL, {"q": "森田"})
    page = response.context["page"]
    assert list(page) == [] and page.extra["too_many"]
    html = response.content.decode()
    assert 'class="alert alert-warning"' in html and "<table" not in html  # no empty table
    assert (page.count.value, page.count.capped) == (2, True)
    assert response.context["page"].extra["too_many"]
    narrower = client.get(URL, {"q": "森田二"}).context["page"]
    assert [p.given_name for p in narrower] == ["二"] and not narrower.extra["too_many"]


def test_search_results_page_by_cursor_both_ways(ours, login, settings):
    settings.PATIENTS_PER_PAGE = 2
    made = [
        PatientFactory(
            clinic=ours.clinic, family_name="森田", family_name_kana="モリタ", given_name_kana=kana
        )
        for kana in ("オ", "ア", "エ", "イ", "ウ")
    ]
    by_kana = [p.pk for p in sorted(made, key=lambda p: p.given_name_kana)]
    client = login(ours.frontdesk)
    first = client.get(URL, {"q": "もりた"}).context["page"]
    assert [p.pk for p in first] == by_kana[:2] and first.has_next and not first.has_previous
    assert (first.count.value, first.count.capped) == (5, False)
    second = client.get(URL, {"q": "もりた", "after": first.next_after}).context["page"]
    assert [p.pk for p in second] == by_kana[2:4] and second.has_previous
    third = client.get(URL, {"q": "もりた", "after": second.next_after}).context["page"]
    assert [p.pk for p in third] == by_kana[4:] and not third.has_next
    back = client.get(URL, {"q": "もりた", "before": third.previous_before}).context["page"]
    assert [p.pk for p in back] == by_kana[2:4]
    html = client.get(URL, {"q": "もりた", "after": first.next_after}).content.decode()
    assert f"after={second.next_after}" in html and f"before={second.previous_before}" in html


def test_archived_matches_do_not_crowd_out_the_list(ours, login, monkeypatch):
    """On SQLite the index stops after COUNT_CAP + 1 matches: of the list searched, not others."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    client = login(ours.frontdesk)
    for given in ("一", "二", "三"):
        PatientFactory(clinic=ours.clinic, family_name="森田", given_name=given, is_archived=True)
    active = PatientFactory(clinic=ours.clinic, family_name="森田", given_name="四")
    page = client.get(URL, {"q": "森田"}).context["page"]
    assert [p.pk for p in page] == [active.pk] and not page.extra["too_many"]
    archived = client.get(URL, {"q": "森田", "archived": "on"}).context["page"]
    assert archived.extra["too_many"]


def test_a_number_typed_in_full_is_shown_even_when_phones_match_more_than_the_cap(
    ours, login, monkeypatch
):
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    numbered = PatientFactory(clinic=ours.clinic, number=9012, phone="03-1111-1111")
    query = "9012"
    for n in range(3):  # 090-12…: phones holding the number's digits, more than the cap
        PatientFactory(clinic=ours.clinic, phone=f"090-12{n:02d}-0000")
    page = login(ours.frontdesk).get(URL, {"q": query}).context["page"]
    assert page.extra["too_many"] and [p.pk for p in page] == [numbered.pk]


@pytest.mark.parametrize("cursor", ["last", "archived"])
def test_a_next_link_past_the_end_gives_the_first_page(ours, login, settings, cursor):
    """Two desks: one follows "next" after the other archived the rest (or from the last row)."""
    settings.PATIENTS_PER_PAGE = 2
    made = [
        PatientFactory(clinic=ours.clinic, family_name_kana=kana, given_name_kana="イチ")
        for kana in ("ン", "ンン")
    ]  # sorted after the cast's two ヤマダ
    client = login(ours.frontdesk)
    anchor = made[0] if cursor == "archived" else made[1]
    if cursor == "archived":
        Patient.objects.filter(pk=made[1].pk).update(is_archived=True)
    first = [p.pk for p in client.get(URL).context["page"]]
    for query in ("", "イチ"):
        response = client.get(URL, {"q": query, "after": anchor.pk})
        assert response.status_code == 200
        shown = [p.pk for p in response.context["page"]]
        assert shown and (query or shown == first)


def test_the_index_reads_japanese_as_word_characters(db):
    """pg_trgm in a database whose LC_CTYPE is C takes every kana and kanji for a separator: no
    trigram, and each search reads the whole index (README: create it with a UTF-8 locale).
    SQLite's trigram tokenizer indexes every character."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT show_trgm('||やまだ||林')")
            assert len(cursor.fetchone()[0]) >= 4
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [search.FTS_TABLE])
            assert "tokenize='trigram'" in cursor.fetchone()[0]
