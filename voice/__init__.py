"""Voice: speaker encoder, text front-end, synthesizer and vocoder.

    from voice import clone
    wave, sr = clone("me.wav", "Hello there.", consent=True)

`synthesize(texts, embedding) -> mels`, `vocode(mel) -> (wave, sr)` and `clone(reference, text)` pick
the best components on this machine; the submodules hold each model.
"""

from __future__ import annotations

_EXPORTS = {
    "clone": "voice.cloning",
    "vocode": "voice.cloning",
    "VoiceCloner": "voice.cloning",
    "synthesize": "voice.synthesizer",
    "load_encoder": "voice.encoder",
    "similarity": "voice.encoder",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """Import on first use, so `import voice.audio` stays light (no torch until a model is needed)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'voice' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)
