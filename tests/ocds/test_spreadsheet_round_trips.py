"""JSON → spreadsheet → JSON in the full-profile layout gives the same releases back, for releases hypothesis builds
from the social-care profile's release schema (issue 18: "--full: always").

What counts as "the same" is what the package's docstring (opencare.ocds.spreadsheets) promises, and nothing more
lenient. The deliberate, documented normalisations the comparison allows are:

- empty lists and empty objects are dropped (a blank cell means "no value"); the strategy never makes empty strings
  or nulls, so they need no allowance;
- releases come back grouped by ocid (in the order each ocid first appears), in order within each ocid.

And the documented limitations the strategy stays clear of, rather than hiding them in the comparison:

- a string in a list of strings never contains ";" (it separates the items of a cell);
- objects in a list always have an ``id``, unique in their list (objects with the same id in one list are merged);
- strings hold no control characters (XLSX cannot store them); numbers have few digits (no 64-bit overflows);
- ids are strings (CSV gives an integer id in a text-or-integer field back as text).

Numbers are written into the JSON with their own digits ("12.50", "2.0"), as a publisher's file has them; the JSON
values compared are what ``json.loads`` makes of them, with their int/float kind.
"""

from __future__ import annotations

import json
import tempfile
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencare.ocds.profile import social_care_profile
from opencare.ocds.spreadsheets import json_to_spreadsheet, spreadsheet_to_json

Json = dict[str, Any]
SUFFIX = {"xlsx": ".xlsx", "csv": ".zip"}
#: The full layout writes XLSX and CSV zips; ODS is read only (json_to_spreadsheet refuses "ods").
FORMATS = tuple(SUFFIX)
#: How deep objects go below a release: deeper properties that are objects or lists of objects are left out, so
#: examples stay small while still reaching lists in lists (contracts/implementation/metrics/observations).
MAX_DEPTH = 4
#: At most this many properties of each object, so an example is a few dozen cells, not thousands.
MAX_PROPERTIES = 4
#: Strings a spreadsheet program (or a careless reader) would take for something else.
AWKWARD_STRINGS = ["=1+2", "+44 1234", "-x", "@SUM(1)", "'quoted", "007", "12.50", "2.0", "1e5", "TRUE", "false",
                   "Cymraeg ŵ", "Ŵyn £5 ✓", " spaced ", "a,b", "2024-01-01", "line 1\nline 2", "0"]  # fmt: skip
METADATA: Json = {
    "uri": "https://example.org/package.json",
    "version": "1.1",
    "publishedDate": "2024-01-01T00:00:00Z",
    "publisher": {"name": "Example council"},
}


# --- The strategy: releases from the schema --------------------------------------------------------------------------


@cache
def release_schema() -> Json:
    return social_care_profile().release_schema


def resolve(node: Json) -> Json:
    """The node a local ``$ref`` ('#/definitions/Tender') points to, followed until there is none."""
    while "$ref" in node:
        target: Any = release_schema()
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def types_of(node: Json) -> set[str]:
    """The JSON types a node allows, null left out (a node with properties and no type is an object)."""
    declared = node.get("type", [])
    types = {declared} if isinstance(declared, str) else set(declared)
    types.discard("null")
    if not types and "properties" in node:
        types = {"object"}
    return types


def text(*, in_list: bool = False) -> st.SearchStrategy[str]:
    """Non-empty printable text (no control characters: XLSX cannot store them), awkward strings often."""
    alphabet = st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn"), exclude_characters=";" if in_list else "")
    return st.one_of(st.sampled_from(AWKWARD_STRINGS), st.text(alphabet, min_size=1, max_size=10))


def decimals() -> st.SearchStrategy[Decimal]:
    """Decimals with few digits, kept with their digits ("12.50", "2.0", "0.05")."""
    return st.builds(lambda mantissa, places: Decimal(mantissa).scaleb(-places),
                     st.integers(-99_999, 99_999), st.integers(1, 3))  # fmt: skip


def numbers(node: Json) -> st.SearchStrategy[int | Decimal]:
    return st.one_of(st.integers(-(10**6), 10**6), decimals())


def integers() -> st.SearchStrategy[int]:
    return st.integers(-(10**6), 10**6)


