"""The offline voice: flite's speech moved toward a reference speaker by signal processing, no weights needed."""

from .config import DEFAULT, OfflineConfig
from .engine import OFFLINE_LABEL, SUPPORTED_LANGUAGES, OfflineSpeech, synthesize_offline
from .flite import PhoneTiming, flite_executable
from .reference import ReferenceVoice, prepare_reference

__all__ = [
    "DEFAULT",
    "OFFLINE_LABEL",
    "SUPPORTED_LANGUAGES",
    "OfflineConfig",
    "OfflineSpeech",
    "PhoneTiming",
    "ReferenceVoice",
    "flite_executable",
    "prepare_reference",
    "synthesize_offline",
]
