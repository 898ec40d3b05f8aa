"""Sheets to a file: an XLSX workbook, or a zip of one CSV file per sheet, with formulas neutralised.

Text that a spreadsheet program would take for a formula is an explicit text cell in XLSX and gets a leading
apostrophe in CSV; numbers are written from their JSON text, so that every digit survives.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from opencare.ocds.spreadsheets.cell_values import csv_text, number_text
from opencare.ocds.spreadsheets.fields import FieldType
from opencare.ocds.spreadsheets.layout import META_SHEET, WHOLE_FLOATS_MEMBER
from opencare.ocds.spreadsheets.sheet_reader import column_letter

MAIN_NAMESPACE = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SPREADSHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOCUMENT_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
WORKSHEET_START = f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NAMESPACE}"><sheetData>'.encode()
WORKSHEET_END = b"</sheetData></worksheet>"
#: Characters XML 1.0 cannot hold at all (control characters but tab, line feed and carriage return; lone
#: surrogates; U+FFFE and U+FFFF): they are removed.
ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Anything a text cell's XML needs changed for.
XML_SPECIAL_RE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Text that goes into XML as it is: no character to escape or remove, and no space at either end.
_NOT_IN_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
PLAIN_TEXT_RE = re.compile(f"[^&<>\\s{_NOT_IN_XML}](?:[^&<>\r{_NOT_IN_XML}]*[^&<>\\s{_NOT_IN_XML}])?")
#: Deflate level: 1 is several times faster than the default 6, for files about a fifth larger.
ZIP_LEVEL = 1
#: Pieces of XML gathered before they are written.
CHUNK_PARTS = 20_000


@dataclass
class Sheet:
    """A sheet to write: its name, headings, the field type of each column, and its rows (dicts by heading)."""

    name: str
    headings: list[str]
    types: list[FieldType | None]
    rows: Iterable[dict[str, Any]]


def _unique_names(names: Iterable[str], *, limit: int | None) -> list[str]:
    """Sheet (or file) names that are valid and distinct, ignoring case as Excel does."""
    taken: set[str] = set()
    unique = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "-", name)[:limit] or "sheet"
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"-{number}"
            candidate = base[: limit - len(suffix)] + suffix if limit else base + suffix
        taken.add(candidate.lower())
        unique.append(candidate)
    return unique


def _write_xlsx(path: Path, sheets: list[Sheet]) -> None:
    """The sheets as an XLSX workbook, written as a stream: each row's XML goes straight into the zip."""
    titles = _unique_names((sheet.name for sheet in sheets), limit=31)
    whole_floats: dict[str, list[str]] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        for number, (sheet, title) in enumerate(zip(sheets, titles, strict=True), start=1):
            floats = whole_floats.setdefault(title, [])
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as member:
                _write_worksheet(member, sheet, floats)
        for name, text in xlsx_package_parts(titles).items():
            archive.writestr(name, XML_DECLARATION + text)
        # A spreadsheet keeps every number as a float, so readers give 2 for both 2 and 2.0; this part (which
        # spreadsheet programs ignore, and drop when they save) says which whole numbers were written as floats.
        archive.writestr(
            WHOLE_FLOATS_MEMBER, json.dumps({name: cells for name, cells in whole_floats.items() if cells})
        )


