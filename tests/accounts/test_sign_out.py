"""Signing out: only by POST, and only with the page's CSRF token."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SIGN_OUT = "/account/sign-out/"


def test_get_shows_a_sign_out_button_and_does_not_sign_out(client, publisher):
    client.force_login(publisher)
    response = client.get(SIGN_OUT)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<form method="post" action="{SIGN_OUT}">' in html
    assert "You are signed in as pat.publisher" in html
    assert client.get("/publish/").status_code == 200


def test_post_signs_out_and_says_so(client, publisher):
    client.force_login(publisher)
    response = client.post(SIGN_OUT)
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/"
    assert "You have signed out." in client.get(response["Location"]).content.decode()
    assert client.get("/publish/").status_code == 302


def test_post_without_the_csrf_token_is_refused_and_leaves_you_signed_in(publisher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(publisher)
    assert client.post(SIGN_OUT).status_code == 403
    assert client.get("/publish/").status_code == 200


def test_post_with_the_csrf_token_from_the_page_signs_out(publisher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(publisher)
    client.get(SIGN_OUT)
    token = client.cookies["csrftoken"].value
    assert client.post(SIGN_OUT, {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/publish/").status_code == 302


def test_sign_out_page_for_someone_not_signed_in_says_so(client):
    response = client.get(SIGN_OUT)
    assert response.status_code == 200
    assert "You are not signed in." in response.content.decode()
