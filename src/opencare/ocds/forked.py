"""A second process forked to share one command's work (a review, a compile, an import), and the one-way pipe its
results come back on.

Two things go wrong with a bare ``multiprocessing`` fork, and this module exists to prevent them:

- The child inherits the parent's end of the pipe. If the parent dies (killed, or stopped by an error), the child's
  next send then blocks for ever, as a pipe with a reader never breaks: an orphan process holding its memory. Here
  the child closes that end first, so its send fails at once and it ends.
- A parent that stops early (unreadable input in its own half) must not wait for the child to finish a half it no
  longer wants: ``stop()`` ends it at once.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


@dataclass
class Forked:
    """A forked worker: ``receiver`` gives what it sends; ``stop()`` when its results are in or no longer wanted."""

    process: BaseProcess
    receiver: Connection

    def stop(self) -> None:
        """End the worker (at once: anything it had left to send is not wanted) and close the pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receiver.close()


def fork(target: Callable[..., None], *args: Any) -> Forked:
    """Start ``target(*args, sender)`` in a forked process; what it sends arrives on the returned ``receiver``."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(receiver, sender, target, args), daemon=True)
    process.start()
    sender.close()
    return Forked(process, receiver)


def _run(receiver: Connection, sender: Connection, target: Callable[..., None], args: tuple[Any, ...]) -> None:
    receiver.close()  # only the parent reads: should it die, the next send here fails instead of blocking for ever
    try:
        target(*args, sender)
    except BrokenPipeError:
        pass  # the parent has gone or stopped listening: nothing is left to do
    finally:
        sender.close()
