"""The social-care template's files: writing them (XLSX with openpyxl, ODS with odfpy; a zip of CSV files with
care_csv) with titles, hints, drop-downs and an example row, and reading their cells back as they are, with where
each came from (XLSX with care_xlsx, ODS here, CSV with care_csv).

Reading never calculates a formula and never guesses what a merged cell means: both are reported with their cell.
Values come back as the spreadsheet holds them (text, numbers, dates, and whether a number is shown as a
percentage); care_template makes sense of them. Only filled cells are kept, so a sheet that reaches row 1,048,576
costs no memory for its empty rows.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from opencare.ocds.spreadsheets.care_cells import MAX_MERGED_AREAS, Area, Cell, CellCounter, Grid, too_many_merged
from opencare.ocds.spreadsheets.care_csv import csv_members, read_csv_grids
from opencare.ocds.spreadsheets.care_layout import (
    ABOUT_QUESTIONS,
    ABOUT_SHEET,
    COLUMNS,
    INSTRUCTIONS,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    Column,
    choice_lists,
)
from opencare.ocds.spreadsheets.care_xlsx import read_xlsx_grids, xlsx_sheet_names
from opencare.ocds.spreadsheets.cell_values import number_text
from opencare.ocds.spreadsheets.errors import SAVE_AGAIN, SpreadsheetError

#: The most a care template's parts may hold unpacked (its shared strings and filled cells are held in memory).
MAX_UNPACKED_BYTES = 200_000_000
HINT_FONT = Font(italic=True, color="505A5F")
TITLE_FONT = Font(bold=True)
TITLE_FILL = PatternFill("solid", fgColor="DEE0E2")
#: Empty rows below the data that carry the ODS drop-downs (XLSX rules cover a range instead).
BLANK_ODS_ROWS = 1000
DATE_FORMAT = "d/m/yyyy"
MONTH_FORMAT = "mmmm yyyy"


#: An ODS cell to write: its value, its column (for its kind and drop-down) and its style.
OdsCell = tuple[Any, Column | None, Any]


# --- Writing ---------------------------------------------------------------------------------------------------


def write_xlsx(path: Path, about: dict[str, str], rows: dict[str, list[dict[str, Any]]], *, example: bool) -> None:
    """The template as an XLSX workbook: the about answers, each sheet's rows and (if ``example``) the example rows."""
    workbook = openpyxl.Workbook()
    instructions = workbook.worksheets[0]
    instructions.title = INSTRUCTIONS_SHEET
    for line in INSTRUCTIONS:
        instructions.append([line])
    instructions["A1"].font = Font(bold=True, size=14)
    instructions.column_dimensions["A"].width = 110
    about_sheet = workbook.create_sheet(ABOUT_SHEET)
    about_sheet.append(["Question", "Your answer", "Hint"])
    for number, question in enumerate(ABOUT_QUESTIONS, start=2):
        about_sheet.append([question.title + (" (required)" if question.required else ""), None, question.hint])
        _text_cell(about_sheet.cell(number, 2), about.get(question.key, ""))
        about_sheet.cell(number, 3).font = HINT_FONT
    for cell in about_sheet[1]:
        cell.font, cell.fill = TITLE_FONT, TITLE_FILL
    for letter, width in (("A", 36), ("B", 60), ("C", 90)):
        about_sheet.column_dimensions[letter].width = width
    lists = choice_lists()
    list_columns = {name: get_column_letter(number) for number, name in enumerate(lists, start=1)}
    for sheet_name, columns in COLUMNS.items():
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([column.title for column in columns])
        sheet.append([column.hint for column in columns])
        data = ([{column.key: column.example for column in columns}] if example else []) + rows.get(sheet_name, [])
        for number, row in enumerate(data, start=3):
            for place, column in enumerate(columns, start=1):
                _write_value(sheet.cell(number, place), column, row.get(column.key))
        for place, column in enumerate(columns, start=1):
            sheet.cell(1, place).font, sheet.cell(1, place).fill = TITLE_FONT, TITLE_FILL
            sheet.cell(2, place).font = HINT_FONT
            sheet.cell(2, place).alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[get_column_letter(place)].width = column.width
            if column.choices:
                letter = list_columns[column.choices]
                rule = DataValidation(
                    type="list",
                    formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(lists[column.choices]) + 1}",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle=column.title,
                    error="Choose a value from the drop-down list.",
                )
                sheet.add_data_validation(rule)
                rule.add(f"{get_column_letter(place)}3:{get_column_letter(place)}10000")
        sheet.freeze_panes = "A3"
    list_sheet = workbook.create_sheet(LISTS_SHEET)
    for place, (name, values) in enumerate(lists.items(), start=1):
        list_sheet.cell(1, place, name.capitalize()).font = TITLE_FONT
        for number, value in enumerate(values, start=2):
            list_sheet.cell(number, place, value)
        list_sheet.column_dimensions[get_column_letter(place)].width = 40
    workbook.save(path)


