"""Where each value read from the social-care template came from (issue 18): every finding of a review of a filled
template names the sheet and cell to correct, down to the row of the target, figure, review or document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import orjson
import pytest
from tests.builders.care_template import filled_template

from opencare.ocds.spreadsheets.care_layout import SHEETS
from opencare.ocds.spreadsheets.care_template_places import care_template_to_json_with_places

PUBLISHED = "2026-12-01T00:00:00Z"


@pytest.fixture
def read(tmp_path: Path):
    def read(path: Path) -> tuple[dict[str, Any], Any]:
        output = tmp_path / "out.json"
        places = care_template_to_json_with_places(path, output, published=PUBLISHED)
        return orjson.loads(output.read_bytes()), places

    return read


@pytest.mark.parametrize(
    ("pointer", "place"),
    [
        ("/releases/1/id", ("Contracts", "A5")),
        ("/releases/1/tag", ("Contracts", "A5")),
        ("/releases/1/contracts/0/period/endDate", ("Contracts", "G5")),
        ("/releases/1/awards/0/value/amount", ("Contracts", "I5")),
        ("/releases/1/buyer/name", ("Contracts", "C5")),
        ("/releases/1/contracts/0/agreedMetrics/0/observations/0/value/amount", ("Contracts", "J5")),
        ("/releases/1/contracts/0/agreedMetrics/1/observations/0/value/amount", ("Contracts", "K5")),
        ("/releases/1/contracts/0/agreedMetrics/2/observations/0/measure", ("Targets", "C5")),
        ("/releases/1/contracts/0/implementation/milestones/0/dateMet", ("Reviews", "B5")),
        ("/releases/1/contracts/0/documents/0/url", ("Documents", "D5")),
        ("/releases/1/parties/1/identifier/id", ("Organisations", "C6")),
        ("/publisher/name", ("About the publisher", "B2")),
    ],
)
def test_a_pointer_into_the_releases_read_from_the_template_names_its_sheet_and_cell(read, tmp_path, pointer, place):
    _, places = read(filled_template(tmp_path / "care.xlsx", contracts=3))

    assert places.locate(pointer)[0] == place


def test_each_monthly_figure_is_placed_on_its_own_row(read, tmp_path):
    package, places = read(filled_template(tmp_path / "care.xlsx", contracts=2))
    metrics = package["releases"][0]["contracts"][0]["implementation"]["metrics"]
    rows = {}
    for number, metric in enumerate(metrics):
        pointer = f"/releases/0/contracts/0/implementation/metrics/{number}/observations/0/measure"
        rows[metric["id"]] = places.locate(pointer)[0]

    # the builder's first contract has its figures on rows 4 (visits on time) and 5 (hours delivered)
    assert rows == {"sc-punctuality": ("Monthly figures", "D4"), "sc-hours-delivered": ("Monthly figures", "D5")}


def test_every_value_of_every_release_is_placed_on_a_sheet_of_the_template(read, tmp_path):
    path = filled_template(tmp_path / "care.xlsx", contracts=2)
    package, places = read(path)
    pointers = list(_leaves(package["releases"], "/releases"))

    assert len(pointers) > 100
    unplaced = [pointer for pointer in pointers if not places.locate(pointer)]
    assert unplaced == []
    assert {places.locate(pointer)[0][0] for pointer in pointers} <= set(SHEETS)


def test_columns_moved_by_the_person_filling_the_template_are_followed(read, tmp_path):
    path = filled_template(tmp_path / "care.xlsx", contracts=1)
    workbook = openpyxl.load_workbook(path)
    workbook["Reviews"].delete_rows(3)  # the example row
    workbook["Reviews"].insert_cols(1, 2)  # the review columns now start at C, and the first review is on row 3
    workbook.save(path)

    _, places = read(path)

    assert places.locate("/releases/0/contracts/0/implementation/milestones/0/dateMet")[0] == ("Reviews", "D3")


def _leaves(value: Any, pointer: str):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{pointer}/{key}")
    elif isinstance(value, list) and value and isinstance(value[0], dict | list):
        for number, item in enumerate(value):
            yield from _leaves(item, f"{pointer}/{number}")
    else:
        yield pointer
