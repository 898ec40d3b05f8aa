"""The spreadsheet commands, which never start Django: `opencare template` and `opencare convert`.

Without ``--full`` both use the social-care template (care_template: eight sheets in plain English); with it, the
full-profile layout (every field of the profile, one sheet per list, as the Data Review Tool's experts' template).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from opencare.cli import terminal

#: Output file extensions and the format each is written in, for each layout.
TEMPLATE_EXTENSIONS = {".xlsx": "xlsx", ".ods": "ods", ".zip": "csv"}
FULL_EXTENSIONS = {".xlsx": "xlsx", ".zip": "csv"}
FULL_INPUT_EXTENSIONS = {".xlsx": "xlsx", ".ods": "ods", ".zip": "csv"}


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write: .xlsx, .ods, or .zip for CSV files (with --full: .xlsx or .zip).",
)
@click.option("--full", is_flag=True, help="The full-profile template for experts (every field, one sheet per list).")
def template(output: Path, full: bool) -> None:  # fmt: skip
    """Write a blank spreadsheet template to fill in: the social-care template, or with --full the full profile.

    Exit status: 0 written, 2 the file cannot be written (an extension other than those above, a missing folder).
    """
    extensions = FULL_EXTENSIONS if full else TEMPLATE_EXTENSIONS
    fmt = extensions.get(output.suffix.lower())
    if fmt is None:
        _fail(f"Cannot write a template as {output.name}", f"End the file name with {_choices(extensions)}.")
    with errors_exit_2():
        if full:
            from opencare.ocds.spreadsheets import write_template

            write_template(output, fmt)
        else:
            from opencare.ocds.spreadsheets.care_template import write_care_template

            write_care_template(output, fmt)
    click.echo(f"Wrote the {'full-profile' if full else 'social-care'} template to {output}", err=True)


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The file to write: .json from a spreadsheet, or .xlsx / .ods / .zip (CSV files) from JSON.",
)
@click.option("--full", is_flag=True, help="Use the full-profile layout instead of the social-care template.")
def convert(source: Path, output: Path, full: bool) -> None:  # fmt: skip
    """Convert a release package (JSON) to a spreadsheet, or a filled spreadsheet to a release package.

    Which way is told by the file names' extensions. Without --full the spreadsheet is the social-care template,
    which holds the fields most care contracts need; with --full, every field of the profile.

    Exit status: 0 converted, 2 the input cannot be read or converted (each problem is named by sheet and cell).
    """
    if output.suffix.lower() == ".json":
        if source.suffix.lower() == ".json":
            _fail("Both files are JSON", "Give a spreadsheet to convert to JSON, or a spreadsheet file name to write.")
        with errors_exit_2():
            count = _spreadsheet_to_json(source, output, full)
        click.echo(f"Converted {count:,} release{'s' if count != 1 else ''} to {output}", err=True)
        return
    extensions = FULL_EXTENSIONS if full else TEMPLATE_EXTENSIONS
    fmt = extensions.get(output.suffix.lower())
    if fmt is None:
        _fail(f"Cannot write {output.name}", f"End the output file name with .json or {_choices(extensions)}.")
    with errors_exit_2():
        if full:
            from opencare.ocds.spreadsheets import json_to_spreadsheet

            json_to_spreadsheet(source, output, fmt)
        else:
            from opencare.ocds.spreadsheets.care_template import package_to_care_template

            package_to_care_template(_release_package(source), output, fmt)
    click.echo(f"Wrote {output}", err=True)


def _spreadsheet_to_json(source: Path, output: Path, full: bool) -> int:
    from opencare.ocds.spreadsheets import SpreadsheetError, detect_spreadsheet, spreadsheet_to_json
    from opencare.ocds.spreadsheets.archive import refuse_ole2
    from opencare.ocds.spreadsheets.care_template import care_template_to_json, is_care_template

    refuse_ole2(source)  # a password-protected workbook: say so, not that it is not the template
    fmt = detect_spreadsheet(source)
    if fmt is None:
        raise SpreadsheetError(
            f"{source.name} is not a spreadsheet",
            how_to_fix="Give an .xlsx or .ods workbook or a zip of CSV files, or a .json output to "
            "write a spreadsheet from JSON the other way round: opencare convert DATA.json -o DATA.xlsx.",
        )
    if full:
        spreadsheet_to_json(source, fmt, output)
        import orjson

        return len(orjson.loads(output.read_bytes()).get("releases") or [])
    if not is_care_template(source):
        raise SpreadsheetError(
            f"{source.name} is not the social-care template (it has no About the publisher, Contracts and "
            "Organisations sheets, or CSV files named for them)",
            how_to_fix="Fill in the template from `opencare template`, or convert a full-profile spreadsheet "
            "with --full.",
        )
    return len(care_template_to_json(source, output)["releases"])


def _release_package(source: Path) -> dict[str, Any]:
    """The release package in a JSON file, read with the readers' clear messages for broken JSON."""
    from opencare.ocds.readers import InputError, read_ocds

    with read_ocds(source) as data:
        if data.format != "release package":
            raise InputError(
                f"This is {data.format}, not a release package",
                how_to_fix='Give a release package: a JSON object with a "releases" array.',
            )
        releases = list(data.items())
        return {**data.metadata, "releases": releases}


