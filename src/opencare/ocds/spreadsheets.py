"""Convert OCDS release packages to and from spreadsheets with flatten-tool, against the social-care profile, safely.

Formats: XLSX, ODS (reading only) and "csv", a zip of CSV files with one file per sheet. The main sheet is
``releases``: one row per release. Each list of objects, such as ``parties`` or ``contracts/implementation/metrics``,
has a sheet of its own, whose rows carry the ids of the release and of the objects they belong to. Package metadata
(uri, publisher, extensions...) is on a two-column ``Meta`` sheet (field, value), as in the OCDS Data Review Tool.
Column headings are field paths (``tender/value/amount``) or the schema's titles (``Tender:Value:Amount``): both are
read.

Safety. Every input is a zip container, so ``check_archive`` refuses zip bombs (declared sizes, ratios, overlapping
members) and then decompresses every member once, in chunks, to prove the declared sizes true before any library
unpacks it. Workbooks are read in openpyxl's read-only mode with at most ``MAX_CELLS`` cells visited, so a sheet
that declares a huge empty grid cannot exhaust memory. Formulas are never calculated: the value the spreadsheet
program last saved is read, and a warning names the cell. On the way out, text that a spreadsheet program would
take for a formula is neutralised (an explicit text cell in XLSX, a leading apostrophe in CSV). flatten-tool never
reaches the network: the schema is passed as a dictionary whose references are all local.

What round-trips (JSON to XLSX or CSV and back, proven on the demo data): every field, string, number and boolean,
with its JSON type: numbers keep their exact digits and int/float kind (openpyxl would round 92.4 to
92.40000000000001, so numeric cells are written from the JSON text); fields that may be text or a number, such as a
metric observation's ``measure`` or fields unknown to the profile, keep their type (XLSX: from the cell's type; CSV:
plain numbers are numbers, text that looks like a number is written with a leading apostrophe); lists of strings,
even with commas in them; lists of objects with ids, however deeply nested, in their order; package metadata.

Limitations (documented, not fixed):

- Empty strings, empty lists, empty objects and nulls are dropped: a blank cell means "no value".
- A string in a list of strings that contains ";" is split in two (";" separates the items in a cell). A list of
  strings in a field the profile does not know comes back as one string joined with ";".
- Objects in a list need an ``id``: two objects with the same id in one list are merged; objects without ids in a
  list that is itself inside a list without ids cannot be told apart.
- Releases come back grouped by ocid (releases of one contracting process together), in order within each ocid.
- A number that JSON cannot hold as it is (an integer beyond 64 bits, or beyond the range of a float) is kept as
  text, with a warning.
- XLSX: control characters other than tab, line feed and carriage return cannot be stored and are removed. Excel
  keeps only 15 significant digits and 32,767 characters per cell when it saves a file; opening and saving a file in
  Excel can change longer numbers or text (this module writes and reads them exactly).
- CSV: an integer id in a field that may be text or an integer (OCDS ids) comes back as text; a cell longer than
  131,072 characters cannot be read.
- ODS: read only; a cell's text with several paragraphs loses its line breaks, and row numbers in the source map can
  be off after blank rows that the file stores as "repeated".
- flatten-tool's warnings are captured with ``warnings.catch_warnings``, which is process-wide: run conversions in
  a worker, not in several threads of one process at once.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
import secrets
import tempfile
import warnings
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import jsonref
import openpyxl
import orjson
import pytz
from defusedxml.ElementTree import iterparse
from flattentool.exceptions import FlattenToolError, FlattenToolWarning
from flattentool.input import (
    Cell,
    SpreadsheetInput,
    extract_dict_to_error_path,
    extract_dict_to_value,
    temporarydicts_to_lists,
    unflatten_main_with_parser,
)
from flattentool.json_input import JSONParser
from flattentool.lib import isint
from flattentool.ODSReader import ODSReader
from flattentool.schema import SchemaParser
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from opencare.ocds.profile import social_care_profile
from opencare.ocds.readers import InputError, read_ocds

SPREADSHEET_FORMATS = ("xlsx", "csv", "ods")
MAIN_SHEET = "releases"
META_SHEET = "Meta"
MAX_MEMBERS = 10_000
#: A member smaller than this is never refused for its compression ratio: a small, repetitive sheet is harmless.
RATIO_FROM_BYTES = 1 << 20
#: Cells a reader may visit in one workbook (rows times columns, blank ones included).
MAX_CELLS = 50_000_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1 << 16
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
JUNK_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}
FORMAT_NAMES = {"xlsx": "an Excel workbook (.xlsx)", "ods": "an OpenDocument spreadsheet (.ods)",
                "csv": "a zip file of CSV files"}  # fmt: skip
NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
FORMULA_TAG_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
ODS_CELL = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table-cell"
ODS_REPEATED = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}number-columns-repeated"
#: flatten-tool's messages that this module reports better: values it could not convert (the type pass gives their
#: cell) and duplicate headings (the reader explains what it did).
REPORTED_ELSEWHERE = ("found in number column", "found in integer column", "Unrecognised value for boolean",
                      "found in number array column", "Duplicate heading")  # fmt: skip
INT64 = 1 << 63


class SpreadsheetError(Exception):
    """A spreadsheet or archive that cannot be converted: what is wrong, how to fix it, and where if known."""

    def __init__(self, message: str, *, how_to_fix: str, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.message = message
        self.how_to_fix = how_to_fix
        self.sheet = sheet
        self.cell = cell

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker process sends it to the parent through a pipe; the keyword-only arguments must survive pickling.
        return (_spreadsheet_error, (self.message, self.how_to_fix, self.sheet, self.cell))

    def __str__(self) -> str:
        where = f" (sheet {self.sheet!r}{f', cell {self.cell}' if self.cell else ''})" if self.sheet else ""
        return f"{self.message}{where}. {self.how_to_fix}"


def _spreadsheet_error(message: str, how_to_fix: str, sheet: str | None, cell: str | None) -> SpreadsheetError:
    return SpreadsheetError(message, how_to_fix=how_to_fix, sheet=sheet, cell=cell)


SAVE_AGAIN = (
    "Save it again from your spreadsheet program (as .xlsx or .ods, or as CSV files in a zip file) and upload that."
)


# --- Recognising and checking archives ------------------------------------------------------------------------------


def detect_spreadsheet(path: Path) -> str | None:
    """'xlsx' / 'ods' / 'csv' (zip of CSVs) by content (zip members), or None if not a spreadsheet (e.g. JSON).

    Any other zip file is 'csv', so that spreadsheet_to_json explains what is missing. An Excel 97-2003 workbook or a
    password-protected one (both OLE2 files) is 'xlsx', so that spreadsheet_to_json explains how to save it.
    """
    with path.open("rb") as handle:
        head = handle.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        return "xlsx"
    if not head.startswith(b"PK"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = _read_head(archive, "mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
        return "xlsx"  # a damaged zip container: check_archive explains
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        return "xlsx"
    if mimetype.strip() == ODS_MIMETYPE:
        return "ods"
    return "csv"


def _read_head(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as member:
        return member.read(100)


def check_archive(path: Path, *, max_total_bytes: int = 1_000_000_000, max_ratio: int = 200) -> None:
    """Refuse a zip/xlsx/ods bomb before anything unpacks it. Raises SpreadsheetError.

    Refused: more than MAX_MEMBERS members; a name with path traversal ('..', absolute); encrypted members or
    compression other than stored/deflate (bzip2 and LZMA cannot be decompressed in bounded steps); members that
    overlap; a total uncompressed size over max_total_bytes; a member (or the whole) over RATIO_FROM_BYTES with an
    uncompressed/compressed ratio over max_ratio. Then every member is decompressed once, in chunks, to prove its
    declared size true: a member that holds more than it declares (or a bad checksum) is refused.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _not_a_spreadsheet(path) from None
    with archive:
        infos = archive.infolist()
        _check_declared(infos, path.stat().st_size, max_total_bytes, max_ratio)
        _check_actual(archive, infos, max_total_bytes)


