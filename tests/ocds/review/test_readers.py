"""read_ocds: every input shape is recognised, every broken input is refused with a clear InputError."""

from __future__ import annotations

import codecs
import gc
import gzip
import io
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from opencare.ocds.readers import MAX_DEPTH, InputError, OcdsInput, read_ocds
from opencare.ocds.review import review

Json = dict[str, Any]

PROPERTIES = settings(max_examples=150, deadline=None, database=None, derandomize=True)
KEYS = st.sampled_from(
    ["ocid", "id", "date", "tag", "releases", "records", "tender", "awards", "contracts", "parties", "buyer", "value",
     "amount", "currency", "awardID", "relatedLots", "lots", "targets", "observations", "unit", "measure", "period",
     "startDate", "endDate", "version", "extensions", "compiledRelease"]
) | st.text(max_size=8)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)
PACKAGES = st.builds(
    lambda releases: {"version": "1.1", "releases": releases},
    st.lists(st.dictionaries(KEYS, JSON_VALUES, max_size=5), max_size=4),
)


def release(number: int) -> Json:
    return {"ocid": f"ocds-b5fd17-{number}", "id": str(number), "date": "2024-01-01T00:00:00Z", "tag": ["tender"]}


def record(number: int) -> Json:
    return {"ocid": f"ocds-b5fd17-{number}", "releases": [release(number)]}


def lines(*values: Json, separator: str = "\n") -> bytes:
    return separator.join(json.dumps(value) for value in values).encode()


RELEASE_PACKAGE = json.dumps({"version": "1.1", "extensions": [], "releases": [release(1), release(2)]}).encode()
JSON_LINES = lines(release(1), release(2)) + b"\n"
SHAPES = {
    "release package": (RELEASE_PACKAGE, "release package", ["1", "2"]),
    "record package": (json.dumps({"records": [record(1), record(2)]}).encode(), "record package", ["1", "2"]),
    "single release": (json.dumps(release(1)).encode(), "single release", ["1"]),
    "single record": (json.dumps(record(1)).encode(), "single record", ["1"]),
    "array of releases": (json.dumps([release(1), release(2)]).encode(), "array of releases", ["1", "2"]),
    "JSON Lines": (JSON_LINES, "JSON Lines or concatenated JSON", ["1", "2"]),
    "JSON Lines with blank lines and CRLF": (
        b"\r\n" + lines(release(1), release(2), separator="\r\n\r\n"),
        "JSON Lines or concatenated JSON",
        ["1", "2"],
    ),
    "concatenated JSON": (lines(release(1), release(2), separator=""), "JSON Lines or concatenated JSON", ["1", "2"]),
    "JSON Lines of records": (lines(record(1), record(2)), "single record", ["1", "2"]),
    "concatenated release packages": (
        lines({"releases": [release(1)]}, {"releases": [release(2), release(3)]}),
        "release package",
        ["1", "2", "3"],
    ),
    "gzipped release package": (gzip.compress(RELEASE_PACKAGE), "release package", ["1", "2"]),
    "gzipped JSON Lines": (gzip.compress(JSON_LINES), "JSON Lines or concatenated JSON", ["1", "2"]),
    "release package with a UTF-8 byte order mark": (codecs.BOM_UTF8 + RELEASE_PACKAGE, "release package", ["1", "2"]),
}


def from_stream(data: bytes, tmp_path: Path) -> Any:
    return io.BytesIO(data)


def from_path(data: bytes, tmp_path: Path) -> Any:
    path = tmp_path / "data.json"
    path.write_bytes(data)
    return path


def from_path_text(data: bytes, tmp_path: Path) -> Any:
    return str(from_path(data, tmp_path))


SOURCES: dict[str, Callable[[bytes, Path], Any]] = {
    "stream": from_stream,
    "path": from_path,
    "path as text": from_path_text,
}


def item_numbers(items: list[Json]) -> list[str]:
    return [item["ocid"].removeprefix("ocds-b5fd17-") for item in items]


def read(source: Any) -> tuple[OcdsInput, list[Json]]:
    with read_ocds(source) as found:
        return found, list(found.items())


