"""API latency beside a static file of the same size, on the same server, with 100,000 processes loaded.

Usage: .venv/bin/python bench/api_latency.py [--processes 100000] [--seconds 10] [--connections 8]
       [--database sqlite|postgres]

Imports generated processes (one release each, made from the real notices in tests/fixtures/realdata/) into a
throwaway SQLite database (or, with `--database postgres`, a throwaway PostgreSQL server from
tools/throwaway_postgres.py), starts the site with gunicorn (`opencare serve`, 2 web workers, no task worker) on
loopback, fetches a paged list (`/api/records?limit=100`, page 500) and a record (`/api/records/OCID`), writes static
files of exactly the same sizes where WhiteNoise serves them, restarts the server so it sees them, and runs wrk
against each of the four addresses in turn. It prints requests per second and latency percentiles, and the ratio of
each API answer's mean latency to its static twin's (target: under 3).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from import_registry import write_releases
from review_web import free_port
from throwaway_postgres import throwaway_server

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def start(env: dict[str, str], port: int, workers: int = 2) -> subprocess.Popen:
    """`opencare serve` with this many web workers and no task worker, once it answers."""
    server = subprocess.Popen(
        [BIN / "opencare", "serve", "--port", str(port), "--workers", str(workers), "--task-workers", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json")
            return server
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    figures["mean"] = _ms(re.search(r"Latency\s+([\d.]+\w+)", output).group(1))
    for percentile in ("50", "99"):
        figures[f"p{percentile}"] = _ms(re.search(rf"\s{percentile}%\s+([\d.]+\w+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = float(errors.group(1)) if errors else 0.0
    return figures


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opencare-bench-api-") as scratch_name, contextlib.ExitStack() as stack:
        scratch = Path(scratch_name)
        if arguments.database == "postgres":
            with contextlib.redirect_stdout(sys.stderr):
                database_url = stack.enter_context(throwaway_server())
        else:
            database_url = f"sqlite:///{scratch / 'bench.sqlite3'}"
        env = {**os.environ, "OPENCARE_VAR_DIR": str(scratch / "var"), "DATABASE_URL": database_url}
        source = scratch / "releases.json"
        write_releases(source, arguments.processes, releases_per_process=1)
        subprocess.run([BIN / "opencare", "setup"], env=env, check=True, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        subprocess.run([BIN / "opencare", "import", "--no-bulk", str(source)], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        imported = time.perf_counter() - started
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start(env, port)
        page_url = f"/api/records?limit=100&cursor={arguments.processes // 2}"
        record_url = "/api/records/ocds-bench0-4242"
        bodies = {name: urllib.request.urlopen(base + url).read() for name, url in
                  (("list", page_url), ("record", record_url))}  # fmt: skip
        server.terminate()
        server.wait()
        static = scratch / "var" / "static" / "bench"
        static.mkdir(parents=True, exist_ok=True)
        for name, body in bodies.items():
            (static / f"{name}.json").write_bytes(body)
        server = start(env, port)
        try:
            rows = []
            for name, url in (("list", page_url), ("record", record_url)):
                api = wrk(base + url, arguments.seconds, arguments.connections)
                twin = wrk(f"{base}/static/bench/{name}.json", arguments.seconds, arguments.connections)
                rows.append((name, url, len(bodies[name]), api, twin))
        finally:
            server.terminate()
            server.wait()
    print(f"# API latency with {arguments.processes:,} processes (imported in {imported:.0f} s)\n")
    database = {"sqlite": "SQLite", "postgres": "PostgreSQL"}[arguments.database]
    print(f"wrk, {arguments.connections} connections, {arguments.seconds} s each, 2 gunicorn workers, {database}.\n")
    print("| request | bytes | API req/s | API mean / p50 / p99 ms | static req/s | static mean / p50 / p99 ms "
          "| mean ratio | non-2xx |\n|---|---|---|---|---|---|---|---|")  # fmt: skip
    for name, url, size, api, twin in rows:
        print(f"| {name} `{url}` | {size:,} | {api['rps']:,.0f} | {api['mean']:.1f} / {api['p50']:.1f} / "
              f"{api['p99']:.1f} | {twin['rps']:,.0f} | {twin['mean']:.1f} / {twin['p50']:.1f} / {twin['p99']:.1f} "
              f"| {api['mean'] / twin['mean']:.2f} | {api['errors']:.0f} |")  # fmt: skip


if __name__ == "__main__":
    main()
