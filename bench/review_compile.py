"""Time and memory of `opencare review` and `opencare compile` beside lib-cove-ocds and `ocdskit compile`.

Usage: .venv/bin/python bench/review_compile.py [--dir var/bench] [--sizes 50 150] [--shared ../shared]

Makes its own packages (bench/make_packages.py: realistic social-care releases, with and without errors) if they are
not there, and, when SHARED/tools/make_samples.py exists, the 50 MB package shape behind the published lib-cove-ocds
baselines (many small releases). When the reference tools are installed (SHARED/tools/run-libcoveocds.sh says
how), runs them on the same files in the same run, prints the ratios, and checks that both find the same problems
(the field paths and counts that bench/parity.py compares) and compile the same compiled releases. Peak memory is
the largest sum of the resident memory of the command and all its child processes, sampled every 50 ms in a second
run (the timed run is not sampled).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import ijson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_packages import write_package
from parity import explain, libcove_paths, opencare_paths

ROOT = Path(__file__).resolve().parents[1]
OPENCARE = ROOT / ".venv" / "bin" / "opencare"


def _tree_rss_kb(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


def measure(command: list[str], source: Path, stdout_path: Path | None = None) -> tuple[float, float, int]:
    """Run a command: timed with nothing else running (best of 3 for files under 60 MB), then sampled for memory.

    Returns (seconds, peak MB of its process tree, exit status). Sampling on a 2-core machine would otherwise slow
    down whichever tool uses both cores.
    """
    runs = 3 if source.stat().st_size < 60e6 else 1
    elapsed, status = float("inf"), 0
    for _ in range(runs):  # the best of 3 for every tool alike: this machine's timings vary by 10-20% run to run
        with open(stdout_path or "/dev/null", "wb") as out:
            started = time.perf_counter()
            status = subprocess.run(command, stdout=out, stderr=subprocess.DEVNULL, check=False).returncode
            elapsed = min(elapsed, time.perf_counter() - started)
    return elapsed, _peak_memory(command), status


def _peak_memory(command: list[str], env: dict[str, str] | None = None) -> float:
    peak = 0
    with open("/dev/null", "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss_kb(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        process.wait()
        done.set()
        sampler.join()
    return peak / 1024


def compiled_by_ocid(path: Path, record_package: bool) -> dict[str, dict]:
    """Compiled releases keyed by ocid, from our record package or ocdskit's stream of compiled releases."""
    with path.open("rb") as handle:
        if record_package:
            return {r["ocid"]: r["compiledRelease"] for r in ijson.items(handle, "records.item", use_float=True)}
        return {r["ocid"]: r for r in ijson.items(handle, "", multiple_values=True, use_float=True)}


def main() -> None:
    """Print a Markdown table of the measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument(
        "--sizes", type=int, nargs="*", default=[50, 150], help="Sizes in MB; none for only the reference package."
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    arguments = parser.parse_args()
    arguments.dir.mkdir(parents=True, exist_ok=True)
    tools = arguments.shared / "tools"
    reference = (tools / "run-libcoveocds.sh").exists() and Path("/tmp/anchors-venv/bin/libcoveocds").exists()
    print("| File | Tool | Time | Peak memory | Ratio | Agreement |\n| --- | --- | --- | --- | --- | --- |")
    for size in arguments.sizes:
        for errors in (False, True):
            name = f"social-care-{size}mb{'-errors' if errors else ''}.json"
            path = arguments.dir / name
            if not path.exists():
                write_package(path, size, errors=errors)
            _rows(path, tools, reference, compile_too=not errors)
    samples = tools / "make_samples.py"
    if samples.exists():  # the package shape behind the published lib-cove-ocds baselines (~29 s, 612 MB)
        for errors in (False, True):
            path = arguments.dir / f"reference-50mb{'-errors' if errors else ''}.json"
            if not path.exists():
                command = [sys.executable, str(samples), "--large", str(path), "--mb", "50"]
                subprocess.run(command + (["--errors"] if errors else []), check=True, capture_output=True)
            _rows(path, tools, reference, compile_too=not errors)


def _rows(path: Path, tools: Path, reference: bool, *, compile_too: bool) -> None:
    label = f"{path.name} ({path.stat().st_size / 1e6:.0f} MB)"
    _review_rows(label, path, tools, reference)
    if compile_too:
        _compile_rows(label, path, tools, reference)


def _review_rows(label: str, path: Path, tools: Path, reference: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ours_json = Path(folder) / "ours.json"
        seconds, memory, _ = measure([str(OPENCARE), "review", "--json", str(path)], path, ours_json)
        print(f"| {label} | opencare review | {seconds:.2f} s | {memory:.0f} MB | | |")
        if not reference:
            return
        theirs_json = Path(folder) / "libcove.json"
        their_seconds, their_memory, status = measure(["bash", str(tools / "run-libcoveocds.sh"), str(path)], path,
                                                      theirs_json)  # fmt: skip
        if status != 0:
            print(f"| {label} | lib-cove-ocds | crashed (exit {status}) | | | |")
            return
        report = json.loads(ours_json.read_text())
        expected, found = libcove_paths(json.loads(theirs_json.read_text())), opencare_paths(report)
        explained = explain(expected, found, report)
        agree = sum(1 for key, count in expected.items() if key not in explained and found.get(key) == count)
        note = f"; {len(explained)} more are lib-cove-ocds errors (see bench/parity.py)" if explained else ""
        print(f"| {label} | lib-cove-ocds | {their_seconds:.2f} s | {their_memory:.0f} MB | "
              f"opencare {their_seconds / seconds:.1f}x faster | {agree} of {len(expected) - len(explained)} "
              f"paths and counts{note} |")  # fmt: skip


def _compile_rows(label: str, path: Path, tools: Path, reference: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ours = Path(folder) / "ours.json"
        seconds, memory, _ = measure([str(OPENCARE), "compile", str(path), "-o", str(ours)], path)
        print(f"| {label} | opencare compile | {seconds:.2f} s | {memory:.0f} MB | | |")
        if not reference:
            return
        theirs = Path(folder) / "ocdskit.json"
        their_seconds, their_memory, status = measure(["bash", str(tools / "run-ocdskit-compile.sh"), str(path)], path,
                                                      theirs)  # fmt: skip
        if status != 0:
            print(f"| {label} | ocdskit compile | failed (exit {status}) | | | |")
            return
        mine, their = compiled_by_ocid(ours, True), compiled_by_ocid(theirs, False)
        same = sum(1 for ocid, compiled in their.items() if mine.get(ocid) == compiled)
        print(f"| {label} | ocdskit compile | {their_seconds:.2f} s | {their_memory:.0f} MB | "
              f"opencare {their_seconds / seconds:.1f}x faster | "
              f"{same} of {len(their)} compiled releases identical |")  # fmt: skip


if __name__ == "__main__":
    main()
