"""Import speed: `opencare import` of generated releases into SQLite and PostgreSQL, compiling records included.

Usage: .venv/bin/python bench/import_registry.py [--releases 100000] [--databases sqlite postgres]

The releases are the 585 real UK notices in tests/fixtures/realdata/, repeated with new ocids (three releases per
contracting process, as a tender, an award and an update) and new ids, so they are realistic in shape and size.
Each run starts from an empty database (`opencare manage migrate`), imports the file with `opencare import
--no-bulk`, and reports releases per second and the peak memory of the import's process tree. PostgreSQL is a
throwaway server (tools/throwaway_postgres.py). When the reference tools are installed (/tmp/anchors-venv), `ocdskit
compile` on the same file gives the ratio.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from review_compile import _peak_memory

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
REALDATA = ROOT / "tests" / "fixtures" / "realdata"
OCDSKIT = Path("/tmp/anchors-venv/bin/ocdskit")
COMPILE_SCRIPT = ROOT.parent / "shared" / "tools" / "run-ocdskit-compile.sh"


def write_releases(path: Path, count: int, releases_per_process: int = 3) -> None:
    """A release package of `count` releases made from the real notices, three per process unless told."""
    real = [r for f in sorted(REALDATA.glob("*.json")) for r in orjson.loads(f.read_bytes())["releases"]]
    with path.open("wb") as out:
        licence = b"https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
        out.write(b'{"version":"1.1","publisher":{"name":"bench"},"license":"' + licence + b'","releases":[')
        for number in range(count):
            release = copy.deepcopy(real[number % len(real)])
            release["ocid"] = f"ocds-bench0-{number // releases_per_process}"
            release["id"] = f"bench-{number}"
            release["date"] = f"20{20 + number % 3}-0{1 + number % 9}-15T10:00:00Z"
            out.write((b"," if number else b"") + orjson.dumps(release))
        out.write(b"]}")


def import_once(source: Path, env: dict[str, str]) -> tuple[float, float]:
    subprocess.run([BIN / "opencare", "manage", "flush", "--no-input"], env=env, check=True, stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    subprocess.run([BIN / "opencare", "import", "--no-bulk", str(source)], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    elapsed = time.perf_counter() - started
    subprocess.run([BIN / "opencare", "manage", "flush", "--no-input"], env=env, check=True, stdout=subprocess.DEVNULL)
    peak = _peak_memory([str(BIN / "opencare"), "import", "--no-bulk", str(source)], env=env)
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opencare-bench-import-") as scratch_name:
        scratch = Path(scratch_name)
        source = scratch / "releases.json"
        write_releases(source, arguments.releases)
        size = source.stat().st_size / 1e6
        print(f"# Import of {arguments.releases:,} releases ({size:.0f} MB)\n")
        print("| database | seconds | releases per second | peak MB |\n|---|---|---|---|")
        base = {**os.environ, "OPENCARE_VAR_DIR": str(scratch / "var")}
        for database in arguments.databases:
            if database == "sqlite":
                env = {**base, "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}"}
                subprocess.run([BIN / "opencare", "manage", "migrate", "-v0"], env=env, check=True)
                seconds, peak = import_once(source, env)
            else:
                seconds, peak = _on_postgres(source, base)
            print(f"| {database} | {seconds:.1f} | {arguments.releases / seconds:,.0f} | {peak:.0f} |")
        if OCDSKIT.exists() and COMPILE_SCRIPT.exists():
            started = time.perf_counter()
            with (scratch / "compiled.json").open("wb") as out:
                subprocess.run(["bash", COMPILE_SCRIPT, source], stdout=out, check=True)
            print(f"\n`ocdskit compile` on the same file (compile only, no storage): "
                  f"{time.perf_counter() - started:.1f} s")  # fmt: skip


def _on_postgres(source: Path, base: dict[str, str]) -> tuple[float, float]:
    """Run this script's SQLite-free part under a throwaway PostgreSQL and read back its figures."""
    result = subprocess.run(
        [BIN / "python", ROOT / "tools" / "throwaway_postgres.py", "--",
         BIN / "python", __file__, "--inner", str(source)],
        env=base, capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds, peak = result.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(peak)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":  # inside the throwaway PostgreSQL: DATABASE_URL is set
        environment = dict(os.environ)
        subprocess.run([BIN / "opencare", "manage", "migrate", "-v0"], env=environment, check=True)
        elapsed, peak_mb = import_once(Path(sys.argv[2]), environment)
        print(f"{elapsed} {peak_mb}")
    else:
        main()
