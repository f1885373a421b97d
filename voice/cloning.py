"""A prepared speaker + text -> that voice saying the text, with the best components on this machine.

Neural (SV2TTS Tacotron + WaveRNN or HiFi-GAN, or Griffin-Lim) when the synthesizer checkpoint is
here, voxlip's offline signal-processing voice otherwise. Every result names what made it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterator
from functools import cached_property

import numpy as np
import torch

from core import checkpoints
from core.components import Component
from core.errors import InputError

from .affine import check_precision
from .offline.config import DEFAULT as DEFAULT_OFFLINE
from .offline.config import OfflineConfig
from .offline.engine import OfflineVoice
from .offline.reference import ReferenceVoice, prepare_reference
from .speaker import Speaker
from .synthesis import Synthesis
from .synthesizer import load_synthesizer, split_for_streaming, split_text, synthesize
from .vocoder import griffin_lim, load_hifigan, load_wavernn, sv2tts_to_hifigan_mel
from .vocoder.wavernn import REALTIME

SYNTHESIZERS = ("auto", "sv2tts", "offline")
VOCODERS = ("auto", "wavernn", "hifigan", "griffinlim")
DEFAULT_CHECKPOINTS = {"sv2tts": "rtvc-synthesizer", "wavernn": "rtvc-vocoder", "hifigan": "hifigan-universal-v1"}
GRIFFIN_LIM = Component.offline("vocoder", "Griffin-Lim (no weights)")
SENTENCE_PAUSE = 0.15
CLAUSE_PAUSE = 0.08
"""Seconds of silence between sentences synthesized separately."""


class VoiceCloner:
    """Loads the voice components once (on first use) and clones voices with them.

    `synthesizer`: "auto" (SV2TTS if fetched, else offline), "sv2tts", "offline", or a checkpoint file.
    `vocoder`: "auto" (WaveRNN, else HiFi-GAN, else Griffin-Lim), "wavernn", "hifigan", "griffinlim";
    `vocoder_checkpoint` names another file for WaveRNN / HiFi-GAN. `fast_vocoder` runs WaveRNN with
    the `REALTIME` layout (about 2.7x faster than RTVC's, not the same samples). `precision` is that
    of the neural models' products: "float32" computes what the published models compute;
    "bfloat16" is about 1.5-2x faster on CPUs with AVX512-BF16 and moves outputs slightly.
    """

    def __init__(
        self,
        device: str = "cpu",
        synthesizer: str = "auto",
        vocoder: str = "auto",
        vocoder_checkpoint: str | None = None,
        fast_vocoder: bool = False,
        precision: str = "float32",
        offline: OfflineConfig = DEFAULT_OFFLINE,
    ):
        if vocoder not in VOCODERS:
            raise InputError(f"unknown vocoder {vocoder!r}: use one of {', '.join(VOCODERS)}")
        if vocoder_checkpoint and vocoder not in ("wavernn", "hifigan"):
            raise InputError("--vocoder-checkpoint needs --vocoder wavernn or hifigan")
        check_precision(precision, "voice model")
        self.fast_vocoder = fast_vocoder
        self.precision = precision
        self.device = device
        self.synthesizer_choice = synthesizer
        self.vocoder_choice = vocoder
        self.vocoder_checkpoint = vocoder_checkpoint
        self.offline_voice = OfflineVoice(offline)
        self._references: dict[str, ReferenceVoice] = {}

    @cached_property
    def synthesizer_checkpoint(self) -> str | None:
        """The Tacotron file to use, or None for the offline voice."""
        choice = self.synthesizer_choice
        if choice == "offline":
            return None
        if choice == "auto":
            return DEFAULT_CHECKPOINTS["sv2tts"] if checkpoints.is_present(DEFAULT_CHECKPOINTS["sv2tts"]) else None
        return DEFAULT_CHECKPOINTS["sv2tts"] if choice == "sv2tts" else choice

    @cached_property
    def tacotron(self):
        return load_synthesizer(self.synthesizer_checkpoint, self.device)

    @cached_property
    def vocoder_kind(self) -> str:
        choice = self.vocoder_choice
        if choice != "auto":
            return choice
        return next(
            (kind for kind in ("wavernn", "hifigan") if checkpoints.is_present(DEFAULT_CHECKPOINTS[kind])), "griffinlim"
        )

    @cached_property
    def vocoder(self):
        kind = self.vocoder_kind
        if kind == "griffinlim":
            return None
        name = self.vocoder_checkpoint or DEFAULT_CHECKPOINTS[kind]
        return (load_wavernn if kind == "wavernn" else load_hifigan)(name, self.device)

    def offline_reference(self, speaker: Speaker) -> ReferenceVoice:
        """The offline voice's analysis of a speaker (its pitch and long-term spectrum), kept for the next text."""
        key = hashlib.sha1(np.ascontiguousarray(speaker.wave, dtype=np.float32).tobytes()).hexdigest()
        if key not in self._references:
            if len(self._references) >= 8:
                self._references.pop(next(iter(self._references)))
            self._references[key] = prepare_reference(speaker, config=self.offline_voice.config)
        return self._references[key]

    def load(self, language: str | None = None) -> None:
        """Load the models now, so that a missing or refused checkpoint, or a language the voice does
        not speak, fails before any work."""
        if self.neural:
            self.tacotron, self.vocoder  # noqa: B018 (cached properties: loaded here)
            if language is not None and not language.lower().startswith("en"):
                raise InputError(
                    f"SV2TTS speaks English only, not {language!r}: "
                    "use --synthesizer offline with a Piper voice of that language"
                )
        else:
            self.offline_voice.check_language(language)
            self.offline_voice.profile  # noqa: B018 (loads the base voice and measures it once)

    @property
    def neural(self) -> bool:
        return self.synthesizer_checkpoint is not None

    def components(self) -> tuple[Component, ...]:
        """The neural components (the offline voice names its base voice per result)."""
        vocoder = GRIFFIN_LIM if self.vocoder is None else Component.of("vocoder", self.vocoder)
        return (Component.of("synthesizer", self.tacotron), vocoder)

    def vocode(
        self, mel: np.ndarray, seed: int | None = None, progress: Callable[[float], None] | None = None
    ) -> tuple[np.ndarray, int]:
        """One SV2TTS mel (80, frames) -> (samples, sample rate) with the chosen vocoder.

        `progress(share done)` is called along the way by WaveRNN, the slow one.
        """
        model = self.vocoder
        if model is None:
            return griffin_lim(mel), 16_000
        if self.vocoder_kind == "hifigan":
            return model.generate(sv2tts_to_hifigan_mel(mel, model.config), self.precision), model.config.sampling_rate
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        return model.generate(
            mel, generator=generator, progress=progress, **self._wavernn_settings()
        ), model.config.sample_rate

    def _wavernn_settings(self) -> dict:
        """RTVC's folds in float32 (its exact samples); once the samples differ anyway (bfloat16, or
        int8 for `fast_vocoder`), `REALTIME`'s shorter folds, which fill the products with more rows."""
        if self.fast_vocoder:
            return dict(target=REALTIME.target, overlap=REALTIME.overlap, precision=REALTIME.precision)
        if self.precision != "float32":
            return dict(target=REALTIME.target, overlap=REALTIME.overlap, precision=self.precision)
        return {}

    def _vocode_sentences(
        self, mels: list[np.ndarray], seed: int | None, progress: Callable[[float], None]
    ) -> list[tuple[np.ndarray, int]]:
        """Each sentence's samples; `progress(sentences done, fractions included)`.

        WaveRNN vocodes them as one mel, cut back at the sentence ends, as RTVC's toolbox does: all
        their folds then run in one batch, which is what makes it fast.
        """
        if self.vocoder_kind != "wavernn" or len(mels) == 1:
            waves = []
            for i, mel in enumerate(mels):
                waves.append(
                    self.vocode(mel, None if seed is None else seed + i, lambda share, i=i: progress(i + share))
                )
                progress(i + 1)
            return waves
        samples, sample_rate = self.vocode(
            np.concatenate(mels, axis=1), seed, lambda share: progress(share * len(mels))
        )
        ends = np.cumsum([mel.shape[1] * self.vocoder.config.hop_length for mel in mels])
        return [(samples[start:end], sample_rate) for start, end in zip(np.concatenate([[0], ends[:-1]]), ends)]

    def clone(
        self,
        speaker: Speaker,
        text: str,
        seed: int | None = None,
        progress: Callable[[int, int, float], None] | None = None,
        language: str | None = None,
    ) -> Synthesis:
        """The speaker saying `text` (already checked by `voice.text.check_text`).

        `language` is checked against the offline base voice's (SV2TTS speaks English only).
        `progress(sentences done, sentences, sentences per second)` is called as sentences finish.
        """
        started = time.perf_counter()
        if not self.neural:
            voice = self.offline_reference(speaker)
            analysed = time.perf_counter()
            speech = self.offline_voice.synthesize(text, voice, seed=seed, language=language)
            if progress is not None:
                progress(1, 1, 1 / (time.perf_counter() - started))
            timings = {"reference analysis": analysed - started, "offline voice": time.perf_counter() - analysed}
            return dataclasses.replace(speech, timings=timings)
        chunks = split_text(text)
        mels = synthesize(chunks, speaker.embedding, self.tacotron, seed=seed, precision=self.precision)
        synthesized = time.perf_counter()

        def report(done: float) -> None:
            if progress is not None:
                progress(int(done), len(mels), done / max(time.perf_counter() - started, 1e-9))

        pieces, sample_rate = [], 16_000
        for samples, sample_rate in self._vocode_sentences(mels, seed, report):
            pieces += [samples, np.zeros(int(SENTENCE_PAUSE * sample_rate), np.float32)]
        notes = (
            ()
            if self.vocoder is not None
            else ("vocoder: Griffin-Lim (no neural vocoder fetched): expect a buzzy sound",)
        )
        if self.fast_vocoder and self.vocoder_kind == "wavernn":
            notes += ("vocoder: WaveRNN fast mode (int8 products, 2000-sample folds), not RTVC's exact samples",)
        if self.precision != "float32":
            notes += (
                f"precision: {self.precision} products in the synthesizer and vocoder (faster; outputs move slightly)",
            )
        return Synthesis(
            np.concatenate(pieces[:-1]),
            sample_rate,
            text,
            self.components(),
            None,
            notes,
            {"synthesizer": synthesized - started, "vocoder": time.perf_counter() - synthesized},
        )

    def stream(
        self, speaker: Speaker, text: str, seed: int | None = None, language: str | None = None
    ) -> Iterator[Synthesis]:
        """`clone`, piece by piece: the first piece is a few words, so it plays while the rest is made.

        Each piece ends with the pause that follows it (none after the last); concatenated they are the
        whole speech. Phone timings count from the start of each piece.
        """
        chunks = split_for_streaming(text)
        for i, chunk in enumerate(chunks):
            started = time.perf_counter()
            piece = self.clone(speaker, chunk, None if seed is None else seed + 1000 * i, language=language)
            pause = np.zeros(int(_pause_after(chunk) * piece.sample_rate) if i + 1 < len(chunks) else 0, np.float32)
            yield dataclasses.replace(
                piece,
                samples=np.concatenate([piece.samples, pause]),
                notes=piece.notes if i == 0 else (),
                timings={"piece": time.perf_counter() - started},
            )


def _pause_after(piece: str) -> float:
    """Silence after a streamed piece: a sentence's, shorter after a clause, none inside a phrase."""
    end = piece.rstrip()[-1:]
    if end in ".!?":
        return SENTENCE_PAUSE
    return CLAUSE_PAUSE if end in ",;:" else 0.0
