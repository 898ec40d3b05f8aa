"""`opencare review` and `opencare compile` as a person runs them: exit status, messages, files."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

OPENCARE = Path(sys.executable).with_name("opencare")
VALID = {
    "version": "1.1",
    "uri": "https://example.org/p.json",
    "publishedDate": "2024-01-01T00:00:00Z",
    "publisher": {"name": "Borsetdale Council"},
    "releases": [{"ocid": "ocds-abcdef-1", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
                  "initiationType": "tender"}],
}  # fmt: skip


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([OPENCARE, *args], input=stdin, capture_output=True, check=False)


def test_review_of_valid_data_exits_0_and_says_so(tmp_path: Path):
    path = tmp_path / "good.json"
    path.write_text(json.dumps(VALID))
    result = run("review", str(path))
    assert result.returncode == 0
    assert b"No errors." in result.stdout


def test_review_of_data_with_errors_exits_1_and_explains_them(tmp_path: Path):
    bad = json.loads(json.dumps(VALID))
    del bad["releases"][0]["id"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = run("review", str(path))
    assert result.returncode == 1
    assert b"'id' is missing from each release" in result.stdout
    assert b"How to fix:" in result.stdout


def test_review_json_prints_the_report_contract(tmp_path: Path):
    path = tmp_path / "good.json.gz"
    path.write_bytes(gzip.compress(json.dumps(VALID).encode()))
    report = json.loads(run("review", "--json", str(path)).stdout)
    assert set(report) == {"format", "version", "standard", "extensions", "counts", "valid", "complete", "findings"}
    assert report["counts"] == {"releases": 1, "records": 0, "ocids": 1}


def test_review_reads_standard_input():
    result = run("review", "--json", "-", stdin=json.dumps(VALID).encode())
    assert result.returncode == 0
    assert json.loads(result.stdout)["valid"] is True


def test_unreadable_input_exits_2_with_where_and_how_to_fix_and_no_traceback(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('{"releases": [\n  {"ocid": "a",}\n]}')
    result = run("review", str(path))
    assert result.returncode == 2
    assert b"line 2, column" in result.stderr
    assert b"How to fix it:" in result.stderr
    assert b"Traceback" not in result.stderr + result.stdout


def test_a_missing_file_exits_2_with_a_message(tmp_path: Path):
    result = run("review", str(tmp_path / "nowhere.json"))
    assert result.returncode == 2
    assert b"There is no file at" in result.stderr


def test_compile_writes_a_record_package_to_the_output_file(tmp_path: Path):
    source, target = tmp_path / "releases.json", tmp_path / "records.json"
    source.write_text(json.dumps(VALID))
    result = run("compile", str(source), "-o", str(target))
    assert result.returncode == 0
    records = json.loads(target.read_text())["records"]
    assert records[0]["compiledRelease"]["tag"] == ["compiled"]


def test_compile_of_unreadable_input_exits_2_and_leaves_no_file(tmp_path: Path):
    source, target = tmp_path / "broken.json", tmp_path / "records.json"
    source.write_text('{"releases": [')
    result = run("compile", str(source), "-o", str(target))
    assert result.returncode == 2
    assert not target.exists()
    assert not (tmp_path / "records.json.partial").exists()


def _large_package_with_a_bad_byte(path: Path) -> None:
    """Over 8 MB, so it is split in two and checked by two processes; the bad byte is in the second half."""
    release = {"ocid": "ocds-abcdef-1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"],
               "initiationType": "tender", "description": "x" * 300}  # fmt: skip
    text = json.dumps({"version": "1.1", "releases": [dict(release, id=str(i)) for i in range(30000)]}, indent=1)
    data = text.encode()
    at = data.index(b'"x', int(len(data) * 0.8)) + 2
    path.write_bytes(data[:at] + b"\xe9" + data[at + 1 :])


def test_a_bad_byte_in_the_second_half_of_a_large_file_is_located_not_a_traceback(tmp_path: Path):
    source = tmp_path / "large.json"
    _large_package_with_a_bad_byte(source)
    for args in (("review", str(source)), ("compile", str(source), "-o", str(tmp_path / "out.json"))):
        result = run(*args)
        assert result.returncode == 2, result.stderr
        assert b"not valid UTF-8" in result.stderr
        assert b"(line " in result.stderr
        assert b"Traceback" not in result.stderr
    assert not (tmp_path / "out.json").exists()
