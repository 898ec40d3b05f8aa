"""Real deployments in miniature: a throwaway PostgreSQL server, app servers (`opencare serve`) and task workers
(`opencare worker`) as separate processes on loopback, sharing only the database and the file stores, as docs/deploy.md
describes.

These tests start their own database, so they never use the suite's DATABASE_URL and run once, in the SQLite pass
(they are not `django_db` tests). Without PostgreSQL's server binaries they are skipped, except under CI=true, where
they fail.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tools"))
import throwaway_postgres  # noqa: E402


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/deployment/" in str(item.path):
            item.add_marker(pytest.mark.deployment)


@pytest.fixture(scope="session")
def postgres() -> Iterator[throwaway_postgres.ThrowawayServer]:
    """A throwaway PostgreSQL server with opencare's tables, for every deployment test (each uses its own data)."""
    if throwaway_postgres.find_bindir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but PostgreSQL's server binaries are not installed: the deployment tests cannot run.")
        pytest.skip("PostgreSQL's server binaries are not installed (tools/system-deps.sh installs them as root).")
    with throwaway_postgres.throwaway_cluster() as server:
        subprocess.run([BIN / "opencare", "manage", "migrate", "-v0"], env=base_env(server.url), check=True)
        yield server


def base_env(database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "OPENCARE_"))}
    env.pop("DATABASE_URL", None)
    return {**env, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "settings_no_collectstatic",
            "PYTHONPATH": str(HERE), "SECRET_KEY": "deployment-test-" + "k" * 50}  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@dataclass
class Browser:
    """One person's HTTP client: cookies kept across servers (all on 127.0.0.1), redirects not followed."""

    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def request(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirects)
        try:
            with opener.open(urllib.request.Request(url, data=data, headers=headers or {}), timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def csrf_token(self, url: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.request(url).text).group(1)

    def post_form(self, url: str, fields: dict[str, str]) -> Answer:
        fields = {"csrfmiddlewaretoken": self.csrf_token(url), **fields}
        body = urllib.parse.urlencode(fields).encode()
        return self.request(url, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def upload(self, url: str, name: str, data: bytes) -> Answer:
        boundary = "----opencare-test-" + secrets.token_hex(8)
        token = self.csrf_token(url)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/json\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


@dataclass
class Server:
    """A running `opencare serve`."""

    url: str
    process: subprocess.Popen

    def get(self, path: str) -> Answer:
        return Browser().request(self.url + path)

    def worker_pids(self) -> set[int]:
        """The gunicorn worker processes under this server (to prove none was restarted)."""
        master = children_of(self.process.pid, "gunicorn")
        return {pid for parent in master for pid in children_of(parent)}


def children_of(pid: int, named: str = "") -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == pid and named in command:
            found.append(int(stat.parent.name))
    return found


class Deployment:
    """Starts opencare's processes against one database with shared file stores, and stops them all afterwards."""

    def __init__(self, database_url: str, folder: Path) -> None:
        self.folder = folder
        shared = folder / "shared"
        self.env = {**base_env(database_url), "OPENCARE_REVIEW_DIR": str(shared / "reviews"),
                    "OPENCARE_DOCUMENT_DIR": str(shared / "documents"), "OPENCARE_BULK_DIR": str(shared / "bulk"),
                    "OPENCARE_TASK_WORKER_LOST_SECONDS": "6"}  # fmt: skip
        self.processes: list[subprocess.Popen] = []

    def _start(self, name: str, command: list[str | Path], **env: str) -> subprocess.Popen:
        var = self.folder / name  # each server's own var/ (temporary uploads): nothing in it is shared
        var.mkdir(exist_ok=True)
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(command, env={**self.env, "OPENCARE_VAR_DIR": str(var), **env}, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.processes.append(process)
        return process

    def serve(self, name: str, *, workers: int = 1, task_workers: int = 0, **env: str) -> Server:
        port = free_port()
        command = [BIN / "opencare", "serve", "--port", str(port), "--workers", str(workers),
                   "--task-workers", str(task_workers)]  # fmt: skip
        return Server(f"http://127.0.0.1:{port}", self._start(name, command, **env))

    def worker(self, name: str) -> subprocess.Popen:
        return self._start(name, [BIN / "opencare", "worker", "--interval", "0.1"])

    def run(self, *command: str | Path) -> str:
        return subprocess.run(command, env=self.env, check=True, capture_output=True, text=True).stdout

    def seed(self, ocid: str) -> dict[str, str]:
        """One process in the registry, and a council publisher with an API token for it."""
        return json.loads(self.run(sys.executable, HERE / "seed_publisher.py", ocid).strip().splitlines()[-1])

    def wait_until_up(self, *servers: Server, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for server in servers:
            while True:
                if server.process.poll() is not None:
                    raise AssertionError(f"{server.url} stopped: see {self.folder}")
                try:
                    if server.get("/health/").status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{server.url} did not start in time")
                time.sleep(0.1)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def deployment(postgres, tmp_path) -> Iterator[Deployment]:
    site = Deployment(postgres.url, tmp_path)
    yield site
    site.stop()