def _not_a_spreadsheet(path: Path) -> SpreadsheetError:
    with path.open("rb") as handle:
        ole2 = handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC
    if ole2:
        return SpreadsheetError(
            "This is an Excel 97-2003 workbook (.xls) or a password-protected workbook, which cannot be read",
            how_to_fix="Remove any password, then save it from Excel as an Excel Workbook (.xlsx) and upload that.",
        )
    return SpreadsheetError(
        "The file is not an XLSX or ODS spreadsheet or a zip file of CSV files, or it is damaged",
        how_to_fix=SAVE_AGAIN,
    )


def _too_big(detail: str) -> SpreadsheetError:
    return SpreadsheetError(
        f"The file was refused because it would unpack to too much data ({detail})",
        how_to_fix="Split the data into smaller files, or remove unused sheets, and upload them one at a time.",
    )


def _check_declared(infos: list[zipfile.ZipInfo], archive_size: int, max_total_bytes: int, max_ratio: int) -> None:
    if len(infos) > MAX_MEMBERS:
        raise _too_big(f"{len(infos):,} files inside it; at most {MAX_MEMBERS:,} are allowed")
    total = compressed = 0
    for info in infos:
        _check_member(info, max_ratio)
        total += info.file_size
        compressed += info.compress_size
    if total > max_total_bytes:
        raise _too_big(f"{total:,} bytes uncompressed; at most {max_total_bytes:,} are allowed")
    if total > RATIO_FROM_BYTES and total > max_ratio * max(compressed, 1):
        raise _too_big(f"it is compressed {total // max(compressed, 1):,} times; at most {max_ratio} is allowed")
    # Overlapping members share compressed bytes (the "better zip bomb"): their compressed sizes add up to more
    # than the file itself.
    if compressed > archive_size:
        raise SpreadsheetError("The zip file is malformed: its parts overlap", how_to_fix=SAVE_AGAIN)


def _check_member(info: zipfile.ZipInfo, max_ratio: int) -> None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in name.split("/") or "\0" in name:
        raise SpreadsheetError(
            f"The file has a part with an unsafe name ({info.filename!r})",
            how_to_fix="Create the zip file again from the CSV files themselves, not from folders around them.",
        )
    if info.flag_bits & 0x1:
        raise SpreadsheetError(
            "The file is encrypted (password-protected)",
            how_to_fix="Remove the password, save it and upload it again.",
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise SpreadsheetError(
            f"The file uses a kind of compression that is not accepted ({info.filename!r})",
            how_to_fix="Create the zip file again with your computer's built-in 'compress' option.",
        )
    if info.file_size > RATIO_FROM_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise _too_big(f"{info.filename!r} is compressed {ratio:,} times; at most {max_ratio} is allowed")


def _check_actual(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], max_total_bytes: int) -> None:
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        for chunk in _member_chunks(archive, info):
            total += len(chunk)
            if total > max_total_bytes:
                raise _too_big(f"more than {max_total_bytes:,} bytes uncompressed")


def _member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks; refused as soon as it holds more than it declares."""
    seen = 0
    try:
        with archive.open(info) as member:
            # zipfile stops at the declared size and then checks the CRC; counting here keeps that promise even if
            # the library changes, and reads stay bounded because each read asks for at most CHUNK bytes.
            while chunk := member.read(CHUNK):
                seen += len(chunk)
                if seen > info.file_size:
                    raise _lying_member(info)
                yield chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        raise _lying_member(info) from None


def _lying_member(info: zipfile.ZipInfo) -> SpreadsheetError:
    return SpreadsheetError(
        f"The file is damaged: {info.filename!r} does not hold what the zip file says it does", how_to_fix=SAVE_AGAIN
    )


# --- The schema, as flatten-tool and the type pass need it ----------------------------------------------------------


class FieldType(NamedTuple):
    """The JSON types the schema allows for a field (null left out), and for a list's items."""

    types: frozenset[str]
    items: frozenset[str] | None = None


@cache
def _release_types() -> dict[str, FieldType]:
    return _field_types(social_care_profile().release_schema)


@cache
def _package_types() -> dict[str, FieldType]:
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
def _release_parser(use_titles: bool) -> SchemaParser:
    """flatten-tool's view of the release schema, parsed once per process (parsing takes a good part of a second)."""
    return _parser(social_care_profile().release_schema, _release_types(), use_titles=use_titles)


@cache
def _package_parser(use_titles: bool) -> SchemaParser:
    return _parser(_metadata_schema(), _package_types(), use_titles=use_titles)


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


def _field_path(path: str) -> str:
    """A path without list indexes or flatten-tool's '[]' marks: 'parties/0/roles' -> 'parties/roles'."""
    return "/".join(part.rstrip("[]") for part in path.split("/") if not isint(part))


# --- Text that a spreadsheet program would read as something else ---------------------------------------------------