def _write_value(cell: Any, column: Column, value: Any) -> None:
    if value is None or value == "":
        if column.kind in ("date", "month"):
            cell.number_format = DATE_FORMAT if column.kind == "date" else MONTH_FORMAT
        elif column.kind == "text":
            cell.number_format = "@"  # so that a typed 01234567 keeps its zero
        return
    if column.kind in ("date", "month") and isinstance(value, dt.date):
        cell.value = dt.datetime(value.year, value.month, value.day)
        cell.number_format = DATE_FORMAT if column.kind == "date" else MONTH_FORMAT
    elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        # openpyxl writes floats with 16 significant digits (92.4 becomes 92.40000000000001): write the number's
        # own shortest text instead, so that every figure reads back exactly.
        cell.value = number_text(value if not isinstance(value, float) else Decimal(repr(value)))
        cell.data_type = "n"
    else:
        _text_cell(cell, str(value))


def _text_cell(cell: Any, text: str) -> None:
    if not text:
        cell.number_format = "@"
        return
    cell.value = text
    cell.data_type = "s"  # text that starts with "=" stays text, never a formula
    cell.number_format = "@"


def write_ods(path: Path, about: dict[str, str], rows: dict[str, list[dict[str, Any]]], *, example: bool) -> None:
    """The template as an ODS spreadsheet, with the same sheets, hints, example rows and drop-downs as the XLSX."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import ContentValidation, ContentValidations, Table, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    bold = Style(name="title", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    hint = Style(name="hint", family="table-cell")
    hint.addElement(TextProperties(fontstyle="italic", color="#505a5f"))
    wide = Style(name="wide", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="2in"))
    for style in (bold, hint):
        document.automaticstyles.addElement(style)
    document.automaticstyles.addElement(wide)
    lists = choice_lists()
    list_columns = {name: get_column_letter(number) for number, name in enumerate(lists, start=1)}
    validations = ContentValidations()
    for name, values in lists.items():
        letter = list_columns[name]
        validations.addElement(
            ContentValidation(
                name=f"choose-{name}",
                condition=f"of:cell-content-is-in-list([$'{LISTS_SHEET}'.${letter}$2:.${letter}${len(values) + 1}])",
                allowemptycell="true",
                basecelladdress=f"$'{LISTS_SHEET}'.$A$1",
            )
        )
    document.spreadsheet.addElement(validations)

    def add_table(name: str, table_rows: list[list[OdsCell]], width: int, blank: list[OdsCell] | None = None) -> None:
        table = Table(name=name)
        table.addElement(TableColumn(numbercolumnsrepeated=max(width, 1), stylename=wide))
        for cells in table_rows:
            row = TableRow()
            for value, column, style in cells:
                row.addElement(_ods_cell(value, column, style, P))
            table.addElement(row)
        if blank:  # empty rows that carry the drop-downs, so that rows typed below the last offer the choices too
            row = TableRow(numberrowsrepeated=BLANK_ODS_ROWS)
            for value, column, style in blank:
                row.addElement(_ods_cell(value, column, style, P))
            table.addElement(row)
        document.spreadsheet.addElement(table)

    add_table(INSTRUCTIONS_SHEET, [[(line, None, bold if number == 0 else None)]
                                   for number, line in enumerate(INSTRUCTIONS)], 1)  # fmt: skip
    about_rows: list[list[OdsCell]] = [[("Question", None, bold), ("Your answer", None, bold), ("Hint", None, bold)]]
    about_rows += [
        [(question.title + (" (required)" if question.required else ""), None, None),
         (about.get(question.key, "") or None, None, None), (question.hint, None, hint)]
        for question in ABOUT_QUESTIONS
    ]  # fmt: skip
    add_table(ABOUT_SHEET, about_rows, 3)
    for sheet_name, columns in COLUMNS.items():
        table_rows: list[list[OdsCell]] = [
            [(column.title, None, bold) for column in columns],
            [(column.hint, None, hint) for column in columns],
        ]
        data = ([{column.key: column.example for column in columns}] if example else []) + rows.get(sheet_name, [])
        table_rows += [[(row.get(column.key), column, None) for column in columns] for row in data]
        add_table(sheet_name, table_rows, len(columns), blank=[(None, column, None) for column in columns])
    width = len(lists)
    longest = max(len(values) for values in lists.values())
    list_rows: list[list[OdsCell]] = [[(name.capitalize(), None, bold) for name in lists]]
    list_rows += [[(values[number] if number < len(values) else None, None, None) for values in lists.values()]
                  for number in range(longest)]  # fmt: skip
    add_table(LISTS_SHEET, list_rows, width)
    document.save(str(path))


def _ods_cell(value: Any, column: Column | None, style: Any, paragraph: Any) -> Any:
    from odf.table import TableCell

    attributes: dict[str, Any] = {}
    if style is not None:
        attributes["stylename"] = style
    if column is not None and column.choices:
        attributes["contentvalidationname"] = f"choose-{column.choices}"
    if value is None or value == "":
        return TableCell(**attributes)
    if isinstance(value, dt.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attributes)
        text = (
            f"{value.day}/{value.month}/{value.year}"
            if column is None or column.kind != "month"
            else value.strftime("%B %Y")
        )
    elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        text = number_text(value if not isinstance(value, float) else Decimal(repr(value)))
        cell = TableCell(valuetype="float", value=text, **attributes)
    else:
        text = str(value)
        cell = TableCell(valuetype="string", **attributes)
    cell.addElement(paragraph(text=text))
    return cell


# --- Reading ---------------------------------------------------------------------------------------------------


def sheet_names(path: Path, fmt: str) -> list[str]:
    """The workbook's sheet names (a zip of CSV files: its files' names without .csv), read cheaply, to recognise
    the care template. [] if it cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            if fmt == "xlsx":
                return xlsx_sheet_names(archive)
            if fmt == "csv":
                return list(csv_members(archive))
            if fmt == "ods":
                return list(_ods_sheet_names(archive))
    except Exception:
        return []
    return []


