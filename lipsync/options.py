"""Everything a lip-sync run can be set by, in one frozen dataclass: frames, face, mouth, encoding."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace

from core.errors import InputError
from core.ffmpeg import EncoderOptions
from core.seeds import checked_seed

from .animator import AnimatorConfig
from .blend import BlendConfig
from .face import FaceOptions
from .living import LivingConfig
from .unit_paste import PasteConfig
from .units import UnitConfig
from .video import LOOP_MODES, MAX_FPS, MIN_SIZE
from .visemes import VisemeTrackConfig

PRECISIONS = ("float32", "bfloat16")


@dataclass(frozen=True)
class LipsyncOptions:
    """Everything a lip-sync run can be set by, refused when made if a run could not use it.

    Most set: fps, face_index, pads, loop, still, seed, precision, max_size (the `voxlip lipsync` flags of the same
    names but loop). What each field does is the docstring under it in lipsync/options.py; the nested settings are
    dataclasses documented the same way (FaceOptions, AnimatorConfig, ...).
    """

    fps: float | None = None
    """Output frame rate; default: the video's own (resampled to constant), 25 for a photo."""
    pads: tuple[int, int, int, int] = (0, 10, 0, 0)
    """Pixels added to the face box (top, bottom, left, right) for the generator's crop."""
    face_index: int | None = None
    """None: the largest face; k: the k-th face from the left."""
    loop: str = "pingpong"
    """How a video shorter than the audio is extended: "pingpong" (forward then back) or "loop"."""
    batch_size: int = 16
    precision: str = "float32"
    """The Wav2Lip generator's arithmetic: "float32" (exactly Wav2Lip's) or "bfloat16" (about 2x faster
    on CPUs with AVX512-BF16 or AMX; mouth pixels move by at most ~2/255)."""
    face: FaceOptions = FaceOptions()
    """How faces are found and tracked; its pads and face_index are the fields above (a face giving others is
    refused)."""
    animator: AnimatorConfig = AnimatorConfig()
    visemes: VisemeTrackConfig = VisemeTrackConfig()
    blend: BlendConfig = BlendConfig()
    units: UnitConfig = UnitConfig()
    """The offline path's choice of mouths from a video's own frames."""
    paste: PasteConfig = PasteConfig()
    """How the offline path blends a chosen frame's lower face in (mask, relighting)."""
    living: LivingConfig = LivingConfig()
    """The offline path's blinks and head motion on a photo (or a video whose face is frozen)."""
    still: bool = False
    """No head motion on a photo (blinks stay)."""
    seed: int | None = 0
    """Seed of the blinks' and head motion's randomness (None: different every run)."""
    encoder: EncoderOptions = EncoderOptions()
    max_size: int = 1920
    """Frames larger than this many pixels on their long side are scaled down before tracking and
    encoding (an 8000-pixel photo would take minutes and gigabytes for nothing a screen shows)."""
    replay_cache_bytes: int = 2 * 1024**3
    """Largest decoded video kept on disk to play it backwards (above: loop by decoding again, as a note says)."""
    batch_bytes: int = 256 * 1024**2
    """Decoded frames held at once are capped to this, whatever `batch_size` says (4K input)."""
    lookahead_bytes: int = 128 * 1024**2
    """How far decoding and face tracking may run ahead of the generator (at least two batches):
    they start while the audio is prepared, and a head start there is time saved at the end."""
    offline_threads: int = 2
    """Output frames the offline renderer draws at once (in threads: the same frames as one at a time)."""
    index_threads: int = 2
    """Trackers that index a video's frames at once, each its own stretch of it (MediaPipe releases the GIL):
    the index is what the first frame waits for."""
    index_warm_up_seconds: float = 1.0
    """A tracker that starts mid-video tracks this long before its first indexed frame, so that its smoothing
    has settled (the landmark and box filters forget their start within about half a second at 25 fps)."""
    opencv_threads: int | None = 1
    """OpenCV threads during the run (restored after): its per-frame work is small, and threads
    only fight over the cores with ffmpeg and torch. None leaves OpenCV's setting alone."""

    def __post_init__(self) -> None:
        if self.fps is not None and (
            isinstance(self.fps, bool) or not isinstance(self.fps, numbers.Real) or not 1.0 <= self.fps <= MAX_FPS
        ):
            raise InputError(
                f"fps={self.fps!r} (--fps) is out of range: give a frame rate between 1 and {MAX_FPS:g} (None: the "
                "video's own)"
            )
        if self.loop not in LOOP_MODES:
            raise InputError(f"loop mode {self.loop!r} is unknown: use {' or '.join(repr(m) for m in LOOP_MODES)}")
        if self.precision not in PRECISIONS:
            raise InputError(f"precision {self.precision!r} is unknown: use 'float32' or 'bfloat16'")
        if len(self.pads) != 4 or not all(isinstance(pad, numbers.Integral) for pad in self.pads):
            raise InputError(
                f"pads {self.pads!r}: give four whole numbers of pixels to add around the face (top, bottom, left, "
                "right)"
            )
        if min(self.pads) < 0:
            raise InputError(f"pads={self.pads!r} (--pads): pixels added around the face cannot be negative")
        if self.max_size < MIN_SIZE:
            raise InputError(
                f"max_size={self.max_size} (--max-size) is too small: give at least {MIN_SIZE} pixels (smaller frames "
                "cannot hold the AI-generated label and the invisible mark)"
            )
        if not isinstance(self.batch_size, numbers.Integral) or self.batch_size < 1:
            raise InputError(f"batch_size {self.batch_size!r}: give a whole number of frames, at least 1")
        if self.offline_threads < 1:
            raise InputError(f"offline_threads {self.offline_threads}: give at least 1")
        if self.index_threads < 1:
            raise InputError(f"index_threads {self.index_threads}: give at least 1")
        checked_seed(self.seed)
        if self.face_index is not None and self.face_index < 0:
            raise InputError("face_index (--face-index) counts faces from the left starting at 0")
        for name, flag in (("pads", "--pads"), ("face_index", "--face-index")):
            given = getattr(self.face, name)
            if given not in (getattr(FaceOptions(), name), getattr(self, name)):
                raise InputError(
                    f"face=FaceOptions({name}={given!r}) would be overridden by LipsyncOptions' own {name}: set it "
                    f"there, LipsyncOptions({name}={given!r}) ({flag}), and leave it out of FaceOptions"
                )

    @property
    def face_options(self) -> FaceOptions:
        """`face` with this run's pads and face_index, for the tracker."""
        return replace(self.face, pads=self.pads, face_index=self.face_index)
