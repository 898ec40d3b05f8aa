"""Start a real, throwaway PostgreSQL server, run a command against it, then stop and delete it.

Usage:
    python tools/throwaway_postgres.py -- COMMAND [ARGS...]   # runs COMMAND with DATABASE_URL set
    python tools/throwaway_postgres.py --check                # exit 0 if PostgreSQL server binaries exist

From Python, `throwaway_server()` yields a DATABASE_URL, `throwaway_cluster()` a server that tests can also
stop and start again (a database restart), and `throwaway_replica(server)` a streaming read replica of it.

The server lives in a temporary folder, listens only on 127.0.0.1 on a free port, trusts local connections, and
runs without fsync (its data is thrown away). initdb refuses to run as root, so as root it runs as the 'postgres'
user that Debian's package creates.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def find_bindir() -> Path | None:
    """The newest PostgreSQL server binaries on this machine, or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if candidates:
        return candidates[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_user() -> str | None:
    """The user to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return "postgres"


@dataclass
class ThrowawayServer:
    """A running throwaway server: its DATABASE_URL, and stop/start for tests of a database restart."""

    url: str
    port: int
    bindir: Path
    data: Path
    options: str
    log: Path
    user: str | None

    def stop(self) -> None:
        """Stop the server at once (fast shutdown: open connections are cut)."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        """Start it again on the same port with the same data; returns when it accepts connections."""
        self._pg_ctl("-o", self.options, "-l", self.log, "-w", "start")

    def _pg_ctl(self, *arguments: str | Path) -> None:
        subprocess.run([self.bindir / "pg_ctl", "-D", self.data, *arguments], check=True, user=self.user,
                       stdout=subprocess.DEVNULL)  # fmt: skip


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[ThrowawayServer]:
    """Yield a fresh, running server; the server and its files are gone afterwards."""
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("No PostgreSQL server binaries found (install Debian's 'postgresql' package).")
    with _server_in_a_folder(bindir, server_user(), "opencare-pg-", "-c synchronous_commit=off") as server:
        subprocess.run(
            [bindir / "initdb", "-D", server.data, "-U", "opencare", "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, user=server.user, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        server.start()
        version = (server.data / "PG_VERSION").read_text().strip()
        print(f"PostgreSQL {version} started for the tests on 127.0.0.1:{server.port} (throwaway)", flush=True)
        yield server


@contextlib.contextmanager
def throwaway_replica(primary: ThrowawayServer) -> Iterator[ThrowawayServer]:
    """Yield a hot-standby streaming replica of a running throwaway server (pg_basebackup), gone afterwards."""
    with _server_in_a_folder(primary.bindir, primary.user, "opencare-pg-replica-", "-c hot_standby=on") as replica:
        # -R writes the standby's settings: it follows the primary over a replication connection (initdb's
        # pg_hba.conf trusts local replication connections).
        subprocess.run(
            [primary.bindir / "pg_basebackup", "-D", replica.data, "-R", "-X", "stream", "-h", "127.0.0.1",
             "-p", str(primary.port), "-U", "opencare", "--no-sync"],
            check=True, user=primary.user, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        replica.start()
        yield replica


@contextlib.contextmanager
def _server_in_a_folder(bindir: Path, user: str | None, prefix: str, settings: str) -> Iterator[ThrowawayServer]:
    """A server's own temporary folder, free port and settings, not yet started; afterwards it is stopped (if it
    runs) and the folder deleted."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if user:
        shutil.chown(folder, user=user)
    data, port = folder / "data", free_port()
    server = ThrowawayServer(
        url=f"postgres://opencare@127.0.0.1:{port}/postgres", port=port, bindir=bindir, data=data,
        options=f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off {settings}",
        log=folder / "server.log", user=user,
    )  # fmt: skip
    try:
        yield server
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run([bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], check=False, user=user,
                           stdout=subprocess.DEVNULL)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """Yield a DATABASE_URL for a fresh server; the server and its files are gone afterwards."""
    with throwaway_cluster() as server:
        yield server.url


def main(argv: list[str]) -> int:
    """Run the command given after ``--`` against a throwaway server and return its exit code."""
    if argv == ["--check"]:
        return 0 if find_bindir() else 1
    if not argv or argv[0] != "--" or len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with throwaway_server() as database_url:
        return subprocess.run(argv[1:], env={**os.environ, "DATABASE_URL": database_url}, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
