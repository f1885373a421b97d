"""Naturalness, identity and intelligibility of the offline voice on the shared LibriSpeech speakers.

    .venv/bin/python benchmarks/eval_offline_voice.py [--speakers 40] [--sentences 20] [--similarity 0 0.5 1]

Every speaker's one recording is the reference. The Piper base voice says each sentence once (seeded);
the conversion moves it toward each speaker at every `--similarity` (0 is the base voice unconverted).
Scores, for the speakers the hyper-parameters were chosen on (CHOSEN_ON) and the held-out rest, and by
sex: DistillMOS and DNSMOS P.808 (naturalness), GE2E and a d-vector trained apart from it (cosine to the
reference), pocketsphinx WER, and the real-time factor of the conversion and of the whole offline voice.
`--reference-rate 8000` gives the voice each recording as a phone call would (through 8 kHz),
`--reference-seconds 3` only its first 3 s, `--reference-noise 10` with room noise 10 dB under it, and
`--reference-room 0.5` as recorded in a room whose echo dies away in 0.5 s; the identity is still scored against
the whole, clean recording, as a listener hears it: without its DC offset (voice.audio.without_offset), which
no one hears but both encoders' lowest band takes in. A recording voxlip cannot clone a voice from
(speech_data.usable_recordings), or whose --reference-* form it cannot use, is named with the reason and left out.
Needs the eval extra (README: "Measured").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
import zlib
from collections import defaultdict
from pathlib import Path

import librosa
import numpy as np
import scipy.signal
import torch
from common import add_threads_flag, positive, run_script, speech_dir
from speech_data import (
    Skipped,
    recordings,
    speaker_sexes,
    too_few,
    usable_recordings,
)
from speech_judges import Judges, similarity, to_16k

from voice.audio import load_audio, without_offset
from voice.offline.config import DEFAULT, OfflineConfig
from voice.offline.engine import OfflineVoice
from voice.offline.reference import prepare_reference
from voice.piper import PiperSpeech
from voice.speaker import prepare_speaker

SENTENCES = [
    "The old lighthouse keeper painted his boat a bright shade of green.",
    "Please remember to bring an umbrella when you visit the northern valley.",
    "A small brown dog chased the red ball across the quiet garden.",
    "We arrived at the station just as the evening train was leaving.",
    "She poured fresh water into the tall glass vase by the window.",
    "The children built a sandcastle near the edge of the rocky shore.",
    "Every morning the baker opens his shop before the sun comes up.",
    "My grandfather kept his letters in a box under the stairs.",
    "The committee will announce its decision at the end of the month.",
    "Heavy rain flooded the road, so we took the long way home.",
    "He tuned the old piano carefully before the concert began.",
    "Nobody could find the key to the attic after the party.",
    "The farmer sold his apples and pears at the weekly market.",
    "Turn left at the church and walk until you see the bakery.",
    "Our teacher read us a story about a clever fox and a crow.",
    "The ship sailed slowly out of the harbour in the thick fog.",
    "I would like a cup of tea with a little milk, please.",
    "They painted the fence white and planted roses along the path.",
    "The museum opens at nine and closes at five on weekdays.",
    "After dinner we played cards and listened to the radio.",
]
CHOSEN_ON = frozenset(
    "19-198-0000 32-21625-0000 103-1240-0000 125-121124-0000 150-126107-0000 198-126831-0000 211-122425-0000 "
    "248-130644-0000 289-121652-0000 302-123504-0000 "
    "26-495-0000 27-123349-0000 60-121082-0000 118-121721-0000 163-121908-0000 201-122255-0000 233-134440-0000 "
    "307-127535-0000 332-128985-0000 405-130894-0000".split()
)
"""The half of the speakers (10 women, 10 men) the conversion's hyper-parameters are chosen on; the table
reports the other half apart. The first nine chose the settings before the envelope filter; the rest are
every other remaining speaker of each sex in name order."""
HALVES = ("choose", "held out")
"""The speakers the hyper-parameters were chosen on (CHOSEN_ON), and the held-out rest."""
METRICS = ("DistillMOS", "DNSMOS", "GE2E", "d-vector", "WER", "GE2E min")
"""GE2E min: the lowest of the speakers' mean GE2E cosines (the goal: none below 0.65)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data",
        type=Path,
        default=speech_dir(),
        help="folder of one recording per speaker, with an optional speakers.csv (speech_data.py) "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--speakers", type=positive(int), default=40, help="first N speakers in name order (default: %(default)s)"
    )
    parser.add_argument(
        "--sentences",
        type=positive(int),
        default=len(SENTENCES),
        help=f"first N of the {len(SENTENCES)} sentences (default: %(default)s)",
    )
    parser.add_argument(
        "--similarity",
        type=float,
        nargs="+",
        default=[0.0, 0.5, DEFAULT.similarity],
        help="conversion settings to score, the frontier (default: %(default)s)",
    )
    parser.add_argument(
        "--only", nargs="+", default=None, help="just these speakers, by file name or stem (default: all)"
    )
    parser.add_argument(
        "--reference-rate",
        type=positive(int),
        default=None,
        help="resample each reference through this rate first, e.g. 8000 for a phone call (default: as recorded)",
    )
    parser.add_argument(
        "--reference-seconds",
        type=positive(float),
        default=None,
        help="give the voice only each recording's first this many seconds, e.g. 3 (default: all of it)",
    )
    parser.add_argument(
        "--reference-noise",
        type=float,
        default=None,
        help="add steady pink noise (a fan, a room) this many dB under each recording first, e.g. 10 "
        "(default: as recorded)",
    )
    parser.add_argument(
        "--reference-room",
        type=positive(float),
        default=None,
        help="give each recording as heard in a room with this reverberation time (seconds to fall 60 dB), e.g. 0.5 "
        "(default: as recorded)",
    )
    parser.add_argument(
        "--set",
        type=config_setting,
        nargs="+",
        default=[],
        metavar="FIELD=JSON",
        help="override OfflineConfig fields, e.g. timbre_strength=0.5 formant_range=[1.0,1.4] (default: none)",
    )
    add_threads_flag(parser)
    args = parser.parse_args()
    if args.sentences > len(SENTENCES):
        parser.error(f"argument --sentences: there are {len(SENTENCES)} sentences; give 1 to {len(SENTENCES)}")
    config = dataclasses.replace(DEFAULT, **dict(args.set))
    torch.set_num_threads(args.threads)
    skipped = Skipped()
    files = recordings(args.data, skipped)
    if not files:
        raise too_few(1, "speaker", args.data, files, skipped)
    if args.only:
        unknown = [name for name in args.only if not any(asked(path, [name]) for path in files)]
        if unknown:
            stems = ", ".join(path.stem for path in files)
            raise SystemExit(
                f"no recording named {' '.join(unknown)} in {args.data}: give one of {stems} (or its name)"
            )
    files = [path for path in files if asked(path, args.only)] if args.only else files[: args.speakers]
    sexes, judges = speaker_sexes(args.data), Judges()
    files = usable_recordings(files, judges.encoder, skipped)
    if not files:
        raise too_few(1, "speaker", args.data, files, skipped)
    voices = {s: OfflineVoice(dataclasses.replace(config, similarity=s), threads=args.threads) for s in args.similarity}
    base = next(iter(voices.values())).base
    for voice in voices.values():
        voice.share_base(next(iter(voices.values())))
    sentences = SENTENCES[: args.sentences]
    started = time.perf_counter()
    spoken = [base.speak(text, seed=i) for i, text in enumerate(sentences)]
    synthesis_seconds = time.perf_counter() - started
    audio_seconds = sum(len(s.wave) / s.sample_rate for s in spoken)
    scores: dict[tuple, list] = defaultdict(list)
    conversion_seconds, scored = 0.0, 0
    fit_seconds: list[float] = []
    said = list(zip(sentences, spoken))
    for path in files:
        with skipped.on_error(path.name):  # e.g. too little speech left in its first --reference-seconds
            own, fit, converting = score_speaker(path, args, config, judges, voices, said)
            half = half_of(path)
            sex = sexes.get(path.name, "?")
            for setting, rows in own.items():
                for group in ((half, "all"), (half, sex), ("both", "all")):
                    scores[(setting, *group)] += rows
            fit_seconds.append(fit)
            conversion_seconds += converting
            scored += 1
            measured = ", ".join(
                f"{s:g}: DistillMOS {np.mean([r[0] for r in rows]):.2f} GE2E {np.mean([r[2] for r in rows]):.3f} "
                f"d-vector {np.mean([r[3] for r in rows]):.3f}"
                for s, rows in own.items()
            )
            print(f"  {path.stem} ({sex}, {half}) {measured}", flush=True)
    if not scored:
        raise too_few(1, "speaker", args.data, [], skipped)
    print(format_table(scores, args.similarity))
    per_second = conversion_seconds / (audio_seconds * scored * len(voices))
    print(
        f"\nbase voice RTF {synthesis_seconds / audio_seconds:.3f} ({args.threads} threads); conversion RTF "
        f"{per_second:.3f}; whole offline voice RTF {synthesis_seconds / audio_seconds + per_second:.3f}; "
        f"fit per reference (formant ratio and filter; once, then cached) {np.median(fit_seconds):.2f} s median"
        + skipped.summary()
    )


