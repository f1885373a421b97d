"""The offline lip-sync's realism: a video's own mouths (unit selection), a photo that lives (blinks, head motion)."""

from __future__ import annotations

import dataclasses
import os
import subprocess

import numpy as np
import pytest

from core.errors import VoxlipError
from core.ffmpeg import executable as ffmpeg_exe
from core.ffmpeg import probe, read_frames
from core.files import ArrayDigest
from lipsync.animator import ANIMATOR
from lipsync.engine import run
from lipsync.face import BLAZEFACE_AND_MESH, Face, FaceTracker
from lipsync.living import LivingConfig, blink, life_track
from lipsync.offline import BLINKING, LIVING, OWN_FRAMES
from lipsync.options import LipsyncOptions
from lipsync.renderer import make_renderer
from lipsync.unit_paste import paste_unit, similarity_transform, turned_landmarks
from lipsync.units import MouthUnit, UnitConfig, plan_selection
from lipsync.video import TRANSPARENT_NOTE, read_still
from pipeline.provenance.record import read_record
from voice.audio import SAMPLE_RATE, load_audio, save_audio

PHONES = [("SIL", 0.0, 0.3), ("B", 0.3, 0.4), ("AA", 0.4, 0.8), ("M", 0.8, 0.9), ("AA", 0.9, 1.3), ("SIL", 1.3, 1.6)]


def ffmpeg(*args: str) -> None:
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


@pytest.fixture(scope="module")
def audio(speech_files) -> np.ndarray:
    """1.6 s of real speech at 16 kHz."""
    wav = load_audio(speech_files[0])
    start = int(np.argmax(np.abs(wav) > 0.1 * np.abs(wav).max()))
    return wav[start : start + int(1.6 * SAMPLE_RATE)]


def test_life_track_blinks_every_few_seconds_and_is_seeded():
    fps, seconds = 25.0, 60.0
    track = life_track(int(fps * seconds), fps, None, seed=3)
    shut = track.closure > 0.6
    starts = np.flatnonzero(shut[1:] & ~shut[:-1]) + 1
    gaps = np.diff(starts) / fps
    assert 10 <= len(starts) <= 30, len(starts)  # every 2-6 s
    assert gaps.min() >= 2.0 and gaps.max() <= 6.4, gaps
    lengths = [np.sum(track.closure[s - 3 : s + 10] > 0.05) / fps for s in starts]
    assert 0.04 <= min(lengths) and max(lengths) <= 0.32, lengths
    again = life_track(int(fps * seconds), fps, None, seed=3)
    assert np.array_equal(track.closure, again.closure) and np.array_equal(track.roll, again.roll)
    assert not np.array_equal(track.roll, life_track(int(fps * seconds), fps, None, seed=4).roll)
    assert 0.5 <= track.roll.std() <= 3.0
    assert np.abs(np.diff(track.roll)).max() < 0.2  # smooth: under 0.2 degrees a frame


@pytest.mark.parametrize("seed", range(20))
def test_the_first_blink_comes_within_the_shortest_interval(seed):
    """A clip as short as the shortest gap between blinks (plus the 0.6 s before the first) blinks whatever the
    seed: the first blink starts in that time, not as late as the longest gap."""
    fps, config = 25.0, LivingConfig()
    latest = config.blink_interval[0] + 0.6
    seconds = latest + config.blink_duration[1] + 0.1
    track = life_track(int(fps * seconds), fps, None, seed=seed)
    first = (np.flatnonzero(track.closure > 0)[0] + 0.5) / fps  # the first frame the lids move in
    assert 0.6 < first <= latest + 1 / fps, first
    assert track.closure.max() > 0.9


