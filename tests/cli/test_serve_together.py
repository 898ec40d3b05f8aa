"""`opencare serve` runs the web server and the task workers side by side and stops them together."""

from __future__ import annotations

import sys
import time

from opencare.cli import run_together


def test_when_one_process_stops_the_others_are_stopped_and_its_exit_code_returned():
    started = time.monotonic()
    code = run_together([
        [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"],
        [sys.executable, "-c", "import time; time.sleep(60)"],
    ])  # fmt: skip
    assert code == 3
    assert time.monotonic() - started < 20