def _reads_as_other_type(text: str, field_type: FieldType | None) -> bool:
    """Whether a CSV reader would take this text for a number or boolean in this field (so it needs the apostrophe)."""
    if field_type is None or not field_type.types:
        return bool(NUMBER_RE.fullmatch(text)) or text in ("True", "False")
    if "array" in field_type.types:
        return False
    if field_type.types & {"number", "integer"} and NUMBER_RE.fullmatch(text):
        return True
    return "boolean" in field_type.types and text.lower() in ("true", "false", "1", "0")


def _needs_apostrophe(text: str, field_type: FieldType | None) -> bool:
    # Apostrophes already at the start are escaped too, so that exactly one is removed on the way back.
    rest = text.lstrip("'")
    return bool(rest) and (rest.startswith(FORMULA_START) or _reads_as_other_type(rest, field_type))


def _csv_text(text: str, field_type: FieldType | None) -> str:
    return "'" + text if _needs_apostrophe(text, field_type) else text


def _from_csv_text(text: str, field_type: FieldType | None) -> tuple[bool, str]:
    """(whether the text was marked as text with an apostrophe, the text without it)."""
    if text.startswith("'") and _needs_apostrophe(text[1:], field_type):
        return True, text[1:]
    return False, text


def _is_ambiguous(field_type: FieldType | None) -> bool:
    """A field whose CSV text could be a string or a number/boolean: the schema allows both, or does not say."""
    if field_type is None or not field_type.types:
        return True
    return "string" in field_type.types and bool(field_type.types & {"number", "boolean"})


def _literal(text: str, field_type: FieldType | None) -> Any:
    """The number or boolean that plain CSV text stands for in an ambiguous field, or None."""
    if NUMBER_RE.fullmatch(text):
        number = float(text) if any(mark in text for mark in ".eE") else int(text)
        return number if _storable(number) else None
    if text in ("True", "False") and (field_type is None or not field_type.types or "boolean" in field_type.types):
        return text == "True"
    return None


def _storable(number: float) -> bool:
    """Whether the number can be written to JSON as it is: a finite float, or an integer orjson can write (64 bits)."""
    return -INT64 <= number < INT64 if isinstance(number, int) else math.isfinite(number)


def _number_text(value: Decimal | int | float) -> str:
    return repr(value) if isinstance(value, float) else str(value)


# --- JSON to spreadsheet ---------------------------------------------------------------------------------------------


@dataclass
class _Sheet:
    """A sheet to write: its name, headings, the field type of each column, and its rows (dicts by heading)."""

    name: str
    headings: list[str]
    types: list[FieldType | None]
    rows: Iterable[dict[str, Any]]


