"""The providers a council can name in a contract: any organisation already in published data, or a new one named
with its Companies House or charity number; and which of them have an account here.

Naming a provider gives it nothing: rights on a contract come only from a publishing organisation (an account's
organisation) whose scheme and identifier an administrator set, and whose identifier is the contract's supplier
(publishing.permissions). A provider with no account yet gets one by an administrator, directly in the admin site
or by approving the provider's claim (publishing.claims).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opencare.ocds import release_builder as rb
from opencare.publishing.models import Publisher
from opencare.publishing.services import party_of
from opencare.registry.models import OrganisationIdentifier, ProcessParty
from opencare.registry.organisations import NAME_SCHEME

#: The value of the provider list's last choice: a provider not in the list, named with its register number.
NEW = "new"
#: How many organisations from published data the list offers at most (a select, so it must stay usable).
MOST_OFFERED = 1000


@dataclass(frozen=True)
class Register:
    """A register of organisations a new provider can be named from, with its org-id.guide scheme."""

    code: str
    scheme: str
    name: str
    shape: re.Pattern[str]
    example: str


#: The UK registers providers are on, as org-id.guide lists them (the schemes the review's party check knows).
REGISTERS = {
    register.code: register
    for register in (
        Register("coh", "GB-COH", _("Companies House"), re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$"), "01234567"),
        Register("chc", "GB-CHC", _("Charity Commission for England and Wales"), re.compile(r"^\d{6,7}$"), "1123456"),
        Register("sc", "GB-SC", _("Scottish Charity Regulator (OSCR)"), re.compile(r"^SC0\d{5}$"), "SC012345"),
        Register(
            "nic", "GB-NIC", _("Charity Commission for Northern Ireland"), re.compile(r"^NIC\d{5,6}$"), "NIC100002"
        ),
    )
}
SCHEMES = {register.scheme: register for register in REGISTERS.values()}
#: Other registers providers in published data are named from, in words (a council names a new one only from
#: REGISTERS).
OTHER_REGISTERS = {
    "GB-MPR": _("Mutuals Public Register"),
    "GB-CQC": _("Care Quality Commission"),
    "GB-PPON": _("Public Procurement Organisation Number"),
}


@dataclass(frozen=True)
class NamedProvider:
    """A provider as a contract names it: its register scheme, its number there and its name."""

    scheme: str
    identifier: str
    name: str

    @property
    def key(self) -> str:
        """Its value in the provider list: scheme and identifier."""
        return f"{self.scheme}|{self.identifier}"

    @property
    def party_id(self) -> str:
        """The id of its party in releases, as a publishing organisation with this identifier would have."""
        return f"{self.scheme}-{self.identifier}"


def register_number(register_code: str, typed: str) -> tuple[str, str]:
    """(scheme, identifier) for a number typed for a register; ValidationError saying the shape otherwise.

    Spaces are ignored and letters read as capitals; a Companies House number given without its leading zeros
    ("1234567") is padded to its 8 characters, as the register writes it; a Northern Ireland charity number given
    without its NIC gets it, as the review's identifier check expects (ocds/review/checks/parties.py)."""
    register = REGISTERS.get(register_code)
    if register is None:
        raise ValidationError(gettext("Choose the register the provider is on."))
    number = re.sub(r"\s+", "", typed).upper()
    if register.code == "coh" and number.isdigit() and len(number) < 8:
        number = number.zfill(8)
    if register.code == "nic" and number.isdigit():
        number = "NIC" + number
    if not register.shape.match(number):
        raise ValidationError(
            gettext("%(number)s is not a %(register)s number. It looks like %(example)s.")
            % {"number": typed.strip()[:40] or "''", "register": register.name, "example": register.example}
        )
    return register.scheme, number


def nameable_providers() -> list[NamedProvider]:
    """Every provider a council can choose from: providers with an account here, and every organisation that is a
    supplier in published data with an identifier of a register (not a name alone), by name."""
    found: dict[str, NamedProvider] = {}
    for publisher in Publisher.objects.filter(kind=Publisher.Kind.PROVIDER):
        provider = NamedProvider(publisher.scheme, publisher.identifier, publisher.name)
        found[provider.key] = provider
    suppliers = (
        ProcessParty.objects.filter(roles__icontains="supplier")
        .values_list("organisation_id", "name")
        .order_by("organisation_id")
        .distinct()[:MOST_OFFERED]
    )
    names = dict(suppliers)
    identifiers: dict[int, list[tuple[str, str]]] = {}
    rows = (
        OrganisationIdentifier.objects.filter(organisation_id__in=names)
        .exclude(scheme=NAME_SCHEME)
        .order_by("organisation_id", "-trusted", "scheme", "identifier")
        .values_list("organisation_id", "scheme", "identifier")
    )
    for organisation_id, scheme, identifier in rows:
        identifiers.setdefault(organisation_id, []).append((scheme, identifier))
    for organisation_id, keys in identifiers.items():
        if not names.get(organisation_id) or any(f"{scheme}|{ident}" in found for scheme, ident in keys):
            continue  # a name alone cannot be claimed; one with an account is listed by its account
        # A register's number first (what an account would be made with), else its first trusted identifier.
        scheme, identifier = min(keys, key=lambda key: key[0] not in SCHEMES)
        found[f"{scheme}|{identifier}"] = NamedProvider(scheme, identifier, names[organisation_id])
    return sorted(found.values(), key=lambda provider: (provider.name.casefold(), provider.key))


def provider_from_key(key: str) -> NamedProvider | None:
    """The provider a list value names, if it is one a council may choose (None otherwise)."""
    return next((provider for provider in nameable_providers() if provider.key == key), None)


def account_of(scheme: str, identifier: str) -> Publisher | None:
    """The publishing organisation with this scheme and identifier, if one exists."""
    return Publisher.objects.filter(scheme=scheme.strip().upper(), identifier=identifier.strip()).first()


def provider_party(provider: NamedProvider) -> rb.Party:
    """The provider as the contract's supplier party: the organisation's own details if it has an account here."""
    account = account_of(provider.scheme, provider.identifier)
    if account is not None:
        return party_of(account)
    return rb.Party(scheme=provider.scheme, identifier=provider.identifier, name=provider.name)


def register_name(scheme: str) -> str:
    """The register a scheme names, in words ('Companies House'), or the scheme itself for others."""
    register = SCHEMES.get(scheme)
    return str(register.name if register else OTHER_REGISTERS.get(scheme, scheme))


def suppliers_without_account(compiled: dict[str, Any], supplier_ids: tuple[str, ...]) -> list[str]:
    """The names of a contract's providers that no publishing organisation has as its own party: no one from them
    has an account yet, so no one can publish their part (their method statement, monthly figures)."""
    owned = {publisher.party_id for publisher in Publisher.objects.all().only("scheme", "identifier")}
    names = {
        str(party.get("id")): str(party.get("name") or party.get("id"))
        for party in compiled.get("parties") or []
        if isinstance(party, dict)
    }
    return [names.get(party_id, party_id) for party_id in supplier_ids if party_id not in owned]
