"""A prepared speaker + text -> that voice saying the text, with the best components on this machine.

A base voice (the bundled Piper voice, or SV2TTS Tacotron + WaveRNN / HiFi-GAN / Griffin-Lim, which is
conditioned on the speaker itself) then a converter toward the reference: OpenVoice V2's when it is
here, voxlip's offline signal processing otherwise. The converter alone re-voices a user's recording.
Every result names what made it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from core import checkpoints
from core.amounts import with_article
from core.components import Component
from core.errors import InputError
from core.files import sha256_array
from core.seeds import LARGEST_SEED, checked_seed

from .audio import load_audio
from .joins import PARAGRAPH_PAUSE, kept_span, phones_within
from .offline.config import DEFAULT as DEFAULT_OFFLINE
from .offline.config import OfflineConfig
from .offline.engine import BASE_VOICE_NOTE, OfflineVoice
from .offline.reference import ReferenceVoice, analysed
from .precision import check_precision, precision_note
from .speaker import Speaker
from .synthesis import SpeechTooLong, Synthesis
from .text.languages import checked_text, language_family
from .text.splitting import PARAGRAPH_END, split_for_streaming, split_text
from .text.sv2tts import tacotron_text
from .vad import speech_or_whole, trim_long_silences_at

if TYPE_CHECKING:  # the neural models import torch, which a cold offline run does without
    from .piper import PiperVoice
    from .revoicing import NeuralConverter
    from .synthesizer.config import TacotronConfig
    from .synthesizer.model import Tacotron
    from .vocoder.hifigan import HiFiGAN
    from .vocoder.wavernn import WaveRNN

SYNTHESIZERS = ("auto", "sv2tts", "offline")
VOCODERS = ("auto", "wavernn", "hifigan", "griffinlim")
CONVERTERS = ("auto", "openvoice-v2", "offline", "none")
REVOICING_CONVERTERS = tuple(c for c in CONVERTERS if c != "none")
"""What re-voices a recording (`convert`): every converter but none."""
DEFAULT_CHECKPOINTS = {
    "sv2tts": "rtvc-synthesizer",
    "wavernn": "rtvc-vocoder",
    "openvoice-v2": "openvoice-v2",
}
HIFIGANS = ("hifigan-universal-v1", "hifigan-lj-v1", "hifigan-lj-v3")
"""The HiFi-GAN files --vocoder hifigan (and auto) takes, the first of them on this machine: the universal one,
trained on many speakers, before LJSpeech's one-speaker models."""
GRIFFIN_LIM = Component.offline("vocoder", "Griffin-Lim (no weights)")
REVOICING_RATE = 22_050
"""The offline conversion's rate for a user's recording (the converter's and the Piper voices')."""
SENTENCE_PAUSE = 0.15
CLAUSE_PAUSE = 0.08
"""Seconds of silence between sentences synthesized separately."""


def vocoder_checkpoint(kind: str) -> str:
    """The vocoder file of a kind ("wavernn", "hifigan") voxlip takes: for HiFi-GAN, the first of HIFIGANS here (the
    universal one, named in the message, when none is)."""
    if kind == "hifigan":  # one here without its config.json is named too: loading it says where the config goes
        here = [name for name in HIFIGANS if checkpoints.is_present(name) or checkpoints.unusable(name)]
        return next((name for name in here if checkpoints.is_fetched(name)), here[0] if here else HIFIGANS[0])
    return DEFAULT_CHECKPOINTS[kind]


def choice_checkpoint(choice: str) -> str | None:
    """The registry checkpoint a synthesizer, vocoder or converter choice needs ("sv2tts": rtvc-synthesizer); None for
    one that needs none (auto, offline, griffinlim, none), so that a choice can be offered only where it runs."""
    if choice in ("wavernn", "hifigan"):
        return vocoder_checkpoint(choice)
    return DEFAULT_CHECKPOINTS.get(choice)


