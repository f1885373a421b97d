"""The recordings the voice evaluations read: the shared LibriSpeech speakers, or a folder of your own.

A folder holds one recording per speaker (FLAC, WAV, MP3, Ogg, M4A or Opus; the file name, without its
extension, names the speaker). A `speakers.csv` beside them, with `file` and `sex` columns (separated by '|', as
the shared data's, or by ',', ';' or tabs; sex F/M or female/male, any case), adds the rows for women and men;
without it every speaker's sex is "?".
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech" / "librispeech"
AUDIO_SUFFIXES = (".flac", ".wav", ".mp3", ".ogg", ".m4a", ".opus")
CSV_SEPARATORS = "|,;\t"
SEXES = {"f": "F", "female": "F", "m": "M", "male": "M"}
"""speakers.csv's sex values (lower-cased) -> the table's rows."""


def recordings(folder: Path) -> list[Path]:
    """The recordings in `folder`, in name order; none if it is not a folder."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())


def speaker_sexes(folder: Path) -> dict[str, str]:
    """File name -> "F" or "M", from the folder's speakers.csv; empty without one. What it cannot read (no `file` and
    `sex` columns, a sex other than F/M/female/male) is said on stderr, and those speakers' sex is "?"."""
    path = folder / "speakers.csv"
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
