"""Measure voxlip's marks: audio detection after common transformations, false positives, cost; video frame mark.

.venv/bin/python benchmarks/eval_watermark.py              # audio on 40 LibriSpeech files + video clips
.venv/bin/python benchmarks/eval_watermark.py --limit 8    # quicker look
.venv/bin/python benchmarks/eval_watermark.py --compare    # and invisible-watermark's dwtDctSvd, if installed
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import librosa
import numpy as np
from common import positive, run_script, shared_dir, speech_dir

from pipeline.provenance.audio_watermark import AUDIO_MARK, find_audio_mark, mark_audio


def ffmpeg_round_trip(wave: np.ndarray, sr: int, codec: list[str], suffix: str) -> np.ndarray:
    """Encode with the bundled ffmpeg and decode back to float32 at `sr`; raises with ffmpeg's stderr."""
    from core import ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        coded = Path(tmp) / f"coded{suffix}"
        ffmpeg.run(
            ["-y", "-f", "f32le", "-ar", str(sr), "-ac", "1", "-i", "-", *codec, str(coded)],
            "encode the test audio",
            stdin=np.asarray(wave, np.float32).tobytes(),
        )
        decoded = ffmpeg.run(
            ["-i", str(coded), "-f", "f32le", "-ar", str(sr), "-ac", "1", "-"], "decode the test audio"
        )
    return np.frombuffer(decoded, dtype=np.float32).copy()


def add_noise(wave: np.ndarray, snr_db: float, seed: int) -> np.ndarray:
    power = float(np.mean(wave.astype(np.float64) ** 2))
    noise = np.random.default_rng(seed).standard_normal(wave.size) * np.sqrt(power / 10 ** (snr_db / 10))
    return (wave + noise).astype(np.float32)


def crop(wave: np.ndarray, sr: int, seconds: float, seed: int) -> np.ndarray:
    n = int(seconds * sr)
    if wave.size <= n:
        return wave
    start = int(np.random.default_rng(seed).integers(0, wave.size - n))
    return wave[start : start + n]


def retimed(wave: np.ndarray, sr: int, audio_filter: str) -> np.ndarray:
    """`wave` through an ffmpeg audio filter that changes its tempo or speed (`atempo=1.05`, `asetrate=...`)."""
    return ffmpeg_round_trip(wave, sr, ["-af", audio_filter], ".wav")


def attacks(sr: int, seed: int) -> dict:
    tempo = {f"tempo {factor:g} (atempo)": f"atempo={factor:g}" for factor in (0.95, 1.05, 0.9, 1.1)}
    speed = {f"speed {factor:g} (asetrate)": f"asetrate={round(sr * factor)},aresample={sr}" for factor in (0.95, 1.05)}
    return {
        "none": lambda w: w,
        "mp3 128k": lambda w: ffmpeg_round_trip(w, sr, ["-c:a", "libmp3lame", "-b:a", "128k"], ".mp3"),
        "aac 96k": lambda w: ffmpeg_round_trip(w, sr, ["-c:a", "aac", "-b:a", "96k"], ".m4a"),
        "48 kHz aac 160k (a clip's soundtrack)": lambda w: ffmpeg_round_trip(
            w, sr, ["-ar", "48000", "-c:a", "aac", "-b:a", "160k"], ".m4a"
        ),
        "resample 22.05k": lambda w: librosa.resample(
            librosa.resample(w, orig_sr=sr, target_sr=22050), orig_sr=22050, target_sr=sr
        ),
        "noise 30 dB": lambda w: add_noise(w, 30.0, seed),
        "crop 3 s": lambda w: crop(w, sr, 3.0, seed),
        **{name: lambda w, f=audio_filter: retimed(w, sr, f) for name, audio_filter in {**tempo, **speed}.items()},
    }


def snr_db(clean: np.ndarray, marked: np.ndarray) -> float:
    return float(
        10 * np.log10(np.sum(clean.astype(np.float64) ** 2) / np.sum((marked - clean).astype(np.float64) ** 2))
    )


