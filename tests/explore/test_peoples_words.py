"""The parts of the public pages written for people (a woman getting home care, her daughter, a care worker) hold
no ids, codes, codelist values or field names: those are for researchers, in "About this data". Checked on every
demo contract's page, the organisation pages, the contracts list and the compare page."""

from __future__ import annotations

import re
from collections.abc import Iterable

import lxml.html
import pytest
from django.urls import reverse

from opencare.demo.services import load_demo
from opencare.registry.models import Organisation, Process, Release

#: Jargon a person should never meet outside "About this data": (what it is, a pattern over the page's own text).
FORBIDDEN = [
    ("an OCID", re.compile(r"ocds-", re.IGNORECASE)),
    ("the word OCID", re.compile(r"\bOCID\b")),
    ("CPV codes", re.compile(r"\bCPV\b")),
    ("the word release", re.compile(r"\breleases?\b", re.IGNORECASE)),
    ("the word schema", re.compile(r"\bschema\b", re.IGNORECASE)),
    ("a status code", re.compile(r"\b(active|planning|complete|pending|terminated|unsuccessful)\b")),
    ("a role code", re.compile(r"\b(buyer|payer|supplier|payee|procuringEntity|tenderer)s?\b")),
    ("a camelCase field name", re.compile(r"\b[a-z]+[A-Z][a-zA-Z]*\b")),
    ("a plural for one page", re.compile(r"\bpages \d+\b(?!\s*(to|-|\u2013)\s*\d)")),
]


def people_text(html: str) -> str:
    """The page's own text written for people: the main content without the "About this data" section, scripts,
    styles and links' addresses (only text nodes are read, never attributes), a space between elements."""
    main = lxml.html.fromstring(html).xpath("//main")[0]
    for element in main.xpath(".//*[contains(@class, 'opencare-about-data')] | .//script | .//style"):
        element.drop_tree()
    return " ".join(" ".join(main.itertext()).split())


def jargon_in(text: str, published: Iterable[str] = ()) -> list[str]:
    """Each piece of forbidden jargon in the text, with what it is and where. A match inside text the publisher
    wrote (a council's description of the service, quoted as it was published: "care planning", "suppliers must
    register") is theirs, not opencare's, and is let be; codes have no spaces, so they are never taken for it."""
    found = []
    for name, pattern in FORBIDDEN:
        for match in pattern.finditer(text):
            if not _inside_published(text, match, published):
                found.append(f"{name}: …{text[max(0, match.start() - 40) : match.end() + 40]}…")
    return found


def _inside_published(text: str, match: re.Match[str], published: Iterable[str]) -> bool:
    for words in published:
        if match.group() not in words:
            continue
        start = text.find(words)
        while start != -1:
            if start <= match.start() and match.end() <= start + len(words):
                return True
            start = text.find(words, start + 1)
    return False


def published_words(data: object) -> set[str]:
    """Every piece of free text in OCDS data (a string with a space in it), spaced as the page shows it."""
    if isinstance(data, dict):
        return set().union(*(published_words(value) for value in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(published_words(value) for value in data)) if data else set()
    if isinstance(data, str) and len(data.split()) > 1:
        return {" ".join(data.split())}
    return set()


def published_in_registry() -> set[str]:
    """The free text of every release in the registry."""
    words: set[str] = set()
    for data in Release.objects.values_list("data", flat=True):
        words |= published_words(data)
    return words


@pytest.fixture
def demo(db):
    load_demo()


def test_the_jargon_list_catches_what_the_pages_used_to_show():
    before = (
        "Home care · ocds-bdemo1-hc-dales (OCID) Status active Service codes (CPV) 85312400 "
        "buyer, payer supplier, payee 27 releases, oldest first No errors schema errors Method statement, pages 6 "
        "employmentType: employed, payBasis: allWorkingTime"
    )
    kinds = {line.split(":")[0] for line in jargon_in(before)}
    assert kinds == {name for name, _ in FORBIDDEN}
    assert not jargon_in("Method statement, pages 3 to 4. Method statement, page 6. The contract started on 1 April.")


@pytest.mark.django_db
def test_every_demo_contract_page_speaks_peoples_words(client, demo):
    ocids = list(Process.objects.order_by("ocid").values_list("ocid", flat=True))
    assert len(ocids) > 30, "the demo's contracts are in the registry"
    problems = {}
    for ocid in ocids:
        response = client.get(reverse("explore:contract", args=[ocid]))
        assert response.status_code == 200, ocid
        published = published_words(list(Release.objects.filter(ocid=ocid).values_list("data", flat=True)))
        if found := jargon_in(people_text(response.content.decode()), published):
            problems[ocid] = found
    assert problems == {}


@pytest.mark.django_db
def test_organisation_pages_speak_peoples_words(client, demo):
    organisations = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    assert organisations, "the demo's organisations are in the registry"
    problems = {}
    published = published_in_registry()
    for pk in organisations:
        response = client.get(reverse("explore:organisation", args=[pk]))
        assert response.status_code == 200, pk
        if found := jargon_in(people_text(response.content.decode()), published):
            problems[pk] = found
    assert problems == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    [
        "/contracts/",
        "/contracts/?all=1",
        "/contracts/?all=1&page=2",
        "/contracts/?status=active",
        "/organisations/",
        "/compare/?service_type=home-care",
    ],
)
def test_lists_and_compare_speak_peoples_words(client, demo, address):
    response = client.get(address)
    assert response.status_code == 200
    assert jargon_in(people_text(response.content.decode()), published_in_registry()) == []


@pytest.mark.django_db
def test_a_comparison_of_chosen_contracts_speaks_peoples_words(client, demo):
    ocids = list(Process.objects.filter(is_invented=True).order_by("ocid").values_list("ocid", flat=True))[:3]
    assert len(ocids) == 3
    response = client.get(reverse("explore:compare"), {"ocid": ocids})
    assert response.status_code == 200
    assert jargon_in(people_text(response.content.decode()), published_in_registry()) == []


@pytest.mark.django_db
def test_the_codes_are_kept_for_researchers_in_about_this_data(client, demo):
    html = client.get(reverse("explore:contract", args=["ocds-bdemo1-hc-dales"])).content.decode()
    about = lxml.html.fromstring(html).xpath("//*[@id='data']")[0].text_content()
    assert "ocds-bdemo1-hc-dales" in about
    assert "85312400" in about
    assert "buyer, payer" in about
    assert "27 releases" in about
    assert "schema errors" in about
    text = people_text(html)
    assert "The contract started on 1 April 2024 and runs to 31 March 2027." in text
    assert "Pays for the service" in text
    assert "Provides the care" in text
    assert "Method statement, page 6" in text
