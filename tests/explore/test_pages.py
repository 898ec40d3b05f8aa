import pytest
from django.urls import reverse

from opencare.demo.services import load_demo
from opencare.registry.models import Process


@pytest.fixture
def demo(db):
    load_demo()


@pytest.mark.django_db
def test_home_page_shows_the_demo_contracts_and_counts(client, demo):
    response = client.get(reverse("explore:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "See what care contracts promise" in html
    assert "Borsetdale" in html
    count = Process.objects.count()
    assert f'data-count="processes"><strong class="opencare-numeric">{count}</strong> contracts<' in html


@pytest.mark.django_db
def test_home_page_works_with_an_empty_registry(client):
    response = client.get(reverse("explore:home"))
    assert response.status_code == 200
    assert "No contracts yet." in response.content.decode()


@pytest.mark.django_db
def test_contracts_list_pages_through_every_contract(client, demo):
    response = client.get(reverse("explore:contracts"))
    assert response.status_code == 200
    assert f"{Process.objects.count()} contracts" in response.content.decode()
    assert client.get(reverse("explore:contracts") + "?page=999").status_code == 200  # last page, not an error


@pytest.mark.django_db
def test_invented_contract_page_says_it_is_invented_and_lists_its_measures(client, demo):
    process = Process.objects.filter(is_invented=True).first()
    response = client.get(reverse("explore:contract", args=[process.ocid]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This contract is invented sample data" in html
    assert "Missed visits" in html or "missed visits" in html.lower()


@pytest.mark.django_db
def test_real_contract_page_is_not_labelled_invented(client, demo):
    process = Process.objects.filter(is_invented=False).first()
    html = client.get(reverse("explore:contract", args=[process.ocid])).content.decode()
    assert "This contract is invented sample data" not in html
    assert process.buyer_name in html


@pytest.mark.django_db
def test_unknown_contract_is_a_404(client):
    assert client.get(reverse("explore:contract", args=["ocds-nothing-here"])).status_code == 404
    assert client.get(reverse("explore:contract_record", args=["ocds-nothing-here"])).status_code == 404


@pytest.mark.django_db
def test_record_download_is_an_ocds_record_package(client, demo):
    process = Process.objects.filter(is_invented=True).first()
    response = client.get(reverse("explore:contract_record", args=[process.ocid]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    record = response.json()["records"][0]
    assert record["ocid"] == process.ocid
    assert len(record["releases"]) == process.release_count
    assert record["compiledRelease"]["tag"] == ["compiled"]


@pytest.mark.django_db
def test_about_the_data_page_gives_the_ogl_attribution(client, demo):
    html = client.get(reverse("explore:about_data")).content.decode()
    assert "Open Government Licence v3.0" in html
    assert "Contains public sector information licensed under the Open Government Licence v3.0." in html
    assert "Invented sample" in html
