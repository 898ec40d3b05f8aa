"""`opencare review -` and `opencare compile -` stop reading endless standard input at a documented size, with a clear
message and exit status 2, instead of copying it to the disk until the disk is full."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 1_000_000
#: What the "endless" writer gives up after, so that the test ends even if the command read everything.
BOUND = 200 * LIMIT


@pytest.mark.parametrize("command", ["review", "compile"])
def test_endless_standard_input_stops_at_the_limit_with_exit_2_and_a_clear_message(command):
    env = {**os.environ, "OPENCARE_STDIN_MAX_BYTES": str(LIMIT)}
    process = subprocess.Popen([sys.executable, "-m", "opencare", command, "-"], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)  # fmt: skip
    written = [0]

    def yes() -> None:  # like `yes '{}'`, bounded
        line = b"{}\n" * 10_000
        try:
            while written[0] < BOUND:
                process.stdin.write(line)
                written[0] += len(line)
            process.stdin.close()
        except (BrokenPipeError, ValueError, OSError):
            pass

    writer = threading.Thread(target=yes, daemon=True)
    writer.start()
    try:
        process.wait(timeout=120)  # not communicate(), which would close standard input at once
    finally:
        process.kill()
    writer.join(timeout=10)
    text = " ".join(process.stderr.read().decode().split())
    for pipe in (process.stdin, process.stderr):
        with contextlib.suppress(BrokenPipeError):  # what was left in its buffer had nowhere to go
            pipe.close()
    assert process.returncode == 2, text
    assert f"longer than {LIMIT:,} bytes" in text
    assert "OPENCARE_STDIN_MAX_BYTES" in text
    assert "Traceback" not in text
    assert written[0] < BOUND  # it stopped reading: the writer was cut off, not allowed to finish
