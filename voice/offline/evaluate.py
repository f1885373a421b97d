"""How close and how intelligible the offline voice is: GE2E similarity and recogniser WER, base vs converted."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..audio import load_audio
from ..encoder import SpeakerEncoder, similarity
from ..intelligibility import word_errors
from ..recognition import PocketsphinxRecognizer
from .config import DEFAULT, OfflineConfig
from .engine import synthesize_offline
from .flite import synthesize_base
from .reference import prepare_reference


@dataclass
class SpeakerScores:
    speaker: str
    base_voice: str
    base_similarity: list[float] = field(default_factory=list)
    """Per sentence: the chosen base voice, unconverted (flite at its own pitch)."""
    best_base_similarity: list[float] = field(default_factory=list)
    """Per sentence: the best of all base voices, unconverted (an oracle choice, for calibration)."""
    converted_similarity: list[float] = field(default_factory=list)
    base_errors: int = 0
    converted_errors: int = 0
    words: int = 0
    audio_seconds: float = 0.0
    synthesis_seconds: float = 0.0
    preparation_seconds: float = 0.0


def score_speaker(
    reference_path: Path,
    sentences: list[str],
    encoder: SpeakerEncoder,
    recognizer: PocketsphinxRecognizer,
    config: OfflineConfig = DEFAULT,
) -> SpeakerScores:
    """Say every sentence with the unconverted base voices and with the offline voice; score both."""
    reference = load_audio(reference_path)
    target = encoder.embed_utterance(reference)
    started = time.perf_counter()
    voice = prepare_reference(reference, config=config, encoder=encoder)
    scores = SpeakerScores(reference_path.stem, voice.base_voice, preparation_seconds=time.perf_counter() - started)
    for sentence in sentences:
        started = time.perf_counter()
        converted = synthesize_offline(sentence, voice, config=config, encoder=encoder)
        scores.synthesis_seconds += time.perf_counter() - started
        scores.audio_seconds += converted.duration
        base_waves = {
            name: synthesize_base(sentence, name, sample_rate=config.sample_rate).wave for name in config.voices
        }
        base_scores = {name: similarity(encoder.embed_utterance(w), target) for name, w in base_waves.items()}
        scores.base_similarity.append(base_scores[voice.base_voice])
        scores.best_base_similarity.append(max(base_scores.values()))
        scores.converted_similarity.append(similarity(encoder.embed_utterance(converted.samples), target))
        base_errors, words = word_errors(sentence, recognizer.transcribe(base_waves[voice.base_voice]))
        converted_errors, _ = word_errors(sentence, recognizer.transcribe(converted.samples))
        scores.base_errors += base_errors
        scores.converted_errors += converted_errors
        scores.words += words
    return scores


def format_table(results: list[SpeakerScores]) -> str:
    """Per-speaker rows, then means, minima, WER and speed."""
    lines = [
        f"{'speaker':<16} {'voice':<6} {'base':>6} {'best':>6} {'conv':>6} {'WERbase':>8} {'WERconv':>8} {'x rt':>6}",
    ]
    for r in results:
        lines.append(
            f"{r.speaker:<16} {r.base_voice:<6} {np.mean(r.base_similarity):6.3f} "
            f"{np.mean(r.best_base_similarity):6.3f} "
            f"{np.mean(r.converted_similarity):6.3f} {r.base_errors / r.words:8.3f} "
            f"{r.converted_errors / r.words:8.3f} "
            f"{r.audio_seconds / r.synthesis_seconds:6.1f}"
        )
    base = np.array([np.mean(r.base_similarity) for r in results])
    best = np.array([np.mean(r.best_base_similarity) for r in results])
    converted = np.array([np.mean(r.converted_similarity) for r in results])
    words = sum(r.words for r in results)
    base_wer = sum(r.base_errors for r in results) / words
    converted_wer = sum(r.converted_errors for r in results) / words
    audio = sum(r.audio_seconds for r in results)
    synthesis = sum(r.synthesis_seconds for r in results)
    preparation = np.array([r.preparation_seconds for r in results])
    sentences = sum(len(r.converted_similarity) for r in results)
    lines += [
        "",
        f"speakers {len(results)}, sentences per speaker {sentences // max(1, len(results))}, words {words}",
        "speaker similarity (GE2E cosine with the reference), mean / min over speakers:",
        f"  chosen base voice, unconverted   {base.mean():.3f} / {base.min():.3f}",
        f"  best base voice, unconverted     {best.mean():.3f} / {best.min():.3f}   (oracle choice per speaker)",
        f"  converted (offline voice)        {converted.mean():.3f} / {converted.min():.3f}",
        f"  speakers >= 0.65: {(converted >= 0.65).sum()}/{len(results)}   >= 0.75: "
        f"{(converted >= 0.75).sum()}/{len(results)}",
        f"WER (pocketsphinx en-us): base {base_wer:.3f}, converted {converted_wer:.3f} "
        f"({converted_wer / max(base_wer, 1e-9):.2f}x)",
        f"speed: {1000 * synthesis / audio:.1f} ms per second of audio ({audio / synthesis:.1f}x real time), "
        f"reference preparation {np.median(preparation):.2f} s median (once per reference)",
    ]
    return "\n".join(lines)
