"""`opencare import` and `opencare import-cqc` given hostile files: exit status 2 naming the file and what is wrong, no
traceback, and not one row stored from a file that cannot be used (rows of every registry table are counted).

Cases (32): 7 unreadable corpus files; a number too large to read (1e400: stored as its text, the error recorded); a
file broken after 1,500 good releases (none of them is stored); a NUL escape, a 5,000-character ocid and a
5,000-character release id (which PostgreSQL cannot store or index); 10,000 levels of nesting; a gzip bomb; a folder
with no data files; a missing path; a folder with a good file and a broken one. Readable but awkward releases that once
failed the import part-way: an amount of 1e300 (too large for the summary column), a 5,000-character publisher name,
party identifier and party name, and 4 wrong types where lists and text belong. import-cqc: 7 unusable CSV files (a
value over the csv module's limit, a broken quote, a NUL, UTF-16, Latin-1, empty, no locationid column), a folder and a
missing file, and a crosswalk with a short row (nothing of either file is stored).
"""

from __future__ import annotations

import gzip
import random
import string
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from opencare.cli import main
from opencare.ocds import seekable_input
from opencare.registry.models import (
    ContractMetric,
    CqcCrosswalk,
    CqcLocation,
    Organisation,
    OrganisationIdentifier,
    Process,
    ProcessParty,
    Release,
    Source,
)

from .conftest import CORPUS, assert_exit_2, assert_no_traceback

pytestmark = pytest.mark.django_db

TABLES = (Release, Process, Source, Organisation, OrganisationIdentifier, ProcessParty, ContractMetric, CqcLocation,
          CqcCrosswalk)  # fmt: skip


def stored() -> dict[str, int]:
    """How many rows each registry table holds."""
    return {table.__name__: table.objects.count() for table in TABLES}


@pytest.fixture
def nothing_stored():
    """Asserts, after the test, that no registry table gained or lost a row."""
    before = stored()
    yield
    assert stored() == before


def invoke(*arguments: str):
    return CliRunner(env={"COLUMNS": "10000"}).invoke(main, list(arguments))


def release(number: int = 1, **fields) -> dict:
    return {"ocid": f"ocds-abcdef-{number}", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
            "initiationType": "tender", "tender": {"id": "t1", "title": "Home care"}} | fields  # fmt: skip


def package_file(path: Path, *releases: dict, publisher: str = "Borsetdale Council") -> Path:
    path.write_bytes(orjson.dumps({"version": "1.1", "publisher": {"name": publisher}, "releases": list(releases)}))
    return path


def random_text(length: int) -> str:
    # Random, so PostgreSQL cannot compress it under its index row limit.
    return "".join(random.choices(string.ascii_letters, k=length))


UNREADABLE = [
    ("truncated.json", "ends too early"),
    ("latin-1.json", "not valid UTF-8"),
    ("utf-16-bom.json", "encoded as UTF-16"),
    ("nan.json", "(NaN, Infinity"),
    ("nul-byte.json", "a control character"),
    ("broken-third-line.jsonl", "line 4, column 1"),
    ("truncated.json.gz", "The gzip data is damaged or cut short"),
]


@pytest.mark.parametrize(("name", "words"), UNREADABLE, ids=[name for name, _ in UNREADABLE])
def test_an_unreadable_file_exits_2_naming_it_and_stores_nothing(nothing_stored, name: str, words: str):
    result = invoke("import", "--no-bulk", str(CORPUS / name))
    assert_exit_2(result, "Could not read", name, words)


def test_a_number_too_large_to_read_is_stored_as_its_text_with_the_error_recorded():
    result = invoke("import", "--no-bulk", str(CORPUS / "huge-float.json"))
    assert result.exit_code == 0, result.output
    assert_no_traceback(result.output)
    (stored,) = Release.objects.all()
    assert stored.data["tender"]["value"]["amount"] == "1e400"
    assert stored.schema_error_count == 1
    (error,) = stored.schema_errors
    assert error["pointer"] == "/tender/value/amount"
    assert "1e400" in error["message"]
    assert "not a number that can be read" in error["message"]


