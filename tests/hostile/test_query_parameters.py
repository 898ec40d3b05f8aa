"""Every search and filter parameter of the public pages, the OCDS API and the Atom feed, given SQL-injection strings
(`' OR 1=1 --`, `1; DROP TABLE registry_release`, `%00`, a NUL character, 100,000 characters).

A free-text parameter treats them as the words to look for: the page or package answers (2xx) and finds nothing,
because no contract holds those words; refusing them would refuse "Carers' support". A typed parameter (a date, a
choice, a number, true or false) refuses them with a 4xx that names the parameter. Text too long to be a search
(over 200 characters) is refused by the search page and the API, and cut to 200 characters by the organisations page
and the feed. The feed, which a feed reader shows no error from, ignores a CPV code that is not digits (as
tests/explore/test_feed.py proves) rather than refusing it. In every case: no 500, no traceback, and every row of the
registry is still there afterwards.

Cases (51): 41 parameters, each given the 5 strings in turn — 14 of the pages (/contracts/ 9, /compare/ 2, its CSV
1, /organisations/ 2), 10 of /api/releases, 10 of /api/records, 3 of /api/organisations and 4 of the Atom feed; text
over 200 characters on 4 addresses; a page number past the end; a negative and a 40-digit cursor; a 40-digit
organisation number in the API and on the page; and 10,000 repeats of one parameter.
"""

from __future__ import annotations

import re

import pytest

from opencare.ocds.everyday_words import normalise

from .conftest import SQL_INJECTIONS, assert_no_traceback, readable, registry_rows

pytestmark = pytest.mark.django_db

API_FILTERS = ["buyer", "supplier", "cpv", "q", "social_care", "date_from", "date_to", "updated_since", "cursor",
               "limit"]  # fmt: skip
PARAMETERS = [
    *(("/contracts/", name) for name in ["q", "buyer", "supplier", "service_type", "status", "signal", "running_from",
                                         "running_to", "page"]),
    ("/compare/", "ocid"), ("/compare/", "service_type"), ("/compare/comparison.csv", "ocid"),
    ("/organisations/", "q"), ("/organisations/", "page"),
    *(("/api/releases", name) for name in API_FILTERS),
    *(("/api/records", name) for name in API_FILTERS),
    *(("/api/organisations", name) for name in ["q", "cursor", "limit"]),
    *(("/feeds/processes.atom", name) for name in ["buyer", "supplier", "cpv", "social_care"]),
]  # fmt: skip
#: What a refusal of each kind of parameter says (under its name, if it has one).
REFUSAL_WORDS = {
    "/contracts/": "There is a problem",
    "/compare/": "There is a problem",
    "/compare/comparison.csv": "Choose 2 to 10 contracts",
    "/organisations/": "There is a problem",
    "/api/releases": "",
    "/api/records": "",
    "/api/organisations": "",
}
TEXT_LIMIT = 200
#: The addresses whose `q` is the one search in everyday words (registry.search), and the demo's contracts' OCIDs.
WORD_SEARCHES = {"/contracts/", "/api/releases", "/api/records"}
DEMO_OCID = re.compile(r"ocds-bdemo1-[a-z0-9-]+")


def answer_to(client, url: str, name: str, value: str):
    response = client.get(url, {name: value})
    assert response.status_code < 500
    return response


@pytest.mark.parametrize(("url", "name"), PARAMETERS, ids=[f"{url}?{name}" for url, name in PARAMETERS])
def test_sql_injection_in_a_parameter_is_text_or_a_clear_4xx_and_the_data_is_all_there(borsetdale, client, url, name):
    before = registry_rows()
    for value in SQL_INJECTIONS:
        response = answer_to(client, url, name, value)
        body = response.content.decode("utf-8", "replace")
        assert_no_traceback(body)
        shown = readable(body)
        if response.status_code >= 400:
            assert 400 <= response.status_code < 500
            if url.startswith("/api/"):  # ninja's validation names the parameter; ours says what to send
                assert name in body or "must" in body or "is not" in body, body[:300]
            else:
                assert REFUSAL_WORDS[url] in shown, shown[:500]
        elif name == "q" and url in WORD_SEARCHES:
            # Searched as the words it holds (punctuation is not a word): the same contracts as those words alone,
            # so the quotes, "=" and "--" changed nothing.
            words = " ".join(normalise(value))
            assert DEMO_OCID.findall(body) == DEMO_OCID.findall(answer_to(client, url, name, words).content.decode())
        elif value != "\x00" and (url, name) != ("/feeds/processes.atom", "cpv"):
            # (the API and the feed drop a NUL, as no text holds one, so the filter is empty; see above for the cpv)
            assert "ocds-bdemo1-hc-north" not in body or name in {"cursor", "limit", "page", "social_care"}, (
                f"{url}?{name}={value[:20]!r} matched a contract"
            )
    assert registry_rows() == before


@pytest.mark.parametrize("url", ["/contracts/?q=", "/api/releases?q=", "/api/records?buyer=", "/api/organisations?q="])
def test_text_longer_than_a_search_is_refused_naming_the_limit(borsetdale, client, url):
    response = client.get(url + "x" * (TEXT_LIMIT + 1))
    assert response.status_code == 400, response.content[:300]
    shown = readable(response.content.decode())
    assert "200 characters" in shown
    assert_no_traceback(shown)


def test_a_page_number_past_the_end_shows_the_last_page(borsetdale, client):
    response = client.get("/contracts/", {"page": "99999999999999999999"})
    assert response.status_code == 200


@pytest.mark.parametrize("cursor", ["-1", "9" * 40])
def test_a_negative_or_40_digit_cursor_is_answered_or_refused_never_a_500(borsetdale, client, cursor):
    for url in ("/api/releases", "/api/records", "/api/organisations"):
        response = client.get(url, {"cursor": cursor})
        assert response.status_code in (200, 400, 422), (url, response.content[:300])
        assert_no_traceback(response.content.decode())


@pytest.mark.parametrize("url", ["/api/organisations/" + "9" * 40, "/organisations/" + "9" * 40 + "/"])
def test_a_40_digit_organisation_number_is_not_found(borsetdale, client, url):
    response = client.get(url)
    assert response.status_code in (404, 422)
    assert_no_traceback(response.content.decode())


def test_10000_repeats_of_a_parameter_are_refused(borsetdale, client):
    response = client.get("/contracts/?" + "&".join(["q=care"] * 10_000))
    assert response.status_code == 400
    assert "too many fields" in readable(response.content.decode())
