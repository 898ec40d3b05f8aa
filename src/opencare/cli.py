"""The ``opencare`` command: everything a person does from a terminal."""

from __future__ import annotations

import contextlib
import csv
import gc
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import click

from opencare.harvest.sources import SOURCES  # no Django: the names of the sources, for `opencare harvest`

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

PROGRESS_FROM_BYTES = 4 * 1024 * 1024
#: The most `opencare review -` and `opencare compile -` read from standard input (it is copied to a temporary file
#: first, so endless input would fill the disk); OPENCARE_STDIN_MAX_BYTES changes it.
STDIN_MAX_BYTES = 10 * 1000 * 1000 * 1000


def _console(stderr: bool = False) -> Console:
    """rich's console on standard output (one for the process, as a status display needs) or a new one on standard
    error. rich is imported only when something is printed with it, so that ``opencare review`` and ``compile``
    start sooner (40 ms: a tenth of a review of 50 MB). Messages to a log or a pipe are never wrapped, so a path or
    an address in them stays whole for the reader and for grep."""
    from rich.console import Console

    return Console(stderr=True, soft_wrap=not sys.stderr.isatty()) if stderr else _standard_output()


@cache
def _standard_output() -> Console:
    from rich.console import Console

    return Console()


def _progress_bar(errors: Console, disable: bool = False) -> Progress:
    """A spinner, the task's description and the time taken, cleared when done."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=errors,
                    transient=True, disable=disable)  # fmt: skip


def _table(title: str) -> Table:
    from rich.table import Table

    return Table(title=title)


def _django() -> None:
    """Start Django for the commands that use the database; the OCDS engine commands never need it."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencare.config.settings")
    django.setup()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opencare")
def main() -> None:
    """opencare: open tendering and open performance for publicly funded social care."""


@main.command()
def setup() -> None:
    """Create or update the database and collect the static files (safe to run again)."""
    _django()
    from django.core.management import call_command

    Path(os.environ.get("OPENCARE_VAR_DIR", "var")).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from opencare.publishing.organisation_links import repair_posted_merges

    if split := repair_posted_merges():  # once: the merges that posted releases made before they stopped linking
        _console().print(f"Split {split} organisations that only posted releases had joined (see the audit log).")
    _console().print("[green]Database and static files are ready.[/green]")


