"""No dead ends: every link of the demo site leads somewhere.

The crawl starts at the home page of the demo as `make run` sets it up (the demo data and its bulk downloads), and
follows every same-site link it finds (`href` and `src` of links, images and scripts, `action` of search forms), in
every language the site offers. It uses the Django test client, not a browser, so it takes seconds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from tests.builders.shared_data import shared_data

from opencare.demo.services import load_demo
from opencare.participation.selectors import feedback_opening
from opencare.registry.bulk import write_bulk_downloads
from opencare.registry.models import Process

#: At most this many pages of one URL pattern with the same query parameters (e.g. search with one facet, or
#: organisation pages), and of one URL pattern in all (search has thousands of combinations of facets): enough to meet
#: every kind of link on them.
PAGES_PER_QUERY = 8
PAGES_PER_PATTERN = 40
#: Every page about one contract (the page, its easy read version, its feedback forms, charts, CSV, record and API
#: record) is visited for every contract of the demo: these are what people reach most, and real notices differ.
EVERY_ONE = ("<str:ocid>", "<ocid>")
SITE_HOSTS = {"", "testserver"}
#: Pages whose links are read; anything else (JSON, CSV, SVG, downloads, files) only has to answer 200.
PAGE_TYPES = ("text/html", "application/atom+xml")


class _Links(HTMLParser):
    """The addresses a page links to: where a reader (or their browser) goes next."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "get").lower() != "get":
            return  # a form that changes something is sent, not followed
        for name in ("href", "src", "action"):
            if values.get(name):
                self.found.append(values[name] or "")


@dataclass
class Crawl:
    """What a crawl visited and where it found each link that does not work."""

    visited: dict[str, int] = field(default_factory=dict)
    broken: dict[str, tuple[int, set[str]]] = field(default_factory=dict)
    sign_in: set[str] = field(default_factory=set)
    skipped_over_cap: set[str] = field(default_factory=set)

    def report(self) -> str:
        """Every broken link, with its status and the pages it is found on."""
        lines = [f"{len(self.broken)} links lead nowhere:"]
        for url, (status, pages) in sorted(self.broken.items()):
            shown = ", ".join(sorted(pages)[:3]) + (f" and {len(pages) - 3} more pages" if len(pages) > 3 else "")
            lines.append(f"  {status} {url} (linked from {shown})")
        return "\n".join(lines)


def _patterns(path: str, query: str) -> tuple[str, str]:
    """What a page is an instance of: its URL pattern, and that with the names of its query parameters."""
    try:
        route = resolve(path).route
    except Resolver404:
        return path, path
    if any(part in route for part in EVERY_ONE):
        return path + "?" + query, path + "?" + query  # every one of these is visited
    names = "&".join(sorted({name for name, _ in parse_qsl(query, keep_blank_values=True)}))
    return route, route + "?" + names


def _same_site(base: str, href: str) -> str | None:
    """The site-relative address of a link, or None for links elsewhere (other sites, email, telephone)."""
    parts = urlsplit(urljoin(base, href.strip()))
    if parts.scheme not in ("http", "https", "") or parts.netloc not in SITE_HOSTS:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _needs_sign_in(location: str) -> bool:
    path = urlsplit(location).path
    return path in (reverse(django_settings.LOGIN_URL), reverse("admin:login"))


def crawl(client: Client, starts: tuple[str, ...] = ("/",), max_pages: int | None = None) -> Crawl:
    """Visit every same-site link reachable from `starts` (breadth first, at most `max_pages` if given), as a reader
    who has not signed in."""
    result = Crawl()
    found_on: dict[str, set[str]] = defaultdict(set)
    per_pattern: dict[str, int] = defaultdict(int)
    queue = list(starts)
    for start in starts:
        found_on[start].add("(start)")
    while queue and (max_pages is None or len(result.visited) < max_pages):
        url = queue.pop(0)
        if url in result.visited:
            continue
        parts = urlsplit(url)
        pattern, with_query = _patterns(parts.path, parts.query)
        if per_pattern[pattern] >= PAGES_PER_PATTERN or per_pattern[with_query] >= PAGES_PER_QUERY:
            result.skipped_over_cap.add(url)
            continue
        per_pattern[pattern] += 1
        per_pattern[with_query] += 1
        response = client.get(url)
        result.visited[url] = response.status_code
        if response.status_code in (301, 302, 303, 307, 308):
            if _needs_sign_in(response["Location"]):
                result.sign_in.add(url)
            else:
                target = _same_site(url, response["Location"])
                if target is not None:
                    found_on[target] |= found_on[url]
                    queue.append(target)
            continue
        if response.status_code >= 400:
            result.broken[url] = (response.status_code, found_on[url])
            continue
        if response.streaming:
            response.close()  # a file: it is there; its bytes are the downloads tests' business
            continue
        if response["Content-Type"].split(";")[0] not in PAGE_TYPES:
            continue
        links = _Links()
        links.feed(response.content.decode())
        for href in links.found:
            target = _same_site(url, href)
            if target is None or target == url:
                continue
            found_on[target].add(url)
            if target not in result.visited:
                queue.append(target)
    return result


