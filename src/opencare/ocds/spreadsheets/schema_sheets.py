"""The full-profile layout's sheets and columns, worked out from a schema by flatten-tool's documented rules.

flatten-tool (https://flatten-tool.readthedocs.io) puts a release's fields on one main sheet, a column per field
(``tender/value/amount``, or with titles ``Tender:Value:Amount``), and each list of objects on a sheet of its own,
named from the list's path with every part before the last cut to 3 characters (``awa_items``; with titles
``Awa_Items``). Each such sheet starts with the ocid and the ids of the objects its rows belong to. This module
works that out once per process from the social-care profile's schemas, in the schema's order, without flatten-tool;
``tests/ocds/test_spreadsheet_writing.py`` compares it with flatten-tool's own view of the same schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from opencare.ocds.profile import social_care_profile
from opencare.ocds.spreadsheets.fields import metadata_schema

#: The field whose value starts every row of every sheet, and the field that names an object in a list.
ROOT_ID = "ocid"
ID = "id"
#: How many characters of each part of a list's path name its sheet.
TRUNCATION = 3


@dataclass
class SchemaSheet:
    """A sheet the schema describes: its id columns and columns in order, and each field path's title."""

    name: str
    id_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)

    def add(self, heading: str, *, id_column: bool = False) -> None:
        """A column, once."""
        columns = self.id_columns if id_column else self.columns
        if heading not in columns:
            columns.append(heading)


@dataclass
class SchemaLayout:
    """The main sheet, the sheets of lists of objects by name (in the schema's order), and with titles the name of the
    sheet of each list by (the path of the object holding it, with '/0/' for list items; the list's field name)."""

    main: SchemaSheet
    sub_sheets: dict[str, SchemaSheet]
    sub_sheet_names: dict[tuple[str, str], str]


class _TitleTree:
    """Titles to field names, level by level, ignoring case and spaces: how a title heading finds its field."""

    def __init__(self) -> None:
        self.children: dict[str, tuple[str, _TitleTree]] = {}

    def add(self, title: str, name: str) -> _TitleTree:
        # A later field with the same title at the same level replaces the earlier one.
        below = _TitleTree()
        self.children[_title_key(title)] = (name, below)
        return below

    def below(self, title: str | None) -> _TitleTree | None:
        found = self.children.get(_title_key(title)) if title else None
        return found[1] if found else None

    def path(self, heading: str) -> str:
        """The field path a title heading stands for; a part that is no title here, and all after it, stay as they
        are (spaces around them removed); a number is a list index."""
        parts = heading.split(":")
        found: list[str] = []
        level: _TitleTree | None = self
        for index, part in enumerate(parts):
            if _is_int(part):
                found.append(part)
                continue
            entry = level.children.get(_title_key(part)) if level is not None else None
            if entry is None:
                return "/".join(found + [item.strip(" ") for item in parts[index:]])
            found.append(entry[0])
            level = entry[1]
        return "/".join(found)


def _title_key(title: str) -> str:
    return title.replace(" ", "").lower()


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def sheet_name(parent: str, name: str, separator: str) -> str:
    """The name of the sheet of a list of objects: each part of its parent's path (list indexes left out) cut to
    3 characters and joined with '_', then the list's own name; ':' becomes '-'."""
    prefix = "_".join(part[:TRUNCATION] for part in parent.split(separator) if part != "0")
    return (prefix + name).replace(":", "-")


