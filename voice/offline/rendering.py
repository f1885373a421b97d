"""The base voice's speech for a text at the reference's pitch, analysed into the frames the conversion works on."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .base_voices import base_voice_profile
from .config import OfflineConfig
from .envelope import log_mel_envelope, stft
from .flite import PITCH_CONTROLLED, BaseSpeech, frame_classes, frame_phones, synthesize_base
from .pitch import PitchStats, speech_pitch
from .pitch_shift import shift_pitch


@dataclass(frozen=True, eq=False)
class BaseRendering:
    speech: BaseSpeech = field(repr=False)
    """flite's output as it came (its phones keep their timings through everything below)."""
    wave: np.ndarray = field(repr=False)
    """The speech at the target pitch (rms, which ignores pitch targets, moved after flite, formants kept)."""
    spectrum: np.ndarray = field(repr=False)
    envelopes: np.ndarray = field(repr=False)
    """(frames, n_mels) log-mel envelopes of `wave`."""
    voiced: np.ndarray = field(repr=False)
    speech_frames: np.ndarray = field(repr=False)
    phones: np.ndarray = field(repr=False)
    """Per frame, the CMU phone being said (pocketsphinx's names; "SIL" in pauses)."""


def render_base(text: str, voice: str, pitch: PitchStats | None, config: OfflineConfig) -> BaseRendering:
    """flite says `text` (already cleaned) in `voice` at the reference's pitch; frames, phones and envelopes."""
    request = pitch_request(voice, pitch, config) if pitch else None
    speech = synthesize_base(
        text,
        voice,
        sample_rate=config.sample_rate,
        f0_mean_hz=request.median_hz if request else None,
        f0_std_hz=request.std_hz if request else None,
    )
    ratio = pitch_ratio(speech.wave, voice, pitch, config)
    wave = speech.wave
    if ratio != 1.0:
        wave = shift_pitch(wave, ratio, config.sample_rate, config.pitch_floor_hz, config.pitch_ceiling_hz)
    spectrum = stft(wave, config)
    envelopes = log_mel_envelope(spectrum, config)
    phones = frame_phones(speech.phones, len(envelopes), config.hop_length / config.sample_rate)
    voiced, speech_frames = frame_classes(phones)
    return BaseRendering(
        speech=speech,
        wave=wave,
        spectrum=spectrum,
        envelopes=envelopes,
        voiced=voiced,
        speech_frames=speech_frames,
        phones=phones,
    )


def pitch_ratio(wave: np.ndarray, voice: str, pitch: PitchStats | None, config: OfflineConfig) -> float:
    """How far flite's speech `wave` must be moved to `pitch`'s median: 1 unless the voice ignores pitch targets."""
    if pitch is None or voice in PITCH_CONTROLLED:
        return 1.0
    said = speech_pitch(wave, config) or base_voice_profile(voice, config).pitch
    ratio = pitch.median_hz / said.median_hz
    return 1.0 if abs(np.log(ratio)) < config.pitch_shift_tolerance else float(ratio)


@lru_cache(maxsize=32)
def pitch_request(voice: str, pitch: PitchStats, config: OfflineConfig) -> PitchStats:
    """What to ask flite for so that its speech has `pitch`'s median and `pitch_spread_scale` of its spread.

    flite misses its targets (kal16 says 110 Hz at 96-105 Hz; every voice is flatter than asked, slt
    by half): the probe text is said at the request, and the request corrected by the ratios
    measured, `pitch_calibration_rounds` times. Computed once per voice and reference pitch.
    """
    wanted = PitchStats(pitch.median_hz, pitch.log_std * config.pitch_spread_scale)
    if voice not in PITCH_CONTROLLED:
        return wanted
    request = wanted
    for _ in range(config.pitch_calibration_rounds):
        probe = synthesize_base(
            config.probe_text,
            voice,
            sample_rate=config.sample_rate,
            f0_mean_hz=request.median_hz,
            f0_std_hz=request.std_hz,
        )
        said = speech_pitch(probe.wave, config)
        if said is None:
            break
        low, high = config.pitch_correction_range
        median = request.median_hz * np.clip(wanted.median_hz / said.median_hz, low, high)
        spread = request.log_std * np.clip(wanted.log_std / said.log_std, low, high)
        request = PitchStats(
            float(median), float(np.clip(spread, wanted.log_std, config.pitch_spread_request_limit * wanted.log_std))
        )
    return request
