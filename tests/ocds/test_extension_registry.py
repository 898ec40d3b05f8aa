"""The OCDS extension registry, vendored: every registered extension's addresses map to the snapshot we hold (or it is
listed as not held), a declared registry extension is applied in review and its merge rules in compile, and every
snapshot has its licence, its source and only the files an extension consists of."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from opencare.ocds.compile import compile_package
from opencare.ocds.profile import data_root
from opencare.ocds.profile.builder import read_sources
from opencare.ocds.profile.extension_registry import (
    REGISTRY_FOLDER,
    RegistryVersion,
    registry_ids,
    registry_versions,
    snapshot_names,
)
from opencare.ocds.review import review
from opencare.ocds.review.extensions import choose_schema, snapshot_for_url

EXTENSIONS = Path(str(data_root().joinpath("extensions")))
DATA_README = EXTENSIONS.parent / "README.md"
SITE = "https://extensions.open-contracting.org"
#: What an extension consists of; nothing else is shipped (no docs/, tests/ or examples/).
EXTENSION_FILES = re.compile(
    r"(extension\.json|release-schema\.json|release-package-schema\.json|record-package-schema\.json"
    r"|README\.md|LICENSE|codelists/[^/]+\.csv)"
)


def _addresses(row: RegistryVersion) -> list[str]:
    """Every way a publisher may declare this registry version."""
    return [
        row.base_url,
        f"{row.base_url}extension.json",
        row.download_url,
        f"{SITE}/en/extensions/{row.id}/{row.version}/",
    ]


def _not_held_in_readme() -> dict[str, str]:
    """The README's list of registry extensions opencare holds no copy of: id -> the reason given."""
    text = DATA_README.read_text(encoding="utf-8")
    section = text.split("### Registry extensions opencare holds no copy of", 1)[1].split("\n## ", 1)[0]
    row = r"^\| `([A-Za-z_]+)` \| [^|]+ \| [^|]+ \| [^|]+ \| ([^|]+) \|$"
    return dict(re.findall(row, section, flags=re.MULTILINE))


def test_the_vendored_registry_lists_every_extension_and_version():
    assert len(registry_ids()) == 68
    assert len(registry_versions()) == 89
    assert {row.id for row in registry_versions()} == set(registry_ids())


@pytest.mark.parametrize("row", registry_versions(), ids=lambda row: f"{row.id}-{row.version}")
def test_every_registry_version_resolves_to_a_snapshot_by_every_address_or_is_listed_as_not_held(
    row: RegistryVersion,
):
    found = {url: snapshot_for_url(url) for url in _addresses(row)}
    snapshots = {snapshot for snapshot, _ in found.values()}
    assert len(snapshots) == 1, found  # every spelling of one version means the same copy
    if snapshots == {None}:
        assert row.id in _not_held_in_readme(), f"{row.id} is neither vendored nor listed as not held"
        assert all(f"'{row.id}' is in the OCDS extension registry" in reason for _, reason in found.values())
    else:
        assert row.id not in _not_held_in_readme(), f"{row.id} is vendored but still listed as not held"


def test_every_extension_listed_as_not_held_is_in_the_registry_with_a_reason():
    listed = _not_held_in_readme()
    assert listed
    assert set(listed) <= set(registry_ids())
    assert all(reason.strip() for reason in listed.values())


