"""What a site publishes on a schedule: `opencare bulk` (the bulk downloads, also remade after the commands that add
data) and `publish-feedback` (each ended quarter's feedback counts)."""

from __future__ import annotations

import click

from opencare.cli import runtime, terminal


@click.command()
def bulk() -> None:
    """Remake the bulk downloads (/downloads/): JSON Lines, release packages, CSV, XLSX and Parquet."""
    runtime.start_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    remake_bulk_downloads()


@click.command("publish-feedback")
def publish_feedback() -> None:
    """Publish each ended quarter's feedback counts (once; only counts of 5 or more). Run it monthly."""
    runtime.start_django()
    from opencare.participation.services import publish_ended_quarters

    published = publish_ended_quarters()
    for publication in published:
        terminal.console().print(
            f"{publication.ocid} {publication.contract_id} {publication.quarter_start:%Y-%m}: "
            f"{publication.answers_counted} answers, release {publication.release_id or '(no count of 5 or more)'}"
        )
    terminal.console().print(f"Published the counts of {len(published)} contract quarters.")


def remake_bulk_downloads() -> None:
    """Remake the bulk downloads now, saying where they are (after `opencare bulk`, and the commands that add data)."""
    from opencare.registry.bulk import bulk_folder, write_bulk_downloads

    with terminal.console().status("Making the bulk downloads"):
        index = write_bulk_downloads()
    files = sum(len(dataset["files"]) for dataset in index["datasets"].values())
    terminal.console().print(f"Bulk downloads: {files} files in {bulk_folder()}")
