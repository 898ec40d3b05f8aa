"""Every commitment shown: a contract published through the forms with targets shows them under "What was promised"
and "How it's going" and, in plain words, on the easy read page; interim reviews show what was reviewed and agreed,
and are planned until their date has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from opencare.demo.accounts import create_demo_accounts
from opencare.demo.borsetdale import COUNCIL, MOORSIDE
from opencare.publishing.models import Publisher
from opencare.registry.models import Process, Release
from opencare.registry.services import get_or_create_source, store_release_package

PROCESS_ANSWERS = {
    "title": "Home care in Saltmarsh (test)",
    "description": "Care and support at home for adults in Saltmarsh.",
    "service": "home-care",
    "place": "Saltmarsh",
    "value": "900000",
    "start": "2026-04-01",
    "end": "2029-03-31",
    "spec_url": "https://borsetdale.example.org/spec.pdf",
}
TARGETS = {
    "metric_1": "sc-missed-visits",
    "target_1": "2",
    "metric_2": "sc-punctuality",
    "target_2": "90",
    "metric_3": "sc-continuity-of-carer",
    "target_3": "80",
}


def _signed_in(client, username: str):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _publish(client, publisher: Publisher, ocid: str, action: str, answers: dict) -> None:
    """Answer a publishing form, check the answers, then publish: as a commissioner does."""
    response = client.post(reverse("publishing:flow", args=[publisher.pk, ocid, action]), answers)
    assert response.status_code == 302, response.content.decode()[:3000]
    published = client.post(response["Location"])
    assert published.status_code == 302, published.content.decode()[:3000]


@pytest.fixture
def publishers(db, settings):
    settings.OPENCARE_DEMO_ACCOUNTS = True
    create_demo_accounts()
    council = Publisher.objects.get(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
    provider = Publisher.objects.get(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident)
    return council, provider


@pytest.fixture
def contract_with_targets(client, publishers) -> str:
    """A process and its signed contract with three targets, published through the forms; no figures yet."""
    council, provider = publishers
    _signed_in(client, "commissioner")
    response = client.post(reverse("publishing:new_process", args=[council.pk]), PROCESS_ANSWERS)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(response["Location"])
    ocid = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    contract = {
        "provider": str(provider.pk),
        "title": "Saltmarsh home care: contract with Moorside",
        "value": "900000",
        "start": "2026-04-01",
        "end": "2029-03-31",
        "date_signed": "2026-03-10",
        "price_per_hour": "29.10",
        "worker_pay_per_hour": "13.45",
    }
    _publish(client, council, ocid, "publish-contract", contract | TARGETS)
    return ocid


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


@pytest.mark.django_db
def test_targets_agreed_in_the_contract_are_promised_with_their_figure_unit_and_better_direction(
    client, contract_with_targets
):
    compiled = Process.objects.get(ocid=contract_with_targets).compiled_release
    assert {m["id"] for m in compiled["contracts"][0]["agreedMetrics"]} >= {"sc-missed-visits", "sc-punctuality"}

    html = client.get(reverse("explore:contract", args=[contract_with_targets])).content.decode()

    promised = _section(html, 'id="promised"', 'id="going"')
    assert "Standards the service must meet" in promised
    for title, figure, better in (
        ("Missed visits", "no more than 2%", "Lower is better"),
        ("Visits on time", "at least 90%", "Higher is better"),
        ("Visits from familiar care workers", "at least 80%", "Higher is better"),
    ):
        row = _section(promised, f">{title}", "</tr>")
        assert figure in row, row
        assert better in row, row


@pytest.mark.django_db
def test_how_its_going_lists_each_target_as_no_figures_yet_and_never_says_there_are_no_targets(
    client, contract_with_targets
):
    html = client.get(reverse("explore:contract", args=[contract_with_targets])).content.decode()

    going = _section(html, 'id="going"', 'id="reviews"')
    assert "No figures have a target to compare with" not in going
    assert "3 targets are agreed; no figures have been published against them yet." in going
    for title in ("Missed visits", "Visits on time", "Visits from familiar care workers"):
        metric = _section(going, f">{title}</h3>", "</section>")
        assert "No figures yet" in metric, metric
    assert "2% or lower" in _section(going, ">Missed visits</h3>", "</section>")


@pytest.fixture
def page_with_one_figure(client, publishers, contract_with_targets) -> str:
    """The contract page once the provider has published one month's missed visits (1.5%, target 2%) alone."""
    _, provider = publishers
    _signed_in(client, "provider")
    _publish(
        client,
        provider,
        contract_with_targets,
        "publish-actuals",
        {"month": "2026-04", "figure__sc-missed-visits": "1.5"},
    )
    return client.get(reverse("explore:contract", args=[contract_with_targets])).content.decode()