@main.command()
def demo() -> None:
    """Load the demo data: real social-care notices and the invented Borsetdale council (safe to run again)."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from django.utils import timezone

    from opencare.demo.services import load_demo
    from opencare.publishing.organisation_links import record_links_made

    started = timezone.now()
    results = load_demo()
    record_links_made(since=started)
    table = _table("Demo data")
    for column in ("source", "releases added", "already there", "processes updated"):
        table.add_column(column, justify="right" if column != "source" else "left")
    for key, result in results.items():
        table.add_row(key, str(result.added), str(result.already_stored), str(len(result.ocids)))
    _console().print(table)
    from django.conf import settings

    if settings.OPENCARE_DEMO_ACCOUNTS:
        from opencare.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo_accounts

        create_demo_accounts()
        names = ", ".join(account.username for account in DEMO_ACCOUNTS)
        _console().print(
            f"Demo publishing accounts ({names}), password [bold]{DEMO_PASSWORD}[/bold]: /account/sign-in/"
        )
    from opencare.registry.bulk import downloads_state

    # Also when nothing was added but the downloads no longer match the registry (a migration or `opencare setup`
    # changed it since they were made): `make run` then never serves stale downloads.
    state = downloads_state()
    if any(result.added for result in results.values()) or state.index is None or state.changed_since:
        _remake_bulk_downloads()


@main.command()
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
    _console().print(
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
        _django()
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


@main.command()
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
    _django()
    from opencare.task_worker.runner import run_worker

    run_worker(interval=interval, lane=lane)


@main.command()
@click.option(
    "--output", "-o", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write to."
)
def profile(output: Path) -> None:
    """Write the social-care profile: extended schemas, merged codelists and the metric catalogue."""
    from opencare.ocds.metric_catalogue import read_catalogue_text
    from opencare.ocds.profile import social_care_profile

    built = social_care_profile()
    (output / "codelists").mkdir(parents=True, exist_ok=True)
    for name in ("release_schema", "release_package_schema", "record_package_schema"):
        path = output / (name.replace("_", "-") + ".json")
        path.write_text(json.dumps(getattr(built, name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for codelist in built.codelists.values():
        _write_codelist(output / "codelists" / codelist.name, codelist.rows)
    (output / "metric-catalogue.json").write_text(read_catalogue_text(), encoding="utf-8")
    _console().print(
        f"Wrote the profile ({len(built.extensions)} extensions, {len(built.codelists)} codelists) to {output}"
    )


def _write_codelist(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report (docs/review-json.md) instead of text.")
@click.option("--version", "ocds_version", type=click.Choice(["1.0", "1.1"]), help="Check as this OCDS version.")
def review(source: str, as_json: bool, ocds_version: str | None) -> None:
    """Check OCDS data: a file (JSON, JSON Lines, .gz) or - for standard input.

    Exit status: 0 no errors, 1 the data has errors, 2 the input cannot be read.
    """
    from opencare.ocds.review import review as run_review

    with _file_errors_exit_2(), _progress(source, "Checking") as progress, _no_cycle_collection():
        report = run_review(source, version=ocds_version, progress=progress, max_stream_bytes=_stdin_max_bytes())
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        from opencare.review_output import print_report

        print_report(report, _console())
    sys.exit(0 if report.valid else 1)


@main.command(name="compile")
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--versioned", is_flag=True, help="Add each process's versioned release (every field's history).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here, not to stdout.")
def compile_command(source: str, versioned: bool, output: str | None) -> None:
    """Compile releases into a record package: one record per ocid with its compiled release.

    Exit status: 0 done, 1 some processes could not be merged (listed), 2 the input cannot be read.
    """
    from opencare.ocds.compile import compile_package

    target = Path(output) if output else None
    partial = target.with_name(target.name + ".partial") if target else None
    with _file_errors_exit_2(partial), _progress(source, "Compiling") as progress, _no_cycle_collection():
        if partial is None:
            result = compile_package(source, sys.stdout.buffer, versioned=versioned, progress=progress,
                                     max_stream_bytes=_stdin_max_bytes())  # fmt: skip
        else:
            with partial.open("wb") as out:
                result = compile_package(source, out, versioned=versioned, progress=progress,
                                         max_stream_bytes=_stdin_max_bytes())  # fmt: skip
            partial.replace(target)  # never leave a half-written file under the real name
    click.echo(f"Compiled {result.releases:,} releases into {result.records:,} records.", err=True)
    for ocid, reason in result.failures:
        _console(stderr=True).print(f"[red]Could not merge {ocid}:[/red] {reason}")
    sys.exit(1 if result.failures else 0)


def _stdin_max_bytes() -> int:
    """The most read from standard input: OPENCARE_STDIN_MAX_BYTES, or STDIN_MAX_BYTES (10 GB)."""
    text = os.environ.get("OPENCARE_STDIN_MAX_BYTES", "").strip()
    try:
        return max(1, int(text)) if text else STDIN_MAX_BYTES
    except ValueError:
        click.echo(f"OPENCARE_STDIN_MAX_BYTES must be a number of bytes, not {text!r}.", err=True)
        sys.exit(2)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Turn off Python's cycle collector while a big file is read.

    Parsing makes millions of short-lived objects, and each few hundred new ones start a collection that walks
    what is alive: about 15% of the time of a review or compile. Parsed JSON holds no reference cycles, so reference
    counting frees all of it anyway.
    """
    gc.freeze()  # what is alive now (modules, schemas) is never collected, so need not be walked later either
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


@contextlib.contextmanager
def _file_errors_exit_2(partial: Path | None = None) -> Iterator[None]:
    """Unreadable input or unwritable output: a clear message on stderr and exit status 2, never a traceback, and
    nothing half-written (the partial output file is deleted)."""
    from opencare.ocds.readers import InputError

    try:
        yield
    except InputError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        errors = _console(stderr=True)
        where = f" (line {error.line}, column {error.column})" if error.line is not None else ""
        errors.print(f"[bold red]Cannot read the input:[/bold red] {error.message}{where}.", highlight=False)
        errors.print(f"How to fix it: {error.how_to_fix}", highlight=False)
        sys.exit(2)
    except OSError as error:  # the reader turns its own into InputError: this is the output (a missing folder...)
        if partial is not None:
            partial.unlink(missing_ok=True)
        where = f" to {str(error.filename).removesuffix('.partial')}" if error.filename else ""
        reason = error.strerror or str(error)
        errors = _console(stderr=True)
        errors.print(f"[bold red]Cannot write the output{where}:[/bold red] {reason}.", highlight=False)
        errors.print("How to fix it: check that the folder exists, that you may write there and that the disk has "
                     "room; nothing was written.", highlight=False)  # fmt: skip
        sys.exit(2)


