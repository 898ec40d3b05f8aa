"""What the commands print to the terminal: rich's consoles, progress displays and tables.

rich is imported only when something is printed with it, so that ``opencare review`` and ``compile`` start sooner.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table


def console(stderr: bool = False) -> Console:
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


def progress_bar(errors: Console, disable: bool = False) -> Progress:
    """A spinner, the task's description and the time taken, cleared when done."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=errors,
                    transient=True, disable=disable)  # fmt: skip


def table(title: str) -> Table:
    """A rich table with this title."""
    from rich.table import Table

    return Table(title=title)


@contextlib.contextmanager
def steps(errors: Console, verb: str) -> Iterator[Callable[[str], None]]:
    """A line on stderr saying what a long command is doing, when stderr is a terminal."""
    with progress_bar(errors, disable=not errors.is_terminal) as bar:
        task = bar.add_task(verb)
        yield lambda step: bar.update(task, description=step)
