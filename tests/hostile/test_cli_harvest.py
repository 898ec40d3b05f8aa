"""`opencare harvest` given hostile options and hostile answers from the source: exit status 2 saying what is wrong
and where, no traceback, and not one row stored (rows of the registry's main tables are counted).

Cases (10): an unknown source; a --since that is no date; a --since with an SQL injection; a --since after --until;
a --base-url that is a file, and one that is JavaScript; a source answering 404; a source answering an HTML page;
a page nested 10,000 levels deep; a page that is a bare number.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from opencare.cli import main

from ..harvest.replay import Replay, Scripted, fts_pages  # noqa: TID252 (the harvest tests' replay server)
from .conftest import assert_exit_2, registry_rows

pytestmark = pytest.mark.django_db
WINDOW = ("--since", "2026-09-03", "--until", "2026-09-03T06:00")


@pytest.fixture
def nothing_stored():
    before = registry_rows()
    yield
    assert registry_rows() == before


def invoke(*arguments: str):
    return CliRunner(env={"COLUMNS": "10000"}).invoke(main, ["harvest", *arguments, "--no-bulk"])


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (("tenders-r-us",), ("Invalid value for 'SOURCE'", "find-a-tender")),
        (("find-a-tender", "--since", "yesterday"), ("Invalid value for '--since'", "yesterday")),
        (
            ("find-a-tender", "--since", "2026-01-01'; DROP TABLE registry_release; --"),
            ("Invalid value for '--since'",),
        ),
        (("find-a-tender", "--since", "2026-09-04", "--until", "2026-09-03"), ("is not before --until",)),
        (("find-a-tender", "--base-url", "file:///etc/passwd"), ("is not a web address", "How to fix it")),
        (("find-a-tender", "--base-url", "javascript:alert(1)"), ("is not a web address",)),
    ],
    ids=["unknown source", "since not a date", "since with SQL", "since after until", "file URL", "javascript URL"],
)
def test_hostile_options_exit_2_with_a_message(nothing_stored, arguments, words):
    assert_exit_2(invoke(*arguments), *words)


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (Scripted(404), ("Could not read Find a Tender at http://127.0.0.1", "HTTP 404", "How to fix it")),
        (Scripted(200, body=b"<html>Down for maintenance</html>"), ("gave a page that cannot be read", "'<'")),
        (Scripted(200, body=b'{"releases": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"), ("cannot be read", "nest")),
        (Scripted(200, body=b"42"), ("gave a page that cannot be read",)),
    ],
    ids=["404", "an HTML page", "nesting 10,000 deep", "a bare number"],
)
def test_a_source_that_cannot_be_read_exits_2_and_stores_nothing(nothing_stored, answer, words):
    with Replay(fts_pages(), prefix="/api/1.0") as server:
        server.script.append(answer)
        result = invoke("find-a-tender", "--base-url", server.base_url, *WINDOW)
    assert_exit_2(result, *words)
