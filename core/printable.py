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


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """`text` with each lone surrogate written as its escape: one that stands for a byte of a file name that is not
    UTF-8 as that byte ("\\xe9"), any other as itself ("\\ud800"). What a record or content credentials give as a
    file's name: JSON readers and C2PA refuse lone surrogates."""
    return _SURROGATE_RE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    code = ord(match[0])
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"