@pytest.mark.django_db
def test_once_one_target_has_figures_the_summary_still_names_the_targets_with_none(page_with_one_figure):
    html = page_with_one_figure
    summary = _section(html, 'id="going"', "</p>")
    assert "the one measure with a target met it every time" in summary
    assert "all 1 measures" not in summary
    assert "No figures yet for: <strong>Visits on time, Visits from familiar care workers</strong>" in summary
    assert "No figures yet" not in _section(html, ">Missed visits</h3>", "</section>")


@pytest.mark.django_db
def test_a_target_with_figures_is_given_as_its_figure_and_its_definition_is_not_called_the_target(
    page_with_one_figure,
):
    missed = _section(page_with_one_figure, ">Missed visits</h3>", "</section>")
    assert "<strong>Target:</strong> 2% or lower (Moorside Care Co-operative (invented) for Borsetdale" in missed
    assert "<strong>Target:</strong> The percentage of planned visits" not in missed
    assert "The percentage of planned visits" in missed  # the definition is still there, as a definition


@pytest.mark.django_db
def test_the_easy_read_page_lists_the_agreed_targets_in_plain_words(client, contract_with_targets):
    html = client.get(reverse("explore:contract_easy_read", args=[contract_with_targets])).content.decode()

    assert "The council and provider agreed:" in html
    assert "Missed visits: no more than 2 in 100." in html
    assert "Visits on time: at least 90 in 100." in html
    assert "Visits from familiar care workers: at least 80 in 100." in html
    assert "There are no figures yet to show if the provider meets its targets." in html


@pytest.mark.django_db
def test_a_review_shows_what_was_reviewed_and_agreed_and_its_minutes(client, publishers, contract_with_targets):
    council, _ = publishers
    held = timezone.localdate() - timedelta(days=20)
    answers = {
        "title": "Quarterly contract review",
        "date_met": held.isoformat(),
        "description": "Missed visits discussed; the provider agreed a weekend rota.",
        "minutes_url": "https://borsetdale.example.org/minutes-q1.pdf",
    }
    _publish(client, council, contract_with_targets, "record-review", answers)

    html = client.get(reverse("explore:contract", args=[contract_with_targets])).content.decode()

    reviews = _section(html, 'id="reviews"', "Performance failures")
    assert "What was reviewed and agreed" in reviews
    assert "Missed visits discussed; the provider agreed a weekend rota." in reviews
    assert 'href="https://borsetdale.example.org/minutes-q1.pdf"' in reviews
    assert "Held" in reviews
    assert "Planned" not in reviews


@pytest.mark.django_db
def test_the_easy_read_page_says_when_the_council_and_provider_met_and_what_they_agreed(
    client, publishers, contract_with_targets
):
    council, _ = publishers
    easy_read = reverse("explore:contract_easy_read", args=[contract_with_targets])
    assert "No meetings to check the care are published." in client.get(easy_read).content.decode()
    held = timezone.localdate() - timedelta(days=20)
    answers = {
        "title": "Quarterly contract review",
        "date_met": held.isoformat(),
        "description": "Missed visits discussed; the provider agreed a weekend rota.",
    }
    _publish(client, council, contract_with_targets, "record-review", answers)

    html = client.get(easy_read).content.decode()

    meetings = _section(html, "Meetings to check the care", "Questions")
    day = f"{held.day} {held:%B %Y}"
    assert f"The council and the provider met on {day} to check how the care is going." in meetings
    assert "What they looked at and agreed:" in meetings
    assert "Missed visits discussed; the provider agreed a weekend rota." in meetings


