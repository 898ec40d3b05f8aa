"""The schema, as flatten-tool and the type pass need it: each field's JSON types, and flatten-tool's parsers."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any, NamedTuple

import jsonref
from flattentool.lib import isint
from flattentool.schema import SchemaParser

from opencare.ocds.profile import social_care_profile


class FieldType(NamedTuple):
    """The JSON types the schema allows for a field (null left out), and for a list's items."""

    types: frozenset[str]
    items: frozenset[str] | None = None


@cache
def release_types() -> dict[str, FieldType]:
    """Each release field's JSON types in the schema, by field path."""
    return _field_types(social_care_profile().release_schema)


@cache
def package_types() -> dict[str, FieldType]:
    """Each package metadata field's JSON types in the schema, by field path."""
    return _field_types(_metadata_schema())


def _metadata_schema() -> dict[str, Any]:
    """The release package schema without its releases: what the Meta sheet holds."""
    schema = dict(social_care_profile().release_package_schema)
    schema["properties"] = {key: value for key, value in schema["properties"].items() if key != "releases"}
    return schema


def _field_types(schema: dict[str, Any]) -> dict[str, FieldType]:
    """Each field's types by path without list indexes, e.g. 'contracts/implementation/metrics/observations/unit'."""
    found: dict[str, FieldType] = {}

    def walk(node: dict[str, Any], prefix: str, refs: frozenset[str]) -> None:
        for name, prop in node.get("properties", {}).items():
            path = prefix + name
            prop, prop_refs = _resolve(schema, prop, refs)
            raw_items = prop.get("items") if isinstance(prop.get("items"), dict) else None
            items, item_refs = _resolve(schema, raw_items, prop_refs) if raw_items is not None else (None, prop_refs)
            found[path] = FieldType(_types(prop), _types(items) if items is not None else None)
            if prop_refs is not None:
                walk(prop, path + "/", prop_refs)
            if items is not None and item_refs is not None:
                walk(items, path + "/", item_refs)

    walk(schema, "", frozenset())
    return found


def _resolve(
    schema: dict[str, Any], node: dict[str, Any], refs: frozenset[str] | None
) -> tuple[dict[str, Any], frozenset[str] | None]:
    """The node a reference points to, and the references followed to reach it (None if one repeats: recursion)."""
    while "$ref" in node and refs is not None:
        ref = node["$ref"]
        refs = None if ref in refs else refs | {ref}
        target: Any = schema
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node, refs


def _types(node: dict[str, Any]) -> frozenset[str]:
    declared = node.get("type", [])
    types = frozenset([declared] if isinstance(declared, str) else declared) - {"null"}
    return types or (frozenset({"object"}) if "properties" in node else frozenset())


def _local_only(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its references resolved in memory; a reference to another document is refused."""

    def refuse(uri: str, **_: Any) -> Any:
        raise ValueError(f"The schema refers to another document ({uri}); only local references are allowed")

    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                refuse(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return jsonref.replace_refs(schema, loader=refuse)


@cache
def release_parser(use_titles: bool) -> SchemaParser:
    """flatten-tool's view of the release schema, parsed once per process (parsing takes a good part of a second)."""
    return _parser(social_care_profile().release_schema, release_types(), use_titles=use_titles)


@cache
def package_parser(use_titles: bool) -> SchemaParser:
    """flatten-tool's view of the package metadata schema (the Meta sheet), parsed once per process."""
    return _parser(_metadata_schema(), package_types(), use_titles=use_titles)


def _parser(schema: dict[str, Any], types: dict[str, FieldType], *, use_titles: bool) -> SchemaParser:
    parser = SchemaParser(root_schema_dict=_local_only(schema), root_id="ocid", use_titles=use_titles)
    with warnings.catch_warnings():
        # "Skipping field ... because it has no properties": schema facts, not a problem with anyone's data.
        warnings.simplefilter("ignore")
        parser.parse()
    for path, field_type in types.items():
        # A field that may be an object or a plain value (e.g. an amendment's former_value): flatten-tool would
        # drop a plain value it was told is an object, so let it keep whatever it finds.
        if "object" in field_type.types and field_type.types - {"object"} and parser.flattened.get(path) == "object":
            parser.flattened[path] = ""
    return parser


def field_path(path: str) -> str:
    """A path without list indexes or flatten-tool's '[]' marks: 'parties/0/roles' -> 'parties/roles'."""
    return "/".join(part.rstrip("[]") for part in path.split("/") if not isint(part))
