"""The OCDS engine's commands, which never start Django: `opencare profile`, `review` and `compile`."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from opencare.cli import runtime, terminal

PROGRESS_FROM_BYTES = 4 * 1024 * 1024
#: The most `opencare review -` and `opencare compile -` read from standard input (it is copied to a temporary file
#: first, so endless input would fill the disk); OPENCARE_STDIN_MAX_BYTES changes it.
STDIN_MAX_BYTES = 10 * 1000 * 1000 * 1000


@click.command()
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
    terminal.console().print(
        f"Wrote the profile ({len(built.extensions)} extensions, {len(built.codelists)} codelists) to {output}"
    )


def _write_codelist(path: Path, rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report (docs/review-json.md) instead of text.")
@click.option("--version", "ocds_version", type=click.Choice(["1.0", "1.1"]), help="Check as this OCDS version.")
def review(source: str, as_json: bool, ocds_version: str | None) -> None:
    """Check OCDS data: a file (JSON, JSON Lines, .gz, a filled social-care template, or a spreadsheet in the full
    layout: .xlsx, .ods, a zip of CSV files) or - for standard input.

    Exit status: 0 no errors, 1 the data has errors, 2 the input cannot be read.
    """
    from opencare.cli.spreadsheet_commands import errors_exit_2, review_care_template
    from opencare.ocds.review import review as run_review

    with errors_exit_2():
        data = review_care_template(source)  # a filled social-care template is checked as the releases it makes
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_file_errors_exit_2())
            # Any other spreadsheet is read in the full layout, as the web tool reads it.
            checked = stack.enter_context(_spreadsheet_as_json(source)) if data == source else data
            if data == source and checked != source and ocds_version is None:
                ocds_version = _spreadsheet_version(Path(checked))
            progress = stack.enter_context(_progress(checked, "Checking"))
            stack.enter_context(runtime.no_cycle_collection())
            report = run_review(checked, version=ocds_version, progress=progress, max_stream_bytes=_stdin_max_bytes())
    finally:
        if data != source:
            Path(data).unlink(missing_ok=True)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        from opencare.review_output import print_report

        print_report(report, terminal.console())
    sys.exit(0 if report.valid else 1)


@click.command(name="compile")
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
    with _file_errors_exit_2(partial), _progress(source, "Compiling") as progress, runtime.no_cycle_collection():
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
        terminal.console(stderr=True).print(f"[red]Could not merge {ocid}:[/red] {reason}")
    sys.exit(1 if result.failures else 0)


@contextlib.contextmanager
def _spreadsheet_as_json(source: str) -> Iterator[str]:
    """The file to check: the source itself, or for a spreadsheet the release package read from it (a temporary
    file), with the reader's warnings on stderr, each naming its sheet and cell. A spreadsheet that cannot be read
    gets a clear message and exit status 2."""
    import tempfile

    path = Path(source)
    if source == "-" or not path.is_file():
        yield source
        return
    from opencare.ocds.spreadsheets import SpreadsheetError, check_archive, detect_spreadsheet, spreadsheet_to_json

    fmt = detect_spreadsheet(path)
    if fmt is None:
        yield source
        return
    errors = terminal.console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="opencare-review-") as folder:
        converted = Path(folder) / "package.json"
        try:
            check_archive(path)
            source_map = spreadsheet_to_json(path, fmt, converted)
        except SpreadsheetError as error:
            errors.print(f"[bold red]Cannot read the spreadsheet:[/bold red] {error}", highlight=False)
            sys.exit(2)
        for warning in source_map.warnings:
            where = ", ".join(filter(None, [f"sheet {warning['sheet']!r}" if warning.get("sheet") else None,
                                            f"cell {warning['cell']}" if warning.get("cell") else None]))  # fmt: skip
            errors.print(f"[yellow]Warning[/yellow]{f' ({where})' if where else ''}: {warning['message']}",
                         highlight=False)  # fmt: skip
        yield str(converted)


def _spreadsheet_version(converted: Path) -> str | None:
    """As the Data Review Tool does: the version the Meta sheet gives, else 1.1 (the template is the social-care
    profile, OCDS 1.1, so a Meta sheet without a version does not make it OCDS 1.0 data)."""
    from opencare.ocds.readers import read_ocds

    with read_ocds(converted) as data:
        return None if data.metadata.get("version") is not None else "1.1"


def _stdin_max_bytes() -> int:
    """The most read from standard input: OPENCARE_STDIN_MAX_BYTES, or STDIN_MAX_BYTES (10 GB)."""
    text = os.environ.get("OPENCARE_STDIN_MAX_BYTES", "").strip()
    try:
        return max(1, int(text)) if text else STDIN_MAX_BYTES
    except ValueError:
        click.echo(f"OPENCARE_STDIN_MAX_BYTES must be a number of bytes, not {text!r}.", err=True)
        sys.exit(2)


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
        errors = terminal.console(stderr=True)
        where = f" (line {error.line}, column {error.column})" if error.line is not None else ""
        errors.print(f"[bold red]Cannot read the input:[/bold red] {error.message}{where}.", highlight=False)
        errors.print(f"How to fix it: {error.how_to_fix}", highlight=False)
        sys.exit(2)
    except OSError as error:  # the reader turns its own into InputError: this is the output (a missing folder...)
        if partial is not None:
            partial.unlink(missing_ok=True)
        where = f" to {str(error.filename).removesuffix('.partial')}" if error.filename else ""
        reason = error.strerror or str(error)
        errors = terminal.console(stderr=True)
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
    errors = terminal.console(stderr=True)
    with terminal.progress_bar(errors) as bar:
        task = bar.add_task(f"{verb} {Path(source).name}")
        yield lambda count: bar.update(task, description=f"{verb} {Path(source).name}: {count:,} items")
