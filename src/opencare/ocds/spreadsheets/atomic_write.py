"""Writing an output file whole or not at all, so that a failure leaves nothing behind."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def write_atomically(output: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` with a temporary path beside ``output`` (what it returns is ignored), then move it into place;
    on failure, delete it."""
    temporary = output.with_name(f".{output.name}.{secrets.token_hex(8)}.part")
    # Created like any new file (permissions from the umask), unlike mkstemp's owner-only files.
    os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        write(temporary)
        temporary.replace(output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