def _starts() -> tuple[str, ...]:
    """The home page, and the pages only a form leads to: a search by words and comparisons (the links on them,
    e.g. to charts and CSV files, are then crawled too)."""
    invented = "&".join(
        f"ocid={ocid}" for ocid in Process.objects.filter(is_invented=True).values_list("ocid", flat=True)
    )
    return ("/", reverse("explore:contracts") + "?q=care", reverse("explore:compare") + "?service_type=home-care",
            reverse("explore:compare") + "?" + invented)  # fmt: skip


@pytest.fixture(scope="module")
def demo_made_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data and its bulk downloads, made once for the module's crawls (which only read them)."""
    folder = tmp_path_factory.mktemp("bulk")

    def build() -> None:
        load_demo()
        write_bulk_downloads(folder)

    with shared_data(django_db_blocker, build):
        yield folder


@pytest.fixture
def demo_site(demo_made_once, db, settings):
    """The demo as `make run` serves it: the demo data and its bulk downloads."""
    settings.OPENCARE_BULK_DIR = demo_made_once


@pytest.mark.parametrize("language", [code for code, _ in django_settings.LANGUAGES])
def test_every_link_of_the_demo_site_leads_to_a_page_that_works(client, demo_site, language):
    """Starting from the home page in that language (English at /, Welsh at /cy/): the language is in the address."""
    with translation.override(language):
        _crawl_every_kind_of_page(client, language)


def _crawl_every_kind_of_page(client, language: str) -> None:
    home = client.get(reverse("explore:home")).content.decode()
    assert f'<html lang="{language}"' in home  # the crawl reads the site in this language
    result = crawl(client, starts=_starts())
    assert not result.broken, result.report()
    visited = {urlsplit(url).path for url in result.visited}
    # The crawl met every kind of page, and every contract of the demo with its easy read version.
    for ocid in Process.objects.values_list("ocid", flat=True):
        assert reverse("explore:contract", args=[ocid]) in visited
        assert reverse("explore:contract_easy_read", args=[ocid]) in visited
    for name in (
        "explore:home", "explore:contracts", "explore:organisations", "explore:compare", "explore:glossary",
        "explore:about_data", "explore:downloads", "explore:feed", "standard:index", "participation:policy",
    ):  # fmt: skip
        assert reverse(name) in visited, f"the crawl never reached {reverse(name)}"
    assert any(path.startswith(reverse("explore:compare") + "charts/") for path in visited), "no comparison chart"
    assert any(url.startswith(reverse("explore:contracts") + "?") for url in result.visited), "no search facet"
    assert any(path.startswith(reverse("explore:organisations")) and path != reverse("explore:organisations")
               for path in visited)  # fmt: skip
    assert any(path.startswith("/downloads/") and path.count("/") == 2 and path != "/downloads/" for path in visited)
    assert any(path.startswith("/api/") for path in visited), "no link to the API or its documentation"
    # Every feedback form a page offers works, and one is offered wherever feedback can be given.
    open_for_feedback = [p.ocid for p in Process.objects.all() if feedback_opening(p).is_open]
    assert open_for_feedback
    for ocid in open_for_feedback:
        assert result.visited[reverse("participation:give", args=[ocid])] == 200
        assert result.visited[reverse("participation:give_easy_read", args=[ocid])] == 200


def test_the_crawl_reports_a_broken_link_with_the_page_it_is_on(client, demo_site, monkeypatch):
    """The crawl is able to fail: a page linking to an address that does not exist is reported."""
    original = _Links.handle_starttag

    def with_a_broken_link(self: _Links, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        original(self, tag, attrs)
        if tag == "main":
            self.found.append("/no-such-page/")

    monkeypatch.setattr(_Links, "handle_starttag", with_a_broken_link)
    result = crawl(client, max_pages=30)  # the home page's links come first
    assert result.broken["/no-such-page/"][0] == 404
    assert "/" in result.broken["/no-such-page/"][1]
    assert "404 /no-such-page/ (linked from /" in result.report()
