"""Load test (issue 9): a mix of public pages and API requests at 50 connections for 60 s against 100,000 processes
in PostgreSQL, with every worker's memory watched.

Usage: .venv/bin/python bench/load_test.py [--processes 100000] [--seconds 60] [--connections 50] [--workers 3]
       [--addresses 400]

Starts a throwaway PostgreSQL server (tools/throwaway_postgres.py), loads the demo and --processes generated
processes as bench/public_pages.py does, and serves the site with `opencare serve` (gunicorn, --workers web
workers, no task worker) on loopback. It then picks --addresses addresses: searches (words, service, council,
status, dates, every page of results up to the 20th), contract pages and their easy read pages (random generated
processes and the invented Borsetdale contracts with their charts), comparisons, organisation pages, the OCDS API's
paged lists (with filters and cursors taken from links.next) and records. wrk (from Debian's package; loopback only)
sends them in a shuffled cycle from 2 threads over --connections connections for --seconds, while this script reads
each gunicorn worker's resident memory every second. Errors are answers that are not 2xx/3xx plus wrk's socket
errors (connect, read, write, timeout at 30 s). A worker's memory is flat when its last 10 seconds average within
10% (and 30 MB) of its 10 seconds after the first 20 (a warm-up in which the per-worker page cache fills).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_latency import _ms, start
from public_pages import database, load
from review_web import free_port

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
DEMO = ["ocds-bdemo1-hc-north", "ocds-bdemo1-hc-south", "ocds-bdemo1-hc-dales"]

WRK_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local counter = 0
init = function(args) counter = math.random(#paths) end
request = function()
  counter = counter %% #paths + 1
  return wrk.format("GET", paths[counter])
end
"""


def _get(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=60) as response:
        return response.read()


