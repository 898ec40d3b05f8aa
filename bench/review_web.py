"""The web Data Review Tool end to end: upload → report page, against `opencare review` on the same file; and the
XLSX/CSV conversion against flatten-tool's own `flatten` on the same file, in the same run.

Usage: .venv/bin/python bench/review_web.py [--file var/bench/social-care-50mb.json] [--runs 3]

Starts the real thing on loopback with a throwaway SQLite database: gunicorn (`opencare serve --task-workers 0`)
and one task worker (`opencare worker`), then, like a browser: fetches the upload page for its CSRF token, posts
the file as multipart/form-data, follows the redirect, polls status.json every 100 ms (the page's own script polls
every second; a faster poll measures the server, not the script), and fetches the report page. The time is from
the start of the upload to the report page received, best of --runs. The worker's memory is the largest sum of the
resident memory of the worker and its child processes (the review's second process), sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_packages import write_package
from review_compile import _tree_rss_kb, measure

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


class Sampler:
    """Samples a process tree's resident memory in the background; `peak()` and `reset()` between phases."""

    def __init__(self, pid: int):
        self.pid, self.max_kb, self.done = pid, 0, threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self.done.is_set():
            self.max_kb = max(self.max_kb, _tree_rss_kb(self.pid))
            time.sleep(0.02)

    def reset(self) -> None:
        self.max_kb = 0

    def peak_mb(self) -> float:
        return self.max_kb / 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def multipart(field: str, name: str, data: bytes, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "----opencare-bench-" + os.urandom(8).hex()
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
        "Content-Type: application/json\r\n\r\n".encode()
    )
    return b"".join(parts) + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def upload_to_report(base: str, path: Path, data: bytes) -> tuple[float, str]:
    """One upload, like a browser; returns (seconds from upload to report page, the review's address)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/review/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    body, content_type = multipart("file", path.name, data, {"csrfmiddlewaretoken": token})
    started = time.perf_counter()
    request = urllib.request.Request(f"{base}/review/", data=body, headers={"Content-Type": content_type})
    response = opener.open(request)  # follows the 302 to the progress page
    address = response.geturl()
    while True:
        status = json.loads(opener.open(address + "status.json").read())
        if status["status"] in {"ready", "failed"}:
            break
        time.sleep(0.1)
    page = opener.open(address).read()
    elapsed = time.perf_counter() - started
    if status["status"] != "ready" or b"Report on your data" not in page:
        raise SystemExit(f"the review did not finish: {status}")
    return elapsed, address


def wait_for_downloads(base: str, address: str, timeout: float = 600) -> tuple[float, dict[str, str]]:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        status = json.loads(urllib.request.urlopen(address + "status.json").read())
        downloads = {key: value for key, value in status["downloads"].items() if key != "problem"}
        if downloads and all(value != "pending" for value in downloads.values()):
            return time.perf_counter() - started, status["downloads"]
        time.sleep(0.2)
    raise SystemExit("conversions did not finish in time")


def start_site(var_dir: Path) -> tuple[str, list[subprocess.Popen], subprocess.Popen]:
    env = {**os.environ, "OPENCARE_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "opencare.config.settings"}
    env.pop("DATABASE_URL", None)
    subprocess.run([BIN / "opencare", "setup"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    logs = open(var_dir / "server.log", "wb")  # noqa: SIM115 (kept open for the servers' lifetime)
    web = subprocess.Popen(
        [BIN / "opencare", "serve", "--port", str(port), "--workers", "2", "--task-workers", "0"],
        env=env, stdout=logs, stderr=logs,
    )  # fmt: skip
    worker = subprocess.Popen([BIN / "opencare", "worker", "--interval", "0.1"], env=env, stdout=logs, stderr=logs)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/review/")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    return base, [web, worker], worker


def conversion_figures(source: Path, scratch: Path) -> list[tuple[str, float, float]]:
    """XLSX and CSV by opencare and by flatten-tool's own command on the same file, each best of 1 or 3."""
    profile = scratch / "profile"
    subprocess.run([BIN / "opencare", "profile", "-o", str(profile)], check=True, stdout=subprocess.DEVNULL)
    schema = scratch / "profile" / "release-schema.json"
    ours = (
        "import sys; from pathlib import Path; from opencare.ocds.spreadsheets import json_to_spreadsheet; "
        "json_to_spreadsheet(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])"
    )
    rows = []
    for fmt, suffix in (("xlsx", "xlsx"), ("csv", "zip")):
        seconds, peak, status = measure(
            [str(BIN / "python"), "-c", ours, str(source), str(scratch / f"ours.{suffix}"), fmt], source
        )
        rows.append((f"opencare {fmt}", seconds, peak if status == 0 else float("nan")))
    for fmt in ("xlsx", "csv"):
        out = scratch / f"flatten-tool-{fmt}"
        seconds, peak, status = measure(
            [str(BIN / "flatten-tool"), "flatten", str(source), "--schema", str(schema), "--root-list-path",
             "releases", "--main-sheet-name", "releases", "--output-format", fmt, "--output-name", str(out)],
            source,
        )  # fmt: skip
        rows.append((f"flatten-tool {fmt}", seconds, peak if status == 0 else float("nan")))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=ROOT / "var" / "bench" / "social-care-50mb.json")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-conversions", action="store_true")
    arguments = parser.parse_args()
    source = arguments.file
    if not source.exists():
        source.parent.mkdir(parents=True, exist_ok=True)
        write_package(source, 50, errors=False)
    data = source.read_bytes()
    size_mb = len(data) / 1e6

    cli_seconds, cli_peak, _ = measure([str(BIN / "opencare"), "review", "--json", str(source)], source)

    with tempfile.TemporaryDirectory(prefix="opencare-bench-web-") as scratch_name:
        scratch = Path(scratch_name)
        base, processes, worker = start_site(scratch / "var")
        sampler = Sampler(worker.pid)
        try:
            times, review_peaks, conversions = [], [], []
            for _ in range(arguments.runs):
                sampler.reset()
                elapsed, address = upload_to_report(base, source, data)
                times.append(elapsed)
                review_peaks.append(sampler.peak_mb())
                converted, states = wait_for_downloads(base, address)
                conversions.append((converted, sampler.peak_mb(), states))
        finally:
            sampler.done.set()
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=30)
        conversion_rows = [] if arguments.skip_conversions else conversion_figures(source, scratch)

    best = min(times)
    print(f"# Web Data Review Tool on {source.name} ({size_mb:.1f} MB)\n")
    print("| measure | figure |\n|---|---|")
    print(f"| `opencare review --json` (best of 3) | {cli_seconds:.2f} s, {cli_peak:.0f} MB |")
    print(f"| upload → report page (best of {len(times)}; all: {', '.join(f'{t:.2f}' for t in times)}) | "
          f"{best:.2f} s = {best / cli_seconds:.2f} times the command (target: under 3) |")  # fmt: skip
    peaks = ", ".join(f"{peak:.0f}" for peak in review_peaks)
    print(f"| worker peak memory while reviewing (runs: {peaks}) | {max(review_peaks):.0f} MB (target < 300 MB) |")
    last_conversion = conversions[-1]
    print(f"| downloads made after the report (JSON, XLSX, CSV) | {last_conversion[0]:.1f} s, worker peak "
          f"{max(peak for _, peak, _ in conversions):.0f} MB, states {last_conversion[2]} |")  # fmt: skip
    if conversion_rows:
        print("\n| conversion | seconds | peak MB |\n|---|---|---|")
        for label, seconds, peak in conversion_rows:
            print(f"| {label} | {seconds:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
