"""The `voxlip` command line (also `python -m pipeline`)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np

from core import checkpoints
from core.amounts import frames_in_words, seconds_in_words
from core.errors import InputError, VoxlipError, missing_library
from core.ffmpeg import VIDEO_SUFFIXES
from core.files import WRITE_LIMITS, atomic_output, sha256_file, special_kind, write_error
from core.memory import limit_allocator_arenas
from core.output_kinds import suffixes_in_words
from core.quiet import native_stderr_silenced
from core.seeds import LARGEST_SEED, checked_seed
from core.version import __version__
from voice.offline.config import DEFAULT as OFFLINE_DEFAULTS

from .stops import INTERRUPTED, Stopped, unwinding_on_stop

STDIN = Path("-")
"""--text-file - reads the text from standard input (`echo Hello. | voxlip say --text-file - ...`)."""

AUTO_VOICE = (
    "auto: the Piper base voice converted by OpenVoice V2 if fetched, else SV2TTS if fetched (unless --base-voice is "
    "given), else the offline voice"
)
"""What auto mode makes speech with, which --synthesizer and --converter both decide."""

if TYPE_CHECKING:  # the API, which each command imports when it runs (a cold `--help` does without)
    from core.components import Component
    from voice.speaker import Speaker

    from .api import Pipeline
    from .provenance.label import LabelConfig
    from .results import Clip, Speech


def _save_array(path: Path, array: np.ndarray) -> None:
    with atomic_output(path, suffix=".npy") as partial:
        np.save(partial, array)


def _output_with_room(path: Path, kind: str, inputs: list[Path | None], seconds: float = 0.0) -> Path:
    """The -o path, checked before any work; `seconds` of output estimate the room it needs."""
    from .outputs import check_output

    bytes_per_second = {"audio": 2 * 22_050, "video": 1_000_000}.get(kind, 0)
    return check_output(path, kind, inputs, size_estimate=int(seconds * bytes_per_second))


def _speech_seconds(text: str) -> float:
    """A generous guess of how long `text` takes to say: 10 characters a second."""
    return len(text) / 10 + 1


def _audio_seconds(path: Path) -> float:
    """The length of an audio file from its header (0 when unreadable: reading it will say why); a pipe is refused
    here, before any work."""
    from core.ffmpeg import probe
    from core.files import check_not_stream

    check_not_stream(path)
    try:
        return probe(path).duration
    except VoxlipError:
        return 0.0


def cmd_embed(args: argparse.Namespace) -> int:
    from voice.encoder import no_verdict, similarity

    from .api import Pipeline

    if len(args.audio) > 2:
        raise InputError("give one recording (to print its embedding) or two (to compare them)")
    if args.save:
        _output_with_room(args.save, "embeddings", args.audio)
    pipeline = Pipeline(args.device, encoder=args.checkpoint)
    encoder = pipeline.encoder
    speakers = [_speaker(pipeline, path) for path in args.audio]
    embeddings = [speaker.embedding for speaker in speakers]
    if len(embeddings) == 1:
        values = " ".join(f"{v:.3f}" for v in embeddings[0][:6])
        print(
            f"{args.audio[0]}: {embeddings[0].size}-d speaker embedding [{values} ...] (encoder "
            f"{encoder.checkpoint_name})"
        )
    else:
        threshold = encoder.config.same_speaker_threshold if args.threshold is None else args.threshold
        score = similarity(*embeddings)
        if threshold is None:
            print(
                f"cosine similarity {score:.3f} (encoder {encoder.checkpoint_name}): {no_verdict(encoder)}; "
                "give --threshold to have one"
            )
        else:
            verdict = "same speaker" if score >= threshold else "different speakers"
            print(
                f"cosine similarity {score:.3f}: {verdict} (threshold {threshold:.2f}, "
                f"encoder {encoder.checkpoint_name})"
            )
    for path, speaker in zip(args.audio, speakers):  # a verdict on two voices in one file, or on noise, is no verdict
        for note in speaker.notes:
            print(f"note: {path}: {in_command_line_words(note)}")
    if args.save:
        _save_array(args.save, np.stack(embeddings))
        print(f"saved {len(embeddings)} embedding(s) to {args.save}")
    return 0


def _speaker(pipeline: Pipeline, path: Path) -> Speaker:
    """The recording prepared as every voice stage hears it (Pipeline.speaker); a refusal that does not say which
    of the recordings it was names it."""
    try:
        return pipeline.speaker(path)
    except InputError as e:
        if str(path) in str(e):
            raise
        raise InputError(f"{path}: {e}") from None


def cmd_fetch(args: argparse.Namespace) -> int:
    from .download import fetch

    if args.url and len(args.names) != 1:
        raise InputError("--url needs exactly one checkpoint name")
    failed = 0
    for name in args.names:  # each name is fetched and reported, whatever became of the others
        try:
            path = fetch(name, root=args.dir, url=args.url, progress=not args.quiet)
        except VoxlipError as error:
            _print_error(error)
            failed += 1
            continue
        print(f"{name}: {path} ({path.stat().st_size:,} bytes, sha256 {sha256_file(path)}, {_fetch_check(name)})")
    if failed and len(args.names) > 1:
        print(f"voxlip: {failed} of {len(args.names)} checkpoints could not be fetched (above)", file=sys.stderr)
    return 1 if failed else 0


def _fetch_check(name: str) -> str:
    """What `voxlip fetch` checked of a checkpoint's file."""
    spec = checkpoints.get(name)
    if spec.sha256:
        return "matches the published sha256"
    if name.startswith(checkpoints.PIPER_PREFIX):
        return "its size and md5 are those the repository's voices.json gives; it publishes no sha256"
    size = "its size is the published one; no published sha256" if spec.size else "no published size or sha256"
    if spec.layout is None:
        return f"{size} to check it against"
    return f"{size}; its weights are the {checkpoints.LAYOUTS[spec.layout].model}'s, by their names"


