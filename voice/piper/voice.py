"""A Piper voice loaded once: text in, 16-bit-ready float speech and its phone timings out."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import checkpoints
from core.cache import note_unwritable_cache
from core.errors import CheckpointError, InputError, VoxlipError
from core.files import atomic_output, sha256_file

from ..joins import PARAGRAPH_PAUSE, joined, kept_span
from ..phones import Phone
from ..synthesis import SpeechTooLong
from .config import PiperConfig
from .graph import DURATIONS, NOISE_PREFIX, rewrite
from .phonemes import PUNCTUATION, Phonemizer, phoneme_ids

HOP_LENGTH = 256
"""Samples per VITS frame in every Piper voice (its durations count these)."""
NOISE_FRAMES_PER_ID = 12
"""The prior's noise is first drawn for this many frames per phoneme id (Piper's voices average 2-4); more on demand."""
PRIOR_CHANNELS = 192
SENTENCE_PAUSE = 0.2
"""Seconds of silence between the sentences of a text, each said on its own."""
PROVIDERS = ["CPUExecutionProvider"]


@dataclass(frozen=True)
class PiperSpeech:
    wave: np.ndarray
    sample_rate: int
    phones: tuple[Phone, ...]
    """Each phoneme (IPA, stress marks dropped) with its start and end in seconds; empty if the graph hides them."""
    skipped: frozenset[str] = frozenset()


class PiperVoice:
    """One Piper `.onnx` voice in onnxruntime, with its `.onnx.json`; `speak` is repeatable under a seed."""

    def __init__(
        self,
        path: Path,
        sha256: str,
        config: PiperConfig,
        config_sha256: str,
        name: str,
        threads: int | None = None,
    ):
        self.path, self.sha256, self.config, self.config_sha256, self.name = path, sha256, config, config_sha256, name
        self.session = _session(path, sha256, threads or min(os.cpu_count() or 1, 4))
        inputs = {i.name for i in self.session.get_inputs()}
        if not {"input", "input_lengths", "scales"} <= inputs:
            raise CheckpointError(
                f"{path} is an ONNX model but not a Piper voice (its inputs are {', '.join(sorted(inputs))}); "
                "use a voice from rhasspy/piper-voices"
            )
        self.noise_inputs = tuple(sorted(n for n in inputs if n.startswith(NOISE_PREFIX)))
        self.has_durations = DURATIONS in {o.name for o in self.session.get_outputs()}
        self.needs_speaker = "sid" in inputs
        self.phonemizer = Phonemizer(config.espeak_voice)
        self.speaker: int | None = None
        """The speaker of a multi-speaker voice chosen by `with_speaker`; None: not chosen (speak uses the first)."""
        self.duration_factor = 1.0
        """Each phoneme's duration is the voice's own (its JSON's length_scale) times this (`slower`)."""

    @property
    def multi_speaker(self) -> bool:
        return self.needs_speaker and self.config.num_speakers > 1

    @property
    def key(self) -> str:
        """What caches of this voice's speech are keyed by: its .onnx's and its .onnx.json's sha256 (the JSON sets
        its pace, noise, rate and phonemes), its speaker if it has several, and its duration factor if not 1."""
        files = f"{self.sha256}+{self.config_sha256}"
        key = files if self.speaker is None else f"{files}#{self.speaker}"
        return key if self.duration_factor == 1.0 else f"{key}@{self.duration_factor!r}"

    def slower(self, factor: float) -> PiperVoice:
        """This voice with every phoneme `factor` times as long (below 1: faster); the model is shared."""
        if not factor > 0:
            raise InputError(f"a duration factor must be above 0, not {factor}")
        paced = copy.copy(self)
        paced.duration_factor = self.duration_factor * factor
        return paced

    def with_speaker(self, speaker: int | str) -> PiperVoice:
        """This voice as one of its speakers (an id, or a name of its speaker_id_map); the model is shared."""
        ids, count = self.config.speaker_ids, self.config.num_speakers
        if not self.multi_speaker:
            raise InputError(f"the Piper voice {self.name} has one speaker: leave out #{speaker}")
        chosen = ids.get(str(speaker))
        if chosen is None and str(speaker).isdigit() and int(speaker) < count:
            chosen = int(speaker)
        if chosen is None:
            names = f" or a name such as {', '.join(list(ids)[:3])}" if ids else ""
            raise InputError(
                f"the Piper voice {self.name} has no speaker {speaker!r}: give an id from 0 to {count - 1}{names}"
            )
        named = copy.copy(self)
        label = next((name for name, i in ids.items() if i == chosen), str(chosen))
        named.speaker, named.name = chosen, f"{self.name}#{label}"
        return named

    def speak(
        self,
        text: str,
        seed: int | None = None,
        speaker: int | None = None,
        progress: Callable[[int, int, float], None] | None = None,
        max_seconds: float | None = None,
    ) -> PiperSpeech:
        """`text` (one or more sentences) in this voice (its chosen speaker, or `speaker`); the same seed gives the
        same samples. `progress(sentences done, sentences, sentences per second)` is called as sentences finish.
        `max_seconds`: SpeechTooLong as soon as the speech made so far is longer (the rest is not made)."""
        speaker = speaker if speaker is not None else self.speaker or 0
        rng = np.random.default_rng(seed)
        said, skipped, rate = [], set(), self.config.sample_rate
        started = time.perf_counter()
        said_paragraphs = self.phonemizer.said_paragraphs(text)
        sentences = [  # each with the pause after it, and its words and paragraph (for SpeechTooLong)
            (ipa, PARAGRAPH_PAUSE if i + 1 == len(paragraph) else SENTENCE_PAUSE, words, p)
            for p, paragraph in enumerate(said_paragraphs, 1)
            for i, (ipa, words) in enumerate(paragraph)
        ]
        made = 0  # samples the speech so far has at least (joined takes a run-on piece's quiet edges off)
        for i, (ipa, pause, words, paragraph) in enumerate(sentences):
            if progress is not None and i > 0:
                progress(i, len(sentences), i / max(time.perf_counter() - started, 1e-9))
            phonemized = phoneme_ids(ipa, self.config)
            skipped |= phonemized.skipped
            if not any(p.isalpha() for p in phonemized.phonemes):
                if said and pause == PARAGRAPH_PAUSE:  # punctuation alone ends the paragraph: its pause stays
                    said[-1] = (*said[-1][:2], pause)
                continue
            wave, durations = self._run(phonemized.ids, rng, speaker)
            if pause == SENTENCE_PAUSE and ipa.rstrip()[-1:] not in PUNCTUATION:
                pause = None  # a long sentence cut between words (runs_of_words) runs on
            said.append((wave, tuple(_timed(phonemized.phonemes, durations, 0.0, rate)), pause))
            if max_seconds is not None:
                made += _least_length(said, rate)
                if made > max_seconds * rate:
                    raise SpeechTooLong(max_seconds, words, paragraph, len(said_paragraphs), i / len(sentences))
        if not said:
            raise InputError(f"the {self.name} voice has nothing to say for {text!r}: give words it can pronounce")
        if progress is not None:
            progress(len(sentences), len(sentences), len(sentences) / max(time.perf_counter() - started, 1e-9))
        wave, phones = joined(said, rate)
        return PiperSpeech(wave, rate, phones, frozenset(skipped))

    def _run(
        self, ids: tuple[int, ...], rng: np.random.Generator, speaker: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        config = self.config
        length_scale = config.length_scale * self.duration_factor
        feed = {
            "input": np.array([ids], dtype=np.int64),
            "input_lengths": np.array([len(ids)], dtype=np.int64),
            "scales": np.array([config.noise_scale, length_scale, config.noise_w], dtype=np.float32),
        }
        if self.needs_speaker:
            feed["sid"] = np.array([speaker], dtype=np.int64)
        frames = NOISE_FRAMES_PER_ID * max(1.0, length_scale)
        state = rng.bit_generator.state
        for attempt in range(4):
            noise = rng.standard_normal(int(len(ids) * PRIOR_CHANNELS * frames)).astype(np.float32)
            feed |= {name: noise for name in self.noise_inputs}
            try:
                outputs = self.session.run(None, feed)
                break
            except Exception as e:  # the noise was shorter than the prior (very slow speech): draw more
                if "reshape" not in str(e).lower() or attempt == 3:
                    raise VoxlipError(f"the {self.name} voice failed on this text: {str(e).splitlines()[0][:200]}")
                frames *= 2
                rng.bit_generator.state = state
        wave = np.asarray(outputs[0], dtype=np.float32).reshape(-1)
        durations = None
        if self.has_durations:
            names = [o.name for o in self.session.get_outputs()]
            durations = np.asarray(outputs[names.index(DURATIONS)]).reshape(-1)
        return np.clip(wave, -1.0, 1.0), durations


def _least_length(said: list[tuple[np.ndarray, tuple[Phone, ...], float | None]], rate: int) -> int:
    """Samples the last of `said` adds to the speech `joined` makes of them, at least: the pause before it and its
    span (`kept_span`; its tail taken off too if it runs on, as it is when another piece follows)."""
    wave, _, pause = said[-1]
    continues = len(said) > 1 and said[-2][2] is None
    start, end = kept_span(wave, rate, head=continues, tail=pause is None)
    before = int(said[-2][2] * rate) if len(said) > 1 and not continues else 0
    return before + end - start


def _timed(phonemes: tuple[str, ...], durations: np.ndarray | None, offset: float, rate: int) -> list[Phone]:
    """Phone spans from per-id frame counts: id 2k+2 is phoneme k, and the pad after it belongs to it."""
    if durations is None:
        return []
    ends = np.cumsum(durations) * HOP_LENGTH / rate + offset
    phones = []
    for k, phoneme in enumerate(phonemes):
        start, end = ends[2 * k + 1], ends[min(2 * k + 3, len(ends) - 1)]
        if phoneme.strip() and phoneme not in "ˈˌː" and end > start:
            phones.append(Phone(phoneme, float(start), float(end)))
    return phones


def _session(path: Path, sha256: str, threads: int):
    """An onnxruntime session of the rewritten graph (graph.py), optimised once per machine and kept in the
    cache beside the other checkpoints: loading it then skips the rewrite and the optimiser (about 4 s)."""
    import onnxruntime

    def options(level) -> onnxruntime.SessionOptions:
        made = onnxruntime.SessionOptions()
        made.intra_op_num_threads, made.inter_op_num_threads = threads, 1
        # Planning buffer reuse over the graph's 2,500 nodes took 1.4 s of a 1.8 s load; without it the voice
        # loads in 0.4 s and speaks as fast, with the same samples and peak memory (one sentence at a time).
        made.enable_mem_reuse = False
        made.log_severity_level = 3
        made.graph_optimization_level = level
        return made

    levels = onnxruntime.GraphOptimizationLevel
    cached = checkpoints.cache_dir() / "piper" / "optimized" / f"{sha256[:24]}-ort{onnxruntime.__version__}.onnx"
    if cached.is_file():
        try:
            return onnxruntime.InferenceSession(str(cached), options(levels.ORT_DISABLE_ALL), providers=PROVIDERS)
        except Exception:  # a damaged cache entry: made again below
            cached.unlink(missing_ok=True)
    try:
        graph = rewrite(path.read_bytes())
    except Exception as e:  # onnx's many parse errors
        if checkpoints.file_format(path) in ("zip", "pickle", "torchscript"):
            raise CheckpointError(
                f"{path} is a PyTorch file, not an ONNX model: a Piper voice is a .onnx file with its .onnx.json "
                "beside it (https://huggingface.co/rhasspy/piper-voices)"
            ) from None
        raise CheckpointError(
            f"{path} is not a readable ONNX model ({type(e).__name__}: {str(e).splitlines()[0][:160]}); "
            "it may be truncated or corrupt: download the Piper voice again"
        ) from None
    try:
        with atomic_output(cached) as partial:
            made = options(levels.ORT_ENABLE_EXTENDED)
            made.optimized_model_filepath = str(partial)
            return onnxruntime.InferenceSession(graph.model, made, providers=PROVIDERS)
    except Exception:  # the cache could not take the optimised graph (a full disk, a read-only folder), or the voice
        pass  # cannot run: which of the two, the session made in memory tells
    try:
        session = onnxruntime.InferenceSession(graph.model, options(levels.ORT_ENABLE_EXTENDED), providers=PROVIDERS)
    except Exception as e:
        raise CheckpointError(
            f"{path} is an ONNX file onnxruntime cannot run ({type(e).__name__}: {str(e).splitlines()[0][:160]}); "
            "use a voice from rhasspy/piper-voices"
        ) from None
    note_unwritable_cache()
    return session


def load_piper_voice(name_or_path: str | os.PathLike = "piper-joe", threads: int | None = None) -> PiperVoice:
    """A registry name (the bundled "piper-joe", a fetched "piper:NAME") or a `.onnx` path, verified; "#SPEAKER"
    after it chooses a speaker of a multi-speaker voice (its id or its name: piper:en_US-libritts_r-medium#p3922)."""
    speaker = None
    if isinstance(name_or_path, str) and "#" in name_or_path and not Path(name_or_path).exists():
        name_or_path, _, speaker = name_or_path.rpartition("#")
    path, spec = checkpoints.resolve(name_or_path)
    if path.suffix != ".onnx":
        raise CheckpointError(f"{path} is not a Piper voice: give its .onnx file (with the .onnx.json beside it)")
    digest = checkpoints.verify_checkpoint(path, spec)
    config_path = path.with_name(path.name + ".json")
    config = PiperConfig.read(config_path)
    voice = PiperVoice(path, digest, config, sha256_file(config_path), spec.name if spec else path.stem, threads)
    return voice if speaker is None else voice.with_speaker(speaker)
