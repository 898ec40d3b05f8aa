"""`opencare review` and `opencare compile` given hostile files: exit status 2, what is wrong and where, no traceback,
and for `compile -o` no output file (whole or partial) left behind.

Cases (49): 21 unreadable corpus files reviewed (broken, truncated and wrongly encoded JSON, NaN and Infinity, control
characters, gzip damage); 10,000-level nested arrays and objects; a gzip bomb as a file and on standard input; UTF-16
on standard input; a folder, a missing file and a path that climbs out of its folder; 5 unreadable inputs compiled to a
file; compiling into a folder that does not exist and onto a folder; 3 inputs with a number too large to read (1e400
and a 400-digit number reviewed, 1e400 compiled), each an error at its path, kept as its text, the rest read; and 4
inputs that are awkward but readable (a UTF-8 byte order mark, duplicate keys, a NUL escape, a 20 MB string), which are
read as JSON says and reported on without a traceback; and 6 releases with a number where an array belongs (roles,
suppliers, additional identifiers, related lots, tenderers, transactions), which are findings, not a traceback.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from opencare.cli import main
from opencare.ocds import seekable_input

from .conftest import CORPUS, assert_exit_2, assert_no_traceback

#: Wide enough that messages are never wrapped in the middle of what is asserted.
RUNNER_ENV = {"COLUMNS": "10000"}

UNREADABLE = [
    ("truncated.json", ["ends too early", "line 13, column 7"]),
    ("trailing-comma.json", ["an object key is not in double quotes", "line 20, column 7"]),
    ("unquoted-key.json", ["a character that JSON does not allow", "line 16, column 7"]),
    ("latin-1.json", ["not valid UTF-8", "(0xe9)", "Latin-1", "line 19, column 35"]),
    ("windows-1252.json", ["not valid UTF-8", "(0x96)", "Windows-1252", "line 19, column 38"]),
    ("utf-16-bom.json", ["encoded as UTF-16, not UTF-8", "Save it as UTF-8"]),
    ("utf-16-le-no-bom.json", ["encoded as UTF-16 (without a byte order mark)", "Save it as UTF-8"]),
    ("utf-16-be-no-bom.json", ["encoded as UTF-16 (without a byte order mark)", "Save it as UTF-8"]),
    ("utf-32-bom.json", ["encoded as UTF-32, not UTF-8"]),
    ("nan.json", ["(NaN, Infinity", "line 19, column 18"]),
    ("infinity.json", ["(NaN, Infinity", "line 19, column 18"]),
    ("minus-infinity.json", ["-Infinity is not JSON", "line 19, column 18"]),
    ("nul-byte.json", ["a control character (such as a NUL byte) inside a text value", "line 19, column 28"]),
    ("not-json.json", ["The data starts with '\\x89', not with { or ["]),
    ("a-number.json", ["The data starts with '4', not with { or ["]),
    ("empty.json", ["The file is empty"]),
    ("only-white-space.json", ["The file is empty"]),
    ("broken-third-line.jsonl", ["ends too early", "line 4, column 1"]),
    ("array-in-a-stream.jsonl", ["Found an array in a stream of JSON values where an object should be"]),
    ("truncated.json.gz", ["The gzip data is damaged or cut short"]),
    ("gzip-of-latin-1.json.gz", ["not valid UTF-8", "line 19, column 35"]),
]


def invoke(*arguments: str, stdin: bytes | None = None):
    return CliRunner(env=RUNNER_ENV).invoke(main, list(arguments), input=stdin)


@pytest.mark.parametrize(("name", "words"), UNREADABLE, ids=[name for name, _ in UNREADABLE])
def test_review_refuses_an_unreadable_file_saying_what_and_where(name: str, words: list[str]):
    result = invoke("review", str(CORPUS / name))
    assert_exit_2(result, "Cannot read the input:", "How to fix it:", *words)


def nested(depth: int, opener: bytes, closer: bytes) -> bytes:
    return (
        b'{"releases": [{"ocid": "ocds-abcdef-1", "id": "1", "deep": '
        + opener * depth
        + b"1"
        + closer * depth
        + b"}]}"
    )


@pytest.mark.parametrize(
    ("opener", "closer"), [(b"[", b"]"), (b'{"a": ', b"}")], ids=["10,000 arrays", "10,000 objects"]
)
def test_review_refuses_10000_levels_of_nesting(tmp_path: Path, opener: bytes, closer: bytes):
    path = tmp_path / "deep.json"
    path.write_bytes(nested(10_000, opener, closer))
    assert_exit_2(invoke("review", str(path)), "nested more than 256 levels deep")


@pytest.fixture
def gzip_bomb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """20 MB of white space in 20 KB of gzip (1,000 times), with the ratio-free allowance cut to 1 MB for speed."""
    monkeypatch.setattr(seekable_input, "GZIP_RATIO_FREE_BYTES", 1_000_000)
    path = tmp_path / "bomb.json.gz"
    path.write_bytes(gzip.compress(b'{"releases": [' + b" " * 20_000_000 + b"]}", compresslevel=9))
    assert path.stat().st_size < 30_000
    return path


def test_review_refuses_a_gzip_bomb_before_it_fills_the_disk(gzip_bomb: Path):
    assert_exit_2(invoke("review", str(gzip_bomb)), "refused as a possible gzip bomb", "200 times its own size")


def test_review_refuses_a_gzip_bomb_on_standard_input(gzip_bomb: Path):
    result = invoke("review", "-", stdin=gzip_bomb.read_bytes())
    assert_exit_2(result, "refused as a possible gzip bomb")


def test_review_refuses_utf16_on_standard_input():
    result = invoke("review", "-", stdin=(CORPUS / "utf-16-bom.json").read_bytes())
    assert_exit_2(result, "encoded as UTF-16")


def test_review_of_a_folder_is_refused_by_name(tmp_path: Path):
    assert_exit_2(invoke("review", str(tmp_path)), "is a directory")


def test_review_of_a_missing_file_says_there_is_no_file(tmp_path: Path):
    assert_exit_2(invoke("review", str(tmp_path / "nowhere.json")), "There is no file at")


def test_a_path_that_climbs_out_of_its_folder_reads_only_that_file(tmp_path: Path):
    (tmp_path / "inside").mkdir()
    (tmp_path / "secret.txt").write_text("root:x:0:0\n")
    climbing = tmp_path / "inside" / ".." / "secret.txt"
    assert_exit_2(invoke("review", str(climbing)), "The data starts with 'r', not with { or [")


COMPILED_UNREADABLE = ["truncated.json", "latin-1.json", "nan.json", "broken-third-line.jsonl", "truncated.json.gz"]


@pytest.mark.parametrize("name", COMPILED_UNREADABLE)
def test_compile_of_an_unreadable_file_exits_2_and_writes_no_file(tmp_path: Path, name: str):
    target = tmp_path / "records.json"
    result = invoke("compile", str(CORPUS / name), "-o", str(target))
    assert_exit_2(result, "Cannot read the input:")
    assert list(tmp_path.iterdir()) == []


def test_compile_into_a_folder_that_does_not_exist_exits_2_saying_so(tmp_path: Path):
    result = invoke("compile", str(CORPUS / "utf-8-bom.json"), "-o", str(tmp_path / "missing" / "records.json"))
    assert_exit_2(result, "Cannot write the output to", "No such file or directory", "nothing was written")
    assert list(tmp_path.iterdir()) == []


def test_compile_onto_a_folder_is_refused_by_name(tmp_path: Path):
    assert_exit_2(invoke("compile", str(CORPUS / "utf-8-bom.json"), "-o", str(tmp_path)), "is a directory")


# --- Awkward but readable: read as the JSON standard says, reported on, never a traceback ----------------------------


def test_a_utf8_byte_order_mark_is_skipped_and_the_data_read():
    result = invoke("review", "--json", str(CORPUS / "utf-8-bom.json"))
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output)["counts"]["releases"] == 1


@pytest.mark.parametrize(("name", "shown"), [("huge-float.json", "1e400"), ("huge-integer.json", "(400 characters)")])
def test_a_number_too_large_to_read_is_an_error_at_its_path_and_the_rest_is_checked(name: str, shown: str):
    result = invoke("review", "--json", str(CORPUS / name))
    assert result.exit_code == 1, result.output
    report = orjson.loads(result.output)
    (finding,) = [finding for finding in report["findings"] if finding["check"] == "ocds.unreadable-number"]
    assert finding["path"] == "releases/tender/value/amount"
    assert finding["examples"][0]["pointer"] == "/releases/0/tender/value/amount"
    assert shown in finding["message"]
    assert "beyond the largest number" in finding["message"]
    assert report["counts"]["releases"] == 1
    assert not [f for f in report["findings"] if f["check"] == "schema.type"]  # not reported twice


def test_a_number_too_large_to_read_is_compiled_as_its_text(tmp_path: Path):
    target = tmp_path / "records.json"
    result = invoke("compile", str(CORPUS / "huge-float.json"), "-o", str(target))
    assert result.exit_code == 0, result.output
    compiled = orjson.loads(target.read_bytes())["records"][0]["compiledRelease"]
    assert compiled["tender"]["value"]["amount"] == "1e400"


def test_duplicate_keys_are_read_as_json_parsers_read_them_the_last_one_winning(tmp_path: Path):
    # Refusing them would mean building every object in Python: measured 2.5 times slower on a 50 MB file.
    target = tmp_path / "records.json"
    result = invoke("compile", str(CORPUS / "duplicate-keys.json"), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert orjson.loads(target.read_bytes())["records"][0]["releases"][0]["id"] == "2"


def test_a_nul_escape_is_valid_json_and_is_reviewed():
    # The registry cannot store it (tests/hostile/test_cli_import.py); the review can still check the rest.
    result = invoke("review", "--json", str(CORPUS / "nul-escape.json"))
    assert result.exit_code == 0, result.output
    assert_no_traceback(result.output)


def test_a_20_mb_string_is_reviewed_and_the_report_does_not_repeat_it(tmp_path: Path):
    release = {"ocid": "ocds-abcdef-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": "x" * 20_000_000,
               "initiationType": "tender"}  # fmt: skip
    path = tmp_path / "huge-string.json"
    path.write_bytes(orjson.dumps({"version": "1.1", "releases": [release]}))
    result = invoke("review", "--json", str(path))
    assert result.exit_code == 1, result.output[-500:]  # the tag must be an array: a finding, not a crash
    assert len(result.output) < 100_000
    assert "releases/tag" in {finding["path"] for finding in orjson.loads(result.output)["findings"]}


WRONG_TYPES = {
    "roles a number": {"parties": [{"id": "p1", "name": "Moorside", "roles": 5}], "buyer": {"id": "p1"}},
    "suppliers a number": {"awards": [{"id": "a1", "suppliers": 5}]},
    "additionalIdentifiers a number": {"parties": [{"id": "p1", "additionalIdentifiers": 5}]},
    "relatedLots a number": {"tender": {"id": "t1", "lots": [{"id": "l1"}]},
                             "awards": [{"id": "a1", "relatedLots": 5}]},
    "tenderers a number": {"tender": {"id": "t1", "tenderers": 5}, "parties": [{"id": "p1"}]},
    "transactions a number": {"contracts": [{"id": "c1", "awardID": "a1", "implementation": {"transactions": 5}}],
                              "parties": [{"id": "p1"}]},
}  # fmt: skip


@pytest.mark.parametrize("fields", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_a_number_where_an_array_belongs_is_a_finding_not_a_traceback(tmp_path: Path, fields: dict):
    release = {"ocid": "ocds-abcdef-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
               "initiationType": "tender"} | fields  # fmt: skip
    path = tmp_path / "wrong-type.json"
    path.write_bytes(orjson.dumps({"version": "1.1", "releases": [release]}))
    result = invoke("review", "--json", str(path))
    assert result.exit_code == 1, (result.output[-800:], result.exception)
    assert any(finding["severity"] == "error" for finding in orjson.loads(result.output)["findings"])
