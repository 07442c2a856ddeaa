import pytest
from django.urls import reverse

from tests.factories import PatientFactory

URL = reverse("patients:patient_list")


@pytest.fixture
def yamada(ours):
    return PatientFactory(
        clinic=ours.clinic,
        family_name="山田",
        given_name="太郎",
        family_name_kana="ヤマダ",
        given_name_kana="タロウ",
        phone="090-1234-5678",
    )


@pytest.fixture
def sato(ours):
    return PatientFactory(
        clinic=ours.clinic,
        family_name="佐藤",
        given_name="花子",
        family_name_kana="サトウ",
        given_name_kana="ハナコ",
        phone="03-9876-5432",
    )


def found(client, query, **params):
    response = client.get(URL, {"q": query, **params})
    assert response.status_code == 200
    return {p.pk for p in response.context["page"]}


@pytest.mark.parametrize(
    "query",
    [
        "やまだ",
        "ヤマダ",
        "ﾔﾏﾀﾞ",
        "やまだ たろう",
        "ヤマダ　タロウ",
        "山田太郎",
        "山田 太郎",
        "たろう",
    ],
)
def test_name_and_kana_match_in_any_script_width_and_spacing(ours, yamada, sato, login, query):
    assert yamada.pk in found(login(ours.frontdesk), query)
    assert sato.pk not in found(login(ours.frontdesk), query)


@pytest.mark.parametrize("query", ["090-1234-5678", "09012345678", "０９０１２３４", "5678"])
def test_phone_matches_with_or_without_dashes_and_in_full_width(ours, yamada, sato, login, query):
    result = found(login(ours.frontdesk), query)
    assert yamada.pk in result and sato.pk not in result


def test_patient_number_matches_exactly(ours, yamada, sato, login):
    assert found(login(ours.frontdesk), str(sato.number)) == {sato.pk}


def test_a_query_does_not_match_across_fields(ours, yamada, login):
    # "たろう" ends the kana field and "090" starts the phone field.
    assert yamada.pk not in found(login(ours.frontdesk), "たろう090")


def test_archived_patients_leave_the_list_and_search_but_stay_reachable(ours, yamada, login):
    client = login(ours.frontdesk)
    client.post(reverse("patients:patient_archive", args=[yamada.pk]))
    yamada.refresh_from_db()
    assert yamada.is_archived and yamada.archived_by == ours.frontdesk
    assert yamada.pk not in found(client, "やまだ")
    assert yamada.pk not in found(client, "")
    assert yamada.pk in found(client, "やまだ", archived="on")
    assert client.get(reverse("assessments:patient_detail", args=[yamada.pk])).status_code == 200
    client.post(reverse("patients:patient_restore", args=[yamada.pk]))
    assert yamada.pk in found(client, "やまだ")


def test_archiving_needs_a_post(ours, yamada, login):
    response = login(ours.frontdesk).get(reverse("patients:patient_archive", args=[yamada.pk]))
    yamada.refresh_from_db()
    assert response.status_code == 405 and not yamada.is_archived


def test_the_list_is_paginated_in_kana_order_by_cursor(ours, login, settings):
    settings.PATIENTS_PER_PAGE = 2
    made = {
        kana: PatientFactory(clinic=ours.clinic, family_name_kana=kana, given_name_kana="イチ")
        for kana in ("ワダ", "アベ", "カトウ")
    }
    client = login(ours.frontdesk)
    first = client.get(URL).context["page"]
    assert [p.family_name_kana for p in first] == ["アベ", "カトウ"]
    assert first.count.value == 5 and not first.count.capped  # the cast's 2 (ヤマダ) and these 3
    assert first.has_next and not first.has_previous
    assert first.next_after == made["カトウ"].pk
    second = client.get(URL, {"after": first.next_after}).context["page"]
    assert [p.family_name_kana for p in second] == ["ヤマダ", "ヤマダ"]
    assert second.has_previous and second.has_next
    last = client.get(URL, {"after": second.next_after}).context["page"]
    assert [p.family_name_kana for p in last] == ["ワダ"] and not last.has_next
    # Back from the last page: the page before it, full.
    back = client.get(URL, {"before": last.previous_before}).context["page"]
    assert [p.pk for p in back] == [p.pk for p in second]
    # A patient registered before the cursor does not move the next page's first row.
    PatientFactory(clinic=ours.clinic, family_name_kana="アイダ", given_name_kana="イチ")
    again = client.get(URL, {"after": first.next_after}).context["page"]
    assert [p.pk for p in again] == [p.pk for p in second]


@pytest.mark.parametrize("cursor", ["abc", "-1", "0", "9" * 40, "1.5", ""])
def test_a_malformed_cursor_gives_the_first_page(ours, login, cursor):
    client = login(ours.frontdesk)
    first = client.get(URL).context["page"]
    for name in ("after", "before"):
        response = client.get(URL, {name: cursor})
        assert response.status_code == 200
        assert [p.pk for p in response.context["page"]] == [p.pk for p in first]


def test_another_clinics_patient_is_no_cursor(ours, theirs, login, settings):
    settings.PATIENTS_PER_PAGE = 1
    stranger = PatientFactory(clinic=theirs.clinic, family_name_kana="ア")
    client = login(ours.frontdesk)
    first = client.get(URL).context["page"]
    assert [p.pk for p in client.get(URL, {"after": stranger.pk}).context["page"]] == [
        p.pk for p in first
    ]


def test_an_oversized_query_is_refused_politely(ours, login):
    response = login(ours.frontdesk).get(URL, {"q": "や" * 500})
    assert response.status_code == 200
    assert response.context["form"].errors["q"]


def test_editing_a_patient_refreshes_the_search_key(ours, yamada, login):
    client = login(ours.frontdesk)
    data = {
        f: getattr(yamada, f)
        for f in ("family_name", "given_name", "given_name_kana", "sex", "phone")
    }
    data.update(family_name_kana="ヤマモト", birth_date="1980-04-01")
    response = client.post(reverse("patients:patient_edit", args=[yamada.pk]), data)
    assert response.status_code == 302
    assert yamada.pk in found(client, "やまもと")
    assert yamada.pk not in found(client, "やまだ")


@pytest.mark.parametrize("patients", [1, 12])
def test_list_and_search_query_counts_do_not_grow_with_patients(
    ours, login, django_assert_num_queries, patients
):
    for _ in range(patients):
        PatientFactory(clinic=ours.clinic)
    client = login(ours.frontdesk)
    # session, user, second factor (access.allow), count, page
    with django_assert_num_queries(4):
        client.get(URL)
    with django_assert_num_queries(4):
        client.get(URL, {"q": "やまだ"})