def cmd_checkpoints(args: argparse.Namespace) -> int:
    specs = [*checkpoints.registry().values(), *checkpoints.fetched_piper_voices(args.dir)]
    width = max(22, *(len(spec.name) for spec in specs))
    differing, others, statuses, missing = set(), {}, set(), []
    for spec in specs:
        status, path, other = _listed(spec, args.dir)
        statuses.add(status)
        if status == "missing":
            missing.append(spec)
        print(f"{spec.name:{width}} {spec.family:16} {status:9} {path}{_unpublished_size(spec, path)}")
        if status == "differs":
            differing.add("piper" if spec.name.startswith(checkpoints.PIPER_PREFIX) else "checkpoint")
        if other is not None:
            others[spec.name] = other.model
    if "checkpoint" in differing:
        print(
            "differs: not the published file (its size differs); loaded by name it is refused, and auto mode takes the "
            "next best instead: pass its path to use it as your own weights, or delete it and fetch the published one"
        )
    if "damaged" in statuses:
        print(
            "damaged: a zip checkpoint whose directory, at its end, cannot be read (cut short, most likely): it cannot "
            "be loaded, and auto mode takes the next best instead: delete it and get it again"
        )
    if "web page" in statuses:
        print(
            "web page: a page a link returned instead of the file (Google Drive, for one, answers a large file's link "
            "with a warning page): it cannot be loaded, and auto mode takes the next best instead: delete it, download "
            "the file in a browser and put it there"
        )
    if "bad config" in statuses:
        print(
            "bad config: the config beside it is a web page or not readable JSON (cut short, most likely): it cannot "
            "be loaded, and auto mode takes the next best instead: `voxlip fetch NAME` replaces it (or get it again)"
        )
    if others:
        held = "; ".join(f"{name}: the {model}'s" for name, model in others.items())
        print(
            f"other: its weights are another model's, by their names ({held}); loaded by name it is refused, and "
            "auto mode takes the next best instead: put it where its model's file goes, or delete it and fetch the "
            "published one"
        )
    if "piper" in differing:
        print(
            "differs (a Piper voice): a file's size is not the one voices.json gave when it was fetched; the voice is "
            "used as it is: if you did not change it, delete it and run `voxlip fetch piper:NAME` again"
        )
    if missing:
        print("where to get what is missing (a file got by hand goes where it is listed above):")
        for spec in missing:
            print(f"  {spec.name:{width}} {_where_to_get(spec)}; licence: {spec.license}")
    return 0


def _where_to_get(spec: checkpoints.Checkpoint) -> str:
    """How a missing checkpoint is got: `voxlip fetch`, or its source by hand (with the files beside it)."""
    if spec.url:
        return f"voxlip fetch {spec.name}"
    beside = "".join(f", with its {Path(companion.filename).name}" for companion in spec.companions)
    return f"by hand{beside}: {spec.source}"


def _unpublished_size(spec: checkpoints.Checkpoint, path: Path | str) -> str:
    """A file's size, where it has no published one to be checked against (to compare with checkpoints/README.md)."""
    if spec.size is not None or spec.name.startswith(checkpoints.PIPER_PREFIX) or not Path(path).is_file():
        return ""
    return f" ({Path(path).stat().st_size:,} bytes)"


def _listed(spec: checkpoints.Checkpoint, root: Path | None) -> tuple[str, Path | str, checkpoints.Layout | None]:
    """A checkpoint's status in `voxlip checkpoints` (embedded, present, missing, differs, web page, damaged, other,
    no config, bad config),
    where it is, or would be, and for "other" the model whose weights the file holds."""
    try:
        path = checkpoints.local_path(spec, root)
    except VoxlipError:  # an embedded model whose package is not installed
        return "missing", spec.filename, None
    if not spec.embedded_in and not path.is_file():
        return "missing", path, None
    if checkpoints.differs(spec.name, root):
        return "differs", path, None  # not the published file, by its size
    if checkpoints.is_web_page(spec.name, root):
        return "web page", path, None  # what a link returned instead of the file, by its first bytes
    if checkpoints.damaged(spec.name, root):
        return "damaged", path, None  # a zip cut short, by its directory
    other = checkpoints.other_model(spec.name, root)
    if other is not None:
        return "other", path, other  # another model's weights, by their names
    if checkpoints.missing_companions(spec, root):
        return "no config", path, None  # the loader reads the files beside it too
    if checkpoints.damaged_companions(spec, root):
        return "bad config", path, None  # a web page or cut-short JSON beside it
    return "embedded" if spec.embedded_in else "present", path, None


