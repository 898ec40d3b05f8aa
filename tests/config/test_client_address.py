"""Behind trusted reverse proxies, per-address limits count the client's address, never the proxy's; what a client
writes in X-Forwarded-For itself is never believed."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from opencare.config.client_address import ClientAddressMiddleware, client_address, trusted_networks

PROXIES = trusted_networks(["127.0.0.1", "10.0.0.0/8"])


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("127.0.0.1", "203.0.113.9", []) == "127.0.0.1"


def test_from_a_trusted_proxy_the_address_it_saw_is_used():
    assert client_address("127.0.0.1", "203.0.113.9", PROXIES) == "203.0.113.9"


def test_addresses_a_client_wrote_itself_are_not_believed():
    # The client sent "X-Forwarded-For: 198.51.100.1"; nginx appended the address it really came from.
    assert client_address("127.0.0.1", "198.51.100.1, 203.0.113.9", PROXIES) == "203.0.113.9"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_client():
    assert client_address("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.1.2.3", PROXIES) == "203.0.113.9"


def test_a_request_straight_from_a_client_keeps_its_own_address_whatever_it_sends():
    assert client_address("203.0.113.9", "127.0.0.1", PROXIES) == "203.0.113.9"


def test_rubbish_in_the_proxys_own_entry_is_not_guessed_at():
    assert client_address("127.0.0.1", "not-an-address", PROXIES) == "127.0.0.1"


def test_ipv6_addresses_are_understood():
    networks = trusted_networks(["::1"])
    assert client_address("::1", "2001:db8::7", networks) == "2001:db8::7"


def test_a_wrong_trusted_proxy_setting_stops_the_site_starting_with_a_clear_message():
    with pytest.raises(ImproperlyConfigured, match=re.escape("'10.0.0.0/33' is not an IP address or network")):
        trusted_networks(["10.0.0.0/33"])


def test_the_middleware_puts_the_client_address_in_remote_addr(settings):
    settings.OPENCARE_TRUSTED_PROXIES = ["127.0.0.1"]
    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    ClientAddressMiddleware(view)(request)

    assert seen["address"] == "203.0.113.9"


@pytest.mark.django_db
def test_sign_in_lockouts_count_the_client_behind_the_proxy_not_the_proxy(client, settings):
    from axes.models import AccessAttempt

    settings.OPENCARE_TRUSTED_PROXIES = ["127.0.0.1"]
    client.post(
        "/account/sign-in/",
        {"username": "someone", "password": "wrong"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]
