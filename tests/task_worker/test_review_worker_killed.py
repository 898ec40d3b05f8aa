"""A task worker SIGKILLed part-way through reviewing an upload (real processes, SQLite): the next worker finds the
task left RUNNING, puts it back, and finishes the review, with every release counted once and its conversions queued
once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import orjson

OPENCARE = Path(sys.executable).parent / "opencare"
#: About 6 MB: a second or so to check, and under the size at which the review forks a second process.
RELEASES = 14_000
PROCESSES = RELEASES // 4


def releases() -> bytes:
    lines = []
    for number in range(RELEASES):
        lines.append(orjson.dumps({
            "ocid": f"ocds-abcdef-{number // 4}", "id": str(number), "tag": ["tender"], "initiationType": "tender",
            "date": "2025-01-01T00:00:00Z",
            "tender": {"id": f"t{number}", "title": f"Home care {number}", "description": "Visits at home. " * 12,
                       "status": "active", "value": {"amount": 1000 + number, "currency": "GBP"}},
        }))  # fmt: skip
    return b"\n".join(lines) + b"\n"


def query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database, timeout=20) as connection:
        return connection.execute(sql).fetchall()


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def start_worker(env: dict[str, str], log: Path, *options: str) -> subprocess.Popen:
    # Its own process group, so the test can kill it with any child it has.
    with log.open("ab") as out:
        return subprocess.Popen([OPENCARE, "worker", "--interval", "0.05", *options], env=env, stdout=out,
                                stderr=out, start_new_session=True)  # fmt: skip


def kill(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def test_a_review_whose_worker_is_killed_part_way_is_finished_once_by_the_next_worker(tmp_path, migrated_sqlite):
    database, store, log = tmp_path / "site.sqlite3", tmp_path / "reviews", tmp_path / "workers.log"
    upload = tmp_path / "big.jsonl"
    upload.write_bytes(releases())
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "opencare.config.settings",
           "OPENCARE_VAR_DIR": str(tmp_path / "var"), "OPENCARE_REVIEW_DIR": str(store),
           "OPENCARE_TASK_WORKER_LOST_SECONDS": "1"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    migrated_sqlite(database)
    workers = [start_worker(env, log)]
    try:
        queued = subprocess.run(
            [OPENCARE, "manage", "shell", "-c",
             "from opencare.reviews.services.uploads import accept_stream; "
             f"print(accept_stream(stream=open({str(upload)!r}, 'rb'), file_name='big.jsonl').token)"],
            env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        token = queued.stdout.strip().splitlines()[-1]
        review = f"SELECT status, items_checked FROM reviews_reviewrequest WHERE token = '{token}'"
        wait_for(lambda: query(database, review)[0][1] > 0, 60, "the review to start")
        kill(workers[0])

        status, checked = query(database, review)[0]
        assert status == "checking", "the worker was not caught part-way"
        assert 0 < checked < RELEASES
        tasks = "SELECT task_path, status, worker_ids FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
        assert [(path.rsplit(".", 1)[1], state) for path, state, _ in query(database, tasks)] == [
            ("review_upload", "RUNNING")  # left so by the killed worker: nobody would ever run it
        ]

        workers.append(start_worker(env, log))
        finished = "SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%.review_upload'"
        wait_for(lambda: query(database, finished) == [("SUCCESSFUL",)], 60, "the next worker to finish the review")

        report = json.loads(query(database, f"SELECT report FROM reviews_reviewrequest WHERE token = '{token}'")[0][0])
        assert report["counts"] == {"releases": RELEASES, "records": 0, "ocids": PROCESSES}
        same_date = next(f for f in report["findings"] if f["check"] == "ocds.same-date-for-ocid")
        assert same_date["count"] == RELEASES - PROCESSES  # each process's later releases, each counted once
        ran = [(path.rsplit(".", 1)[1], state, json.loads(ids)) for path, state, ids in query(database, tasks)]
        assert [(name, state) for name, state, _ in ran[:1]] == [("review_upload", "SUCCESSFUL")]
        assert len(ran[0][2]) == 2  # the killed worker's run, then the next worker's
        assert [name for name, _, _ in ran] == ["review_upload", "convert_upload"]  # conversions queued once
        assert query(database, review)[0][0] == "ready"
        assert (store / token / "input").read_bytes() == upload.read_bytes()  # the upload, whole, for the downloads
    finally:
        for worker in workers:
            kill(worker)
