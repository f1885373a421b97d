"""The colour profile a HEIF picture (a phone's HEIC photo, an AVIF) carries in its header: ffmpeg decodes the
pixels without it and Pillow does not open HEIC, so a Display P3 photo would come out duller than it shows."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

CONTAINERS = {b"meta": 4, b"iprp": 0, b"ipco": 0}
"""The boxes on the way from the header to the colour property, and the bytes (version and flags) before their
children."""
MAX_META_BYTES = 16 * 1024 * 1024
"""A header larger than this is not a picture's: it is not read."""


def icc_profile(path: Path) -> bytes | None:
    """The ICC profile of the first colour property holding one ('colr' of type 'prof' or 'rICC'); None when the file
    has none, or is not HEIF."""
    try:
        with open(path, "rb") as file:
            meta = _top_level_box(file, b"meta")
    except OSError:
        return None
    return None if meta is None else _find_profile(meta, CONTAINERS[b"meta"], len(meta))


def _top_level_box(file: BinaryIO, wanted: bytes) -> bytes | None:
    """The body of the first top-level box of type `wanted`, skipping the others (a photo's data may come first)."""
    while True:
        header = file.read(8)
        if len(header) < 8:
            return None
        size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if size == 1:
            large = file.read(8)
            if len(large) < 8:
                return None
            size, header_size = struct.unpack(">Q", large)[0], 16
        if size != 0 and size < header_size:
            return None
        if kind == wanted:
            length = MAX_META_BYTES if size == 0 else size - header_size
            return file.read(length) if length <= MAX_META_BYTES else None
        if size == 0:
            return None
        file.seek(size - header_size, 1)


def _find_profile(data: bytes, start: int, end: int) -> bytes | None:
    """Depth first through CONTAINERS, the first 'colr' box with an ICC profile between `start` and `end`."""
    while start + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, start)
        if size < 8 or start + size > end:
            return None
        body = start + 8
        if kind == b"colr" and data[body : body + 4] in (b"prof", b"rICC") and start + size > body + 4:
            return bytes(data[body + 4 : start + size])
        if kind in CONTAINERS:
            found = _find_profile(data, body + CONTAINERS[kind], start + size)
            if found is not None:
                return found
        start += size
    return None
