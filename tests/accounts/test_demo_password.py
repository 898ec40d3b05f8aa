"""The demo accounts' password is published, so in production it signs no one in, and no one may choose it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from opencare.demo.accounts import DEMO_PASSWORD

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

REFUSED = "Enter a correct username and password"


@pytest.fixture
def demo_account(db):
    """An account with the demo password, as a database copied from a local run would have."""
    return get_user_model().objects.create_user(username="commissioner", password=DEMO_PASSWORD, is_staff=True)


def test_the_demo_password_signs_in_locally(client, demo_account):
    response = client.post("/account/sign-in/", {"username": "commissioner", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_in_production_the_demo_password_is_refused_like_a_wrong_password(client, settings, demo_account):
    settings.PRODUCTION = True
    response = client.post("/account/sign-in/", {"username": "commissioner", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_in_production_the_admin_refuses_the_demo_password_too(client, settings, demo_account):
    settings.PRODUCTION = True
    response = client.post("/admin/login/?next=/admin/", {"username": "commissioner", "password": DEMO_PASSWORD})
    assert response.status_code == 200  # the admin's sign-in form again, with its error
    assert "_auth_user_id" not in client.session


def test_in_production_other_passwords_still_work(client, settings, demo_account):
    settings.PRODUCTION = True
    demo_account.set_password(PASSWORD)
    demo_account.save()
    assert client.post("/account/sign-in/", {"username": "commissioner", "password": PASSWORD}).status_code == 302


def test_no_one_may_choose_the_demo_password():
    with pytest.raises(ValidationError, match="published as the demo accounts' password"):
        validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)  # an ordinary long password passes every rule


def test_local_sign_in_page_lists_the_demo_accounts_and_their_password(client, settings):
    settings.OPENCARE_DEMO_ACCOUNTS = True
    page = client.get("/account/sign-in/").content.decode()
    assert f"password <code>{DEMO_PASSWORD}</code>" in page
    assert "<code>commissioner</code>: Publisher for Borsetdale Council" in page


def test_sign_in_page_shows_no_demo_accounts_when_they_are_off(client, settings):
    settings.OPENCARE_DEMO_ACCOUNTS = False
    page = client.get("/account/sign-in/").content.decode()
    assert DEMO_PASSWORD not in page
    assert "commissioner" not in page
    assert "Sign in to publish contract data" in page
