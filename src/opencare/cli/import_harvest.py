"""Bringing data into the registry: `opencare import` (files and folders), `harvest` (publishers' APIs) and
`import-cqc` (CQC ratings)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from opencare.cli import runtime, scheduled, terminal
from opencare.harvest.sources import SOURCES  # no Django: the names of the sources, for `opencare harvest`


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--social-care", is_flag=True, help="Keep only social-care processes (by CPV code or by words).")
@click.option(
    "--no-bulk", is_flag=True, help="Do not remake the bulk downloads afterwards (the task worker still will)."
)
def import_data(paths: tuple[Path, ...], social_care: bool, no_bulk: bool) -> None:
    """Import OCDS files and folders into the registry (safe to run again: nothing is stored twice)."""
    runtime.start_django()
    from django.core.management import call_command

    from opencare.registry.imports import ImportPathError, import_paths

    call_command("migrate", interactive=False, verbosity=0)

    errors = terminal.console(stderr=True)
    with terminal.progress_bar(errors, disable=not errors.is_terminal) as bar:
        task = bar.add_task("Importing")
        try:
            # Chunks of parsed releases, and Django's objects for them, hold no cycles.
            with runtime.no_cycle_collection():
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
    table = terminal.table(f"Import {run.pk}")
    table.add_column("releases", justify="left")
    table.add_column("count", justify="right")
    rows = [("read", run.releases_read), ("added", run.added), ("already stored", run.already_stored),
            ("added with schema errors (flagged)", run.flagged)]  # fmt: skip
    if social_care:
        rows.append(("left out: not social care", run.not_social_care))
    for label, count in rows:
        table.add_row(label, f"{count:,}")
    terminal.console().print(table)
    for unreadable in run.unreadable_files:
        where, why = unreadable["path"], unreadable["message"]
        errors.print(f"[bold red]Could not read[/bold red] {where}: {why}", highlight=False)
    if run.added and not no_bulk:
        scheduled.remake_bulk_downloads()
    if run.unreadable_files:
        sys.exit(2)


#: Dates and times --since and --until take (UTC when no offset is given).
HARVEST_DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]


@click.command()
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
    errors = terminal.console(stderr=True)
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
    runtime.start_django()
    from django.core.management import call_command

    from opencare.harvest.services import HarvestRequest
    from opencare.harvest.services import harvest as run_harvest
    from opencare.publishing.organisation_links import record_links_made

    call_command("migrate", interactive=False, verbosity=0)
    request = HarvestRequest(source, since=since, until=until, base_url=base_url, social_care_only=social_care)
    with terminal.console(stderr=True).status(f"Harvesting {source}"), runtime.no_cycle_collection():
        run = run_harvest(request)
    record_links_made(since=run.started_at)
    table = terminal.table(f"Harvest {run.pk} of {source}")
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
    terminal.console().print(table)
    for error in run.errors:
        errors.print(f"[bold red]Error:[/bold red] {error}.", highlight=False)
    if run.added and not no_bulk:
        scheduled.remake_bulk_downloads()
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


@click.command("import-cqc")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--crosswalk",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A reviewed CSV linking organisation identifiers to CQC locations (scheme, identifier, location_id, note).",
)
def import_cqc(path: Path, crosswalk: Path | None) -> None:
    """Load CQC ratings (a CSV with locationid, rating and reportdate columns) so providers show their rating."""
    runtime.start_django()
    from django.core.management import call_command

    from opencare.registry.cqc import CqcFileError, import_ratings

    call_command("migrate", interactive=False, verbosity=0)
    try:
        result = import_ratings(path, crosswalk)
    except CqcFileError as error:
        errors = terminal.console(stderr=True)
        errors.print(f"[bold red]Cannot import:[/bold red] {error.message}.", highlight=False)
        errors.print(f"How to fix it: {error.how_to_fix}", highlight=False)
        sys.exit(2)
    terminal.console().print(f"Read {result.rows:,} rows: {result.locations:,} CQC locations with their latest rating"
                     f"{f', {result.crosswalk_rows:,} crosswalk links' if crosswalk else ''}.")  # fmt: skip
