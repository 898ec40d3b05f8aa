"""Public pages (search, contract, comparison) beside a static page of the same size, on the same server, with
100,000 processes loaded (issue 6).

Usage: .venv/bin/python bench/public_pages.py [--processes 100000] [--seconds 10] [--connections 20]
       [--database postgres|sqlite] [--small 1000]

Starts a throwaway PostgreSQL server (tools/throwaway_postgres.py; `--database sqlite` for a SQLite file instead),
loads the demo data (`opencare demo`: real notices and the invented Borsetdale contracts with monthly figures),
imports --processes generated processes (one release each, made from the real notices in tests/fixtures/realdata/,
bench/import_registry.py) and runs ANALYZE, as autovacuum would soon after. It starts the site as
bench/api_latency.py does (gunicorn, 2 web workers, no task worker, on loopback), fetches each page once to learn
its size, writes a static file of exactly that size where WhiteNoise serves it, restarts the server, and runs wrk
(--connections connections, 2 threads, --seconds each) against each page and then, once the workers have
answered the requests still queued when wrk stopped, its static twin. It does that twice: with the page cache as
configured by default (OPENCARE_PAGE_CACHE_SECONDS=60, each worker keeps its pages) and without it
(OPENCARE_PAGE_CACHE_SECONDS=0, every request renders the page). Errors are non-2xx/3xx answers plus wrk's socket
errors (connect, read, write, timeout; wrk's timeout is set to 30 s so slow pages count in the latency rather than
vanish). Target: each page's mean latency under 3 times its static twin's, with no errors.

Last, it counts each page's database queries with Django's test client (page cache off), on the loaded database
and on one with only --small generated processes (0 skips it): the counts should be the same. The slowest query of
each page on the large database is shown with its time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from api_latency import _ms, start
from import_registry import write_releases
from review_web import free_port
from throwaway_postgres import throwaway_server

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
DEMO_OCID = "ocds-bdemo1-hc-south"
console = Console(width=200)


#: A generated process made from a real notice (the 148th; in the small database too).
GENERATED_OCID = "ocds-bench0-147"
#: The pages measured: (name, address).
PAGES = [
    ("search", "/contracts/"),
    ("search-words", "/contracts/?q=care"),
    ("search-service", "/contracts/?service_type=home-care"),
    ("search-council", "/contracts/?buyer=council"),
    ("contract-generated", f"/contracts/{GENERATED_OCID}/"),
    ("contract-demo", f"/contracts/{DEMO_OCID}/"),
    ("easy-read-demo", f"/contracts/{DEMO_OCID}/easy-read/"),
    ("compare-service", "/compare/?service_type=home-care"),
]


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """A DATABASE_URL for an empty database that is gone afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        with contextlib.redirect_stdout(sys.stderr), throwaway_server() as url:
            yield url


def load(env: dict[str, str], folder: Path, processes: int) -> float:
    """Demo data, then `processes` generated processes, then ANALYZE; returns the import's seconds."""
    quiet = {"env": env, "check": True, "stdout": subprocess.DEVNULL}
    source = folder / "releases.json"
    write_releases(source, processes, releases_per_process=1)
    subprocess.run([BIN / "opencare", "setup"], **quiet)
    subprocess.run([BIN / "opencare", "demo"], **quiet)  # before the import: its bulk downloads stay small
    started = time.perf_counter()
    subprocess.run([BIN / "opencare", "import", "--no-bulk", str(source)], **quiet)
    seconds = time.perf_counter() - started
    analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
    subprocess.run([BIN / "opencare", "manage", "shell", "-c", analyze], **quiet)
    source.unlink()
    return seconds


