"""Hyper-parameters of the offline voice: a Piper base voice converted toward the reference."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfflineConfig:
    """Everything the offline voice can be tuned by; the defaults are the measured best
    (benchmarks/eval_offline_voice.py, chosen on the even-numbered half of the shared speakers). What each was measured
    at, and what was tried instead, is in docs/voice.md ("How the defaults were chosen")."""

    base_voice: str = "piper-joe"
    """A Piper voice: the bundled "piper-joe", a fetched "piper:NAME", or a path to its .onnx; "#SPEAKER" after a voice
    with many speakers names one (OfflineVoice.fitted otherwise chooses the one nearest each reference)."""
    duration_factor: float = 1.2
    """The base voice speaks each phoneme this many times as long as its own setting would (PiperVoice.slower), the
    fit's calibration sentences too: joe reads 5.2 vowels per second of speech against the shared readers' median 4.6
    (4.5 at 1.2), and at 1.2 his WER on the chosen half falls from 0.207 to 0.122."""
    similarity: float = 1.0
    """0 keeps the base voice as it is, 1 moves pitch, formants and timbre all the way to the reference's
    measures; in between, each moves that share (in log terms). The eval prints the frontier."""
    revoicing_similarity: float = 0.5
    """The same, when re-voicing a person's recording (`voxlip convert`), above 0 (at 0 nothing would be converted):
    real speech loses words sooner than the base voice (benchmarks/eval_revoicing.py, pairs of the speakers it was
    tuned on: WER against the source 0.17 at 0.5, 0.39 at 1)."""
    revoicing_fit_seconds: float = 10.0
    """Re-voicing fits its smooth filter (filter_fit.py) to the recording's first this many seconds of speech, converted
    all the way, as `fitted` fits the base voice's: a longer recording costs no more fitting (chosen pairs of
    eval_revoicing.py at 0.5: GE2E to the reference 0.640 -> 0.672)."""
    formant_exponent: float = 0.8
    """Formant ratio = (reference median F0 / source median F0) ** this, within `formant_range`, for a recording
    re-voiced (`voxlip convert`) and for a base voice no speaker encoder fits (OfflineVoice.fitted): vocal-tract length
    follows pitch across speakers, but less than in proportion. Formants are never lowered: below 1 Praat's change costs
    most words (pocketsphinx WER 0.92 vs 0.23 on three low male voices)."""
    formant_range: tuple[float, float] = (1.0, 1.4)
    formant_candidates: tuple[float, ...] = (1.0, 1.1, 1.2, 1.3, 1.4)
    """Formant ratios tried by analysis by synthesis (OfflineVoice.fitted): the base voice's calibration sentences
    converted at each, the one the speaker encoder hears closest to the reference is kept. Against the pitch rule
    (formant_exponent), which stays for a voice converted without an encoder at hand: chosen half GE2E 0.660 -> 0.684,
    d-vector 0.563 -> 0.602."""
    pitch_spread_scale: float = 0.85
    """The output's log-F0 spread is this share of the reference's (whose spread spans a whole paragraph), relative to
    the base voice's as Praat hears it (base_voice.speech_pitch_of). 0.7 and 1.0 score within the judges' noise of it
    (GE2E 0.728 and 0.731 against 0.731)."""
    range_factor_limits: tuple[float, float] = (0.6, 1.6)
    """Bounds on the factor of the base voice's pitch spread: a monotonous reader's factor held at 0.6 keeps DistillMOS
    at 3.68 (374-180298; at 1: 3.28)."""
    timbre_strength: float = 1.0
    """Share of the difference of mean log-mel envelopes to the reference applied as one filter (timbre_gain). Past 1
    the encoders gain little for much naturalness (1.3 on the chosen half: GE2E 0.660 -> 0.664, DistillMOS 3.86 ->
    3.75)."""
    fitted_filter_cosines: int = 12
    """A second, fitted filter on top of the mean-envelope one (filter_fit.py): this many cosines over the mel scale,
    weighted so that the speaker encoder hears the base voice's calibration sentences, converted, closest to the
    reference (analysis by synthesis, once per voice, cached; 0 turns it off). Chosen half: GE2E 0.685 -> 0.735, and the
    d-vector, which the fit never consults, 0.606 -> 0.642."""
    fitted_filter_limit_db: float = 6.0
    fitted_filter_iterations: int = 2
    """Gauss-Newton steps, each embedding 1 + fitted_filter_cosines filtered versions of the calibration sentences as
    one batch. A third step gains GE2E 0.731 -> 0.735 on the chosen half for 0.2 s more per new voice."""
    fitted_filter_step: float = 0.1
    """Finite-difference step of each cosine's weight (natural-log amplitude: about 0.9 dB at the peaks)."""
    fitted_filter_radius: float = 1.5
    """Trust region: the most a cosine's weight moves in one step."""
    fitted_filter_penalty: float = 0.01
    """Weight of the squared cosine weights in the fitted score: the smallest filter among near-equal ones."""
    timbre_limit_db: float = 12.0
    """The filter's gain stays within +-this: 18 dB gains GE2E 0.660 -> 0.673 on the chosen half but costs DistillMOS
    3.86 -> 3.82. Its lowest band (under 90 Hz) is raised to the limit for every speaker: both encoders hear it."""
    missing_band_db: float = 40.0
    """A band of a recording's mean speech envelope this far below its median over `kept_band_hz` (the band every
    recording keeps, a phone call's too), with every band above it, is missing: the recording was band-limited (e.g. 8
    kHz telephone audio), not quiet there. The 40 shared readers' top band lies at most 34.8 dB under it; a phone call's
    resampled up to 16 or 44.1 kHz, 44.4 dB or more."""
    flat_band_share: float = 0.25
    """A band that rises over the recording (envelope.band_rise, its 95th percentile over its 10th) less than this share
    of what the bands of `kept_band_hz` rise holds none of the speech, only a floor, and is missing too: a phone
    recording with noise added after its band was cut rises 0.09-0.16 above 4.5 kHz, the 40 shared readers' top band
    0.57 and more (0.34 with whole-band noise or a fan)."""
    kept_band_hz: tuple[float, float] = (300.0, 3400.0)
    denoise_below_db: float = 25.0
    """A reference whose pauses lie less than this below its speech (envelope.level_spread_db) is heard without its
    steady noise (envelope.without_steady_noise): its mean envelope, and the embedding the fitted filter brings the
    voice nearest, are of the speaker, not of the fan or the room (pink noise 10 dB under the chosen half's references:
    GE2E 0.705 -> 0.720)."""
    noise_percentile: float = 10.0
    """The steady noise is measured on this share (percent) of a recording's quietest frames."""
    noise_gain_floor: float = 0.05
    """Spectral subtraction leaves every bin at least this share of its power (no holes, little musical noise)."""
    sample_rate: int = 16_000
    """Rate of the analysis of the reference (the output keeps the base voice's own rate)."""
    n_fft: int = 512
    hop_length: int = 128
    n_mels: int = 64
    n_cepstra: int = 32
    """Envelopes keep this many DCT coefficients of their log-mel bands: smooth enough to ignore harmonics."""
    pitch_floor_hz: float = 60.0
    """Praat's pitch floor when it changes a voice (conversion.change_voice) and when it measures the base voice's pitch
    (pitch.praat_f0), which is the contour it changes, or a reference's that DIO could not read (reference.analyse)."""
    pitch_ceiling_hz: float = 500.0
    highpass_hz: float = 70.0
    """Mains hum under this is removed before pitch tracking: it pulls DIO's estimate to 50/60 Hz."""
    tracking_floor_hz: float = 70.0
    """DIO searches for F0 from here up (to pitch_ceiling_hz): not under highpass_hz, where what the filter leaves of
    the hum can hold its whole track. The first 3 s of 103-1240 from 60 Hz: 0.15 s voiced, median 118 Hz, so no
    pitch (the whole recording: 206 Hz); from 70 Hz: 211 Hz. The 40 shared recordings, whole: medians within 0.4%."""
    min_voiced_seconds: float = 0.3
    pitch_jitter_range: tuple[float, float] = (0.003, 0.035)
    """Median |log F0| step between voiced frames: LibriSpeech readers 0.008-0.019, white noise 0.055,
    synthetic notes 0.000. Outside this range the pitch track is not a voice's."""
    pitch_range_hz: tuple[float, float] = (70.0, 350.0)
    pitch_spread_range: tuple[float, float] = (0.04, 0.35)
    """Bounds on the target's median F0 and log-F0 standard deviation, so odd references stay speech-like."""
    speech_floor_db: float = 40.0
    """Frames more than this below the loudest are silence, left out of every statistic."""
    noisy_below_db: float = 29.0
    """A reference whose quiet frames lie less than this below its speech within `kept_band_hz`
    (envelope.level_spread_db of those bands: where a listener hears a background, not the rumble under it) gets a note
    asking for a recording without music or a fan. The 40 shared readers lie 34.7 dB and more below; with music, hum or
    a fan 10-12 dB under them, 18.3-23.0."""
    quiet_edges_seconds: tuple[float, float] = (0.1, 0.3)
    """The most quiet (10 ms frames speech_floor_db under the loudest) the base voice's speech keeps before its first
    sound and after its last, whole or a streamed piece, the cut edges faded over joins.EDGE_FADE: Piper starts some
    sentences late ("My phone number is (212) 555-0199, call anytime.": 0.50 s; 21 other sentences: 0.00-0.06 s) and
    ends them after 0.11-0.34 s (median 0.19 s)."""
    least_lead_seconds: float = 0.05
    """The least quiet before the base voice's first sound, whole or a streamed piece: silence is put first where
    Piper starts at a sound (sentences beginning with "s" or "sh": "Shopping list: ..." begins at sample 0, its first
    50 ms rising from -42 to -26 dB, where other sentences have 30-60 ms at -62 to -75 dB first), as a recording
    starts before its speech."""
    onset_fade_seconds: float = 0.005
    """Where silence is put first, the speech is faded in over this (half a Hann window): no click where it starts
    at a sound."""
    output_highpass_hz: float = 20.0
    output_highpass_order: int = 2
    """The conversion's output is high-passed here (zero-phase Butterworth of this order; 0 Hz: not at all): the timbre
    filter raises its lowest band (under 90 Hz) up to timbre_limit_db, and with it the offset Praat's overlap-add
    leaves, which without the high-pass holds 67-78% of the pauses' energy under 60 Hz."""
    output_peak_dbfs: float = -1.0
    """The conversion's output, each piece at its source's RMS, is lowered as a whole (one gain) where its loudest
    sample would lie over this: room for the mark (up to 1 dB at a peak) and a lossy encoding, and one gain keeps a long
    recording's pieces at one level (a podcast master's four pieces all 3.2-3.8 dB under it)."""

    def analysis_key(self) -> bytes:
        """The fields an analysis of a voice (reference.analyse, base_voice.measure_profile) depends on: its
        cache key, so that moving `similarity` or the conversion's settings reuses the analysis."""
        return repr({name: getattr(self, name) for name in ANALYSIS_FIELDS}).encode()


ANALYSIS_FIELDS = (
    "sample_rate",
    "n_fft",
    "hop_length",
    "n_mels",
    "n_cepstra",
    "pitch_floor_hz",
    "pitch_ceiling_hz",
    "highpass_hz",
    "tracking_floor_hz",
    "min_voiced_seconds",
    "pitch_jitter_range",
    "pitch_range_hz",
    "pitch_spread_range",
    "speech_floor_db",
    "noisy_below_db",
    "missing_band_db",
    "flat_band_share",
    "kept_band_hz",
    "denoise_below_db",
    "noise_percentile",
    "noise_gain_floor",
)


DEFAULT = OfflineConfig()
