"""A small upload queued behind a huge one starts at once (real processes, SQLite): small reviews wait in a lane of
their own (OPENCARE_REVIEW_SMALL_BYTES), and `opencare serve` runs a worker for that lane only, as here."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import orjson

from .test_review_worker_killed import kill, query, start_worker, wait_for

#: Long enough to check that it is still being checked when the small one is done.
BIG_RELEASES = 60_000


def big_upload() -> bytes:
    return b"\n".join(orjson.dumps({
        "ocid": f"ocds-abcdef-{number}", "id": "1", "tag": ["tender"], "initiationType": "tender",
        "date": "2025-01-01T00:00:00Z", "tender": {"id": f"t{number}", "title": f"Home care {number}"},
    }) for number in range(BIG_RELEASES)) + b"\n"  # fmt: skip


#: Queue the big upload, wait until a worker has it, then queue the small one; print both tokens.
QUEUE_BOTH = """
import sys, time, django
django.setup()
from opencare.reviews.models import ReviewRequest
from opencare.reviews.services.lanes import lane_for
from opencare.reviews.services.uploads import accept_stream
big = accept_stream(stream=open(sys.argv[1], "rb"), file_name="big.jsonl")
assert lane_for(big) == "default", lane_for(big)
deadline = time.monotonic() + 120
while ReviewRequest.objects.get(pk=big.pk).status == "queued":
    assert time.monotonic() < deadline, "no worker took the big upload"
    time.sleep(0.01)
small = accept_stream(stream=open(sys.argv[2], "rb"), file_name="small.json")
assert lane_for(small) == "small", lane_for(small)
print(big.token, small.token)
"""


def test_a_small_upload_queued_behind_a_huge_one_is_checked_while_the_huge_one_still_runs(tmp_path, migrated_sqlite):
    database, store, log = tmp_path / "site.sqlite3", tmp_path / "reviews", tmp_path / "workers.log"
    big, small = tmp_path / "big.jsonl", tmp_path / "small.json"
    big.write_bytes(big_upload())
    small.write_bytes(orjson.dumps({"version": "1.1", "releases": [{"ocid": "ocds-abcdef-s", "id": "1"}]}))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "opencare.config.settings",
           "OPENCARE_VAR_DIR": str(tmp_path / "var"), "OPENCARE_REVIEW_DIR": str(store),
           "OPENCARE_REVIEW_SMALL_BYTES": "100000"}  # fmt: skip
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    migrated_sqlite(database)
    # As `opencare serve --task-workers 1` runs them: one worker for everything, one for small reviews only.
    workers = [start_worker(env, log), start_worker(env, log, "--lane", "small")]
    try:
        queued = subprocess.run([sys.executable, "-c", QUEUE_BOTH, str(big), str(small)], env=env, check=True,
                                capture_output=True, text=True)  # fmt: skip
        big_token, small_token = queued.stdout.split()
        status = "SELECT status FROM reviews_reviewrequest WHERE token = '{}'"
        small_queued_at = time.monotonic()
        wait_for(lambda: query(database, status.format(small_token)) == [("ready",)], 30, "the small review")
        assert time.monotonic() - small_queued_at < 30
        assert query(database, status.format(big_token)) == [("checking",)], "the big one was not still running"
        lanes = ("SELECT queue_name, status FROM django_tasks_database_dbtaskresult "
                 "WHERE task_path LIKE '%.review_upload'")  # fmt: skip
        # The worker marks its task done just after the review is ready: poll for it, briefly.
        finished = [("default", "RUNNING"), ("small", "SUCCESSFUL")]
        wait_for(lambda: sorted(query(database, lanes)) == finished, 10, "the small lane's task to be marked done")
        assert sorted(query(database, lanes)) == finished
    finally:
        for worker in workers:
            kill(worker)