def test_a_file_broken_after_1500_good_releases_stores_none_of_them(nothing_stored, tmp_path: Path):
    lines = [orjson.dumps(release(number)) for number in range(1500)]
    path = tmp_path / "cut-short.jsonl"
    path.write_bytes(b"\n".join(lines) + b'\n{"ocid": "ocds-abcdef-x", ')
    assert_exit_2(invoke("import", "--no-bulk", str(path)), "cut-short.jsonl", "ends too early", "line 1501")


def test_a_nul_character_is_refused_naming_the_release_and_the_field(nothing_stored):
    result = invoke("import", "--no-bulk", str(CORPUS / "nul-escape.json"))
    assert_exit_2(result, "nul-escape.json", "holds the character U+0000 (NUL) at /tender/title", "Remove it")


@pytest.mark.parametrize("field", ["ocid", "id"])
def test_an_ocid_or_id_too_long_to_index_is_refused(nothing_stored, tmp_path: Path, field: str):
    path = package_file(tmp_path / "long.json", release(**{field: "ocds-abcdef-" + random_text(5000)}))
    assert_exit_2(invoke("import", "--no-bulk", str(path)), f"A release's {field} is 5,012 characters long",
                  "at most 300 characters")  # fmt: skip


def test_10000_levels_of_nesting_are_refused(nothing_stored, tmp_path: Path):
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"releases": [{"ocid": "ocds-abcdef-1", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}]}")
    assert_exit_2(invoke("import", "--no-bulk", str(path)), "nested more than 256 levels deep")


def test_a_gzip_bomb_is_refused(nothing_stored, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(seekable_input, "GZIP_RATIO_FREE_BYTES", 1_000_000)
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b'{"releases": [' + b" " * 20_000_000 + b"]}", compresslevel=9))
    assert_exit_2(invoke("import", "--no-bulk", str(path)), "bomb.json.gz", "refused as a possible gzip bomb")


def test_a_folder_with_no_data_files_is_refused(nothing_stored, tmp_path: Path):
    (tmp_path / "notes.txt").write_text("no data here")
    assert_exit_2(invoke("import", "--no-bulk", str(tmp_path)), "has no .json, .jsonl or .gz files")


def test_a_missing_path_is_refused(nothing_stored, tmp_path: Path):
    assert_exit_2(invoke("import", "--no-bulk", str(tmp_path / "nowhere")), "There is no file or folder at")


def test_in_a_folder_the_good_file_is_imported_and_nothing_of_the_broken_one(tmp_path: Path):
    package_file(tmp_path / "a-good.json", release(1))
    broken = tmp_path / "b-broken.jsonl"
    broken.write_bytes(orjson.dumps(release(2)) + b"\n" + orjson.dumps(release(3))[:-5])
    assert_exit_2(invoke("import", "--no-bulk", str(tmp_path)), "b-broken.jsonl", "ends too early")
    assert list(Release.objects.values_list("ocid", flat=True)) == ["ocds-abcdef-1"]


# --- Readable but awkward: imported whole (flagged where the schema says so), never a traceback part-way -----------


def imported(path: Path) -> None:
    result = invoke("import", "--no-bulk", str(path))
    assert result.exit_code == 0, (result.output, result.exception)


def test_an_amount_too_large_for_the_summary_is_kept_in_the_release_and_left_out_of_the_summary(tmp_path: Path):
    huge = release(tender={"id": "t1", "value": {"amount": 1e300, "currency": "GBP"}})
    imported(package_file(tmp_path / "huge.json", huge))
    assert Process.objects.get().value_amount is None
    assert Release.objects.get().data["tender"]["value"]["amount"] == 1e300


