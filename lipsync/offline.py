"""voxlip's offline lip-sync: a video's own mouths where it has them, a living animated face otherwise.

A video whose face moves is given mouths from its own frames (`units`: real lips, teeth and jaw),
each frame from its own shot's; the frames whose mouth shape their shot never shows are drawn by the
animator. A photo, or a video whose face is frozen (a single repeated frame), is animated (`animator`:
lips, jaw and chin warped, the mouth interior shaded in the face's own colours) and brought to life
(`living`: blinks, a subtle head motion, none with `still`).

The engine shows every source frame to `observe` (tracked, before any output frame is rendered),
then calls `prepare` and `render`, as for any `MouthRenderer`.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from core.components import Component
from voice.phones import Phone

from .animator import ANIMATOR, PHONE_RECOGNIZER, AnimatorConfig, MouthAnimator, jaw_track
from .audio_frames import silent_frames
from .background import CoreTurns, StageTimer
from .detail import cap_detail, laplacian_variance, mouth_region
from .face import MOUTH_LEFT, MOUTH_RIGHT, Face
from .living import HeadMotion, LifeTrack, LivingConfig, blink, life_track
from .unit_paste import PasteConfig, paste_unit
from .units import MouthLibrary, SelectionPlan, UnitConfig, face_look, is_cut, plan_selection
from .visemes import VisemeTrackConfig, shape_track

OWN_FRAMES = Component.offline("lip-sync", "offline lip-sync: the video's own mouths, chosen by unit selection")
LIVING = Component.offline("face motion", "offline blinks and head motion")
BLINKING = Component.offline("face motion", "offline blinks, the head kept still")
"""What brings a still face to life with `still`: blinks alone."""
FROZEN_MOTION = 0.03
"""A video whose landmarks never move more than this (face widths) from the first frame's ..."""
FROZEN_MOUTH = 0.02
"""... and whose mouth opening varies less than this (5th to 95th percentile) is a still."""


