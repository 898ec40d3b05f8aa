"""`opencare import` from a terminal: a summary table, exit 2 with a clear message for paths it cannot use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OPENCARE = Path(sys.executable).with_name("opencare")
FTS = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "realdata"
    / "fts-ocds-release-package-2026-09-03-p001-excerpt.json"
)


def run(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "OPENCARE_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run([OPENCARE, "import", *arguments], env=env, capture_output=True, text=True, check=False)


def test_import_prints_what_it_added_and_a_second_run_adds_nothing(tmp_path):
    first = run(tmp_path, str(FTS))
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout
    assert "│     5 │" in first.stdout
    assert "Bulk downloads: 10 files" in first.stdout
    assert list((tmp_path / "bulk").glob("made-*/opencare-all-releases.json.gz"))
    second = run(tmp_path, str(FTS))
    assert "already stored" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr


def test_a_missing_path_exits_2_with_a_message_and_no_traceback(tmp_path, migrated_sqlite):
    migrated_sqlite(tmp_path / "db.sqlite3")  # the first test meets a brand-new database; these, a set-up site
    result = run(tmp_path, str(tmp_path / "nothing.json"))
    assert result.returncode == 2
    assert "There is no file or folder at" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_broken_file_exits_2_naming_the_file_and_the_line(tmp_path, migrated_sqlite):
    migrated_sqlite(tmp_path / "db.sqlite3")
    broken = tmp_path / "broken.json"
    broken.write_text('{"releases": [\n{"ocid": }]}')
    result = run(tmp_path, str(broken))
    assert result.returncode == 2
    assert "broken.json" in result.stderr
    assert "line 2" in result.stderr.lower()
    assert "Traceback" not in result.stderr
