"""Accounts to sign in with, and codes from a pretend authenticator app."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "a long and unusual passphrase 7"


@pytest.fixture
def publisher(db):
    return get_user_model().objects.create_user(username="pat.publisher", password=PASSWORD)


@pytest.fixture
def colleague(db):
    return get_user_model().objects.create_user(username="sam.colleague", password=PASSWORD)


@pytest.fixture
def authenticator(publisher):
    """The publisher's authenticator app, already set up."""
    return TOTPDevice.objects.create(user=publisher, name="Authenticator app", confirmed=True)


@pytest.fixture
def no_code_throttle(settings):
    """Let codes be entered one straight after another: django-otp otherwise makes people wait 1, 2, 4… seconds
    after each wrong code, which a test that enters several would only ever hit."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code_now(device: TOTPDevice) -> str:
    """The code the authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code the device refuses: none of those it accepts around now (it allows a step either side)."""
    accepted = set()
    for offset in range(-3, 4):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time() + offset * device.step
        accepted.add(f"{totp.token():06d}")
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)
