"""SV2TTS Tacotron synthesizer: text + speaker embedding -> 80-band mel spectrogram."""

from .config import TacotronConfig
from .inference import pad_sequences, synthesize
from .load import load_synthesizer
from .model import Generation, Tacotron, TacotronOutput

__all__ = [
    "Generation",
    "Tacotron",
    "TacotronConfig",
    "TacotronOutput",
    "load_synthesizer",
    "pad_sequences",
    "synthesize",
]
