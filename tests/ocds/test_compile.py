"""Compiling: the ocds-merge reference cases, the fast merge against ocdsmerge-rs, and record packages."""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path
from typing import Any

import jsonschema_rs
import ocdsmerge_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencare.ocds.compile import compile_package
from opencare.ocds.merge import FastCompiler, merge_rules, merger_for_schema, sorted_by_date
from opencare.ocds.profile import SOCIAL_CARE_EXTENSIONS, ProfileError, build_profile
from opencare.ocds.profile.extension_registry import snapshot_names
from opencare.ocds.readers import InputError
from opencare.ocds.schema_check import release_schema_errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ocdsmerge"


def _cases(folder: str, schema: str) -> list[tuple[Path, Path, str]]:
    expected = sorted((FIXTURES / folder).glob("*-compiled.json")) + sorted(
        (FIXTURES / folder).glob("*-versioned.json")
    )
    return [
        (path, FIXTURES / schema, "compiled" if path.stem.endswith("compiled") else "versioned") for path in expected
    ]


CASES = _cases("1.1", "release-schema-1__1__4.json") + _cases("schema", "schema.json")


@pytest.mark.parametrize(
    ("expected_path", "schema_path", "kind"), CASES, ids=lambda value: getattr(value, "stem", value)
)
def test_merge_reproduces_the_ocds_merge_reference_case(expected_path: Path, schema_path: Path, kind: str):
    merger = merger_for_schema(json.loads(schema_path.read_text()))
    releases = json.loads(
        (expected_path.parent / re.sub(r"-(compiled|versioned)$", "", expected_path.stem))
        .with_suffix(".json")
        .read_text()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the duplicate-id cases warn on purpose
        if kind == "compiled":
            actual = merger.create_compiled_release(sorted_by_date(releases))
        else:
            actual = merger.create_versioned_release(sorted_by_date(releases))
    assert actual == json.loads(expected_path.read_text())


def test_the_fast_merge_itself_handles_every_compiled_reference_case():
    """Merger falls back to ocdsmerge-rs for conflicts; this proves the fast path needs no fallback for these."""
    for expected_path, schema_path, kind in CASES:
        if kind != "compiled" or "collision" in expected_path.stem:
            continue
        rules = merge_rules(json.loads(schema_path.read_text()))
        releases = json.loads(
            (expected_path.parent / expected_path.stem.removesuffix("-compiled")).with_suffix(".json").read_text()
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert FastCompiler(rules).compile(sorted_by_date(releases)) == json.loads(expected_path.read_text()), (
                expected_path.stem
            )


SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.text(alphabet="ab", max_size=2)
KEYS = st.sampled_from(["id", "title", "tender", "items", "awards", "value", "documents", "tag", "x"])
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)
RELEASE = st.fixed_dictionaries(
    {"ocid": st.just("ocds-abcdef-1"), "date": st.sampled_from(["2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z"])},
    optional={"tender": VALUES, "awards": VALUES, "title": VALUES, "tag": VALUES, "x": VALUES},
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(RELEASE, min_size=1, max_size=4))
def test_the_merge_gives_exactly_what_ocdsmerge_rs_gives_for_any_releases(releases: list[dict[str, Any]]):
    schema = json.loads((FIXTURES / "release-schema-1__1__4.json").read_text())
    merger = merger_for_schema(schema)
    ordered = sorted_by_date(releases)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = merger.reference.create_compiled_release(ordered)
        except Exception as error:
            with pytest.raises(type(error)):
                merger.create_compiled_release(ordered)
            return
        assert merger.create_compiled_release(ordered) == expected


def _release(ocid: str, number: int, **extra: Any) -> dict[str, Any]:
    return {"ocid": ocid, "id": str(number), "date": f"2024-01-{number:02d}T00:00:00Z", "tag": ["tender"],
            "initiationType": "tender", **extra}  # fmt: skip


def _compile(package: dict[str, Any], **options: Any) -> dict[str, Any]:
    out = io.BytesIO()
    compile_package(io.BytesIO(json.dumps(package).encode()), out, **options)
    return json.loads(out.getvalue())


def test_compile_writes_one_record_per_ocid_in_order_of_first_appearance():
    package = {"version": "1.1", "releases": [_release("ocds-abcdef-b", 1), _release("ocds-abcdef-a", 2, title="A"),
                                              _release("ocds-abcdef-b", 3, title="B")]}  # fmt: skip
    records = _compile(package)["records"]
    assert [record["ocid"] for record in records] == ["ocds-abcdef-b", "ocds-abcdef-a"]
    assert records[0]["compiledRelease"]["title"] == "B"
    assert len(records[0]["releases"]) == 2


def test_compile_adds_versioned_releases_when_asked():
    records = _compile({"releases": [_release("ocds-abcdef-a", 1), _release("ocds-abcdef-a", 2, title="x")]},
                       versioned=True)["records"]  # fmt: skip
    assert records[0]["versionedRelease"]["title"][0]["value"] == "x"


def test_compiled_records_validate_against_the_record_package_schema():
    from opencare.ocds.review import review

    releases = [_release("ocds-abcdef-a", 1), _release("ocds-abcdef-a", 2)]
    package = {"version": "1.1", "uri": "https://example.org", "publishedDate": "2024-01-01T00:00:00Z",
               "publisher": {"name": "x"}, "releases": releases}  # fmt: skip
    out = io.BytesIO()
    compile_package(io.BytesIO(json.dumps(package).encode()), out)
    assert review(io.BytesIO(out.getvalue())).valid
    assert all(not release_schema_errors(r["compiledRelease"]) for r in json.loads(out.getvalue())["records"])


def test_a_record_package_cannot_be_compiled_again():
    with pytest.raises(InputError, match="already a record package"):
        _compile({"records": [{"ocid": "ocds-abcdef-a", "releases": []}]})


def test_a_process_that_cannot_be_merged_is_reported_and_still_written():
    package = {
        "releases": [_release("ocds-abcdef-a", 1, tender="x"), _release("ocds-abcdef-a", 2, tender={"id": "t"})]
    }
    out = io.BytesIO()
    result = compile_package(io.BytesIO(json.dumps(package).encode()), out)
    assert [ocid for ocid, _ in result.failures] == ["ocds-abcdef-a"]
    assert "compiledRelease" not in json.loads(out.getvalue())["records"][0]


OCDSKIT_1_0 = Path(__file__).resolve().parents[1] / "fixtures" / "ocdskit-1.0"


@pytest.mark.parametrize("number", [1, 2])
def test_a_real_package_without_version_compiles_as_ocds_1_0_exactly_as_ocdskit_does(number: int):
    out = io.BytesIO()
    compile_package(OCDSKIT_1_0 / f"release-package-{number}.json", out, versioned=True)
    (record,) = json.loads(out.getvalue())["records"]
    assert record["compiledRelease"] == json.loads((OCDSKIT_1_0 / f"compiled-release-{number}.json").read_text())
    assert record["versionedRelease"] == json.loads((OCDSKIT_1_0 / f"versioned-release-{number}.json").read_text())


def test_ocds_1_0_tenderers_without_ids_are_replaced_whole_not_appended_release_after_release():
    out = io.BytesIO()
    compile_package(OCDSKIT_1_0 / "release-package-1.json", out)
    (record,) = json.loads(out.getvalue())["records"]
    names = [tenderer["name"] for tenderer in record["compiledRelease"]["tender"]["tenderers"]]
    assert names == ["COMUNIC@RTE & CONSULTING SA DE CV", "SERVICIO Y DISTRIBUIDORA"]  # not the same two twice


def test_the_same_releases_in_a_1_1_package_merge_tenderers_as_ocds_1_1_does():
    package = json.loads((OCDSKIT_1_0 / "release-package-1.json").read_text()) | {"version": "1.1"}
    (record,) = _compile(package)["records"]
    assert len(record["compiledRelease"]["tender"]["tenderers"]) == 4  # no ids: OCDS 1.1 appends each release's


def _big_package(path: Path, processes: int, *, interleaved: bool) -> None:
    releases = []
    for number in range(1, 5):
        for process in range(processes):
            releases.append(_release(f"ocds-abcdef-{process:05d}", number, title=f"p{process} r{number}",
                                     description="x" * 400))  # fmt: skip
    if not interleaved:
        releases.sort(key=lambda release: release["ocid"])
    path.write_text(json.dumps({"version": "1.1", "releases": releases}, indent=1))


@pytest.mark.parametrize("interleaved", [False, True], ids=["grouped", "interleaved"])
def test_two_processes_compile_exactly_what_one_does(tmp_path: Path, interleaved: bool):
    path = tmp_path / "big.json"
    _big_package(path, 5000, interleaved=interleaved)
    assert path.stat().st_size > 8 * 1024 * 1024
    outputs = []
    for workers in (1, 2):
        out = io.BytesIO()
        result = compile_package(path, out, workers=workers)
        outputs.append(json.loads(out.getvalue()))
        assert (result.records, result.releases) == (5000, 20000)
    assert outputs[0] == outputs[1]


def _ocdsmerge_rs_rules(schema: dict[str, Any]) -> dict[tuple[str, ...], str]:
    rules = ocdsmerge_rs.Merger.get_rules(jsonschema_rs.dereference(schema))
    return {
        path: "omitWhenMerged" if rule == ocdsmerge_rs.Rule.OMIT else "wholeListMerge" for path, rule in rules.items()
    }


EVERY_EXTENSION = snapshot_names()


@pytest.mark.parametrize(
    ("version", "extensions"),
    [("1.1.5", SOCIAL_CARE_EXTENSIONS), ("1.1.5", ()), ("1.0.3", ())],
    ids=["social-care profile", "OCDS 1.1.5", "OCDS 1.0.3"],
)
def test_merge_rules_read_from_the_schema_are_those_ocdsmerge_rs_finds_in_the_dereferenced_schema(
    version: str, extensions: tuple[str, ...]
):
    schema = build_profile(extensions, version=version).release_schema
    rules = merge_rules(schema)
    assert rules  # every OCDS schema has some (tag is omitted, lists of codes are merged whole)
    assert rules == _ocdsmerge_rs_rules(schema)


def test_merge_rules_of_every_vendored_extension_on_its_own_are_those_of_ocdsmerge_rs():
    checked = []
    for name in EVERY_EXTENSION:
        try:
            schema = build_profile((name,)).release_schema
        except ProfileError:
            continue  # it needs another extension first (e.g. the UK extension patches the bid statistics codelist)
        assert merge_rules(schema) == _ocdsmerge_rs_rules(schema), name
        checked.append(name)
    assert len(checked) >= 30


@pytest.mark.parametrize("name", ["release-schema-1__1__4.json", "schema.json"])
def test_merge_rules_of_the_ocds_merge_reference_schemas_are_those_of_ocdsmerge_rs(name: str):
    schema = json.loads((FIXTURES / name).read_text())
    assert merge_rules(schema) == _ocdsmerge_rs_rules(schema)


def test_a_ref_outside_the_schema_is_refused_rather_than_fetched():
    schema = {"properties": {"tender": {"$ref": "https://example.org/tender.json"}}}
    with pytest.raises(ValueError, match="not within it"):
        merge_rules(schema)


def test_a_ref_loop_is_refused():
    schema = {"properties": {"a": {"$ref": "#/definitions/A"}}, "definitions": {"A": {"$ref": "#/definitions/A"}}}
    with pytest.raises(ValueError, match="loop"):
        merge_rules(schema)


# Releases that repeat whole parts of the previous one, as publishers do, so the merge's skipping of repeated parts
# meets lists of objects with and without ids, nulls, and parts repeated once and twice.
OBJECTS = st.lists(st.dictionaries(KEYS, SCALARS, min_size=1, max_size=2), min_size=1, max_size=2)
REPEATING_RELEASE = st.fixed_dictionaries(
    {"ocid": st.just("ocds-abcdef-1")},
    optional={"tender": VALUES | st.fixed_dictionaries({"items": OBJECTS}), "awards": OBJECTS, "x": VALUES | OBJECTS},
)
REPEATED = st.lists(
    st.tuples(REPEATING_RELEASE, st.lists(st.sampled_from(["tender", "awards", "x"]), max_size=3)),
    min_size=2,
    max_size=5,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(REPEATED)
def test_the_merge_of_releases_repeating_earlier_parts_is_exactly_what_ocdsmerge_rs_gives(
    drafts: list[tuple[dict[str, Any], list[str]]],
):
    schema = json.loads((FIXTURES / "release-schema-1__1__4.json").read_text())
    merger = merger_for_schema(schema)
    releases: list[dict[str, Any]] = []
    for number, (release, repeated) in enumerate(drafts):
        release = {**release, "date": f"2020-01-{number + 1:02d}T00:00:00Z"}
        if releases:
            for key in repeated:  # an equal copy, not the same object: publishers' files are parsed afresh
                if key in releases[-1]:
                    release[key] = json.loads(json.dumps(releases[-1][key]))
        releases.append(release)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = merger.reference.create_compiled_release(releases)
        except Exception as error:
            with pytest.raises(type(error)):
                merger.create_compiled_release(releases)
            return
        assert merger.create_compiled_release(releases) == expected
