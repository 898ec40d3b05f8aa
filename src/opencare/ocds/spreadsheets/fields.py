"""The schema, as the spreadsheet reader and writer need it: each field's JSON types and kind, and its titles."""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

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
    return _field_types(metadata_schema())


def metadata_schema() -> dict[str, Any]:
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


class Titles:
    """Headings as titles ('Tender:Value:Amount') to field paths, as flatten-tool's templates write them.

    Each part of a heading is looked up among the titles of the fields at that level, ignoring case and spaces; a
    number is a list index; a part that is not a title, and everything after it, is taken as a field name.
    """

    def __init__(self) -> None:
        self.children: dict[str, tuple[str, Titles]] = {}

    def add(self, title: str, name: str) -> Titles:
        """The titles below a field, made on first use (a later field with the same title wins, as in flatten-tool)."""
        key = _title_key(title)
        below = self.children[key][1] if key in self.children else Titles()
        self.children[key] = (name, below)
        return below

    def lookup(self, heading: str) -> str:
        """The field path a heading stands for: 'Parties:Common name' -> 'parties/name'."""
        parts = heading.split(":")
        found: list[str] = []
        level: Titles | None = self
        for index, part in enumerate(parts):
            if part.strip().lstrip("-").isdigit():
                found.append(part)
                continue
            entry = level.children.get(_title_key(part)) if level is not None else None
            if entry is None:
                found += [item.strip(" ") for item in parts[index:]]
                break
            found.append(entry[0])
            level = entry[1]
        return "/".join(found)


def _title_key(title: str) -> str:
    return title.replace(" ", "").lower()


class Shape(NamedTuple):
    """What a spreadsheet reader needs from a schema: each field's kind by path without indexes, and its titles.

    Kinds, as flatten-tool names them: 'object', 'array' (of objects), 'string_array', 'number_array',
    'array_array', 'string', 'date', 'number', 'integer', 'boolean', or '' for a field that may be an object or a
    plain value (kept as found).
    """

    kinds: dict[str, str]
    titles: Titles


@cache
def release_shape() -> Shape:
    """The release schema's shape, worked out once per process."""
    return _shape(social_care_profile().release_schema)


@cache
def package_shape() -> Shape:
    """The package metadata schema's shape (the Meta sheet), worked out once per process."""
    return _shape(metadata_schema())


def _shape(schema: dict[str, Any]) -> Shape:
    kinds: dict[str, str] = {}
    titles = Titles()

    def walk(node: dict[str, Any], prefix: str, refs: frozenset[str], level: Titles) -> None:
        for name, declared in node.get("properties", {}).items():
            path = prefix + name
            prop, prop_refs = _resolve(schema, declared, refs)
            # The title beside a reference is the field's own, and wins over the referenced definition's.
            title = declared.get("title") or prop.get("title")
            below = level.add(title, name) if isinstance(title, str) and title else Titles()
            types = _types(prop) | (
                frozenset({"string"}) if not prop.get("type") and "properties" not in prop else frozenset()
            )
            if "object" in types:
                kinds[path] = "object" if types == {"object"} else ""
                if prop_refs is not None:
                    walk(prop, path + "/", prop_refs, below)
            elif "array" in types:
                listed = prop.get("items")
                raw_items: dict[str, Any] = listed if isinstance(listed, dict) else {}
                items, item_refs = (
                    _resolve(schema, raw_items, prop_refs) if prop_refs is not None else (raw_items, None)
                )
                item_types = _types(items)
                if "string" in item_types or not item_types:
                    kinds[path] = "string_array"
                elif "number" in item_types:
                    kinds[path] = "number_array"
                elif "array" in item_types:
                    kinds[path] = "array_array"
                else:
                    kinds[path] = "array"
                    if item_refs is not None:
                        walk(items, path + "/", item_refs, below)
            elif "string" in types:
                kinds[path] = "date" if prop.get("format") == "date" else "string"
            else:
                kinds[path] = next((kind for kind in ("number", "integer", "boolean") if kind in types), "")

    walk(schema, "", frozenset(), titles)
    return Shape(kinds, titles)


def field_path(path: str) -> str:
    """A path without list indexes or flatten-tool's '[]' marks: 'parties/0/roles' -> 'parties/roles'."""
    return "/".join(part.rstrip("[]") for part in path.split("/") if not isint(part))


def isint(text: str) -> bool:
    """Whether a part of a path is a list index (as int() reads it: '3', ' 3', '-1')."""
    stripped = text.strip()
    return stripped.lstrip("+-").isdigit() and stripped.isascii()