def score_speaker(
    path: Path,
    args: argparse.Namespace,
    config: OfflineConfig,
    judges: Judges,
    voices: dict[float, OfflineVoice],
    said: list[tuple[str, PiperSpeech]],
) -> tuple[dict[float, list[tuple]], float, float]:
    """One speaker's score rows at each similarity setting, the seconds its fit took, and its conversions'."""
    recording = load_audio(path)
    heard = without_offset(recording)  # what a listener hears: the identity targets
    target_ge2e, target_dvector = judges.ge2e(heard), judges.dvector(heard)
    speaker = prepare_speaker(
        judges.encoder, as_given(recording, args, seed=zlib.crc32(path.stem.encode())), source_sr=16_000
    )
    started = time.perf_counter()
    fitter = next(iter(voices.values()))  # the fit is the same at every similarity
    reference = fitter.fitted(prepare_reference(speaker, config=config), speaker.wave, judges.encoder)
    fit_seconds, conversion_seconds = time.perf_counter() - started, 0.0
    own: dict[float, list[tuple]] = defaultdict(list)
    for setting, voice in voices.items():
        for text, speech in said:
            started = time.perf_counter()
            wave = voice.convert(speech.wave, speech.sample_rate, reference, seed=0)
            conversion_seconds += time.perf_counter() - started
            wave = to_16k(wave, speech.sample_rate)
            errors, words = judges.word_errors(wave, text)
            row = (
                judges.distillmos(wave),
                judges.dnsmos(wave)["p808_mos"],
                similarity(judges.ge2e(wave), target_ge2e),
                float(judges.dvector(wave) @ target_dvector),
                (errors, words),
                path.stem,
            )
            own[setting].append(row)
    return own, fit_seconds, conversion_seconds


