"""Running a site: `opencare setup`, `demo`, `serve` (the web server and task workers side by side), `worker` and
`manage`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from opencare.cli import runtime, scheduled, terminal


@click.command()
def setup() -> None:
    """Create or update the database and collect the static files (safe to run again)."""
    runtime.start_django()
    from django.core.management import call_command

    Path(os.environ.get("OPENCARE_VAR_DIR", "var")).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from opencare.publishing.organisation_links import repair_posted_merges

    if split := repair_posted_merges():  # once: the merges that posted releases made before they stopped linking
        terminal.console().print(
            f"Split {split} organisations that only posted releases had joined (see the audit log)."
        )
    terminal.console().print("[green]Database and static files are ready.[/green]")


@click.command()
def demo() -> None:
    """Load the demo data: real social-care notices and the invented Borsetdale council (safe to run again)."""
    runtime.start_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.utils import timezone

    from opencare.demo.services import load_demo
    from opencare.publishing.organisation_links import record_links_made

    started = timezone.now()
    results = load_demo()
    record_links_made(since=started)
    table = terminal.table("Demo data")
    for column in ("source", "releases added", "already there", "processes updated"):
        table.add_column(column, justify="right" if column != "source" else "left")
    for key, result in results.items():
        table.add_row(key, str(result.added), str(result.already_stored), str(len(result.ocids)))
    terminal.console().print(table)
    from django.conf import settings

    if settings.OPENCARE_DEMO_ACCOUNTS:
        from opencare.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo_accounts

        create_demo_accounts()
        names = ", ".join(account.username for account in DEMO_ACCOUNTS)
        terminal.console().print(
            f"Demo publishing accounts ({names}), password [bold]{DEMO_PASSWORD}[/bold]: /account/sign-in/"
        )
    from opencare.registry.bulk import downloads_state

    # Also when nothing was added but the downloads no longer match the registry (a migration or `opencare setup`
    # changed it since they were made): `make run` then never serves stale downloads.
    state = downloads_state()
    if any(result.added for result in results.values()) or state.index is None or state.changed_since:
        scheduled.remake_bulk_downloads()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=3, show_default=True, type=click.IntRange(1, 64), help="Web worker processes.")
@click.option(
    "--task-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 16),
    help="Background task workers to start alongside, plus one more for small reviews only (0: none, when they run "
    "elsewhere, e.g. `opencare worker`).",
)
def serve(host: str, port: int, workers: int, task_workers: int) -> None:
    """Serve the site with gunicorn (static files through WhiteNoise) and run its background task workers.

    With task workers, one more is started for small reviews only, so that a small upload starts within seconds
    even while a huge one keeps the others busy.
    """
    _settings_or_exit_2()
    small = 1 if task_workers else 0
    terminal.console().print(
        f"Serving opencare on [bold]http://{host}:{port}[/bold] with {workers} web workers and {task_workers + small} "
        f"task workers{' (one for small reviews only)' if small else ''}. Ctrl-C stops it."
    )
    web = [
        sys.executable, "-m", "gunicorn", "opencare.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-", "--timeout", "120",
    ]  # fmt: skip
    worker = [sys.executable, "-m", "opencare", "worker"]
    small_worker = [*worker, "--lane", "small"]
    sys.exit(run_together([web] + [worker] * task_workers + [small_worker] * small))


def _settings_or_exit_2() -> None:
    """Start Django here, so that settings that cannot work (production without SECRET_KEY or ALLOWED_HOSTS) stop
    the command with one clear line and exit status 2 before any port is bound or worker started."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        runtime.start_django()
    except ImproperlyConfigured as error:
        click.echo(f"opencare cannot start: {error}", err=True)
        sys.exit(2)


def run_together(commands: list[list[str]]) -> int:
    """Run the commands side by side until one stops or we are told to stop, then stop the rest. Exit code out."""
    children = [subprocess.Popen(command) for command in commands]

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # SIGINT too: started in the background, a process ignores it by default.
    previous = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGINT)}
    code = 0
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
        code = next(child.returncode for child in children if child.returncode is not None)
    except KeyboardInterrupt:
        pass
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    for number, handler in previous.items():
        signal.signal(number, handler)
    return code


@click.command()
@click.option("--interval", default=0.5, show_default=True, type=float, help="Seconds between looks for new tasks.")
@click.option(
    "--lane",
    type=click.Choice(["all", "small", "default"]),
    default="all",
    show_default=True,
    help="Which tasks to take: all; only small reviews (a worker kept free for them); or all but small reviews.",
)
def worker(interval: float, lane: str) -> None:
    """Run background tasks (reviews of uploads, conversions) as they are queued in the database.

    A task whose worker died (killed, out of memory) is put back in the queue and run again by a live worker.
    Reviews of small uploads wait in a lane of their own (OPENCARE_REVIEW_SMALL_BYTES): run at least one worker with
    `--lane small` (or `all`) so that they never wait behind a huge upload.
    """
    runtime.start_django()
    from opencare.task_worker.runner import run_worker

    run_worker(interval=interval, lane=lane)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def manage(arguments: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `opencare manage createsuperuser`."""
    runtime.start_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencare manage", *arguments])