def review_care_template(source: str) -> str:
    """For `opencare review`: a filled social-care template converted to a temporary JSON file whose path is
    returned (the caller deletes it), or the source itself if it is not the template."""
    from opencare.ocds.spreadsheets.care_template import care_template_to_json, is_care_template

    path = Path(source)
    if source == "-" or not path.is_file() or not is_care_template(path):
        return source
    handle, name = tempfile.mkstemp(prefix="opencare-template-", suffix=".json")
    os.close(handle)
    try:
        care_template_to_json(path, Path(name))
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return name


@contextlib.contextmanager
def errors_exit_2() -> Iterator[None]:
    """A spreadsheet, JSON or file that cannot be read or written: every problem on stderr and exit status 2."""
    from opencare.ocds.readers import InputError
    from opencare.ocds.spreadsheets import SpreadsheetError
    from opencare.ocds.spreadsheets.care_template import TemplateProblems

    try:
        yield
    except TemplateProblems as error:
        print_template_problems(error)
        sys.exit(2)
    except SpreadsheetError as error:
        where = f" ({error.sheet}{'!' + error.cell if error.cell else ''})" if error.sheet else ""
        _fail(f"{error.message}{where}", error.how_to_fix)
    except InputError as error:
        where = f" (line {error.line}, column {error.column})" if error.line is not None else ""
        _fail(f"Cannot read the input: {error.message}{where}", error.how_to_fix)
    except OSError as error:
        reason = error.strerror or str(error)
        _fail(f"Cannot write the output: {reason}", "Check that the folder exists and that you may write there.")


def print_template_problems(error: Any) -> None:
    """Each problem of a filled template on stderr, one a line, by sheet and cell."""
    errors = terminal.console(stderr=True)
    count = len(error.problems)
    errors.print(
        f"[bold red]The template has {count} problem{'s' if count != 1 else ''}; nothing was converted.[/bold red]",
        highlight=False,
    )
    for problem in error.problems:
        errors.print(str(problem), highlight=False, markup=False)


def _fail(message: str, how_to_fix: str) -> None:
    errors = terminal.console(stderr=True)
    errors.print(f"[bold red]{message}.[/bold red]", highlight=False)
    errors.print(f"How to fix it: {how_to_fix}", highlight=False, markup=False)
    sys.exit(2)


def _choices(extensions: dict[str, str]) -> str:
    names = list(extensions)
    return ", ".join(names[:-1]) + f" or {names[-1]}"