def scalar(types: set[str], node: Json, *, in_list: bool = False) -> st.SearchStrategy[Any] | None:
    """A strategy for a plain value the types allow (text first: ids are ["string", "integer"]), or None."""
    options: list[st.SearchStrategy[Any]] = []
    if "string" in types:
        strings = text(in_list=in_list)
        enum = [value for value in node.get("enum", []) if isinstance(value, str)]
        options.append(st.one_of(st.sampled_from(enum), strings) if enum else strings)
        if "integer" in types and "number" not in types:
            return options[0]  # ids: text only (see the module docstring)
    if "number" in types:
        options.append(numbers(node))
    elif "integer" in types:
        options.append(integers())
    if "boolean" in types:
        options.append(st.booleans())
    return st.one_of(options) if options else None


@st.composite
def instance(draw: st.DrawFn, node: Json, depth: int) -> Json:
    """An object of the schema node: a random few of its properties, each a value its schema allows."""
    node = resolve(node)
    candidates = {name: resolve(prop) for name, prop in node.get("properties", {}).items()}
    candidates = {name: prop for name, prop in candidates.items() if _can_generate(prop, depth + 1)}
    names = (
        draw(st.lists(st.sampled_from(sorted(candidates)), max_size=MAX_PROPERTIES, unique=True)) if candidates else []
    )
    return {name: draw(value(candidates[name], depth + 1)) for name in names}


def _can_generate(prop: Json, depth: int) -> bool:
    types = types_of(prop)
    if "object" in types:
        return depth < MAX_DEPTH and types == {"object"}
    if "array" in types:
        items = resolve(prop.get("items", {})) if isinstance(prop.get("items"), dict) else {}
        item_types = types_of(items)
        if "object" in item_types:
            return depth < MAX_DEPTH and item_types == {"object"}
        return bool(item_types & {"string", "number", "integer"}) or not item_types
    return scalar(types, prop) is not None


def value(prop: Json, depth: int) -> st.SearchStrategy[Any]:
    """A value of a property the strategy can generate (see _can_generate)."""
    types = types_of(prop)
    if "object" in types:
        return instance(prop, depth)
    if "array" in types:
        items = resolve(prop.get("items", {})) if isinstance(prop.get("items"), dict) else {}
        item_types = types_of(items)
        if "object" in item_types:
            return objects_with_ids(items, depth)
        if "string" in item_types or not item_types:
            return st.lists(scalar({"string"}, items, in_list=True), max_size=3)  # type: ignore[arg-type]
        return st.lists(numbers(items) if "number" in item_types else integers(), max_size=3)
    found = scalar(types, prop)
    assert found is not None  # _can_generate said so
    return found


@st.composite
def objects_with_ids(draw: st.DrawFn, items: Json, depth: int) -> list[Json]:
    """0 to 3 objects of a list, each with an ``id`` of its own in the list."""
    ids = draw(st.lists(text(), max_size=3, unique=True))
    return [{**draw(instance(items, depth)), "id": each} for each in ids]


@st.composite
def release_packages(draw: st.DrawFn) -> Json:
    """A release package of 1 to 3 releases from the profile, ocids from a pool of two so some share one."""
    count = draw(st.integers(1, 3))
    release_ids = draw(st.lists(text(), min_size=count, max_size=count, unique=True))
    releases = []
    for release_id in release_ids:
        release = draw(instance(release_schema(), 0))
        release["ocid"] = draw(st.sampled_from(["ocds-abc123-1", "ocds-abc123-2"]))
        release["id"] = release_id
        releases.append(release)
    return {**METADATA, "releases": releases}


# --- Writing, reading and comparing ----------------------------------------------------------------------------------


