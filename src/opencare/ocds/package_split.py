"""A package file split in two at a comma between two items, so two processes can each parse half of it."""

from __future__ import annotations

from pathlib import Path

from opencare.ocds.item_stream import OcdsInput


class _Spliced:
    """Bytes from a file between two offsets, with bytes put before and after: half a package, made whole."""

    def __init__(self, path: Path, start: int, end: int | None, before: bytes, after: bytes):
        self.handle = path.open("rb")
        self.handle.seek(start)
        self.remaining = None if end is None else end - start
        self.pending = before
        self.after = after

    def read(self, size: int = -1) -> bytes:
        """The bytes before, then the file's bytes between the offsets, then the bytes after."""
        if size == 0:
            return b""
        if self.pending:
            data, self.pending = self.pending, b""
            return data
        if self.remaining != 0:
            want = size if self.remaining is None else min(size, self.remaining)
            data = self.handle.read(want)
            if self.remaining is not None:
                self.remaining -= len(data)
            if data:
                return data
            self.remaining = 0
        data, self.after = self.after, b""
        return data

    def __enter__(self) -> _Spliced:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def half(data: OcdsInput, split: int, *, first: bool) -> OcdsInput:
    """The package's items before (first) or after the split point, as an input of its own."""
    assert data.path is not None
    path, key = data.path, data.prefix.split(".")[0]

    def opener() -> _Spliced:
        if first:  # up to the comma, then close the array and the package
            return _Spliced(path, 0, split - 1, b"", b"]}")
        return _Spliced(path, split, None, b'{"' + key.encode() + b'":[', b"")

    items_range = None
    if data.items_range is not None:
        items_range = (data.items_range[0], split - 1) if first else (split, data.items_range[1])
    return OcdsInput(format=data.format, kind=data.kind, metadata=data.metadata, path=None, opener=opener,
                     prefix=data.prefix, multiple=False, check_depth=not data.depth_checked,
                     items_file=data.items_file, items_range=items_range)  # fmt: skip
