"""While the database cannot be reached, people get a clear 503 "try again shortly", never a 500 traceback; a health
check tells load balancers the same."""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client, RequestFactory

from opencare.config import availability

MESSAGE = "The service is unavailable. Try again shortly."


def _down(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


@pytest.fixture
def client_seeing_errors() -> Client:
    """A client that gets the answer a person would get, rather than the exception."""
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_page_whose_database_is_down_is_a_503_page_saying_try_again_shortly(client_seeing_errors, monkeypatch):
    monkeypatch.setattr("opencare.explore.views.search_processes", _down)

    response = client_seeing_errors.get("/contracts/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(availability.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Sorry, the service is unavailable" in page
    assert MESSAGE in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert "govuk-generic-header" in page  # the site's own layout


@pytest.mark.django_db
def test_the_api_answers_json_503_when_the_connection_was_lost(client_seeing_errors, monkeypatch):
    def lost(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr("opencare.registry.selectors.process_by_ocid", lost)

    response = client_seeing_errors.get("/api/records/ocds-abcdef-1")

    assert response.status_code == 503
    assert response.json() == {"detail": MESSAGE}


@pytest.mark.django_db
def test_other_errors_are_still_500s(client_seeing_errors, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("opencare.explore.views.search_processes", broken)

    assert client_seeing_errors.get("/contracts/").status_code == 500


def test_a_database_error_outside_a_view_gets_the_503_page_from_the_500_handler():
    request = RequestFactory().get("/publish/")
    try:
        _down()
    except OperationalError:
        response = availability.server_error(request)  # Django calls it while handling the exception

    assert response.status_code == 503
    assert MESSAGE in response.content.decode()


def test_the_500_handler_keeps_the_500_for_anything_else():
    request = RequestFactory().get("/publish/")
    try:
        raise KeyError("a bug")
    except KeyError:
        response = availability.server_error(request)

    assert response.status_code == 500


@pytest.mark.django_db
def test_health_is_ok_when_the_database_answers(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_is_503_when_the_database_cannot_be_reached(client, monkeypatch):
    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", _down)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_health_answers_only_get_and_head(client):
    assert client.post("/health/").status_code == 405


@pytest.mark.django_db
def test_a_full_disk_anywhere_in_a_view_is_a_507_page_not_a_500(client_seeing_errors, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("opencare.explore.views.search_processes", full)

    response = client_seeing_errors.get("/contracts/")

    assert response.status_code == 507
    assert "There is no room left on our server to keep what you sent. Try again later." in response.content.decode()