def evaluate_audio(files: list[Path]) -> None:
    import torch

    from voice.encoder import load_encoder, similarity

    torch.set_num_threads(2)
    encoder = load_encoder()
    conditions = list(attacks(16_000, 0))
    hits = {name: [] for name in conditions}
    false_alarms = {name: [] for name in conditions}
    snrs, similarities, worst = [], [], {name: np.inf for name in conditions}
    started = time.perf_counter()
    for index, path in enumerate(files):
        clean, sr = librosa.load(path, sr=None)
        marked = mark_audio(clean, sr)
        snrs.append(snr_db(clean, marked))
        similarities.append(
            similarity(encoder.embed_utterance(clean, source_sr=sr), encoder.embed_utterance(marked, source_sr=sr))
        )
        for name, attack in attacks(sr, seed=index).items():
            result = find_audio_mark(attack(marked), sr)
            hits[name].append(result.detected)
            worst[name] = min(worst[name], result.score)
            false_alarms[name].append(find_audio_mark(attack(clean), sr).detected)
    n = len(files)
    print(
        f"\nAudio mark ({AUDIO_MARK.key}, {AUDIO_MARK.strength_db} dB), {n} LibriSpeech files marked and the "
        f"same {n} unmarked, "
        f"read as `voxlip detect` reads a file (find_audio_mark: z >= {AUDIO_MARK.threshold} throughout, higher where "
        f"it also searched parts, channels, tempo and speed) ({time.perf_counter() - started:.0f} s)\n"
    )
    print("| condition | detected (marked) | lowest z (marked) | false positives (unmarked) |")
    print("| --- | --- | --- | --- |")
    for name in conditions:
        print(
            f"| {name} | {sum(hits[name])}/{n} ({100 * np.mean(hits[name]):.1f}%) | {worst[name]:.1f} | "
            f"{sum(false_alarms[name])}/{n} ({100 * np.mean(false_alarms[name]):.1f}%) |"
        )
    print(f"\nSNR marked vs unmarked: mean {np.mean(snrs):.1f} dB, min {np.min(snrs):.1f} dB")
    print(
        f"GE2E speaker similarity marked vs unmarked: mean {np.mean(similarities):.4f}, min {np.min(similarities):.4f}"
    )


def _found_as(result) -> str:
    """How the frame mark was found: as the frames are, mirrored, inside bars."""
    ways = ["mirrored"] * result.mirrored + ["inside bars"] * (result.box is not None)
    return ", ".join(ways) or "as they are"


