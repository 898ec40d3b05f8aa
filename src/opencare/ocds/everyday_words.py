"""Search in people's words: what everyday words mean, and what a process says or has that search can match.

The word list (``data/everyday-words.json``) maps everyday words and phrases ("wages", "missed visits", "care at
home") to the catalogue's measures and to service types; each measure's catalogue title and each service type's
name are added to it. A search is understood in one step (``understand``): the words are normalised (case,
punctuation, "&", "Ltd"-style suffixes), the longest phrases of the list are found first, and each word or phrase
becomes a term with what it means. A process matches a term when it says the words, or has a measure or the
service type the term means: its measures and service type are stored as tags (``search_tags``), and the places it
names beside its providers as words (``search_words``), so that the database can match them all in one index.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from opencare.ocds.json_values import as_object, as_objects, as_text
from opencare.ocds.metric_catalogue import metric_catalogue
from opencare.ocds.profile import data_root
from opencare.ocds.service_types import BY_CODE, SERVICE_TYPES

WORDS_FILE = "everyday-words.json"
#: Words in organisations' names that say only what kind of company it is: "Acme Care Ltd" is "Acme Care".
COMPANY_SUFFIXES = frozenset({"ltd", "limited", "cic", "plc", "llp", "cio"})
#: Words too common to search by (PostgreSQL's English full-text search leaves these out too).
COMMON_WORDS = frozenset({
    "a", "an", "and", "the", "of", "in", "on", "at", "to", "for", "with", "by", "from", "or", "is", "are", "was",
    "my", "me", "i", "it", "its", "our", "your", "their", "this", "that", "what", "who", "how", "about",
})  # fmt: skip
#: The parties whose addresses say where a contract is: not providers or review bodies, which may be anywhere.
_PLACE_ROLES = frozenset({"buyer", "procuringEntity", "payer"})
#: Region codes (NUTS, ITL: "UKL17") name no place a person would type.
_REGION_CODE = re.compile(r"^[A-Z]{2}[A-Z0-9]{0,4}$")
_APOSTROPHE_S = re.compile(r"['\u2019]s\b")
_NOT_WORD = re.compile(r"[^\w]+|_")


class WordListError(ValueError):
    """The word list is malformed: which entry and what is wrong."""


@dataclass(frozen=True)
class Meaning:
    """What an everyday word or phrase means: measures (catalogue ids) and service types (codes)."""

    measures: tuple[str, ...] = ()
    service_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Term:
    """One part of a search: its words, normalised, and what they mean (nothing, for a word not in the list)."""

    words: str
    meaning: Meaning = Meaning()

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags of the measures and service types this term means, as processes store them."""
        return tuple(measure_tag(m) for m in self.meaning.measures) + tuple(
            service_tag(s) for s in self.meaning.service_types
        )

    @property
    def understood(self) -> bool:
        """Whether the term is in the word list (it means measures or a service type)."""
        return bool(self.meaning.measures or self.meaning.service_types)


def normalise(text: str) -> list[str]:
    """The words of a text as search compares them: lower case, "&" as "and", no "'s", punctuation as spaces."""
    text = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    text = _APOSTROPHE_S.sub("", text)
    return [word for word in _NOT_WORD.split(text) if word]


def measure_tag(metric_id: str) -> str:
    """The one-word tag a process stores for a measure it has: letters and digits only, so no parser splits it."""
    return "ocmeasure" + re.sub(r"[^a-z0-9]", "", metric_id.lower())


def service_tag(code: str) -> str:
    """The one-word tag a process stores for its service type."""
    return "ocservice" + re.sub(r"[^a-z0-9]", "", code.lower())


@cache
def word_list() -> dict[tuple[str, ...], Meaning]:
    """Every everyday phrase (as normalised words) and what it means, read and checked once per process."""
    data = json.loads(data_root().joinpath(WORDS_FILE).read_text(encoding="utf-8"))
    return build_word_list(data)