def json_to_spreadsheet(source: Path, output: Path, fmt: str, *, use_titles: bool = False) -> None:
    """Flatten an OCDS release package JSON file into XLSX (one file) or CSV (a zip of one CSV file per sheet).

    Uses flatten-tool against the social-care schema, with a Meta sheet for the package metadata. Writes to a
    temporary file and renames it, so a failure leaves nothing at ``output``. Text that a spreadsheet program would
    take for a formula is neutralised (see the module docstring). Raises InputError if ``source`` is not a readable
    release package; ValueError for a format other than 'xlsx' or 'csv'.
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"Cannot write {fmt!r}: only 'xlsx' and 'csv' are written")
    metadata = _release_package_metadata(source)
    types = _release_types()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # flatten-tool's notes on the schema and on removed control characters
            flat = JSONParser(
                json_filename=str(source),
                root_list_path=MAIN_SHEET,
                schema_parser=_release_parser(use_titles),
                root_id="ocid",
                use_titles=use_titles,
                id_name="id",
                remove_empty_schema_columns=True,
                persist=True,  # rows wait on disk (ZODB), not in memory, until they are written
            )
            with flat:
                root = _root_heading(use_titles)
                sheets = [_data_sheet(MAIN_SHEET, flat.main_sheet, types, root)]
                sheets += [_data_sheet(name, sheet, types, root) for name, sheet in flat.sub_sheets.items()]
                sheets.append(_meta_sheet(metadata, use_titles))
                _write_atomically(output, lambda path: _WRITERS[fmt](path, sheets))
    except FlattenToolError as error:
        raise InputError(f"The package could not be flattened ({error})", how_to_fix="Check the JSON.") from None


def _release_package_metadata(source: Path) -> dict[str, Any]:
    """The package's metadata, after reading the whole file once: broken JSON gets the readers' clear InputError
    (line and column) instead of failing inside flatten-tool, which would leave its temporary database behind."""
    with read_ocds(source) as data:
        if data.format != "release package" or data.path is None:
            raise InputError(
                f"This is {_a(data.format)}, not an uncompressed release package",
                how_to_fix='Give a release package: a JSON object with a "releases" array.',
            )
        if data.items_not_a_list:
            raise InputError(
                f'"releases" is {data.items_not_a_list}, not a list', how_to_fix='Make "releases" a JSON array.'
            )
        for _ in data.items():
            pass
        return {key: value for key, value in data.metadata.items() if key not in ("releases", "records")}


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _root_heading(use_titles: bool) -> str:
    """The heading of the ocid column: flatten-tool titles it in every sheet's rows but not in sub-sheets' headings."""
    return _release_parser(True).main_sheet.titles.get("ocid", "ocid") if use_titles else "ocid"


def _data_sheet(name: str, sheet: Any, types: dict[str, FieldType], root: str) -> _Sheet:
    headings = list(dict.fromkeys(root if heading == sheet.root_id else heading for heading in sheet))
    paths = {title: path for path, title in sheet.titles.items()} | {root: "ocid"}
    column_types = [types.get(_field_path(paths.get(heading, heading))) for heading in headings]
    return _Sheet(name, headings, column_types, sheet.lines)


def _meta_sheet(metadata: dict[str, Any], use_titles: bool) -> _Sheet:
    """Package metadata as (field, value) rows: the Meta sheet is read down column A, not across row 1."""
    titles = _package_parser(True).main_sheet.titles if use_titles else {}
    types = _package_types()
    rows = [
        {"field": titles.get(path, path), "value": value, "type": types.get(_field_path(path))}
        for path, value in _flatten_metadata(metadata, "")
    ]
    return _Sheet(META_SHEET, [], [], rows)


def _flatten_metadata(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten_metadata(item, f"{path}/{key}" if path else key)
    elif isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
        if value:
            yield path, ";".join(map(str, value))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _flatten_metadata(item, f"{path}/{index}")
    elif value is not None and value != "":
        yield path, value


def _write_atomically(output: Path, write: Callable[[Path], None]) -> None:
    temporary = output.with_name(f".{output.name}.{secrets.token_hex(8)}.part")
    # Created like any new file (permissions from the umask), unlike mkstemp's owner-only files.
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        write(temporary)
        temporary.replace(output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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


def _write_xlsx(path: Path, sheets: list[_Sheet]) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    for sheet, title in zip(sheets, _unique_names((sheet.name for sheet in sheets), limit=31), strict=True):
        worksheet = workbook.create_sheet(title)
        if sheet.name == META_SHEET:
            for row in sheet.rows:
                worksheet.append([row["field"], _xlsx_cell(worksheet, row["value"])])
            continue
        worksheet.append(sheet.headings)
        for row in sheet.rows:
            worksheet.append([_xlsx_cell(worksheet, row.get(heading)) for heading in sheet.headings])
    workbook.save(path)


def _xlsx_cell(worksheet: Any, value: Any) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # XML cannot hold them at all
        if value.startswith("="):
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"  # text, not a formula: stored as the exact string, shown as typed
            return cell
        return value
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        # openpyxl writes numbers with 16 significant digits ("%.16g"), which turns 92.4 into 92.40000000000001;
        # the JSON number's own text keeps every digit, and whether it was written as an integer.
        cell = WriteOnlyCell(worksheet, value=_number_text(value))
        cell.data_type = "n"
        return cell
    return value


def _write_csv_zip(path: Path, sheets: list[_Sheet]) -> None:
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
        return _csv_text(value, field_type)
    if isinstance(value, float):
        return repr(value)
    return value


_WRITERS: dict[str, Callable[[Path, list[_Sheet]], None]] = {"xlsx": _write_xlsx, "csv": _write_csv_zip}


def write_template(output: Path, fmt: str = "xlsx") -> None:
    """A blank template of the social-care profile, XLSX or CSV zip: main sheet 'releases', headings as titles.

    One sheet for the releases, one for each list of objects, and a Meta sheet for the package metadata.
    """
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"Cannot write {fmt!r}: only 'xlsx' and 'csv' are written")
    parser = _release_parser(True)
    root = _root_heading(True)
    headings = [(MAIN_SHEET, list(parser.main_sheet))]
    headings += [
        (name, [root if h == sheet.root_id else h for h in sheet]) for name, sheet in parser.sub_sheets.items()
    ]
    sheets = [_Sheet(name, columns, [None] * len(columns), []) for name, columns in headings]
    titles = _package_parser(True).main_sheet.titles
    meta_rows = [{"field": titles.get(path, path), "value": None, "type": None} for path in titles]
    sheets.append(_Sheet(META_SHEET, [], [], meta_rows))
    _write_atomically(output, lambda path: _WRITERS[fmt](path, sheets))


# --- Spreadsheet to JSON ---------------------------------------------------------------------------------------------


@dataclass
class SourceMap:
    """Where each value of the produced JSON came from.

    ``places``: flatten-tool's cell source map, by JSON pointer without the leading '/': a value's cells as
    (sheet, column, row, heading), an object's rows as (sheet, row). ``columns``: each sheet's column letter by field
    path without indexes. ``sheets``: the sheets in the order they were read, parents first. ``row_offsets``: what
    to add to flatten-tool's row numbers (it counts data rows from 2). Cells are worked out when asked for, so a large
    spreadsheet's map is not held twice.
    """

    warnings: list[dict[str, str | None]] = field(default_factory=list)
    places: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict, repr=False)
    columns: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    sheets: list[str] = field(default_factory=list)
    row_offsets: dict[str, int] = field(default_factory=dict)

    def locate(self, pointer: str) -> list[tuple[str, str]]:
        """(sheet name, cell like 'C7') for a JSON pointer into the produced package, e.g. '/releases/0/id'.

        If the exact pointer has no cell (it points at an object, or at a missing required field), the nearest
        ancestor with rows gives the place, in the object's own sheet: the cell where the field would be if that
        sheet has a column for it, else the cell of the object's id, else the row's first cell. Empty list if
        nothing is known.
        """
        key = "/".join(part.replace("~1", "/").replace("~0", "~") for part in pointer.strip("/").split("/"))
        node = key
        while True:
            places = self.places.get(node)
            if places and len(places[0]) == 4:
                return [(sheet, f"{column}{self._row(sheet, row)}") for sheet, column, row, _ in places]
            if places:
                return self._row_cells(places, node, key)
            if not node:
                return []
            node = node.rpartition("/")[0]

    def _row(self, sheet: str, row: int) -> int:
        return row + self.row_offsets.get(sheet, 0)

    def _row_cells(self, places: list[tuple[Any, ...]], node: str, key: str) -> list[tuple[str, str]]:
        order = {sheet: index for index, sheet in enumerate(self.sheets)}
        own_sheet = min((sheet for sheet, _ in places), key=lambda sheet: order.get(sheet, len(order)))
        columns = self.columns.get(own_sheet, {})
        own = _record_path(node)
        column = columns.get(_record_path(key)) or columns.get(f"{own}/id" if own else "id") or "A"
        rows = sorted({row for sheet, row in places if sheet == own_sheet})
        return [(own_sheet, f"{column}{self._row(own_sheet, row)}") for row in rows]


#: A list index in a pointer key, and a release's own prefix.
INDEX_RE = re.compile(r"/\d+(?=/|$)")
RELEASE_RE = re.compile(rf"^{MAIN_SHEET}/\d+(?:/|$)")


def _record_path(key: str) -> str:
    """The field path of a pointer key within its release (or package): 'releases/0/parties/1/id' -> 'parties/id'."""
    return INDEX_RE.sub("", RELEASE_RE.sub("", key, count=1))


def spreadsheet_to_json(source: Path, fmt: str, output: Path) -> SourceMap:
    """Convert a spreadsheet (fmt from SPREADSHEET_FORMATS) into an OCDS release package JSON file at ``output``.

    Uses flatten-tool's unflatten with the social-care release schema (root list 'releases', id 'id', headings as
    titles or field paths) and its cell source map. check_archive first. Formulas are never calculated. Values
    flatten-tool could not convert, and other problems worth knowing, are in the SourceMap's ``warnings``, each
    {"message", "sheet", "cell"}. Raises SpreadsheetError for a spreadsheet with no releases, an unreadable file or
    the wrong format; nothing is written to ``output`` then. ValueError for a format not in SPREADSHEET_FORMATS.
    """
    if fmt not in SPREADSHEET_FORMATS:
        raise ValueError(f"Unknown spreadsheet format {fmt!r}: expected one of {SPREADSHEET_FORMATS}")
    check_archive(source)
    found = detect_spreadsheet(source)
    if found != fmt:
        raise SpreadsheetError(
            f"The file is {FORMAT_NAMES.get(found or '', 'not a spreadsheet')}, not {FORMAT_NAMES[fmt]}",
            how_to_fix="Choose the right format for the file, or save it again in the format you chose.",
        )
    with tempfile.TemporaryDirectory(prefix="opencare-sheets-") as folder:
        reader = _READERS[fmt](source, Path(folder))
        try:
            package, source_map = _read_package(reader)
        except (SpreadsheetError, MemoryError):
            raise
        except FlattenToolError as error:
            raise SpreadsheetError(
                f"The column headings do not fit the social-care profile: {error}",
                how_to_fix="Use the headings of the template (titles such as 'Release ID', or field paths such as "
                "tender/value/amount), and keep each heading to one kind of value.",
            ) from None
        except Exception as error:  # openpyxl, odfpy and csv fail in many ways on a malformed file
            raise SpreadsheetError(
                f"The spreadsheet could not be read ({type(error).__name__}: {error})", how_to_fix=SAVE_AGAIN
            ) from None
        finally:
            reader.close()
    _write_atomically(output, lambda path: path.write_bytes(orjson.dumps(package, default=_json_number)))
    return source_map


def _json_number(value: Any) -> Any:
    """orjson's fallback: a Decimal the type pass did not reach (in a list of lists of numbers)."""
    if isinstance(value, Decimal) and value.is_finite():
        return float(value) if any(mark in str(value) for mark in ".eE") else int(value)
    raise TypeError(f"Cannot write {value!r} as JSON")


