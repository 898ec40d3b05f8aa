"""Which extensions releases use but their packages may not declare: fields that core OCDS does not have and an
extension of the social-care profile adds (``tender/classification``, from the EU profile, say), or, at the top of
a release, any vendored extension adds (Sell2Wales's ``links``, from the Links extension).

A package that gathers releases from many publishers declares what they declared and these too, so that a reader
checks every field against the extension that defines it rather than reporting it as unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from opencare.ocds.profile import STANDARD_VERSION, data_root, social_care_profile
from opencare.ocds.profile.builder import read_sources
from opencare.ocds.review.extensions import snapshot_for_url

#: How the EU profile is declared (as Find a Tender's packages declare it).
EU_PROFILE = "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json"
#: Fields deeper than this are not looked at (no extension adds one so deep).
MAX_DEPTH = 8


def extensions_used(releases: Iterable[dict[str, Any]]) -> list[str]:
    """The addresses of the extensions that add fields these releases (or compiled releases) have."""
    found: set[str] = set()
    for release in releases:
        add_extensions_used(release, found)
    return sorted(found)


def add_extensions_used(release: dict[str, Any], found: set[str]) -> None:
    """Add to ``found`` the addresses of the extensions that add fields this release has (for streaming)."""
    _walk(release, _field_tree(), found)


#: A tree of the field paths extensions add: each name -> (the extension adding it, or "", the fields below it).
FieldTree = dict[str, tuple[str, "FieldTree"]]


def _walk(value: Any, tree: FieldTree, found: set[str]) -> None:
    """Add to ``found`` the extensions of the fields in the value, following only names on the way to one."""
    if isinstance(value, list):
        for item in value:
            _walk(item, tree, found)
    elif isinstance(value, dict):
        for name in value.keys() & tree.keys():
            url, below = tree[name]
            if url:
                found.add(url)
            if below:
                _walk(value[name], below, found)


@cache
def _field_tree() -> FieldTree:
    adds = {(name,): url for name, url in top_level_fields().items()} | profile_fields()
    root: dict[str, list[Any]] = {}
    for path, url in adds.items():
        node = root
        for depth, name in enumerate(path):
            entry = node.setdefault(name, ["", {}])
            if depth == len(path) - 1:
                entry[0] = entry[0] or url
            node = entry[1]

    def frozen(node: dict[str, list[Any]]) -> FieldTree:
        return {name: (url, frozen(below)) for name, (url, below) in node.items()}

    return frozen(root)


@cache
def profile_fields() -> dict[tuple[str, ...], str]:
    """Each field path an extension of the social-care profile adds to core OCDS, and the extension's address."""
    profile = social_care_profile()
    core = _core_release_schema()
    urls = {extension.name: _address(extension.repository, extension.ref) for extension in profile.extensions}
    urls["eu-profile"] = EU_PROFILE
    found: dict[tuple[str, ...], str] = {}
    schema = profile.release_schema

    def walk(node: dict[str, Any], definition: str, path: tuple[str, ...], seen: frozenset[str]) -> None:
        core_node = core if definition == "Release" else core["definitions"].get(definition) or {}
        core_properties = core_node.get("properties") or {}
        for name, prop in (node.get("properties") or {}).items():
            if not isinstance(prop, dict):
                continue
            field = (*path, name)
            source = profile.field_sources.get(f"{definition}.{name}")
            if name not in core_properties and source in urls:
                found.setdefault(field, urls[source])
            target = prop.get("items", prop) if isinstance(prop.get("items", prop), dict) else prop
            ref = str(target.get("$ref", ""))
            if ref.startswith("#/definitions/"):
                child = ref.removeprefix("#/definitions/")
                if child not in seen and len(field) < MAX_DEPTH:
                    walk(schema["definitions"].get(child) or {}, child, field, seen | {child})

    walk(schema, "Release", (), frozenset())
    return found


def _core_release_schema() -> dict[str, Any]:
    return json.loads(data_root().joinpath("standard", STANDARD_VERSION, "release-schema.json").read_text("utf-8"))


def _address(repository: str, ref: str) -> str:
    return f"https://raw.githubusercontent.com/{repository}/{ref}/extension.json"


def declared_and_used(
    declared: list[str], releases: Iterable[dict[str, Any]] = (), *, also: Iterable[str] = ()
) -> list[str]:
    """The extensions declared, then those the releases use (and ``also``, found already) that no declared one
    already stands for."""
    covered = {snapshot_for_url(url)[0] for url in declared}
    used = dict.fromkeys([*extensions_used(releases), *also])
    return [*declared, *(url for url in used if snapshot_for_url(url)[0] not in covered)]


@cache
def top_level_fields() -> dict[str, str]:
    """Each top-level release field a vendored extension adds, not in core OCDS, and the extension's address."""
    core = _core_release_schema()
    extensions = data_root().joinpath("extensions")
    adds: dict[str, str] = {}
    for name, row in sorted(read_sources(extensions).items()):
        patch = extensions.joinpath(name, "release-schema.json")
        # Tag-pinned copies add what their main copy adds; the EU profile bundles what single extensions add.
        if "@" in name or " " in row["repo"] or not patch.is_file():
            continue
        url = _address(row["repo"], row["ref"])
        for field in json.loads(patch.read_text(encoding="utf-8")).get("properties") or {}:
            if field not in core["properties"]:
                adds.setdefault(field, url)
    return adds
