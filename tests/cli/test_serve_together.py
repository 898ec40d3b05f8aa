"""`opencare serve` runs the web server and the task workers side by side and stops them together."""

from __future__ import annotations

import sys
import time

from opencare.cli.serving import run_together


def test_when_one_process_stops_the_others_are_stopped_and_its_exit_code_returned():
    started = time.monotonic()
    code = run_together([
        [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"],
        [sys.executable, "-c", "import time; time.sleep(60)"],
    ])  # fmt: skip
    assert code == 3
    assert time.monotonic() - started < 20


def test_serve_starts_one_more_task_worker_kept_for_small_reviews(monkeypatch):
    from click.testing import CliRunner

    from opencare import cli
    from opencare.cli import serving

    started = []
    monkeypatch.setattr(serving, "run_together", lambda commands: started.extend(commands) or 0)
    result = CliRunner().invoke(cli.main, ["serve", "--task-workers", "2"])
    assert result.exit_code == 0, result.output
    workers = [command[3:] for command in started if command[1:4] == ["-m", "opencare", "worker"]]
    assert workers == [["worker"], ["worker"], ["worker", "--lane", "small"]]
    assert "3 task workers (one for small reviews only)" in " ".join(result.output.split())


def test_serve_without_task_workers_starts_none(monkeypatch):
    from click.testing import CliRunner

    from opencare import cli
    from opencare.cli import serving

    started = []
    monkeypatch.setattr(serving, "run_together", lambda commands: started.extend(commands) or 0)
    assert CliRunner().invoke(cli.main, ["serve", "--task-workers", "0"]).exit_code == 0
    assert [command for command in started if "worker" in command] == []
