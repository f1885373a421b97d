"""Errors a user can act on: each message says what is wrong and what to do."""


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
