"""Errors a user can act on: each message says what is wrong and what to do."""


class VoxlipError(Exception):
    """Base class for every error voxlip reports to a user instead of a traceback."""


class InputError(VoxlipError):
    """An input file, array or text that voxlip cannot use."""


class CheckpointError(VoxlipError):
    """A checkpoint that is missing, unsafe, corrupt or of another model."""
