"""Hyper-parameters of the offline (signal-processing) voice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfflineConfig:
    """Everything the offline voice can be tuned by; the defaults are the measured best.

    The base speech comes from flite; its spectral envelope is moved toward the reference by a
    frequency warp and an affine map of smoothed log-mel envelopes learnt without parallel data,
    and, phone by phone, toward the reference's own envelopes and loudness found through the base
    voice reading the reference's words; the change is applied as a time-varying filter on flite's
    own STFT (its excitation and phase are kept).
    """

    sample_rate: int = 16_000
    voices: tuple[str, ...] = ("slt", "rms", "awb", "kal16")
    """flite voices to choose from: the one whose unconverted speech is nearest the reference (GE2E)."""
    n_fft: int = 512
    hop_length: int = 128
    n_mels: int = 40
    n_cepstra: int = 24
    """Log-mel envelopes keep this many DCT coefficients: smooth enough to ignore harmonics."""
    warp_grid: tuple[float, ...] = (0.85, 0.9, 0.95, 1.0, 1.05, 1.1)
    """Frequency-warp factors tried (vocal-tract length); the one whose frames sit nearest the reference's wins.
    A wider grid costs intelligibility: extreme warps lose words."""
    alignment_iterations: int = 5
    """Rounds of nearest-neighbour alignment and affine refit (INCA-style, no parallel data)."""
    identity_weight: float = 10.0
    """Ridge pull of the affine map toward identity-plus-offset, per aligned frame pair."""
    max_alignment_frames: int = 2000
    reading_blend: float = 0.65
    """Share of the reference's own envelopes, found through its words read by the base voice (reading.py),
    mixed into every speech frame whose phone the reading has; 0 turns the reading off. Higher is more
    similar and less intelligible (eval_offline_voice.py prints both)."""
    reading_loudness: float = 0.6
    """Share of the reference's loudness of each sound (relative to its other sounds, from the same
    reading targets) given to the output's frames; 0 keeps flite's loudness contour."""
    reading_neighbours: int = 4
    """Same-phone frames of the reading averaged per frame (1: a little more similar, less intelligible)."""
    reading_floor_db: float = 30.0
    """Reference frames more than this below the loudest are left out of the alignment."""
    reading_min_words: int = 1
    """Fewer words heard in the reference than this, and there is no reading."""
    reading_max_seconds: float = 20.0
    """Only this much of the reference is recognised and aligned (time and memory grow with it)."""
    variance_restore: float = 1.0
    """Share of the reference's per-band spread given back to the voiced targets after the reading blend
    (the regression and the neighbour averaging shrink it, which the speaker encoder hears as a duller voice)."""
    smoothing_frames: int = 3
    max_gain_db: float = 25.0
    pitch_floor_hz: float = 60.0
    pitch_ceiling_hz: float = 500.0
    highpass_hz: float = 70.0
    """Mains hum under this is removed before pitch tracking: it pulls DIO's estimate to 50/60 Hz."""
    min_voiced_seconds: float = 0.3
    pitch_jitter_range: tuple[float, float] = (0.003, 0.035)
    """Median |log F0| step between voiced frames: LibriSpeech readers 0.008-0.019, white noise 0.055,
    synthetic notes 0.000. Outside this range the pitch track is not a voice's."""
    pitch_spread_scale: float = 0.85
    """The output's F0 spread is this share of the reference's (whose spread spans a whole paragraph)."""
    pitch_calibration_rounds: int = 2
    """Times `probe_text` is said to correct what flite is asked for (rendering.pitch_request); 0: ask for
    the target as it is."""
    pitch_correction_range: tuple[float, float] = (0.7, 1.5)
    """Bounds on each round's correction ratio, so one bad pitch track cannot throw the request far."""
    pitch_spread_request_limit: float = 2.5
    """flite is asked for at most this many times the wanted spread (slt needs about twice)."""
    pitch_shift_tolerance: float = 0.03
    """|log(target / said F0)| under which rms, the flite voice that ignores pitch targets, keeps its own
    pitch. Otherwise Praat's PSOLA moves it (pitch_shift.py), formants kept."""
    pitch_range_hz: tuple[float, float] = (70.0, 350.0)
    pitch_spread_range: tuple[float, float] = (0.04, 0.35)
    """Bounds on the target's median F0 and log-F0 standard deviation, so odd references stay speech-like."""
    speech_floor_db: float = 40.0
    """Frames more than this below the loudest are silence, left out of every statistic."""
    probe_text: str = "The quick brown fox jumps over the lazy dog, and then runs far away into the green hills."
    """Spoken by each base voice at the reference's pitch to compare it with the reference (ranking.py), and to
    calibrate its pitch."""


DEFAULT = OfflineConfig()