class _ProgressBar:
    """A tqdm bar (it shows the rate itself) driven by the stages' progress(done, total, rate) callbacks; on a
    terminal only (a log gets no carriage-return lines), starting from the first report (a one-step stage shows
    1/1, not 0/1)."""

    def __init__(self, description: str, unit: str):
        self.description, self.unit, self.bar = description, unit, None

    def __call__(self, done: int, total: int, rate: float) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(
                total=total,
                initial=done,
                desc=self.description,
                unit=self.unit,
                leave=False,
                file=sys.stderr,
                disable=None,
            )
        self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _describe(components: tuple[Component, ...]) -> str:
    return "; ".join(c.describe() for c in components)


def _lipsync_settings(args: argparse.Namespace) -> dict:
    """The Pipeline arguments of the lip-sync flags."""
    from lipsync.options import LipsyncOptions

    options = LipsyncOptions(
        fps=args.fps,
        pads=tuple(args.pads),
        face_index=args.face_index,
        precision=args.precision,
        max_size=args.max_size,
        still=args.still,
        seed=0 if getattr(args, "seed", None) is None else args.seed,
    )
    return dict(
        lipsync=args.checkpoint,
        lipsync_options=options,
        face_detector=args.face_detector,
        label=_label(args),
    )


def _label(args: argparse.Namespace) -> LabelConfig:
    from .provenance.label import LabelConfig

    return LabelConfig(corner=args.label_corner)


def cmd_lipsync(args: argparse.Namespace) -> int:
    from .api import Pipeline

    output = _output_with_room(args.output, "video", [args.face, args.audio], _audio_seconds(args.audio))
    pipeline = Pipeline(args.device, **_lipsync_settings(args))
    with contextlib.closing(_ProgressBar("lip-sync", "frames")) as bar:
        clip = pipeline.lipsync(args.face, args.audio, consent=args.i_have_consent, progress=bar)
    _save(clip, output, frames_in_words(clip.duration, clip.frames, clip.fps))
    return 0


def _text(args: argparse.Namespace) -> str:
    text = args.text if args.text is not None else args.words
    if (text is None) == (args.text_file is None):
        raise InputError('give the words to say: as the first argument ("..."), with --text "..." or --text-file FILE')
    if args.text_file is None:
        return text
    try:
        data = _text_bytes(args.text_file)
        # Windows editors may save UTF-16 ("Unicode") or UTF-8 with a byte-order mark.
        return data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            f"--text-file {args.text_file} is not UTF-8 text: give a plain text file (saved as UTF-8)"
        ) from None
    except OSError as e:
        raise InputError(f"could not read --text-file {args.text_file}: {e.strerror or e}") from None


def _text_bytes(text_file: Path) -> bytes:
    """The bytes of --text-file (standard input for "-"), read up to MAX_TEXT_BYTES: a device named as the file
    (/dev/zero, /dev/urandom) and what is longer (a file, or what is piped in) are refused."""
    from voice.text.checks import MAX_TEXT_BYTES, MAX_TEXT_CHARS

    if text_file == STDIN and sys.stdin is None:  # started with it closed (0<&-)
        raise InputError(
            "standard input is closed: pipe the text in (echo Hello. | voxlip say --text-file - ...), or give a file"
        )
    with contextlib.nullcontext(sys.stdin.buffer) if text_file == STDIN else open(text_file, "rb") as source:
        if text_file != STDIN and special_kind(os.fstat(source.fileno()).st_mode) == "a device":
            raise InputError(f"--text-file {text_file} is a device, not a file: give a text file")
        data = source.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        given = "standard input (-)" if text_file == STDIN else text_file
        raise InputError(
            f"--text-file {given} is larger than {MAX_TEXT_BYTES // 1024**2} MB, far more than any text voxlip says at "
            f"once ({MAX_TEXT_CHARS:,} characters): give the text to say"
        )
    return data


def _text_file(args: argparse.Namespace) -> Path | None:
    """The --text-file that is a file (not standard input): an input no output may overwrite."""
    return None if args.text_file == STDIN else args.text_file


def _voice_pipeline(args: argparse.Namespace, **lipsync) -> Pipeline:
    from .api import Pipeline

    if not 0.0 <= args.similarity <= 1.0:
        raise InputError(f"--similarity must be between 0 and 1, not {args.similarity:g}")
    return Pipeline(
        args.device,
        synthesizer=args.synthesizer,
        vocoder=args.vocoder,
        vocoder_checkpoint=args.vocoder_checkpoint,
        fast_vocoder=args.fast_vocoder,
        precision=args.precision,
        offline_voice=dataclasses.replace(OFFLINE_DEFAULTS, base_voice=args.base_voice, similarity=args.similarity),
        converter=args.converter,
        **lipsync,
    )


def _print_timings(timings: dict[str, float]) -> None:
    print("took " + ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in timings.items()))


def _save(result: Speech | Clip, output: Path, size: str) -> None:
    """Save `result` to `output` and report it; a clip's temporary MP4 is removed then."""
    with result:
        _report(result.save(output), size, result)


