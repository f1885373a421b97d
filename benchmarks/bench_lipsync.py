"""Speed and memory of the whole `lipsync` on a 512x512 and a 1280x720 input, split by stage.

Inputs are made from the shared clips with the bundled ffmpeg (scaled, padded and looped): a 512x512
25 fps clip, a 1280x720 25 fps clip, and a 60 s 1280x720 clip; speech is LibriSpeech, concatenated.
Each configuration runs in a fresh process (2 torch threads), twice: its peak RSS (ru_maxrss) is its own.

Modes: offline (phones from pocketsphinx) on a video (its own mouths, chosen by unit selection) and on
a photo (the first frame of the same clip: the living animator), and the neural path with seeded
Wav2Lip weights (the public container format, through voxlip's loader; the speed does not depend on
the weights' values).

    .venv/bin/python benchmarks/bench_lipsync.py [--neural-seconds 4] [--skip-neural] [--skip-memory] [--bfloat16 auto]
    .venv/bin/python benchmarks/bench_lipsync.py --child --face FACE --audio SPEECH [--seconds N] [--warm-runs N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import add_bfloat16_flag, bfloat16_rows, run_script, shared_dir, speech_dir

from core.errors import VoxlipError

REPO = Path(__file__).resolve().parents[1]
STAGES = ("decoding", "face tracking", "generator", "blending", "marking", "encoding")


def ffmpeg(*args: str) -> None:
    from core.ffmpeg import executable

    subprocess.run([executable(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_inputs(folder: Path) -> dict[str, Path]:
    from voice.audio import SAMPLE_RATE, load_audio, save_audio

    faces = shared_dir() / "data" / "faces"
    paths = {
        "512": folder / "face_512.mp4",
        "720": folder / "face_720.mp4",
        "720_60s": folder / "face_720_60s.mp4",
        "photo_512": folder / "photo_512.png",
        "photo_720": folder / "photo_720.png",
        "speech_10s": folder / "speech_10s.wav",
        "speech_60s": folder / "speech_60s.wav",
    }
    h264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-an"]
    if not paths["512"].exists():
        ffmpeg(
            "-stream_loop",
            "1",
            "-i",
            str(faces / "talking_man_glasses_25fps.mp4"),
            "-t",
            "12",
            "-r",
            "25",
            *h264,
            str(paths["512"]),
        )
    if not paths["720"].exists():
        ffmpeg(
            "-stream_loop",
            "1",
            "-i",
            str(faces / "talking_woman_30fps.mp4"),
            "-t",
            "12",
            "-vf",
            "scale=720:720,pad=1280:720:280:0",
            "-r",
            "25",
            *h264,
            str(paths["720"]),
        )
    for size in ("512", "720"):
        if not paths[f"photo_{size}"].exists():
            ffmpeg("-i", str(paths[size]), "-frames:v", "1", str(paths[f"photo_{size}"]))
    if not paths["720_60s"].exists():
        ffmpeg("-stream_loop", "5", "-i", str(paths["720"]), "-t", "62", "-c", "copy", str(paths["720_60s"]))
    if not paths["speech_60s"].exists():
        files = sorted(speech_dir().glob("*.flac"))
        wav = np.concatenate([load_audio(f) for f in files[:8]])
        save_audio(paths["speech_60s"], wav[: 60 * SAMPLE_RATE], SAMPLE_RATE)
        save_audio(paths["speech_10s"], wav[: 10 * SAMPLE_RATE], SAMPLE_RATE)
    return paths


def seeded_wav2lip(folder: Path) -> Path:
    path = folder / "wav2lip_seeded.pth"
    if not path.exists():
        compat = shared_dir() / "compat"
        spec = importlib.util.spec_from_file_location("voxlip_compat_seeded", compat / "seeded.py")
        seeded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(seeded)
        seeded.write_checkpoint(seeded.load_manifest(str(compat / "manifests" / "wav2lip.json")), str(path))
    return path


def child(args: argparse.Namespace) -> None:
    """Two lipsync runs in this process (fresh, then warm); prints a JSON line for each."""
    from core.memory import limit_allocator_arenas

    limit_allocator_arenas()  # as the voxlip command and the demo do, before any library starts its threads
    import torch

    from lipsync.engine import run as run_lipsync
    from lipsync.options import LipsyncOptions
    from lipsync.renderer import make_renderer
    from pipeline.outputs import FrameProtector, ensure_audio_mark
    from voice.audio import SAMPLE_RATE, load_audio

    torch.set_num_threads(2)
    generator = None
    if args.checkpoint:
        from lipsync.wav2lip import load_wav2lip

        generator = load_wav2lip(args.checkpoint)
    options = LipsyncOptions(precision=args.precision)
    for run in ("fresh", *["warm"] * args.warm_runs):
        ticks: list[tuple[int, float]] = []
        with tempfile.TemporaryDirectory(prefix="voxlip-bench-") as folder:  # removed on an error too
            start = time.perf_counter()
            wav = load_audio(args.audio)
            if args.seconds:
                wav = wav[: int(args.seconds * SAMPLE_RATE)]
            result = run_lipsync(
                args.face,
                wav,
                Path(folder) / "out.mp4",
                make_renderer(options, generator),
                options,
                frame_hook=FrameProtector(channels="bgr"),
                soundtrack=lambda wav=wav: (ensure_audio_mark(wav, SAMPLE_RATE), SAMPLE_RATE),
                progress=lambda done, total, fps: done and ticks.append((done, time.perf_counter())),  # 0: the start
                source_sr=SAMPLE_RATE,
            )
            wall = time.perf_counter() - start
        (first, t_first), (last, t_last) = ticks[0], ticks[-1]
        print(
            json.dumps(
                {
                    "run": run,
                    "frames": result.frames,
                    "wall": wall,
                    "stages": result.stage_seconds,
                    "first_batch": t_first - start,
                    "steady_fps": (last - first) / max(t_last - t_first, 1e-9),
                    "size": f"{result.width}x{result.height}",
                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                    "rss_after_mb": resident_mb(),
                }
            )
        )


def resident_mb() -> float | None:
    """This process's resident memory now, in MB (None where /proc is not there): what a run leaves held."""
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None