def refusal(data: bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        read(io.BytesIO(data))
    error = caught.value
    assert error.how_to_fix
    return error


def python_json_position(text: str) -> tuple[int, int]:
    with pytest.raises(json.JSONDecodeError) as caught:
        json.loads(text)
    return caught.value.lineno, caught.value.colno


def unclosed_files_after(action: Callable[[], object]) -> list[str]:
    """The ResourceWarnings of files the action left open. What existed before it is frozen out of the garbage
    collector's sight meanwhile, so the collection afterwards looks at the action's own objects only (a full one took
    half a second with the whole test process in memory)."""
    gc.freeze()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            action()
            gc.collect()
    finally:
        gc.unfreeze()
    return [str(warning.message) for warning in caught if issubclass(warning.category, ResourceWarning)]


def test_the_check_for_unclosed_files_finds_a_file_left_open_in_a_cycle(tmp_path: Path):
    """The control for unclosed_files_after: a file dropped while still open, in a reference cycle that only the
    garbage collector frees, is reported."""
    path = tmp_path / "left-open.json"
    path.write_bytes(b"{}")

    def leave_open() -> None:
        holder: dict[str, object] = {"file": open(path, "rb")}  # noqa: SIM115 - left open on purpose
        holder["self"] = holder

    assert any("left-open.json" in message for message in unclosed_files_after(leave_open))


def refused(action: Callable[[], object]) -> InputError | None:
    try:
        action()
    except InputError as error:
        return error
    return None


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_input_shape_is_recognised_and_yields_its_items(shape: str, source: str, tmp_path: Path):
    data, expected_format, expected_items = SHAPES[shape]
    found, items = read(SOURCES[source](data, tmp_path))
    assert found.format == expected_format
    assert item_numbers(items) == expected_items


@pytest.mark.parametrize(
    ("shape", "kind"),
    [("release package", "release"), ("record package", "record"), ("single record", "record"),
     ("array of releases", "release"), ("JSON Lines", "release")],
)  # fmt: skip
def test_the_kind_of_item_is_known(shape: str, kind: str):
    assert read(io.BytesIO(SHAPES[shape][0]))[0].kind == kind


def test_package_metadata_is_read_without_the_releases():
    found, _ = read(io.BytesIO(RELEASE_PACKAGE))
    assert found.metadata == {"version": "1.1", "extensions": []}


def test_package_metadata_after_the_releases_is_read_too():
    data = json.dumps({"extensions": [], "releases": [release(1)], "uri": "https://x.org", "version": "1.0"}).encode()
    found, items = read(io.BytesIO(data))
    assert found.format == "release package"
    assert found.metadata == {"extensions": [], "uri": "https://x.org", "version": "1.0"}
    assert item_numbers(items) == ["1"]


def test_package_metadata_after_the_releases_is_read_when_it_ends_with_an_empty_list():
    data = json.dumps({"releases": [release(1)], "version": "1.0", "extensions": []}).encode()
    assert read(io.BytesIO(data))[0].metadata == {"version": "1.0", "extensions": []}


def test_items_can_be_read_twice():
    with read_ocds(io.BytesIO(RELEASE_PACKAGE)) as found:
        assert list(found.items()) == list(found.items())


def test_a_plain_file_on_disk_is_read_in_place(tmp_path: Path):
    path = from_path(RELEASE_PACKAGE, tmp_path)
    assert read(path)[0].path == path


def test_a_gzipped_file_on_disk_is_read_from_a_copy(tmp_path: Path):
    found, items = read(from_path(gzip.compress(RELEASE_PACKAGE), tmp_path))
    assert found.path is None
    assert item_numbers(items) == ["1", "2"]


def test_a_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(JSON_LINES)))
    found, items = read("-")
    assert found.format == "JSON Lines or concatenated JSON"
    assert item_numbers(items) == ["1", "2"]


def test_a_missing_file_is_refused(tmp_path: Path):
    with pytest.raises(InputError, match="There is no file"):
        read_ocds(tmp_path / "missing.json")


@pytest.mark.parametrize("data", [b"", b" \n\t\r\n "], ids=["empty", "whitespace only"])
def test_an_empty_file_is_refused(data: bytes, tmp_path: Path):
    with pytest.raises(InputError, match="The file is empty"):
        read_ocds(from_path(data, tmp_path))
    assert refusal(data).message == "The file is empty"


def test_a_byte_order_mark_alone_is_an_empty_file():
    assert refusal(codecs.BOM_UTF8 + b"\n").message == "The file is empty"


MISSING_COMMA = '{\n  "version": "1.1",\n  "uri": "https://example.org/ocds.json" "releases": []\n}'


