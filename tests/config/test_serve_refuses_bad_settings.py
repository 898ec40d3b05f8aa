"""`opencare serve` with settings that cannot work refuses in one line, before it binds a port or starts a worker."""

from __future__ import annotations

import socket
import subprocess
import sys

from .django_process import ROOT, environment


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_production_without_a_secret_key_refuses_in_one_line_with_exit_2_before_binding_a_port():
    port = _free_port()
    finished = subprocess.run(
        [sys.executable, "-m", "opencare", "serve", "--port", str(port), "--task-workers", "0"],
        env=environment(DJANGO_ENV="production", ALLOWED_HOSTS="opencare.example.org"),
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert finished.returncode == 2, (finished.stdout, finished.stderr)
    lines = finished.stderr.strip().splitlines()
    assert len(lines) == 1, finished.stderr
    assert "SECRET_KEY" in lines[0]
    assert "Traceback" not in finished.stderr
    # Nothing was served: no greeting, no gunicorn, and the port is still free.
    assert "Serving opencare" not in finished.stdout
    assert "Listening at" not in finished.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))
