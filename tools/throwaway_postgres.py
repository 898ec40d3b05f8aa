"""Start a real, throwaway PostgreSQL server, run a command against it, then stop and delete it.

Usage:
    python tools/throwaway_postgres.py -- COMMAND [ARGS...]   # runs COMMAND with DATABASE_URL set
    python tools/throwaway_postgres.py --check                # exit 0 if PostgreSQL server binaries exist

From Python, `throwaway_server()` yields a DATABASE_URL, `throwaway_cluster()` a server that tests can also
stop and start again (a database restart), and `throwaway_replica(server)` a streaming read replica of it.

The server lives in a temporary folder, listens only on 127.0.0.1 on a free port, trusts local connections, and
runs without fsync (its data is thrown away). initdb refuses to run as root, so as root it runs as the 'postgres'
user that Debian's package creates.

No server outlives the process that started it. SIGTERM and Ctrl-C stop the command, then the server, and delete its
folder. For deaths that run no clean-up (SIGKILL, a crash), each server has a watchdog: a small process in a session
of its own that holds the read end of a pipe only its starter can write to. When the starter is gone, however it
went, the pipe closes, and the watchdog stops the server at once (`pg_ctl stop -m immediate`) and deletes the folder.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
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
    lifeline, watchdog = _start_watchdog(folder, bindir, user)
    try:
        yield server
    finally:
        _stop_and_delete(folder, bindir, user, "fast")
        os.close(lifeline)  # the watchdog wakes, finds nothing left to do, and ends
        try:
            watchdog.wait(timeout=5)
        except subprocess.TimeoutExpired:  # a process forked from this one still holds a copy of the write end
            watchdog.terminate()
            watchdog.wait()


def _start_watchdog(folder: Path, bindir: Path, user: str | None) -> tuple[int, subprocess.Popen[bytes]]:
    """Start the watchdog of the server in this folder; returns the pipe's write end (the lifeline) and the watchdog.

    The write end is never written to and is not inherited by the commands we start (os.pipe's ends are
    non-inheritable), so it closes exactly when this process closes it or dies. The watchdog has a session of its own,
    so a Ctrl-C or a signal to our process group does not end it before it has cleaned up.
    """
    watched, lifeline = os.pipe()
    try:
        watchdog = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--watch", str(watched), str(folder), str(bindir),
             user or ""],
            pass_fds=(watched,), start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    finally:
        os.close(watched)
    return lifeline, watchdog


def watch(watched: int, folder: Path, bindir: Path, user: str | None) -> None:
    """The watchdog: wait until the pipe closes (its starter is gone), then stop the server and delete its folder."""

    def stop_waiting(signum: int, frame: object) -> None:
        raise InterruptedError  # told to end: clean up first, as when the starter is gone

    signal.signal(signal.SIGTERM, stop_waiting)
    signal.signal(signal.SIGINT, stop_waiting)
    try:
        while os.read(watched, 1):  # nobody writes: this returns b"" when the last write end closes
            pass
    except InterruptedError:
        pass
    for signum in (signal.SIGTERM, signal.SIGINT):  # the clean-up is short: let nothing cut it
        signal.signal(signum, signal.SIG_IGN)
    left = (folder / "data" / "postmaster.pid").exists()
    _stop_and_delete(folder, bindir, user, "immediate")
    if left:
        print(f"Stopped and deleted the throwaway PostgreSQL server in {folder}: the run that started it ended "
              "without stopping it.", file=sys.stderr, flush=True)  # fmt: skip


def _stop_and_delete(folder: Path, bindir: Path, user: str | None, mode: str) -> None:
    """Stop the server in this folder if it runs (``mode``: fast, or immediate), then delete the folder."""
    data = folder / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run([bindir / "pg_ctl", "-D", data, "-m", mode, "-w", "stop"], check=False, user=user,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
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
    if len(argv) == 5 and argv[0] == "--watch":
        watch(int(argv[1]), Path(argv[2]), Path(argv[3]), argv[4] or None)
        return 0
    if not argv or argv[0] != "--" or len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for signum in (signal.SIGTERM, signal.SIGINT):  # a time-out's SIGTERM, Ctrl-C
        signal.signal(signum, _stopping)
    try:
        with throwaway_server() as database_url:
            command = subprocess.Popen(argv[1:], env={**os.environ, "DATABASE_URL": database_url})
            try:
                return command.wait()
            except Stopped as stopped:
                _end(command, stopped.signum)
                raise
    except Stopped as stopped:
        print(f"Stopped by {signal.Signals(stopped.signum).name}: the command, then the throwaway PostgreSQL server.",
              file=sys.stderr)  # fmt: skip
        return 128 + stopped.signum


class Stopped(Exception):
    """This run was told to stop (SIGTERM or SIGINT)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stopping(signum: int, frame: object) -> None:
    """Stop the run: the command, then the server. Further signals are ignored so the clean-up is not cut short (the
    watchdog would still stop the server, but the command must not be left running)."""
    for ignored in (signal.SIGTERM, signal.SIGINT):
        signal.signal(ignored, signal.SIG_IGN)
    raise Stopped(signum)


def _end(command: subprocess.Popen[bytes], signum: int) -> None:
    """Pass the signal on to the command (Ctrl-C reaches it anyway) and wait a while for it to end; then kill it."""
    if command.poll() is None:
        command.send_signal(signum)
    try:
        command.wait(timeout=30)
    except subprocess.TimeoutExpired:
        command.kill()
        command.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
