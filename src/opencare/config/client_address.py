"""The client's own address when the site runs behind reverse proxies it trusts.

Behind nginx or a load balancer, REMOTE_ADDR is the proxy's address, so limits kept per address (sign-in lockouts,
feedback per hour) would count everyone as one sender. When the request comes from a proxy listed in
OPENCARE_TRUSTED_PROXIES, the address is taken from X-Forwarded-For instead: the right-most address there that is
not itself a trusted proxy, i.e. the one our own proxies saw. Addresses further left are whatever the client sent
and are never believed. With no trusted proxies (the default) the header is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(entries: Iterable[str]) -> list[Network]:
    """Addresses and networks ('127.0.0.1', '10.0.0.0/8', '::1') as networks; a wrong one stops the site starting."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"OPENCARE_TRUSTED_PROXIES: {entry!r} is not an IP address or network ({error})."
            ) from None
    return networks


def _is_trusted(address: str, networks: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str, networks: list[Network]) -> str:
    """The client's address: REMOTE_ADDR, or, from a trusted proxy, the nearest untrusted hop of X-Forwarded-For."""
    if not _is_trusted(remote_addr, networks):
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote_addr  # our proxy would never write this: do not guess
    return hops[0] if hops else remote_addr


class ClientAddressMiddleware:
    """Put the client's own address in REMOTE_ADDR for everything after it (django-axes, feedback limits, logs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.networks = trusted_networks(settings.OPENCARE_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.networks:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""), self.networks
            )
        return self.get_response(request)
