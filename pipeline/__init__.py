"""The voxlip API and CLI: wires voice and lip-sync, manages checkpoints and provenance."""

from .version import __version__

__all__ = ["__version__"]