def test_a_missing_comma_is_reported_on_its_line():
    error = refusal(MISSING_COMMA.encode())
    assert error.message == "The file is not valid JSON: a comma or a closing } is missing in an object"
    assert error.line == 3
    assert error.column is not None
    assert "(line 3, column " in str(error)


def test_a_missing_comma_is_reported_at_the_column_where_the_next_value_starts():
    error = refusal(MISSING_COMMA.encode())
    assert (error.line, error.column) == python_json_position(MISSING_COMMA)


def test_a_missing_comma_between_releases_is_reported_on_its_line():
    text = '{\n  "releases": [\n    {"ocid": "ocds-b5fd17-1"}\n    {"ocid": "ocds-b5fd17-2"}\n  ]\n}'
    error = refusal(text.encode())
    assert error.message == "The file is not valid JSON: a comma or a closing ] is missing in a list"
    assert error.line == 4


def test_a_truncated_file_is_reported_at_its_end():
    text = json.dumps({"releases": [release(1), release(2)]}, indent=2)
    cut = text[: text.index('"ocid": "ocds-b5fd17-2"') + 10]
    error = refusal(cut.encode())
    assert "ends too early" in error.message
    assert error.line == cut.count("\n") + 1
    assert error.column == len(cut.rsplit("\n", 1)[-1]) + 1


def test_a_truncated_gzip_file_is_refused():
    assert "gzip data is damaged or cut short" in refusal(gzip.compress(RELEASE_PACKAGE)[:-6]).message


def test_a_latin_1_byte_is_reported_with_its_line_and_column():
    data = b'{"releases": [\n  {"ocid": "ocds-b5fd17-1", "title": "Caf\xe9 services"}\n]}'
    error = refusal(data)
    assert error.message.startswith("The file is not valid UTF-8")
    assert "0xe9" in error.message
    assert (error.line, error.column) == (2, data.split(b"\n")[1].index(b"\xe9") + 1)
    assert "Latin-1" in error.how_to_fix


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("UTF-16", RELEASE_PACKAGE.decode().encode("utf-16")),
        ("UTF-16", codecs.BOM_UTF16_BE + RELEASE_PACKAGE.decode().encode("utf-16-be")),
        ("UTF-32", RELEASE_PACKAGE.decode().encode("utf-32")),
    ],
    ids=["UTF-16 little-endian", "UTF-16 big-endian", "UTF-32"],
)
def test_a_file_in_utf_16_or_utf_32_is_refused(name: str, data: bytes):
    error = refusal(data)
    assert error.message == f"The file is encoded as {name}, not UTF-8"
    assert "UTF-8" in error.how_to_fix


@pytest.mark.parametrize("data", [b'"a release"', b"42", b"true", b"null"])
def test_a_bare_json_value_at_the_top_is_refused(data: bytes):
    error = refusal(data)
    assert error.message.startswith("The data starts with ")
    assert "{ or [" in error.message


def test_an_object_that_is_not_ocds_is_refused():
    error = refusal(b'{"name": "Borsetdale", "contracts": 12}')
    assert "not an OCDS package, release or record" in error.message


def test_nesting_to_the_limit_is_accepted():
    depth = MAX_DEPTH - 3  # inside the package, its releases array and the release
    data = b'{"releases": [{"ocid": "x", "deep": ' + b"[" * depth + b"]" * depth + b"}]}"
    assert len(read(io.BytesIO(data))[1]) == 1


@pytest.mark.parametrize(
    "level",
    [b"[", b'{"a": ', b'["]", ', b'["\\"]", ', b'{"]}": ', b'["\\\\", '],
    ids=[
        "arrays",
        "objects",
        "a string ] at each level",
        "an escaped quote and ]",
        "a key ]}",
        "an escaped backslash",
    ],
)
def test_nesting_deeper_than_the_limit_is_refused(level: bytes):
    closer = b"]" if level.startswith(b"[") else b"}"
    depth = MAX_DEPTH + 1
    data = b'{"releases": [' + level * depth + b"1" + closer * depth + b"]}"
    assert (
        refusal(data).message
        == f"The data is nested more than {MAX_DEPTH} levels deep (arrays and objects inside each other)"
    )


def test_deep_nesting_split_across_read_chunks_is_refused():
    data = b'{"releases": [' + b" " * (1 << 16) + b'["]", ' * (MAX_DEPTH + 1) + b"1" + b"]" * (MAX_DEPTH + 1) + b"]}"
    assert "nested more than" in refusal(data).message