def json_text(value: Any) -> str:
    """JSON text with each Decimal written with its own digits ("12.50"), as json.dumps cannot."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {json_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(json_text(item) for item in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def round_trip(folder: Path, source_text: str, fmt: str, *, use_titles: bool = False) -> Json:
    source = folder / "package.json"
    source.write_text(source_text, encoding="utf-8")
    sheet = folder / f"package{SUFFIX[fmt]}"
    json_to_spreadsheet(source, sheet, fmt, use_titles=use_titles)
    back = folder / "back.json"
    spreadsheet_to_json(sheet, fmt, back)
    return json.loads(back.read_text(encoding="utf-8"))


def without_empties(value: Any) -> Any:
    """The value with empty lists and objects dropped, from the inside out (a documented normalisation)."""
    if isinstance(value, dict):
        kept = {key: without_empties(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in ({}, [])}
    if isinstance(value, list):
        kept_items = [without_empties(item) for item in value]
        return [item for item in kept_items if item not in ({}, [])]
    return value


def grouped_by_ocid(releases: list[Json]) -> list[Json]:
    """Releases grouped by ocid, in the order each ocid first appears, in order within each (documented)."""
    order = list(dict.fromkeys(release["ocid"] for release in releases))
    return sorted(releases, key=lambda release: order.index(release["ocid"]))


def canonical(value: Any) -> str:
    """JSON text with sorted keys: equal only if every value, and every number's int/float kind, is equal."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def expected_back(source_text: str) -> Json:
    package = json.loads(source_text)
    package["releases"] = grouped_by_ocid([without_empties(release) for release in package["releases"]])
    return package


# --- The property ----------------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(release_packages())
def test_releases_built_from_the_profile_come_back_the_same_through_xlsx_and_csv(package):
    source_text = json_text(package)
    expected = expected_back(source_text)

    for fmt in FORMATS:
        with tempfile.TemporaryDirectory() as folder:
            back = round_trip(Path(folder), source_text, fmt)
        assert canonical(back["releases"]) == canonical(expected["releases"]), fmt
        assert canonical({k: v for k, v in back.items() if k != "releases"}) == canonical(METADATA), fmt


@settings(max_examples=15, deadline=None)
@given(release_packages())
def test_releases_built_from_the_profile_come_back_the_same_with_titles_as_headings(package):
    source_text = json_text(package)
    expected = expected_back(source_text)

    for fmt in FORMATS:
        with tempfile.TemporaryDirectory() as folder:
            back = round_trip(Path(folder), source_text, fmt, use_titles=True)
        assert canonical(back["releases"]) == canonical(expected["releases"]), fmt


# --- Regressions hypothesis found ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "release",
    [
        {"ocid": "o", "id": "1", "tender": {"items": [{"id": "i"}]}},
        {"ocid": "o", "id": "r", "awards": [{"id": "True", "agreedMetrics": [{"id": "m"}]}]},
        {
            "ocid": "o",
            "id": "r",
            "awards": [{"id": "a", "agreedMetrics": [{"id": "1", "observations": [{"id": "x"}]}]}],
        },
    ],
    ids=["release id", "award id", "metric id"],
)
def test_an_id_that_looks_like_a_number_or_boolean_keeps_its_lists_rows_in_csv_with_titles(tmp_path, release):
    # With titles, the column of the release's id (and of the objects above) on a list's sheet had no known type,
    # so "1" got an apostrophe there but not on the release's (or object's) own sheet; reading keeps an apostrophe
    # a text field does not need, so the list's rows made a second object with the id "'1".
    source_text = json.dumps({**METADATA, "releases": [release]})

    back = round_trip(tmp_path, source_text, "csv", use_titles=True)

    assert back["releases"] == [release]


@pytest.mark.parametrize("fmt", FORMATS)
def test_fields_that_share_a_title_with_another_come_back_as_themselves_with_titles(tmp_path, fmt):
    # The profile titles tender/lots/minValue and minimumValue both "Minimum value", and suppliersAdded and
    # suppliersRemoved both "Suppliers added": a title heading stood for the last, so minValue came back as
    # minimumValue and suppliersAdded as suppliersRemoved.
    release = {
        "ocid": "o",
        "id": "r",
        "tender": {
            "lots": [{"id": "l", "minValue": {"amount": 1}}],
            "lotDetails": {"maximumLotsBidPerSupplier": 2},
            "amendments": [{"id": "a", "suppliersAdded": [{"id": "s", "name": "Added"}]}],
        },
    }

    back = round_trip(tmp_path, json.dumps({**METADATA, "releases": [release]}), fmt, use_titles=True)

    assert back["releases"] == [release]
