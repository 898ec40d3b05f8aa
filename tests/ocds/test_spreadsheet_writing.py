"""Writing spreadsheets without flatten-tool: the same layout as flatten-tool's (sheets, headings and their order,
cells), worked out from the profile's schema and each release in one pass, and a workbook written as a stream."""

from __future__ import annotations

import json
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonref
import openpyxl
import pytest
import python_calamine
from flattentool.json_input import JSONParser
from flattentool.schema import SchemaParser

from opencare.demo.borsetdale import borsetdale_release_package
from opencare.ocds.profile import social_care_profile
from opencare.ocds.readers import InputError
from opencare.ocds.spreadsheets import json_to_spreadsheet
from opencare.ocds.spreadsheets.fields import metadata_schema
from opencare.ocds.spreadsheets.layout import WHOLE_FLOATS_MEMBER
from opencare.ocds.spreadsheets.release_flattening import FlatReleases
from opencare.ocds.spreadsheets.schema_sheets import schema_layout


def flatten_tool_schema(schema: dict[str, Any], *, use_titles: bool) -> SchemaParser:
    parser = SchemaParser(root_schema_dict=jsonref.replace_refs(schema), root_id="ocid", use_titles=use_titles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parser.parse()
    return parser


@pytest.mark.parametrize("use_titles", [False, True], ids=["field paths", "titles"])
@pytest.mark.parametrize("which", ["release", "package metadata"])
def test_sheets_and_columns_from_the_schema_are_flatten_tools(use_titles, which):
    schema = social_care_profile().release_schema if which == "release" else metadata_schema()
    theirs = flatten_tool_schema(schema, use_titles=use_titles)

    ours = schema_layout(schema, use_titles=use_titles)

    assert ours.main.columns == theirs.main_sheet.columns
    assert ours.main.titles == theirs.main_sheet.titles
    assert list(ours.sub_sheets) == list(theirs.sub_sheets)
    assert {name: (sheet.id_columns, sheet.columns, sheet.titles) for name, sheet in ours.sub_sheets.items()} == {
        name: (sheet.id_columns, sheet.columns, sheet.titles) for name, sheet in theirs.sub_sheets.items()
    }
    assert ours.sub_sheet_names == theirs.sub_sheet_titles
    if which == "release":  # the profile really has lists of objects, nested ones too, and titles
        assert "awards" in ours.sub_sheets or "Awards" in ours.sub_sheets
        assert len(ours.sub_sheets) > 100


def flatten_tool_rows(package: Path, *, use_titles: bool) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    """flatten-tool's sheets of the package: headings (the ocid's heading as the rows have it) and rows."""
    parser = flatten_tool_schema(social_care_profile().release_schema, use_titles=use_titles)
    root = parser.main_sheet.titles.get("ocid", "ocid") if use_titles else "ocid"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = JSONParser(
            json_filename=str(package),
            root_list_path="releases",
            schema_parser=parser,
            root_id="ocid",
            use_titles=use_titles,
            id_name="id",
            remove_empty_schema_columns=True,
        )
    sheets = {"releases": flat.main_sheet, **flat.sub_sheets}
    return {
        name: (list(dict.fromkeys(root if h == sheet.root_id else h for h in sheet)), [dict(r) for r in sheet.lines])
        for name, sheet in sheets.items()
    }


def our_rows(package: Path, *, use_titles: bool) -> dict[str, tuple[list[str], list[dict[str, Any]]]]:
    root = "ocid"
    with FlatReleases(use_titles=use_titles) as flat:
        flat.add_package(package)
        if use_titles:
            root = flat.main.titles.get("ocid", "ocid")
        return {
            sheet.name: (
                list(dict.fromkeys(root if h == sheet.root_id else h for h in sheet.headings)),
                list(sheet.rows()),
            )
            for sheet in flat.sheets()
        }


AWKWARD_RELEASE = {
    "ocid": "ocds-x-1",
    "id": "r1",
    "date": "2025-01-01T00:00:00Z",
    "tag": ["tender", "award"],
    "tender": {"title": "=1+1", "value": {"amount": 92.4, "currency": "GBP"}, "id": 7, "items": [
        {"id": "i1", "quantity": 2.0, "unit": {"value": {"amount": 12345678901234567890}}, "deliveryAddresses": [
            {"locality": "York"}]},
        None,
        {"id": "i2", "classification": {"id": "85000000", "scheme": "CPV"}},
    ]},
    "parties": [{"id": "p1", "roles": ["buyer", "payer"], "unknownList": [{"id": "u1", "note": True}]}],
    "matrix": [[1, 2], [3]],
    "mixed": ["ab", ["c"]],
    "nested": {"ocid": "other", "deeper": [{"x": 1}]},
    "extra": "",
    "empty": [],
}  # fmt: skip


@pytest.mark.parametrize("use_titles", [False, True], ids=["field paths", "titles"])
@pytest.mark.parametrize("package", ["demo", "awkward"])
def test_each_release_flattens_to_the_same_sheets_headings_and_rows_as_flatten_tool(tmp_path, package, use_titles):
    data = borsetdale_release_package() if package == "demo" else {"releases": [AWKWARD_RELEASE, AWKWARD_RELEASE]}
    source = tmp_path / "package.json"
    source.write_text(json.dumps(data), encoding="utf-8")

    ours = our_rows(source, use_titles=use_titles)

    assert ours == flatten_tool_rows(source, use_titles=use_titles)


def test_numbers_are_written_from_the_jsons_own_digits_and_text_as_text_cells(tmp_path):
    source = tmp_path / "package.json"
    source.write_text(
        '{"releases": [{"ocid": "o-1", "id": "r1", "title": "=SUM(1,2)", "description": " spaced\\r\\n",'
        ' "tender": {"value": {"amount": 0.30000000000000004}, "numberOfTenderers": 12345678901234567890123,'
        ' "minValue": {"amount": 2.0}, "hasEnquiries": true}}]}',
        encoding="utf-8",
    )

    json_to_spreadsheet(source, tmp_path / "out.xlsx", "xlsx")

    with zipfile.ZipFile(tmp_path / "out.xlsx") as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
        whole_floats = json.loads(archive.read(WHOLE_FLOATS_MEMBER))
    assert "<v>0.30000000000000004</v>" in sheet_xml
    assert "<v>12345678901234567890123</v>" in sheet_xml
    assert "<v>2.0</v>" in sheet_xml
    worksheet = openpyxl.load_workbook(tmp_path / "out.xlsx")["releases"]
    cells = {
        worksheet.cell(1, column).value: worksheet.cell(2, column) for column in range(1, worksheet.max_column + 1)
    }
    assert (cells["title"].value, cells["title"].data_type) == ("=SUM(1,2)", "s")
    assert cells["description"].value == " spaced\r\n"
    assert (cells["tender/hasEnquiries"].value, cells["tender/hasEnquiries"].data_type) == (True, "b")
    assert whole_floats == {"releases": [cells["tender/minValue/amount"].coordinate]}


def test_workbook_opens_in_calamine_and_openpyxl_with_every_sheet_in_flatten_tools_order(tmp_path):
    source = tmp_path / "package.json"
    source.write_text(json.dumps(borsetdale_release_package()), encoding="utf-8")

    json_to_spreadsheet(source, tmp_path / "out.xlsx", "xlsx")

    expected = [*flatten_tool_rows(source, use_titles=False), "Meta"]
    assert python_calamine.CalamineWorkbook.from_path(tmp_path / "out.xlsx").sheet_names == expected
    assert openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True).sheetnames == expected