class OfflineRenderer:
    """The offline `MouthRenderer`: unit selection on a moving video, the living animator on a still."""

    def __init__(
        self,
        phones: tuple[Phone, ...] | list[Phone] | None = None,
        animator: AnimatorConfig = AnimatorConfig(),
        visemes: VisemeTrackConfig = VisemeTrackConfig(),
        units: UnitConfig = UnitConfig(),
        living: LivingConfig = LivingConfig(),
        seed: int | None = 0,
        still: bool = False,
        paste: PasteConfig = PasteConfig(),
        threads: int = 2,
    ):
        """`threads`: output frames drawn at once (each by itself: the same frames as one at a time)."""
        self.phones, self.visemes, self.units_config, self.living_config = phones, visemes, units, living
        self.paste_config = paste
        self.seed, self.still = seed, still
        self.threads = max(1, int(threads))
        self.animator = MouthAnimator(animator)
        self.library = MouthLibrary(units)
        self.recognized = False
        self._shapes: np.ndarray | None = None
        self._jaw: np.ndarray | None = None
        self._silent: np.ndarray | None = None
        self._fps = 25.0
        self._plan: SelectionPlan | None = None
        self._life: LifeTrack | None = None
        self._backgrounds: list[Face | None] | None = None
        self._sources: np.ndarray | None = None
        """The source frame each output frame shows (-1: past the indexed stretch, not known before it is drawn)."""
        self._shot_starts: list[int] = [0]
        self._frame_shots: np.ndarray | None = None
        """The shot of each output frame, when the video has several."""
        self._look: np.ndarray | None = None
        """The last drawn frame's face_look, past the indexed stretch (where a cut is looked for as it is drawn)."""
        self._cut_past_index: int | None = None
        """The output frame, past the indexed stretch, where the video cut to a shot the library does not hold."""
        self._animated_in: Counter = Counter()
        """Frames drawn by the animator, by shot (None: past a cut beyond the indexed stretch)."""
        self.mode: str | None = None
        """"units" (the video's own mouths) or "living" (animated), once rendering has begun."""
        self.animated_frames = 0
        self.selected_frames = 0
        self._detail_of: tuple[np.ndarray | None, dict[tuple, float]] = (None, {})
        """(a source frame, the Laplacian variance of its regions met so far): a photo is measured once per box."""

    @property
    def index_seconds(self) -> float:
        """How much of a video is indexed before the first frame is rendered."""
        return self.units_config.index_seconds

    def observe(self, index: int, frame: np.ndarray, face: Face | None) -> None:
        """Index source frame `index` of a video (its tracked `face`, None when none was found)."""
        self.library.add(index, frame, face)

    def arrange(self, faces: list[Face | None], sources: list[int] | np.ndarray | None = None) -> None:
        """The face each output frame will show (from the indexed ones) and its source frame (-1: not indexed):
        mouths are chosen to fit its pose, from its own shot."""
        self._backgrounds = faces
        self._sources = None if sources is None else np.asarray(sources, dtype=np.int64)

    @property
    def components(self) -> tuple[Component, ...]:
        made = []
        if self.selected_frames or self.mode == "units":
            made.append(OWN_FRAMES)
        if self.animated_frames or self.mode in (None, "living"):
            made.append(ANIMATOR)
        if self.mode == "living":
            made.append(BLINKING if self.still else LIVING)
        if self.recognized:
            made.append(PHONE_RECOGNIZER)
        return tuple(made)

    @property
    def video_as_photo(self) -> bool:
        """Whether a video's face was animated as a photo's (it does not move): which of its frames show, and in what
        order, does not show in the clip."""
        return self.mode == "living" and self.library.seen > 0

    @property
    def notes(self) -> tuple[str, ...]:
        """What the result should say about how its mouths were made."""
        notes: tuple[str, ...] = ()
        total = self.animated_frames + self.selected_frames
        starts = self._shot_starts
        if self.mode == "units" and len(starts) > 1:
            times = ", ".join(f"{start / self._fps:.1f} s" for start in starts[1:6]) + (
                ", ..." if len(starts) > 6 else ""
            )
            cuts = f"a cut at {times}" if len(starts) == 2 else f"cuts at {times}"
            notes += (f"the video has {len(starts)} shots ({cuts}): each frame's mouth is taken from its own shot",)
        short = sum(count for shot, count in self._animated_in.items() if shot is not None)
        if self.mode == "units" and short:
            if len(starts) > 1:
                shots = sorted(shot for shot in self._animated_in if shot is not None)
                spans = ", ".join(self._shot_span(shot) for shot in shots)
                which = (
                    f"the video's shots at {spans} never show"
                    if len(shots) > 1
                    else f"the video's shot at {spans} never shows"
                )
            else:
                which = "the video never shows"
            notes += (
                f"{short} of {total} frames {'was' if short == 1 else 'were'} drawn by the animator: {which} a mouth "
                "that open (give a video where the person speaks, with the mouth opening wide at times)",
            )
        if self._cut_past_index is not None and self._animated_in[None]:
            notes += (
                f"the video cuts to another shot at {self._cut_past_index / self._fps:.1f} s, past the first "
                f"{self.index_seconds:g} s its mouths are taken from: the animator drew {self._animated_in[None]} of "
                f"{total} frames from there on",
            )
        if self.mode == "units" and self.still:
            notes += ("a still head is for photos: the head in this video moves as it was filmed",)
        if self.video_as_photo:
            motion = "blinks" if self.still else "blinks, head motion"
            notes += (f"the face in the video does not move: it was animated as a photo ({motion})",)
        return notes

    def _shot_span(self, shot: int) -> str:
        """Where a shot lies in the video, in seconds: "4.0-10.0 s"."""
        starts = self._shot_starts
        end = starts[shot + 1] if shot + 1 < len(starts) else self.library.seen_until
        return f"{starts[shot] / self._fps:.1f}-{end / self._fps:.1f} s"

    def prepare(self, audio: np.ndarray, fps: float, n_frames: int, timer: StageTimer) -> None:
        phones = self.phones
        if phones is None:
            from voice.recognition import recognize_phones

            with timer("phones"):
                phones = recognize_phones(audio)
            self.recognized = True
        self._fps = fps
        self._silent = silent_frames(audio, fps, n_frames)
        self._shapes = shape_track(phones, n_frames, fps, self._silent, self.visemes)
        self._jaw = jaw_track(self._shapes, self.animator.config.jaw_smoothing)

    def _decide(self) -> None:
        library = self.library
        openings = [u.opening for u in library.units]
        mouth_range = float(np.ptp(np.percentile(openings, [5, 95]))) if openings else 0.0
        frozen = library.largest_motion < FROZEN_MOTION and mouth_range < FROZEN_MOUTH
        moving = library.seen > 1 and len(library.units) > 1 and not frozen
        n = len(self._shapes)
        if moving:
            self.mode = "units"
            shots = None
            self._shot_starts = starts = library.shot_starts()
            if len(starts) > 1:
                sources = self._sources if self._sources is not None else np.arange(n)
                self._frame_shots = np.searchsorted(starts, sources[:n], side="right") - 1
                self._frame_shots[sources[:n] < 0] = len(starts) - 1  # past the indexed stretch: its last shot goes on
                unit_shots = np.searchsorted(starts, [unit.index for unit in library.units], side="right") - 1
                shots = (self._frame_shots, unit_shots)
            self._plan = plan_selection(library.units, self._shapes, self.units_config, self._backgrounds, shots)
        else:
            self.mode = "living"
            library.units.clear()  # a frozen video's crops are not needed
            speaking = ~self._silent[:n] if self._silent is not None else None
            self._life = life_track(n, self._fps, speaking, self.seed, self.living_config, self.still)

    def render(
        self, frames: list[np.ndarray], faces: list[Face | None], indices: range, timer: StageTimer, turns: CoreTurns
    ) -> list[np.ndarray]:
        if self.mode is None:
            self._decide()
        jobs = [(frame, face, i) for frame, face, i in zip(frames, faces, indices) if face is not None]
        for frame, face, i in jobs:
            if self.mode == "units":
                self._follow_shot(frame, face, i)
            if self._unit_of(i) is not None:
                self.selected_frames += 1
            else:
                self.animated_frames += 1
                if self.mode == "units":
                    past_cut = self._cut_past_index is not None and i >= self._cut_past_index
                    self._animated_in[None if past_cut else self._shot_of(i)] += 1
        with timer("generator"):
            # Each frame is drawn from its own inputs alone, mostly in NumPy and OpenCV (which release the
            # GIL): a few at once use every core, and draw exactly what one at a time would.
            if self.threads > 1 and len(jobs) > 1:
                with ThreadPoolExecutor(min(self.threads, len(jobs)), "voxlip-offline") as pool:
                    drawn = list(pool.map(lambda job: self._render_one(*job), jobs))
            else:
                drawn = [self._render_one(*job) for job in jobs]
        new = iter(drawn)
        return [frame if face is None else next(new) for frame, face in zip(frames, faces)]

    def _follow_shot(self, frame: np.ndarray, face: Face, i: int) -> None:
        """Past the indexed stretch (frames drawn in order), look for a cut to a shot the library does not hold."""
        source = -1 if self._sources is None or i >= len(self._sources) else int(self._sources[i])
        if source >= 0 or self._sources is None or self._cut_past_index is not None:
            return
        look = face_look(frame, face.landmarks)
        if self._look is None:  # the first frame past the indexed stretch follows its last one
            self._look = self.library.look(self.library.seen_until - 1)
        if self._look is not None and is_cut(self._look, look, self.units_config):
            self._cut_past_index = i
        self._look = look

    def _shot_of(self, i: int) -> int:
        return 0 if self._frame_shots is None or i >= len(self._frame_shots) else int(self._frame_shots[i])

    def _unit_of(self, i: int) -> int | None:
        """The library unit output frame `i` shows (None: the animator draws it)."""
        if self.mode != "units" or self._plan.chosen[i] < 0:
            return None
        if self._cut_past_index is not None and i >= self._cut_past_index:
            return None
        return int(self._plan.chosen[i])

    def _render_one(self, frame: np.ndarray, face: Face, i: int) -> np.ndarray:
        if self.mode == "units":
            chosen = self._unit_of(i)
            if chosen is not None:
                # A decoded frame is the renderer's to change; a replayed one (read-only) is copied.
                unit = self.library.units[chosen]
                return paste_unit(frame, face, unit, self.paste_config, in_place=frame.flags.writeable)
            return self.animator.render(frame, face.landmarks, self._shapes[i], jaw=float(self._jaw[i]))
        life = self._life
        source = frame
        closure = float(life.closure[i])
        if closure > 0.02:  # the eyes close where they are, before the head moves
            frame = blink(frame.copy(), face.landmarks, closure, self.living_config)
        head = None
        if not self.still:
            head = HeadMotion(float(life.roll[i]), tuple(float(v) for v in life.shift[i]), self.living_config.fade)
        out = self.animator.render(frame, face.landmarks, self._shapes[i], head, float(self._jaw[i]))
        # A painted mouth is no sharper than the picture's own: a smooth painting gets a soft mouth.
        lm = face.landmarks
        mouth = float(np.linalg.norm(lm[MOUTH_RIGHT] - lm[MOUTH_LEFT]))
        drop = float(self._shapes[i][0]) * self.animator.config.max_gap * mouth
        detail = self.paste_config.detail
        box = mouth_region(lm, frame.shape, detail.margin, extra_below=drop)
        return cap_detail(out, source, box, self.animator.config.detail_ceiling, detail, self._detail(source, box))

    def _detail(self, source: np.ndarray, box: tuple) -> float:
        """Laplacian variance of `source`'s region `box`, measured once while the same frame comes again."""
        frame, known = self._detail_of
        if frame is not source:
            self._detail_of = frame, known = source, {}
        if box not in known:
            x1, y1, x2, y2 = box
            known[box] = laplacian_variance(source[y1:y2, x1:x2])
        return known[box]