def check_converter(converter: str, revoicing: bool = False) -> None:
    """Refuse a converter that is none of CONVERTERS (REVOICING_CONVERTERS, `revoicing` a recording) and no file."""
    choices = REVOICING_CONVERTERS if revoicing else CONVERTERS
    if revoicing and converter == "none":
        raise InputError(
            f"re-voicing a recording needs a converter: give converter= one of {', '.join(choices)} or an OpenVoice "
            "checkpoint.pth"
        )
    if converter not in choices and not (str(converter).endswith((".pth", ".pt")) or Path(converter).exists()):
        raise InputError(
            f"unknown converter {converter!r}: use one of {', '.join(choices)} or an OpenVoice checkpoint.pth"
        )


class VoiceCloner:
    """Loads the voice components once (on first use) and clones voices with them.

    `synthesizer`: "auto" (as `converter` says), "sv2tts", "offline", or a checkpoint file.
    `vocoder`: "auto" (WaveRNN, else HiFi-GAN, else Griffin-Lim), "wavernn", "hifigan", "griffinlim";
    `vocoder_checkpoint` names another file for WaveRNN / HiFi-GAN. `fast_vocoder` runs WaveRNN with
    the `REALTIME` layout (about 2.7x faster than RTVC's, not the same samples). `precision` is that
    of the neural models' products: "float32" computes what the published models compute;
    "bfloat16" is about 1.5-2x faster on CPUs with AVX512-BF16 and moves outputs slightly.
    `converter`: "auto" (OpenVoice V2 on the Piper base voice if fetched; else SV2TTS if fetched, unconverted, unless
    `offline` asks for a base voice; else the offline conversion), "openvoice-v2" or its checkpoint.pth, "offline",
    "none".
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
        converter: str = "auto",
    ):
        checkpoints.check_choice(synthesizer, "synthesizer", SYNTHESIZERS, "synthesizer")
        if vocoder not in VOCODERS:
            raise InputError(f"unknown vocoder {vocoder!r}: use one of {', '.join(VOCODERS)}")
        if vocoder_checkpoint and vocoder not in ("wavernn", "hifigan"):
            raise InputError("vocoder_checkpoint needs vocoder='wavernn' or 'hifigan': the kind of file it is")
        check_precision(precision, "voice model")
        check_converter(converter)
        self.fast_vocoder = fast_vocoder
        self.precision = precision
        self.device = device
        self.synthesizer_choice = synthesizer
        self.vocoder_choice = vocoder
        self.vocoder_checkpoint = vocoder_checkpoint
        self.converter_choice = converter
        self.offline_voice = OfflineVoice(offline)
        self._references: dict[tuple[str, bool], ReferenceVoice] = {}

    @cached_property
    def synthesizer_checkpoint(self) -> str | None:
        """The Tacotron file to use, or None for the offline voice; for "auto" the SV2TTS file here if it loads
        (`checkpoints.first_loaded`: it is loaded to know)."""
        choice = self.synthesizer_choice
        if choice == "offline":
            return None
        if choice == "auto":
            if not self._auto_weighs_sv2tts():
                return None  # a natural base voice (Piper) then the converter, OpenVoice's design; or the one asked for
            return DEFAULT_CHECKPOINTS["sv2tts"] if self._auto_tacotron is not None else None
        return DEFAULT_CHECKPOINTS["sv2tts"] if choice == "sv2tts" else choice

    synthesizer_passed_over: tuple[str, ...] = ()
    """Auto mode's notes on the synthesizer files here it did not use, and why (set as it loads the synthesizer)."""

    @cached_property
    def _auto_tacotron(self):
        """Auto mode's SV2TTS synthesizer: the file here if it loads, else None (the offline voice speaks)."""
        chosen = checkpoints.first_loaded(
            (DEFAULT_CHECKPOINTS["sv2tts"],), lambda name: _load_synthesizer(name, self.device)
        )
        self.synthesizer_passed_over = chosen.notes
        return chosen.loaded

    def _auto_weighs_sv2tts(self) -> bool:
        """Whether auto mode takes SV2TTS when it is here: not when OpenVoice V2 is (it converts the Piper base voice),
        nor when a base voice was asked for (an explicit --base-voice is the Piper path)."""
        base_voice_asked = self.offline_voice.config.base_voice != DEFAULT_OFFLINE.base_voice
        return self.synthesizer_choice == "auto" and self.converter is None and not base_voice_asked

    @cached_property
    def converter_checkpoint(self) -> str | None:
        """The OpenVoice V2 file to use when one is asked for or (for "auto") fetched; None otherwise."""
        choice = self.converter_choice
        if choice in ("offline", "none"):
            return None
        if choice == "auto":
            name = DEFAULT_CHECKPOINTS["openvoice-v2"]
            return name if checkpoints.is_fetched(name) else None
        return DEFAULT_CHECKPOINTS["openvoice-v2"] if choice == "openvoice-v2" else choice

    converter_passed_over: tuple[str, ...] = ()
    """Auto mode's notes on the converter files here it did not use, and why (set as it loads the converter)."""

    @cached_property
    def converter(self) -> NeuralConverter | None:
        """OpenVoice V2's converter when one is used (with the base voice, or to re-voice recordings): the one asked
        for (loaded on first use), or for "auto" the file here if it loads (`checkpoints.first_loaded`)."""
        if self.converter_choice != "auto":
            checkpoint = self.converter_checkpoint
            return None if checkpoint is None else _neural_converter(checkpoint, self.device, self.precision)

        def loaded(name: str) -> NeuralConverter:
            converter = _neural_converter(name, self.device, self.precision)
            converter.model  # noqa: B018 (cached property: loaded here, or refused)
            return converter

        chosen = checkpoints.first_loaded((DEFAULT_CHECKPOINTS["openvoice-v2"],), loaded)
        self.converter_passed_over = chosen.notes
        return chosen.loaded

    @cached_property
    def text_converter(self) -> str:
        """What moves the base voice toward the reference: "openvoice-v2", "offline" or "none"."""
        choice = self.converter_choice
        if self.neural:  # SV2TTS speaks in the speaker's voice already; a neural converter may still refine it
            if choice == "offline":
                raise InputError(
                    "--converter offline moves the offline base voice; SV2TTS already speaks in the reference's "
                    "voice: use --converter none or openvoice-v2, or --synthesizer offline"
                )
            return "openvoice-v2" if choice != "auto" and self.converter is not None else "none"
        if choice == "none":
            return "none"
        return "openvoice-v2" if self.converter is not None else "offline"

    @property
    def unconverted(self) -> str | None:
        """Why its speech from text is the Piper base voice as it is, not moved toward the reference ("converter
        none", "similarity 0"); None when it is moved (SV2TTS speaks in the reference's voice itself)."""
        if self.neural:
            return None
        if self.text_converter == "none":
            return "converter none"
        return (
            "similarity 0" if self.text_converter == "offline" and self.offline_voice.config.similarity == 0 else None
        )

    @cached_property
    def tacotron(self) -> Tacotron:
        """SV2TTS's Tacotron: the one auto mode loaded to choose it, or the file asked for."""
        if self.synthesizer_choice == "auto" and self.neural:
            return self._auto_tacotron  # loaded to choose it
        return _load_synthesizer(self.synthesizer_checkpoint, self.device)

    @property
    def vocoder_kind(self) -> str:
        """The vocoder's kind (wavernn, hifigan, griffinlim): the one asked for, or the one auto took (loading it)."""
        return self._vocoder[0]

    @property
    def vocoder(self) -> WaveRNN | HiFiGAN | None:
        """The neural vocoder, None for Griffin-Lim."""
        return self._vocoder[1]

    _vocoder_reasons: tuple[str, ...] = ()
    """Why auto mode (or --vocoder hifigan) did not use each vocoder file here before the one it took."""

    @cached_property
    def _vocoder(self) -> tuple[str, WaveRNN | HiFiGAN | None]:
        """(kind, model): the file asked for, or for "auto" (or "hifigan" without a file) the first of its files here
        that loads (`checkpoints.first_loaded`: WaveRNN, then HIFIGANS), else Griffin-Lim ("hifigan": the refusal of
        the file it names)."""
        choice, named = self.vocoder_choice, self.vocoder_checkpoint
        if choice == "griffinlim":
            return choice, None
        if named or choice == "wavernn":
            return choice, _load_vocoder(choice, named or vocoder_checkpoint(choice), self.device)
        names = HIFIGANS if choice == "hifigan" else (DEFAULT_CHECKPOINTS["wavernn"], *HIFIGANS)
        chosen = checkpoints.first_loaded(names, lambda name: _load_vocoder(_vocoder_kind(name), name, self.device))
        self._vocoder_reasons = chosen.reasons
        if chosen.name is not None:
            return _vocoder_kind(chosen.name), chosen.loaded
        if choice == "hifigan":  # none here loads: loading the one it names says why (missing, config, refused)
            return choice, _load_vocoder(choice, vocoder_checkpoint(choice), self.device)
        return "griffinlim", None

    def vocoder_note(self) -> str:
        """The note of SV2TTS speech vocoded by Griffin-Lim: chosen, or why no neural vocoder was used (the first file
        passed over; `passed_over` notes the others)."""
        if self.vocoder_choice == "griffinlim":
            why = "chosen"
        else:
            why = next(iter(self._vocoder_reasons), "no neural vocoder fetched")
        return f"vocoder: Griffin-Lim ({why}): expect a buzzy sound"

    def passed_over(self) -> tuple[str, ...]:
        """Notes on the files here that auto mode (or --vocoder hifigan) passed over for the next best, because they
        are not the published ones or were refused as they were loaded; where Griffin-Lim took a neural vocoder's
        place, `vocoder_note` says why of the first."""
        notes = self._converter_notes()
        if self._auto_weighs_sv2tts():
            self.synthesizer_checkpoint  # noqa: B018 (cached property: chosen here, if it was not yet)
            notes += self.synthesizer_passed_over
        if self.neural:
            reasons = self._vocoder_reasons[1:] if self.vocoder is None else self._vocoder_reasons
            notes += tuple(checkpoints.PASSED_OVER + reason for reason in reasons)
        return notes

    def _converter_notes(self, revoicing: bool = False) -> tuple[str, ...]:
        """Auto mode's notes on the converter files here it did not use: none where a synthesizer was named (SV2TTS, a
        file), whose speech auto leaves unconverted, unless a recording is re-voiced."""
        if self.converter_choice != "auto" or not (revoicing or self.synthesizer_choice in ("auto", "offline")):
            return ()
        self.converter  # noqa: B018 (cached property: chosen here, if it was not yet)
        return self.converter_passed_over

    def _vocoder_kind_asked(self) -> str:
        """The vocoder's kind as asked for, without loading it; for "auto" the one auto takes (loaded to know)."""
        return self.vocoder_kind if self.vocoder_choice == "auto" else self.vocoder_choice

    def unused_options(self) -> tuple[str, ...]:
        """A note naming the options asked of a part of the voice that was not used, if any were: SV2TTS's vocoder
        options with the offline voice, the offline voice's with SV2TTS."""
        offline = self.offline_voice.config
        if self.neural:
            voice = "the offline voice, not used (SV2TTS speaks in the reference's voice)"
            asked = (
                (f"similarity {offline.similarity:g}", offline.similarity != DEFAULT_OFFLINE.similarity, voice),
                (f"base voice {offline.base_voice}", offline.base_voice != DEFAULT_OFFLINE.base_voice, voice),
                (
                    "fast vocoder",
                    self.fast_vocoder and self._vocoder_kind_asked() != "wavernn",
                    "WaveRNN, not the vocoder used",
                ),
            )
        else:
            sv2tts = "SV2TTS's synthesizer and vocoder, which were not used (the offline voice makes its own sound)"
            asked = (
                (f"vocoder {self.vocoder_choice}", self.vocoder_choice != "auto", sv2tts),
                ("fast vocoder", self.fast_vocoder, sv2tts),
                (
                    f"precision {self.precision}",
                    self.precision != "float32" and self.text_converter != "openvoice-v2",
                    sv2tts,
                ),
            )
        named = [option for option, given, _ in asked if given]
        parts = dict.fromkeys(part for _, given, part in asked if given)
        them = "them" if len(named) > 1 else "it"
        return (f"{', '.join(named)}: for {'; '.join(parts)}; leave {them} out",) if named else ()

    def offline_reference(self, speaker: Speaker, fitted: bool = True) -> ReferenceVoice:
        """The offline voice's analysis of a speaker (its pitch and mean spectral envelope), with the base voice's
        formant ratio and filter fitted to it when `fitted` (what re-voicing a recording does without); kept for the
        next text (and on disk, for the next process)."""
        key = _digest(speaker.wave), fitted
        if key not in self._references:
            if len(self._references) >= 8:
                self._references.pop(next(iter(self._references)))
            voice = analysed(speaker.wave, self.offline_voice.config)
            if fitted:
                voice = self.offline_voice.fitted(voice, speaker.wave)
            self._references[key] = voice
        return self._references[key]

    def load(self, language: str | None = None) -> None:
        """Load the models now, so that a missing or refused checkpoint, or a language the voice does
        not speak, fails before any work."""
        if self.text_converter == "openvoice-v2":
            self.converter.model  # noqa: B018 (cached property: loaded here)
        if self.neural:
            self.tacotron, self.vocoder  # noqa: B018 (cached properties: loaded here)
            if language is not None and language_family(language) != "en":
                raise InputError(
                    f"SV2TTS speaks English only, not {language!r}: "
                    "use --synthesizer offline with a Piper voice of that language"
                )
        else:
            self.offline_voice.check_language(language)
            self.offline_voice.profile  # noqa: B018 (loads the base voice and measures it once)

    def checked_text(self, text: object, language: object) -> tuple[str, tuple[str, ...]]:
        """(the text to say, notes on it) by `voice.text.languages.checked_text`, the voice loaded (`load`: a missing
        checkpoint or a language it does not speak fails here) before the text's script is checked against its
        language."""
        return checked_text(text, language, self.load, self.spoken_language)

    def spoken_language(self, language: str | None = None) -> str:
        """The language a text is spoken in: `language`, else the voice's own (SV2TTS's English, or the Piper base
        voice's espeak-ng voice, e.g. "en-us")."""
        if language is None and self.neural:
            return "en-us"
        return self.offline_voice.spoken_language(language)

    def load_revoicing(self) -> None:
        """Load what re-voices recordings (`revoice`) now, or say why it cannot run."""
        check_converter(self.converter_choice, revoicing=True)
        if self.converter is not None:
            self.converter.model  # noqa: B018 (cached property: loaded here)

    @property
    def revoicing_rate(self) -> int:
        """The sample rate `revoice` works at (and returns)."""
        return self.converter.sample_rate if self.converter is not None else REVOICING_RATE

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
        import torch

        from .vocoder import griffin_lim, sv2tts_to_hifigan_mel

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
        from .vocoder.wavernn import REALTIME

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
        max_seconds: float | None = None,
    ) -> Synthesis:
        """The speaker saying `text` (already checked by `voice.text.checks.check_text`).

        `language` is checked against the offline base voice's (SV2TTS speaks English only).
        `progress(sentences done, sentences, sentences per second)` is called as sentences finish.
        `max_seconds`: SpeechTooLong as soon as the speech made so far is longer, before the rest is made (the offline
        voice's sentences as they are said; SV2TTS's spectrograms, before they are vocoded, the slow part).
        """
        started = time.perf_counter()
        seed = _checked(speaker, seed, "clone")
        if not self.neural:
            speech = self._offline_speech(speaker, text, seed, language, progress, max_seconds)
            return dataclasses.replace(speech, notes=speech.notes + self.unused_options() + self.passed_over())
        from .synthesizer import synthesize

        chunks = split_text(tacotron_text(text))  # read by the rules the offline voice reads with
        mels = synthesize(chunks, speaker.embedding, self.tacotron, seed=seed, precision=self.precision)
        if max_seconds is not None:
            _check_mels(chunks, mels, self.tacotron.config, max_seconds)
        synthesized = time.perf_counter()

        def report(done: float) -> None:
            if progress is not None:
                progress(int(done), len(mels), done / max(time.perf_counter() - started, 1e-9))

        pieces, sample_rate = [], 16_000
        for chunk, (samples, sample_rate) in zip(chunks, self._vocode_sentences(mels, seed, report)):
            pause = PARAGRAPH_PAUSE if chunk.endswith(PARAGRAPH_END) else SENTENCE_PAUSE
            pieces += [samples, np.zeros(int(pause * sample_rate), np.float32)]
        notes = () if self.vocoder is not None else (self.vocoder_note(),)
        notes += self.unused_options() + self.passed_over()
        if self.fast_vocoder and self.vocoder_kind == "wavernn":
            notes += ("vocoder: WaveRNN fast mode (int8 products, 2000-sample folds), not RTVC's exact samples",)
        if self.precision != "float32":
            notes += (precision_note(self.precision, "synthesizer and vocoder"),)
        speech = Synthesis(
            np.concatenate(pieces[:-1]),
            sample_rate,
            text,
            self.components(),
            None,
            notes,
            {"synthesizer": synthesized - started, "vocoder": time.perf_counter() - synthesized},
        )
        if self.text_converter == "none":
            return speech
        # SV2TTS makes another voice for every speaker: its tone colour is that of the speech itself.
        return self._revoiced(speech, speaker, f"speech|{_digest(speech.samples)}", seed)

    def _offline_speech(
        self,
        speaker: Speaker,
        text: str,
        seed: int | None,
        language: str | None,
        progress: Callable[[int, int, float], None] | None,
        max_seconds: float | None = None,
    ) -> Synthesis:
        """The Piper base voice saying `text` (`progress` follows its sentences; `max_seconds` as `clone` takes it),
        then moved toward the speaker by the chosen converter."""
        started = time.perf_counter()
        unconverted = self.unconverted
        if self.text_converter == "offline" and not unconverted:
            voice = self.offline_reference(speaker)
            prepared = time.perf_counter()
            speech = self.offline_voice.synthesize_checked(
                text, voice, seed=seed, language=language, progress=progress, max_seconds=max_seconds
            )
            timings = {"reference analysis": prepared - started, "offline voice": time.perf_counter() - prepared}
            return dataclasses.replace(speech, timings=timings)
        # of a base voice with many speakers, the one nearest the reference: what the converter starts from, or, the
        # speech left unconverted, what is heard (and named in the result, as with a converter)
        engine = self.offline_voice.nearest_engine(speaker.wave)
        speech = engine.speak(text, seed=seed, language=language, progress=progress, max_seconds=max_seconds)
        speech = dataclasses.replace(speech, timings={"base voice": time.perf_counter() - started})
        if unconverted:
            note = BASE_VOICE_NOTE if unconverted == "similarity 0" else CONVERTER_NONE_NOTE
            return dataclasses.replace(speech, notes=(note, *speech.notes))
        return self._revoiced(speech, speaker, f"piper|{engine.base.key}", seed, lambda: _profile_speech(engine.base))

    def _revoiced(
        self,
        speech: Synthesis,
        speaker: Speaker,
        source_key: str,
        seed: int | None,
        source_speech: Callable[[], tuple[np.ndarray, int]] | None = None,
    ) -> Synthesis:
        """`speech` in the speaker's tone colour through OpenVoice V2 (its source embedding kept under `source_key`)."""
        started = time.perf_counter()
        converter = self.converter
        source = converter.embedding(source_key, source_speech or (lambda: (speech.samples, speech.sample_rate)))
        target = self.reference_tone_colour(speaker)
        samples = converter.convert(speech.samples, speech.sample_rate, source, target, seed)
        return dataclasses.replace(
            speech,
            samples=samples,
            sample_rate=converter.sample_rate,
            components=(*speech.components, converter.component),
            timings={**speech.timings, "voice conversion": time.perf_counter() - started},
        )

    def reference_tone_colour(self, speaker: Speaker) -> np.ndarray:
        """OpenVoice's embedding of the speaker, computed once per recording and kept in voxlip's cache.

        Made from the recording at the converter's rate when the file is at hand (its top octave
        matters to the tone colour), else from the speaker's 16 kHz speech.
        """
        converter = self.converter

        def speech() -> tuple[np.ndarray, int]:
            if speaker.source is not None and speaker.source.is_file():
                wave = load_audio(speaker.source, converter.sample_rate)
                trimmed = trim_long_silences_at(wave, converter.sample_rate)
                if len(trimmed) >= converter.sample_rate:
                    return trimmed, converter.sample_rate
            return speaker.wave, 16_000

        return converter.embedding(f"speaker|{_digest(speaker.wave)}", speech)

    def revoice(
        self,
        speaker: Speaker,
        wave: np.ndarray,
        rate: int,
        seed: int | None = None,
        progress: Callable[[int, int, float], None] | None = None,
    ) -> Synthesis:
        """A recording (`wave` at `rate`) said in the speaker's voice, timing kept: OpenVoice V2's converter
        when it is here (or asked for), the offline conversion otherwise."""
        started = time.perf_counter()
        seed = _checked(speaker, seed, "revoice")
        self.load_revoicing()

        def report(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total, done / max(time.perf_counter() - started, 1e-9))

        if self.converter is not None:
            converter = self.converter
            source = converter.embedding(f"speech|{_digest(wave)}|{rate}", lambda: (speech_or_whole(wave, rate), rate))
            target = self.reference_tone_colour(speaker)
            samples = converter.convert(wave, rate, source, target, seed, report)
            timings = {"voice conversion": time.perf_counter() - started}
            return Synthesis(samples, converter.sample_rate, None, (converter.component,), timings=timings)
        voice = self.offline_reference(speaker, fitted=False)
        revoiced = self.offline_voice.revoice(wave, rate, voice, speaker.wave, seed, progress=report)
        notes = revoiced.notes + self._converter_notes(revoicing=True)
        return dataclasses.replace(revoiced, notes=notes, timings={"voice conversion": time.perf_counter() - started})

    def stream(
        self, speaker: Speaker, text: str, seed: int | None = None, language: str | None = None
    ) -> Iterator[Synthesis]:
        """`clone`, piece by piece: the first piece is a few words, so it plays while the rest is made.

        Each piece ends with the pause that follows it (none after the last); concatenated they are the
        whole text said piece by piece, each piece made on its own (its own seed, seed + 1000 per piece, past
        LARGEST_SEED counted on from 0), so not the samples nor the length `clone` makes of it. Phone timings count
        from the start of each piece.
        """
        seed = _checked(speaker, seed, "stream")
        chunks = split_for_streaming(text)
        for i, chunk in enumerate(chunks):
            started = time.perf_counter()
            piece_seed = None if seed is None else (seed + 1000 * i) % (LARGEST_SEED + 1)
            piece = self.clone(speaker, chunk, piece_seed, language=language)
            samples, rate = piece.samples, piece.sample_rate
            start, end = kept_span(  # a phrase that goes on across a cut is said without a pause there
                samples,
                rate,
                head=i > 0 and _pause_after(chunks[i - 1]) == 0.0,
                tail=i + 1 < len(chunks) and _pause_after(chunk) == 0.0,
            )
            pause = np.zeros(int(_pause_after(chunk) * rate) if i + 1 < len(chunks) else 0, np.float32)
            yield dataclasses.replace(
                piece,
                samples=np.concatenate([samples[start:end], pause]),
                phones=phones_within(piece.phones, start / rate, end / rate),
                notes=piece.notes if i == 0 else (),
                timings={"piece": time.perf_counter() - started},
            )


