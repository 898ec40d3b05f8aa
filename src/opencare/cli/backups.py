"""Backups of a whole site: `opencare export-all` and `restore` (docs/backups.md)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click

from opencare.cli import runtime, scheduled, terminal


@click.command("export-all")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_all(file: Path) -> None:
    """Back up the whole site to FILE: every table (accounts, registry, publishing, feedback) and every uploaded
    document, in one archive with a manifest of SHA-256s (docs/backups.md).

    Exit status: 0 written; 1 written, but some uploaded files were missing from their storage (listed); 2 nothing
    written (the message says why).
    """
    runtime.start_django()
    from opencare.backups.services import export_all as run_export

    errors = terminal.console(stderr=True)
    started = time.perf_counter()
    with _backup_errors_exit_2(), terminal.steps(errors, "Exporting") as tell:
        result = run_export(file, progress=tell)
    terminal.console().print(
        f"Wrote {file} ({result.bytes / 1e6:,.1f} MB): {sum(result.rows.values()):,} rows of {len(result.rows)} "
        f"tables and {result.files:,} uploaded files, in {time.perf_counter() - started:.1f} s.",
        highlight=False,
    )
    for missing in result.missing_files:
        errors.print(
            f"[bold red]Missing from its storage, so not in the backup:[/bold red] {missing}", highlight=False
        )
    if result.missing_files:
        sys.exit(1)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-bulk", is_flag=True, help="Do not remake the bulk downloads afterwards.")
def restore(file: Path, no_bulk: bool) -> None:
    """Restore a backup made by `opencare export-all` into a new, empty database (set up with `opencare setup`)
    and its uploaded documents into their storage; then remake the bulk downloads.

    Exit status: 0 restored; 2 nothing restored: the archive is damaged, truncated or of another migration state,
    or the database is not empty (the message says which, and how to fix it).
    """
    runtime.start_django()
    from opencare.backups.services import restore as run_restore

    errors = terminal.console(stderr=True)
    started = time.perf_counter()
    with _backup_errors_exit_2(), terminal.steps(errors, "Restoring") as tell:
        result = run_restore(file, progress=tell)
    terminal.console().print(
        f"Restored {sum(result.rows.values()):,} rows of {len(result.rows)} tables and "
        f"{result.files_written + result.files_already_there:,} uploaded files from {file} (made by opencare "
        f"{result.opencare_version} at {result.created_at}), in {time.perf_counter() - started:.1f} s.",
        highlight=False,
    )
    if result.rows.get("registry.release") and not no_bulk:
        scheduled.remake_bulk_downloads()


@contextlib.contextmanager
def _backup_errors_exit_2() -> Iterator[None]:
    """A backup that cannot be made or restored: the message and how to fix it on stderr, exit status 2."""
    from opencare.backups.archive import BackupError

    try:
        yield
    except BackupError as error:
        errors = terminal.console(stderr=True)
        errors.print(f"[bold red]{error.message}[/bold red]", highlight=False)
        errors.print(f"How to fix it: {error.how_to_fix}", highlight=False)
        sys.exit(2)