def _report(path: Path, size: str, result: Speech | Clip) -> None:
    """What was written, the seed it was made with (drawn at random where none was given), what made it, its notes
    and where the time went."""
    print(f"wrote {path} ({size}) and {path}.provenance.json")
    if result.seed is not None:
        print(f"seed: {result.seed} (--seed {result.seed} makes the same again)")
    print(f"made by: {_describe(result.components)}")
    for note in result.notes:
        print(f"note: {in_command_line_words(note)}")
    _print_timings(result.timings)


def cmd_say(args: argparse.Namespace) -> int:
    if args.output.suffix.lower() in VIDEO_SUFFIXES:
        raise InputError(
            f"{args.output}: voxlip say writes speech as {suffixes_in_words('audio')}; for a talking clip give a face "
            "too: voxlip run --ref VOICE --face FACE -o clip.mp4"
        )
    text = _text(args)
    output = _output_with_room(args.output, "audio", [args.ref, _text_file(args)], _speech_seconds(text))
    pipeline = _voice_pipeline(args)
    with contextlib.closing(_ProgressBar("voice", "sentences")) as bar:
        speech = pipeline.clone_voice(
            args.ref, text, consent=args.i_have_consent, seed=args.seed, progress=bar, language=args.language
        )
    _report(speech.save(output), f"{seconds_in_words(speech.duration)} at {speech.sample_rate} Hz", speech)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    text = _text(args)
    output = _output_with_room(args.output, "video", [args.ref, args.face, _text_file(args)], _speech_seconds(text))
    pipeline = _voice_pipeline(args, **_lipsync_settings(args))
    with (
        contextlib.closing(_ProgressBar("voice", "sentences")) as voice_bar,
        contextlib.closing(_ProgressBar("lip-sync", "frames")) as bar,
    ):
        clip = pipeline.text_to_clip(
            args.ref,
            args.face,
            text,
            consent=args.i_have_consent,
            seed=args.seed,
            progress=bar,
            voice_progress=voice_bar,
            language=args.language,
        )
    _save(clip, output, frames_in_words(clip.duration, clip.frames, clip.fps))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from voice.cloning import check_converter

    from .api import Pipeline

    check_converter(args.converter, revoicing=True)  # the converters convert takes (Pipeline's take none too)
    if not 0.0 <= args.similarity <= 1.0:
        raise InputError(f"--similarity must be between 0 and 1, not {args.similarity:g}")
    if args.similarity == 0:
        raise InputError(
            "--similarity 0 would leave the recording as it is: nothing would be converted; give a similarity above 0, "
            f"up to 1 (the default is {OFFLINE_DEFAULTS.revoicing_similarity:g})"
        )
    keep_video = args.output.suffix.lower() == ".mp4"
    if args.output.suffix.lower() in VIDEO_SUFFIXES and not keep_video:
        raise InputError(
            f"{args.output}: voxlip writes a video as .mp4 (give {args.output.with_suffix('.mp4').name} to keep the "
            f"source's video) and speech alone as {suffixes_in_words('audio')}"
        )
    seconds = _audio_seconds(args.source)
    # no ending (a folder, a bare name): the example it is told to give is of the source's kind
    as_video = keep_video or (not args.output.suffix and _is_video(args.source))
    output = _output_with_room(args.output, "video" if as_video else "audio", [args.ref, args.source], seconds)
    if keep_video and not _is_video(args.source):
        raise InputError(
            f"{args.source} has no video to keep: write the converted speech as {suffixes_in_words('audio')}"
        )
    pipeline = Pipeline(
        args.device,
        precision=args.precision,
        offline_voice=dataclasses.replace(OFFLINE_DEFAULTS, revoicing_similarity=args.similarity),
        converter=args.converter,
        label=_label(args),
    )
    with (
        contextlib.closing(_ProgressBar("conversion", "pieces")) as bar,
        contextlib.closing(_ProgressBar("video", "frames")) as video_bar,
    ):
        result = pipeline.convert_voice(
            args.ref,
            args.source,
            consent=args.i_have_consent,
            seed=args.seed,
            progress=bar,
            keep_video=keep_video,
            video_progress=video_bar,
        )
    if keep_video:
        size = frames_in_words(result.duration, result.frames, result.fps)
    else:
        size = f"{seconds_in_words(result.duration)} at {result.sample_rate} Hz"
    _save(result, output, size)
    return 0


def _is_video(source: Path) -> bool:
    """Whether a speech-to-speech source is a video (not sound alone, nor a picture)."""
    from core.ffmpeg import probe

    from .api import SOURCE_HINT

    info = probe(source, SOURCE_HINT)
    return info.has_video and not info.is_still


def cmd_detect(args: argparse.Namespace) -> int:
    """Every file checked, whatever the others are: exit 0 when all carry the mark, 1 when one does not, 2 when one
    could not be checked (as grep does), so that a script tells "not marked" from "not read"."""
    from .provenance import detect

    code = 0
    for path in args.files:
        try:
            report = detect(path)
        except InputError as error:
            _print_error(error)
            code = 2
            continue
        print("\n".join(report.lines()))
        if not report.marked:
            code = max(code, 1)
    return code


