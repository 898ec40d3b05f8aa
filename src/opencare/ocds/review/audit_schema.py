"""One strict schema that finds, in a single Rust validation pass, what lib-cove-ocds needs several passes for.

Starting from the extended schema, it adds:
- ``additionalProperties: false`` on every object with declared properties (unknown fields), and on every object
  the schema leaves open with none (``parties/details`` in core OCDS 1.1: a field there that no declared extension
  defines is as unknown as anywhere else, as lib-cove-ocds reports it);
- ``enum`` on open-codelist fields (values outside the codelist);
- ``pattern: \\S`` on text, ``minItems``/``minProperties`` of 1, where absent (empty fields);
- ``not: {}`` on deprecated fields (any use of them).

Every added keyword's schema path is remembered, so each error is classified by where it came from: a real schema
error, or one of the audit checks above. Valid data costs one pass; lib-cove-ocds walks the data once per check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs
import orjson

from opencare.ocds.profile import Profile

SchemaPath = tuple[str | int, ...]


@dataclass
class AuditSchema:
    """The strict schema, and the schema paths of the keywords we added, by purpose."""

    schema: dict[str, Any]
    additional: set[SchemaPath] = field(default_factory=set)
    open_codelist: set[SchemaPath] = field(default_factory=set)
    empty: set[SchemaPath] = field(default_factory=set)
    deprecated: set[SchemaPath] = field(default_factory=set)

    def node(self, path: SchemaPath) -> Any:
        """The schema node at a path (as jsonschema-rs reports it)."""
        node: Any = self.schema
        for part in path:
            node = node[part]
        return node


def build_audit_schema(schema: dict[str, Any], profile: Profile) -> AuditSchema:
    """Return the strict twin of a (self-contained) schema."""
    audit = AuditSchema(schema=orjson.loads(orjson.dumps(schema)))  # a deep copy, several times faster
    _tighten(audit.schema, (), audit, profile, in_properties=False)
    return audit


def _tighten(node: Any, path: SchemaPath, audit: AuditSchema, profile: Profile, *, in_properties: bool) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _tighten(item, (*path, index), audit, profile, in_properties=False)
        return
    if not isinstance(node, dict):
        return
    if in_properties:
        # ``node`` is a map of property name -> schema
        for name, child in node.items():
            _tighten(child, (*path, name), audit, profile, in_properties=False)
        return
    _add_audit_keywords(node, path, audit, profile)
    for key, child in list(node.items()):
        if key in ("properties", "definitions", "patternProperties"):
            _tighten(child, (*path, key), audit, profile, in_properties=True)
        elif key in ("items", "oneOf", "anyOf", "allOf", "additionalProperties", "not") and key != "enum":
            _tighten(child, (*path, key), audit, profile, in_properties=False)


def _add_audit_keywords(node: dict[str, Any], path: SchemaPath, audit: AuditSchema, profile: Profile) -> None:
    types = node.get("type")
    types = {types} if isinstance(types, str) else set(types or [])
    if "additionalProperties" not in node and (node.get("properties") or _open_object(node, types)):
        # An empty ``properties`` beside it makes jsonschema-rs name the unknown fields (without one, it reports
        # each value alone, with no name).
        node.setdefault("properties", {})
        node["additionalProperties"] = False
        audit.additional.add((*path, "additionalProperties"))
    if node.get("deprecated"):
        if "$ref" in node:  # Draft 4 ignores keywords beside $ref, so the reference moves into allOf
            node["allOf"] = [{"$ref": node.pop("$ref")}]
        node["not"] = {}
        audit.deprecated.add((*path, "not"))
    codelist = node.get("codelist")
    if codelist and node.get("openCodelist") and codelist in profile.codelists:
        codes = profile.codelists[codelist].codes
        holder = node["items"] if "array" in types and isinstance(node.get("items"), dict) else node
        holder_path = (*path, "items") if holder is not node else path
        if "enum" not in holder:
            holder["enum"] = [*codes, None]
            audit.open_codelist.add((*holder_path, "enum"))
    if "$ref" in node:
        return  # Draft 4 ignores keywords beside $ref
    if "string" in types and "pattern" not in node and "enum" not in node and "format" not in node:
        node["pattern"] = r"\S"  # not empty, and not only spaces: the Data Review Tool counts both as empty
        audit.empty.add((*path, "pattern"))
    for kind, keyword in (("array", "minItems"), ("object", "minProperties")):
        if kind in types and keyword not in node:
            node[keyword] = 1
            audit.empty.add((*path, keyword))


def _open_object(node: dict[str, Any], types: set[str]) -> bool:
    """An object the schema declares with no fields at all (not a value that may also be text, a list...)."""
    return (
        "object" in types
        and types <= {"object", "null"}
        and not any(key in node for key in ("properties", "patternProperties", "$ref", "oneOf", "anyOf", "allOf"))
    )


@dataclass
class CompiledAudit:
    """A compiled strict validator and the audit schema it came from."""

    audit: AuditSchema
    validator: Any


def compile_audit(schema: dict[str, Any], profile: Profile) -> CompiledAudit:
    """Build and compile the strict twin of a schema (formats checked, never any network)."""
    audit = build_audit_schema(schema, profile)
    validator = jsonschema_rs.Draft4Validator(audit.schema, validate_formats=True, offline=True)
    return CompiledAudit(audit=audit, validator=validator)
