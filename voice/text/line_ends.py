"""Line breaks a voice would read as spaces, ended as sentences where the text shows they end one (`lines_ended`)."""

from __future__ import annotations

import re

_UNENDED_LINE_RE = re.compile(r"(?:[^\W_]|[%)\]'\"”’])[ \t\r]*$")
"""A line whose last word has no mark after it."""
_LEAD_IN_LINE_RE = re.compile(r"(?:[^\W_]|[%)\]'\"”’]):[ \t\r]*$")
"""A line that ends with a colon after its last word: it leads into the lines after it (a list's items)."""
_GOING_ON_WORDS = frozenset("a an and but for from in of on or that the to with".split())
"""A line's last word that says its sentence goes on in the next ("I went to the shop and\nbought milk")."""
_LINE_BEGINS_ANEW_RE = re.compile(r"[ \t]*(?:$|[-*+•◦‣▪·–—>]|\d{1,2}[.)]\s|[a-z][.)]\s)")
"""How a line starts that begins anew whatever came before: it is blank, or opens with a bullet or a list's number or
letter ("1.", "a)")."""
_CAPITAL_START_RE = re.compile(r"[ \t]*[A-Z]")
SHORT_LINE = 30
"""A line of at most this many characters is one of a list, a poem or an address even when the next starts in lower
case ("milk\neggs"); prose wrapped at a width has longer lines."""
WRAP_WIDTH_LEAST = 40
"""Text whose longest line has at least this many characters may be prose wrapped at that width: a line there that
the next line's first word would have made longer than it was broken by the wrapping, not by its writer."""


def lines_ended(text: str) -> str:
    """`text` with a full stop after each line that ends without a mark (`_UNENDED_LINE_RE`; not after a word such
    as "and", `_GOING_ON_WORDS`) where the next begins anew (`_LINE_BEGINS_ANEW_RE`: a paragraph, a list's item), or,
    unless the break is a wrap (`WRAP_WIDTH_LEAST`), where the next starts with a capital (a title, a poem's line) or
    the line is short (`SHORT_LINE`): a voice reads a line break as a space, which would run "Roses are red\nViolets
    are blue" on and read a list's "2." into the line before it ("the oven two. Mix"). Prose wrapped at a width reads
    on, whatever its next line starts with ("the train came\nI was", "my aunt\nMargaret"). The colon of a line that
    leads into a line of text after it (`_LEAD_IN_LINE_RE`) is a full stop where that line would end so, if not
    for being short ("Note:\n  the"), so that "Three things:" is not read into the first item ("things: A slot.")."""
    lines = text.split("\n")
    width = max(len(line.rstrip()) for line in lines)
    for i, (line, after) in enumerate(zip(lines, lines[1:])):
        words = line.split()
        lead_in = _LEAD_IN_LINE_RE.search(line) and after.strip()
        if not lead_in and (
            not _UNENDED_LINE_RE.search(line) or words[-1].strip("%)]'\"”’").lower() in _GOING_ON_WORDS
        ):
            continue
        wrapped = width >= WRAP_WIDTH_LEAST and len(line.rstrip()) + 1 + len((after.split() or [""])[0]) > width
        if _LINE_BEGINS_ANEW_RE.match(after) or (
            not wrapped and (_CAPITAL_START_RE.match(after) or (not lead_in and len(line.strip()) <= SHORT_LINE))
        ):
            ended = line.rstrip().removesuffix(":") if lead_in else line.rstrip()
            lines[i] = ended + "." + ("\r" if line.endswith("\r") else "")
    return "\n".join(lines)