def _read_package(reader: _Reader) -> tuple[dict[str, Any], SourceMap]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reader.parser = _release_parser(False)
        reader.read_sheets()
        releases, flat_map, _ = reader.fancy_unflatten(with_cell_source_map=True, with_heading_source_map=False)
        metadata, meta_map = reader.read_meta(_package_parser(False))
    if not releases:
        raise SpreadsheetError(
            "The spreadsheet has no releases",
            how_to_fix=f"Put one release on each row of the '{MAIN_SHEET}' sheet, under the template's headings, "
            "with at least its Open Contracting ID and Release ID.",
        )
    source_map = SourceMap(sheets=[*reader.sub_sheet_names, META_SHEET], warnings=list(reader.notes))
    source_map.warnings += [note for note in map(_translate, caught) if note]
    flat_map.update(meta_map)
    fixer = _TypeFixer(flat_map, reader, source_map.warnings)
    package = {**fixer.fix_object(metadata, "", _package_types()), MAIN_SHEET: releases}
    fixer.fix_list(releases, MAIN_SHEET, _release_types())
    source_map.places, source_map.columns, source_map.row_offsets = flat_map, reader.columns, reader.row_offsets
    return package, source_map


def _translate(caught: warnings.WarningMessage) -> dict[str, str | None] | None:
    """flatten-tool's warning in plain English, or None if it is reported better elsewhere or is not about the data."""
    message = str(caught.message)
    if not issubclass(caught.category, FlattenToolWarning) or any(m in message for m in REPORTED_ELSEWHERE):
        return None
    return {"message": message, "sheet": None, "cell": None}


# --- The type pass: JSON types back from flatten-tool's output -------------------------------------------------------


class _TypeFixer:
    """Turns flatten-tool's values into the JSON types the schema (or the cell) says, and reports what it cannot.

    flatten-tool returns Decimals for numbers, the text of numeric cells in fields that may be text or a number,
    lists of lists for lists of strings with commas in them, and CSV text with the apostrophe this module adds.
    """

    def __init__(self, flat_map: dict[str, list[Any]], reader: _Reader, notes: list[dict[str, str | None]]):
        self.flat_map = flat_map
        self.reader = reader
        self.notes = notes

    def fix_object(self, value: dict[str, Any], key: str, types: dict[str, FieldType]) -> dict[str, Any]:
        for name, item in value.items():
            value[name] = self.fix(item, f"{key}/{name}" if key else name, types)
        return value

    def fix_list(self, value: list[Any], key: str, types: dict[str, FieldType]) -> list[Any]:
        for index, item in enumerate(value):
            value[index] = self.fix_object(item, f"{key}/{index}", types)
        return value

    def fix(self, value: Any, key: str, types: dict[str, FieldType]) -> Any:
        if isinstance(value, dict):
            return self.fix_object(value, key, types)
        field_type = types.get(_record_path(key))
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            return self.fix_list(value, key, types)
        if isinstance(value, list):
            return self._fix_values(value, key, field_type)
        return self._fix_value(value, key, field_type)

    def _fix_values(self, values: list[Any], key: str, field_type: FieldType | None) -> list[Any]:
        items = field_type.items if field_type else None
        if items is not None and "string" in items:
            # flatten-tool splits a cell on ',' as well as ';' (for lists of lists): put the commas back.
            values = [",".join(map(str, value)) if isinstance(value, list) else value for value in values]
        if self.reader.is_csv and values and isinstance(values[0], str):
            values[0] = _from_csv_text(values[0], FieldType(frozenset({"array"})))[1]  # the apostrophe is the cell's
        fixed = [self._number(value, key) if isinstance(value, Decimal) else value for value in values]
        if items and items <= {"number", "integer"} and any(isinstance(value, str) for value in fixed):
            self._note(key, f'"{";".join(map(str, fixed))}" is not a list of numbers, so it was kept as text.')
        return fixed

    def _fix_value(self, value: Any, key: str, field_type: FieldType | None) -> Any:
        if isinstance(value, Decimal):
            return self._number(value, key)
        if not isinstance(value, str):
            return value
        raw = None if self.reader.is_csv else self.reader.raw_value(self.flat_map.get(key))
        if raw is not None and _accepts(field_type, raw) and _storable(raw):
            return raw
        if self.reader.is_csv:
            quoted, value = _from_csv_text(value, field_type)
            literal = None if quoted or not _is_ambiguous(field_type) else _literal(value, field_type)
            if literal is not None:
                return literal
        if field_type is not None and field_type.types and "string" not in field_type.types:
            self._note(key, _not_a(value, field_type.types))
        return value

    def _number(self, value: Decimal, key: str) -> Any:
        raw = None if self.reader.is_csv else self.reader.raw_value(self.flat_map.get(key))
        if isinstance(raw, float) and _storable(raw) and Decimal(raw) == value:
            return raw  # a float cell such as 2.0 stays a float
        if value.is_finite():
            # As JSON does: a number written with a decimal point or an exponent is a float, else an integer.
            number = float(value) if any(mark in str(value) for mark in ".eE") else int(value)
            if _storable(number):
                return number
        text = _number_text(raw) if isinstance(raw, int | float) else str(value)
        self._note(key, f'"{text}" is too large (or not a finite number) to be stored, so it was kept as text.')
        return text

    def _note(self, key: str, message: str) -> None:
        places = self.flat_map.get(key) or [(None, None, None, None)]
        sheet, col, row, _ = places[0]
        cell = f"{col}{row + self.reader.row_offset(sheet)}" if sheet else None
        self.notes.append({"message": message, "sheet": sheet, "cell": cell})


