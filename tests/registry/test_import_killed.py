"""An import killed part-way (SIGKILL, a real subprocess) leaves whole chunks and no process behind; running it
again completes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson

OPENCARE = Path(sys.executable).parent / "opencare"
PROCESSES, RELEASES_EACH = 1200, 10


def releases() -> bytes:
    lines = []
    for process in range(PROCESSES):
        for number in range(RELEASES_EACH):
            lines.append(orjson.dumps({
                "ocid": f"ocds-abcdef-{process}", "id": f"{process}-{number}", "tag": ["tender"],
                "date": f"2025-01-{number + 1:02d}T00:00:00Z", "initiationType": "tender",
                "tender": {"id": f"t{process}", "title": f"Home care {process}", "status": "active",
                           "value": {"amount": 1000 + number, "currency": "GBP"}},
            }))  # fmt: skip
    return b"\n".join(lines) + b"\n"


def counts(database: Path) -> tuple[int, int, list[tuple[str, int, int]]]:
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT COUNT(*) FROM registry_release").fetchone()[0]
        duplicates = connection.execute(
            "SELECT COUNT(*) FROM (SELECT 1 FROM registry_release GROUP BY ocid, release_id HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        mismatched = connection.execute(
            "SELECT p.ocid, p.release_count, COUNT(r.id) FROM registry_process p "
            "LEFT JOIN registry_release r ON r.ocid = p.ocid GROUP BY p.ocid HAVING p.release_count != COUNT(r.id)"
        ).fetchall()
    return stored, duplicates, mismatched


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def alive(pid: int) -> bool:
    """Running, not a zombie waiting to be reaped (by init, once its parent was killed)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_killed_import_leaves_the_database_consistent_and_no_process_behind_and_a_rerun_completes_it(
    tmp_path, migrated_sqlite
):
    database = migrated_sqlite(tmp_path / "registry.sqlite3")
    data = tmp_path / "releases.jsonl"
    data.write_bytes(releases())
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "opencare.config.settings"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    importing = subprocess.Popen([OPENCARE, "import", "--no-bulk", str(data)], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while counts(database)[0] < 2000 and importing.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    preparing = children(importing.pid)  # the forked process preparing chunks (registry.imports)
    importing.send_signal(signal.SIGKILL)
    importing.wait()
    assert preparing, "the import had no second process"
    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in preparing):  # it notices at its next send, never blocking for ever
        assert time.monotonic() < deadline, "the preparing process was left behind when the import was killed"
        time.sleep(0.05)
    stored, duplicates, mismatched = counts(database)
    assert 0 < stored < PROCESSES * RELEASES_EACH, "the import was not caught part-way"
    assert stored % 1000 == 0  # whole chunks only
    assert (duplicates, mismatched) == (0, [])

    finished = subprocess.run([OPENCARE, "import", "--no-bulk", str(data)], env=env, capture_output=True, check=False)
    assert finished.returncode == 0, finished.stderr.decode()
    assert counts(database) == (PROCESSES * RELEASES_EACH, 0, [])
    with sqlite3.connect(database) as connection:
        compiled = connection.execute(
            "SELECT compiled_release FROM registry_process WHERE ocid = 'ocds-abcdef-7'"
        ).fetchone()[0]
    assert orjson.loads(compiled)["tender"]["value"]["amount"] == 1000 + RELEASES_EACH - 1
