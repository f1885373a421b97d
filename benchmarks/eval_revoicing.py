"""Speech-to-speech (`voxlip convert`) with the offline conversion, on the shared LibriSpeech speakers.

    .venv/bin/python benchmarks/eval_revoicing.py [--speakers 40] [--seconds 8] [--similarity 0.5 1]

The first `--seconds` of each speaker's recording are re-voiced toward the next speaker's of the same half
(in name order, so men and women both ways). Scores, before (the source as it is) and after: GE2E and
d-vector cosine to the reference recording and to the source, DistillMOS, DNSMOS P.808, and pocketsphinx
word agreement with the source (WER of the converted speech's transcript against the source's: what the
conversion loses). The pairs of speakers the offline conversion was tuned on (eval_offline_voice.CHOSEN_ON)
are reported apart from the pairs of held-out speakers. A recording voxlip cannot clone a voice from
(speech_data.usable_recordings), or a pair it cannot re-voice, is named with the reason and left out. Needs the
eval extra (README: "Measured").
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from common import add_threads_flag, positive, run_script, speech_dir
from eval_offline_voice import HALVES, config_setting, half_of
from speech_data import Skipped, recordings, speaker_sexes, too_few, usable_recordings
from speech_judges import Judges, similarity

from voice.audio import load_audio, without_offset
from voice.intelligibility import word_errors
from voice.offline.config import DEFAULT
from voice.offline.engine import OfflineVoice
from voice.offline.reference import prepare_reference
from voice.speaker import prepare_speaker

Embeddings = tuple[np.ndarray, np.ndarray]
"""A recording's GE2E embedding and d-vector."""
METRICS = ("GE2E ref", "GE2E src", "dvec ref", "dvec src", "DistillMOS", "DNSMOS", "WER")


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
        "--speakers",
        type=positive(int),
        default=40,
        help="first N speakers in name order, at least 2 (default: %(default)s)",
    )
    parser.add_argument(
        "--similarity",
        type=float,
        nargs="+",
        default=[DEFAULT.revoicing_similarity],
        help="revoicing_similarity settings to score (default: %(default)s)",
    )
    parser.add_argument(
        "--seconds",
        type=positive(float),
        default=8.0,
        help="re-voice the first this many seconds of each (default: %(default)s)",
    )
    parser.add_argument(
        "--half",
        choices=(*HALVES, "both"),
        default="both",
        help="the pairs of the chosen speakers, of the held-out ones, or both (default: %(default)s)",
    )
    parser.add_argument(
        "--set",
        type=config_setting,
        nargs="+",
        default=[],
        metavar="FIELD=JSON",
        help="override OfflineConfig fields, e.g. revoicing_fit_seconds=5 (default: none)",
    )
    add_threads_flag(parser)
    args = parser.parse_args()
    if args.speakers < 2:
        parser.error("argument --speakers: a pair needs 2 speakers; give 2 or more")
    torch.set_num_threads(args.threads)
    skipped = Skipped()
    files = recordings(args.data, skipped)[: args.speakers]
    if len(files) < 2:
        raise too_few(2, "speakers", args.data, files, skipped)
    sexes, judges = speaker_sexes(args.data), Judges()
    files = usable_recordings(files, judges.encoder, skipped)
    if len(files) < 2:
        raise too_few(2, "speakers", args.data, files, skipped)
    chosen = [p for p in pairs(files) if args.half in (p[2], "both")]
    if not chosen:
        raise no_pairs(files, args.half)
    for half in HALVES:
        alone = [path for path in files if half_of(path) == half]
        if len(alone) == 1 and args.half in (half, "both"):
            print(f"  {alone[0].name}: not re-voiced: the only usable recording in the '{half}' half", flush=True)
    config = dataclasses.replace(DEFAULT, **dict(args.set))
    voices = {s: OfflineVoice(dataclasses.replace(config, revoicing_similarity=s)) for s in args.similarity}
    waves = {path: load_audio(path) for path in files}
    sources = {path: wave[: int(args.seconds * 16_000)] for path, wave in waves.items()}
    heard = {path: without_offset(wave) for path, wave in waves.items()}  # what a listener hears: the targets
    embeddings = {path: (judges.ge2e(heard[path]), judges.dvector(heard[path])) for path in files}
    transcripts = {path: judges.recognizer.transcribe(wave) for path, wave in sources.items()}
    scores: dict[tuple, list] = defaultdict(list)
    seconds = converted_seconds = 0.0
    for source_path, target_path, half in chosen:
        with skipped.on_error(f"{source_path.name} -> {target_path.name}"):
            source = sources[source_path]
            rows, took = score_pair(
                (source, transcripts[source_path], embeddings[source_path]),
                target_path,
                embeddings[target_path],
                judges,
                voices,
            )
            pair = f"{sexes.get(source_path.name, '?')}->{sexes.get(target_path.name, '?')}"
            for name, row in rows.items():
                for group in ((half, "all"), (half, pair), ("both", "all")):
                    scores[(name, *group)].append(row)
            seconds += took
            converted_seconds += len(source) / 16_000 * len(voices)
            print(f"  {source_path.stem} -> {target_path.stem} ({pair}, {half}) done", flush=True)
    if not converted_seconds:
        raise SystemExit(f"no pair could be re-voiced in {args.data}:" + skipped.summary())
    print(format_table(scores, ["before", *(f"{s:.2f}" for s in args.similarity)]))
    print(
        f"\noffline re-voicing RTF {seconds / converted_seconds:.3f} ({args.threads} threads; the filter's fit counted "
        "where it was not yet in voxlip's cache: once per pair)" + skipped.summary()
    )