def _accepts(field_type: FieldType | None, raw: Any) -> bool:
    """Whether a numeric or boolean cell's own value fits the field (it does if the schema does not say)."""
    if field_type is None or not field_type.types:
        return True
    if isinstance(raw, bool):
        return "boolean" in field_type.types
    if isinstance(raw, int):
        return bool(field_type.types & {"number", "integer"})
    return "number" in field_type.types


def _not_a(value: str, types: frozenset[str]) -> str:
    if types <= {"number", "integer"}:
        kind = "a whole number" if types == {"integer"} else "a number"
    elif types == {"boolean"}:
        kind = "true or false"
    else:
        kind = " or ".join(sorted(types))
    return f'"{value}" is not {kind}, so it was kept as text.'


# --- Reading sheets --------------------------------------------------------------------------------------------------


class _BlankHeading:
    """A column without a heading. Each is a distinct key, so the columns after it keep their letters."""

    def __repr__(self) -> str:
        return "(no heading)"


class _Reader(SpreadsheetInput):
    """flatten-tool's spreadsheet input, reading sheets our way: bounded, in parent-first order, keeping raw values.

    Subclasses give ``_open`` (the sheet names in file order) and ``_rows`` (a sheet's rows as lists of values).
    """

    is_csv = False

    def __init__(self, source: Path, folder: Path):
        super().__init__(
            # Headings are turned into field paths here (see _key_of), not by flatten-tool.
            input_name=str(source),
            root_list_path=MAIN_SHEET,
            root_id="ocid",
            convert_titles=False,
            id_name="id",
        )
        self.folder = folder
        self.notes: list[dict[str, str | None]] = []
        self.columns: dict[str, dict[str, str]] = {}
        self._headings: dict[str, list[Any]] = {}
        self._raw: dict[tuple[str, int, str], Any] = {}
        self.row_offsets: dict[str, int] = {}
        self._cells = 0

    # The interface flatten-tool calls.

    def read_sheets(self) -> None:
        names = [name for name in self._open() if name != META_SHEET]
        self.sheet_names_map = OrderedDict((name, name) for name in names)
        self.sub_sheet_names = names
        self.configure_sheets()
        depths = {name: self._depth(name) for name in names}
        # Parents before children: an object's place in its list is where it is first seen, which must be its own
        # sheet, not one of its children's (zip files list CSV files alphabetically: 'par_...' before 'parties').
        self.sub_sheet_names = sorted(names, key=depths.__getitem__)

    def get_sheet_configuration(self, sheet_name: str) -> list[Any]:
        first = next(iter(self._rows(sheet_name, 1, None)), [])
        if first and first[0] == "#":
            return [value for value in first[1:] if isinstance(value, str) and value]
        return []

    def get_sheet_headings(self, sheet_name: str) -> list[Any]:
        if sheet_name not in self._headings:
            self._headings[sheet_name] = self._read_headings(sheet_name)
        return self._headings[sheet_name]

    def get_sheet_lines(self, sheet_name: str) -> Iterator[dict[Any, Any]]:
        headings = self.get_sheet_headings(sheet_name)
        if not headings:
            return
        keys = [self._key_of(heading) for heading in headings]
        blanks = [_BlankHeading() for _ in headings]
        same = self._duplicates(sheet_name, headings, keys)
        letters = [_column_letter(index) for index in range(len(headings))]
        keep_raw = [not self.is_csv and _wants_raw(self._type_of(heading)) for heading in headings]
        for index, row in enumerate(self._rows(sheet_name, self._layout(sheet_name)[1], len(keys))):
            self._count(len(keys))
            if not any(value is not None and value != "" for value in row):
                yield {}  # a blank row still counts, so that row numbers stay right
                continue
            # Of columns with the same field, the first one filled in on this row is read.
            chosen = {key: next((c for c in columns if row[c] not in (None, "")), columns[0]) for key, columns in same}
            line: dict[Any, Any] = OrderedDict()
            for column, (key, value) in enumerate(zip(keys, row, strict=False)):
                if key is None or (key in chosen and chosen[key] != column):
                    line[blanks[column]] = None  # a distinct key keeps the next columns' letters right
                    continue
                line[key] = value
                if keep_raw[column] and isinstance(value, int | float):
                    self._raw[(sheet_name, index, letters[column])] = value
            yield line

    # Used by spreadsheet_to_json.

    def read_meta(self, parser: SchemaParser) -> tuple[dict[str, Any], dict[str, list[Any]]]:
        """The package metadata from the Meta sheet (field paths or titles in column A, values in column B)."""
        if META_SHEET not in self._open():
            return {}, {}
        cells: dict[str, Cell] = OrderedDict()
        for number, row in enumerate(self._rows(META_SHEET, 1, 2), start=1):
            self._count(2)
            heading, value = [*row, None, None][:2]
            if not isinstance(heading, str) or not heading.strip() or value is None or value == "":
                continue
            path = parser.title_lookup.lookup_header(heading.strip())
            if path.split("/")[0] in ("releases", "records"):
                continue
            cells[path] = Cell(value, (META_SHEET, "B", number, heading))
            if not self.is_csv and isinstance(value, int | float):
                self._raw[(META_SHEET, number - 2, "B")] = value
        tree = unflatten_main_with_parser(parser, cells, pytz.UTC, False, "id")
        temporarydicts_to_lists(tree)
        paths = extract_dict_to_error_path([], tree)
        return extract_dict_to_value(tree), {"/".join(map(str, path)): places for path, places in paths.items()}

    def raw_value(self, places: list[Any] | None) -> Any:
        """The cell's own number or boolean, where flatten-tool turned it into text."""
        if not places or len(places[0]) != 4:
            return None
        sheet, column, row, _ = places[0]
        return self._raw.get((sheet, row - 2, column))

    def row_offset(self, sheet: str | None) -> int:
        """flatten-tool numbers data rows from 2; configuration and skipped rows push them down."""
        return self.row_offsets.get(sheet or "", 0)

    def close(self) -> None:
        """Release the file."""

    # Helpers.

    def _read_headings(self, sheet_name: str) -> list[Any]:
        layout = self._layout(sheet_name)
        if layout[0] == 0:
            return []
        row = list(next(iter(self._rows(sheet_name, layout[0], None)), []))
        self._count(len(row))
        while row and row[-1] in (None, ""):
            row.pop()
        self.row_offsets[sheet_name] = layout[1] - 2
        self.columns[sheet_name] = {
            _field_path(self._path_of(heading)): _column_letter(index)
            for index, heading in reversed(list(enumerate(row)))  # the first column wins, as a person reads
            if isinstance(heading, str) and heading
        }
        return row

    def _layout(self, sheet_name: str) -> tuple[int, int]:
        """(heading row, first data row), counting from 1; heading row 0 means the sheet is ignored."""
        configuration = self.sheet_configuration.get(sheet_name) or {}
        if configuration.get("ignore"):
            return 0, 0
        heading_row = configuration.get("skipRows", 0) + (1 if configuration else 0) + 1
        return heading_row, heading_row + configuration.get("headerRows", 1)

    def _path_of(self, heading: Any) -> str:
        return str(self.parser.title_lookup.lookup_header(heading)) if isinstance(heading, str) else str(heading)

    def _key_of(self, heading: Any) -> str | None:
        """The field path a heading stands for, without a '0' after a list the schema knows: 'parties/address/region'.

        Titles give paths without indexes and flatten-tool's own headings have them; without the '0', 'Parties:Name'
        and 'parties/0/id' on one row describe the same party. (Other indexes stay: 'tender/items/1/id' is a second
        item on the row. Shorter paths also matter: flatten-tool's time per cell grows with the square of a path's
        length.)
        """
        if heading is None or (isinstance(heading, str) and not heading.strip()):
            return None
        parts = self._path_of(heading).split("/")
        keyed, named = [], []
        for part in parts:
            if part == "0" and self.parser.flattened.get("/".join(named)) == "array":
                continue
            keyed.append(part)
            if not isint(part):
                named.append(part.rstrip("[]"))
        return "/".join(keyed)

    def _duplicates(self, sheet_name: str, headings: list[Any], keys: list[str | None]) -> list[tuple[str, list[int]]]:
        """Columns whose headings mean the same field, with a warning for each such field."""
        columns: dict[str, list[int]] = {}
        for index, key in enumerate(keys):
            if key is not None:
                columns.setdefault(key, []).append(index)
        same = [(key, found) for key, found in columns.items() if len(found) > 1]
        for _, found in same:
            names = ", ".join(f"{_column_letter(index)} ({headings[index]})" for index in found)
            self.notes.append(
                {
                    "message": f"Columns {names} are for the same field. On each row the first one filled in was "
                    "read and the others were ignored. Keep one of them.",
                    "sheet": sheet_name,
                    "cell": None,
                }
            )
        return same

    def _type_of(self, heading: Any) -> FieldType | None:
        return _release_types().get(_field_path(self._path_of(heading)))

    def _depth(self, sheet_name: str) -> int:
        """How many lists deep the sheet's rows are: 0 for releases, 1 for parties, 2 for parties' identifiers..."""
        keys = [self._key_of(heading) for heading in self.get_sheet_headings(sheet_name)]
        return max((self._key_depth(key) for key in keys if key), default=0)

    def _key_depth(self, key: str) -> int:
        parts, depth = key.split("/"), 0
        for index, part in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else None
            named = "/".join(item for item in parts[: index + 1] if not isint(item))
            if isint(part) or (following and not isint(following) and self.parser.flattened.get(named) == "array"):
                depth += 1
        return depth

    def _count(self, cells: int) -> None:
        self._cells += cells
        if self._cells > MAX_CELLS:
            raise _too_many_cells()

    def _open(self) -> list[str]:
        raise NotImplementedError

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any] | tuple[Any, ...]]:
        raise NotImplementedError


