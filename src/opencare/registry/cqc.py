"""Care Quality Commission ratings: loading them, and finding an organisation's by identifier or crosswalk.

CQC does not carry Companies House or PPON numbers, so a provider is linked to its CQC locations in one of two ways:
a party identifier (main or additional) in the scheme ``GB-CQC`` whose id is a CQC location id (``1-...``), or a
row of a reviewed crosswalk file (scheme, identifier, location id, note) loaded with ``--crosswalk``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from opencare.registry import version
from opencare.registry.models import CqcCrosswalk, CqcLocation, Organisation

CQC_SCHEMES = {"GB-CQC", "CQC"}
RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
LOCATION_ID_COLUMNS = ("locationid", "location_id", "location id")
RATING_COLUMNS = ("rating", "overall", "latest overall rating")
DATE_COLUMNS = ("reportdate", "report_date", "publication date")
CROSSWALK_COLUMNS = ("scheme", "identifier", "location_id")


@dataclass
class CqcFileError(Exception):
    """A ratings or crosswalk file that cannot be used: what is wrong and how to fix it."""

    message: str
    how_to_fix: str

    def __str__(self) -> str:
        return self.message


@dataclass
class CqcImport:
    rows: int = 0
    locations: int = 0
    crosswalk_rows: int = 0


def import_ratings(path: Path, crosswalk: Path | None = None) -> CqcImport:
    """Load a CQC ratings CSV (one row per inspection; the latest report per location wins), and a crosswalk."""
    rows = _read_csv(path)
    columns = {name.strip().lower(): name for name in rows[0]} if rows else {}
    location_column = _column(columns, LOCATION_ID_COLUMNS, path)
    rating_column = _column(columns, RATING_COLUMNS, path)
    date_column = next((columns[name] for name in DATE_COLUMNS if name in columns), None)
    ownership_column = columns.get("ownership")
    latest: dict[str, CqcLocation] = {}
    for row in rows:
        location_id = (row.get(location_column) or "").strip()
        if not location_id.startswith("1-"):
            continue
        reported = _date(row.get(date_column)) if date_column else None
        held = latest.get(location_id)
        if held is None or (reported and (held.report_date is None or reported >= held.report_date)):
            latest[location_id] = CqcLocation(
                location_id=location_id,
                rating=(row.get(rating_column) or "").strip(),
                report_date=reported,
                ownership=(row.get(ownership_column) or "").strip() if ownership_column else "",
            )
    result = CqcImport(rows=len(rows), locations=len(latest))
    with transaction.atomic():
        CqcLocation.objects.bulk_create(
            latest.values(),
            update_conflicts=True,
            unique_fields=["location_id"],
            update_fields=["rating", "report_date", "ownership"],
        )
        if crosswalk is not None:
            result.crosswalk_rows = _import_crosswalk(crosswalk)
        version.mark_changed()  # providers' pages show the ratings
    return result


def _import_crosswalk(path: Path) -> int:
    rows = _read_csv(path)
    columns = {name.strip().lower(): name for name in rows[0]} if rows else {}
    missing = [name for name in CROSSWALK_COLUMNS if name not in columns]
    if missing:
        raise CqcFileError(
            f"The crosswalk {path.name} has no column {', '.join(missing)}",
            "Give it the columns scheme, identifier, location_id and (optionally) note.",
        )
    for number, row in enumerate(rows, start=2):
        if any(row[columns[name]] is None for name in CROSSWALK_COLUMNS):
            raise CqcFileError(
                f"Row {number} of the crosswalk {path.name} has fewer values than its first row has columns",
                "Give every row a scheme, an identifier and a location_id, separated by commas.",
            )
    links = [
        CqcCrosswalk(
            scheme=row[columns["scheme"]].strip().upper(),
            identifier=row[columns["identifier"]].strip(),
            location_id=row[columns["location_id"]].strip(),
            note=(row.get(columns.get("note", ""), "") or "").strip(),
        )
        for row in rows
        if row[columns["location_id"]].strip().startswith("1-")
    ]
    CqcCrosswalk.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


def ratings_for(organisation: Organisation) -> list[CqcLocation]:
    """The CQC locations linked to an organisation, by a GB-CQC identifier or the crosswalk, latest report first."""
    identifiers = list(organisation.identifiers.all())
    location_ids = {i.identifier for i in identifiers if i.scheme in CQC_SCHEMES}
    others = [i for i in identifiers if i.scheme not in CQC_SCHEMES]
    if others:  # one query for every identifier, not one each
        matches = Q()
        for identifier in others:
            matches |= Q(scheme=identifier.scheme, identifier=identifier.identifier)
        location_ids |= set(CqcCrosswalk.objects.filter(matches).values_list("location_id", flat=True))
    if not location_ids:
        return []
    return list(CqcLocation.objects.filter(location_id__in=location_ids).order_by("-report_date", "location_id"))


def _read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file, read strictly: a broken quote, an over-long value or a NUL is named by line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CqcFileError(f"{path.name} cannot be read as UTF-8 text ({error})", "Save it as CSV in UTF-8.") from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise CqcFileError(
            f"{path.name} holds a NUL character on line {line}, so it is not a text file",
            "Save it again as CSV in UTF-8 from the spreadsheet or system that made it.",
        )
    reader = csv.DictReader(io.StringIO(text), strict=True)
    rows: list[dict[str, str]] = []
    line = 1
    try:
        if reader.fieldnames is not None:  # reads the header
            line = reader.line_num + 1
        for row in reader:
            rows.append(row)
            line = reader.line_num + 1  # where the next row starts
    except csv.Error as error:
        raise CqcFileError(
            f"{path.name} is not valid CSV on line {line} ({error})",
            "Check the quotes on that line (a value with a comma in it is written in double quotes), or save the "
            "file again as CSV.",
        ) from None
    if not rows:
        raise CqcFileError(f"{path.name} has no rows", "Give a CSV file with a header row and at least one row.")
    return rows


def _column(columns: dict[str, str], names: tuple[str, ...], path: Path) -> str:
    for name in names:
        if name in columns:
            return columns[name]
    raise CqcFileError(
        f"{path.name} has no {names[0]} column",
        f"The file needs a column named one of: {', '.join(names)} (as in CQC's ratings files).",
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
