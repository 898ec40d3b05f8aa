"""The second step of signing in for people with two-factor authentication on: the code from their app."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt

from opencare.accounts import services

from .conftest import PASSWORD, code_now, wrong_code

pytestmark = pytest.mark.django_db

CODE_PAGE = "/account/sign-in/code/"


def give_password(client, **extra):
    response = client.post("/account/sign-in/", {"username": "pat.publisher", "password": PASSWORD, **extra})
    assert response.status_code == 302
    assert response["Location"] == CODE_PAGE
    return response


def test_password_alone_does_not_sign_in_someone_with_two_factor(client, authenticator):
    assert services.has_two_factor(authenticator.user)
    give_password(client)
    response = client.get("/publish/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
    page = client.get(CODE_PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Signing in as pat.publisher" in html
    assert 'autocomplete="one-time-code"' in html


def test_right_code_signs_in_and_marks_the_session_as_verified_by_the_app(client, authenticator):
    give_password(client)
    response = client.post(CODE_PAGE, {"code": code_now(authenticator)})
    assert response.status_code == 302
    assert response["Location"] == "/publish/"
    assert client.get("/publish/").status_code == 200
    assert client.session["otp_device_id"] == authenticator.persistent_id
    assert client.get(CODE_PAGE)["Location"] == "/account/sign-in/"  # nothing left pending


def test_code_with_a_space_in_the_middle_is_accepted(client, authenticator):
    give_password(client)
    code = code_now(authenticator)
    assert client.post(CODE_PAGE, {"code": f"{code[:3]} {code[3:]}"})["Location"] == "/publish/"


def test_right_code_goes_on_to_the_safe_next_page_given_with_the_password(client, authenticator):
    give_password(client, next="/publish/?draft=1")
    assert client.post(CODE_PAGE, {"code": code_now(authenticator)})["Location"] == "/publish/?draft=1"


def test_next_to_another_host_is_ignored_after_the_code_too(client, authenticator):
    give_password(client, next="https://evil.example/")
    assert client.post(CODE_PAGE, {"code": code_now(authenticator)})["Location"] == "/publish/"


def test_wrong_code_is_refused_with_a_clear_message_and_the_tries_left(client, authenticator):
    give_password(client)
    response = client.post(CODE_PAGE, {"code": wrong_code(authenticator)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "The code is wrong, or it has already been used" in html
    assert "You can try 4 more times" in html
    assert client.get("/publish/").status_code == 302


def test_a_code_that_is_not_6_digits_is_explained_and_not_counted(client, authenticator):
    give_password(client)
    html = client.post(CODE_PAGE, {"code": "12ab"}).content.decode()
    assert "Enter the code as 6 digits, like 123456" in html
    html = client.post(CODE_PAGE, {"code": wrong_code(authenticator)}).content.decode()
    assert "You can try 4 more times" in html


def test_five_wrong_codes_drop_the_pending_sign_in(client, authenticator, no_code_throttle):
    give_password(client)
    for tries_left in (4, 3, 2, 1):
        response = client.post(CODE_PAGE, {"code": wrong_code(authenticator)})
        assert f"You can try {tries_left} more time" in response.content.decode()
    fifth = client.post(CODE_PAGE, {"code": wrong_code(authenticator)})
    assert fifth.status_code == 302
    assert fifth["Location"] == "/account/sign-in/"
    sign_in_page = client.get(fifth["Location"]).content.decode()
    assert "You entered a wrong code 5 times" in sign_in_page
    # Even the right code no longer helps: the password must be given again.
    late = client.post(CODE_PAGE, {"code": code_now(authenticator)})
    assert late["Location"] == "/account/sign-in/"
    assert client.get("/publish/").status_code == 302
    give_password(client)
    assert client.post(CODE_PAGE, {"code": code_now(authenticator)})["Location"] == "/publish/"


def test_using_up_the_codes_counts_as_one_failed_sign_in_towards_the_lockout(client, authenticator, no_code_throttle):
    give_password(client)
    for _ in range(5):
        client.post(CODE_PAGE, {"code": wrong_code(authenticator)})
    attempt = AccessAttempt.objects.get(username="pat.publisher")
    assert attempt.failures_since_start == 1


def test_a_code_straight_after_a_wrong_one_is_asked_to_wait_and_not_counted(client, authenticator):
    give_password(client)
    client.post(CODE_PAGE, {"code": wrong_code(authenticator)})
    response = client.post(CODE_PAGE, {"code": code_now(authenticator)})
    html = response.content.decode()
    assert "Wait a few seconds" in html
    assert client.get("/publish/").status_code == 302
    authenticator.refresh_from_db()
    authenticator.throttling_failure_timestamp -= timedelta(seconds=5)  # as if they had waited
    authenticator.save()
    assert client.post(CODE_PAGE, {"code": code_now(authenticator)})["Location"] == "/publish/"


def test_a_code_cannot_be_used_twice(client, authenticator):
    code = code_now(authenticator)
    give_password(client)
    client.post(CODE_PAGE, {"code": code})
    client.post("/account/sign-out/")
    give_password(client)
    response = client.post(CODE_PAGE, {"code": code})
    assert response.status_code == 200
    assert "already been used" in response.content.decode()


def test_code_page_without_a_password_first_sends_to_sign_in(client):
    response = client.get(CODE_PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/"


def test_a_pending_sign_in_left_too_long_must_start_again(client, authenticator, monkeypatch):
    give_password(client)
    monkeypatch.setattr(services, "PENDING_SIGN_IN_LIFETIME", timedelta(seconds=-1))
    response = client.post(CODE_PAGE, {"code": code_now(authenticator)})
    assert response["Location"] == "/account/sign-in/"
    assert "Your sign-in timed out" in client.get("/account/sign-in/").content.decode()
    assert client.get("/publish/").status_code == 302


def test_someone_without_two_factor_never_sees_the_code_page(client, publisher):
    assert not services.has_two_factor(publisher)
    response = client.post("/account/sign-in/", {"username": "pat.publisher", "password": PASSWORD})
    assert response["Location"] == "/publish/"