@pytest.mark.django_db
def test_a_review_dated_after_today_is_refused_on_the_form_and_nothing_is_stored(
    client, publishers, contract_with_targets
):
    council, _ = publishers
    next_year = timezone.localdate() + timedelta(days=365)
    before = Release.objects.filter(ocid=contract_with_targets).count()
    answers = {
        "title": "Quarterly contract review",
        "date_met": next_year.isoformat(),
        "description": "Not held yet.",
    }

    url = reverse("publishing:flow", args=[council.pk, contract_with_targets, "record-review"])
    response = client.post(url, answers)

    assert response.status_code == 400  # the form again, with the error
    page = response.content.decode()
    assert "is after today" in page
    assert "Record a review once it has been held" in page
    assert Release.objects.filter(ocid=contract_with_targets).count() == before


@pytest.mark.django_db
def test_a_stored_review_marked_met_on_a_day_still_to_come_is_shown_as_planned(client, db):
    """Data from elsewhere (an import) may say a review next year was met: the page says it is planned."""
    next_year = (timezone.localdate() + timedelta(days=365)).isoformat()
    milestone = {
        "id": "review-1", "title": "Annual contract review", "type": "reporting", "status": "met",
        "dueDate": f"{next_year}T00:00:00Z", "dateMet": f"{next_year}T00:00:00Z",
        "description": "The year's performance and prices.",
    }  # fmt: skip
    release = {
        "ocid": "ocds-test00-review", "id": "1", "date": f"{next_year}T00:00:00Z", "tag": ["implementation"],
        "initiationType": "tender", "buyer": {"id": "B", "name": "Council"},
        "tender": {"id": "t", "title": "Home care", "classification": {"scheme": "CPV", "id": "85312400"}},
        "awards": [{"id": "a1"}],
        "contracts": [{"id": "c1", "awardID": "a1", "implementation": {"milestones": [milestone]}}],
    }  # fmt: skip
    store_release_package(package={"releases": [release]}, source=get_or_create_source(key="test:x", title="X"))

    html = client.get(reverse("explore:contract", args=["ocds-test00-review"])).content.decode()

    reviews = _section(html, 'id="reviews"', "Performance failures")
    assert "Planned" in reviews
    assert "Held" not in reviews
    assert "The year&#x27;s performance and prices." in reviews
    easy_read = client.get(reverse("explore:contract_easy_read", args=["ocds-test00-review"])).content.decode()
    assert "will meet on" in easy_read
    assert "met on" not in easy_read.replace("will meet on", "")


@pytest.mark.django_db
def test_a_tender_with_targets_and_no_contract_yet_shows_them_and_never_says_there_are_none(client, db):
    percent = {"scheme": "UNCEFACT", "id": "P1", "name": "percent"}
    target = {
        "id": "sc-missed-visits",
        "description": "Visits missed because of the provider.",
        "observations": [{"id": "t", "measure": 3, "unit": percent}],
    }
    release = {
        "ocid": "ocds-test00-tender", "id": "1", "date": "2026-01-01T00:00:00Z", "tag": ["tender"],
        "initiationType": "tender", "buyer": {"id": "B", "name": "Council"},
        "tender": {"id": "t", "title": "Home care", "classification": {"scheme": "CPV", "id": "85312400"},
                   "targets": [target]},
    }  # fmt: skip
    store_release_package(package={"releases": [release]}, source=get_or_create_source(key="test:x", title="X"))

    html = client.get(reverse("explore:contract", args=["ocds-test00-tender"])).content.decode()

    row = _section(_section(html, 'id="promised"', 'id="going"'), ">Missed visits", "</tr>")
    assert "Set in the tender" in row
    assert "no more than 3%" in row
    assert "Visits missed because of the provider." in row
    going = _section(html, 'id="going"', 'id="reviews"')
    assert "no published targets" not in going
    assert "have no figures yet" in going
    easy = client.get(reverse("explore:contract_easy_read", args=["ocds-test00-tender"])).content.decode()
    assert "The council asks for:" in easy
    assert "Missed visits: no more than 3 in 100." in easy
