"""The hostile-input corpus: every entry point that takes input, given input meant to break it.

Each case proves four things: the answer is a refusal (a 4xx on the web and the API, exit status 2 from the
command line), it says in words a person would read what is wrong (and where, when there is a where), it carries no
traceback, and nothing was half-written (rows and files are counted before and after). SQL-injection cases also
prove the data is all still there.

| Module | Entry point | Cases |
| --- | --- | ---: |
| test_cli_review_compile.py | `opencare review`, `opencare compile` | 49 |
| test_cli_import.py | `opencare import`, `opencare import-cqc` | 32 |
| test_cli_harvest.py | `opencare harvest`: its options and what the source answers | 10 |
| test_web_review.py | `/review/` and `POST /api/review` | 20 |
| test_publishing.py | `POST /api/publish/...` with a token, the publishing forms' uploads | 35 |
| test_feedback.py | the feedback form | 8 |
| test_query_parameters.py | search and filter parameters of the pages, the OCDS API lists and the Atom feed | 51 |
| test_http.py | methods, headers, bodies and content types, in Django and through gunicorn | 60 |
| **All** | | **265** |

A case is one test as pytest collects it; a case of test_query_parameters.py sends each of its five injection
strings in turn (205 requests in all). Each module's docstring lists its cases, and
`pytest tests/hostile --collect-only -q` every one. Small inputs are
files in `corpus/`; large ones (bombs, 10,000-level nesting, huge strings) are made when a test runs.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from tests.builders.shared_data import shared_data

CORPUS = Path(__file__).parent / "corpus"
#: What a traceback or a debug page leaves in a body or in a command's output.
TRACEBACK_MARKS = (
    "Traceback (most recent call last)",
    'File "/',
    "django.db.utils",
    "Exception Value:",
    "Internal Server Error",
)
#: The injection strings every search and filter parameter is given.
SQL_INJECTIONS = ("' OR 1=1 --", "1; DROP TABLE registry_release", "%00", "\x00", "x" * 100_000)


def readable(text: str) -> str:
    """Text as a person reads it: entities unescaped, tags dropped, white space (and line wrapping) collapsed."""
    text = re.sub(r"<[^>]+>", " ", html.unescape(text))
    return " ".join(text.split())


def assert_no_traceback(text: str) -> None:
    for mark in TRACEBACK_MARKS:
        assert mark not in text, f"{mark!r} in the answer"


def _saying(body: str, words: tuple[str, ...]) -> str:
    """The body as a person reads it, asserting it says every word and holds no traceback."""
    shown = readable(body)
    for word in words:
        assert word in shown, f"{word!r} not in {shown[:800]!r}"
    assert_no_traceback(body)
    return shown


def assert_refused(response, status: int | tuple[int, ...], *words: str) -> str:
    """A 4xx (the status given, or one of them) whose body says the words, with no traceback. Returns the body."""
    body = response.content.decode("utf-8", "replace")
    expected = (status,) if isinstance(status, int) else status
    assert response.status_code in expected, (response.status_code, body[:500])
    assert 400 <= response.status_code < 500
    return _saying(body, words)


def assert_answered(response, *words: str) -> str:
    """Not a refusal but an answer (2xx), with the words and no traceback: for input that is harmless as it is."""
    body = response.content.decode("utf-8", "replace")
    assert 200 <= response.status_code < 300, (response.status_code, body[:500])
    return _saying(body, words)


def assert_exit_2(result, *words: str) -> str:
    """A click result: exit status 2, the words in its output (stdout and stderr), no traceback, no exception."""
    output = result.output
    assert result.exit_code == 2, (result.exit_code, output[-2000:], result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    shown = " ".join(output.split())
    for word in words:
        assert word in shown, f"{word!r} not in {shown[-1500:]!r}"
    assert_no_traceback(output)
    return shown


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def _store_borsetdale() -> None:
    from opencare.demo.borsetdale import borsetdale_release_package
    from opencare.registry.services import get_or_create_source, store_release_package

    source = get_or_create_source(key="demo:borsetdale", title="Borsetdale (invented)", is_invented=True)
    store_release_package(package=borsetdale_release_package(), source=source)


@pytest.fixture(scope="module")
def borsetdale_for_the_module(django_db_setup, django_db_blocker):
    """The Borsetdale data, stored once for the module and rolled back after it (tests.builders.shared_data)."""
    with shared_data(django_db_blocker, _store_borsetdale):
        yield


@pytest.fixture
def borsetdale(borsetdale_for_the_module, db):
    """The invented Borsetdale and Wendmoor contracts (4 processes, 108 releases, metrics, organisations): enough
    data to search, compare and page through. Stored once per module; what a test writes is rolled back after it."""


def registry_rows() -> dict[str, int]:
    """How many rows the registry's main tables hold."""
    from opencare.registry.models import Organisation, Process, Release

    return {table.__name__: table.objects.count() for table in (Release, Process, Organisation)}


@pytest.fixture
def publishing(db, settings):
    """The invented contract Borsetdale buys from Moorside, the demo accounts, and API tokens for Borsetdale
    Council (the buyer) and Moorside (a provider), with the contract Moorside provides there."""
    from django.contrib.auth import get_user_model
    from tests.builders.processes import NORTH, stored_borsetdale

    from opencare.demo.accounts import create_demo_accounts
    from opencare.demo.borsetdale import COUNCIL, MOORSIDE
    from opencare.publishing.models import Publisher
    from opencare.publishing.tokens import create_token
    from opencare.registry.selectors import parts_played_by, process_by_ocid

    settings.OPENCARE_DEMO_ACCOUNTS = True
    stored_borsetdale(NORTH)  # the contract Borsetdale buys from Moorside: all these tests need of the demo
    create_demo_accounts()
    users = get_user_model().objects
    council = Publisher.objects.get(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
    provider = Publisher.objects.get(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident)
    scopes = ["releases", "actuals"]
    _, council_token = create_token(
        user=users.get(username="commissioner"), publisher=council, name="c", scopes=scopes
    )
    _, provider_token = create_token(user=users.get(username="provider"), publisher=provider, name="p", scopes=scopes)
    supplied = {part.process.ocid for part in parts_played_by(scheme=MOORSIDE.scheme, identifier=MOORSIDE.ident)}
    ocid = next(part.process.ocid for part in parts_played_by(scheme=COUNCIL.scheme, identifier=COUNCIL.ident)
                if part.process.ocid in supplied)  # fmt: skip
    compiled = process_by_ocid(ocid=ocid).compiled_release
    suppliers = {award["id"]: [s.get("id") for s in award.get("suppliers", [])] for award in compiled["awards"]}
    contract = next(c for c in compiled["contracts"] if provider.party_id in suppliers[c["awardID"]])
    return {"council": council, "provider": provider, "council_token": council_token,
            "provider_token": provider_token, "ocid": ocid, "compiled": compiled, "contract": contract}  # fmt: skip


def signed_in(client, username: str):
    """The client signed in as a demo user."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client
