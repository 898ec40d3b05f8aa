"""Where each finding of a spreadsheet upload is in the spreadsheet: the sheet and cell of every example, and for the
package's own details (publisher, uri, publishedDate, version, license...) the cell of the Meta sheet to fill in.

The Meta sheet is flatten-tool's layout for package metadata, as the template writes it: one field a row, its name
in column A and its value in column B, in the order of the release package schema (row 1 uri, row 2 version...). A
filled field's cell comes from the source map; a missing one's is the template's row for it, or, when the uploaded
sheet's rows are not in the template's order, the first row after the last filled one.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from opencare.ocds.profile import social_care_profile
from opencare.ocds.spreadsheets import SourceMap
from opencare.ocds.spreadsheets.layout import META_SHEET

#: A missing package object is filled in by its first required field: a publisher needs at least a name.
FIELD_FOR_OBJECT = {"publisher": "publisher/name"}


@cache
def metadata_rows() -> tuple[str, ...]:
    """The package metadata fields in the Meta sheet's row order (row 1 first), as the template writes them."""
    schema = social_care_profile().release_package_schema
    rows: list[str] = []

    def walk(properties: dict[str, Any], prefix: str) -> None:
        for name, prop in properties.items():
            if name == "releases" or "title" not in prop:
                continue  # the releases are on their own sheets; untitled fields (links) are not in the template
            if isinstance(prop.get("properties"), dict):
                walk(prop["properties"], f"{prefix}{name}/")
            else:
                rows.append(prefix + name)

    walk(schema.get("properties", {}), "")
    return tuple(rows)


def is_package_path(path: str) -> bool:
    """Whether a finding's field path is about the package itself, not a release or record in it."""
    first = path.split("/", 1)[0]
    return bool(path) and first not in ("releases", "records")


def package_field_place(field_path: str, source_map: SourceMap) -> tuple[str, str]:
    """(sheet, cell) of a package metadata field: where its value is, or where it should be filled in."""
    field_path = FIELD_FOR_OBJECT.get(field_path, field_path)
    found = _value_cell(field_path, source_map)
    if found:
        return found
    filled = {path: place for path in metadata_rows() if (place := _value_cell(path, source_map))}
    rows = metadata_rows()
    sheet = next((sheet for sheet, _ in filled.values()), META_SHEET)
    in_template_order = all(_row_number(cell) == rows.index(path) + 1 for path, (_, cell) in filled.items())
    if field_path in rows and in_template_order:
        return sheet, f"B{rows.index(field_path) + 1}"
    last = max((_row_number(cell) for _, cell in filled.values()), default=0)
    return sheet, f"B{last + 1}"


def add_places(report: dict[str, Any], source_map: SourceMap) -> None:
    """Give each example the sheet and cell it came from (or, for a missing value, where to fill it in), and each
    finding a ``spreadsheet`` object: its first place, and its fix in spreadsheet words (English: the report's
    language; the page explains it again in Welsh)."""
    from opencare.ocds.review.messages import explain

    for finding in report["findings"]:
        path = str(finding.get("path", ""))
        context = dict(finding.get("context") or {})
        missing = context.get("missing") if finding.get("check") == "schema.required" else None
        place: tuple[str, str] | None = None
        if is_package_path(path) or (missing and "/" not in path):
            field_path = path or str(missing or "")
            place = package_field_place(field_path, source_map)
            if missing:
                context["field_path"] = FIELD_FOR_OBJECT.get(field_path, field_path)
        for example in finding["examples"]:
            # A missing field's pointer is where it would be: locate gives the cell of its column on its row.
            places = [place] if place else source_map.locate(example.get("pointer") or "")
            if places:
                example["sheet"], example["cell"] = places[0]
        first = next((e for e in finding["examples"] if e.get("sheet")), None)
        if first is None:
            continue
        if place and missing:
            context["sheet"], context["cell"] = place
        sheet_context = {key: context[key] for key in ("sheet", "cell", "field_path") if key in context}
        how_to_fix = explain(str(finding.get("check", "")), path, context, spreadsheet=True)[1]
        finding["spreadsheet"] = {"sheet": first["sheet"], "cell": first["cell"], "how_to_fix": how_to_fix,
                                  "context": sheet_context}  # fmt: skip


def _value_cell(field_path: str, source_map: SourceMap) -> tuple[str, str] | None:
    """The cell holding a filled package field, if any (never an ancestor's place)."""
    places = source_map.locate("/" + field_path)
    for sheet, cell in places:
        if sheet == META_SHEET or sheet not in source_map.sheets[:-1]:
            return sheet, cell
    return None


def _row_number(cell: str) -> int:
    return int("".join(character for character in cell if character.isdigit()) or 0)
