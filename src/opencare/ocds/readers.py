"""Read OCDS data of any common shape, streaming, in constant memory, with clear messages for broken input.

Shapes: a release package, a record package, a single release or record, an array of releases, JSON Lines or
concatenated JSON (of releases, records or packages); any of them gzipped. Paths, ``-`` for standard input, or a
binary stream.

Two passes over the bytes: the first reads the package metadata that comes before the ``releases``/``records``
array (so the schema can be chosen), the second streams each release or record with ijson's C backend. Input that is
not a seekable file (standard input, gzip) is first copied to a temporary file. A guard between the file and the
parser rejects nesting deeper than MAX_DEPTH and invalid UTF-8 before the parser sees them, because ijson slows down
quadratically with depth (40,000 levels took 6 s).

This module is the public entry; the work is done by the modules it names:
- ``seekable_input``: the source opened afresh for each pass (streams and gzip copied, the gzip-bomb guard);
- ``shape_detection``: the shape and the package metadata;
- ``item_stream``: OcdsInput and the stream of its items;
- ``parser_guard``: the depth guard and the parser's errors as messages with a line and column;
- ``package_split``: a package split in two for two processes;
- ``input_errors``: InputError.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from opencare.ocds.byte_layout import MAX_DEPTH
from opencare.ocds.input_errors import InputError
from opencare.ocds.item_stream import OcdsInput
from opencare.ocds.package_split import half
from opencare.ocds.seekable_input import seekable_opener
from opencare.ocds.shape_detection import detect_shape

__all__ = ["MAX_DEPTH", "InputError", "OcdsInput", "half", "read_ocds"]


def read_ocds(source: str | Path | BinaryIO, *, max_stream_bytes: int | None = None) -> OcdsInput:
    """Open the source and detect its shape. Raises InputError for anything that is not readable OCDS JSON.

    Standard input and streams are copied to a temporary file first; ``max_stream_bytes`` refuses one longer than
    that (endless input, such as `yes '{}' | opencare review -`, would otherwise fill the disk).
    """
    try:
        opener = seekable_opener(source, max_stream_bytes)
    except OSError as error:
        raise _cannot_open(source, error) from None
    try:
        return detect_shape(opener)
    except OSError as error:
        close = getattr(opener, "close", None)
        if close is not None:
            close()
        raise _cannot_open(source, error) from None
    except BaseException:
        close = getattr(opener, "close", None)
        if close is not None:
            close()  # a refused stream leaves no temporary copy behind
        raise


def _cannot_open(source: str | Path | BinaryIO, error: OSError) -> InputError:
    where = source if isinstance(source, str | Path) else "the input"
    return InputError(
        f"{where} cannot be read ({error.strerror or error})",
        how_to_fix="Check that the file exists, is a file (not a folder) and that you may read it.",
    )
