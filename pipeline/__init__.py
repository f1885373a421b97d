"""The voxlip API and CLI: wires the voice and lip-sync stages, and marks, signs and records what they make.

from pipeline import Pipeline

The API is imported on first use of one of its names (PEP 562), not with the package: the `voxlip` command starts
(and answers Ctrl-C) before torch and the models' libraries are imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from core.version import __version__

if TYPE_CHECKING:
    from voice.speaker import Speaker

    from .api import Pipeline, clone, vocode
    from .results import Clip, Speech

_WHERE = {
    "Pipeline": "pipeline.api",
    "clone": "pipeline.api",
    "vocode": "pipeline.api",
    "Clip": "pipeline.results",
    "Speech": "pipeline.results",
    "Speaker": "voice.speaker",
}
"""The module each of the API's names is in."""

__all__ = ["Clip", "Pipeline", "Speaker", "Speech", "__version__", "clone", "vocode"]


def __getattr__(name: str) -> object:
    """An API name (`_WHERE`) or a submodule (`pipeline.api`, `pipeline.outputs`), imported when first asked for."""
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
