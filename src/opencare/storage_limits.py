"""Sizes and space: byte counts as people say them, and telling a full disk from other failures to write.

Used wherever files are kept (the Data Review Tool's store, publishers' documents), so that a file over a limit and
a disk that is full are each refused with a clear message, never a 500.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

#: The errors a write gets when the disk (or the user's quota on it) is full.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def human_size(count: int) -> str:
    """A byte count as people say it: 200 MB, 1.5 GB."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


def size_and_limit(size: int, limit: int) -> tuple[str, str]:
    """A size over a limit and the limit, in words that show the difference: a file one byte over a 200 MB limit is
    '200,000,001 bytes', over 'the 200 MB (200,000,000 bytes)' limit, not '200 MB' over '200 MB'."""
    if human_size(size) != human_size(limit):
        return human_size(size), human_size(limit)
    return f"{size:,} bytes", f"{human_size(limit)} ({limit:,} bytes)"


def is_disk_full(error: BaseException) -> bool:
    """True when a write failed because there is no room left (ENOSPC, or EDQUOT for a quota)."""
    return isinstance(error, OSError) and error.errno in DISK_FULL


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under a folder (0 if it is not there), a file with several names counted once."""
    total = 0
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except FileNotFoundError:
            continue  # deleted while we looked (an expired review)
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    if (stat.st_dev, stat.st_ino) not in seen:
                        seen.add((stat.st_dev, stat.st_ino))
                        total += stat.st_size
            except FileNotFoundError:
                continue
    return total
