"""The voxlip API and CLI: wires the voice and lip-sync stages, and marks, signs and records what they make.

from pipeline import Pipeline
"""

from core.version import __version__
from voice.speaker import Speaker

from .api import Pipeline, clone, vocode
from .results import Clip, Speech

__all__ = ["Clip", "Pipeline", "Speaker", "Speech", "__version__", "clone", "vocode"]
