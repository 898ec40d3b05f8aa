"""Any source opened as a fresh seekable binary stream for each pass: a plain file opened afresh, and standard input,
streams and gzip copied to a temporary file first, refusing a gzip bomb (by its expansion ratio) and endless input.
"""

from __future__ import annotations

import gzip
import io
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Any, BinaryIO

from opencare.ocds.input_errors import InputError
from opencare.ocds.parser_guard import CHUNK, ByteReader

#: A gzip stream may expand this much whatever its ratio (small, very repetitive data compresses very well)...
GZIP_RATIO_FREE_BYTES = 100 * 1000 * 1000
#: ... and past that, at most this many times its compressed size: OCDS JSON compresses 10-20 times; a gzip bomb
#: (a small file that expands to fill the disk when it is copied to a temporary file) thousands of times.
MAX_GZIP_RATIO = 200


def seekable_opener(source: str | Path | BinaryIO, max_stream_bytes: int | None = None) -> Any:
    """A function that opens the data as a fresh seekable binary stream each time it is called."""
    if isinstance(source, str | Path) and str(source) != "-":
        path = Path(source)
        if not path.is_file():
            raise InputError(f"There is no file at {path}", how_to_fix="Check the file name and path.")
        with path.open("rb") as handle:
            magic = handle.read(2)
        if magic == b"\x1f\x8b":
            with path.open("rb") as compressed:
                return _spooled(_gunzipped(compressed))
        return _PathOpener(path)
    stream = sys.stdin.buffer if str(source) == "-" else source
    assert not isinstance(stream, str | Path)
    return _spooled(_maybe_gunzipped(stream), max_stream_bytes)


class _PathOpener:
    """Opens a plain file afresh each time, so several passes (and processes) each have their own position."""

    def __init__(self, path: Path):
        self.path = path

    def __call__(self) -> BinaryIO:
        return self.path.open("rb")


def _maybe_gunzipped(stream: BinaryIO) -> ByteReader:
    """The stream, expanded if it is gzip: told by its first two bytes, peeked so that they are still read after."""
    # typing.BinaryIO does not declare readinto, which BufferedReader calls; every binary stream has it.
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[type-var]
    if buffered.peek(2)[:2] == b"\x1f\x8b":
        return _gunzipped(buffered)
    return buffered


def _gunzipped(stream: ByteReader) -> _Gunzipped:
    return _Gunzipped(stream)


class _Gunzipped(gzip.GzipFile):
    """Expands gzip, counting the compressed bytes read, so a gzip bomb is found by its expansion ratio."""

    def __init__(self, stream: ByteReader):
        self.compressed = _CountingReader(stream)
        super().__init__(fileobj=self.compressed, mode="rb")

    def expansion_limit(self) -> int:
        """How far it may have expanded by now: GZIP_RATIO_FREE_BYTES, or MAX_GZIP_RATIO times what was read."""
        return max(GZIP_RATIO_FREE_BYTES, self.compressed.count * MAX_GZIP_RATIO)


class _CountingReader:
    def __init__(self, stream: ByteReader):
        self.stream = stream
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.count += len(data)
        return data

    def seek(self, offset: int, /) -> int:
        """Refused: the stream is read once, from the start (gzip seeks only to rewind, which the readers never do)."""
        raise io.UnsupportedOperation("seek")


def _spooled(stream: ByteReader, max_bytes: int | None = None) -> _Spool:
    """Copy a one-pass stream to a temporary file (on disk, constant memory) so it can be read twice.

    Gzip is refused once it expands too far for its size: a gzip bomb would fill the disk. So is a stream longer
    than ``max_bytes``, which stops endless input.
    """
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the reader's passes; closed with the process)
    try:
        while chunk := stream.read(CHUNK):
            spool.write(chunk)
            if max_bytes is not None and spool.tell() > max_bytes:
                spool.close()
                raise InputError(
                    f"The input is longer than {max_bytes:,} bytes, the most read from standard input, so reading "
                    "stopped there (is it endless?)",
                    how_to_fix="Save the data to a file and give the file's name instead of -, or set "
                    "OPENCARE_STDIN_MAX_BYTES to allow more.",
                )
            if isinstance(stream, _Gunzipped) and spool.tell() > (limit := stream.expansion_limit()):
                spool.close()
                raise InputError(
                    f"The gzip data expands to more than {limit:,} bytes, over {MAX_GZIP_RATIO} times its own "
                    "size, so it is refused as a possible gzip bomb",
                    how_to_fix="Check the file: OCDS data compresses 10 to 20 times, not this much. Expand it "
                    "yourself and give the expanded file if it is real.",
                )
    except (OSError, EOFError, zlib.error) as error:
        spool.close()
        raise InputError(
            f"The gzip data is damaged or cut short ({error})", how_to_fix="Compress the file again and re-send it."
        ) from None

    return _Spool(spool)


class _Spool:
    """Opens the temporary copy for each pass (rewound); ``close`` deletes it."""

    def __init__(self, spool: BinaryIO):
        self.spool = spool

    def __call__(self) -> _Spool:
        return self

    def __enter__(self) -> BinaryIO:
        self.spool.seek(0)
        return self.spool

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        """Delete the copy."""
        self.spool.close()
