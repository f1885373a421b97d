"""The voxlip API and CLI: wires the voice and lip-sync stages, and marks, signs and records what they make.

from pipeline import Pipeline, VoxlipError

Every error voxlip reports to a user is a VoxlipError (an InputError for an input, file or setting it cannot use, a
ConsentError without consent, a CheckpointError for a model file, a MissingLibraryError for a system library): its
message says what is wrong and what to do.

The API is imported on first use of one of its names (PEP 562), not with the package: the `voxlip` command starts
(and answers Ctrl-C) before torch and the models' libraries are imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from core.version import __version__

if TYPE_CHECKING:
    from core.errors import CheckpointError, InputError, MissingLibraryError, VoxlipError
    from voice.speaker import Speaker

    from .api import Pipeline, clone, vocode
    from .provenance.consent import ConsentError
    from .results import Clip, Speech

_WHERE = {
    "Pipeline": "pipeline.api",
    "clone": "pipeline.api",
    "vocode": "pipeline.api",
    "Clip": "pipeline.results",
    "Speech": "pipeline.results",
    "Speaker": "voice.speaker",
    "VoxlipError": "core.errors",
    "InputError": "core.errors",
    "ConsentError": "pipeline.provenance.consent",
    "CheckpointError": "core.errors",
    "MissingLibraryError": "core.errors",
}
"""The module each of the API's names is in."""

__all__ = [
    "CheckpointError",
    "Clip",
    "ConsentError",
    "InputError",
    "MissingLibraryError",
    "Pipeline",
    "Speaker",
    "Speech",
    "VoxlipError",
    "__version__",
    "clone",
    "vocode",
]


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
