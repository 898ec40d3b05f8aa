"""Turning two-factor authentication on and off at /account/two-factor/."""

from __future__ import annotations

import re
from base64 import b32encode

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from opencare.accounts.services import qr_code_svg

from .conftest import PASSWORD, code_now, wrong_code

pytestmark = pytest.mark.django_db

PAGE = "/account/two-factor/"


@pytest.fixture
def signed_in(client, publisher):
    client.force_login(publisher)
    return client


def start_setup(client):
    response = client.post(PAGE, {"action": "start"})
    assert response.status_code == 302
    return TOTPDevice.objects.get(confirmed=False)


def test_two_factor_page_needs_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/account/two-factor/"


def test_page_says_it_is_off_and_why_publishers_should_turn_it_on(signed_in):
    html = signed_in.get(PAGE).content.decode()
    assert "Two-factor authentication is" in html
    assert ">Off</strong>" in html
    assert "Why you should turn it on" in html
    assert "publish false information in your organisation" in html


def test_looking_at_the_page_makes_no_key(signed_in):
    signed_in.get(PAGE)
    assert not TOTPDevice.objects.exists()


def test_setup_shows_the_key_to_type_and_an_inline_qr_code_with_no_outside_requests(signed_in, publisher):
    device = start_setup(signed_in)
    assert device.user == publisher
    html = signed_in.get(PAGE).content.decode()
    key = b32encode(device.bin_key).decode()
    shown = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1)
    assert shown.replace(" ", "") == key
    assert 'class="opencare-qr-code"' in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "href" not in svg  # nothing fetched from elsewhere
    assert "<img" not in html.split('id="main-content"')[1]


def test_qr_code_holds_the_otpauth_address_and_fits_a_320_pixel_screen(signed_in):
    device = start_setup(signed_in)
    assert device.config_url.startswith("otpauth://totp/opencare%3Apat.publisher?secret=")
    longest_username = get_user_model().objects.create_user(username="é" * 150)
    for each in (device, TOTPDevice.objects.create(user=longest_username, confirmed=False)):
        width = int(re.search(r'<svg width="(\d+)"', qr_code_svg(each)).group(1))
        assert width <= 290  # a 320-pixel screen less the page's margins


def test_pressing_set_up_twice_keeps_the_same_key(signed_in):
    first = start_setup(signed_in)
    second = start_setup(signed_in)
    assert first.pk == second.pk
    assert TOTPDevice.objects.count() == 1


def test_setup_is_confirmed_only_by_a_correct_code(signed_in, no_code_throttle):
    device = start_setup(signed_in)
    wrong = signed_in.post(PAGE, {"action": "confirm", "code": wrong_code(device)})
    assert wrong.status_code == 200
    assert "The code is wrong" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    empty = signed_in.post(PAGE, {"action": "confirm", "code": ""})
    assert "Enter the 6-digit code from your authenticator app" in empty.content.decode()
    right = signed_in.post(PAGE, {"action": "confirm", "code": code_now(device)})
    assert right.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    html = signed_in.get(PAGE).content.decode()
    assert "Two-factor authentication is on." in html
    assert ">On</strong>" in html
    assert "secret-key" not in html  # the key is shown only while setting up
    assert signed_in.session["otp_device_id"] == device.persistent_id


def test_after_turning_it_on_the_next_sign_in_asks_for_a_code(signed_in, publisher):
    device = start_setup(signed_in)
    signed_in.post(PAGE, {"action": "confirm", "code": code_now(device)})
    signed_in.post("/account/sign-out/")
    response = signed_in.post("/account/sign-in/", {"username": "pat.publisher", "password": PASSWORD})
    assert response["Location"] == "/account/sign-in/code/"


def test_cancelling_setup_throws_the_key_away(signed_in):
    start_setup(signed_in)
    assert signed_in.post(PAGE, {"action": "cancel"}).status_code == 302
    assert not TOTPDevice.objects.exists()


def test_turning_off_needs_a_current_code(signed_in, authenticator, no_code_throttle):
    wrong = signed_in.post(PAGE, {"action": "turn_off", "code": wrong_code(authenticator)})
    assert wrong.status_code == 200
    assert "The code is wrong" in wrong.content.decode()
    assert TOTPDevice.objects.filter(confirmed=True).exists()
    right = signed_in.post(PAGE, {"action": "turn_off", "code": code_now(authenticator)})
    assert right.status_code == 302
    assert not TOTPDevice.objects.exists()
    assert "Two-factor authentication is off." in signed_in.get(PAGE).content.decode()


def test_a_form_from_an_old_copy_of_the_page_changes_nothing(signed_in, authenticator):
    response = signed_in.post(PAGE, {"action": "start"})
    assert response.status_code == 302
    assert TOTPDevice.objects.count() == 1
    assert signed_in.post(PAGE, {"action": "confirm", "code": code_now(authenticator)}).status_code == 302