class _Walk:
    """One walk of a schema, collecting the main sheet's columns and the sheets of lists of objects."""

    def __init__(self, schema: dict[str, Any], *, use_titles: bool) -> None:
        self.schema = schema
        self.use_titles = use_titles
        self.sub_sheets: dict[str, SchemaSheet] = {}
        self.sub_sheet_names: dict[tuple[str, str], str] = {}
        self.root_titles = _TitleTree()

    def resolve(self, node: dict[str, Any], seen: frozenset[str]) -> tuple[dict[str, Any], frozenset[str]]:
        while isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if not ref.startswith("#"):
                raise ValueError(f"The schema refers to another document ({ref}); only local references are allowed")
            if ref in seen:
                raise ValueError(f"The schema refers to {ref} inside itself; a spreadsheet cannot lay that out")
            seen = seen | {ref}
            target: Any = self.schema
            for part in ref.removeprefix("#").strip("/").split("/") if ref != "#" else []:
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node, seen

    def fields(
        self,
        parent: str,
        node: dict[str, Any],
        seen: frozenset[str],
        parent_ids: list[str],
        titles: _TitleTree | None,
        parent_title: str | None,
    ) -> list[tuple[str, str | None]]:
        """(field path below ``parent``, title heading or None) of each column of an object, in the schema's order;
        the lists of objects inside it become sheets on the way."""
        prefix = parent + "/" if parent else ""
        # A field without a title has no titles of its own below it: its fields' titles are kept at the top level.
        titles = titles if titles is not None else self.root_titles
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return []  # an object without properties has no columns (flatten-tool skips it with a warning)
        ids = parent_ids
        if ID in properties:
            if self.use_titles:
                id_title = self.resolve(properties[ID], seen)[0].get("title")
                ids = [*parent_ids, (parent_title if parent_title is not None else prefix) + (id_title or ID)]
            else:
                ids = [*parent_ids, prefix + ID]
        found: list[tuple[str, str | None]] = []
        for name, declared in properties.items():
            prop, prop_seen = self.resolve(declared, seen)
            # The title beside a reference is the field's own, and wins over the referenced definition's.
            title = declared["title"] if "$ref" in declared and "title" in declared else prop.get("title")
            below = titles.add(title, name) if title else None
            child_title = parent_title + title + ":" if parent_title is not None and title else None
            types = _declared_types(prop)
            if "object" in types:
                for path, heading in self.fields(prefix + name, prop, prop_seen, ids, below, child_title):
                    found.append((f"{name}/{path}", f"{title}:{heading}" if title and heading else None))
            elif "array" in types:
                items, items_seen = self.resolve(prop.get("items") or {}, prop_seen)
                item_types = _declared_types(items)
                if "string" in item_types or not item_types or item_types & {"number", "array"}:
                    found.append((name, title))
                elif "object" in item_types:
                    self.list_sheet(prefix, name, title, items, items_seen, ids, titles, below, parent_title)
                else:
                    raise ValueError(f"The schema gives {prefix}{name}'s items no type a spreadsheet can hold")
            elif "string" in types or not types or types & {"number", "integer", "boolean"}:
                found.append((name, title))
        return found

    def list_sheet(
        self,
        prefix: str,
        name: str,
        title: str | None,
        items: dict[str, Any],
        seen: frozenset[str],
        ids: list[str],
        titles: _TitleTree,
        below: _TitleTree | None,
        parent_title: str | None,
    ) -> None:
        """The sheet of a list of objects: the ids of the objects it belongs to, then the items' columns."""
        if self.use_titles and parent_title is not None:
            name_of_sheet = sheet_name(parent_title, title or name, ":")
            self.sub_sheet_names[(prefix, name)] = name_of_sheet
        else:
            name_of_sheet = sheet_name(prefix, name, "/")
        sheet = self.sub_sheets.setdefault(name_of_sheet, SchemaSheet(name_of_sheet))
        for id_heading in ids:
            sheet.add(id_heading, id_column=True)
            sheet.titles[titles.path(id_heading)] = id_heading
        child_title = parent_title + title + ":" if parent_title is not None and title else None
        for path, heading in self.fields(prefix + name + "/0", items, seen, ids, below, child_title):
            full_path = f"{prefix}{name}/0/{path}"
            if not self.use_titles:
                sheet.add(full_path)
            elif heading and parent_title is not None and title:  # fields without a title are left out
                full_title = f"{parent_title}{title}:{heading}"
                sheet.add(full_title)
                sheet.titles[full_path] = full_title


def _declared_types(node: dict[str, Any]) -> set[str]:
    """The types a schema node declares (no 'type' at all declares none: the field is laid out as text)."""
    declared = node.get("type", [])
    return set(declared) if isinstance(declared, list) else {declared}


def schema_layout(schema: dict[str, Any], *, use_titles: bool) -> SchemaLayout:
    """The layout of data of this schema: the main sheet's columns (field paths, or titles where ``use_titles``,
    fields without a title left out) and the sheets of its lists of objects."""
    walk = _Walk(schema, use_titles=use_titles)
    main = SchemaSheet("")
    for path, heading in walk.fields("", schema, frozenset(), [], None, ""):
        if not use_titles:
            main.add(path)
        elif heading:
            main.add(heading)
            main.titles[path] = heading
    return SchemaLayout(main, walk.sub_sheets, walk.sub_sheet_names)


@cache
def release_layout(use_titles: bool) -> SchemaLayout:
    """The layout of the social-care profile's releases, worked out once per process."""
    return schema_layout(social_care_profile().release_schema, use_titles=use_titles)


@cache
def package_titles() -> dict[str, str]:
    """The package metadata's field paths to their titles (the Meta sheet's first column, with titles)."""
    return schema_layout(metadata_schema(), use_titles=True).main.titles


def root_heading(use_titles: bool) -> str:
    """The heading of the ocid column on every sheet: its title, with titles."""
    return release_layout(True).main.titles.get(ROOT_ID, ROOT_ID) if use_titles else ROOT_ID