@pytest.mark.parametrize(
    ("url", "snapshot"),
    [
        (f"{SITE}/en/extensions/location/master/", "ocds_location_extension"),
        (f"{SITE}/es/extensions/location/v1.1.5/", "ocds_location_extension@v1.1.5"),
        (f"{SITE}/en/extensions/location/", "ocds_location_extension"),
        (f"{SITE}/en/extensions/metrics/1.1/extension.json", "ocds_metrics_extension"),
        (f"{SITE}/en/extensions/partyDetails_vcse/master/", "ocds_partyDetails_vcse_extension"),
        ("https://api.github.com/repos/open-contracting-extensions/ocds_bid_extension/zipball/v1.1.5",
         "ocds_bid_extension@v1.1.5"),
        ("https://github.com/open-contracting-extensions/ocds_lots_extension/tree/v1.1.5",
         "ocds_lots_extension@v1.1.5"),
        ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
         "ocds_frameworkAgreement_DPS_extension"),
        (f"{SITE}/en/extensions/techniques/master/", "ocds_frameworkAgreement_DPS_extension"),
        ("https://raw.githubusercontent.com/open-contracting-extensions/OCDS_LOTS_EXTENSION/master/extension.json",
         "ocds_lots_extension"),
        ("https://www.github.com:443/open-contracting-extensions/ocds_lots_extension/archive/master.zip",
         "ocds_lots_extension"),
        ("https://github.com/open-contracting-extensions/ocds_lots_extension.git", "ocds_lots_extension"),
    ],
)  # fmt: skip
def test_registry_addresses_of_an_extension_we_hold_map_to_its_snapshot(url: str, snapshot: str):
    assert snapshot_for_url(url) == (snapshot, "")


@pytest.mark.parametrize(
    "url",
    [
        "https://gitlab.com/dncp-opendata/ocds_statusdetails_extension/-/raw/master/extension.json",
        "https://bitbucket.org/ONCAETI/ocds_releasesource_extension/get/master.zip",
        "https://api.github.com/repos/open-contracting-extensions/ocds_enquiry_extension/zipball/v1.1.5",
        f"{SITE}/en/extensions/enquiries/v1.1.5/",
    ],
)
def test_a_registry_extension_we_do_not_hold_is_reported_as_such_and_never_downloaded(url: str, no_network: None):
    snapshot, reason = snapshot_for_url(url)
    assert snapshot is None
    assert "is in the OCDS extension registry, but opencare has no copy of it yet" in reason
    assert "never downloads" in reason
    assert [skipped.url for skipped in choose_schema("1.1", [url]).not_applied] == [url]


@pytest.mark.parametrize(
    "url", [f"{SITE}/en/extensions/no_such_extension/master/", f"{SITE}/en/", f"{SITE}/en/extensions/../../"]
)
def test_a_registry_site_address_of_no_extension_is_not_applied(url: str):
    snapshot, reason = snapshot_for_url(url)
    assert snapshot is None
    assert "never downloads" in reason


# The location extension is in the registry but not in the social-care profile: declaring it must bring its fields
# (items' deliveryLocations) and its merge rule (deliveryLocations is merged as a whole list).
LOCATION = f"{SITE}/en/extensions/location/master/"


def _release(release_id: str, date: str, place: str) -> dict[str, Any]:
    return {
        "ocid": "ocds-b5fd17-location",
        "id": release_id,
        "date": date,
        "tag": ["tender"],
        "initiationType": "tender",
        "tender": {
            "id": "T1",
            "items": [{"id": "1", "description": "Home care", "deliveryLocations": [{"description": place}]}],
        },
    }


def _package(*releases: dict[str, Any], extensions: list[str]) -> dict[str, Any]:
    return {
        "uri": "https://data.borsetdale.gov.uk/ocds.json",
        "publishedDate": "2024-02-01T00:00:00Z",
        "publisher": {"name": "Borsetdale Council"},
        "version": "1.1",
        "extensions": extensions,
        "releases": list(releases),
    }


FIRST = _release("1", "2024-01-01T00:00:00Z", "North Borsetdale")
SECOND = _release("2", "2024-02-01T00:00:00Z", "South Borsetdale")


def _additional_field_paths(data: dict[str, Any]) -> set[str]:
    report = review(io.BytesIO(json.dumps(data).encode())).as_json()
    return {
        example["pointer"]
        for finding in report["findings"]
        if "additional" in finding["check"]
        for example in finding["examples"]
    }


def test_a_registry_extension_declared_by_its_registry_page_is_applied_in_review():
    declared = _additional_field_paths(_package(FIRST, extensions=[LOCATION]))
    undeclared = _additional_field_paths(_package(FIRST, extensions=[]))
    assert any("deliveryLocations" in path for path in undeclared)  # the check does report the field undeclared
    assert not any("deliveryLocations" in path for path in declared)