def _add_lipsync_checkpoint_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checkpoint",
        default="auto",
        help=(
            "Wav2Lip checkpoint name (wav2lip-gan, wav2lip) or file, 'offline' for the offline lip-sync (auto: "
            "wav2lip-gan if fetched, its mouths the sharper, else wav2lip, else offline; default: %(default)s)"
        ),
    )


def _add_lipsync_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pads",
        type=int,
        nargs=4,
        default=[0, 10, 0, 0],
        metavar=("TOP", "BOTTOM", "LEFT", "RIGHT"),
        help="pixels added around the face box (default: 0 10 0 0)",
    )
    parser.add_argument(
        "--fps", type=float, default=None, help="output frame rate (default: the video's own, 25 for a photo)"
    )
    parser.add_argument(
        "--face-index", type=int, default=None, help="which face, counted from the left from 0 (default: the largest)"
    )
    parser.add_argument(
        "--still",
        action="store_true",
        help="offline lip-sync of a photo: no head motion, blinks stay (default: the head sways a little)",
    )
    _add_label_flag(parser)
    parser.add_argument(
        "--max-size",
        type=int,
        default=1920,
        help="larger face frames are scaled down to this many pixels on their long side (default: %(default)s)",
    )
    parser.add_argument(
        "--face-detector",
        default="blazeface",
        help=(
            "what finds the face: blazeface (bundled), s3fd (Wav2Lip's detector, `voxlip fetch s3fd`) or an "
            "S3FD file (default: %(default)s)"
        ),
    )


def _add_label_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--label-corner",
        default="bottom-right",
        choices=["top-left", "top-right", "bottom-left", "bottom-right"],
        help="the corner of the AI-generated label, unless it would cover a face another corner keeps clear of "
        "(default: %(default)s)",
    )


def _add_converter_flag(parser: argparse.ArgumentParser, default_help: str, none: str = "") -> None:
    """--converter; `none`: what choosing none does, where it may be chosen."""
    parser.add_argument(
        "--converter",
        default="auto",
        help="what moves the voice toward the reference: openvoice-v2 (`voxlip fetch openvoice-v2`, or its "
        f"checkpoint.pth), offline (signal processing, no weights){none}; {default_help} (default: %(default)s)",
    )


def _add_device_flag(parser: argparse.ArgumentParser) -> None:
    """--device, for the commands that run models."""
    parser.add_argument(
        "--device", default="auto", choices=["auto", "cpu", "cuda"], help="where to run (default: %(default)s)"
    )


def _add_precision_flag(parser: argparse.ArgumentParser, models: str) -> None:
    """--precision; `models`: the neural models the command runs, which it sets."""
    pixels = " (pixels by at most ~2/255)" if "Wav2Lip" in models else ""
    parser.add_argument(
        "--precision",
        default="float32",
        choices=["float32", "bfloat16"],
        help=f"arithmetic of the neural models ({models}): float32 computes "
        "exactly what the published models do; bfloat16 is about 1.5-2x faster on CPUs with "
        f"AVX512-BF16 and moves outputs slightly{pixels} (default: %(default)s)",
    )


def _add_reference_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ref",
        "--reference",
        required=True,
        type=_local_file,
        help="a few seconds of the voice to clone (any audio file)",
    )


def _add_voice_flags(parser: argparse.ArgumentParser) -> None:
    _add_reference_flag(parser)
    words = parser.add_mutually_exclusive_group()
    words.add_argument(
        "words", nargs="?", default=None, metavar="TEXT", help="what the voice says (default: none; or --text-file)"
    )
    words.add_argument("--text", default=None, help="the same, as a flag (default: none)")
    words.add_argument(
        "--text-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="read what the voice says from this UTF-8 file, or from standard input for - (default: none)",
    )
    parser.add_argument(
        "--synthesizer",
        default="auto",
        help=f"{AUTO_VOICE}; sv2tts, offline, or a synthesizer file (default: %(default)s)",
    )
    parser.add_argument(
        "--vocoder",
        default="auto",
        choices=["auto", "wavernn", "hifigan", "griffinlim"],
        help="neural vocoder for SV2TTS (default: %(default)s: WaveRNN, else HiFi-GAN, else Griffin-Lim; HiFi-GAN is "
        "the universal one, else LJSpeech's V1, else V3: the first fetched)",
    )
    parser.add_argument(
        "--vocoder-checkpoint",
        default=None,
        help="another WaveRNN / HiFi-GAN file or name, with --vocoder wavernn or --vocoder hifigan saying which it is "
        "(default: the registry's)",
    )
    parser.add_argument(
        "--fast-vocoder",
        action="store_true",
        help="WaveRNN with shorter folds and int8 products: about 2.7x faster on CPU, other samples "
        "than RTVC's (default: off, the original's exact generation)",
    )
    parser.add_argument(
        "--base-voice",
        default=OFFLINE_DEFAULTS.base_voice,
        help="the offline voice's Piper base voice: piper-joe (bundled), piper:NAME (`voxlip fetch piper:NAME`) "
        "or a VOICE.onnx with its VOICE.onnx.json beside it; of a voice with many speakers, the one a speaker "
        "encoder hears nearest the reference, or the one named after # (e.g. piper:en_US-libritts_r-medium#p3922 "
        "or #12) (default: %(default)s)",
    )
    parser.add_argument(
        "--similarity",
        type=float,
        default=OFFLINE_DEFAULTS.similarity,
        help="how far the offline voice moves toward the reference, 0 (the base voice) to 1; lower sounds more "
        "natural, higher more like the reference (default: %(default)s)",
    )
    _add_converter_flag(
        parser,
        AUTO_VOICE,
        ", none (the speech as the synthesizer or base voice made it)",
    )
    parser.add_argument(
        "--language",
        default=None,
        help="language of the text, e.g. en or de; must be the base voice's (default: the base voice's own)",
    )
    parser.add_argument("--seed", type=_seed, default=None, help="make the result repeatable (default: random)")
    _add_device_flag(parser)


