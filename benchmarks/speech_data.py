"""The recordings the voice evaluations read: the shared LibriSpeech speakers, or a folder of your own.

A folder holds one recording per speaker (FLAC, WAV, MP3, Ogg, M4A or Opus; the file name, without its
extension, names the speaker). A `speakers.csv` beside them ('|'-separated, with `file` and `sex` columns, as
the shared data's) adds the rows for women and men; without it every speaker's sex is "?".
"""

from __future__ import annotations

import csv
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech" / "librispeech"
AUDIO_SUFFIXES = (".flac", ".wav", ".mp3", ".ogg", ".m4a", ".opus")


def recordings(folder: Path) -> list[Path]:
    """The recordings in `folder`, in name order; none if it is not a folder."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())


def speaker_sexes(folder: Path) -> dict[str, str]:
    """File name -> sex, from the folder's speakers.csv; empty without one (or if it lacks those columns)."""
    path = folder / "speakers.csv"
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="|"))
    return {row["file"]: row["sex"] for row in rows if row.get("file") and row.get("sex")}
