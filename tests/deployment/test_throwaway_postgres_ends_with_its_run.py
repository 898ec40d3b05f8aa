"""tools/throwaway_postgres.py never leaves a server behind: not after a SIGKILL of the run that started it (its
watchdog stops it), and not after a time-out's SIGTERM or a Ctrl-C (the run stops the command, then the server)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, throwaway_postgres

TOOL = ROOT / "tools" / "throwaway_postgres.py"


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A folder for the run's temporary files that the 'postgres' user can enter (pytest's tmp_path is private)."""
    if throwaway_postgres.find_bindir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL's server binaries are not installed.")
        pytest.skip("PostgreSQL's server binaries are not installed (tools/system-deps.sh installs them as root).")
    folder = Path(tempfile.mkdtemp(prefix="opencare-test-throwaway-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains this text (the server's processes all name its folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue  # ended meanwhile
    return found


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def start_run(scratch: Path) -> tuple[subprocess.Popen[str], Path, int]:
    """A run of the tool whose command waits a minute; returns it once the server is up, its folder and the command's
    process id."""
    ready = scratch / "ready"
    # The command lets go of the run's output, which is read to its end once the run is over.
    command = f'echo "$$" > {ready}.tmp && mv {ready}.tmp {ready} && exec sleep 60 > /dev/null 2>&1'
    run = subprocess.Popen(
        [sys.executable, str(TOOL), "--", "sh", "-c", command],
        env={**os.environ, "TMPDIR": str(scratch)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    wait_for(ready.exists, 60, "the throwaway server started and ran the command")
    (folder,) = scratch.glob("opencare-pg-*")
    assert processes_mentioning(str(folder))  # the server runs
    return run, folder, int(ready.read_text())


def end_command(pid: int) -> None:
    """Stop the command if it still runs (after a SIGKILL of the run, nothing else does)."""
    if pid in processes_mentioning("sleep 60"):
        os.kill(pid, signal.SIGKILL)


def test_a_run_killed_with_sigkill_leaves_no_server_and_no_files(scratch):
    run, folder, command = start_run(scratch)
    try:
        run.kill()
        wait_for(lambda: not processes_mentioning(str(folder)), 15, f"the server in {folder} stopped")
        wait_for(lambda: not folder.exists(), 15, f"{folder} deleted")
        output, _ = run.communicate(timeout=15)  # the watchdog's message, once it has ended
    finally:
        end_command(command)
    assert "the run that started it ended without stopping it" in output  # the watchdog's word


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_run_told_to_stop_stops_its_command_then_the_server(scratch, signum):
    run, folder, command = start_run(scratch)
    try:
        run.send_signal(signum)
        output, _ = run.communicate(timeout=60)
    finally:
        end_command(command)
    assert run.returncode == 128 + signum
    assert f"Stopped by {signal.Signals(signum).name}" in output
    assert command not in processes_mentioning("sleep 60")
    assert not processes_mentioning(str(folder))
    assert not folder.exists()
    assert "ended without stopping it" not in output  # the run cleaned up; its watchdog had nothing to do