@contextlib.contextmanager
def _progress(source: str, verb: str) -> Iterator[Callable[[int], None] | None]:
    """A progress display on stderr for files over a few MB, when stderr is a terminal."""
    size = Path(source).stat().st_size if source != "-" and Path(source).is_file() else 0
    if size < PROGRESS_FROM_BYTES or not sys.stderr.isatty():
        yield None
        return
    errors = _console(stderr=True)
    with _progress_bar(errors) as bar:
        task = bar.add_task(f"{verb} {Path(source).name}")
        yield lambda count: bar.update(task, description=f"{verb} {Path(source).name}: {count:,} items")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--social-care", is_flag=True, help="Keep only social-care processes (by CPV code or by words).")
@click.option(
    "--no-bulk", is_flag=True, help="Do not remake the bulk downloads afterwards (the task worker still will)."
)
def import_data(paths: tuple[Path, ...], social_care: bool, no_bulk: bool) -> None:
    """Import OCDS files and folders into the registry (safe to run again: nothing is stored twice)."""
    _django()
    from django.core.management import call_command

    from opencare.registry.imports import ImportPathError, import_paths

    call_command("migrate", interactive=False, verbosity=0)

    errors = _console(stderr=True)
    with _progress_bar(errors, disable=not errors.is_terminal) as bar:
        task = bar.add_task("Importing")
        try:
            with _no_cycle_collection():  # chunks of parsed releases, and Django's objects for them, hold no cycles
                run = import_paths(
                    list(paths),
                    social_care_only=social_care,
                    progress=lambda name, count: bar.update(task, description=f"Importing {name}: {count:,} releases"),
                )
        except ImportPathError as error:
            errors.print(f"[bold red]Cannot import:[/bold red] {error}.", highlight=False)
            errors.print("How to fix it: give the path of an OCDS file, or of a folder holding some.", highlight=False)
            sys.exit(2)
    from opencare.publishing.organisation_links import record_links_made

    record_links_made(since=run.started_at)  # the links between organisations it made, with evidence, in the audit log
    table = _table(f"Import {run.pk}")
    table.add_column("releases", justify="left")
    table.add_column("count", justify="right")
    rows = [("read", run.releases_read), ("added", run.added), ("already stored", run.already_stored),
            ("added with schema errors (flagged)", run.flagged)]  # fmt: skip
    if social_care:
        rows.append(("left out: not social care", run.not_social_care))
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    _console().print(table)
    for unreadable in run.unreadable_files:
        where, why = unreadable["path"], unreadable["message"]
        errors.print(f"[bold red]Could not read[/bold red] {where}: {why}", highlight=False)
    if run.added and not no_bulk:
        _remake_bulk_downloads()
    if run.unreadable_files:
        sys.exit(2)


#: Dates and times --since and --until take (UTC when no offset is given).
HARVEST_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]


