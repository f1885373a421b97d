"""The kinds of output voxlip writes and the file name endings of each (light: the command line's help says them)."""

from __future__ import annotations

OUTPUT_SUFFIXES = {
    "audio": (".wav", ".flac", ".mp3"),
    "video": (".mp4",),
    "embeddings": (".npy",),
    "speakers": (".npz",),
}
"""The file name endings of each kind of output (content credentials are embedded in the audio and video)."""


def suffixes_in_words(kind: str, names: bool = False) -> str:
    """The endings voxlip writes `kind` ("audio", "video", "embeddings", "speakers") with, in words: ".wav, .flac or
    .mp3", or with `names` the formats' names: "WAV, FLAC or MP3"."""
    choices = [suffix[1:].upper() if names else suffix for suffix in OUTPUT_SUFFIXES[kind]]
    return " or ".join([", ".join(choices[:-1]), choices[-1]] if len(choices) > 1 else choices)
