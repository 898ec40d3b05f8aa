"""Every field of the extended release schema, for people: each definition once, with its fields."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from opencare.ocds.profile.builder import Profile

STANDARD_SOURCE = "OCDS 1.1.5"


@dataclass(frozen=True)
class SchemaField:
    """One field of a definition: what it means, its type, and which extension (or the standard) added it."""

    name: str
    title: str
    description: str
    types: str
    refers_to: str
    codelist: str
    open_codelist: bool
    deprecated: bool
    source: str


@dataclass(frozen=True)
class SchemaDefinition:
    """A building block of a release (Release itself, Tender, Metric, Observation...) and its fields."""

    name: str
    title: str
    description: str
    fields: tuple[SchemaField, ...]


def schema_definitions(profile: Profile) -> list[SchemaDefinition]:
    """The release, then every definition in schema order, each field listed once."""
    schema = profile.release_schema
    blocks = [("Release", schema), *schema.get("definitions", {}).items()]
    return [
        SchemaDefinition(
            name=name,
            title=str(body.get("title") or ""),
            description=str(body.get("description") or ""),
            fields=tuple(_fields(name, body, "", profile.field_sources)),
        )
        for name, body in blocks
    ]


def _fields(definition: str, node: dict[str, Any], prefix: str, sources: dict[str, str]) -> list[SchemaField]:
    fields = []
    for name, prop in (node.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        top = (prefix.split("/", 1)[0] or name) if prefix else name
        source = sources.get(f"{definition}.{top}", STANDARD_SOURCE)
        fields.append(_field(f"{prefix}{name}", prop, source))
        inline = prop.get("items", prop) if isinstance(prop.get("items"), dict) else prop
        if inline.get("properties") and "$ref" not in inline:
            fields.extend(_fields(definition, inline, f"{prefix}{name}/", sources))
    return fields


def _field(name: str, prop: dict[str, Any], source: str) -> SchemaField:
    items = prop.get("items") if isinstance(prop.get("items"), dict) else None
    target = items if items is not None else prop
    ref = target.get("$ref", "")
    refers_to = ref.removeprefix("#/definitions/") if isinstance(ref, str) else ""
    return SchemaField(
        name=name,
        title=str(prop.get("title") or ""),
        description=str(prop.get("description") or ""),
        types=_types(prop, items, refers_to),
        refers_to=refers_to,
        codelist=str(prop.get("codelist") or ""),
        open_codelist=bool(prop.get("openCodelist")),
        deprecated=bool(prop.get("deprecated")),
        source=source,
    )


def _types(prop: dict[str, Any], items: dict[str, Any] | None, refers_to: str) -> str:
    def words(value: Any) -> list[str]:
        listed = [value] if isinstance(value, str) else list(value or [])
        return [word for word in listed if word != "null"]

    if items is not None:
        inner = refers_to or " or ".join(words(items.get("type"))) or "object"
        return f"array of {inner}"
    return refers_to or " or ".join(words(prop.get("type"))) or "object"


def fields_csv(definitions: list[SchemaDefinition]) -> str:
    """Every field as CSV, one row each, for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["definition", "field", "title", "description", "type", "codelist", "open_codelist", "source"])
    for definition in definitions:
        for f in definition.fields:
            writer.writerow(
                [definition.name, f.name, f.title, f.description, f.types, f.codelist,
                 ("yes" if f.open_codelist else "no") if f.codelist else "", f.source]
            )  # fmt: skip
    return out.getvalue()
