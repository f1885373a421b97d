"""The JSON provenance record written next to every output: what made it, from what, marked how."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from core.errors import InputError
from core.files import InputData, InputFile, atomic_output
from core.printable import valid_unicode
from core.version import __version__

SCHEMA = "voxlip.provenance/1"
SUFFIX = ".provenance.json"


@dataclass(frozen=True)
class ProvenanceRecord:
    output: dict
    """{"file": name, "kind": "audio"|"video", "sha256": of the final file}."""
    inputs: dict
    """{role: {"file": name, "sha256": ...}} for the reference voice, the face, ... given as files; {role: {"given":
    what it was, "sha256": of its data}} for those given in memory (samples, a picture, a moviepy clip); "text_sha256".
    """
    components: list[dict]
    watermarks: dict
    consent: dict
    """{"stated": bool, "statement": text}."""
    content_credentials: dict
    settings: dict | None
    """What the output was made with (`recorded_settings`): {"voice": {"seed", "device", the components asked for,
    "language", "offline": the offline voice's settings, ...}} for speech voxlip made, {"lipsync": {"seed", "device",
    "model", "face_detector", and LipsyncOptions' fields}} for a clip's lip-sync (both for `run`); files by their names
    alone. None where that is not known (`finish_output` of an output made elsewhere)."""
    environment: dict
    """The software it was made with (environment.current_environment): Python, the platform, the packages' versions,
    ffmpeg."""
    created: str = field(
        default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    )
    generator: dict = field(default_factory=lambda: {"name": "voxlip", "version": __version__})
    schema: str = SCHEMA

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


def recorded_settings(settings: dict) -> dict:
    """`settings` as a record holds them, in JSON's types (a tuple as a list): refused where a value is none of them
    (TypeError) or not a number JSON holds (ValueError: NaN, infinity)."""
    return json.loads(json.dumps(settings, allow_nan=False, default=_plain))


def _plain(value: object) -> object:
    """A NumPy number or array given as a setting (LipsyncOptions(face_index=np.int64(0)) is taken) as the Python
    number or list it holds; TypeError for anything else JSON cannot hold."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"a setting of type {type(value).__name__} cannot be recorded")


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_path(output: str | os.PathLike) -> Path:
    """Where the record of `output` lives: `out.wav` -> `out.wav.provenance.json`."""
    output = Path(output)
    return output.with_name(output.name + SUFFIX)


def describe_inputs(inputs: dict[str, str | os.PathLike | InputFile | InputData], text: str | None = None) -> dict:
    """Each input's name and sha256 (an InputFile's as it was read; a path's now; for one given in memory, what it
    was and its data's sha256), and the text's sha256."""
    described: dict = {}
    for role, given in inputs.items():
        if isinstance(given, InputData):
            described[role] = {"given": given.what, "sha256": given.sha256}
            continue
        if not isinstance(given, InputFile):
            if not Path(given).is_file():
                raise InputError(f"the {role} input {given} does not exist, so it cannot be recorded")
            given = InputFile.read(given)
        described[role] = {"file": valid_unicode(given.path.name), "sha256": given.sha256}
    if text is not None:
        described["text_sha256"] = sha256_text(text)
    return described


def write_record(output: str | os.PathLike, record: ProvenanceRecord) -> Path:
    """Write the record next to `output`, atomically."""
    path = record_path(output)
    with atomic_output(path) as partial:
        save_record(partial, record)
    return path


def save_record(file: Path, record: ProvenanceRecord) -> None:
    """The record as JSON in `file` (a temporary file that the caller moves into place)."""
    file.write_text(record.to_json() + "\n", encoding="utf-8")


def read_record(output: str | os.PathLike) -> dict | None:
    """The record next to `output`, or None if there is none or it is not voxlip's JSON."""
    path = record_path(output)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else None