def _ods_sheet_names(archive: zipfile.ZipFile) -> Iterator[str]:
    from defusedxml.ElementTree import iterparse

    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}table"
    name = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}name"
    with archive.open("content.xml") as content:
        for event, element in iterparse(content, events=("start",)):
            if event == "start" and element.tag == table:
                yield element.get(name, "")


def read_grids(path: Path, fmt: str) -> dict[str, Grid]:
    """Every sheet's cells ('xlsx', 'ods' or 'csv', a zip of CSV files). Raises SpreadsheetError if the file cannot
    be read or holds too many cells."""
    try:
        with zipfile.ZipFile(path) as archive:
            if fmt == "xlsx":
                return read_xlsx_grids(archive)
            if fmt == "csv":
                return read_csv_grids(archive)
            return _read_ods(archive)
    except SpreadsheetError:
        raise
    except Exception:  # a malformed file fails in many ways; the parsers' words mean nothing here
        raise SpreadsheetError(
            "The spreadsheet could not be read: its contents are not what a spreadsheet program saves",
            how_to_fix=SAVE_AGAIN,
        ) from None


NS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
NS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
NS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
NS_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"


def _read_ods(archive: zipfile.ZipFile) -> dict[str, Grid]:
    from defusedxml.ElementTree import iterparse

    grids: dict[str, Grid] = {}
    counter = CellCounter()
    hidden_styles: set[str] = set()
    style = sheet = ""
    with archive.open("content.xml") as content:
        grid = Grid()
        row_number = 0
        column_number = 0
        for event, element in iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == NS_TABLE + "table":
                    sheet = element.get(NS_TABLE + "name", "")
                    grid = grids.setdefault(sheet, Grid())
                    grid.hidden = element.get(NS_TABLE + "style-name", "") in hidden_styles
                    row_number = 0
                elif tag == NS_TABLE + "table-row":
                    column_number = 0
                elif tag == NS_STYLE + "style":
                    style = element.get(NS_STYLE + "name", "")
                elif tag == NS_STYLE + "table-properties" and element.get(NS_TABLE + "display") == "false":
                    hidden_styles.add(style)  # a table style that hides the sheets that have it
                continue
            if tag == NS_TABLE + "table-row":
                row_number += int(element.get(NS_TABLE + "number-rows-repeated", "1"))
                element.clear()
            elif tag in (NS_TABLE + "table-cell", NS_TABLE + "covered-table-cell"):
                repeat = int(element.get(NS_TABLE + "number-columns-repeated", "1"))
                columns = int(element.get(NS_TABLE + "number-columns-spanned", "1"))
                rows = int(element.get(NS_TABLE + "number-rows-spanned", "1"))
                if columns > 1 or rows > 1:
                    grid.merged.append(
                        Area(row_number + 1, column_number + 1, row_number + rows, column_number + columns)
                    )
                    if len(grid.merged) > MAX_MERGED_AREAS:
                        raise too_many_merged(sheet)
                # A covered cell is inside a merged area, which is reported as a whole; its value is not read.
                cell = None if tag.endswith("covered-table-cell") else _ods_value(element)
                if cell is not None:
                    counter.add(repeat)
                    for offset in range(repeat):
                        grid.put(row_number + 1, column_number + offset + 1, cell)
                column_number += repeat
                element.clear()
    return grids


def _ods_value(element: Any) -> Cell | None:
    formula = element.get(NS_TABLE + "formula")
    if formula:
        return Cell(None, formula=formula.removeprefix("of:"))
    kind = element.get(NS_OFFICE + "value-type")
    value: Any = None
    if kind in ("float", "currency", "percentage"):
        text = element.get(NS_OFFICE + "value", "")
        value = Decimal(text) if text else None
    elif kind == "date":
        text = element.get(NS_OFFICE + "date-value", "")
        value = (
            dt.datetime.fromisoformat(text)
            if "T" in text
            else dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        )
    elif kind == "boolean":
        value = element.get(NS_OFFICE + "boolean-value") == "true"
    elif kind is not None or len(element):
        paragraphs = ["".join(paragraph.itertext()) for paragraph in element.iter(NS_TEXT + "p")]
        value = "\n".join(paragraphs)
    if value is None or value == "":
        return None
    return Cell(value, percent=kind == "percentage")
