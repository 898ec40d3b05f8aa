"""Backup and restore speed: `opencare export-all` and `opencare restore` of a large registry, and Django's
`dumpdata`/`loaddata` of the same database for comparison.

Usage: .venv/bin/python bench/backups.py [--processes 100000] [--databases sqlite postgres] [--no-django]

The registry is made by `opencare import --no-bulk` of the real UK notices in tests/fixtures/realdata/ repeated with
new ocids (bench/import_registry.py), one release per process, plus the demo data and accounts. The restore goes
into a second, new database (`opencare manage migrate`). Each command's wall time and the peak memory of its process
tree are measured in the same run. PostgreSQL is a throwaway server (tools/throwaway_postgres.py) holding both
databases. `dumpdata --format jsonl` (natural keys, the same tables left out) and `loaddata` into a third new
database show what Django's own commands take.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_registry import write_releases
from review_compile import _tree_rss_kb

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
LEFT_OUT = ["sessions", "reviews", "django_tasks_database", "contenttypes", "auth.permission"]


def measured(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; its wall time in seconds and the peak memory of its process tree in MB."""
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed:\n{errors.decode()[-3000:]}")
    return elapsed, peak / 1024


def opencare(*arguments: str | Path) -> list[str]:
    return [str(BIN / "opencare"), *map(str, arguments)]


def site_env(base: dict[str, str], url: str, folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    return {**base, "DATABASE_URL": url, "OPENCARE_VAR_DIR": str(folder), "OPENCARE_DEMO_ACCOUNTS": "true"}


def run_bench(urls: list[str], scratch: Path, processes: int, django: bool, database: str) -> list[str]:
    """The table rows for one database engine, given three new databases' URLs."""
    base = dict(os.environ)
    source, target, django_target = (
        site_env(base, url, scratch / name) for url, name in zip(urls, "abc", strict=True)
    )
    releases = scratch / "releases.json"
    if not releases.exists():
        write_releases(releases, processes, releases_per_process=1)
    for env in (source, target, django_target):
        subprocess.run(opencare("manage", "migrate", "-v0"), env=env, check=True)
    subprocess.run(opencare("demo"), env=source, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(opencare("import", "--no-bulk", releases), env=source, check=True, stdout=subprocess.DEVNULL)
    archive = scratch / f"{database}.tar"
    rows = []
    seconds, peak = measured(opencare("export-all", archive), source)
    size = archive.stat().st_size / 1e6
    rows.append(f"| {database} | `opencare export-all` | {seconds:.1f} | {peak:.0f} | {size:,.1f} MB archive |")
    seconds, peak = measured(opencare("restore", "--no-bulk", archive), target)
    rows.append(f"| {database} | `opencare restore` (new database) | {seconds:.1f} | {peak:.0f} | |")
    if django:
        dump = scratch / f"{database}.jsonl"
        excluded = [argument for name in LEFT_OUT for argument in ("-e", name)]
        command = opencare("manage", "dumpdata", "--format", "jsonl", "--natural-foreign", "--natural-primary",
                           *excluded, "-o", dump)  # fmt: skip
        seconds, peak = measured(command, source)
        size = dump.stat().st_size / 1e6
        rows.append(
            f"| {database} | `dumpdata --format jsonl` | {seconds:.1f} | {peak:.0f} | {size:,.1f} MB, uncompressed |"
        )
        # loaddata clashes with the site role groups that migrate made: empty that table first, as restore does.
        clear = "from django.contrib.auth.models import Group; Group.objects.all().delete()"
        subprocess.run(
            opencare("manage", "shell", "-c", clear), env=django_target, check=True, stdout=subprocess.DEVNULL
        )
        seconds, peak = measured(opencare("manage", "loaddata", dump), django_target)
        rows.append(f"| {database} | `loaddata` (new database) | {seconds:.1f} | {peak:.0f} | |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, default=100_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--no-django", action="store_true", help="Skip dumpdata/loaddata.")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opencare-bench-backups-") as scratch_name:
        scratch = Path(scratch_name)
        what = f"{arguments.processes:,} imported processes plus the demo" if arguments.processes else "the demo"
        print(f"# Backup and restore of {what}\n")
        print("| database | command | seconds | peak MB | size |\n|---|---|---|---|---|")
        for database in arguments.databases:
            if database == "sqlite":
                urls = [f"sqlite:///{scratch / f'{name}.sqlite3'}" for name in "abc"]
                rows = run_bench(urls, scratch, arguments.processes, not arguments.no_django, "SQLite")
            else:
                inner = [BIN / "python", __file__, "--inner", str(scratch), str(arguments.processes),
                         str(int(not arguments.no_django))]  # fmt: skip
                result = subprocess.run([BIN / "python", ROOT / "tools" / "throwaway_postgres.py", "--", *inner],
                                        capture_output=True, text=True, check=True)  # fmt: skip
                rows = [line for line in result.stdout.splitlines() if line.startswith("| PostgreSQL")]
            print("\n".join(rows), flush=True)


def inner(scratch: Path, processes: int, django: bool) -> None:
    """Inside the throwaway PostgreSQL (DATABASE_URL set): make three databases and print the rows."""
    import psycopg

    server = os.environ["DATABASE_URL"]
    with psycopg.connect(server, autocommit=True) as connection:
        for name in "abc":
            connection.execute(f"DROP DATABASE IF EXISTS bench_{name}")
            connection.execute(f"CREATE DATABASE bench_{name}")
    urls = [urlunsplit(urlsplit(server)._replace(path=f"/bench_{name}")) for name in "abc"]
    print("\n".join(run_bench(urls, scratch / "postgres", processes, django, "PostgreSQL")))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--inner":
        inner(Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1")
    else:
        main()