def _write_worksheet(member: IO[bytes], sheet: Sheet, floats: list[str]) -> None:
    if sheet.name == META_SHEET:  # read down column A: (field, value) rows
        rows: Iterable[tuple[int, list[tuple[int, Any]]]] = (
            (number, [(0, row["field"]), (1, row["value"])]) for number, row in enumerate(sheet.rows, start=1)
        )
        columns = 2
    else:
        index = {heading: column for column, heading in enumerate(sheet.headings)}
        headings = (1, list(enumerate(sheet.headings)))
        body = (
            (number, sorted((index[key], value) for key, value in row.items() if key in index))
            for number, row in enumerate(sheet.rows, start=2)
        )
        rows = itertools.chain([headings], body)
        columns = len(sheet.headings)
    letters = [column_letter(column) for column in range(columns)]
    member.write(WORKSHEET_START)
    chunk: list[str] = []
    for number, cells in rows:
        row_number = str(number)
        chunk.append(f'<row r="{row_number}">')
        for column, value in cells:
            if value is None or value == "":
                continue
            reference = letters[column] + row_number
            kind = type(value)
            if kind is str:
                if PLAIN_TEXT_RE.fullmatch(value):  # most text: nothing to escape, no spaces at either end to keep
                    chunk.append(f'<c r="{reference}" t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    chunk.append(f'<c r="{reference}" t="inlineStr"><is>{_xml_text(value)}</is></c>')
            elif kind is bool:
                chunk.append(f'<c r="{reference}" t="b"><v>{int(value)}</v></c>')
            elif kind is int or kind is Decimal or kind is float:
                # The JSON number's own text: every digit, and an integer written as one (openpyxl and XlsxWriter
                # write 16 significant digits, which turns 92.4 into 92.40000000000001).
                if _whole_float(value):
                    floats.append(reference)
                chunk.append(f'<c r="{reference}"><v>{number_text(value)}</v></c>')
            else:
                chunk.append(f'<c r="{reference}" t="inlineStr"><is>{_xml_text(str(value))}</is></c>')
        chunk.append("</row>")
        if len(chunk) > CHUNK_PARTS:
            member.write("".join(chunk).encode())
            chunk = []
    member.write("".join(chunk).encode())
    member.write(WORKSHEET_END)


def _xml_text(text: str) -> str:
    """A text cell's <t> element: characters XML cannot hold removed, markup escaped, a carriage return kept as a
    reference (XML reading would turn it into a line feed), spaces at either end kept."""
    if XML_SPECIAL_RE.search(text):
        text = ILLEGAL_XML_RE.sub("", text)
        preserve = text[:1].isspace() or text[-1:].isspace()
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    else:
        preserve = text[:1].isspace() or text[-1:].isspace()
    return f'<t xml:space="preserve">{text}</t>' if preserve else f"<t>{text}</t>"


def _whole_float(value: Any) -> bool:
    """Whether a number was a float with nothing after the point in the JSON (2.0, 2E0): read back, it is 2."""
    if isinstance(value, float):
        return value.is_integer()
    # A Decimal written with a point or an exponent is a float, as JSON reads it.
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and value == value.to_integral_value()
        and any(mark in str(value) for mark in ".eE")
    )


def xlsx_package_parts(titles: list[str]) -> dict[str, str]:
    """The parts of an XLSX file besides its worksheets (content types, relationships, the workbook, styles), each
    without its XML declaration."""
    sheets = range(1, len(titles) + 1)
    return {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEETML}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEETML}.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SPREADSHEETML}.worksheet+xml"/>'
                for n in sheets
            )
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            f'<Relationship Id="rId1" Type="{DOCUMENT_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NAMESPACE}" xmlns:r="{DOCUMENT_RELATIONSHIPS}"><sheets>'
            + "".join(
                f'<sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
                for n, title in zip(sheets, titles, strict=True)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="{DOCUMENT_RELATIONSHIPS}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in sheets
            )
            + f'<Relationship Id="rId{len(titles) + 1}" Type="{DOCUMENT_RELATIONSHIPS}/styles" Target="styles.xml"/>'
            + "</Relationships>"
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{MAIN_NAMESPACE}">'
            '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ),
    }


def _write_csv_zip(path: Path, sheets: list[Sheet]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet, name in zip(sheets, _unique_names((sheet.name for sheet in sheets), limit=None), strict=True):
            with archive.open(f"{name}.csv", "w") as member, _text(member) as text:
                writer = csv.writer(text)
                if sheet.name == META_SHEET:
                    writer.writerows([row["field"], _csv_cell(row["value"], row["type"])] for row in sheet.rows)
                    continue
                writer.writerow(sheet.headings)
                pairs = list(zip(sheet.headings, sheet.types, strict=True))
                for row in sheet.rows:
                    writer.writerow([_csv_cell(row.get(heading), field_type) for heading, field_type in pairs])


def _text(member: Any) -> Any:
    # A byte-order mark, so that Excel reads the file as UTF-8 rather than in the computer's legacy encoding.
    return io.TextIOWrapper(member, encoding="utf-8-sig", newline="")


def _csv_cell(value: Any, field_type: FieldType | None) -> Any:
    if isinstance(value, str):
        return csv_text(value, field_type)
    if isinstance(value, float):
        return repr(value)
    return value


WRITERS: dict[str, Callable[[Path, list[Sheet]], None]] = {"xlsx": _write_xlsx, "csv": _write_csv_zip}
