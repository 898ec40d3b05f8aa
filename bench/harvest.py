"""Harvest speed: `opencare harvest`'s service against a local replay server with no rate limit, into SQLite.

Usage: .venv/bin/python bench/harvest.py [--releases 10000]

The pages are made from the real Find a Tender and Contracts Finder releases in tests/fixtures/realdata/, given new
ocids and ids (two releases per process), 100 to a page as the APIs give them, chained by ``links.next`` cursors
in one Contracts Finder window. A second process serves them (http.server), so the server's work does not share the
harvester's interpreter. The database starts empty (migrated); the figure is releases stored per second, from the
first request to the last page committed. The bound is the registry's storing, not the HTTP.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT / "tests" / "fixtures" / "realdata"
PAGE = 100


def make_pages(count: int, port: int) -> list[bytes]:
    """``count`` releases in pages of PAGE, each page's links.next pointing at the next on this server."""
    files = sorted(REALDATA.glob("fts-*.json")) + sorted(REALDATA.glob("cf-ocds-search-page-*.json"))
    packages = [orjson.loads(path.read_bytes()) for path in files]
    real = [release for package in packages for release in package["releases"]]
    metadata = {key: value for key, value in packages[-1].items() if key not in {"releases", "links"}}
    pages = []
    for start in range(0, count, PAGE):
        releases = []
        for number in range(start, min(start + PAGE, count)):
            release = copy.deepcopy(real[number % len(real)])
            release["ocid"] = f"ocds-bench1-{number // 2}"
            release["id"] = f"bench-{number}"
            releases.append(release)
        index = start // PAGE
        following = f"http://127.0.0.1:{port}/Published/Notices/OCDS/Search?cursor={index + 1}"
        links = {"next": following} if start + PAGE < count else {}
        pages.append(orjson.dumps({**metadata, "releases": releases, "links": links}))
    return pages


def serve(pages: list[bytes], server: ThreadingHTTPServer) -> None:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = pages[int(parse_qs(urlsplit(self.path).query).get("cursor", ["0"])[0])]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server.RequestHandlerClass = Handler
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=10_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opencare-bench-harvest-") as scratch:
        os.environ.update({
            "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3", "OPENCARE_VAR_DIR": scratch,
            "DJANGO_SETTINGS_MODULE": "opencare.config.settings", "OPENCARE_BULK_REBUILD": "false",
        })  # fmt: skip
        server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
        pages = make_pages(arguments.releases, server.server_address[1])
        serving = multiprocessing.get_context("fork").Process(target=serve, args=(pages, server), daemon=True)
        serving.start()
        server.server_close()  # the serving process has its own copy of the socket
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        from django.core.management import call_command

        from opencare.harvest.services import HarvestRequest, harvest

        call_command("migrate", verbosity=0)
        request = HarvestRequest(
            "contracts-finder", since=datetime(2026, 9, 1, tzinfo=UTC), until=datetime(2026, 9, 2, tzinfo=UTC),
            base_url=f"http://127.0.0.1:{server.server_address[1]}",
        )  # fmt: skip
        started, cpu = time.perf_counter(), time.process_time()
        run = harvest(request, rate_limit=None)
        seconds = time.perf_counter() - started
        storing_cpu = time.process_time() - cpu
        preparing_cpu = os.times().children_user + os.times().children_system  # the preparing process, joined
        serving.kill()
        assert run.added == arguments.releases, (run.status, run.added, run.errors)
        print(f"Harvested {run.added:,} releases in {run.pages} pages ({run.requests} requests) in {seconds:.1f} s: "
              f"{run.added / seconds:,.0f} releases per second")  # fmt: skip
        # On a machine shared with other work, the CPU each process used says what the elapsed time cannot.
        print(f"CPU seconds: storing process {storing_cpu:.1f}, preparing process {preparing_cpu:.1f}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip


if __name__ == "__main__":
    main()
