"""A Piper voice's own settings, read from the `.onnx.json` published beside each `.onnx`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import CheckpointError

PAD, BOS, EOS = "_", "^", "$"


@dataclass(frozen=True)
class PiperConfig:
    """What Piper's export wrote about a voice: its rate, phonemizer voice, symbols and noise settings."""

    sample_rate: int
    espeak_voice: str
    phoneme_ids: dict[str, tuple[int, ...]]
    noise_scale: float = 0.667
    length_scale: float = 1.0
    noise_w: float = 0.8
    num_speakers: int = 1
    speaker_ids: dict[str, int] = field(default_factory=dict)
    """A multi-speaker voice's speaker names (e.g. LibriTTS's "p3922") and their ids, as its speaker_id_map."""
    language: str = ""
    dataset: str = ""

    @classmethod
    def read(cls, path: Path) -> PiperConfig:
        """Parse `path`; anything that is not a Piper voice's JSON is refused with what to do."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CheckpointError(
                f"{path} is missing: a Piper voice is two files, VOICE.onnx and VOICE.onnx.json; "
                "put the .onnx.json published with the voice next to its .onnx"
            ) from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
            raise CheckpointError(f"{path} is not a Piper voice's JSON ({e}); download it again") from None
        try:
            if data.get("phoneme_type", "espeak") != "espeak":
                raise CheckpointError(
                    f"{path}: this Piper voice takes {data['phoneme_type']!r} phonemes; "
                    "voxlip speaks through espeak-ng phonemes only: choose an espeak voice"
                )
            inference = data.get("inference", {})
            language = data.get("language", {})
            config = cls(
                sample_rate=int(data["audio"]["sample_rate"]),
                espeak_voice=str(data["espeak"]["voice"]),
                phoneme_ids={str(k): tuple(int(i) for i in v) for k, v in data["phoneme_id_map"].items()},
                noise_scale=float(inference.get("noise_scale", 0.667)),
                length_scale=float(inference.get("length_scale", 1.0)),
                noise_w=float(inference.get("noise_w", 0.8)),
                num_speakers=int(data.get("num_speakers", 1)),
                speaker_ids={str(k): int(v) for k, v in (data.get("speaker_id_map") or {}).items()},
                language=str(language.get("code", "")) if isinstance(language, dict) else str(language),
                dataset=str(data.get("dataset", "")),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise CheckpointError(
                f"{path} is not a Piper voice's JSON (no valid {e} field); use the .onnx.json published with the voice"
            ) from None
        missing = [s for s in (PAD, BOS, EOS) if s not in config.phoneme_ids]
        if missing:
            raise CheckpointError(f"{path}: its phoneme_id_map lacks {' '.join(missing)}; it is not a Piper voice")
        return config
