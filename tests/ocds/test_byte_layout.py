"""Package files read a chunk at a time (opencare.ocds.byte_layout): exactly the items the streaming parser gives,
and anything orjson cannot take is left to the streaming parser, which explains it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ijson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencare.ocds import byte_layout
from opencare.ocds.byte_layout import LAYOUT_BUFFER, items_in_chunks, top_level_values
from opencare.ocds.readers import InputError, half, read_ocds

PROPERTIES = settings(max_examples=120, deadline=None, database=None, derandomize=True)
# Text that looks like the end of an item to a careless scanner: braces, commas, quotes and backslashes.
TRICKY_TEXT = st.text(alphabet='},{[]"\\ \nab\u00e9\u2603', max_size=12)
NUMBERS = st.integers(-(2**62), 2**62) | st.floats(allow_nan=False, allow_infinity=False)
SCALARS = st.none() | st.booleans() | NUMBERS | TRICKY_TEXT
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TRICKY_TEXT, children, max_size=4),
    max_leaves=20,
)
RELEASES = st.lists(st.dictionaries(st.sampled_from(["ocid", "id", "tender", "parties", "x"]), VALUES, max_size=4),
                    max_size=8)  # fmt: skip


def _package(path: Path, releases: list[Any], *, indent: int | None = None) -> Path:
    path.write_text(json.dumps({"version": "1.1", "releases": releases}, indent=indent), encoding="utf-8")
    return path


def _streamed(path: Path) -> list[Any]:
    with path.open("rb") as handle:
        return list(ijson.items(handle, "releases.item", use_float=True))


SMALL_CHUNK = 16  # bytes: every test file is cut in many places


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(byte_layout, "ITEMS_CHUNK", SMALL_CHUNK)


@PROPERTIES
@given(releases=RELEASES, indent=st.sampled_from([None, 1, 4]))
def test_items_read_a_chunk_at_a_time_are_exactly_those_the_streaming_parser_gives(
    releases: list[Any], indent: int | None, tmp_path_factory: pytest.TempPathFactory
):
    path = _package(tmp_path_factory.mktemp("chunks") / "package.json", releases, indent=indent)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(byte_layout, "ITEMS_CHUNK", SMALL_CHUNK)
        data = read_ocds(path)
        assert data.items_range is not None  # the chunked path is the one taken
        assert list(items_in_chunks(path, *data.items_range)) == _streamed(path)
        assert list(data.items()) == _streamed(path)


@PROPERTIES
@given(releases=RELEASES)
def test_both_halves_of_a_split_package_read_in_chunks_give_every_item_once(
    releases: list[Any], tmp_path_factory: pytest.TempPathFactory
):
    releases = [{"ocid": f"ocds-x-{number}", **release} for number, release in enumerate(releases)]
    path = _package(tmp_path_factory.mktemp("halves") / "package.json", releases)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(byte_layout, "ITEMS_CHUNK", SMALL_CHUNK)
        data = read_ocds(path)
        if data.split is None:
            return
        first, second = half(data, data.split, first=True), half(data, data.split, first=False)
        assert list(first.items()) + list(second.items()) == _streamed(path)


def test_a_broken_release_in_a_later_chunk_is_explained_at_its_line(tmp_path: Path, small_chunks: None):
    good = ",\n".join(json.dumps({"ocid": f"ocds-x-{number}", "id": str(number)}) for number in range(20))
    path = tmp_path / "package.json"
    path.write_text('{"version": "1.1", "releases": [\n' + good + ',\n{"ocid": "ocds-x-20" "id": "20"}\n]}\n')
    data = read_ocds(path)
    given = []
    with pytest.raises(InputError) as refused:
        given.extend(data.items())
    assert [release["id"] for release in given] == [str(number) for number in range(20)]  # each once, in order
    assert refused.value.line == 22
    assert "comma" in refused.value.message


def test_a_number_too_big_for_orjson_is_read_as_the_streaming_parser_reads_it(tmp_path: Path, small_chunks: None):
    releases = [{"ocid": "ocds-x-1", "id": "1"}, {"ocid": "ocds-x-2", "value": {"amount": 2**70}}]
    path = _package(tmp_path / "package.json", releases)
    assert list(read_ocds(path).items()) == releases


def test_an_item_that_is_not_an_object_is_refused_as_the_streaming_parser_refuses_it(tmp_path: Path):
    path = _package(tmp_path / "package.json", [{"ocid": "ocds-x-1"}, 5])
    with pytest.raises(InputError, match="Found a number where a release"):
        list(read_ocds(path).items())


def test_text_after_a_package_on_disk_is_left_to_the_streaming_parser(tmp_path: Path):
    path = tmp_path / "package.json"
    path.write_text('{"version": "1.1", "releases": [{"ocid": "ocds-x-1"}]} and more')
    data = read_ocds(path)
    assert data.items_range is None
    with pytest.raises(InputError, match="not valid JSON"):
        list(data.items())


def test_an_escaped_quote_cut_by_the_layout_buffer_does_not_confuse_the_layout(tmp_path: Path):
    """A backslash as the last byte of a read, escaping a quote that is the first byte of the next read."""
    opening = b'{"version": "1.1", "releases": [{"ocid": "ocds-x-1", "description": "'
    filler = b"a" * (LAYOUT_BUFFER - len(opening) - 1)
    text = opening + filler + b'\\" }, {\\" still text"}, {"ocid": "ocds-x-2"}], "uri": "https://example.org"}'
    path = tmp_path / "package.json"
    path.write_bytes(text)
    assert text[LAYOUT_BUFFER - 1 : LAYOUT_BUFFER + 1] == b'\\"'
    layout = top_level_values(path)
    assert [key for key, _, _ in layout.values] == ["version", "releases", "uri"]
    assert layout.single_value
    data = read_ocds(path)
    assert data.metadata["uri"] == "https://example.org"
    assert [release["ocid"] for release in data.items()] == ["ocds-x-1", "ocds-x-2"]


def test_an_escaped_quote_cut_between_the_pieces_read_exactly_does_not_confuse_the_top_level(tmp_path: Path):
    """The top level of a chunk is read byte by byte in pieces of EXACT_PIECE bytes: an escape pair cut between two
    of them stays one."""
    opening = b'{"version": "1.1", "uri": "'
    filler = b"u" * (byte_layout.EXACT_PIECE - len(opening) - 1)
    quoted = b'\\", \\"releases\\": [\\"not a key\\"]"'  # a uri holding what looks like a key, escaped
    text = opening + filler + quoted + b', "publisher": {"name": "P"}, "releases": [{"ocid": "ocds-x-1"}]}'
    path = tmp_path / "package.json"
    path.write_bytes(text)
    assert text[byte_layout.EXACT_PIECE - 1 : byte_layout.EXACT_PIECE + 1] == b'\\"'
    layout = top_level_values(path)
    assert [key for key, _, _ in layout.values] == ["version", "uri", "publisher", "releases"]
    data = read_ocds(path)
    assert data.metadata["publisher"] == {"name": "P"}
    assert [release["ocid"] for release in data.items()] == ["ocds-x-1"]


def test_a_large_package_is_split_between_two_releases_and_its_halves_give_every_release_once(tmp_path: Path):
    releases = [{"ocid": f"ocds-x-{number}", "description": 'text with "quotes", {braces} and \\ ' * 20}
                for number in range(400)]  # fmt: skip
    path = _package(tmp_path / "package.json", releases, indent=2)
    data = read_ocds(path)
    assert path.stat().st_size > 4 * LAYOUT_BUFFER
    assert data.split is not None
    text = path.read_bytes()
    assert text[: data.split].rstrip().endswith(b",")
    assert text[data.split :].lstrip().startswith(b"{")
    first, second = half(data, data.split, first=True), half(data, data.split, first=False)
    assert list(first.items()) + list(second.items()) == releases
