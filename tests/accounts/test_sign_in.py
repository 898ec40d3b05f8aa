"""Signing in with a username and password, and the lockout after repeated wrong passwords (django-axes)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"
REFUSED = "Enter a correct username and password"


def sign_in(client, username, password, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_sign_in_urls_are_where_the_settings_expect():
    assert reverse("accounts:sign_in") == SIGN_IN
    assert reverse("accounts:sign_in_code") == "/account/sign-in/code/"
    assert reverse("accounts:sign_out") == "/account/sign-out/"
    assert reverse("accounts:two_factor") == "/account/two-factor/"


def test_right_password_signs_in_and_goes_to_the_publishers_start_page(client, publisher):
    response = sign_in(client, "pat.publisher", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/publish/"
    assert client.get("/publish/").status_code == 200


def test_wrong_password_is_a_400_with_one_message_in_the_error_summary_and_signs_nobody_in(client, publisher):
    response = sign_in(client, "pat.publisher", "not the password")
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert REFUSED in html
    assert "<title>Error: Sign in" in html
    assert client.get("/publish/").status_code == 302


def test_unknown_username_gets_exactly_the_same_error_summary_as_a_wrong_password(client, publisher):
    wrong_password = sign_in(client, "pat.publisher", "not the password").content.decode()
    unknown_user = sign_in(client, "nobody.here", "not the password").content.decode()
    assert REFUSED in unknown_user
    assert _error_summary(wrong_password) == _error_summary(unknown_user)


def _error_summary(html):
    start = html.index('<div class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


def test_deactivated_account_gets_the_same_message_as_a_wrong_password(client, publisher):
    publisher.is_active = False
    publisher.save()
    response = sign_in(client, "pat.publisher", PASSWORD)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert client.get("/publish/").status_code == 302


def test_empty_form_asks_for_each_field_with_links_from_the_error_summary(client):
    html = client.post(SIGN_IN, {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


def test_five_wrong_passwords_pause_sign_in_even_with_the_right_password_after(client, publisher):
    for _ in range(4):
        assert sign_in(client, "pat.publisher", "not the password").status_code == 400
    fifth = sign_in(client, "pat.publisher", "not the password")
    assert fifth.status_code == 429
    response = sign_in(client, "pat.publisher", PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Sign-in is paused for this account" in html
    assert "from your internet address for 15 minutes" in html
    assert "Wait 15 minutes, then sign in again." in html
    assert client.get("/publish/").status_code == 302


def test_lockout_is_for_one_username_so_another_can_sign_in_from_the_same_address(client, publisher, colleague):
    for _ in range(5):
        sign_in(client, "pat.publisher", "not the password")
    assert sign_in(client, "pat.publisher", PASSWORD).status_code == 429
    response = sign_in(client, "sam.colleague", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/publish/"


def test_a_right_password_clears_earlier_wrong_ones(client, publisher):
    for _ in range(4):
        sign_in(client, "pat.publisher", "not the password")
    sign_in(client, "pat.publisher", PASSWORD)
    client.post("/account/sign-out/")
    for _ in range(4):
        assert sign_in(client, "pat.publisher", "not the password").status_code == 400


def test_a_protected_page_sends_to_sign_in_and_back_again(client, publisher):
    response = client.get("/publish/")
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/publish/"
    page = client.get(response["Location"]).content.decode()
    assert '<input type="hidden" name="next" value="/publish/">' in page
    signed_in = sign_in(client, "pat.publisher", PASSWORD, next="/publish/")
    assert signed_in["Location"] == "/publish/"


def test_next_on_this_site_is_followed(client, publisher):
    response = sign_in(client, "pat.publisher", PASSWORD, next="/contracts/?q=home+care")
    assert response["Location"] == "/contracts/?q=home+care"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/publish/", "//evil.example/", "http://testserver.evil.example/", "javascript:x"]
)
def test_next_to_another_host_is_ignored(client, publisher, next_url):
    response = sign_in(client, "pat.publisher", PASSWORD, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/publish/"


def test_next_to_another_host_is_not_even_put_in_the_form(client):
    html = client.get(SIGN_IN, {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in html