def _too_many_cells() -> SpreadsheetError:
    return SpreadsheetError(
        f"The spreadsheet is too big: it has more than {MAX_CELLS:,} cells, counting blank ones between filled ones",
        how_to_fix="Delete empty rows and columns after the data (or any stray value far below or to the right of "
        "it), or split the data into several files.",
    )


def _wants_raw(field_type: FieldType | None) -> bool:
    """Whether the type pass may need a numeric cell's own value (float or int) for this column."""
    if field_type is None or not field_type.types:
        return True
    return not (field_type.types <= {"string"} or field_type.types & {"array", "object"})


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


class _XlsxReader(_Reader):
    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self.workbook: Any = None
        self._handle: Any = None
        self._names: list[str] | None = None

    def _open(self) -> list[str]:
        if self._names is None:
            # Read-only: rows stream from the file, so memory does not grow with the sheet; data_only: a formula
            # cell gives the value last saved with it, never a calculation.
            # A file handle, because given a path openpyxl refuses names without an Excel extension (uploads may
            # be stored under any name).
            self._handle = Path(self.input_name).open("rb")  # noqa: SIM115 (closed in close())
            self.workbook = openpyxl.load_workbook(self._handle, read_only=True, data_only=True, keep_links=False)
            self._names = [sheet.title for sheet in self.workbook.worksheets]
            self.notes += _formula_notes(Path(self.input_name), self.workbook)
        return self._names

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[tuple[Any, ...]]:
        worksheet = self.workbook[sheet_name]
        # The declared size can be wrong (or hostile): read what is there, no wider than the headings.
        worksheet.reset_dimensions()
        return worksheet.iter_rows(min_row=first_row, max_col=width, values_only=True)

    def close(self) -> None:
        """Release the file."""
        if self.workbook is not None:
            self.workbook.close()
        if self._handle is not None:
            self._handle.close()