def _checked(speaker: object, seed: object, what: str) -> int | None:
    """`seed` as `checked_seed` takes it; InputError for a speaker that is not a prepared Speaker (a file or samples
    would have met an AttributeError far inside)."""
    if not isinstance(speaker, Speaker):
        given = "an array" if isinstance(speaker, np.ndarray) else with_article(type(speaker).__name__)
        raise InputError(
            f"VoiceCloner.{what} takes a prepared Speaker, not {given}: make one with "
            "voice.speaker.prepare_speaker(voice.encoder.load_encoder(), reference), or Pipeline().speaker(reference)"
        )
    return checked_seed(seed)


def _neural_converter(checkpoint: str, device: str, precision: str) -> NeuralConverter:
    """OpenVoice V2's converter of `checkpoint`, loaded on first use; torch is imported only when one is made."""
    from .revoicing import NeuralConverter

    return NeuralConverter(checkpoint, device, precision)


def _load_synthesizer(name: str, device: str):
    """SV2TTS's Tacotron from a registry name or a file; torch is imported only when one is loaded."""
    from .synthesizer import load_synthesizer

    return load_synthesizer(name, device)


def _vocoder_kind(name: str) -> str:
    """The kind of the registry vocoder `name`: "wavernn" or "hifigan"."""
    return "wavernn" if name == DEFAULT_CHECKPOINTS["wavernn"] else "hifigan"


