"""Hyper-parameters of the offline voice: a Piper base voice converted toward the reference."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OfflineConfig:
    """Everything the offline voice can be tuned by; the defaults are the measured best
    (benchmarks/eval_offline_voice.py, chosen on the even-numbered half of the shared speakers)."""

    base_voice: str = "piper-joe"
    """A Piper voice: the bundled "piper-joe", a fetched "piper:NAME", or a path to its .onnx; "#SPEAKER" after a
    voice with many speakers names one (OfflineVoice.fitted otherwise chooses the one nearest each reference).
    Not taken, for the bundled voice (chosen half of eval_offline_voice.py, 20 x 4 sentences, similarity 1, joe at his
    own pace: GE2E 0.730, d-vector 0.634): Piper's noise scales moved (noise_scale 0.4 or 0.9, noise_w 0.4): GE2E
    0.729-0.730, d-vector 0.634-0.640; the best of four realisations of each sentence (Piper's noise, seeded) as GE2E
    hears it (3 sentences): GE2E 0.732 -> 0.747, d-vector 0.647 -> 0.651: the encoder's taste, not the voice. Nor,
    joe slowed to 1.2, a constant offset of the VITS latent before his decoder (along the top 12 principal directions
    of his latent on the calibration sentences, fitted by GE2E through the whole conversion, 2 Gauss-Newton steps; a
    scratch script), 10 chosen speakers x 2 sentences: GE2E 0.706 -> 0.717, d-vector 0.661 -> 0.670, DistillMOS 3.81
    -> 3.84 (16 directions, 3 steps: 0.717, 0.670, 3.75), for 26 more runs of the decoder per new voice (about 10 s,
    against a new voice's cold `say` of 2.2-2.4 s): the decoder renders such offsets naturally, but they move the
    voice little toward a speaker. Nor, per frame, kNN-VC's idea rendered by joe's own decoder (each speech frame's
    envelope shape moved toward the mean of its k nearest reference frames', in the converted voice's frequencies,
    then mapped back to a latent change by inverting a ridge regression from z to the decoded log-mel envelope: R^2
    0.90 on sentences it was not fitted on; a constant request, +-6 dB bumps or a tilt, is realised 62-112% at
    DistillMOS 4.28 -> 4.17-4.31), against 0.706, 0.661, 3.81: k=8, 24 ms Gaussian, 16 cepstra 0.708, 0.692, 3.06;
    k=16, 48 ms, 12 cepstra half way 0.711, 0.672, 3.66, the whole way 0.709, 0.670, 3.29: a latent moving frame by
    frame is no more natural to the judges than a filter doing so."""
    duration_factor: float = 1.2
    """The base voice speaks each phoneme this many times as long as its own setting would (PiperVoice.slower), the
    fit's calibration sentences too. joe reads faster than the shared readers: vowels per second of speech in
    pocketsphinx's alignment, theirs median 4.6 (10th-90th percentile 3.6-5.0), his 5.2 on the eval's sentences, 4.5 at
    1.2. eval_offline_voice.py, 20 x 4 sentences, similarity 1, 1.0 -> 1.2: chosen half DistillMOS 3.96 -> 3.89, DNSMOS
    P.808 3.75 -> 3.77, GE2E 0.730 -> 0.738, d-vector 0.634 -> 0.658, WER 0.207 -> 0.122, lowest speaker 0.635 -> 0.598
    (19-198, whose reference holds 1.4 s of speech); held out 3.87 -> 3.86, 3.71 -> 3.75, 0.721 -> 0.728, 0.616 ->
    0.625, 0.222 -> 0.128, lowest 0.638 -> 0.634. On the chosen half 1.1 gave GE2E 0.729, d-vector 0.620, and 1.15 and
    1.3 (the encoders alone) 0.734 and 0.732, 0.651 and 0.657. joe unconverted, the 20 sentences: DistillMOS 4.16 at
    1.0, 4.19 at 1.15, 4.21 at 1.3, WER 0.233, 0.190, 0.164. Not taken: each reference's own pace (its vowels per
    second, pocketsphinx aligning what it recognises: about 2 s a reference) instead of one for all (1.15), the fit at
    joe's own pace: GE2E 0.738 against 0.739, d-vector 0.645 against 0.643."""
    similarity: float = 1.0
    """0 keeps the base voice as it is, 1 moves pitch, formants and timbre all the way to the reference's
    measures; in between, each moves that share (in log terms). The eval prints the frontier."""
    revoicing_similarity: float = 0.5
    """The same, when re-voicing a person's recording (`voxlip convert`), above 0 (at 0 nothing would be converted):
    real speech loses words sooner than the base voice (benchmarks/eval_revoicing.py, pairs of the speakers it was
    tuned on: WER against the source 0.17 at 0.5, 0.39 at 1)."""
    revoicing_fit_seconds: float = 10.0
    """Re-voicing fits its smooth filter (filter_fit.py) to the recording's first this many seconds of speech,
    converted all the way, as `fitted` fits the base voice's: a longer recording costs no more fitting. The chosen
    pairs of eval_revoicing.py (8 s each), at 0.5: GE2E to the reference 0.640 -> 0.672, d-vector 0.513 -> 0.537,
    DistillMOS 3.78 -> 3.73, WER 0.160 -> 0.168; at 1: 0.669 -> 0.745, 0.581 -> 0.615, 3.52 -> 3.46, 0.41 -> 0.39."""
    formant_exponent: float = 0.8
    """Formant ratio = (reference median F0 / source median F0) ** this, within `formant_range`, for a recording
    re-voiced (`voxlip convert`) and for a base voice no speaker encoder fits (OfflineVoice.fitted): vocal-tract length
    follows pitch across speakers, but less than in proportion. Formants are never lowered: below 1 Praat's change
    costs most words (pocketsphinx WER 0.92 vs 0.23 on three low male voices). Not taken: 0.25, which comes nearest
    the ratios fitted to the base voice (chosen half, mean error 0.058 against 0.143), but costs re-voicing (a man's
    recording toward a woman, tests/test_offline_voice.py: GE2E 0.723 -> 0.659)."""
    formant_range: tuple[float, float] = (1.0, 1.4)
    formant_candidates: tuple[float, ...] = (1.0, 1.1, 1.2, 1.3, 1.4)
    """Formant ratios tried by analysis by synthesis (OfflineVoice.fitted): the base voice's calibration
    sentences converted at each, the one the speaker encoder hears closest to the reference is kept. Chosen
    half of the speakers (eval_offline_voice.py, 20 x 2 sentences, similarity 1), the pitch rule above vs
    fitted: GE2E 0.660 -> 0.684, d-vector 0.563 -> 0.602, DistillMOS 3.860 -> 3.867, WER 0.294 -> 0.250,
    lowest speaker 0.535 -> 0.574. The pitch rule stays for a voice converted without an encoder at hand.
    Not taken: steps of 0.05 (GE2E 0.691, d-vector 0.602, twice the fitting time); the timbre strength fitted
    too, among 0.7, 1.0 and 1.3 (0.694, 0.615, DistillMOS 3.83, WER 0.265). Ratios of 0.9 and 0.95 offered to
    the fit were never chosen for the chosen half's men (their median F0, about 100-130 Hz, lies above the base
    voice's 92 Hz). Ratios of 1.5 and 1.6 offered too were chosen by one speaker of the chosen half, the highest voice
    (19-198, median F0 253 Hz; 10 sentences): 1.5, GE2E 0.618 -> 0.627, d-vector 0.469 -> 0.549, DistillMOS 3.37 ->
    3.63, but pocketsphinx WER 0.35 -> 0.83: not taken while no judge of intelligibility hears such a voice better
    (pocketsphinx's acoustic model is of adult speech). Nor the target pitch fitted as well (its median x 0.92, 1 or
    1.08 at the chosen ratio), with the fitted filter on top: GE2E 0.731 -> 0.739, d-vector 0.643 -> 0.648, WER
    0.254 -> 0.240, DistillMOS 3.84 -> 3.85 (women 3.70 -> 3.80, men 3.98 -> 3.90), for 40% more trials:
    noise-sized, and men lose what women gain. Nor, after the ratio, the formant regions moved apart (each frame's
    envelope, its cepstrum below 2 ms, warped along frequency by factors at 500, 1500 and 3000 Hz, the combination the
    encoder hears nearest on the calibration sentences; 20 x 4 sentences, joe at his own pace, against GE2E 0.730,
    d-vector 0.634, DistillMOS 3.96, lowest 0.635): factors 0.9-1.1, every combination tried, 0.739, 0.650, 3.85,
    lowest 0.655, the fit 1.0 -> 2.5 s; 0.95-1.05, each region's factor chosen with the others unmoved, 0.733, 0.649,
    3.94, and on the held-out half 0.721 -> 0.725, 0.616 -> 0.622, 3.87 -> 3.85, lowest 0.638 -> 0.618; the 0.9-1.1
    warp smoothed over 5 frames 0.732, 0.639, 3.80: a little likeness for naturalness each time. Nor the formants
    moved by resampling rather than by Praat (the base voice asked for phonemes `ratio` times as long, its samples
    played `ratio` times as fast, Praat then changing the pitch alone; 15 chosen speakers whose ratio is above 1, 3
    sentences, joe slowed to 1.2): GE2E 0.741 -> 0.738, d-vector 0.656 -> 0.666, DistillMOS 3.91 -> 3.66: a slower
    Piper is a less natural one. The ratio is where the encoders want it: without the fitted filter, 10 chosen
    speakers x 2 sentences, each at the ratio (1.0-1.5 by 0.05) best for it on the very sentences scored gives d-vector
    0.625 against 0.617 at the fitted ratio; yet a real reading's own formants moved by 1.05 fall to d-vector 0.92
    against itself (1.1: 0.78), what pitch moved 10% costs 0.97: a speaker's formants lie not in one ratio."""
    pitch_spread_scale: float = 0.85
    """The output's log-F0 spread is this share of the reference's (whose spread spans a whole paragraph), relative to
    the base voice's as Praat hears it (base_voice.speech_pitch_of). Chosen half at similarity 1, the same session:
    0.85 GE2E 0.731, d-vector 0.641, DistillMOS 3.90, WER 0.260; 1.0 0.731, 0.646, 3.90, 0.231 (women 3.85 -> 3.74,
    men 3.96 -> 4.07); 0.7 0.728, 0.650, 3.88, 0.229: within the judges' noise, so it stays. (Measured with the base
    voice's pitch heard an octave up, 0.85 and 1.0 gave nearly the same voices: most range factors held at their
    floor.)"""
    range_factor_limits: tuple[float, float] = (0.6, 1.6)
    """Bounds on the factor of the base voice's pitch spread. A monotonous reader's factor is held at 0.6 (374-180298,
    held out, spread 0.49 of joe's: at 1 instead, DistillMOS 3.28 -> 3.68, GE2E 0.765 -> 0.757), but on the chosen half
    (identity against the recordings with their offsets) a floor of 0.8 gave DistillMOS 3.88, GE2E 0.732, d-vector
    0.642, WER 0.256 and of 1.0 3.87, 0.728, 0.640, 0.252, against 3.90, 0.731, 0.641, 0.260: within noise."""
    timbre_strength: float = 1.0
    """Share of the difference of mean log-mel envelopes to the reference applied as one filter (timbre_gain). The
    chosen half of the speakers (eval_offline_voice.py, 20 x 2 sentences, at similarity 1): with 40 bands and 24 cepstra
    GE2E 0.642, d-vector 0.545, DistillMOS 3.88; 64 and 32 (these) 0.660, 0.563, 3.86; 80 and 40 0.657, 0.563, 3.82;
    matching the long-term power spectrum instead (12 linear-frequency cepstra) 0.589, 0.483, 3.95. Past 1 (1.3): 0.664,
    0.587, 3.75: a little likeness for much naturalness. Not taken either: the base envelope measured on the calibration
    sentences after the pitch and formant change (rather than scaled to the ratio), against the fitted conversion: GE2E
    0.685 -> 0.686, d-vector 0.606 -> 0.615, DistillMOS 3.87 -> 3.92, WER 0.248 -> 0.269, for two more Praat passes per
    new voice. Nor a filter per frame on top (kNN-VC's idea on envelopes: each speech frame's shape, relative to its
    utterance's mean, moved to the mean of its k nearest reference frames', smoothed in time and frequency): k=16, a 48
    ms Gaussian, 12 cepstra, the whole way: GE2E 0.685 -> 0.691, d-vector 0.606 -> 0.637, DistillMOS 3.87 -> 3.50, WER
    0.248 -> 0.265; unsmoothed (k=8, 16 ms) 0.697, 0.692, 2.30, 0.300: what the encoders hear of a speaker in each
    frame's detail, listeners hear as processing. Nor a filter per class of phone on top of the fitted conversion (8
    classes: four vowel groups, open vowels, nasals, liquids, sibilants; the reference's frames classed by
    pocketsphinx's alignment, the base voice's by its own phones; each class's shape relative to the speech mean, minus
    the converted base voice's on the profile text, 12 cepstra, within 9 dB, shrunk by frames / (frames + 30), 20 ms
    Gaussian in time; a scratch script), chosen half, the same session: the whole way GE2E 0.728 -> 0.732, d-vector
    0.648 -> 0.657, DistillMOS 3.85 -> 3.76; twice 0.732, 0.662, 3.44: what the encoders miss is not a vowel's colour.
    Two filters instead of one, from the voiced and the unvoiced speech frames' means, mixed per frame by voicing (24 ms
    Gaussian): GE2E 0.688, d-vector 0.623, DistillMOS 3.81, WER 0.252; from the voiced frames only: 0.679, 0.620, 3.83.
    The pitch target 8% lower or higher: GE2E 0.678 and 0.685, d-vector 0.593 and 0.613, DistillMOS 3.94 and 3.74: the
    reference's median is where the encoders want it. Nor each band's movement over time compressed toward the
    reference's (a real recording's envelope moves 25-30% less than the converted voice's in the bands above 1 kHz; per
    frame, within 6 dB, 24 ms smoothing), on top of the fitted filter, 10 chosen speakers x 2 sentences: half way GE2E
    0.706 -> 0.706, d-vector 0.632 -> 0.646, DistillMOS 3.79 -> 3.58. Nor the reference's breathiness: a voice raised
    by Praat is more periodic than the reference above 2 kHz (WORLD's D4C aperiodicity, voiced frames, 3-5.5 kHz:
    0.29-0.46 against 0.36-0.67 in the women's recordings among the first 12 shared speakers), but random-phase
    energy mixed into each band to match (10 chosen speakers x 2 sentences, joe slowed to 1.2) moved nothing: GE2E
    0.706 -> 0.704, d-vector 0.661 -> 0.661, DistillMOS 3.81 -> 3.81. Nor, on the converted voice (10 chosen speakers x
    3 sentences, scratch scripts, against GE2E 0.711, d-vector 0.670, DistillMOS 3.87, DNSMOS 3.70): each frame's
    envelope peaks deepened or flattened around its mean (cepstrum under 2.5 ms scaled by 0.85, 1.15, 1.3): GE2E 0.715,
    0.691, 0.668, d-vector 0.668, 0.655, 0.632, DistillMOS 3.44, 3.99, 3.91; a room (T60 0.2 s, its tail 15% of the
    direct energy, the LibriSpeech readers' rooms being unknown): GE2E 0.698, d-vector 0.674, DistillMOS 4.06, and
    larger rooms (T60 0.3-0.5 s, tails 15-40%) lowered both encoders (GE2E 0.629-0.680, d-vector 0.648-0.666), the
    readers it raised differing between the two. Nor the reference's own noise floor (its quietest tenth's spectrum,
    as Gaussian noise) under the converted voice at the reference's level below its speech, or 6 dB under or over it
    (10 chosen speakers x 2 sentences, against GE2E 0.706, d-vector 0.661, DistillMOS 3.81): 0.721, 0.644, 3.34;
    0.722, 0.656, 3.33; 0.695, 0.626, 3.25: GE2E hears the recording's channel, the d-vector less, listeners a worse
    voice. Nor the loudness contour: a real reading with its level's spread (dB, 40 ms) scaled by 0.6-1.5 still
    scores GE2E 0.975-0.995 and d-vector 0.985-0.998 against itself (8 readers), so no speaker lies in it."""
    fitted_filter_cosines: int = 12
    """A second, fitted filter on top of the mean-envelope one (filter_fit.py): this many cosines over the mel scale,
    weighted so that the speaker encoder hears the base voice's calibration sentences, converted, closest to the
    reference (analysis by synthesis, once per voice, cached; 0 turns it off). Chosen half (eval_offline_voice.py,
    20 x 2 sentences the fit never hears, similarity 1, `--set` for the others): without it GE2E 0.685, d-vector
    0.606, DistillMOS 3.87, WER 0.25; 12 cosines within 6 dB (these, 3 steps) 0.735, 0.642, 3.85, 0.24; 8 cosines
    0.721, 0.628, 3.84, 0.25; 16 cosines 0.743, 0.628, 3.75, 0.26; 12 within 9 dB 0.737, 0.652, 3.83, 0.24. The
    d-vector, which the fit never consults, moves with GE2E: what the encoder hears is the speaker, not its quirks.
    (Fitted by torch's gradient instead, 60 Adam steps: the same scores, with torch imported in a cold process.)
    Not taken either (chosen half again, against GE2E 0.729, d-vector 0.642, DistillMOS 3.85, WER 0.242 measured in the
    same session): 16 cosines within 9 dB 0.743, 0.631, 3.75, 0.250 (GE2E alone moves: tuning to the judge); two
    filters fitted together, one for voiced and one for unvoiced frames (mixed per frame by the balance of power under
    1 kHz against 3-8 kHz) 0.731, 0.646, 3.81, 0.233, for twice the fit; the filter fitted at every candidate formant
    ratio and the best pair kept (rather than the ratio chosen first) 0.728, 0.635, 3.84, 0.233, fit 3.9 s instead of
    1.3 s: what the fit gains on the calibration sentences does not carry over to other sentences. The ceiling of a
    filter per voice (10 chosen speakers x 2 sentences, joe slowed to 1.2; a scratch script): fitted by GE2E on the
    very sentences it is then scored on, GE2E 0.706 -> 0.721 (12 cosines), 0.753 (24), 0.776 (24 within 12 dB), but
    d-vector 0.661 -> 0.654, 0.650, 0.649 and DistillMOS 3.81 -> 3.89, 3.76, 3.74: past this fit, what a filter adds
    is GE2E's taste; the second encoder's 0.70 needs more than one filter per voice."""
    fitted_filter_limit_db: float = 6.0
    fitted_filter_iterations: int = 2
    """Gauss-Newton steps, each embedding 1 + fitted_filter_cosines filtered versions of the calibration sentences
    as one batch. Chosen half: 2 steps GE2E 0.731, d-vector 0.643, DistillMOS 3.84; 3 steps the
    figures above (0.735, 0.642, 3.85), for 0.2 s more per new voice."""
    fitted_filter_step: float = 0.1
    """Finite-difference step of each cosine's weight (natural-log amplitude: about 0.9 dB at the peaks)."""
    fitted_filter_radius: float = 1.5
    """Trust region: the most a cosine's weight moves in one step."""
    fitted_filter_penalty: float = 0.01
    """Weight of the squared cosine weights in the fitted score: the smallest filter among near-equal ones."""
    timbre_limit_db: float = 12.0
    """The filter's gain stays within +-this. 18 dB on the chosen half: GE2E 0.673, d-vector 0.569, DistillMOS
    3.82 (12 dB: 0.660, 0.563, 3.86): not worth the loss. Its lowest band (under 90 Hz, where the recordings hold
    more rumble and hum than the base voice) is raised to the limit for every speaker; left unchanged instead (the
    bands under highpass_hz treated as a band-limited recording's top is), with the fitted filter: GE2E 0.729 ->
    0.714, d-vector 0.642 -> 0.635, DistillMOS 3.85 -> 3.88 (women 3.72 -> 3.78): both encoders hear it, kept."""
    missing_band_db: float = 40.0
    """A band of a recording's mean speech envelope this far below its median over `kept_band_hz` (the band
    every recording keeps, a phone call's too), with every band above it, is missing: the recording was
    band-limited (e.g. 8 kHz telephone audio), not quiet there. The 40 shared LibriSpeech readers (cleaned as a
    reference is; tested on all of them): their top band (7.6 kHz) lies at most 34.8 dB under it (412-126975), their
    bands above 4.5 kHz at most 19.6; two of them through a phone's band (8 kHz, 300-3400 Hz band-pass) and back up to
    16 or 44.1 kHz by scipy's resample_poly, whose images leave 4.5-8 kHz at 45.8-48.1 dB under it, or by ffmpeg at
    44.4-45.2: 50 dB had missed every one saved at 16 kHz (a 1 dB margin)."""
    flat_band_share: float = 0.25
    """A band that rises over the recording (envelope.band_rise, its 95th percentile over its 10th) less than this
    share of what the bands of `kept_band_hz` rise holds none of the speech, only a floor, and is missing too: a phone
    recording with noise added after its band was cut (ffmpeg's phone version of 103-1240 with white noise 30 or 40
    dB under it: bands above 4.5 kHz 0.09-0.16, levels 18-28 dB under). The 40 readers: their top band 0.57 and more,
    every band above 4.5 kHz 0.52 and more; whole-band noise or a fan (readers 103 and 60 with hum and fan at 10 dB
    SNR, with white noise at 0.01): top band 0.34 and more. Held out, all 40 readers through a phone's band by
    resample_poly, and with white noise 35 dB under it: 40 of 40 noted each time; with hum and a fan 10 dB under them
    none, with chords 12 dB under them one (412-126975: the chords raise the kept bands' median, and its top two
    bands, 34.8 dB under it alone, fall to 40.2 and 42.2 under)."""
    kept_band_hz: tuple[float, float] = (300.0, 3400.0)
    denoise_below_db: float = 25.0
    """A reference whose pauses lie less than this below its speech (envelope.level_spread_db) is heard without its
    steady noise (envelope.without_steady_noise): its mean envelope, and the embedding the fitted filter brings the
    voice nearest, are of the speaker, not of the fan or the room. The chosen half (eval_offline_voice.py, similarity
    1) with pink noise 10 dB under each recording (`--reference-noise 10`; its spread about 20 dB), identity scored
    against the clean recording: GE2E 0.705 -> 0.720, d-vector 0.601 -> 0.609, DistillMOS 3.74 -> 3.75 (from the
    clean recordings: 0.729, 0.642, 3.85); 20 dB under it (spread about 29 dB) costs little (GE2E 0.727, d-vector
    0.608). Not taken: only the envelope, of every reference, without each band's 5th-percentile power (no
    threshold): noisy 0.700, 0.607; clean recordings' DistillMOS 3.85 -> 3.79. Nor 35 dB, so that noise 20 dB under
    is taken out too (and 14 of the 20 clean recordings heard without their floor): noise 20 dB under GE2E 0.728 ->
    0.730, d-vector 0.613 -> 0.623, DistillMOS 3.80 -> 3.80; clean recordings 0.728 -> 0.728, 0.648 -> 0.645, 3.85 ->
    3.84, WER 0.248 -> 0.263."""
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
    (envelope.level_spread_db of those bands: where a listener hears a background, not the rumble under it) gets a
    note asking for a recording without music or a fan. The 40 shared LibriSpeech readers, cleaned as a reference is:
    34.7 dB and up (median 43.1; over the whole band, which holds their rumble, 20.8 and up, median 34.6); readers 103
    and 60 with chords 12 dB under them: 23.0 and 21.0, with mains hum and a fan's noise 10 dB under them 20.9 and 18.3
    (50 or 60 Hz), 20 dB under them 30.4 and 27.6; 103 with 0.8 s of echo 28.3 (0.4 s: 35.8). The whole-band spread had
    flagged only a background 5 dB under the voice (its threshold 15 dB: music 16.9 and 18.6, hum 10 dB under 17.5
    and 17.6, reader 103 clean 20.8). Held out, all 40 readers with 60 Hz hum and a fan 10 dB under them, or other
    chords 12 dB under them: 40 of 40 noted each time; through a phone's band (with or without noise over its top):
    none."""
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
    """The conversion's output is high-passed here (zero-phase Butterworth of this order; 0 Hz: not at all): the
    timbre filter raises its lowest band (under 90 Hz) up to timbre_limit_db, and with it the offset Praat's
    overlap-add leaves (-0.0002): converted speech had averaged -0.001 (the base voice: +0.0002) and held 67-78% of
    its pauses' energy under 60 Hz, nearly all of it under 10 Hz (the base voice: 2%; now 5%). Held-out speakers of
    eval_offline_voice.py (6 x 8 sentences, similarity 1), against DistillMOS 3.82, GE2E 0.693, d-vector 0.591, WER
    0.174 without: 20 Hz 3.78, 0.685, 0.594, 0.167; 50 Hz 3.80, 0.684, 0.584, 0.181 (the fits move with it)."""
    output_peak_dbfs: float = -1.0
    """The conversion's output, each piece at its source's RMS, is lowered as a whole (one gain) where its loudest
    sample would lie over this: room for the mark (up to 1 dB at a peak) and a lossy encoding. Each piece had been
    scaled to 0.99 on its own: a podcast master (-15.7 LUFS, -1.5 dBTP, 70 s) came out at -17.4 LUFS, its four pieces
    1.0-3.5 dB under it (steps of up to 2.2 dB), now at -19.1 LUFS, -0.8 dBTP with the mark, all 3.2-3.8 dB under it.
    The conversion raises speech's peaks against its RMS (its pieces peaked 1.8-4.5 dB over the master's own), so a
    limited master comes out under its source. A LibriSpeech reading (-25.1 LUFS) stays at -25.3."""

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
