"""Pitch shifting for the base voice that ignores pitch targets (rms): Praat's PSOLA.

Pitch-synchronous overlap-add cuts the speech into two-period pieces around each glottal pulse and
lays them out again at the new pulse rate, so the pitch moves while the formants (the pieces' own
spectra) and the timing stay. A phase vocoder plus resampling moves the formants with the pitch and
smears the harmonics, both of which the speaker encoder hears as another voice.
"""

from __future__ import annotations

import librosa
import numpy as np
import parselmouth
from parselmouth.praat import call


def shift_pitch(wave: np.ndarray, ratio: float, sample_rate: int, floor_hz: float, ceiling_hz: float) -> np.ndarray:
    """`wave` with its pitch multiplied by `ratio`; formants, timing and length kept.

    `floor_hz`/`ceiling_hz` bound Praat's search for the glottal pulses the pieces are centred on.
    """
    sound = parselmouth.Sound(wave.astype(np.float64), sampling_frequency=sample_rate)
    manipulation = call(sound, "To Manipulation", 0.01, floor_hz, ceiling_hz)
    contour = call(manipulation, "Extract pitch tier")
    call(contour, "Multiply frequencies", sound.xmin, sound.xmax, ratio)
    call([contour, manipulation], "Replace pitch tier")
    shifted = call(manipulation, "Get resynthesis (overlap-add)").values[0]
    return librosa.util.fix_length(shifted, size=len(wave)).astype(np.float32)
