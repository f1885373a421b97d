"""Text read from files and file names, made safe to print on a terminal."""

from __future__ import annotations

import re

_UNPRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
"""Control characters, C0 (line breaks and ESC among them), DEL and C1, and the lone surrogates Python reads a file
name's bytes that are not UTF-8 as (which print could not write)."""


def printable(text: str) -> str:
    """`text` with each control character and lone surrogate written as its escape ("\\x1b", "\\n", "\\udcff"): a
    file's name or a field read from a file shows as it is, cannot hide, recolour or break the lines printed around it,
    and prints."""
    return _UNPRINTABLE_RE.sub(lambda match: match[0].encode("unicode_escape").decode("ascii"), text)
