"""Where each value of the releases read from the social-care template came from: a SourceMap of sheets and cells,
so that every finding of a review of a filled template names the cell to correct ("Reviews!B6").

Each object a row made is placed on that row (the release on its Contracts row; each party on its Organisations
row; each target, figure, review and document on its own row), and each sheet's columns are named by the fields
they fill. A field with no column of its own (the release's tag, say) is placed on the row's first cell. The
price and pay per hour, which the Contracts row gives as agreed metrics, are placed on their own cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from opencare.ocds.json_values import as_object, as_objects
from opencare.ocds.spreadsheets.atomic_write import write_atomically
from opencare.ocds.spreadsheets.care_layout import (
    ABOUT_SHEET,
    CONTRACTS_SHEET,
    DOCUMENTS_SHEET,
    FIGURES_SHEET,
    ORGANISATIONS_SHEET,
    REVIEWS_SHEET,
    TARGETS_SHEET,
)
from opencare.ocds.spreadsheets.care_template import ContractOrigin, Row, TemplateReader, read_care_template
from opencare.ocds.spreadsheets.sheet_reader import column_letter
from opencare.ocds.spreadsheets.source_map import SourceMap

CONTRACT = "contracts/"
TARGET = "contracts/agreedMetrics/"
FIGURE = "contracts/implementation/metrics/"
REVIEW = "contracts/implementation/milestones/"
DOCUMENT = "contracts/documents/"
#: Each sheet's columns (by the template's column keys) and the fields they fill, as paths within a release
#: without list positions. "id" names the column a field without a column of its own is placed in.
FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    CONTRACTS_SHEET: {
        "contract": ("id", "ocid"),
        "title": ("title", "tender/title", "awards/title", CONTRACT + "title"),
        "buyer": ("buyer/id", "buyer/name", "awards/buyer/id", "awards/buyer/name"),
        "provider": ("awards/suppliers/id", "awards/suppliers/name"),
        "service": ("tender/items/classification/id", "tender/items/classification/description",
                    "tender/items/description", "tender/classification/id", "tender/mainProcurementCategory"),
        "start": ("tender/contractPeriod/startDate", "awards/contractPeriod/startDate", CONTRACT + "period/startDate"),
        "end": ("tender/contractPeriod/endDate", "awards/contractPeriod/endDate", CONTRACT + "period/endDate"),
        "signed": ("awards/date", CONTRACT + "dateSigned"),
        "value": ("tender/value/amount", "tender/value/currency", "awards/value/amount", "awards/value/currency",
                  CONTRACT + "value/amount", CONTRACT + "value/currency"),
        "lot": ("tender/lots/id", "tender/lots/title", "awards/relatedLots"),
    },
    ORGANISATIONS_SHEET: {
        "name": ("parties/id", "parties/name", "parties/identifier/legalName"),
        "scheme": ("parties/identifier/scheme",),
        "identifier": ("parties/identifier/id",),
        "role": ("parties/roles",),
        "street": ("parties/address/streetAddress",),
        "locality": ("parties/address/locality", "parties/address/countryName"),
        "postcode": ("parties/address/postalCode",),
        "contact_name": ("parties/contactPoint/name",),
        "email": ("parties/contactPoint/email",),
    },
    TARGETS_SHEET: {
        "measure": (TARGET + "id", TARGET + "title", TARGET + "description"),
        "target": (TARGET + "observations/id", TARGET + "observations/measure", TARGET + "observations/value/amount"),
        "unit": (TARGET + "observations/unit/name", TARGET + "observations/unit/scheme",
                 TARGET + "observations/unit/id"),
        "period_start": (TARGET + "observations/period/startDate",),
        "period_end": (TARGET + "observations/period/endDate",),
    },
    FIGURES_SHEET: {
        "measure": (FIGURE + "id", FIGURE + "title", FIGURE + "description"),
        "month": (FIGURE + "observations/id", FIGURE + "observations/period/startDate",
                  FIGURE + "observations/period/endDate"),
        "figure": (FIGURE + "observations/measure", FIGURE + "observations/value/amount",
                   FIGURE + "observations/notes"),
    },
    REVIEWS_SHEET: {
        "reviewed": (REVIEW + "id", REVIEW + "title", REVIEW + "type", REVIEW + "status"),
        "date": (REVIEW + "dateMet", REVIEW + "dueDate", REVIEW + "dateModified"),
        "agreed": (REVIEW + "description",),
    },
    DOCUMENTS_SHEET: {
        "title": (DOCUMENT + "id", DOCUMENT + "title"),
        "type": (DOCUMENT + "documentType",),
        "url": (DOCUMENT + "url", DOCUMENT + "format"),
        "pages": (DOCUMENT + "pageStart", DOCUMENT + "pageEnd"),
    },
}  # fmt: skip
#: The metrics a Contracts row gives in a column of its own, not on the Targets sheet.
CONTRACT_METRIC_COLUMNS = {"sc-price-per-hour": "price_per_hour", "sc-worker-pay-per-hour": "worker_pay_per_hour"}
#: The package's own fields, by the About the publisher question that answers each.
PACKAGE_FIELDS = {"publisher/name": "publisher_name", "publisher/scheme": "publisher_scheme",
                  "publisher/uid": "publisher_uid", "publisher/uri": "publisher_uri", "uri": "uri",
                  "license": "license", "publicationPolicy": "publication_policy"}  # fmt: skip


def care_template_to_json_with_places(source: Path, output: Path, *, published: str | None = None) -> SourceMap:
    """Read a filled template and write its release package to ``output`` (whole or not at all); return where each
    of its values came from. Raises as care_template_to_package."""
    filled = read_care_template(source, published=published)
    write_atomically(output, lambda path: path.write_bytes(orjson.dumps(filled.package, option=orjson.OPT_INDENT_2)))
    return template_places(filled.package, filled.reader)


def template_places(package: dict[str, Any], reader: TemplateReader) -> SourceMap:
    """The SourceMap of a package read from the template by ``reader``."""
    source_map = SourceMap()
    source_map.sheets = [*FIELDS, ABOUT_SHEET]
    for key, question in PACKAGE_FIELDS.items():
        if key.startswith("publisher/") or package.get(key) is not None:
            source_map.add_places(key, [(ABOUT_SHEET, "B", reader.about_rows.get(question, 2), question)])
    for index, release in enumerate(as_objects(package.get("releases"))):
        origin = reader.origins.get(str(release.get("ocid")))
        if origin is not None:
            _place_release(source_map, f"releases/{index}", release, origin, reader)
    return source_map


def _place_release(
    source_map: SourceMap, key: str, release: dict[str, Any], origin: ContractOrigin, reader: TemplateReader
) -> None:
    _columns(source_map, CONTRACTS_SHEET, origin.row)
    source_map.add_places(key, [(CONTRACTS_SHEET, origin.row.number)])
    for number, party in enumerate(as_objects(release.get("parties"))):
        row = reader.organisation_rows.get(str(party.get("id")))
        if row is not None:
            _columns(source_map, ORGANISATIONS_SHEET, row)
            source_map.add_places(f"{key}/parties/{number}", [(ORGANISATIONS_SHEET, row.number)])
    for number, contract in enumerate(as_objects(release.get("contracts"))):
        _place_contract(source_map, f"{key}/contracts/{number}", contract, origin)


def _place_contract(source_map: SourceMap, key: str, contract: dict[str, Any], origin: ContractOrigin) -> None:
    for number, metric in enumerate(as_objects(contract.get("agreedMetrics"))):
        metric_id = str(metric.get("id"))
        place = f"{key}/agreedMetrics/{number}"
        if metric_id in CONTRACT_METRIC_COLUMNS:
            column = origin.row.places.get(CONTRACT_METRIC_COLUMNS[metric_id])
            if column is not None:
                source_map.add_places(place, [(CONTRACTS_SHEET, _letter(column), origin.row.number, metric_id)])
        elif (row := origin.targets.get(metric_id)) is not None:
            _columns(source_map, TARGETS_SHEET, row)
            source_map.add_places(place, [(TARGETS_SHEET, row.number)])
    implementation = as_object(contract.get("implementation"))
    for number, metric in enumerate(as_objects(implementation.get("metrics"))):
        rows = []
        for observation_number, observation in enumerate(as_objects(metric.get("observations"))):
            month = str(as_object(observation.get("period")).get("startDate") or "")[:7]
            row = origin.figures.get((str(metric.get("id")), month))
            if row is not None:
                rows.append(row)
                _columns(source_map, FIGURES_SHEET, row)
                source_map.add_places(f"{key}/implementation/metrics/{number}/observations/{observation_number}",
                                      [(FIGURES_SHEET, row.number)])  # fmt: skip
        if rows:
            source_map.add_places(f"{key}/implementation/metrics/{number}", [(FIGURES_SHEET, rows[0].number)])
    for sheet, field in ((REVIEWS_SHEET, "implementation/milestones"), (DOCUMENTS_SHEET, "documents")):
        objects = as_objects(implementation.get("milestones")) if sheet == REVIEWS_SHEET else as_objects(
            contract.get("documents"))  # fmt: skip
        for number, (_, row) in enumerate(zip(objects, origin.related.get(sheet, []), strict=False)):
            _columns(source_map, sheet, row)
            source_map.add_places(f"{key}/{field}/{number}", [(sheet, row.number)])


def _columns(source_map: SourceMap, sheet: str, row: Row) -> None:
    """Name the sheet's columns by the fields they fill (once: every row of a sheet has them in the same places)."""
    if sheet in source_map.columns:
        return
    columns: dict[str, str] = {}
    for column_key, fields in FIELDS[sheet].items():
        place = row.places.get(column_key)
        if place is not None:
            columns.update(dict.fromkeys(fields, _letter(place)))
    first = min(row.places.values(), default=1)
    own = {CONTRACTS_SHEET: "", ORGANISATIONS_SHEET: "parties/", TARGETS_SHEET: TARGET, FIGURES_SHEET: FIGURE,
           REVIEWS_SHEET: REVIEW, DOCUMENTS_SHEET: DOCUMENT}[sheet]  # fmt: skip
    columns.setdefault(f"{own}id", _letter(first))
    if sheet == FIGURES_SHEET:
        columns.setdefault(f"{own}observations/id", _letter(first))
    source_map.columns[sheet] = columns


def _letter(column: int) -> str:
    """A column counted from 1 as its letters: 1 -> 'A'."""
    return column_letter(column - 1)
