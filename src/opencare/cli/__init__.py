"""The ``opencare`` command: everything a person does from a terminal.

Each group of commands has its module; this one makes them the one command. Importing it imports neither Django
nor rich: the commands start them when they need them, so that ``opencare review`` and ``compile`` start sooner.
"""

from __future__ import annotations

import click

from opencare.cli import backups, import_harvest, review_compile, scheduled, serving, spreadsheet_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="opencare")
def main() -> None:
    """opencare: open tendering and open performance for publicly funded social care."""


for command in (
    serving.setup,
    serving.demo,
    serving.serve,
    serving.worker,
    review_compile.profile,
    review_compile.review,
    review_compile.compile_command,
    spreadsheet_commands.template,
    spreadsheet_commands.convert,
    import_harvest.import_data,
    import_harvest.harvest,
    import_harvest.import_cqc,
    scheduled.bulk,
    scheduled.publish_feedback,
    backups.export_all,
    backups.restore,
    serving.manage,
):
    main.add_command(command)