def _formula_notes(path: Path, workbook: Any) -> list[dict[str, str | None]]:
    """A warning for each formula cell. Sheets are scanned for formula tags first, as most have none."""
    notes: list[dict[str, str | None]] = []
    with zipfile.ZipFile(path) as archive:
        for worksheet in workbook.worksheets:
            member = getattr(worksheet, "_worksheet_path", None)
            if member and _has_formula_tag(archive, member):
                with archive.open(member) as source:
                    notes += [_formula_note(worksheet.title, *found) for found in _formula_cells(source)]
    return notes


def _has_formula_tag(archive: zipfile.ZipFile, member: str) -> bool:
    tail = b""
    for chunk in _member_chunks(archive, archive.getinfo(member)):
        if FORMULA_TAG_RE.search(tail + chunk):
            return True
        tail = chunk[-16:]
    return False


def _formula_cells(source: Any) -> Iterator[tuple[str, str, str | None]]:
    """(cell reference, formula text, saved value) for each cell with a formula, streaming the sheet's XML."""
    for _, element in iterparse(source, events=("end",)):
        if element.tag.endswith("}c") or element.tag == "c":
            formula = next((child for child in element if child.tag.rpartition("}")[2] == "f"), None)
            if formula is not None:
                value = next((child.text for child in element if child.tag.rpartition("}")[2] == "v"), None)
                yield element.get("r", "?"), formula.text or "", value
            element.clear()


def _formula_note(sheet: str, cell: str, formula: str, value: str | None) -> dict[str, str | None]:
    shown = f" (={formula})" if formula else ""
    if value is None:
        message = (
            f"Cell {cell} has a formula{shown}. Formulas are not worked out here and the file has no saved result "
            "for it, so the cell was read as empty. Type the value instead of the formula."
        )
    else:
        message = (
            f"Cell {cell} has a formula{shown}. Formulas are not worked out here: the result your spreadsheet "
            f"program saved with the file ({value}) was used. Type the value instead to be sure."
        )
    return {"message": message, "sheet": sheet, "cell": cell}


class _OdsReader(_Reader):
    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self.workbook: Any = None

    def _open(self) -> list[str]:
        if self.workbook is None:
            _check_ods_repeats(Path(self.input_name))
            self.workbook = ODSReader(self.input_name)
        return list(self.workbook.SHEETS)

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any]]:
        for row in self.workbook.SHEETS[sheet_name][first_row - 1 :]:
            yield (list(row) + [None] * width)[:width] if width is not None else list(row)


def _check_ods_repeats(path: Path) -> None:
    """Refuse an ODS file whose repeated cells would make the reader loop too often (it expands each repeat)."""
    repeats = 0
    with zipfile.ZipFile(path) as archive, archive.open("content.xml") as content:
        for _, element in iterparse(content, events=("end",)):
            if element.tag == ODS_CELL:
                repeats += int(element.get(ODS_REPEATED, "1"))
                if repeats > MAX_CELLS:
                    raise _too_many_cells()
            element.clear()


class _CsvReader(_Reader):
    is_csv = True

    def __init__(self, source: Path, folder: Path):
        super().__init__(source, folder)
        self._files: dict[str, Path] | None = None

    def _open(self) -> list[str]:
        if self._files is None:
            self._files, self.notes[:0] = _extract_csvs(Path(self.input_name), self.folder)
        return list(self._files)

    def _rows(self, sheet_name: str, first_row: int, width: int | None) -> Iterator[list[Any]]:
        assert self._files is not None
        # newline="": line breaks inside quoted cells are kept exactly (\r\n stays \r\n).
        with self._files[sheet_name].open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                if number >= first_row:
                    yield (row + [None] * width)[:width] if width is not None else row


def _extract_csvs(source: Path, folder: Path) -> tuple[dict[str, Path], list[dict[str, str | None]]]:
    """Unpack the CSV files (in zip order) as UTF-8; a file in Windows-1252 (Excel's usual choice) is converted."""
    files: dict[str, Path] = {}
    notes: list[dict[str, str | None]] = []
    others = []
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if (
                info.is_dir()
                or name.parts[:1] == ("__MACOSX",)
                or name.name.startswith("._")
                or name.name in JUNK_NAMES
            ):
                continue
            if name.suffix.lower() != ".csv":
                others.append(info.filename)
                continue
            sheet = name.stem
            if sheet in files:
                raise SpreadsheetError(
                    f"The zip file has two CSV files called {name.name!r}",
                    how_to_fix="Give each CSV file (one for each sheet) a different name.",
                )
            files[sheet] = folder / f"{len(files)}.csv"
            if not _copy_member(archive, info, files[sheet]):
                notes.append(_windows_1252(files[sheet], sheet))
    if others:
        raise SpreadsheetError(
            f"The zip file has files that are not CSV files: {', '.join(others[:5])}",
            how_to_fix="Put only the CSV files, one for each sheet, in the zip file.",
        )
    if not files:
        raise SpreadsheetError(
            "The zip file has no CSV files in it",
            how_to_fix=f"Put one CSV file for each sheet in the zip file, starting with {MAIN_SHEET}.csv.",
        )
    return files, notes


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> bool:
    """Copy a member, never more than it declares; whether it is UTF-8."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8 = True
    with target.open("wb") as handle:
        for chunk in _member_chunks(archive, info):
            handle.write(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return utf8


def _windows_1252(path: Path, sheet: str) -> dict[str, str | None]:
    converted = path.with_suffix(".utf8")
    try:
        with (
            path.open(encoding="cp1252", newline="") as source,
            converted.open("w", encoding="utf-8", newline="") as out,
        ):
            while text := source.read(CHUNK):
                out.write(text)
    except UnicodeDecodeError:
        raise SpreadsheetError(
            f"The CSV file {sheet}.csv is not in UTF-8 (or Windows-1252)",
            how_to_fix="Save the sheet again as 'CSV UTF-8 (Comma delimited)' and put it in the zip file.",
        ) from None
    converted.replace(path)
    return {
        "message": f"The CSV file {sheet}.csv is not in UTF-8, so it was read as Windows-1252. Check any accented "
        "letters or symbols such as £; next time, save it as 'CSV UTF-8'.",
        "sheet": sheet,
        "cell": None,
    }


_READERS: dict[str, Callable[[Path, Path], _Reader]] = {"xlsx": _XlsxReader, "ods": _OdsReader, "csv": _CsvReader}