def _local_file(text: str) -> Path:
    """argparse's type for an input file: a path on this machine (a web address, read as a path, had been reported
    missing with one of its slashes gone)."""
    if "://" in text:
        raise argparse.ArgumentTypeError(
            f"{text} is a web address: voxlip reads files on this machine; download it first"
        )
    return Path(text)


def _cosine(text: str) -> float:
    """argparse's type for --threshold: a cosine similarity."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a cosine similarity from -1 to 1 (e.g. 0.71)")
    return value


def _seed(text: str) -> int:
    """argparse's type for --seed: a whole number a seed can be."""
    try:
        return checked_seed(int(text))
    except (ValueError, InputError):
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number from 0 to {LARGEST_SEED}") from None


def _add_consent_flag(parser: argparse.ArgumentParser) -> None:
    from .provenance import CONSENT_STATEMENT

    parser.add_argument(
        "--i-have-consent",
        action="store_true",
        help=f'state this, which is required and recorded: "{CONSENT_STATEMENT}" (default: not stated)',
    )


DEBUG_HELP = "show full tracebacks of unexpected errors (default: off)"


class _CommandParser(argparse.ArgumentParser):
    """A command's parser: it takes --debug after the command as well as before it (where an error's advice has a
    user put it), and names a flag it does not know before anything else: argparse names it last, after what the
    unknown flag's value did to the rest (`say --voice a.wav --text Hi` had said "--text not allowed with TEXT")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
        self._tokens: list[str] = []

    def parse_known_args(self, args=None, namespace=None):
        known = [option for action in self._actions for option in action.option_strings]
        self._tokens = list(sys.argv[1:] if args is None else args)
        for token in self._tokens:
            if token == "--":  # what follows is not flags
                break
            name = token.split("=", 1)[0]
            if " " in name:  # a value that begins with dashes ("-- wait, what?"), as argparse tells them
                continue
            if name.startswith("--") and not any(option.startswith(name) for option in known):  # a prefix is taken
                self.error(f"unrecognized argument {name}: {self.prog} --help lists the ones it takes")
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        """argparse's refusal, with a hint when a file was named that argparse took for an option."""
        super().error(message + _dash_file_hint(self._tokens))


