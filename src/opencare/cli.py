"""The ``opencare`` command: everything a person does from a terminal."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

console = Console(stderr=False)


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
    console.print("[green]Database and static files are ready.[/green]")


@main.command()
def demo() -> None:
    """Load the demo data: real social-care notices and the invented Borsetdale council (safe to run again)."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from opencare.demo.services import load_demo

    results = load_demo()
    table = Table(title="Demo data")
    for column in ("source", "releases added", "already there", "processes updated"):
        table.add_column(column, justify="right" if column != "source" else "left")
    for key, result in results.items():
        table.add_row(key, str(result.added), str(result.already_stored), str(len(result.ocids)))
    console.print(table)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=3, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the site with gunicorn (static files through WhiteNoise)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencare.config.settings")
    console.print(f"Serving opencare on [bold]http://{host}:{port}[/bold] with {workers} workers. Ctrl-C stops it.")
    arguments = [
        sys.executable, "-m", "gunicorn", "opencare.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--access-logfile", "-", "--timeout", "120",
    ]  # fmt: skip
    os.execv(sys.executable, arguments)  # noqa: S606 (fixed arguments, no shell)


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
    console.print(
        f"Wrote the profile ({len(built.extensions)} extensions, {len(built.codelists)} codelists) to {output}"
    )


def _write_codelist(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED)
def manage(arguments: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `opencare manage createsuperuser`."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["opencare manage", *arguments])
