"""flatten-tool's view of the schema, for writing spreadsheets with its JSONParser (reading no longer uses it)."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

import jsonref
from flattentool.schema import SchemaParser

from opencare.ocds.profile import social_care_profile
from opencare.ocds.spreadsheets.fields import FieldType, _metadata_schema, package_types, release_types


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