def as_given(recording: np.ndarray, args: argparse.Namespace, seed: int) -> np.ndarray:
    """A 16 kHz recording as the voice is given it: cut, through a lower rate, under noise or in a room, as the
    --reference-* options ask."""
    if args.reference_seconds:
        recording = recording[: int(args.reference_seconds * 16_000)]
    if args.reference_rate:
        recording = to_16k(
            librosa.resample(recording, orig_sr=16_000, target_sr=args.reference_rate), args.reference_rate
        )
    if args.reference_noise is not None:
        recording = with_noise(recording, args.reference_noise, seed=seed)
    if args.reference_room is not None:
        recording = in_room(recording, args.reference_room, seed=seed)
    return recording


def asked(path: Path, only: list[str]) -> bool:
    """Whether a recording is among the `--only` names, by its file name or its stem."""
    return path.name in only or path.stem in only


def half_of(path: Path) -> str:
    """Which of HALVES a recording's speaker is in, by its file stem."""
    return "choose" if path.stem in CHOSEN_ON else "held out"


def with_noise(wave: np.ndarray, below_db: float, seed: int) -> np.ndarray:
    """`wave` with pink noise (power falling 3 dB an octave, like a fan or a room's hum of air) at an RMS `below_db`
    under the recording's own."""
    white = np.fft.rfft(np.random.default_rng(seed).standard_normal(len(wave)))
    pink = np.fft.irfft(white / np.sqrt(np.maximum(np.arange(len(white)), 1)), n=len(wave))
    rms = np.sqrt(np.mean(wave**2))
    noise = pink * rms / np.sqrt(np.mean(pink**2)) * 10 ** (-below_db / 20)
    return (wave + noise).astype(np.float32)


def in_room(wave: np.ndarray, seconds: float, seed: int, rate: int = 16_000) -> np.ndarray:
    """`wave` as a microphone in a room hears it: the direct sound plus a reverberant tail of decaying noise (Polack's
    model) that falls 60 dB in `seconds` and carries as much energy as the direct sound (as at the room's critical
    distance), the level kept."""
    times = np.arange(1, int(seconds * rate)) / rate
    tail = np.random.default_rng(seed).standard_normal(len(times)) * 10 ** (-3 * times / seconds)
    response = np.concatenate([[1.0], tail / np.sqrt(np.sum(tail**2))])
    heard = scipy.signal.fftconvolve(wave, response)[: len(wave)]
    return (heard * np.sqrt(np.mean(wave**2) / np.mean(heard**2))).astype(np.float32)


def config_setting(text: str) -> tuple[str, object]:
    """An argparse type for `--set`: FIELD=JSON, FIELD one of OfflineConfig's; a JSON list becomes a tuple, as the
    config's fields are."""
    name, equals, value = text.partition("=")
    if not equals:
        raise argparse.ArgumentTypeError(f"{text!r} is not FIELD=JSON")
    if name not in {field.name for field in dataclasses.fields(OfflineConfig)}:
        raise argparse.ArgumentTypeError(f"OfflineConfig (voice/offline/config.py) has no field {name!r}")
    try:
        parsed = json.loads(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{value!r} is not JSON ({e})") from None
    return name, tuple(parsed) if isinstance(parsed, list) else parsed


def format_table(scores: dict[tuple, list], settings: list[float]) -> str:
    lines = [f"{'similarity':>10} {'speakers':>9} {'sex':>4} {'n':>4} " + " ".join(f"{m:>10}" for m in METRICS)]
    for setting in settings:
        for half in (*HALVES, "both"):
            for sex in ("all", "F", "M"):
                rows = scores.get((setting, half, sex))
                if not rows:
                    continue
                values = np.array([r[:4] for r in rows])
                errors = sum(r[4][0] for r in rows) / max(1, sum(r[4][1] for r in rows))
                by_speaker = defaultdict(list)
                for r in rows:
                    by_speaker[r[5]].append(r[2])
                lowest = min(np.mean(v) for v in by_speaker.values())
                lines.append(
                    f"{setting:>10.2f} {half:>9} {sex:>4} {len(rows):>4} "
                    + " ".join(f"{v:>10.3f}" for v in values.mean(0))
                    + f" {errors:>10.3f} {lowest:>10.3f}"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    run_script(main)