def _compiled_places(extensions: list[str]) -> list[str]:
    out = io.BytesIO()
    compile_package(io.BytesIO(json.dumps(_package(FIRST, SECOND, extensions=extensions)).encode()), out)
    item = json.loads(out.getvalue())["records"][0]["compiledRelease"]["tender"]["items"][0]
    return [location["description"] for location in item["deliveryLocations"]]


@pytest.mark.parametrize(
    "url",
    [
        LOCATION,
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/master/",
        "https://github.com/open-contracting-extensions/ocds_location_extension/archive/master.zip",
    ],
)
def test_a_declared_registry_extensions_whole_list_merge_is_honoured_in_compile(url: str):
    assert _compiled_places([url]) == ["South Borsetdale"]  # the later release's list replaces the earlier


def test_without_the_extension_declared_the_lists_are_merged_item_by_item():
    assert _compiled_places([]) == ["North Borsetdale", "South Borsetdale"]


def _readme_licence_column() -> dict[str, str]:
    text = DATA_README.read_text(encoding="utf-8")
    return dict(re.findall(r"^\| (\S+) \| [^|]+ \| [^|]+ \| [^|]+ \| (yes|no \(see note\)) \|$", text, re.MULTILINE))


def test_every_snapshot_has_a_licence_file_or_is_marked_in_the_readme_and_named_in_its_note():
    column = _readme_licence_column()
    note = DATA_README.read_text(encoding="utf-8").split("Note: the snapshots marked 'no'", 1)[1].split("\n\n")[0]
    assert snapshot_names()
    for name in snapshot_names():
        assert name in column, f"{name} is not in the README's table"
        has_licence = (EXTENSIONS / name / "LICENSE").is_file()
        assert column[name] == ("yes" if has_licence else "no (see note)"), name
        if not has_licence:
            assert name.removeprefix("ocds_").removesuffix("_extension") in note, f"the note does not name {name}"
    assert set(column) == set(snapshot_names())


def test_every_snapshot_has_its_source_recorded_and_every_recorded_source_is_held():
    sources = read_sources(data_root().joinpath("extensions"))
    assert set(sources) == set(snapshot_names())
    for name, row in sources.items():
        assert row["repo"], name
        assert row["ref"], name
        assert re.fullmatch(r"[0-9a-f]{8,40}", row["commit"]), name


def test_snapshots_hold_only_the_files_an_extension_consists_of():
    names = snapshot_names()
    assert names
    for name in names:
        files = [path for path in (EXTENSIONS / name).rglob("*") if path.is_file()]
        assert files, f"{name} is an empty snapshot"
        for path in files:
            relative = path.relative_to(EXTENSIONS / name).as_posix()
            assert EXTENSION_FILES.fullmatch(relative), f"{name}/{relative} is not part of an extension"


def test_the_registry_folder_is_not_taken_for_a_snapshot():
    assert REGISTRY_FOLDER not in snapshot_names()
    assert snapshot_for_url(f"https://raw.githubusercontent.com/someone/{REGISTRY_FOLDER}/master/")[0] is None


@pytest.mark.parametrize(
    ("url", "note"),
    [
        ("https://api.github.com/repos/open-contracting-extensions/ocds_lots_extension/zipball/v1.1.4",
         "opencare has no copy of v1.1.4 of this extension, so it was checked against its copy of master"),
        (f"{SITE}/en/extensions/metrics/v1.1/",
         "opencare has no copy of v1.1 of this extension, so it was checked against its copy of 1.1"),
        (f"{SITE}/en/extensions/lots/v1.1.5/", ""),
        (f"{SITE}/en/extensions/lots/master/", ""),
        ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/1.1/", ""),
        ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/master/extension.json", ""),
    ],
)  # fmt: skip
def test_a_declared_version_we_hold_no_copy_of_is_applied_with_a_note_naming_the_copy_used(url: str, note: str):
    (applied,) = [applied for applied in choose_schema("1.1", [url]).applied if applied.url == url]
    assert applied.note == note
