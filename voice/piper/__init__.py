"""Piper voices (VITS, exported to ONNX) as base voices: text -> espeak-ng phonemes -> speech."""

from .config import PiperConfig
from .phonemes import espeak_knows
from .voice import PiperSpeech, PiperVoice, load_piper_voice

__all__ = ["PiperConfig", "PiperSpeech", "PiperVoice", "espeak_knows", "load_piper_voice"]
