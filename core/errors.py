"""Errors a user can act on: each message says what is wrong and what to do."""

import re


class VoxlipError(Exception):
    """Base class for every error voxlip reports to a user instead of a traceback.

    `detail` is what a library said (ffmpeg's last line), kept out of the message: `voxlip --debug` prints it.
    """

    def __init__(self, *args: object, detail: str | None = None):
        super().__init__(*args)
        self.detail = detail


class InputError(VoxlipError):
    """An input file, array or text that voxlip cannot use."""


class CheckpointError(VoxlipError):
    """A checkpoint that is missing, unsafe, corrupt or of another model."""


class OtherModelError(CheckpointError):
    """A checkpoint that holds another known model's weights (auto mode passes such a file in the cache over)."""


class MissingLibraryError(VoxlipError):
    """A system library that a compiled dependency loads (OpenCV's libGL) is not installed."""


SYSTEM_LIBRARY_PACKAGES = {
    "libGL.so.1": "libgl1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
"""The Debian/Ubuntu package of each system library voxlip's wheels load without bundling it (OpenCV's cv2)."""

_UNLOADABLE = re.compile(r"([^\s/:]+\.so[.\d]*): cannot open shared object file")
_MODULES = {"cv2": "OpenCV (cv2)", "mediapipe": "MediaPipe"}


def missing_library(error: ImportError) -> MissingLibraryError | None:
    """What to tell a user whose import failed because a system library is not installed ("libGL.so.1: cannot open
    shared object file"): the library and the package to install. None for any other ImportError."""
    found = _UNLOADABLE.search(str(error))
    if found is None:
        return None
    library, module = found.group(1), (error.name or "").split(".")[0]
    package = SYSTEM_LIBRARY_PACKAGES.get(library)
    install = f"with `sudo apt-get install {package}` (Debian, Ubuntu)" if package else "from your system's packages"
    what = _MODULES.get(module, module or "a library voxlip uses")
    return MissingLibraryError(
        f"{what} cannot load {library}, a system library it needs: install it {install}", detail=str(error)
    )