def measure(
    face: Path, audio: Path, checkpoint: Path | None = None, seconds: float | None = None, precision: str = "float32"
) -> dict[str, dict]:
    """{"fresh": ..., "warm": ...}: a new process's first run, and its second."""
    command = [
        sys.executable,
        __file__,
        "--child",
        "--face",
        str(face),
        "--audio",
        str(audio),
        "--precision",
        precision,
    ]
    if checkpoint:
        command += ["--checkpoint", str(checkpoint)]
    if seconds:
        command += ["--seconds", str(seconds)]
    output = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    if output.returncode != 0:
        raise VoxlipError(f"the timed run of {face.name} failed: {child_error(output.stderr)}")
    runs = [json.loads(line) for line in output.stdout.splitlines() if line.startswith("{")]
    return {run["run"]: run for run in runs}


def child_error(stderr: str) -> str:
    """What a failed child said last (its `<script>: error: ...` line without the prefix, or a traceback's last line),
    so the parent ends with one line too."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return "it printed nothing (killed? out of memory?)"
    return lines[-1].removeprefix(f"{Path(__file__).name}: error: ")


def report(name: str, runs: dict[str, dict]) -> None:
    fresh, warm = runs["fresh"], runs["warm"]
    frames, stages = warm["frames"], warm["stages"]
    per_frame = "  ".join(f"{s} {stages.get(s, 0.0) / frames * 1000:5.1f}" for s in STAGES)
    print(
        f"{name:34s} {warm['size']:>9s} {frames:4d} fr | whole: fresh process {frames / fresh['wall']:5.1f} fps, "
        f"warm {frames / warm['wall']:5.1f} fps | steady {warm['steady_fps']:5.1f} fps | first batch out "
        f"{fresh['first_batch']:.2f} s fresh, {warm['first_batch']:.2f} s warm | warm busy ms/frame: {per_frame} | "
        f"peak {fresh['peak_rss_mb']:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    one = parser.add_argument_group(
        "one configuration in this process (what each fresh process of the benchmark runs; for your own clip)"
    )
    one.add_argument(
        "--child",
        action="store_true",
        help="run --face with --audio twice here (fresh, then warm) and print a JSON line for each (default: off)",
    )
    one.add_argument("--face", type=Path, help="the face video or photo (default: none)")
    one.add_argument("--audio", type=Path, help="the speech (default: none)")
    one.add_argument(
        "--checkpoint", type=Path, help="a Wav2Lip checkpoint: the neural path (default: none, the offline one)"
    )
    one.add_argument("--seconds", type=float, help="use only this much of the audio (default: all of it)")
    one.add_argument(
        "--warm-runs", type=int, default=1, help="runs after the first, each printed (default: %(default)s)"
    )
    one.add_argument(
        "--precision",
        default="float32",
        choices=("float32", "bfloat16"),
        help="the neural path's (default: %(default)s)",
    )
    parser.add_argument(
        "--neural-seconds", type=float, default=4.0, help="audio length of the neural runs (default: %(default)s)"
    )
    parser.add_argument(
        "--skip-neural", action="store_true", help="only the offline paths (default: the neural one too)"
    )
    add_bfloat16_flag(parser)
    parser.add_argument(
        "--skip-memory", action="store_true", help="skip the 10 s vs 60 s 720p memory runs (default: run them)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "voxlip-bench-inputs",
        help="where the generated inputs are kept between runs (default: %(default)s)",
    )
    args = parser.parse_args()
    if args.child:
        if not (args.face and args.audio):
            parser.error("--child needs --face and --audio")
        child(args)
        return
    args.work.mkdir(parents=True, exist_ok=True)
    inputs = make_inputs(args.work)
    print(f"inputs in {args.work}; 2 torch threads; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print(
        "whole = frames / wall time of the lip-sync engine's run, from the inputs to the finished MP4 (setup, "
        "audio marking, phone\n"
        "recognition included), in a fresh process (its first run: imports, model start-up) and warm (its second run,\n"
        "as in the demo or a script); steady = frames / time between the first and the last batch written.\n"
        "Busy ms/frame per stage overlap: decoding and face tracking run in a worker thread (tracking waits while the\n"
        "generator runs, and that wait counts as its busy time).\n"
    )
    for size in ("512", "720"):
        report(f"offline, video (own mouths), {size}, 10 s", measure(inputs[size], inputs["speech_10s"]))
    for size in ("512", "720"):
        report(f"offline, photo (animator), {size}, 10 s", measure(inputs[f"photo_{size}"], inputs["speech_10s"]))
    if not args.skip_neural:
        precisions = ("float32", "bfloat16") if bfloat16_rows(args.bfloat16) else ("float32",)
        try:
            checkpoint = seeded_wav2lip(args.work)
            for size in ("512", "720"):
                for precision in precisions:
                    run = measure(inputs[size], inputs["speech_10s"], checkpoint, args.neural_seconds, precision)
                    report(f"wav2lip (seeded) {precision}, {size}, {args.neural_seconds:g} s", run)
        except (RuntimeError, ImportError, FileNotFoundError) as e:
            print(f"neural path skipped: {str(e).strip().splitlines()[-1]}")
    if not args.skip_memory:
        print()
        short = measure(inputs["720"], inputs["speech_10s"])
        long = measure(inputs["720_60s"], inputs["speech_60s"])
        report("offline, video (own mouths), 720, 10 s", short)
        report("offline, video (own mouths), 720, 60 s", long)
        short_mb, long_mb = short["fresh"]["peak_rss_mb"], long["fresh"]["peak_rss_mb"]
        print(f"\npeak memory 720p: 10 s {short_mb:.0f} MB, 60 s {long_mb:.0f} MB (goal <= 1536 MB, flat)")


if __name__ == "__main__":
    run_script(main)