def _dash_file_hint(tokens: list[str]) -> str:
    """What to add to a refusal of the command line when one of `tokens` is a file whose name starts with "-" (which
    argparse takes for an option, and then says an argument is missing); "" when none is."""
    for token in tokens:
        if token == "--":
            break
        if token.startswith("-") and token != "-" and os.path.lexists(token):
            return f"; {token} is taken as an option: for a file whose name starts with '-', write ./{token}"
    return ""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voxlip",
        description="Clone a voice from a few seconds of speech and make a face speak it.",
    )
    parser.add_argument("--version", action="version", version=f"voxlip {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser)

    embed = commands.add_parser("embed", help="speaker embedding of a recording, or the similarity of two")
    embed.add_argument(
        "audio", nargs="+", type=_local_file, help="one or two recordings (wav, flac, mp3, ogg, m4a, webm, ...)"
    )
    embed.add_argument(
        "--checkpoint", default="resemblyzer", help="encoder name or file (default: %(default)s, embedded)"
    )
    embed.add_argument(
        "--threshold",
        type=_cosine,
        default=None,
        help="same-speaker cosine threshold (default: 0.71, measured with resemblyzer's weights; other encoders: none, "
        "and no verdict)",
    )
    embed.add_argument(
        "--save", type=Path, default=None, help="write the embedding(s) to this .npy file (default: none)"
    )
    _add_device_flag(embed)
    embed.set_defaults(run=cmd_embed)

    fetch = commands.add_parser("fetch", help="download public checkpoints, verified, into the cache")
    fetch.add_argument("names", nargs="+", metavar="NAME", help="checkpoint names, see `voxlip checkpoints`")
    fetch.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="store here instead of the cache (default: $VOXLIP_CACHE or $XDG_CACHE_HOME/voxlip)",
    )
    fetch.add_argument(
        "--url",
        default=None,
        help="download from this mirror instead of the published URL (default: published; the links are fixed "
        "addresses, HF_ENDPOINT does not change them; not for piper:NAME)",
    )
    fetch.add_argument("--quiet", action="store_true", help="no progress bar (default: off)")
    fetch.set_defaults(run=cmd_fetch)

    say = commands.add_parser("say", help="clone a voice: the reference speaker says your text")
    _add_voice_flags(say)
    _add_precision_flag(say, "Tacotron, WaveRNN, HiFi-GAN, OpenVoice")
    say.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        help=f"the {suffixes_in_words('audio', names=True)} to write (by its ending)",
    )
    _add_consent_flag(say)
    say.set_defaults(run=cmd_say)

    run = commands.add_parser("run", help="text, a voice and a face in; a talking, lip-synced clip out")
    _add_voice_flags(run)
    run.add_argument("--face", required=True, type=_local_file, help="face video or photo")
    run.add_argument("-o", "--output", required=True, type=Path, help="the MP4 to write")
    _add_lipsync_checkpoint_flag(run)
    _add_lipsync_flags(run)
    _add_precision_flag(run, "Tacotron, WaveRNN, HiFi-GAN, OpenVoice, Wav2Lip")
    _add_consent_flag(run)
    run.set_defaults(run=cmd_run)

    lipsync = commands.add_parser("lipsync", help="make the face in a video or photo speak an audio track")
    lipsync.add_argument(
        "--face", required=True, type=_local_file, help="face video (mp4, mov, webm, ...) or photo (jpg, png)"
    )
    lipsync.add_argument(
        "--audio",
        required=True,
        type=_local_file,
        help="the speech to lip-sync: any audio file, or a video (its soundtrack); the clip keeps its rate and stereo",
    )
    lipsync.add_argument("-o", "--output", required=True, type=Path, help="the MP4 to write")
    _add_lipsync_checkpoint_flag(lipsync)
    _add_lipsync_flags(lipsync)
    _add_precision_flag(lipsync, "Wav2Lip")
    _add_consent_flag(lipsync)
    _add_device_flag(lipsync)
    lipsync.add_argument(
        "--seed", type=_seed, default=None, help="offline lip-sync of a photo: blinks and head motion (default: 0)"
    )
    lipsync.set_defaults(run=cmd_lipsync)

    convert = commands.add_parser(
        "convert", help="speech-to-speech: a recording (or a video's soundtrack) said in the reference's voice"
    )
    _add_reference_flag(convert)
    convert.add_argument(
        "--source",
        required=True,
        type=_local_file,
        help="the speech to re-voice: an audio file, or a video (its soundtrack)",
    )
    convert.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        help=f"the {suffixes_in_words('audio', names=True)} to write, or an MP4 (from a video source: its frames, "
        "labelled, with the converted speech)",
    )
    _add_converter_flag(convert, "auto: OpenVoice V2 if fetched, else offline")
    convert.add_argument(
        "--similarity",
        type=float,
        default=OFFLINE_DEFAULTS.revoicing_similarity,
        help="offline conversion only: how far the recording moves toward the reference, above 0 (at 0 nothing "
        "would be converted) up to 1; higher loses more words (default: %(default)s)",
    )
    convert.add_argument("--seed", type=_seed, default=None, help="make the result repeatable (default: random)")
    _add_device_flag(convert)
    _add_label_flag(convert)
    _add_precision_flag(convert, "OpenVoice")
    _add_consent_flag(convert)
    convert.set_defaults(run=cmd_convert)

    detect = commands.add_parser(
        "detect",
        help="does a file carry voxlip's watermark, content credentials and record?",
        description="Check each file for voxlip's watermarks (audio and frames), content credentials and provenance "
        "record. Exit status: 0 when every file carries the watermark, 1 when one does not, 2 when one could not be "
        "read.",
    )
    detect.add_argument("files", nargs="+", type=_local_file, help="audio or video files")
    detect.set_defaults(run=cmd_detect)

    listing = commands.add_parser(
        "checkpoints", help="list every checkpoint voxlip knows, and the Piper voices fetched, and whether each is here"
    )
    listing.add_argument("--dir", type=Path, default=None, help="look here instead of the cache (default: the cache)")
    listing.set_defaults(run=cmd_checkpoints)
    return parser


def command_line_words() -> tuple[tuple[str, str], ...]:
    """(what the Python API's messages say, what the command line says instead): its arguments that take a file by
    its path (checkpoints.PATH_ARGUMENTS), and the refusals that name other arguments, longest first."""
    said = {python: flag for flag, python in checkpoints.PATH_ARGUMENTS.values()}
    said |= {
        "vocoder_checkpoint needs vocoder='wavernn' or 'hifigan'": (
            "--vocoder-checkpoint needs --vocoder wavernn or --vocoder hifigan"
        ),
        "face_detector='blazeface'": "--face-detector blazeface",
        **{f"vocoder='{kind}'": f"--vocoder {kind}" for kind in ("wavernn", "hifigan")},
        " or pass config=<path>": "",
    }
    return tuple(sorted(said.items(), key=lambda pair: -len(pair[0])))


def in_command_line_words(message: str) -> str:
    """`message` as the command line's user reads it: its flags where the Python API's arguments were named."""
    for python, flag in command_line_words():
        whole = r"(?<![\w-])" if python[0].isalnum() else ""  # a name, not the end of a longer one
        message = re.sub(whole + re.escape(python), lambda _, flag=flag: flag, message)
    return message


def _print_error(error: VoxlipError) -> None:
    print(f"voxlip: error: {in_command_line_words(str(error))}", file=sys.stderr)


