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
    warp_grid: tuple[float, ...] = (0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15)
    """Frequency-warp factors tried (vocal-tract length); the one whose frames sit nearest the reference's wins.
    Wider (0.75-1.35) won a little similarity on some speakers and wrecked intelligibility on others
    (WER 0.94 on a 2 s reference that chose 0.75)."""
    alignment_iterations: int = 5
    """Rounds of nearest-neighbour alignment and affine refit (INCA-style, no parallel data)."""
    identity_weight: float = 10.0
    """Ridge pull of the affine map toward identity-plus-offset, per aligned frame pair."""
    max_alignment_frames: int = 2000
    reading_blend: float = 0.6
    """Share of the reference's own envelopes, found through its words read by the base voice (reading.py),
    mixed into every speech frame whose phone the reading has; 0 turns the reading off. Measured over
    40 speakers x 20 sentences (eval_offline_voice.py): without the reading 0.680 similarity at WER
    1.33x the base voice's; with loudness 0.6, blend 0.5 gives 0.720 at 1.27x and 0.6 gives 0.726 at
    1.40x (issue 4 allows 1.5x)."""
    reading_loudness: float = 0.6
    """Share of the reference's loudness of each sound (relative to its other sounds, from the same
    reading targets) given to the output's frames; 0 keeps flite's loudness contour. 20 speakers x 3
    sentences: 0 -> 0.714, 0.3 -> 0.723, 0.6 -> 0.731 at the same WER, 0.9 -> 0.735 at WER +0.03."""
    reading_neighbours: int = 4
    """Same-phone frames of the reading averaged per frame (1: a little more similar, less intelligible)."""
    reading_floor_db: float = 30.0
    """Reference frames more than this below the loudest are left out of the alignment."""
    reading_min_words: int = 1
    """Fewer words heard in the reference than this, and there is no reading."""
    reading_max_seconds: float = 20.0
    """Only this much of the reference is recognised and aligned (time and memory grow with it)."""
    variance_restore: float = 0.5
    """Share of the reference's per-band spread given back to the mapped frames (regression shrinks it)."""
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
    pitch_spread_scale: float = 0.7
    """flite is asked for this share of the reference's F0 spread: a flatter contour is better understood
    (WER 0.28 vs 0.32 on 8 speakers x 3 sentences) at no cost in similarity."""
    pitch_shift_n_fft: int = 384
    """Frame of the phase vocoder that moves the pitch of rms, the flite voice that ignores pitch targets
    (8 speakers x 4 sentences: GE2E 0.674 -> 0.707, WER 0.047 -> 0.081; 512: WER 0.107, 1024: 0.214;
    WORLD resynthesis 0.699, WER 0.073, but 4x slower)."""
    pitch_shift_tolerance: float = 0.03
    """|log(target / own F0)| under which rms keeps its own pitch."""
    pitch_range_hz: tuple[float, float] = (70.0, 350.0)
    pitch_spread_range: tuple[float, float] = (0.04, 0.35)
    """Bounds on the target's median F0 and log-F0 standard deviation, so odd references stay speech-like."""
    speech_floor_db: float = 40.0
    """Frames more than this below the loudest are silence, left out of every statistic."""
    probe_text: str = (
        "The quick brown fox jumps over the lazy dog, and then runs far away into the green hills."
    )
    """Spoken by each base voice once to compare it with the reference."""


DEFAULT = OfflineConfig()