def _load_vocoder(kind: str, name: str, device: str):
    """The vocoder of `kind` ("wavernn", "hifigan") from a registry name or a file."""
    from .vocoder import load_hifigan, load_wavernn

    return (load_wavernn if kind == "wavernn" else load_hifigan)(name, device)


CONVERTER_NONE_NOTE = "the base voice unconverted (--converter none): it does not sound like the reference"


def _profile_speech(base: PiperVoice) -> tuple[np.ndarray, int]:
    """What the converter hears of a base voice: its speech of the offline profile's text."""
    from .offline.base_voice import PROFILE_SEED, PROFILE_TEXT

    speech = base.speak(PROFILE_TEXT, seed=PROFILE_SEED)
    return speech.wave, speech.sample_rate


def _digest(samples: np.ndarray) -> str:
    """sha256_array of the samples as float32, what the converter's and the analyses' caches are keyed by."""
    return sha256_array(np.asarray(samples, dtype=np.float32))


def _check_mels(chunks: list[str], mels: list[np.ndarray], config: TacotronConfig, max_seconds: float) -> None:
    """SpeechTooLong at the first sentence whose end (its spectrogram's frames, each a hop of the vocoded samples,
    and the pauses before it) passes `max_seconds`: known before the slow vocoder runs."""
    seconds, paragraph, paragraphs = 0.0, 1, 1 + sum(chunk.endswith(PARAGRAPH_END) for chunk in chunks[:-1])
    for i, (chunk, mel) in enumerate(zip(chunks, mels)):
        seconds += mel.shape[1] * config.hop_size / config.sample_rate
        if seconds > max_seconds:
            words = chunk.removesuffix(PARAGRAPH_END).strip()
            raise SpeechTooLong(max_seconds, words, paragraph, paragraphs, i / len(chunks))
        paragraph += chunk.endswith(PARAGRAPH_END)
        seconds += PARAGRAPH_PAUSE if chunk.endswith(PARAGRAPH_END) else SENTENCE_PAUSE


def _pause_after(piece: str) -> float:
    """Silence after a streamed piece: a paragraph's, a sentence's, shorter after a clause, none inside a phrase."""
    if piece.endswith(PARAGRAPH_END):
        return PARAGRAPH_PAUSE
    end = piece.rstrip()[-1:]
    if end in ".!?":
        return SENTENCE_PAUSE
    return CLAUSE_PAUSE if end in ",;:" else 0.0