def addresses(base: str, env: dict[str, str], count: int) -> list[str]:
    """A realistic mix of what people and programs ask for; every address answers 200 before the run starts."""
    script = (
        "from opencare.registry.models import Process, Organisation; import json; "
        "print(json.dumps([list(Process.objects.order_by('?').values_list('ocid', flat=True)[:300]), "
        "list(Organisation.objects.order_by('?').values_list('pk', flat=True)[:60])]))"
    )
    output = subprocess.run([BIN / "opencare", "manage", "shell", "-c", script], env=env, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    ocids, organisations = json.loads(output.strip().splitlines()[-1])
    searches = [
        "/contracts/",
        "/contracts/?q=care",
        "/contracts/?q=home+care+support",
        "/contracts/?q=council",
        "/contracts/?service_type=home-care",
        "/contracts/?service_type=supported-living",
        "/contracts/?signal=below",
        "/contracts/?status=active",
        "/contracts/?include_all=on",
        "/contracts/?include_all=on&q=cleaning",
        "/contracts/?running_from=2024-01-01&running_to=2026-12-31",
    ]
    searches += [f"/contracts/?include_all=on&page={page}" for page in range(2, 21)]
    contracts = [f"/contracts/{ocid}/" for ocid in ocids[:200] + DEMO]
    contracts += [f"/contracts/{ocid}/easy-read/" for ocid in ocids[:40] + DEMO]
    compare = [
        "/compare/?service_type=home-care",
        "/compare/?" + "&".join(f"ocid={ocid}" for ocid in DEMO),
        "/compare/?" + "&".join(f"ocid={ocid}" for ocid in ocids[:4]),
    ]
    organisations_pages = ["/organisations/"] + [f"/organisations/{pk}/" for pk in organisations]
    api = [
        "/api/records?limit=100",
        "/api/releases?limit=100",
        "/api/records?social_care=true",
        "/api/organisations",
        "/api/records?q=care",
        "/api/releases?date_from=2021-01-01&limit=50",
    ]
    next_page = "/api/records?limit=100"
    for _ in range(20):  # real clients follow links.next through the whole list
        links = json.loads(_get(base, next_page)).get("links") or {}
        if not links.get("next"):
            break
        next_page = links["next"].replace(base, "")
        api.append(next_page)
    api += [f"/api/records/{ocid}" for ocid in ocids[:150] + DEMO]
    api += [f"/api/releases/{ocid}" for ocid in ocids[150:250]]
    mix = searches * 3 + contracts + compare * 4 + organisations_pages + api
    random.Random(1).shuffle(mix)
    mix = mix[:count]
    for path in mix:
        _get(base, path)  # a broken address would be an error of this script, not of the site
    return mix


def worker_pids(server: subprocess.Popen) -> list[int]:
    """The gunicorn workers: the children of the gunicorn master that `opencare serve` started."""
    children = _children(server.pid)
    master = next(pid for pid in children if "gunicorn" in Path(f"/proc/{pid}/cmdline").read_text())
    return _children(master)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def watch_memory(pids: list[int], stop: threading.Event, samples: dict[int, list[float]]) -> None:
    while not stop.is_set():
        for pid in pids:
            try:
                samples[pid].append(_rss_mb(pid))
            except OSError:
                samples[pid].append(float("nan"))  # a worker that died: gunicorn would replace it
        stop.wait(1)


def run_wrk(base: str, paths_file: Path, seconds: int, connections: int) -> str:
    script = paths_file.with_suffix(".lua")
    script.write_text(WRK_SCRIPT % paths_file)
    return subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "--latency", "-s",
         str(script), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def figures(output: str) -> dict[str, float]:
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
              "requests": float(re.search(r"(\d+) requests in", output).group(1))}  # fmt: skip
    latency = re.search(r"Latency\s+([\d.]+\w+)\s+[\d.]+\w+\s+([\d.]+\w+)", output)
    result["mean"], result["max"] = _ms(latency.group(1)), _ms(latency.group(2))
    for percentile in ("50", "75", "90", "99"):
        result[f"p{percentile}"] = _ms(re.search(rf"\s{percentile}%\s+([\d.]+\w+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    result["errors"] = float(errors.group(1) if errors else 0) + sum(map(float, sockets.groups() if sockets else ()))
    return result


def memory_verdict(samples: list[float]) -> tuple[float, float, float, bool]:
    """(MB after warm-up, MB at the end, highest MB, flat?)."""
    warm, end = samples[20:30], samples[-10:]
    after_warm_up, at_end = sum(warm) / len(warm), sum(end) / len(end)
    flat = at_end <= after_warm_up * 1.10 or at_end - after_warm_up <= 30
    return after_warm_up, at_end, max(samples), flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--addresses", type=int, default=400)
    arguments = parser.parse_args()
    if arguments.seconds < 40:
        raise SystemExit("--seconds must be at least 40: memory is compared after a 20-second warm-up")
    with tempfile.TemporaryDirectory(prefix="opencare-bench-load-") as name:
        folder = Path(name)
        with database("postgres", folder) as url:
            env = {**os.environ, "DATABASE_URL": url, "OPENCARE_VAR_DIR": str(folder / "var")}
            env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            imported = load(env, folder, arguments.processes)
            port = free_port()
            server = start(env, port, arguments.workers)
            base = f"http://127.0.0.1:{port}"
            try:
                mix = addresses(base, env, arguments.addresses)
                paths_file = folder / "paths.txt"
                paths_file.write_text("\n".join(mix) + "\n")
                pids = worker_pids(server)
                samples: dict[int, list[float]] = {pid: [] for pid in pids}
                stop = threading.Event()
                watcher = threading.Thread(target=watch_memory, args=(pids, stop, samples))
                watcher.start()
                output = run_wrk(base, paths_file, arguments.seconds, arguments.connections)
                stop.set()
                watcher.join()
            finally:
                server.terminate()
                server.wait(timeout=30)
    report(arguments, imported, mix, figures(output), samples)


def report(arguments: argparse.Namespace, imported: float, mix: list[str], result: dict, samples: dict) -> None:
    kinds = {
        "search": "/contracts/?", "contract": "/contracts/ocds", "compare": "/compare/",
        "organisation": "/organisations/", "API list": "/api/records?", "API record": "/api/records/ocds",
    }  # fmt: skip
    counts = {kind: sum(1 for path in mix if path.startswith(prefix)) for kind, prefix in kinds.items()}
    print(f"# Load test: {arguments.processes:,} processes on PostgreSQL, {arguments.connections} connections, "
          f"{arguments.seconds} s, {arguments.workers} web workers\n")  # fmt: skip
    print(f"Imported in {imported:.0f} s. Addresses: {len(mix)} ({', '.join(f'{n} {k}' for k, n in counts.items())}, "
          "and the rest: API release packages, other lists, the organisations list).\n")  # fmt: skip
    print("| requests | per second | errors | mean | p50 | p75 | p90 | p99 | max |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(f"| {result['requests']:,.0f} | {result['rps']:.0f} | {result['errors']:.0f} | {result['mean']:.1f} ms | "
          f"{result['p50']:.1f} ms | {result['p75']:.1f} ms | {result['p90']:.1f} ms | {result['p99']:.1f} ms | "
          f"{result['max']:.0f} ms |\n")  # fmt: skip
    print("| worker | MB after warm-up | MB at the end | highest MB | flat |\n|---|---|---|---|---|")
    for number, (pid, values) in enumerate(samples.items(), start=1):
        warm, end, highest, flat = memory_verdict(values)
        print(f"| {number} (pid {pid}) | {warm:.0f} | {end:.0f} | {highest:.0f} | {'yes' if flat else 'NO'} |")


if __name__ == "__main__":
    main()
