"""How a command's process runs: Django started only by the commands that need it (the OCDS engine commands never
do, and start sooner without it), and Python's cycle collector paused while a big input is read."""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator


def start_django() -> None:
    """Start Django for the commands that use the database; the OCDS engine commands never need it."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencare.config.settings")
    django.setup()


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
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
