"""Build the OCDS social-care profile from the vendored standard and extension snapshots.

Everything is read from package data: nothing is ever fetched from the network.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import orjson

from opencare.ocds.profile.codelists import Codelist, apply_extension_codelist, read_codelist_csv
from opencare.ocds.profile.errors import ProfileError
from opencare.ocds.profile.merge_patch import merge_patch_in_place

STANDARD_VERSION = "1.1.5"
SCHEMA_FILES = ("release-schema.json", "release-package-schema.json", "record-package-schema.json")

#: The extensions the social-care profile applies, in the order their patches are applied (later patches win).
#: It is the pilot's needs (metrics, lots, documents with page references, contract terms, reviews...) plus every
#: extension that Contracts Finder, Find a Tender, Public Contracts Scotland and Sell2Wales declare, so that
#: their notices and ours validate against one schema. The UK extension comes last: its codes are the statutory ones.
SOCIAL_CARE_EXTENSIONS: tuple[str, ...] = (
    "eu-profile",
    "ocds_lots_extension",
    "ocds_bid_extension",
    "ocds_awardCriteria_extension",
    "ocds_submissionTerms_extension",
    "ocds_documentation_extension",
    "ocds_process_title_extension",
    "ocds_contractTerms_extension",
    "ocds_options_extension",
    "ocds_contract_signatories_extension",
    "ocds_milestone_documents_extension",
    "ocds_transactions_relatedMilestone_extension",
    "ocds_contract_completion_extension",
    "ocds_performance_failures_extension",
    "ocds_budget_breakdown_extension",
    "ocds_award_buyer_extension",
    "ocds_metrics_extension",
    "ocds_partyDetails_scale_extension",
    "ocds_tenderDatePublished_extension",
    "ocds_awards_datePublished_extension",
    "ocds_partyDetails_vcse_extension",
    "ocds_tender_suitability_extension",
    "ocds_pagination_extension",
    "ocds_amendment_rationale_classifications_extension",
    "ocds_suitability_extension",
    "ocds_Links_extension",
    "ocds_uk_extension",
)


def data_root() -> Traversable:
    """The folder of vendored data inside the installed package."""
    return files("opencare.ocds").joinpath("data")


@dataclass(frozen=True)
class Extension:
    """One vendored extension snapshot."""

    name: str
    title: str
    description: str
    repository: str
    ref: str
    commit: str
    schema_patches: dict[str, dict[str, Any]]
    codelist_files: dict[str, list[dict[str, str]]]
    has_licence_file: bool

    @property
    def source_url(self) -> str:
        """Where the snapshot came from."""
        return f"https://github.com/{self.repository}"


@dataclass(frozen=True)
class Profile:
    """The built profile: extended schemas, merged codelists, and the extensions that made them."""

    standard_version: str
    extensions: tuple[Extension, ...]
    release_schema: dict[str, Any]
    release_package_schema: dict[str, Any]
    record_package_schema: dict[str, Any]
    codelists: dict[str, Codelist]
    field_sources: dict[str, str] = field(default_factory=dict)

    def codes(self, codelist: str) -> list[str]:
        """The codes of a codelist by file name, e.g. ``documentType.csv``."""
        return self.codelists[codelist].codes


def read_sources(extensions_dir: Traversable) -> dict[str, dict[str, str]]:
    """The SOURCES.tsv of the vendored extensions: repository, ref and commit of each snapshot."""
    node = extensions_dir.joinpath("SOURCES.tsv")
    if not node.is_file():
        return {}
    text = node.read_text(encoding="utf-8")
    return {row["extension"]: row for row in csv.DictReader(io.StringIO(text), delimiter="\t")}


def _read_json(node: Traversable, where: str) -> Any:
    try:
        return json.loads(node.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ProfileError(f"{where}: file is missing from the vendored data.") from error
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ProfileError(f"{where}: not valid JSON ({error}).") from error


def load_extension(name: str, extensions_dir: Traversable, sources: dict[str, dict[str, str]]) -> Extension:
    """Read one vendored extension, failing loudly on anything missing or malformed."""
    folder = extensions_dir.joinpath(name)
    if not folder.is_dir():
        raise ProfileError(f"extension {name!r} is not vendored (no folder {name} under {extensions_dir}).")
    metadata = _read_json(folder.joinpath("extension.json"), f"{name}/extension.json")
    declared_schemas = metadata.get("schemas") or [s for s in SCHEMA_FILES if folder.joinpath(s).is_file()]
    patches = {}
    for schema_name in declared_schemas:
        if schema_name not in SCHEMA_FILES:
            raise ProfileError(f"{name}/extension.json: declares an unknown schema file {schema_name!r}.")
        patches[schema_name] = _read_json(folder.joinpath(schema_name), f"{name}/{schema_name}")
    codelist_files = {}
    for codelist_name in metadata.get("codelists", []):
        node = folder.joinpath("codelists", codelist_name)
        if not node.is_file():
            raise ProfileError(
                f"{name}/extension.json: declares codelist {codelist_name}, which is not in the snapshot."
            )
        where = f"{name}/codelists/{codelist_name}"
        codelist_files[codelist_name] = read_codelist_csv(node.read_text(encoding="utf-8"), where=where)
    source = sources.get(name, {})
    return Extension(
        name=name,
        title=_english(metadata.get("name")) or name,
        description=_english(metadata.get("description")),
        repository=source.get("repo", ""),
        ref=source.get("ref", ""),
        commit=source.get("commit", ""),
        schema_patches=patches,
        codelist_files=codelist_files,
        has_licence_file=folder.joinpath("LICENSE").is_file(),
    )


def _english(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("en", ""))
    return str(value or "")


def _standard_schemas(version: str) -> dict[str, dict[str, Any]]:
    folder = data_root().joinpath("standard", version)
    return {name: _read_json(folder.joinpath(name), f"standard/{version}/{name}") for name in SCHEMA_FILES} | {
        "versioned-release-validation-schema.json": _read_json(
            folder.joinpath("versioned-release-validation-schema.json"),
            f"standard/{version}/versioned-release-validation-schema.json",
        )
    }


def _standard_codelists(version: str) -> dict[str, Codelist]:
    folder = data_root().joinpath("standard", version, "codelists")
    codelists = {}
    for node in sorted(folder.iterdir(), key=lambda n: n.name):
        if node.name.endswith(".csv"):
            where = f"standard/{version}/codelists/{node.name}"
            rows = read_codelist_csv(node.read_text(encoding="utf-8"), where=where)
            codelists[node.name] = Codelist(name=node.name, rows=rows, sources=["OCDS " + version])
    return codelists


def build_profile(
    extension_names: tuple[str, ...] = SOCIAL_CARE_EXTENSIONS,
    version: str = STANDARD_VERSION,
    extensions_dir: Traversable | None = None,
) -> Profile:
    """Build the extended release, release-package and record-package schemas and the merged codelists.

    ``extensions_dir`` defaults to the vendored snapshots; tests pass another folder to try broken extensions.

    Raises ProfileError for a missing or broken extension, a codelist patch with nothing to patch, a closed codelist
    with no codes, or any ``$ref`` that does not resolve: never a silently empty or partial schema.
    """
    extensions_dir = extensions_dir or data_root().joinpath("extensions")
    sources = read_sources(extensions_dir)
    extensions = tuple(load_extension(name, extensions_dir, sources) for name in extension_names)
    schemas = _standard_schemas(version)
    codelists = _standard_codelists(version)
    field_sources: dict[str, str] = {}
    for extension in extensions:
        for schema_name, patch in extension.schema_patches.items():
            if schema_name == "release-schema.json":
                _record_field_sources(patch, extension.name, field_sources)
            merge_patch_in_place(schemas[schema_name], patch)
        for filename, rows in extension.codelist_files.items():
            apply_extension_codelist(codelists, filename, rows, extension=extension.name)

    release = schemas["release-schema.json"]
    _set_closed_codelist_enums(release, codelists)
    check_refs(release, "the extended release schema")
    versioned = schemas["versioned-release-validation-schema.json"]
    check_refs(versioned, "the versioned release schema")

    release_package = _embed_release_schemas(schemas["release-package-schema.json"], release, versioned)
    record_package = _embed_release_schemas(schemas["record-package-schema.json"], release, versioned)
    check_refs(release_package, "the extended release package schema")
    check_refs(record_package, "the extended record package schema")
    return Profile(
        standard_version=version,
        extensions=extensions,
        release_schema=release,
        release_package_schema=release_package,
        record_package_schema=record_package,
        codelists=codelists,
        field_sources=field_sources,
    )


def _record_field_sources(patch: dict[str, Any], extension: str, out: dict[str, str]) -> None:
    """Remember the last extension to add or change each property, as ``Definition.property`` (``Release.x`` at top).

    The last one is the most specific: the EU profile bundles the metrics extension, but the metrics extension is
    where a publisher should read about targets.
    """
    for prop in patch.get("properties") or {}:
        out[f"Release.{prop}"] = extension
    for definition, body in (patch.get("definitions") or {}).items():
        if not isinstance(body, dict):
            continue
        out[definition] = extension
        for prop in body.get("properties") or {}:
            out[f"{definition}.{prop}"] = extension


def _set_closed_codelist_enums(schema: Any, codelists: dict[str, Codelist]) -> None:
    """Make every closed codelist's ``enum`` list the merged codes, so an extension's new codes validate."""
    if isinstance(schema, list):
        for item in schema:
            _set_closed_codelist_enums(item, codelists)
        return
    if not isinstance(schema, dict):
        return
    name = schema.get("codelist")
    if name and schema.get("openCodelist") is False:
        if name not in codelists:
            raise ProfileError(f"a field uses the closed codelist {name}, which no vendored file defines.")
        holder = schema if "enum" in schema else schema.get("items", {})
        if "enum" in holder:
            nullable = None in holder["enum"]
            holder["enum"] = [*codelists[name].codes, *([None] if nullable else [])]
    for value in schema.values():
        _set_closed_codelist_enums(value, codelists)


def check_refs(schema: dict[str, Any], what: str) -> None:
    """Raise ProfileError unless every ``$ref`` in the schema points at something inside it."""
    missing = sorted({ref for ref in schema_refs(schema) if _resolve_pointer(schema, ref) is None})
    if missing:
        raise ProfileError(
            f"{what} has $ref values that resolve nowhere: {', '.join(missing)}. An extension refers to a definition "
            "that another extension provides; vendor and add that extension (see docs/profile.md)."
        )


def _ref_holders(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a schema that has a ``$ref``."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("$ref"), str):
                yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def schema_refs(node: Any) -> list[str]:
    """Every $ref value in a schema."""
    return [holder["$ref"] for holder in _ref_holders(node)]


def _resolve_pointer(schema: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#"):
        return None
    node: Any = schema
    for token in ref[1:].split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return None
    return node


def _embed_release_schemas(package: dict[str, Any], release: dict[str, Any], versioned: dict[str, Any]) -> dict:
    """Make a package schema self-contained: the standard's URLs for the release schemas become local definitions.

    The release schema's definitions move to the package's ``definitions``; the versioned release schema's get a
    ``Versioned`` prefix so the two never collide.
    """
    package = _copy(package)
    release = _copy(release)
    definitions = package.setdefault("definitions", {})
    release_body = {k: v for k, v in release.items() if k not in ("definitions", "id", "$schema")}
    definitions.update(release["definitions"])
    definitions["Release"] = release_body
    versioned = _prefix_definitions(versioned, "Versioned")
    definitions.update(versioned["definitions"])
    definitions["VersionedRelease"] = {k: v for k, v in versioned.items() if k not in ("definitions", "id", "$schema")}
    _rewrite_refs(package, _local_release_ref)
    return package


def _local_release_ref(ref: str) -> str:
    """The standard's URL for a release schema (any version, http or https) becomes a local definition."""
    if ref.startswith(("http://", "https://")):
        if ref.endswith("/versioned-release-validation-schema.json"):
            return "#/definitions/VersionedRelease"
        if ref.endswith("/release-schema.json"):
            return "#/definitions/Release"
    return ref


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (several times faster than copy.deepcopy)."""
    return orjson.loads(orjson.dumps(value))


def _prefix_definitions(schema: dict[str, Any], prefix: str) -> dict[str, Any]:
    schema = _copy(schema)
    schema["definitions"] = {prefix + name: body for name, body in schema["definitions"].items()}

    def rename(ref: str) -> str:
        return ref.replace("#/definitions/", f"#/definitions/{prefix}", 1) if ref.startswith("#/definitions/") else ref

    _rewrite_refs(schema, rename)
    return schema


def _rewrite_refs(node: Any, mapping: Callable[[str], str]) -> None:
    for holder in _ref_holders(node):
        holder["$ref"] = mapping(holder["$ref"])
