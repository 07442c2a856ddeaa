from django.urls import reverse

from assessments.models import FunctionalScale

URL = reverse("assessments:portal_psfs")


def test_the_patient_rates_activities_and_the_practitioner_sees_them(ours, login):
    client = login(ours.patient_user)
    client.post(URL, {"activity0": "階段を上る", "score0": "3", "activity1": "正座", "score1": "5"})
    scale = FunctionalScale.objects.get(patient=ours.patient)
    assert scale.activities == [{"name": "階段を上る", "score": 3}, {"name": "正座", "score": 5}]
    assert scale.average == 4
    page = login(ours.practitioner).get(
        reverse("assessments:patient_detail", args=[ours.patient.pk])
    )
    assert page.context["progress"]["psfs"] == [scale]
    again = client.get(URL)
    assert again.context["form"]["activity0"].value() == "階段を上る"  # asked again, same list


def test_bad_ratings_are_refused_beside_the_field_and_nothing_is_saved(ours, login):
    client = login(ours.patient_user)
    cases = [
        ({"activity0": "歩く", "score0": "11"}, "score0"),
        ({"activity0": "歩く"}, "score0"),
        ({"activity0": "歩く", "score0": "2", "score1": "4"}, "activity1"),
        ({}, "activity0"),
    ]
    for data, field in cases:
        response = client.post(URL, data)
        assert field in response.context["form"].errors, (data, response.context["form"].errors)
    assert not FunctionalScale.objects.exists()