def score_pair(
    source: tuple[np.ndarray, str, Embeddings],
    target_path: Path,
    target: Embeddings,
    judges: Judges,
    voices: dict[float, OfflineVoice],
) -> tuple[dict[str, tuple], float]:
    """The scores of the source (its wave, transcript and embeddings) as it is ("before") and re-voiced toward the
    target at each setting, and the seconds the re-voicing took."""
    wave, transcript, own = source
    speaker = prepare_speaker(judges.encoder, target_path)
    reference = prepare_reference(speaker)
    candidates, took = {"before": wave}, 0.0
    for setting, voice in voices.items():
        started = time.perf_counter()
        revoiced = voice.revoice(wave, 16_000, reference, speaker.wave, seed=0, encoder=judges.encoder)
        candidates[f"{setting:.2f}"] = revoiced.samples
        took += time.perf_counter() - started
    rows = {}
    for name, candidate in candidates.items():
        ge2e, dvector = judges.ge2e(candidate), judges.dvector(candidate)
        errors, words = word_errors(transcript, judges.recognizer.transcribe(candidate))
        rows[name] = (
            similarity(ge2e, target[0]),
            similarity(ge2e, own[0]),
            float(dvector @ target[1]),
            float(dvector @ own[1]),
            judges.distillmos(candidate),
            judges.dnsmos(candidate)["p808_mos"],
            (errors, words),
        )
    return rows, took


def pairs(files: list[Path]) -> list[tuple[Path, Path, str]]:
    """(source, target, half): each speaker re-voiced toward the next of its own half (the chosen speakers, or
    the held-out ones), so that no pair mixes the two."""
    made = []
    for half in HALVES:
        group = [path for path in files if half_of(path) == half]
        if len(group) > 1:
            made += [(path, group[(i + 1) % len(group)], half) for i, path in enumerate(group)]
    return made


def no_pairs(files: list[Path], half: str) -> SystemExit:
    """The exit for a --half without pairs: how many usable recordings each half holds, and what to do."""
    held = {h: sum(half_of(path) == h for path in files) for h in HALVES}
    asked = "either half" if half == "both" else f"the '{half}' half"
    others = [h for h, n in held.items() if n > 1]
    advice = f'use --half "{others[0]}" or --half both' if others else "give more speakers (--speakers, --data)"
    return SystemExit(
        f"no pairs in {asked}: a half needs at least 2 usable recordings, and of the {len(files)} usable ones "
        + " and ".join(f"'{h}' holds {n}" for h, n in held.items())
        + " ('choose' holds the speakers the offline voice was tuned on, eval_offline_voice.CHOSEN_ON, by "
        f"LibriSpeech file stem: a folder of your own is all 'held out'); {advice}"
    )


def format_table(scores: dict[tuple, list], settings: list[str]) -> str:
    lines = [f"{'similarity':>10} {'pairs':>9} {'sexes':>6} {'n':>4} " + " ".join(f"{m:>10}" for m in METRICS)]
    for setting in settings:
        for half in (*HALVES, "both"):
            for pair in ("all", "F->F", "F->M", "M->F", "M->M"):
                rows = scores.get((setting, half, pair))
                if not rows:
                    continue
                values = np.array([r[:6] for r in rows]).mean(0)
                errors = sum(r[6][0] for r in rows) / max(1, sum(r[6][1] for r in rows))
                lines.append(
                    f"{setting:>10} {half:>9} {pair:>6} {len(rows):>4} "
                    + " ".join(f"{v:>10.3f}" for v in values)
                    + f" {errors:>10.3f}"
                )
    return "\n".join(lines)


if __name__ == "__main__":
    run_script(main)