def build_word_list(data: dict[str, Any]) -> dict[tuple[str, ...], Meaning]:
    """The word list from its JSON, with the catalogue's titles and the service types' names added; raises
    WordListError naming a measure or service type that does not exist, or a phrase with no words."""
    measures: dict[tuple[str, ...], list[str]] = {}
    services: dict[tuple[str, ...], list[str]] = {}
    catalogue = metric_catalogue().metrics
    for metric_id, phrases in as_object(data.get("measures")).items():
        if metric_id not in catalogue:
            raise WordListError(f"measures: {metric_id} is not in the metric catalogue.")
        _add(measures, metric_id, phrases, f"measures: {metric_id}")
    for metric_id, metric in catalogue.items():
        _add(measures, metric_id, [metric.title], "the catalogue")
    for code, phrases in as_object(data.get("service_types")).items():
        if code not in BY_CODE:
            raise WordListError(f"service_types: {code} is not a service type.")
        _add(services, code, phrases, f"service_types: {code}")
    for service in SERVICE_TYPES:
        _add(services, service.code, [service.name], "the service types")
    return {
        phrase: Meaning(tuple(measures.get(phrase, ())), tuple(services.get(phrase, ())))
        for phrase in sorted({*measures, *services})
    }


def _add(meanings: dict[tuple[str, ...], list[str]], key: str, phrases: Any, where: str) -> None:
    if not isinstance(phrases, list):
        raise WordListError(f"{where}: the phrases must be a list.")
    for phrase in phrases:
        words = tuple(normalise(phrase)) if isinstance(phrase, str) else ()
        if not words:
            raise WordListError(f"{where}: {phrase!r} has no words.")
        if key not in meanings.setdefault(words, []):
            meanings[words].append(key)


def understand(query: str) -> list[Term]:
    """The terms of a search: the word list's phrases found first (the longest at each place), then each other word
    on its own, without company suffixes ("Ltd") or common words ("the"), unless nothing else is left."""
    words = normalise(query)
    known = word_list()
    longest = max((len(phrase) for phrase in known), default=1)
    terms: list[Term] = []
    plain: list[str] = []
    position = 0
    while position < len(words):
        for size in range(min(longest, len(words) - position), 0, -1):
            phrase = tuple(words[position : position + size])
            if phrase in known:
                terms.append(Term(" ".join(phrase), known[phrase]))
                position += size
                break
        else:
            plain.append(words[position])
            position += 1
    kept = [word for word in plain if word not in COMPANY_SUFFIXES and word not in COMMON_WORDS]
    if not kept and not terms:
        kept = [word for word in plain if word not in COMMON_WORDS]
    return terms + [Term(word) for word in dict.fromkeys(kept)]


def search_tags(*, metric_ids: Iterable[str], service_type: str) -> str:
    """The tags of a process's measures and service type, for search (space-separated, with spaces around, so that
    a tag is matched whole)."""
    tags = [measure_tag(metric_id) for metric_id in metric_ids]
    if service_type in {service.code for service in SERVICE_TYPES}:
        tags.append(service_tag(service_type))
    return f" {' '.join(dict.fromkeys(tags))} " if tags else ""


def search_words(compiled: dict[str, Any], *, supplier_names: Iterable[str]) -> str:
    """What search matches of a process beyond its title, buyer and description: the places it names (its buyers'
    towns and areas, where the service is delivered) and its providers' names."""
    return " ; ".join(dict.fromkeys([*places(compiled), *supplier_names]))


def places(compiled: dict[str, Any]) -> list[str]:
    """The places a (compiled) release names: the locality and region of each buyer, procuring entity and payer (not
    of providers or review bodies, which may be anywhere), and each item's delivery addresses and locations."""
    found: list[str] = []
    for party in as_objects(compiled.get("parties")):
        roles = party.get("roles")
        if isinstance(roles, list) and _PLACE_ROLES.intersection(role for role in roles if isinstance(role, str)):
            found += _address_places(as_object(party.get("address")))
    tender = as_object(compiled.get("tender"))
    items = as_objects(tender.get("items"))
    for stage in (*as_objects(compiled.get("awards")), *as_objects(compiled.get("contracts"))):
        items += as_objects(stage.get("items"))
    for item in items:
        addresses = [as_object(item.get("deliveryAddress")), *as_objects(item.get("deliveryAddresses"))]
        for address in addresses:
            found += _address_places(address)
        for location in [as_object(item.get("deliveryLocation")), *as_objects(item.get("deliveryLocations"))]:
            found += [as_text(location.get("description"))]
            found += _address_places(as_object(location.get("address")))
    return [place for place in dict.fromkeys(found) if place]


def _address_places(address: dict[str, Any]) -> list[str]:
    region = as_text(address.get("region"))
    return [as_text(address.get("locality")), "" if _REGION_CODE.match(region) else region]
