"""Fingerprints of what voxlip makes: a fixed set of say / stream / lipsync / run calls, hashed.

Run it before and after a change that should not change behaviour, and compare the two files:

    .venv/bin/python scripts/behaviour_hashes.py -o before.json
    ... change the code ...
    .venv/bin/python scripts/behaviour_hashes.py -o after.json --compare before.json

Each call runs through the Python API on the offline defaults and on seeded checkpoints in the
public formats (`../shared/compat/seeded.py`). What is hashed is what a user hears and sees: the
speech samples and their phone timings, and a clip's decoded frames and soundtrack (not the MP4
container, whose content credentials are signed anew each time). The components and notes each
result names are recorded as text beside the hashes.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("VOXLIP_SHARED", REPO.parent / "shared"))
TEXT = "The quick brown fox jumps over the lazy dog."
LONG_TEXT = "Hello there, my good friend. This longer sentence follows, with more words in it."


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _seeded_checkpoints(folder: Path) -> dict[str, Path]:
    """The seeded checkpoints the calls load, written once into `folder`."""
    spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", SHARED / "compat" / "seeded.py")
    seeded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seeded)
    files = {
        "rtvc_tacotron": "synthesizer.pt",
        "rtvc_wavernn": "vocoder.pt",
        "hifigan_v3": "hifigan/generator_v3",
        "wav2lip": "wav2lip.pth",
    }
    paths = {}
    for name, filename in files.items():
        manifest = seeded.load_manifest(SHARED / "compat" / "manifests" / f"{name}.json")
        if not seeded.check_manifest_digest(manifest):
            sys.exit(f"this torch build draws other seeded numbers for {name}: the fingerprints do not apply")
        path = folder / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        seeded.write_checkpoint(manifest, str(path))
        if name == "hifigan_v3":
            (path.parent / "config.json").write_text(json.dumps(manifest["hparams"]))
        paths[name] = path
    return paths


def _speech_entry(speech) -> dict:
    samples = np.ascontiguousarray(speech.samples, dtype=np.float32)
    phones = json.dumps([[p, round(s, 6), round(e, 6)] for p, s, e in speech.phones or []])
    return {
        "samples": _digest(samples.tobytes()),
        "sample_rate": speech.sample_rate,
        "length": len(samples),
        "phones": _digest(phones.encode()),
        "components": [c.describe() for c in speech.components],
        "notes": list(speech.notes),
    }


def _clip_entry(clip) -> dict:
    import imageio_ffmpeg

    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    frames = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(clip.path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    audio = subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(clip.path), "-vn", "-ac", "1", "-ar", "16000", "-f", "f32le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return {
        "frames": _digest(frames),
        "frame_count": clip.frames,
        "fps": clip.fps,
        "frames_without_face": clip.frames_without_face,
        "soundtrack": _digest(audio),
        "components": [c.describe() for c in clip.components],
        "notes": list(clip.notes),
    }


def fingerprints(folder: Path) -> dict[str, dict]:
    """Run every call and fingerprint its result."""
    from pipeline import Pipeline

    checkpoints = _seeded_checkpoints(folder)
    speech_dir = SHARED / "data" / "speech" / "librispeech"
    faces = SHARED / "data" / "faces"
    reference, short_audio = speech_dir / "103-1240-0000.flac", speech_dir / "19-198-0000.flac"
    photo, video = faces / "painting_pearl_earring.jpg", faces / "talking_man_25fps.mp4"
    synthesizer = str(checkpoints["rtvc_tacotron"])
    results: dict[str, dict] = {}

    offline = Pipeline("cpu", synthesizer="offline", lipsync="offline")
    results["say offline"] = _speech_entry(offline.clone_voice(reference, TEXT, consent=True, seed=1))
    pieces = list(offline.stream_voice(reference, LONG_TEXT, consent=True, seed=1))
    results["stream offline"] = {f"piece {i}": _speech_entry(p) for i, p in enumerate(pieces)}
    results["lipsync offline, photo, audio file"] = _clip_entry(offline.lipsync(photo, short_audio, consent=True))
    results["lipsync offline, video, audio file"] = _clip_entry(offline.lipsync(video, short_audio, consent=True))
    results["run offline, photo"] = _clip_entry(offline.text_to_clip(reference, photo, TEXT, consent=True, seed=1))

    for vocoder, checkpoint, extra in (
        ("griffinlim", None, {}),
        ("wavernn", str(checkpoints["rtvc_wavernn"]), {"fast_vocoder": True}),
        ("hifigan", str(checkpoints["hifigan_v3"]), {}),
    ):
        neural = Pipeline(
            "cpu", synthesizer=synthesizer, vocoder=vocoder, vocoder_checkpoint=checkpoint, lipsync="offline", **extra
        )
        results[f"say seeded sv2tts + {vocoder}"] = _speech_entry(
            neural.clone_voice(reference, "Hello there.", consent=True, seed=3)
        )

    wav2lip = Pipeline("cpu", synthesizer=synthesizer, vocoder="griffinlim", lipsync=str(checkpoints["wav2lip"]))
    results["lipsync seeded wav2lip, video, audio file"] = _clip_entry(
        wav2lip.lipsync(video, short_audio, consent=True)
    )
    results["run seeded sv2tts + wav2lip, photo"] = _clip_entry(
        wav2lip.text_to_clip(reference, photo, "Hello there.", consent=True, seed=3)
    )
    return results


def _differences(before: dict, after: dict, prefix: str = "") -> list[str]:
    lines = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            lines += _differences(a, b, f"{prefix}{key} / ")
        elif a != b:
            lines.append(f"{prefix}{key}: {a!r} -> {b!r}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, required=True, help="the JSON file of fingerprints to write")
    parser.add_argument("--compare", type=Path, default=None, help="an earlier JSON to compare with (default: none)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads, as in CI (default: %(default)s)")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="voxlip-hashes-") as folder:
        results = fingerprints(Path(folder))
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output} ({len(results)} calls)")
    if args.compare is None:
        return 0
    differences = _differences(json.loads(args.compare.read_text()), results)
    print("\n".join(differences) if differences else f"identical to {args.compare}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