@main.command()
@click.argument("source", type=click.Choice(list(SOURCES)), metavar="SOURCE")
@click.option(
    "--since",
    type=click.DateTime(HARVEST_DATE_FORMATS),
    metavar="DATE",
    help="Harvest from this date or time (UTC unless it says otherwise), e.g. 2026-09-01 or 2026-09-01T06:00. "
    "Default: from where the last harvest of the source stopped; the first time, the last 7 days.",
)
@click.option(
    "--until",
    type=click.DateTime(HARVEST_DATE_FORMATS),
    metavar="DATE",
    help="Harvest up to this date or time. Default: now.",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="The API's base address, if not the source's own (e.g. a copy or a test server). Pages are only ever "
    "fetched from this address's host.",
)
@click.option("--social-care", is_flag=True, help="Keep only social-care processes (the same rule as import).")
@click.option(
    "--no-bulk", is_flag=True, help="Do not remake the bulk downloads afterwards (the task worker still will)."
)
def harvest(
    source: str, since: datetime | None, until: datetime | None, base_url: str | None, social_care: bool, no_bulk: bool
) -> None:
    """Harvest SOURCE's OCDS API into the registry (docs/harvest.md).

    \b
    SOURCE is one of:
      find-a-tender              Find a Tender: 6-hour windows, at most 12 requests in 2 minutes
      contracts-finder           Contracts Finder: 15-day windows, at most 30 requests a minute
      public-contracts-scotland  Public Contracts Scotland: months, at most 30 requests a minute
      sell2wales                 Sell2Wales: months, at most 30 requests a minute

    Safe to stop and run again: each page is stored with how far the harvest got, so the next run goes on from the
    page after the last one stored, and nothing is stored twice. Requests are kept within each source's limit.

    Exit status: 0 all went in; 1 some releases were stored with errors (schema errors, or numbers that cannot be
    read), or some releases or pages could not be stored (listed; the rest are); 2 the source could not be read at
    all, or another harvest of it is running.
    """
    since, until = _utc(since), _utc(until)
    errors = _console(stderr=True)
    if since is not None and until is not None and since >= until:
        errors.print(
            f"[bold red]Cannot harvest:[/bold red] --since {since:%Y-%m-%d %H:%M} is not before --until "
            f"{until:%Y-%m-%d %H:%M}.\nHow to fix it: give a --since earlier than --until.",
            highlight=False,
        )
        sys.exit(2)
    if base_url is not None and not base_url.lower().startswith(("https://", "http://")):
        errors.print(
            f"[bold red]Cannot harvest:[/bold red] --base-url {base_url} is not a web address.\n"
            "How to fix it: give the API's address, starting https://.",
            highlight=False,
        )
        sys.exit(2)
    _django()
    from django.core.management import call_command

    from opencare.harvest.services import HarvestRequest
    from opencare.harvest.services import harvest as run_harvest
    from opencare.publishing.organisation_links import record_links_made

    call_command("migrate", interactive=False, verbosity=0)
    request = HarvestRequest(source, since=since, until=until, base_url=base_url, social_care_only=social_care)
    with _console(stderr=True).status(f"Harvesting {source}"), _no_cycle_collection():
        run = run_harvest(request)
    record_links_made(since=run.started_at)
    table = _table(f"Harvest {run.pk} of {source}")
    table.add_column("", justify="left")
    table.add_column("count", justify="right")
    window = f"{run.window_start:%Y-%m-%d %H:%M} to {run.window_end:%Y-%m-%d %H:%M} UTC" if run.window_start else "-"
    rows = [("requests", run.requests), ("pages", run.pages), ("releases read", run.releases_read),
            ("added", run.added), ("already stored", run.already_stored),
            ("added with schema errors (flagged)", run.flagged)]  # fmt: skip
    if social_care:
        rows.append(("left out: not social care", run.not_social_care))
    table.add_row("window", window)
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    _console().print(table)
    for error in run.errors:
        errors.print(f"[bold red]Error:[/bold red] {error}.", highlight=False)
    if run.added and not no_bulk:
        _remake_bulk_downloads()
    if run.flagged and run.status == run.Status.SUCCEEDED:
        flagged = (f"{run.flagged:,} of the releases were stored with errors (the schema's, or numbers that cannot "
                   "be read); each contract's page lists its own under 'About this data'.")  # fmt: skip
        errors.print(flagged, highlight=False)
    succeeded = 1 if run.flagged else 0  # all went in, but not all of it as the standard says
    sys.exit({run.Status.SUCCEEDED: succeeded, run.Status.PARTLY_FAILED: 1}.get(run.status, 2))


def _utc(moment: datetime | None) -> datetime | None:
    """A date from the command line as an aware datetime: UTC when it gives no offset."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@main.command("import-cqc")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--crosswalk",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A reviewed CSV linking organisation identifiers to CQC locations (scheme, identifier, location_id, note).",
)
def import_cqc(path: Path, crosswalk: Path | None) -> None:
    """Load CQC ratings (a CSV with locationid, rating and reportdate columns) so providers show their rating."""
    _django()
    from django.core.management import call_command

    from opencare.registry.cqc import CqcFileError, import_ratings

    call_command("migrate", interactive=False, verbosity=0)
    try:
        result = import_ratings(path, crosswalk)
    except CqcFileError as error:
        errors = _console(stderr=True)
        errors.print(f"[bold red]Cannot import:[/bold red] {error.message}.", highlight=False)
        errors.print(f"How to fix it: {error.how_to_fix}", highlight=False)
        sys.exit(2)
    _console().print(f"Read {result.rows:,} rows: {result.locations:,} CQC locations with their latest rating"
                     f"{f', {result.crosswalk_rows:,} crosswalk links' if crosswalk else ''}.")  # fmt: skip


@main.command()
def bulk() -> None:
    """Remake the bulk downloads (/downloads/): JSON Lines, release packages, CSV, XLSX and Parquet."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    _remake_bulk_downloads()