def test_head_moves_more_while_speaking_and_not_at_all_when_still():
    n, fps = 1500, 25.0
    speaking = np.zeros(n, dtype=bool)
    speaking[n // 2 :] = True
    config = LivingConfig(sway_hz=(0.3, 0.5))
    track = life_track(n, fps, speaking, seed=1, config=config)
    assert track.roll[n // 2 + 50 :].std() > 1.2 * track.roll[: n // 2 - 50].std()
    still = life_track(n, fps, speaking, seed=1, still=True)
    assert not still.roll.any() and not still.shift.any() and still.closure.max() > 0.9  # blinks stay


@pytest.fixture(scope="module")
def man_frames(faces_dir) -> tuple[list[np.ndarray], list[Face]]:
    frames = list(read_frames(faces_dir / "talking_man_25fps.mp4", 25.0, max_frames=60))
    with FaceTracker() as tracker:
        faces = [tracker.track(frame) for frame in frames]
    return frames, faces


def test_blink_closes_the_eyes(man_frames):
    frames, faces = man_frames
    frame, face = frames[0], faces[0]
    closed = blink(frame.copy(), face.landmarks, 1.0)
    lids = []
    for image in (frame, closed):
        with FaceTracker() as tracker:  # a fresh one each: no smoothing from one image to the other
            lids.append(tracker.track(image).landmarks)
    before, after = lids
    lid = [np.linalg.norm(lm[159] - lm[145]) + np.linalg.norm(lm[386] - lm[374]) for lm in (before, after)]
    assert lid[1] < 0.6 * lid[0], lid
    assert np.array_equal(blink(frame.copy(), face.landmarks, 0.0), frame)
    # The lids slide over the eye: the brows, the nose and everything but the eyes' surroundings stay put.
    changed = np.abs(closed.astype(int) - frame.astype(int)).max(-1) > 0
    lm = face.landmarks
    brows = [70, 63, 105, 66, 107, 300, 293, 334, 296, 336]
    assert not changed[lm[brows, 1].round().astype(int), lm[brows, 0].round().astype(int)].any()
    eyes = lm[[33, 133, 159, 145, 263, 362, 386, 374]]
    ys, xs = np.nonzero(changed)
    eye_width = float(np.linalg.norm(lm[133] - lm[33]))
    assert ys.min() > eyes[:, 1].min() - eye_width and ys.max() < eyes[:, 1].max() + eye_width
    # Half shut, the lids cover the top and bottom of each eye; its middle is the eye itself, unmoved.
    half = blink(frame.copy(), lm, 0.5)
    for upper, lower in ((159, 145), (386, 374)):
        x = int(round(lm[upper, 0]))
        top, bottom = lm[upper, 1], lm[lower, 1]
        middle = int(round(top + 0.6 * (bottom - top)))
        assert np.array_equal(half[middle, x], frame[middle, x])


def _unit(index: int, opening: float, width: float = 0.4) -> MouthUnit:
    return MouthUnit(
        index,
        np.zeros((2, 2, 3), np.uint8),
        np.zeros(2),
        np.zeros((478, 2), np.float32),
        opening,
        width,
        np.full((10, 2), opening, np.float32),
    )


def test_selection_fits_the_target_prefers_runs_and_falls_back_when_missing():
    units = [_unit(i, o) for i, o in enumerate([0.0, 0.01, 0.02, 0.1, 0.2, 0.3, 0.31, 0.3, 0.02, 0.0])]
    shapes = np.zeros((12, 3), np.float32)
    shapes[4:8, 0] = 1.0  # wide open in the middle
    plan = plan_selection(units, shapes)
    openings = np.array([units[j].opening for j in plan.chosen])
    assert openings[4:8].min() >= 0.2 and openings[:3].max() <= 0.02 and openings[-3:].max() <= 0.02
    assert not plan.fallback.any()
    steps = np.diff(plan.chosen[4:8])
    assert np.all(np.abs(steps) <= 1)  # consecutive or held source frames, no jumping about
    closed_only = [_unit(i, 0.01) for i in range(10)]
    plan = plan_selection(closed_only, shapes)
    assert plan.fallback[4:8].all() and not plan.fallback[:4].any()
    assert plan_selection([], shapes).fallback.all()


def test_selection_plays_frames_forward_or_backward_but_does_not_flutter_between_two():
    units = [_unit(i, o) for i, o in enumerate([0.3, 0.3, 0.0, 0.0, 0.3, 0.3, 0.01, 0.02, 0.03, 0.04])]
    shapes = np.zeros((12, 3), np.float32)  # silence: only source frames 2 and 3 are shut
    chosen = plan_selection(units, shapes).chosen
    assert set(chosen) <= {2, 3}
    assert not ((chosen[2:] == chosen[:-2]) & (chosen[1:-1] != chosen[2:])).any(), chosen  # never 2, 3, 2
    shapes[:4, 0] = np.array([0.04, 0.03, 0.02, 0.01]) / 0.3  # closing: source frames 9 .. 6, played backward
    assert np.array_equal(plan_selection(units, shapes).chosen[:4], [9, 8, 7, 6])


def test_selection_finds_the_head_pose_even_outside_the_best_mouths():
    rng = np.random.default_rng(0)
    frontal = rng.uniform(0, 100, (478, 2)).astype(np.float32)
    tilted = frontal.copy()
    tilted[:, 1] *= 0.8  # squashed vertically: a head tilted back, which no similarity transform undoes
    # Many frontal frames with the mouth that fits best, one tilted frame whose mouth fits a little less.
    units = [dataclasses.replace(_unit(i, 0.0), landmarks=frontal) for i in range(2 * UnitConfig().candidates)]
    units.append(dataclasses.replace(_unit(len(units), 0.01), landmarks=tilted))
    shapes = np.zeros((3, 3), np.float32)
    plan = plan_selection(units, shapes, backgrounds=[Face(tilted)] * 3)
    assert (plan.chosen == len(units) - 1).all()
    assert (plan_selection(units, shapes, backgrounds=[Face(frontal)] * 3).chosen < len(units) - 1).all()


def test_similarity_recovers_a_rotation_scale_and_shift():
    rng = np.random.default_rng(0)
    points = rng.uniform(0, 100, (12, 2))
    angle, scale, shift = 0.1, 1.2, np.array([5.0, -3.0])
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    transform = similarity_transform(points, points @ rotation.T + shift)
    assert np.allclose(transform[:, :2], rotation) and np.allclose(transform[:, 2], shift)


def test_a_unit_is_turned_to_the_frames_head_pose_in_3d(man_frames):
    from lipsync.units import STABLE_POINTS, MouthLibrary

    frames, faces = man_frames
    face = faces[5]
    assert face.depth is not None and face.depth.shape == (478,)
    library = MouthLibrary(UnitConfig())
    library.add(5, frames[5], face)
    unit = library.units[0]
    # The same face thrown back by 15 degrees (about the horizontal axis), made smaller and moved.
    angle = np.radians(15)
    pitch = np.array([[1, 0, 0], [0, np.cos(angle), -np.sin(angle)], [0, np.sin(angle), np.cos(angle)]])
    thrown = 0.9 * face.points_3d.astype(np.float64) @ pitch.T + (12.0, -7.0, 3.0)
    turned = Face(thrown[:, :2].astype(np.float32), depth=thrown[:, 2].astype(np.float32))
    assert np.abs(turned_landmarks(turned, unit) - thrown[:, :2]).max() < 0.01
    flat = similarity_transform(unit.landmarks[list(STABLE_POINTS)], thrown[list(STABLE_POINTS), :2])
    assert np.abs(unit.landmarks @ flat[:, :2].T + flat[:, 2] - thrown[:, :2]).max() > 3  # what 2-D alignment missed
    assert turned_landmarks(Face(face.landmarks), unit) is None  # no depth, no turn: the similarity as before


def test_own_frame_pasted_onto_itself_changes_nothing_and_another_blends_in(man_frames):
    from lipsync.units import MouthLibrary

    frames, faces = man_frames
    library = MouthLibrary(UnitConfig())
    for i, (frame, face) in enumerate(zip(frames, faces)):
        library.add(i, frame, face)
    assert len(library.units) == len(frames) and library.largest_motion > 0.01
    same = paste_unit(frames[5], faces[5], library.units[5])
    assert np.abs(same.astype(int) - frames[5].astype(int)).max() <= 2
    other = paste_unit(frames[5], faces[5], library.units[40])
    changed = np.abs(other.astype(int) - frames[5].astype(int)).sum(-1) > 12
    ys, xs = np.nonzero(changed)
    x1, y1, x2, y2 = faces[5].box
    assert changed.any() and ys.min() > (y1 + y2) / 2 - 0.1 * (y2 - y1)  # only below the middle of the face
    assert xs.min() >= x1 - 10 and xs.max() <= x2 + 10


def test_mouth_library_is_the_same_whatever_order_its_frames_come_in(man_frames):
    from lipsync.units import MouthLibrary

    frames, faces = man_frames
    config = UnitConfig(library_bytes=20 * frames[0][100:220, 100:220].nbytes)  # about 20 crops: thinned
    in_order, shuffled = MouthLibrary(config), MouthLibrary(config)
    for i in range(len(frames)):
        in_order.add(i, frames[i], faces[i])
    for i in np.random.default_rng(0).permutation(len(frames)):
        shuffled.add(int(i), frames[i], faces[i])
    assert in_order.stride == shuffled.stride > 1
    assert [u.index for u in shuffled.units] == [u.index for u in in_order.units]
    assert shuffled.seen == in_order.seen == len(frames)
    assert shuffled.largest_motion == in_order.largest_motion > 0.01


def test_frames_read_after_a_skip_are_the_frames_read_from_the_start(faces_dir):
    path = faces_dir / "talking_woman_30fps.mp4"  # resampled to 25 fps, as a 30 fps video is for a 25 fps output
    whole = list(read_frames(path, 25.0, max_frames=40))
    later = list(read_frames(path, 25.0, max_frames=10, skip=30))
    assert len(later) == 10 and all(np.array_equal(a, b) for a, b in zip(later, whole[30:]))


def test_a_video_indexed_in_two_stretches_at_once_has_the_faces_one_tracker_finds(faces_dir):
    from lipsync.background import StageTimer
    from lipsync.engine import index_parts, index_source
    from lipsync.video import FrameSource, open_face

    n = 150
    assert index_parts(n, 12, 2) == [(0, 0, 81), (69, 81, 150)]  # equal work: 81 frames each, 12 to warm up
    assert index_parts(40, 12, 2) == [(0, 0, 40)]  # too short to split
    assert index_parts(300, 12, 2, expected=150) == [(0, 0, 81), (69, 81, 300)]  # a shorter video: to its end
    found = {}
    for threads in (1, 2):
        options = dataclasses.replace(LipsyncOptions(), index_threads=threads, index_warm_up_seconds=0.5)
        observed = []
        with FrameSource(open_face(faces_dir / "talking_man_25fps.mp4", 1920), 25.0, n) as source:
            found[threads] = index_source(
                source, n, options, 25.0, StageTimer(), None, lambda i, frame, face: observed.append(i)
            )
        assert sorted(observed) == sorted(found[threads]) == list(range(n))
    for i in range(n):
        one, two = found[1][i], found[2][i]
        assert one is not None and two is not None
        assert np.abs(one.landmarks - two.landmarks).max() < 1e-3 * one.size


def test_a_run_left_while_a_video_is_indexed_stops_the_indexing(faces_dir, tmp_path, monkeypatch):
    """A Ctrl-C or an error while a video's mouths were indexed had waited, leaving, for the indexing of up to 20 s of
    video to end (5-10 s): the indexing now ends after the frame each of its trackers is on."""
    import threading

    from lipsync import engine

    stops: list[threading.Event | None] = []
    started = threading.Event()

    def index_source(*args, **kwargs):
        stops.append(kwargs.get("stop"))
        return real_index_source(*args, **kwargs)

    real_index_source = engine.index_source
    monkeypatch.setattr(engine, "index_source", index_source)

    class Refusing:
        """A renderer that indexes the video's mouths and fails while they are indexed, once a frame was seen."""

        index_seconds = 20.0

        def __init__(self) -> None:
            self.seen: list[int] = []

        def observe(self, index, frame, face) -> None:
            self.seen.append(index)
            started.set()
            if stops[0] is not None:
                stops[0].wait(60)  # the first frame seen is the one the indexing is on when the run leaves

        def prepare(self, audio, fps, n_frames, timer) -> None:
            started.wait(60)
            raise VoxlipError("the renderer gave up")

    n, refusing = 250, Refusing()
    with pytest.raises(VoxlipError, match="the renderer gave up"):
        run(
            faces_dir / "talking_man_25fps.mp4",
            np.zeros(n * SAMPLE_RATE // 25, np.float32),
            tmp_path / "out.mp4",
            refusing,
            LipsyncOptions(),
            source_sr=SAMPLE_RATE,
        )
    assert 1 <= len(refusing.seen) <= 1 + LipsyncOptions().index_threads  # each tracker ends after its frame
    assert stops[0] is not None and stops[0].is_set()
    assert not list(tmp_path.iterdir())


def test_mediapipe_start_up_output_is_hidden_only_while_a_graph_starts(faces_dir, capfd):
    """MediaPipe prints from its own threads while a graph opens its models, and in its first calls: hidden from the
    graph's creation (made at its first call) through that call and the next, and not between calls, since fd 2 is the
    whole process's (a tracker had silenced it from its creation, while its video started decoding, to its third
    frame)."""
    import cv2

    frame = cv2.imread(str(faces_dir / "painting_mona_lisa.jpg"))
    fd2 = os.readlink("/proc/self/fd/2")
    with FaceTracker() as tracker:
        assert os.readlink("/proc/self/fd/2") == fd2
        for _ in range(4):
            assert tracker.track(frame) is not None
            assert os.readlink("/proc/self/fd/2") == fd2
    assert capfd.readouterr().err == ""


def test_a_photo_with_its_mouth_open_shuts_it_and_opens_it_onto_its_own_teeth(faces_dir):
    import cv2

    from lipsync.animator import AnimatorConfig, MouthAnimator, mouth_geometry
    from lipsync.face import LIPS_LOWER_INNER, LIPS_UPPER_INNER, mouth_opening

    frames = list(read_frames(faces_dir / "talking_woman_30fps.mp4", 25.0))
    with FaceTracker() as tracker:
        faces = [tracker.track(frame) for frame in frames]
    widest = max(range(len(frames)), key=lambda i: mouth_opening(faces[i].landmarks) if faces[i] else 0.0)
    photo, lm = frames[widest], faces[widest].landmarks
    assert mouth_opening(lm) > 0.5  # wide open, teeth and tongue showing
    shut = MouthAnimator().render(photo, lm, np.zeros(3))
    with FaceTracker() as tracker:
        assert mouth_opening(tracker.track(shut).landmarks) < 0.06
    opened = MouthAnimator().render(photo, lm, np.array([1.0, 0.0, 0.0]))
    painted = MouthAnimator(AnimatorConfig(own_mouth_shares=(10.0, 11.0))).render(photo, lm, np.array([1.0, 0, 0]))
    moved = MouthAnimator()._target_points(lm, mouth_geometry(lm), np.array([1.0, 0.0, 0.0]))

    def inside(image, points):  # mean colour between the inner lips
        mask = np.zeros(image.shape[:2], np.uint8)
        ring = np.vstack([points[list(LIPS_UPPER_INNER)], points[list(LIPS_LOWER_INNER)][::-1]])
        cv2.fillPoly(mask, [np.round(ring).astype(np.int32)], 1)
        return image[mask > 0].mean(0)

    own, shown, drawn = inside(photo, lm), inside(opened, moved), inside(painted, moved)
    assert np.abs(shown - own).max() < 15 < np.abs(drawn - own).max()


def test_video_speaks_with_its_own_mouths(faces_dir, audio, tmp_path):
    options = LipsyncOptions()
    renderer = make_renderer(options, phones=PHONES)
    result = run(
        faces_dir / "talking_man_25fps.mp4", audio, tmp_path / "out.mp4", renderer, options, source_sr=SAMPLE_RATE
    )
    assert renderer.mode == "units"
    assert result.components[:2] == (BLAZEFACE_AND_MESH, OWN_FRAMES)
    assert renderer.selected_frames + renderer.animated_frames == result.frames
    assert renderer.selected_frames > 0.8 * result.frames


def test_video_that_never_opens_its_mouth_falls_back_to_the_animator_and_says_so(faces_dir, audio, tmp_path):
    options = LipsyncOptions()
    frames = list(read_frames(faces_dir / "talking_man_25fps.mp4", 25.0))
    with FaceTracker() as tracker:
        from lipsync.face import mouth_opening

        openings = [mouth_opening(tracker.track(f).landmarks) for f in frames]
    closed = [f for f, o in zip(frames, openings) if o < 0.05]
    assert len(closed) >= 10
    clip = tmp_path / "closed.mp4"
    from core.ffmpeg import Mp4Writer

    with Mp4Writer(clip, closed[0].shape[1], closed[0].shape[0], 25.0) as writer:
        for frame in closed[:30]:
            writer.write(frame)
        writer.close()
    renderer = make_renderer(options, phones=PHONES)
    result = run(clip, audio, tmp_path / "out.mp4", renderer, options, source_sr=SAMPLE_RATE)
    assert renderer.mode == "units" and renderer.animated_frames > 0
    assert ANIMATOR in result.components and OWN_FRAMES in result.components
    assert any("drawn by the animator" in note for note in result.notes), result.notes


def test_frozen_video_is_animated_as_a_photo(faces_dir, audio, tmp_path):
    frozen = tmp_path / "frozen.mp4"
    photo = faces_dir / "painting_mona_lisa.jpg"
    ffmpeg(
        "-loop",
        "1",
        "-i",
        str(photo),
        "-t",
        "1",
        "-r",
        "25",
        "-vf",
        "scale=360:640",
        "-pix_fmt",
        "yuv420p",
        str(frozen),
    )
    options = LipsyncOptions()
    renderer = make_renderer(options, phones=PHONES)
    result = run(frozen, audio, tmp_path / "out.mp4", renderer, options, source_sr=SAMPLE_RATE)
    assert renderer.mode == "living"
    assert LIVING in result.components
    assert any("does not move" in note for note in result.notes)


def test_photo_lives_and_still_keeps_the_head_still(faces_dir, audio, tmp_path):
    photo = faces_dir / "painting_mona_lisa.jpg"
    outputs = {}
    for still in (False, True):
        options = LipsyncOptions(still=still, seed=5)
        renderer = make_renderer(options, phones=PHONES)
        result = run(photo, audio, tmp_path / f"out_{still}.mp4", renderer, options, source_sr=SAMPLE_RATE)
        assert result.components == (BLAZEFACE_AND_MESH, ANIMATOR, BLINKING if still else LIVING)
        outputs[still] = list(read_frames(result.path, 25.0))
    source = read_still(photo)
    with FaceTracker() as tracker:
        face = tracker.track(source)
    x1, y1, x2, y2 = (int(v) for v in face.box)
    forehead = (slice(y1, y1 + (y2 - y1) // 5), slice(x1 + (x2 - x1) // 4, x2 - (x2 - x1) // 4))

    def motion(frames):
        return max(np.abs(f[forehead].astype(int) - frames[0][forehead].astype(int)).mean() for f in frames)

    assert motion(outputs[True]) < 1.5  # only re-encoding noise above the eyes
    assert motion(outputs[False]) > 2 * motion(outputs[True])


def test_still_and_seed_flags_reach_the_options():
    from pipeline.cli import _lipsync_settings, build_parser

    args = build_parser().parse_args(
        ["lipsync", "--face", "f.jpg", "--audio", "a.wav", "-o", "o.mp4", "--still", "--seed", "7"]
    )
    options = _lipsync_settings(args)["lipsync_options"]
    assert options.still and options.seed == 7
    args = build_parser().parse_args(["lipsync", "--face", "f.jpg", "--audio", "a.wav", "-o", "o.mp4"])
    options = _lipsync_settings(args)["lipsync_options"]
    assert not options.still and options.seed == 0


def test_moviepy_clips_in_and_out(faces_dir, speech_files, tmp_path):
    moviepy = pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    from pipeline import Pipeline

    pipeline = Pipeline("cpu", lipsync="offline")
    face = moviepy.VideoFileClip(str(faces_dir / "talking_man_25fps.mp4")).subclipped(0, 1.0)
    voice = moviepy.AudioFileClip(str(speech_files[0])).subclipped(0, 1.2)
    try:
        clip = pipeline.lipsync(face, voice, consent=True)
        assert clip.frames == 30 and clip.inputs.keys() == set()  # the clips were in memory: no input file
        record = read_record(clip.save(tmp_path / "from_clips.mp4"))["inputs"]  # they had been left out of it
        frames = ArrayDigest()
        for i in range(25):  # the 1 s clip's frames, all used (the speech is longer)
            frames.update(face.get_frame(i / 25))
        assert record["face"] == {
            "given": "moviepy VideoFileClip in memory, 480x480, 25 frames at 25 fps",
            "sha256": frames.hexdigest(),
        }
        assert record["audio"]["given"] == f"moviepy AudioFileClip in memory, {voice.fps} Hz, 2 channels, 1.2 s"
        out = clip.to_moviepy()
        assert out.audio is not None and abs(out.duration - 1.2) < 0.1
        assert out.get_frame(0.5).shape == (480, 480, 3)
        clip.close()  # moviepy had read its removed MP4 as its last frame again, warning only
        after = (  # its audio had been None: a bare AttributeError for out.audio.to_soundarray()
            lambda: out.get_frame(0.5),
            lambda: out.write_videofile(str(tmp_path / "after.mp4")),
            lambda: out.audio.to_soundarray(),
            lambda: out.audio.get_frame(0.5),
        )
        for read in after:
            with pytest.raises(VoxlipError, match="read a voxlip Clip that was closed"):
                read()
        assert not [name for name in os.listdir() if "TEMP_MPY" in name]  # no sound file written by write_videofile
        out.close()
        photo = moviepy.ImageClip(str(faces_dir / "painting_mona_lisa.jpg"))
        assert pipeline.lipsync(photo, voice, consent=True).frames == 30
        cut_out = np.dstack([photo.get_frame(0), np.full(photo.get_frame(0).shape[:2], 255, np.uint8)])
        cut_out[:, :40] = (0, 0, 0, 0)  # a transparent strip, black under it
        masked = moviepy.ImageClip(cut_out)  # its mask from the alpha channel
        made = pipeline.lipsync(masked, voice, consent=True)
        assert masked.mask is not None and TRANSPARENT_NOTE in made.notes
        assert next(read_frames(made.path))[:, 4:32].mean() > 250  # white, not the black it hides
        short = save_audio(tmp_path / "short.wav", load_audio(speech_files[0])[: int(0.9 * SAMPLE_RATE)], SAMPLE_RATE)
        under_a_second = moviepy.AudioFileClip(str(short))  # read whole at once, moviepy 2.1 fails on it
        try:
            assert abs(pipeline.lipsync(photo, under_a_second, consent=True).duration - 0.9) < 0.05
        finally:
            under_a_second.close()
    finally:
        face.close()
        voice.close()


def test_a_mono_moviepy_audio_clip_is_recorded_and_sounded_as_one_channel(faces_dir, speech_files):
    """moviepy gives a mono AudioArrayClip's samples as two columns: it had been recorded as "2 channels", with the
    same sha256 as a stereo clip of the same samples, and its soundtrack made stereo."""
    moviepy = pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    from pipeline import Pipeline

    pipeline = Pipeline("cpu", lipsync="offline")
    speech = load_audio(speech_files[0])[: int(1.2 * SAMPLE_RATE)]
    made = {
        name: pipeline.lipsync(
            faces_dir / "painting_mona_lisa.jpg", moviepy.AudioArrayClip(samples, fps=SAMPLE_RATE), consent=True
        )
        for name, samples in (("mono", speech[:, None]), ("stereo", np.stack([speech, speech], axis=1)))
    }
    mono, stereo = made["mono"].given["audio"], made["stereo"].given["audio"]
    assert mono.what == f"moviepy AudioArrayClip in memory, {SAMPLE_RATE} Hz, 1.2 s"
    assert stereo.what == f"moviepy AudioArrayClip in memory, {SAMPLE_RATE} Hz, 2 channels, 1.2 s"
    assert mono.sha256 != stereo.sha256
    assert probe(made["mono"].path).audio_channels == 1 and probe(made["stereo"].path).audio_channels == 2


def test_a_moviepy_clip_without_a_face_is_named_as_the_clip_not_as_its_temporary_file(speech_files):
    moviepy = pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    from core.errors import InputError
    from pipeline import Pipeline

    colour = moviepy.ColorClip((320, 240), color=(200, 50, 50), duration=1)
    with pytest.raises(InputError, match="^no face found in the moviepy clip: give a photo or video") as raised:
        Pipeline("cpu", lipsync="offline").lipsync(colour, speech_files[0], consent=True)
    assert "voxlip-face" not in str(raised.value)


def test_a_closed_moviepy_clip_is_refused_with_a_message_and_leaves_no_file(
    faces_dir, speech_files, tmp_path, monkeypatch
):
    moviepy = pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    import tempfile

    from core.errors import InputError
    from pipeline import Pipeline

    pipeline = Pipeline("cpu", lipsync="offline")
    with moviepy.VideoFileClip(str(faces_dir / "talking_man_25fps.mp4")) as face:
        pass
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(InputError, match=r"^the moviepy clip could not be read \(was it closed\?\)") as raised:
        pipeline.lipsync(face, speech_files[0], consent=True)
    assert isinstance(raised.value.__cause__, AttributeError)  # moviepy's own error, kept
    assert list(tmp_path.iterdir()) == []
    with moviepy.AudioFileClip(str(speech_files[0])) as speech:
        pass
    with pytest.raises(InputError, match=r"^the moviepy audio clip could not be read \(was it closed\?\)"):
        pipeline.lipsync(faces_dir / "talking_man_25fps.mp4", speech, consent=True)


def test_a_moviepy_clip_is_written_only_as_far_as_the_speech_lasts_and_at_the_lipsyncs_size(
    faces_dir, speech_files, monkeypatch
):
    moviepy = pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    import pipeline.api
    from core.ffmpeg import probe
    from pipeline import Pipeline

    written = []  # (width, height, frames) of each face file the lip-sync is given
    check_face = pipeline.api.check_face

    def counting(face, *args):
        info = probe(face)
        written.append((info.width, info.height, sum(1 for _ in read_frames(face))))
        return check_face(face, *args)

    monkeypatch.setattr(pipeline.api, "check_face", counting)
    smaller = Pipeline("cpu", lipsync="offline", lipsync_options=LipsyncOptions(max_size=240))
    face = moviepy.VideoFileClip(str(faces_dir / "talking_man_25fps.mp4"))  # 7 s at 480x480
    voice = moviepy.AudioFileClip(str(speech_files[0])).subclipped(0, 1.2)
    try:
        clip = smaller.lipsync(face, voice, consent=True)
        assert written.pop() == (240, 240, 56)  # 1.2 s and a second more (+1 frame), not 7 s at 480x480
        assert clip.frames == 30 and (probe(clip.path).width, probe(clip.path).height) == (240, 240)
        assert "the face input is 480x480: its frames were scaled to 240x240 (at most 240 pixels" in " ".join(
            clip.notes
        )
        assert smaller.lipsync(face.subclipped(0, 1.0), voice, consent=True).frames == 30
        assert written.pop() == (240, 240, 25)  # a shorter clip whole: it is played forward, then backward
    finally:
        face.close()
        voice.close()


def test_a_moviepy_video_clip_as_the_speech_is_refused_naming_the_audio_clip_taken(faces_dir):
    moviepy = pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    from core.errors import InputError
    from pipeline import Pipeline

    with moviepy.VideoFileClip(str(faces_dir / "talking_man_25fps.mp4")) as video:
        with pytest.raises(InputError, match=r"or a moviepy AudioClip \(e.g. clip.audio\), not VideoFileClip$"):
            Pipeline("cpu", lipsync="offline").lipsync(faces_dir / "painting_mona_lisa.jpg", video, consent=True)


def test_a_moviepy_clip_with_transparent_parts_says_they_are_white_as_a_photo_does(faces_dir, speech_files):
    moviepy = pytest.importorskip("moviepy", reason="moviepy is an optional extra: pip install 'voxlip[moviepy]'")
    from pipeline import Pipeline

    pipeline = Pipeline("cpu", lipsync="offline")
    picture = moviepy.ImageClip(str(faces_dir / "painting_mona_lisa.jpg")).get_frame(0)
    cut_out = np.dstack([picture, np.full(picture.shape[:2], 255, np.uint8)])
    cut_out[:, :40] = (0, 0, 0, 0)  # a transparent strip, black under it
    voice = moviepy.AudioFileClip(str(speech_files[0])).subclipped(0, 1.2)
    try:
        for masked in (moviepy.ImageClip(cut_out), moviepy.ImageClip(cut_out).with_duration(1)):  # a photo, a video
            made = pipeline.lipsync(masked, voice, consent=True)
            assert made.notes.count(TRANSPARENT_NOTE) == 1
            assert next(read_frames(made.path))[:, 4:32].mean() > 250  # white, not the black it hides
        opaque = moviepy.CompositeVideoClip([moviepy.ImageClip(picture).with_duration(1)])  # a mask, all opaque
        assert opaque.mask is not None and TRANSPARENT_NOTE not in pipeline.lipsync(opaque, voice, consent=True).notes
    finally:
        voice.close()


def test_long_video_is_indexed_only_at_its_start_and_the_rest_is_tracked(faces_dir, audio, tmp_path):
    from dataclasses import replace

    options = LipsyncOptions()
    options = replace(options, units=replace(options.units, index_seconds=0.5))
    renderer = make_renderer(options, phones=PHONES)
    result = run(
        faces_dir / "talking_man_25fps.mp4", audio, tmp_path / "out.mp4", renderer, options, source_sr=SAMPLE_RATE
    )
    assert renderer.library.seen <= 13 and result.frames == 40 and result.frames_without_face == 0
    assert renderer.mode == "units" and renderer.selected_frames + renderer.animated_frames == 40
    assert not any("still head" in note for note in result.notes)
    options = replace(options, still=True)  # asked of a moving video: said to be for photos
    renderer = make_renderer(options, phones=PHONES)
    result = run(
        faces_dir / "talking_man_25fps.mp4", audio, tmp_path / "still.mp4", renderer, options, source_sr=SAMPLE_RATE
    )
    assert any("a still head is for photos" in note for note in result.notes)


def test_output_order_is_the_order_frames_are_shown(faces_dir, tmp_path):
    from lipsync.video import FrameSource, open_face

    short = tmp_path / "short.mp4"
    ffmpeg("-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "0.4", "-an", str(short))
    for loop in ("pingpong", "loop"):
        with FrameSource(open_face(short, 1920), 25.0, 30, loop) as source:
            shown = [i for i, _ in source]
            assert list(source.output_order(30, max(shown) + 1)) == shown, loop


def test_unsharp_gain_reaches_the_detail_asked_for_and_cap_only_softens():
    from lipsync.detail import cap_detail, laplacian_variance, unsharp, unsharp_gain

    rng = np.random.default_rng(0)
    import cv2

    image = cv2.GaussianBlur(rng.uniform(0, 255, (64, 64, 3)).astype(np.float32), (0, 0), 1.5)
    own = laplacian_variance(image)
    for wanted in (0.6 * own, 1.5 * own):
        gain = unsharp_gain(image, wanted)
        assert abs(laplacian_variance(unsharp(image, gain, 1.0)) / wanted - 1) < 0.02, (gain, wanted)
    assert unsharp_gain(image, own) == pytest.approx(0.0, abs=1e-3)
    sharp = np.clip(unsharp(image, 1.5, 1.0), 0, 255).astype(np.uint8)
    smooth = np.clip(image, 0, 255).astype(np.uint8)
    box = (0, 0, 64, 64)
    assert np.array_equal(cap_detail(smooth, sharp, box, 1.2), smooth)  # already softer than the reference
    capped = cap_detail(sharp, smooth, box, 1.2)
    assert laplacian_variance(capped[24:40, 24:40]) < 0.7 * laplacian_variance(sharp[24:40, 24:40])
    known = laplacian_variance(smooth)
    assert np.array_equal(cap_detail(sharp, smooth, box, 1.2, reference_detail=known), capped)
    assert laplacian_variance(image) == float(cv2.Laplacian(image.mean(-1), cv2.CV_32F).var())  # channels' mean


def test_silence_holds_a_shut_mouth_and_sharp_frames_are_preferred():
    openings = [0.0, 0.045, 0.05, 0.055, 0.05, 0.045, 0.3, 0.31, 0.3]
    units = [_unit(i, o) for i, o in enumerate(openings)]
    shapes = np.zeros((8, 3), np.float32)  # silence throughout
    plan = plan_selection(units, shapes)
    assert (plan.chosen == 0).all(), plan.chosen  # the shut mouth held, not the nearly shut run
    twins = [_unit(0, 0.3), _unit(1, 0.3), _unit(2, 0.0), _unit(3, 0.0)]
    twins[0].detail, twins[1].detail, twins[2].detail, twins[3].detail = 10.0, 40.0, 40.0, 40.0
    shapes = np.zeros((3, 3), np.float32)
    shapes[:, 0] = 1.0
    plan = plan_selection(twins, shapes, UnitConfig(jump_cost=0.0, hold_cost=0.0))
    assert (plan.chosen == 1).all(), plan.chosen  # the motion-blurred twin is passed over


def test_silence_is_shut_by_a_person_who_rarely_shuts_the_mouth():
    # Shut in 2 of 100 frames, both a little blurred; otherwise lips parted (teeth showing) or speaking.
    openings = [0.003, 0.004] + [0.09] * 8 + list(np.linspace(0.12, 0.5, 90))
    units = [_unit(i, o) for i, o in enumerate(openings)]
    for unit in units:
        unit.detail = 20.0 if unit.opening < 0.01 else 60.0
    plan = plan_selection(units, np.zeros((6, 3), np.float32))  # silence
    chosen = np.array([units[j].opening for j in plan.chosen])
    assert chosen.max() < 0.01, chosen  # not the sharp parted lips the 3rd percentile had taken for shut


def test_pasted_mouth_takes_the_frames_light(man_frames):
    from dataclasses import replace

    from lipsync.units import MouthLibrary

    frames, faces = man_frames
    library = MouthLibrary(UnitConfig())
    for i in (5, 40):
        library.add(i, frames[i], faces[i])
    unit = replace(library.units[0], crop=(library.units[0].crop * 0.8).astype(np.uint8))  # a darker frame
    pasted = paste_unit(frames[5], faces[5], unit)
    x1, y1, x2, y2 = (int(v) for v in faces[5].box)
    lower = (slice((y1 + y2) // 2, y2), slice(x1, x2))
    mean_step = np.abs(pasted[lower].astype(float).mean((0, 1)) - frames[5][lower].astype(float).mean((0, 1)))
    assert mean_step.max() < 4, mean_step  # relit to the frame's light (unrelit: ~20 levels darker)


def test_jaw_follows_the_opening_smoothly():
    from lipsync.animator import jaw_track

    shapes = np.zeros((20, 3), np.float32)
    shapes[10:, 0] = 1.0  # a snap open
    jaw = jaw_track(shapes, 1.5)
    assert np.abs(np.diff(jaw)).max() < 0.35 and jaw[0] == 0 and jaw[-1] == pytest.approx(1.0)
    assert np.array_equal(jaw_track(shapes, 0.0), shapes[:, 0])


def test_animated_lips_and_chin_move_by_a_few_percent_of_the_face_per_frame(man_frames):
    from lipsync.animator import MouthAnimator, jaw_track, mouth_geometry
    from lipsync.visemes import shape_track

    _, faces = man_frames
    lm = faces[0].landmarks.astype(np.float64)
    # Wide open straight into a bilabial and out again, then cut by silence: the hardest moves to make smoothly.
    phones = [("SIL", 0.0, 0.3), ("AA", 0.3, 0.6), ("B", 0.6, 0.66), ("AA", 0.66, 1.0), ("SIL", 1.0, 1.6)]
    shapes = shape_track(phones, 40, 25.0)
    jaw = jaw_track(shapes, 1.5)
    animator, geometry = MouthAnimator(), mouth_geometry(lm)
    points = np.array([animator._target_points(lm, geometry, shapes[i], float(jaw[i])) for i in range(40)])
    face_width = float(np.linalg.norm(lm[454] - lm[234]))
    lip_steps = np.linalg.norm(np.diff(points[:, 14], axis=0), axis=1) / face_width
    chin_steps = np.linalg.norm(np.diff(points[:, 152], axis=0), axis=1) / face_width
    assert lip_steps.max() < 0.05 and chin_steps.max() < 0.025, (lip_steps.max(), chin_steps.max())
    assert np.ptp(points[:, 14, 1]) > 0.1 * face_width  # while the mouth still opens wide


def test_paste_in_place_draws_the_same_and_a_read_only_frame_is_copied(man_frames):
    from lipsync.units import MouthLibrary

    frames, faces = man_frames
    library = MouthLibrary(UnitConfig())
    for i, (frame, face) in enumerate(zip(frames[:45], faces[:45])):
        library.add(i, frame, face)
    copied = paste_unit(frames[5], faces[5], library.units[40])
    target = frames[5].copy()
    in_place = paste_unit(target, faces[5], library.units[40], in_place=True)
    assert in_place is target and np.array_equal(in_place, copied)
    read_only = frames[5].copy()
    read_only.flags.writeable = False
    assert np.array_equal(paste_unit(read_only, faces[5], library.units[40]), copied)


def test_offline_frames_drawn_in_threads_are_the_frames_drawn_one_by_one(faces_dir, audio, tmp_path):
    decoded = {}
    for face in ("talking_man_25fps.mp4", "painting_mona_lisa.jpg"):
        for threads in (1, 2):
            options = LipsyncOptions(offline_threads=threads)
            result = run(
                faces_dir / face,
                audio,
                tmp_path / f"{threads}.mp4",
                make_renderer(options, phones=PHONES),
                options,
                source_sr=SAMPLE_RATE,
            )
            decoded[face, threads] = np.stack(list(read_frames(result.path, result.fps)))
        assert np.array_equal(decoded[face, 1], decoded[face, 2]), face


def test_head_motion_moves_no_pixel_farther_than_its_bound(man_frames):
    from lipsync.living import HeadMotion

    _, faces = man_frames
    lm = faces[0].landmarks
    for roll, shift in ((2.5, (0.02, -0.01)), (-1.0, (0.0, 0.03)), (0.3, (-0.01, 0.0))):
        head = HeadMotion(roll, shift)
        (x1, y1, x2, y2), map_x, map_y = head.maps(lm, (512, 512, 3))
        ys, xs = np.mgrid[y1:y2, x1:x2]
        moved = np.hypot(map_x - xs, map_y - ys).max()
        assert 0 < moved <= head.largest_move(lm, (x1, y1, x2, y2))


def test_the_mouths_warp_fades_to_nothing_at_its_regions_edges_and_leaves_unmoved_pixels_as_they_were(man_frames):
    from lipsync.animator import MouthAnimator

    frames, faces = man_frames
    frame, lm = frames[0], faces[0].landmarks.astype(np.float64)
    animator = MouthAnimator()
    for opening in (0.0, 1.0):
        (x1, y1, x2, y2), offsets, moved, _ = animator._mouth_warp(lm, np.array([opening, 0, 0]), frame.shape, opening)
        shift = np.hypot(offsets[..., 0], offsets[..., 1])
        edges = np.concatenate([shift[0], shift[-1], shift[:, 0], shift[:, -1]])
        assert edges.max() < 0.05, edges.max()  # no tear along the box (had been 1.5 px here, 5.7 on the Mona Lisa)
        assert shift.max() > (5.0 if opening else 0.5)
        # The landmarks still go where the mouth shape puts them: the chin is drawn from where it was.
        chin = np.round(moved[152] - (x1, y1)).astype(int)
        assert np.linalg.norm(chin + (x1, y1) + offsets[chin[1], chin[0]] - lm[152]) < 1.5
    drawn = animator.render(frame, lm, np.array([1.0, 0.0, 0.0]), jaw=1.0)
    (x1, y1, x2, y2), offsets, _, _ = animator._mouth_warp(lm, np.array([1.0, 0.0, 0.0]), frame.shape, 1.0)
    still = np.hypot(offsets[..., 0], offsets[..., 1]) < 0.01
    changed = np.abs(drawn[y1:y2, x1:x2].astype(int) - frame[y1:y2, x1:x2]).max(-1)
    # Pixels the warp leaves in place are copied, not sharpened into a box around the mouth.
    assert still.sum() > 100 and changed[still].max() <= 1, changed[still].max()


def _two_shot_clip(faces_dir, path, man_seconds: float, woman_seconds: float) -> None:
    """talking_man for `man_seconds`, then a cut to talking_woman (another person, lit otherwise), at 25 fps."""
    ffmpeg(
        "-i", str(faces_dir / "talking_man_25fps.mp4"), "-i", str(faces_dir / "talking_woman_30fps.mp4"),
        "-filter_complex",
        f"[0:v]trim=0:{man_seconds},setpts=PTS-STARTPTS,fps=25[a];"
        f"[1:v]trim=2:{2 + woman_seconds},setpts=PTS-STARTPTS,scale=480:480,fps=25[b];[a][b]concat=n=2:v=1[v]",
        "-map", "[v]", str(path),
    )  # fmt: skip


def _lower_face_colour_gaps(clip, out, order) -> np.ndarray:
    """Per output frame, the largest per-channel difference (0-255) between the mean colours of its lower face and
    of the source frame it shows (`order`): a mouth from another shot brings another person's skin and lips."""
    from lipsync.units import lower_face_box

    sources = list(read_frames(clip, 25.0))
    with FaceTracker() as tracker:
        faces = [tracker.track(frame) for frame in sources]
    gaps = []
    for frame, s in zip(read_frames(out, 25.0), order):
        x1, y1, x2, y2 = lower_face_box(faces[s].landmarks, frame.shape, 0.0)
        means = [image[y1:y2, x1:x2].reshape(-1, 3).mean(0) for image in (frame, sources[s])]
        gaps.append(float(np.abs(means[0] - means[1]).max()))
    return np.array(gaps)


def test_each_shot_of_a_cut_video_speaks_with_its_own_mouths_also_played_backward(faces_dir, audio, tmp_path):
    from lipsync.video import FrameSource, open_face

    clip = tmp_path / "cut.mp4"
    _two_shot_clip(faces_dir, clip, 0.6, 0.4)  # 25 frames for 40: played forward, then back across the cut
    options = LipsyncOptions()
    renderer = make_renderer(options, phones=PHONES)
    result = run(clip, audio, tmp_path / "out.mp4", renderer, options, source_sr=SAMPLE_RATE)
    with FrameSource(open_face(clip, 1920), 25.0, 40, "pingpong") as source:
        order = [i for i, _ in source]
    assert order[24:26] == [24, 23] and order[-1] < 15  # back into the first shot
    gaps = _lower_face_colour_gaps(clip, tmp_path / "out.mp4", order)
    assert gaps.max() < 25, np.round(gaps)
    assert renderer.mode == "units" and renderer.library.shot_starts() == [0, 15]
    assert "the video has 2 shots (a cut at 0.6 s): each frame's mouth is taken from its own shot" in result.notes


def test_a_cut_past_the_indexed_start_hands_the_new_shot_to_the_animator_and_says_so(faces_dir, audio, tmp_path):
    from dataclasses import replace

    clip = tmp_path / "cut.mp4"
    _two_shot_clip(faces_dir, clip, 0.8, 1.0)  # longer than the speech; its first 0.5 s indexed
    options = LipsyncOptions()
    options = replace(options, units=replace(options.units, index_seconds=0.5))
    renderer = make_renderer(options, phones=PHONES)
    result = run(clip, audio, tmp_path / "out.mp4", renderer, options, source_sr=SAMPLE_RATE)
    gaps = _lower_face_colour_gaps(clip, tmp_path / "out.mp4", range(40))
    assert gaps.max() < 25, np.round(gaps)
    assert renderer.library.shot_starts() == [0] and renderer.mode == "units"
    assert renderer.animated_frames >= 20 and renderer.selected_frames + renderer.animated_frames == 40
    assert any(note.startswith("the video cuts to another shot at 0.8 s") for note in result.notes), result.notes


@pytest.fixture(scope="module")
def open_mouth_photo(faces_dir) -> tuple[np.ndarray, np.ndarray]:
    """The talking woman's frame 96 (her mouth open widest, tongue showing) as a photo, and its landmarks."""
    frame = list(read_frames(faces_dir / "talking_woman_30fps.mp4", 30.0, max_frames=97))[96]
    with FaceTracker() as tracker:
        return frame, tracker.track(frame).landmarks.astype(np.float64)


@pytest.mark.parametrize("scale", [1.0, 1.7])
def test_a_wide_open_mouth_shuts_with_its_whole_upper_lip_and_no_seam_across_the_cheeks(open_mouth_photo, scale):
    import cv2

    from lipsync.animator import MouthAnimator

    frame, lm = open_mouth_photo
    if scale != 1.0:
        frame, lm = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), lm * scale
    (x1, y1, x2, y2), offsets, moved, g = MouthAnimator()._mouth_warp(lm, np.zeros(3), frame.shape, 0.0)
    # The cheeks beside the mouth, around the lip line: the upper and the lower half's warps join without a step
    # (had been 6.8 px from one row to the next at 512 px, 19 px at 1.7 times that: a seam across the face).
    left, right = moved[61][0] - x1, moved[291][0] - x1
    columns = np.r_[
        np.arange(left - 0.6 * g.width, left - 0.1 * g.width), np.arange(right + 0.1 * g.width, right + 0.6 * g.width)
    ]
    columns = columns[(columns >= 0) & (columns < x2 - x1)].astype(int)
    lip_line = int(moved[61][1] - y1)
    rows = slice(lip_line - int(0.3 * g.width), lip_line + int(0.3 * g.width))
    assert np.abs(np.diff(offsets[rows][:, columns], axis=0)).max() < 3.0
    # Down the middle of the shut upper lip, its own rows in order, down to most of its thickness (had been folded
    # back onto the skin above it: the lip's lower part erased).
    column = int(round(moved[0][0] - x1))
    top, bottom = int(np.ceil(moved[0][1] - y1)), int(min(moved[13][1], moved[14][1]) - y1) - 2
    drawn_from = np.arange(top, bottom) + y1 + offsets[top:bottom, column, 1]
    assert (np.diff(drawn_from) > 0).all()
    assert drawn_from[-1] - lm[0][1] > 0.25 * (lm[13][1] - lm[0][1])


def test_a_greyscale_photos_mouth_opens_grey(faces_dir):
    import cv2

    from lipsync.animator import MouthAnimator

    grey = cv2.cvtColor(
        cv2.imread(str(faces_dir / "painting_pearl_earring.jpg"), cv2.IMREAD_GRAYSCALE), cv2.COLOR_GRAY2BGR
    )
    with FaceTracker() as tracker:
        lm = tracker.track(grey).landmarks
    opened = MouthAnimator().render(grey, lm, np.array([1.0, 0.0, 0.0]), jaw=1.0).astype(int)
    chroma = np.abs(opened[..., 2] - opened[..., 1]) + np.abs(opened[..., 1] - opened[..., 0])
    assert chroma.max() <= 2, chroma.max()  # the tongue had been tinted red: up to 27


def test_a_light_switched_on_in_one_shot_is_no_cut_where_another_face_is(faces_dir, tmp_path):
    """A light switched on (the face's colour up by 32 levels at once) had been taken for a cut: past a long video's
    indexed start, the animator then drew every frame after it. A cut changes the face's shape too; a light does not."""
    from lipsync.units import face_look, is_cut

    lit = tmp_path / "lit.mp4"
    ffmpeg(
        "-i", str(faces_dir / "talking_woman_30fps.mp4"), "-t", "1",
        "-vf", "fps=25,eq=brightness=0.12:enable='gte(t,0.5)'", str(lit),
    )  # fmt: skip
    cut = tmp_path / "cut.mp4"
    _two_shot_clip(faces_dir, cut, 0.5, 0.5)
    for clip, cuts in ((lit, []), (cut, [13])):
        with FaceTracker() as tracker:
            looks = [face_look(frame, tracker.track(frame).landmarks) for frame in read_frames(clip, 25.0)]
        colour_jumps = [float(np.abs(b[3:6] - a[3:6]).max()) for a, b in zip(looks, looks[1:])]
        assert max(colour_jumps) > 25  # the light's step, or the cut's
        assert [i + 1 for i, (a, b) in enumerate(zip(looks, looks[1:])) if is_cut(a, b)] == cuts


def test_a_mouth_pasted_into_a_dimmed_shot_takes_its_light(faces_dir, audio, tmp_path):
    """A light switched off mid-shot (the second half at half brightness): the mouths the selection takes from the
    bright half are relit to each frame's own light (had kept theirs: the lower face up to 1.3 times as bright)."""
    from lipsync.units import lower_face_box

    clip = tmp_path / "dimmed.mp4"
    ffmpeg(
        "-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "1.6",
        "-vf", "colorchannelmixer=rr=0.5:gg=0.5:bb=0.5:enable='gte(t,0.8)'", str(clip),
    )  # fmt: skip
    renderer = make_renderer(LipsyncOptions(), phones=PHONES)
    run(clip, audio, tmp_path / "out.mp4", renderer, LipsyncOptions(), source_sr=SAMPLE_RATE)
    assert renderer.mode == "units"
    ratios = []
    with FaceTracker() as tracker:
        for frame, drawn in list(zip(read_frames(clip, 25.0), read_frames(tmp_path / "out.mp4", 25.0)))[20:]:
            x1, y1, x2, y2 = lower_face_box(tracker.track(frame).landmarks, frame.shape, 0.0)
            ratios.append(drawn[y1:y2, x1:x2].mean() / frame[y1:y2, x1:x2].mean())
    assert np.abs(np.array(ratios) - 1).max() < 0.04, np.round(ratios, 3)


@pytest.mark.parametrize("short, verb", [(1, "was"), (2, "were")])
def test_the_frames_the_animator_drew_are_counted_in_words(short, verb):
    """One frame drawn by the animator had been said to be "1 of 352 frames were drawn"."""
    renderer = make_renderer(LipsyncOptions(), phones=PHONES)
    renderer.mode, renderer.selected_frames, renderer.animated_frames = "units", 350, short
    renderer._animated_in[0] = short
    assert any(note.startswith(f"{short} of {350 + short} frames {verb} drawn by") for note in renderer.notes)