def evaluate_video(clips: list[Path]) -> None:
    from core import ffmpeg
    from pipeline.outputs import protect_frames
    from pipeline.provenance.video_watermark import FRAME_MARK, find_frame_mark, mark_frame

    conditions = {
        "H.264 CRF 28": ["-c:v", "libx264", "-crf", "28"],
        "half size": ["-vf", "scale=trunc(iw/4)*2:trunc(ih/4)*2", "-c:v", "libx264", "-crf", "18"],
        "half size + CRF 28": ["-vf", "scale=trunc(iw/4)*2:trunc(ih/4)*2", "-c:v", "libx264", "-crf", "28"],
        "mirrored": ["-vf", "hflip", "-c:v", "libx264", "-crf", "23"],
        "letterboxed 720x1280": ["-vf", "scale=720:-2,pad=720:1280:0:(oh-ih)/2", "-c:v", "libx264", "-crf", "23"],
    }
    print(
        f"\nFrame mark ({FRAME_MARK.key}, +/-{FRAME_MARK.strength} chroma levels) with the visible label, on "
        "the shared clips; "
        "written by voxlip at CRF 18, then changed. Frame: one frame's own test, as it is; video: all frames "
        f"together, as voxlip detect tests them (z >= {FRAME_MARK.threshold} as they are, higher where the frames were "
        "also tested mirrored, inside bars or in runs: the z needed)\n"
    )
    print(
        "| clip | condition | frames detected (marked) | video z (marked) | found as | frames detected (unmarked) "
        "| video z (unmarked) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    psnrs = []
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            fps = ffmpeg.probe(clip).fps
            frames = list(ffmpeg.read_frames(clip, pixel_format="rgb24"))
            protected = list(protect_frames(frames))
            psnrs += [10 * np.log10(255**2 / np.mean((mark_frame(f).astype(float) - f) ** 2)) for f in frames[::10]]
            for label, source in (("marked", protected), ("unmarked", frames)):
                ffmpeg.write_video(Path(tmp) / f"{label}.mp4", source, fps)
            for name, codec in conditions.items():
                cells = []
                for label in ("marked", "unmarked"):
                    attacked = Path(tmp) / f"{label}-attacked.mp4"
                    ffmpeg.run(
                        ["-y", "-i", str(Path(tmp) / f"{label}.mp4"), *codec, "-pix_fmt", "yuv420p", str(attacked)],
                        "re-encode the clip",
                    )
                    result = find_frame_mark(ffmpeg.read_frames(attacked, pixel_format="rgb24"))
                    cells += [f"{result.frames_detected}/{result.frames}", f"{result.score:.1f} ({result.needed:.1f})"]
                    if label == "marked":
                        cells.append(_found_as(result) if result.detected else "not found")
                print(f"| {clip.stem} | {name} | " + " | ".join(cells) + " |")
    print(
        "\nPSNR of the invisible mark alone (label left out) vs the original frames: mean "
        f"{np.mean(psnrs):.1f} dB, min {np.min(psnrs):.1f} dB"
    )


def compare_invisible_watermark(clips: list[Path], n_frames: int = 50) -> None:
    """The `invisible-watermark` package's dwtDctSvd (32 bits) under the same re-encodings, for comparison.

    Not a voxlip dependency (it pulls opencv-python): install it by hand to run this part.
    """
    try:
        from imwatermark import WatermarkDecoder, WatermarkEncoder
    except ImportError:
        print("\n(invisible-watermark is not installed: comparison skipped)")
        return
    from PIL import Image

    from core import ffmpeg

    bits = np.random.default_rng(7).integers(0, 2, 32)
    encoder, decoder = WatermarkEncoder(), WatermarkDecoder("bits", 32)
    encoder.set_watermark("bits", [int(b) for b in bits])

    def bit_errors(frame: np.ndarray, size: tuple[int, int] | None = None) -> int:
        if size is not None:
            frame = np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BICUBIC))
        try:
            decoded = decoder.decode(np.ascontiguousarray(frame[..., ::-1]), "dwtDctSvd")
        except RuntimeError:  # it refuses frames under 256x256
            return len(bits)
        return int(np.sum(np.asarray(decoded, int) != bits))

    print(
        f"\ninvisible-watermark dwtDctSvd, 32 bits, first {n_frames} frames of each clip: frames read exactly "
        "(<= 2 bit errors)\n"
    )
    print("| clip | CRF 28 | half size | half size, scaled back up |")
    print("| --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            info = ffmpeg.probe(clip)
            width, height, fps = info.width, info.height, info.fps
            frames = [
                np.ascontiguousarray(encoder.encode(np.ascontiguousarray(f[..., ::-1]), "dwtDctSvd")[..., ::-1])
                for f in ffmpeg.read_frames(clip, max_frames=n_frames, pixel_format="rgb24")
            ]
            source = ffmpeg.write_video(Path(tmp) / "marked.mp4", frames, fps)
            cells = []
            for codec, size in (
                (["-c:v", "libx264", "-crf", "28"], None),
                (["-vf", "scale=trunc(iw/4)*2:trunc(ih/4)*2", "-c:v", "libx264", "-crf", "18"], None),
                (["-vf", "scale=trunc(iw/4)*2:trunc(ih/4)*2", "-c:v", "libx264", "-crf", "18"], (width, height)),
            ):
                attacked = Path(tmp) / "attacked.mp4"
                ffmpeg.run(
                    ["-y", "-i", str(source), *codec, "-pix_fmt", "yuv420p", str(attacked)], "re-encode the clip"
                )
                errors = np.array([bit_errors(f, size) for f in ffmpeg.read_frames(attacked, pixel_format="rgb24")])
                cells.append(f"{100 * np.mean(errors == 0):.0f}% ({100 * np.mean(errors <= 2):.0f}%)")
            print(f"| {clip.stem} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--limit", type=positive(int), default=None, help="use only the first N speech files (default: all 40)"
    )
    parser.add_argument("--skip-video", action="store_true", help="audio only (default: both)")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also measure invisible-watermark's dwtDctSvd, if installed (default: off)",
    )
    args = parser.parse_args()
    files = sorted(speech_dir().glob("*.flac"))[: args.limit]
    if not files:
        raise SystemExit(f"no speech files under {speech_dir()} (set VOXLIP_SHARED)")
    evaluate_audio(files)
    clips = sorted((shared_dir() / "data" / "faces").glob("*.mp4"))
    if not args.skip_video:
        evaluate_video(clips)
    if args.compare:
        compare_invisible_watermark(clips)


if __name__ == "__main__":
    run_script(main)
