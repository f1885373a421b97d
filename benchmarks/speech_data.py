"""The recordings the voice evaluations read: the shared LibriSpeech speakers, or a folder of your own.

A folder holds one recording per speaker, in any format voxlip reads (whatever ffmpeg decodes: voxlip goes by what
a file holds, not by its name, so there is no list of endings); the file name, without its extension, names the
speaker. A `speakers.csv` beside them, with `file` and `sex` columns (separated by '|', as
the shared data's, or by ',', ';' or tabs; sex F/M or female/male, any case), adds the rows for women and men;
without it every speaker's sex is "?".

Every other file of the folder that voxlip cannot read as audio (recordings), and every recording it cannot clone a
voice from (too little speech, no voice heard in it: usable_recordings), is left out of an evaluation, named with
voxlip's own reason (Skipped), and the table is made of the rest.
"""

from __future__ import annotations

import contextlib
import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import VoxlipError
from voice.audio import decode
from voice.speaker import cleaned_reference, voicing_note

if TYPE_CHECKING:  # torch and onnxruntime, which eval_watermark.py's use of `positive` does without
    from voice.encoder import SpeakerEncoder

SPEAKERS_CSV = "speakers.csv"
"""The file of a folder that names its speakers' sex, not a recording."""
CSV_SEPARATORS = "|\t;,"
"""Tried in this order: a comma may sit inside a header of a file separated by tabs or ';'."""
SEXES = {"f": "F", "female": "F", "m": "M", "male": "M"}
"""speakers.csv's sex values (lower-cased) -> the table's rows."""


def recordings(folder: Path, skipped: Skipped) -> list[Path]:
    """The files in `folder` voxlip reads as audio, in name order; every other file but its speakers.csv goes to
    `skipped`, with voxlip's reason. A `folder` that does not exist, or is a file, ends the evaluation saying so."""
    if not folder.exists():
        raise SystemExit(f"{folder} does not exist: give a folder of recordings, one per speaker")
    if not folder.is_dir():
        raise SystemExit(
            f"{folder} is a file, not a folder: give a folder of recordings, one per speaker (e.g. {folder.parent})"
        )
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != SPEAKERS_CSV)
    return [path for path in files if readable(path, skipped)]


def readable(path: Path, skipped: Skipped) -> bool:
    """Whether voxlip reads `path` as audio (its first second); if not, it goes to `skipped` with the reason."""
    with skipped.on_error(path.name):
        decode(path, max_seconds=1.0)
        return True
    return False


def speaker_sexes(folder: Path) -> dict[str, str]:
    """File name -> "F" or "M", from the folder's speakers.csv; empty without one. What it cannot read (no `file` and
    `sex` columns, a sex other than F/M/female/male) is said on stderr, and those speakers' sex is "?"."""
    path = folder / SPEAKERS_CSV
    if not path.is_file():
        return {}
    sexes, problems = parse_speakers_csv(path.read_text(encoding="utf-8-sig"))
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    return sexes


def parse_speakers_csv(text: str) -> tuple[dict[str, str], list[str]]:
    """(file name -> "F" or "M", what was not understood) of a speakers.csv's text."""
    header = text.partition("\n")[0]
    separator = next((s for s in CSV_SEPARATORS if s in header), "|")
    reader = csv.DictReader(text.splitlines(), delimiter=separator)
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if "file" not in columns or "sex" not in columns:
        return {}, [
            f"no 'file' and 'sex' columns in its first line (found: {', '.join(columns) or 'nothing'}), so no rows "
            "by sex; give e.g. 'file|sex' then '19-198-0000.flac|F'"
        ]
    sexes, unknown = {}, []
    for row in reader:
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if not row["file"]:
            continue
        sex = SEXES.get(row["sex"].lower())
        if sex:
            sexes[row["file"]] = sex
        else:
            unknown.append(f"{row['file']} ({row['sex']!r})")
    problems = [f"sex not understood for {', '.join(unknown)}: give F or M (or female, male); counted as '?'"]
    return sexes, problems if unknown else []


def unusable_reason(encoder: SpeakerEncoder, path: Path) -> str:
    """Why voxlip cannot clone a voice from the recording, in its own words (it cannot read it, finds too little
    speech, or hears no voice in it: voice.speaker.voicing_note); "" if it can."""
    try:
        wave = cleaned_reference(encoder, path)
    except VoxlipError as error:
        return str(error)
    return voicing_note(wave)


class Skipped(dict[str, str]):
    """Recordings (or pairs of them) left out of an evaluation: name -> reason, each printed as it is left out."""

    def __setitem__(self, name: str, reason: str) -> None:
        super().__setitem__(name, reason)
        print(f"  {name}: skipped: {reason}", flush=True)

    def add(self, name: str, reason: str) -> None:
        self[name] = reason

    @contextlib.contextmanager
    def on_error(self, name: str) -> Iterator[None]:
        """Leave `name` out, with voxlip's message, when the block raises one of voxlip's errors."""
        try:
            yield
        except VoxlipError as error:
            self.add(name, str(error))

    def summary(self) -> str:
        """One line per recording left out, for after the table; "" if none was."""
        return "".join(f"\nskipped {name}: {reason}" for name, reason in self.items())


def usable_recordings(files: list[Path], encoder: SpeakerEncoder, skipped: Skipped) -> list[Path]:
    """The files voxlip can clone a voice from; the others go to `skipped` with the reason."""
    usable = []
    for path in files:
        reason = unusable_reason(encoder, path)
        if reason:
            skipped.add(path.name, reason)
        else:
            usable.append(path)
    return usable


def too_few(needed: int, what: str, folder: Path, usable: list[Path], skipped: Skipped) -> SystemExit:
    """The exit for fewer than `needed` usable recordings in `folder`, naming those left out and why."""
    reasons = "; ".join(f"{name}: {reason}" for name, reason in skipped.items()) or "none"
    return SystemExit(
        f"need at least {needed} {what} with usable speech in {folder}, found {len(usable)}; skipped: {reasons}; "
        "give one recording per speaker, each a few seconds of that person speaking"
    )
