"""OpenVoice V2's tone-colour converter: speech in one voice -> the same speech, timing kept, in another's.

`load_converter` reads the published converter/checkpoint.pth (+ its config.json);
`tone_colour_embedding` makes a voice's 256-d embedding from a recording; `convert` re-voices
speech from one embedding to another. The submodules hold one part each: the spectrogram, the
posterior encoder, the flow, the decoder, the reference encoder.
"""

from .config import ConverterConfig, SpectrogramConfig
from .conversion import convert, tone_colour_embedding
from .load import load_converter
from .model import ToneColourConverter
from .spectrogram import linear_spectrogram

__all__ = [
    "ConverterConfig",
    "SpectrogramConfig",
    "ToneColourConverter",
    "convert",
    "linear_spectrogram",
    "load_converter",
    "tone_colour_embedding",
]
