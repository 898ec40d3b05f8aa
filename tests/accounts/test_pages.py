"""Every account page renders in the site's layout, in every state it can be in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def anonymous(client, publisher):
    pass


def signed_in(client, publisher):
    client.force_login(publisher)


def setting_up_two_factor(client, publisher):
    client.force_login(publisher)
    client.post("/account/two-factor/", {"action": "start"})


def two_factor_on(client, publisher):
    TOTPDevice.objects.create(user=publisher, name="Authenticator app", confirmed=True)
    client.force_login(publisher)


def waiting_for_code(client, publisher):
    TOTPDevice.objects.create(user=publisher, name="Authenticator app", confirmed=True)
    client.post("/account/sign-in/", {"username": "pat.publisher", "password": PASSWORD})


@pytest.mark.parametrize(
    ("url", "state", "heading"),
    [
        ("/account/sign-in/", anonymous, "Sign in"),
        ("/account/sign-in/", signed_in, "Sign in"),
        ("/account/sign-in/?next=/publish/", anonymous, "Sign in"),
        ("/account/sign-in/code/", waiting_for_code, "Enter the code from your authenticator app"),
        ("/account/sign-out/", anonymous, "Sign out"),
        ("/account/sign-out/", signed_in, "Sign out"),
        ("/account/two-factor/", signed_in, "Two-factor authentication"),
        ("/account/two-factor/", setting_up_two_factor, "Two-factor authentication"),
        ("/account/two-factor/", two_factor_on, "Two-factor authentication"),
    ],
)
def test_every_page_answers_get_with_200_in_the_site_layout_and_no_traceback(client, publisher, url, state, heading):
    state(client, publisher)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Traceback" not in html
    assert 'class="govuk-template govuk-template--rebranded"' in html
    assert 'name="viewport" content="width=device-width' in html
    assert f"<title>{heading} \N{EN DASH} opencare</title>" in html
    assert heading in html.split('id="main-content"')[1]
    assert response["Cache-Control"].startswith("max-age=0, no-cache, no-store")
    assert client.head(url).status_code == 200


def test_lockout_page_names_the_wait_and_what_to_do():
    request = RequestFactory().get("/account/sign-in/")
    request.user = AnonymousUser()
    html = render_to_string(
        "accounts/locked_out.html",
        {"cooloff_timedelta": timedelta(minutes=15), "failure_limit": 5, "username": "pat.publisher"},
        request=request,
    )
    assert "Sign-in is paused for this account" in html
    assert "from your internet address for 15 minutes" in html
    assert "ask the person who runs this site for your organisation to reset it" in html
    assert "Traceback" not in html