def run_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    """wrk's requests per second, mean/p50/p99 latency in ms, and errors (non-2xx/3xx and socket errors)."""
    output = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    figures["requests"] = float(re.search(r"(\d+) requests in", output).group(1))
    latency = re.search(r"Latency\s+([\d.]+\w+)\s+[\d.]+\w+\s+([\d.]+\w+)", output)
    figures["mean"], figures["max"] = _ms(latency.group(1)), _ms(latency.group(2))
    for percentile in ("50", "99"):
        figures[f"p{percentile}"] = _ms(re.search(rf"\s{percentile}%\s+([\d.]+\w+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    figures["errors"] = float(errors.group(1) if errors else 0) + sum(map(float, sockets.groups() if sockets else ()))
    return figures


def measure(env: dict[str, str], addresses: list[tuple[str, str]], arguments: argparse.Namespace) -> dict:
    """wrk figures for every page and its static twin, with the page cache on (default) and off."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(env, port)
    try:
        bodies = {name: urllib.request.urlopen(base + address).read() for name, address in addresses}
    finally:
        server.terminate()
        server.wait()
    static = Path(env["OPENCARE_VAR_DIR"]) / "static" / "bench"
    static.mkdir(parents=True, exist_ok=True)
    for name, body in bodies.items():
        (static / f"{name}.html").write_bytes(body)
    results: dict = {"sizes": {name: len(body) for name, body in bodies.items()}}
    for label, cache_seconds in (("cached", "60"), ("uncached", "0")):
        server = start({**env, "OPENCARE_PAGE_CACHE_SECONDS": cache_seconds}, port)
        try:
            for name, address in addresses:
                console.print(f"[dim]{label}: {name} {address}[/dim]", highlight=False)
                page = run_wrk(base + address, arguments.seconds, arguments.connections)
                # The workers still answer the requests queued when wrk stopped: let them finish first.
                time.sleep(page["max"] / 1000 + 1)
                twin = run_wrk(f"{base}/static/bench/{name}.html", arguments.seconds, arguments.connections)
                results[(label, name)] = (page, twin)
        finally:
            server.terminate()
            server.wait()
    return results


def count_queries(env: dict[str, str], addresses: list[tuple[str, str]]) -> dict[str, dict]:
    """Each page's query count, total and slowest query (from a second, warm request), page cache off."""
    result = subprocess.run(
        [BIN / "python", __file__, "--inner-queries", *(address for _name, address in addresses)],
        env={**env, "OPENCARE_PAGE_CACHE_SECONDS": "0", "DJANGO_SETTINGS_MODULE": "opencare.config.settings"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def inner_queries(addresses: list[str]) -> None:
    """Run inside the database's environment: print {address: {count, total_ms, slowest_ms, slowest_sql}}."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    answers = {}
    for address in addresses:
        client.get(address)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
        times = [(float(query["time"]) * 1000, query["sql"]) for query in captured.captured_queries]
        slowest = max(times, default=(0.0, ""))
        answers[address] = {
            "count": len(times),
            "total_ms": sum(ms for ms, _sql in times),
            "slowest_ms": slowest[0],
            "slowest_sql": slowest[1],
        }
    print(json.dumps(answers))


def report(arguments: argparse.Namespace, addresses, results, imported: float, queries: dict) -> None:
    engine = "PostgreSQL (throwaway, loopback)" if arguments.database == "postgres" else "SQLite"
    console.print(f"\n# Public pages with {arguments.processes:,} generated processes and the demo data, {engine}")
    console.print(
        f"Import: {imported:.0f} s. wrk: {arguments.connections} connections, 2 threads, {arguments.seconds} s per "
        "address; gunicorn with 2 web workers. Ratio: the page's mean latency ÷ its static twin's (target: under 3).\n"
    )
    for label in ("cached", "uncached"):
        title = (
            "page cache on (default, 60 s)" if label == "cached" else "page cache off (OPENCARE_PAGE_CACHE_SECONDS=0)"
        )
        table = Table(title=title, box=box.MARKDOWN, title_justify="left")
        for column in ("page", "bytes", "req/s", "mean / p50 / p99 ms", "errors", "static req/s",
                       "static mean / p50 / p99 ms", "ratio", "met"):  # fmt: skip
            table.add_column(column, justify="left" if column in ("page", "met") else "right")
        for name, address in addresses:
            page, twin = results[(label, name)]
            ratio = page["mean"] / twin["mean"]
            met = ratio < 3 and page["errors"] == 0 and twin["errors"] == 0
            table.add_row(
                f"`{address}`", f"{results['sizes'][name]:,}", f"{page['rps']:,.0f}",
                f"{page['mean']:.1f} / {page['p50']:.1f} / {page['p99']:.1f}", f"{page['errors']:.0f}",
                f"{twin['rps']:,.0f}", f"{twin['mean']:.1f} / {twin['p50']:.1f} / {twin['p99']:.1f}",
                f"{ratio:.2f}", "yes" if met else "**no**",
            )  # fmt: skip
        console.print(table)
        console.print()
    if queries:
        table = Table(title="database queries per page (page cache off)", box=box.MARKDOWN, title_justify="left")
        sizes = list(queries)
        for column in ("page", *(f"queries, {size:,} processes" for size in sizes),
                       f"total ms, {sizes[-1]:,}", f"slowest query ms, {sizes[-1]:,}"):  # fmt: skip
            table.add_column(column, justify="left" if column == "page" else "right")
        for _name, address in addresses:
            big = queries[sizes[-1]][address]
            counts = [str(queries[size][address]["count"]) for size in sizes]
            table.add_row(f"`{address}`", *counts, f"{big['total_ms']:.1f}", f"{big['slowest_ms']:.1f}")
        console.print(table)
        console.print("\nSlowest query of each page:")
        for _name, address in addresses:
            big = queries[sizes[-1]][address]
            console.print(f"- {address}: {big['slowest_ms']:.1f} ms: {big['slowest_sql']}", highlight=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--small", type=int, default=1000, help="processes in the query-count comparison (0: skip)")
    arguments = parser.parse_args()
    addresses = PAGES
    queries: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="opencare-bench-pages-") as scratch_name:
        scratch = Path(scratch_name)
        if arguments.small:
            (scratch / "small").mkdir()
            with database(arguments.database, scratch / "small") as url:
                env = {**os.environ, "OPENCARE_VAR_DIR": str(scratch / "small" / "var"), "DATABASE_URL": url}
                load(env, scratch / "small", arguments.small)
                queries[arguments.small] = count_queries(env, addresses)
        with database(arguments.database, scratch) as url:
            env = {**os.environ, "OPENCARE_VAR_DIR": str(scratch / "var"), "DATABASE_URL": url}
            console.print(f"[dim]loading {arguments.processes:,} processes[/dim]")
            imported = load(env, scratch, arguments.processes)
            console.print(f"[dim]imported in {imported:.0f} s[/dim]")
            if arguments.small:
                queries[arguments.processes] = count_queries(env, addresses)
            results = measure(env, addresses, arguments)
    report(arguments, addresses, results, imported, queries)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--inner-queries":  # inside the database's environment
        inner_queries(sys.argv[2:])
    else:
        main()