def test_identifiers_and_names_too_long_to_index_are_kept_but_not_used_to_link(tmp_path: Path):
    parties = [
        {"id": "p1", "name": "Borsetdale Council", "roles": ["buyer"],
         "identifier": {"scheme": "GB-LAE", "id": random_text(5000)}},
        {"id": "p2", "name": random_text(5000), "roles": ["supplier"]},
    ]  # fmt: skip
    imported(package_file(tmp_path / "long.json", release(parties=parties), publisher=random_text(5000)))
    assert Release.objects.get().data["parties"] == parties
    # The council falls back to its name, as a party with no identifier does; the long name links nothing.
    assert list(OrganisationIdentifier.objects.values_list("scheme", "identifier")) == [("name", "borsetdale council")]


@pytest.mark.parametrize(
    "fields",
    [
        {"parties": 5},
        {"parties": [{"id": "p1", "name": "Moorside", "roles": 5}]},
        {"parties": [{"id": "p1", "name": "Moorside", "identifier": {"scheme": "GB-COH", "id": "1"},
                      "additionalIdentifiers": 5}]},
        {"awards": [{"id": "a1", "suppliers": [{"id": "p1", "name": {"en": "Moorside"}}]}]},
    ],
    ids=["parties a number", "roles a number", "additionalIdentifiers a number", "a supplier's name an object"],
)  # fmt: skip
def test_wrong_types_are_stored_flagged_not_a_failure_part_way(client, tmp_path: Path, fields: dict):
    imported(package_file(tmp_path / "odd.json", release(**fields)))
    assert Release.objects.get().schema_error_count > 0
    assert client.get("/contracts/ocds-abcdef-1/").status_code == 200


# --- import-cqc ----------------------------------------------------------------------------------------------------


CQC_HEADER = "locationid,rating,reportdate\n"
UNUSABLE_CSV = [
    ("over-long.csv", (CQC_HEADER + '1-1,"' + "x" * 200_000 + '",2024-01-01\n').encode(), "line 2", "field larger"),
    ("broken-quote.csv", (CQC_HEADER + '"1-1,Good,2024-01-01\n').encode(), "not valid CSV", "quotes"),
    ("nul.csv", (CQC_HEADER + "1-1,Good\x00,2024-01-01\n").encode(), "NUL character on line 2", "Save it again"),
    ("utf-16.csv", (CQC_HEADER + "1-1,Good,2024-01-01\n").encode("utf-16"), "cannot be read as UTF-8", "UTF-8"),
    ("latin-1.csv", (CQC_HEADER + "1-1,Tr\u00e8s bien,2024-01-01\n").encode("latin-1"), "cannot be read as UTF-8",
     "Save it as CSV in UTF-8"),
    ("empty.csv", b"", "has no rows", "a header row"),
    ("no-location.csv", b"name,score\nA,1\n", "has no locationid column", "locationid"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "what", "how"), UNUSABLE_CSV, ids=[case[0] for case in UNUSABLE_CSV])
def test_import_cqc_refuses_an_unusable_csv_by_line(nothing_stored, tmp_path: Path, name, data, what, how):
    path = tmp_path / name
    path.write_bytes(data)
    assert_exit_2(invoke("import-cqc", str(path)), "Cannot import:", name, what, how)


def test_import_cqc_refuses_a_folder_and_a_missing_file(nothing_stored, tmp_path: Path):
    assert_exit_2(invoke("import-cqc", str(tmp_path)), "is a directory")
    assert_exit_2(invoke("import-cqc", str(tmp_path / "nowhere.csv")), "does not exist")


def test_a_crosswalk_with_a_short_row_stores_neither_file(nothing_stored, tmp_path: Path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(CQC_HEADER + "1-101,Good,2024-01-01\n")
    crosswalk = tmp_path / "crosswalk.csv"
    crosswalk.write_text("scheme,identifier,location_id\nGB-COH,123,1-101\nGB-COH\n")
    result = invoke("import-cqc", str(ratings), "--crosswalk", str(crosswalk))
    assert_exit_2(result, "Row 3 of the crosswalk crosswalk.csv has fewer values")
