"""The JSON provenance record written next to every output: what made it, from what, marked how."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.version import __version__

SCHEMA = "voxlip.provenance/1"
SUFFIX = ".provenance.json"


@dataclass(frozen=True)
class Component:
    """One model or algorithm that took part: its role, its checkpoint (or method) name and sha256.

    `neural` is False for voxlip's offline signal-processing fallbacks, which the UI and API label as such.
    """

    role: str
    checkpoint: str
    sha256: str = ""
    neural: bool = True

    @classmethod
    def of(cls, role: str, model) -> "Component":
        """From a model loaded by a voxlip loader (which keeps `checkpoint_name` and `checkpoint_sha256`)."""
        return cls(role, getattr(model, "checkpoint_name", "unknown"), getattr(model, "checkpoint_sha256", ""))

    @classmethod
    def offline(cls, role: str, method: str) -> "Component":
        return cls(role, method, "", neural=False)

    def describe(self) -> str:
        """E.g. "vocoder: rtvc-vocoder (neural, sha256 1a2b3c4d5e6f)" or "lip-sync: ... (offline signal processing)"."""
        how = f"neural, sha256 {self.sha256[:12]}" if self.neural and self.sha256 else "neural" if self.neural else "offline signal processing"
        return f"{self.role}: {self.checkpoint} ({how})"


@dataclass(frozen=True)
class ProvenanceRecord:
    output: dict
    """{"file": name, "kind": "audio"|"video", "sha256": of the final file}."""
    inputs: dict
    """{role: {"file": name, "sha256": ...}} for the reference voice, the face; "text_sha256"."""
    components: list[dict]
    watermarks: dict
    consent: dict
    """{"stated": bool, "statement": text}."""
    content_credentials: dict
    created: str = field(default_factory=lambda: datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
    generator: dict = field(default_factory=lambda: {"name": "voxlip", "version": __version__})
    schema: str = SCHEMA

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False)


def sha256_file(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_path(output: str | os.PathLike) -> Path:
    """Where the record of `output` lives: `out.wav` -> `out.wav.provenance.json`."""
    output = Path(output)
    return output.with_name(output.name + SUFFIX)


def describe_inputs(inputs: dict[str, str | os.PathLike], text: str | None = None) -> dict:
    described = {}
    for role, path in inputs.items():
        path = Path(path)
        if not path.is_file():
            raise InputError(f"the {role} input {path} does not exist, so it cannot be recorded")
        described[role] = {"file": path.name, "sha256": sha256_file(path)}
    if text is not None:
        described["text_sha256"] = sha256_text(text)
    return described


def write_record(output: str | os.PathLike, record: ProvenanceRecord) -> Path:
    """Write the record next to `output`, atomically."""
    path = record_path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(record.to_json() + "\n")
    os.replace(tmp, path)
    return path


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
