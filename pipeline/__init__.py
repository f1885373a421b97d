"""The voxlip API and CLI: wires voice and lip-sync, manages checkpoints and provenance.

    from pipeline import Pipeline
"""

from .version import __version__

_API = ("Pipeline", "Speaker", "Speech", "Clip")

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    # Imported on first use: the stages import pipeline's small modules (errors, checkpoints), so
    # importing the API eagerly here would make those imports circular.
    if name in ("Pipeline",):
        from .api import Pipeline

        return Pipeline
    if name in ("Speaker", "Speech", "Clip"):
        from . import results

        return getattr(results, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