def _named_file(error: OSError) -> Path | None:
    """The file an OSError names as the one being written (a copy's target, else its only file), if any."""
    named = error.filename2 or error.filename
    return None if named is None or isinstance(named, int) else Path(os.fsdecode(named))


def main(argv: list[str] | None = None) -> int:
    limit_allocator_arenas()
    with contextlib.ExitStack() as stack:
        stack.enter_context(_standard_streams_usable())
        args = build_parser().parse_args(argv)
        if not args.debug:  # MediaPipe's C++ warnings go; Python's messages and progress bars stay
            stack.enter_context(native_stderr_silenced(keep_python=True))
        return _run(args)


@contextlib.contextmanager
def _standard_streams_usable() -> Iterator[None]:
    """Standard output and error as the command writes to them: a character their encoding lacks (a file's name
    under PYTHONIOENCODING=ascii, or bytes of one that are not UTF-8) written as its escape, not an error after the
    output was written; standard output's failures told apart (StandardOutputError); and standard error, where it was
    closed (`2>&-`), sent to /dev/null, as what native libraries and the silencing of their messages write to it is
    then lost, not an error. The streams are given back as they were when the command ends (main called in a
    process of the caller's: a notebook, a test)."""
    if not _is_open(2):
        _to_devnull(2)
        if sys.stderr is None:
            sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115 (the process's stderr, never closed)
    given = sys.stdout
    with contextlib.suppress(AttributeError, OSError, ValueError):  # closed (None), or a stream of Python's own
        raw = _StandardOutput(given.fileno(), "w", closefd=False)
        buffered = isinstance(given.buffer, io.BufferedWriter)  # not under python -u / PYTHONUNBUFFERED
        wrapped = io.TextIOWrapper(
            io.BufferedWriter(raw) if buffered else raw,
            encoding=given.encoding,
            errors="backslashreplace",
            line_buffering=given.line_buffering,
            write_through=given.write_through,
        )
        given.flush()  # what was printed before comes out before the command's
        sys.stdout = wrapped
    handlers = []
    for stream in (sys.stderr,) if sys.stdout is not given else (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):  # closed (None), or a stream of another kind
            handlers.append((stream, stream.errors))
            stream.reconfigure(errors="backslashreplace")
    try:
        yield
    finally:
        if sys.stdout is not given:
            with contextlib.suppress(OSError):  # lost already (--help into a full device)
                sys.stdout.flush()
            sys.stdout = given
        for stream, errors in handlers:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.reconfigure(errors=errors)


class StandardOutputError(OSError):
    """A write to standard output that failed (where it goes is full, /dev/full): not a file voxlip writes."""


class _StandardOutput(io.FileIO):
    """Standard output's descriptor, its failed writes StandardOutputError (a closed pipe stays BrokenPipeError): a
    full disk there is told apart from one under a file being written."""

    def write(self, data) -> int:
        try:
            return super().write(data)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise StandardOutputError(error.errno, error.strerror) from None


def _to_devnull(descriptor: int) -> None:
    """Point `descriptor` at /dev/null. The descriptor opened for it is closed again, unless it is `descriptor` itself
    (the lowest free one: 2, when standard error was closed)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    if devnull != descriptor:
        os.dup2(devnull, descriptor)
        os.close(devnull)


def _is_open(descriptor: int) -> bool:
    try:
        os.fstat(descriptor)
    except OSError:
        return False
    return True


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(format="voxlip: note: %(message)s", level=logging.WARNING, stream=sys.stderr, force=True)
    try:
        with unwinding_on_stop():
            try:
                code = args.run(args)
                if sys.stdout is not None:  # what it reported written out here, where its failure is told
                    sys.stdout.flush()
                return code
            except StandardOutputError as e:
                _to_devnull(sys.stdout.fileno())  # Python's flush at exit fails no more
                raise VoxlipError(
                    f"standard output could not be written ({e.strerror}): what voxlip reports there was lost, not the "
                    "files it writes; send standard output where there is room"
                ) from None
            except OSError as e:
                if e.errno not in WRITE_LIMITS:
                    raise
                # a limit met under a library (phonemizer's copy of espeak-ng, a soundfile, a temporary file)
                raise write_error(_named_file(e), e) from e
            except ImportError as e:  # OpenCV, imported where first used, without the libGL it loads
                missing = missing_library(e)
                if missing is None:
                    raise
                raise missing from e
    except VoxlipError as e:
        _print_error(e)
        if args.debug and e.detail:
            print(f"voxlip: the library said: {e.detail}", file=sys.stderr)
        return 1
    except Stopped as stop:
        print(f"voxlip: stopped by {stop}; no partial output was left", file=sys.stderr)
        return 128 + stop.signum
    except KeyboardInterrupt:
        print(INTERRUPTED, end="", file=sys.stderr)
        return 130
    except BrokenPipeError:  # what read the output closed it (`voxlip detect *.mp4 | head -2`); ffmpeg's pipes are
        # core.ffmpeg's own. Stop as a command killed by SIGPIPE does, its output sent nowhere, so that Python's
        # flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as e:
        if args.debug:
            raise
        print(
            f"voxlip: internal error ({type(e).__name__}: {e}); run again with --debug for the traceback "
            "and please report it",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