@main.command("publish-feedback")
def publish_feedback() -> None:
    """Publish each ended quarter's feedback counts (once; only counts of 5 or more). Run it monthly."""
    _django()
    from opencare.participation.services import publish_ended_quarters

    published = publish_ended_quarters()
    for publication in published:
        _console().print(
            f"{publication.ocid} {publication.contract_id} {publication.quarter_start:%Y-%m}: "
            f"{publication.answers_counted} answers, release {publication.release_id or '(no count of 5 or more)'}"
        )
    _console().print(f"Published the counts of {len(published)} contract quarters.")


@main.command("export-all")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_all(file: Path) -> None:
    """Back up the whole site to FILE: every table (accounts, registry, publishing, feedback) and every uploaded
    document, in one archive with a manifest of SHA-256s (docs/backups.md).

    Exit status: 0 written; 1 written, but some uploaded files were missing from their storage (listed); 2 nothing
    written (the message says why).
    """
    _django()
    from opencare.backups.services import export_all as run_export

    errors = _console(stderr=True)
    started = time.perf_counter()
    with _backup_errors_exit_2(), _steps(errors, "Exporting") as tell:
        result = run_export(file, progress=tell)
    _console().print(
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


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-bulk", is_flag=True, help="Do not remake the bulk downloads afterwards.")
def restore(file: Path, no_bulk: bool) -> None:
    """Restore a backup made by `opencare export-all` into a new, empty database (set up with `opencare setup`)
    and its uploaded documents into their storage; then remake the bulk downloads.

    Exit status: 0 restored; 2 nothing restored: the archive is damaged, truncated or of another migration state,
    or the database is not empty (the message says which, and how to fix it).
    """
    _django()
    from opencare.backups.services import restore as run_restore

    errors = _console(stderr=True)
    started = time.perf_counter()
    with _backup_errors_exit_2(), _steps(errors, "Restoring") as tell:
        result = run_restore(file, progress=tell)
    _console().print(
        f"Restored {sum(result.rows.values()):,} rows of {len(result.rows)} tables and "
        f"{result.files_written + result.files_already_there:,} uploaded files from {file} (made by opencare "
        f"{result.opencare_version} at {result.created_at}), in {time.perf_counter() - started:.1f} s.",
        highlight=False,
    )
    if result.rows.get("registry.release") and not no_bulk:
        _remake_bulk_downloads()


@contextlib.contextmanager
def _backup_errors_exit_2() -> Iterator[None]:
    """A backup that cannot be made or restored: the message and how to fix it on stderr, exit status 2."""
    from opencare.backups.archive import BackupError

    try:
        yield
    except BackupError as error:
        errors = _console(stderr=True)
        errors.print(f"[bold red]{error.message}[/bold red]", highlight=False)
        errors.print(f"How to fix it: {error.how_to_fix}", highlight=False)
        sys.exit(2)


@contextlib.contextmanager
def _steps(errors: Console, verb: str) -> Iterator[Callable[[str], None]]:
    """A line on stderr saying what a long command is doing, when stderr is a terminal."""
    with _progress_bar(errors, disable=not errors.is_terminal) as bar:
        task = bar.add_task(verb)
        yield lambda step: bar.update(task, description=step)


def _remake_bulk_downloads() -> None:
    from opencare.registry.bulk import bulk_folder, write_bulk_downloads

    with _console().status("Making the bulk downloads"):
        index = write_bulk_downloads()
    files = sum(len(dataset["files"]) for dataset in index["datasets"].values())
    _console().print(f"Bulk downloads: {files} files in {bulk_folder()}")


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def manage(arguments: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `opencare manage createsuperuser`."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencare manage", *arguments])
