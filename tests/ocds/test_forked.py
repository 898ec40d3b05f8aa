"""The second process of a review or a compile (opencare.ocds.forked): stopped at once when the first half of the
file cannot be read, and never left behind when its parent dies."""

from __future__ import annotations

import io
import signal
import threading
import time

import orjson
import pytest

from opencare.ocds.compile import compile_package
from opencare.ocds.forked import fork
from opencare.ocds.readers import InputError
from opencare.ocds.review import review as run_review


def broken_in_its_first_quarter(path) -> None:
    """A release package with bad JSON in its first quarter, and so many contracting processes in its second half
    that what the second process sends back (their ocids, among the rest) is bigger than a pipe's buffer (64 KB):
    it cannot be sent unless someone reads it."""
    releases = [
        orjson.dumps({"ocid": f"ocds-abcdef-{number:06d}", "id": "1", "date": "2025-01-01T00:00:00Z",
                      "tag": ["tender"], "tender": {"id": "t", "title": "Home care"}})
        for number in range(8000)
    ]  # fmt: skip
    releases[100] = releases[100].replace(b'"tag":', b'"tag" nonsense', 1)
    path.write_bytes(b'{"version": "1.1", "releases": [\n' + b",\n".join(releases) + b"\n]}")


@pytest.mark.parametrize("command", ["review", "compile"])
def test_a_file_broken_in_its_first_half_is_reported_without_waiting_for_the_second_process(tmp_path, command):
    path = tmp_path / "broken.json"
    broken_in_its_first_quarter(path)
    run = {
        "review": lambda: run_review(path, workers=2),
        "compile": lambda: compile_package(path, io.BytesIO(), workers=2),
    }
    started = time.monotonic()
    with pytest.raises(InputError) as raised:
        run[command]()
    # The second process, blocked sending a half nobody reads, used to be waited for 60 s before it was killed.
    assert time.monotonic() - started < 20
    assert raised.value.line == 102  # the whole file was read again for the exact place


def test_a_worker_ends_when_its_parent_stops_listening():
    def sends_for_ever(sender) -> None:
        while True:
            sender.send(b"x" * 100_000)

    worker = fork(sends_for_ever)
    worker.receiver.recv()
    worker.receiver.close()  # as if this process had died: its end of the pipe is gone
    worker.process.join(timeout=20)
    assert worker.process.exitcode == 0, "the worker kept on sending (or crashed) instead of ending"


def test_stop_ends_a_worker_at_once():
    def works_for_ever(sender) -> None:
        threading.Event().wait()  # never set: the worker never ends by itself

    worker = fork(works_for_ever)
    stopping = threading.Thread(target=worker.stop, daemon=True)
    stopping.start()
    stopping.join(timeout=20)
    assert not stopping.is_alive(), "stop() waited for a worker that never ends"
    assert worker.process.exitcode == -signal.SIGKILL