def test_a_list_mixing_objects_and_other_values_is_refused_with_a_message_not_a_traceback(tmp_path):
    source = tmp_path / "package.json"
    source.write_text(json.dumps({"releases": [{"ocid": "o", "id": "r", "parties": [{"id": "p"}, 5]}]}))

    with pytest.raises(InputError, match="parties mixes objects with other values"):
        json_to_spreadsheet(source, tmp_path / "out.xlsx", "xlsx")

    assert not (tmp_path / "out.xlsx").exists()


def test_many_rows_wait_on_disk_and_come_back_in_order(tmp_path):
    releases = [{"ocid": f"o-{n}", "id": str(n), "parties": [{"id": f"p{n}", "name": f"P {n}"}]} for n in range(1234)]
    source = tmp_path / "package.json"
    source.write_text(json.dumps({"releases": releases}), encoding="utf-8")

    with FlatReleases(use_titles=False) as flat:
        flat.add_package(source)
        parties = next(sheet for sheet in flat.sheets() if sheet.name == "parties")
        rows = list(parties.rows())

    assert [row["parties/0/id"] for row in rows] == [f"p{n}" for n in range(1234)]
    assert rows[0] == {"ocid": "o-0", "id": "0", "parties/0/id": "p0", "parties/0/name": "P 0"}


def test_numbers_are_read_with_every_digit(tmp_path):
    source = tmp_path / "package.json"
    source.write_text('{"releases": [{"ocid": "o", "id": "r", "tender": {"value": {"amount": 1.10}}}]}')

    with FlatReleases(use_titles=False) as flat:
        flat.add_package(source)
        (row,) = flat.main.rows()

    assert row["tender/value/amount"] == Decimal("1.10")