@pytest.mark.parametrize(
    ("word", "explained"),
    [(b"NaN", "NaN, Infinity"), (b"Infinity", "NaN, Infinity"), (b"-Infinity", "a digit is required after the minus")],
)
def test_nan_and_infinity_are_refused(word: bytes, explained: str):
    data = b'{"releases": [\n  {"ocid": "ocds-b5fd17-1", "value": ' + word + b"}\n]}"
    error = refusal(data)
    assert explained in error.message
    assert error.line == 2


def test_a_release_that_is_a_number_is_refused():
    error = refusal(b'{"releases": [' + json.dumps(release(1)).encode() + b", 5]}")
    assert error.message == "Found a number where a release (a JSON object) should be"


def test_a_line_that_is_not_an_object_is_refused():
    error = refusal(lines(release(1)) + b'\n"two"\n')
    assert error.message == "Found a string in a stream of JSON values where an object should be"


def test_text_after_the_package_is_refused():
    assert "JSON does not allow" in refusal(RELEASE_PACKAGE + b" and more").message


def test_reading_a_stream_and_closing_the_input_deletes_its_temporary_copy():
    assert unclosed_files_after(lambda: read(io.BytesIO(RELEASE_PACKAGE))) == []


def test_reviewing_a_stream_deletes_its_temporary_copy():
    assert unclosed_files_after(lambda: review(io.BytesIO(RELEASE_PACKAGE))) == []


def test_reading_a_gzipped_file_closes_it(tmp_path: Path):
    path = from_path(gzip.compress(RELEASE_PACKAGE), tmp_path)
    assert unclosed_files_after(lambda: read(path)) == []


def test_reviewing_a_plain_file_closes_it(tmp_path: Path):
    path = from_path(RELEASE_PACKAGE, tmp_path)
    assert unclosed_files_after(lambda: review(path)) == []


@pytest.mark.parametrize(
    "data",
    [b"", b'{"name": "Borsetdale"}', b'{"version" "1.1"}', b'{"uri": ' + b"[" * (MAX_DEPTH + 1)],
    ids=["empty", "not OCDS", "invalid JSON", "too deep"],
)
def test_refusing_a_stream_deletes_its_temporary_copy(data: bytes):
    assert unclosed_files_after(lambda: refused(lambda: read_ocds(io.BytesIO(data)))) == []


def read_or_refuse(data: bytes) -> None:
    error = refused(lambda: read(io.BytesIO(data)))
    assert error is None or error.message


def review_or_refuse(data: bytes) -> None:
    error = refused(lambda: review(io.BytesIO(data)).as_json())
    assert error is None or error.message


def truncated(value: Any, fraction: float) -> bytes:
    data = json.dumps(value).encode()
    return data[: int(len(data) * fraction)]


@PROPERTIES
@given(PACKAGES | JSON_VALUES)
def test_any_json_is_read_or_refused_with_an_input_error(value: Any):
    read_or_refuse(json.dumps(value).encode())


@PROPERTIES
@given(PACKAGES | JSON_VALUES)
@example({"ocid": "ocds-b5fd17-1", "id": ["1"]})
def test_any_json_is_reviewed_or_refused_with_an_input_error(value: Any):
    review_or_refuse(json.dumps(value).encode())


@PROPERTIES
@given(st.binary())
def test_any_bytes_are_read_or_refused_with_an_input_error(data: bytes):
    read_or_refuse(data)


@PROPERTIES
@given(st.binary())
def test_any_bytes_are_reviewed_or_refused_with_an_input_error(data: bytes):
    review_or_refuse(data)


@PROPERTIES
@given(PACKAGES | JSON_VALUES, st.floats(0, 1, exclude_max=True))
def test_truncated_json_is_read_or_refused_with_an_input_error(value: Any, fraction: float):
    read_or_refuse(truncated(value, fraction))


@PROPERTIES
@given(PACKAGES | JSON_VALUES, st.floats(0, 1, exclude_max=True))
def test_truncated_json_is_reviewed_or_refused_with_an_input_error(value: Any, fraction: float):
    review_or_refuse(truncated(value, fraction))


def test_an_input_error_survives_the_pipe_from_a_worker_process():
    import pickle

    error = InputError("The file is empty", how_to_fix="Re-export it.", line=3, column=7)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.message, copy.how_to_fix, copy.line, copy.column) == ("The file is empty", "Re-export it.", 3, 7)
