"""The lip-sync engine on real clips and on the bad inputs users give it.

Every run must end in a decodable H.264 + AAC MP4 as long as the audio, or in an InputError that
says what to do, and never leave a partial file behind. Test clips are made from the shared faces
with the bundled ffmpeg and kept short.
"""

from __future__ import annotations

import dataclasses
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch

from core.errors import InputError
from core.ffmpeg import Mp4Writer, parse_header, probe
from core.ffmpeg import executable as ffmpeg_exe
from core.ffmpeg import read_frames as iter_frames
from lipsync.animator import ANIMATOR, PHONE_RECOGNIZER
from lipsync.audio_frames import MEL_WINDOW, lipsync_mel, mel_window_start, mel_windows, video_frame_count
from lipsync.blend import BlendConfig
from lipsync.engine import LipsyncResult, run
from lipsync.face import BLAZEFACE_AND_MESH, Face, FaceOptions, FaceTracker, choose_face, mouth_opening
from lipsync.offline import LIVING, OWN_FRAMES
from lipsync.options import LipsyncOptions
from lipsync.renderer import make_renderer
from lipsync.video import pingpong
from lipsync.visemes import Viseme, VisemeTrackConfig, detect_notation, shape_track, viseme_of
from pipeline.cli import in_command_line_words
from voice.audio import SAMPLE_RATE, load_audio, save_audio


def lipsync_run(face, audio, out, options=LipsyncOptions(), *, phones=None, generator=None) -> LipsyncResult:
    """The engine with the renderer the pipeline would choose (16 kHz samples in)."""
    rate = SAMPLE_RATE if isinstance(audio, np.ndarray) else None
    return run(face, audio, out, make_renderer(options, generator, phones), options, source_sr=rate)


def ffmpeg(*args: str) -> None:
    result = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


@pytest.fixture(scope="session")
def clips(faces_dir, tmp_path_factory) -> dict[str, Path]:
    """Short test videos derived from the shared clips."""
    folder = tmp_path_factory.mktemp("clips")
    man, glasses, woman = (
        faces_dir / n for n in ("talking_man_25fps.mp4", "talking_man_glasses_25fps.mp4", "talking_woman_30fps.mp4")
    )
    made = {
        n: folder / f"{n}.mp4"
        for n in ("short", "leaves", "two_faces", "portrait", "vfr", "silent_video", "rotated", "odd", "uhd")
    }
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    ffmpeg("-i", str(man), "-t", "1", *h264, "-c:a", "aac", str(made["short"]))
    ffmpeg(
        "-i",
        str(man),
        "-t",
        "2",
        "-vf",
        "pad=iw*2:ih:0:0,crop=480:480:'if(lt(t,0.6),0,min(480,(t-0.6)*1600))':0",
        *h264,
        "-an",
        str(made["leaves"]),
    )
    ffmpeg(
        "-i",
        str(man),
        "-i",
        str(glasses),
        "-t",
        "1",
        "-filter_complex",
        "[1:v]scale=480:480[g];[0:v][g]hstack",
        *h264,
        "-an",
        str(made["two_faces"]),
    )
    ffmpeg("-i", str(woman), "-t", "1", "-vf", "scale=720:720,pad=720:1280:0:280", *h264, "-an", str(made["portrait"]))
    ffmpeg(
        "-i",
        str(man),
        "-t",
        "2",
        "-vf",
        "setpts='if(lt(N,20),PTS,PTS+0.03*(N-20)/TB)'",
        "-fps_mode",
        "vfr",
        *h264,
        "-an",
        str(made["vfr"]),
    )
    ffmpeg("-i", str(man), "-t", "1", *h264, "-an", str(made["silent_video"]))
    ffmpeg("-display_rotation", "90", "-i", str(made["portrait"]), "-c", "copy", str(made["rotated"]))
    ffmpeg(
        "-i",
        str(woman),
        "-t",
        "1",
        "-vf",
        "scale=481:361,setsar=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv444p",
        "-an",
        str(made["odd"]),
    )
    ffmpeg("-i", str(woman), "-t", "0.5", "-vf", "scale=2160:2160,pad=3840:2160:840:0", *h264, "-an", str(made["uhd"]))
    made["truncated"] = folder / "truncated.mp4"
    made["truncated"].write_bytes(man.read_bytes()[:20_000])
    made["garbage"] = folder / "garbage.mp4"
    made["garbage"].write_bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    return made


@pytest.fixture(scope="session")
def speech(speech_files) -> np.ndarray:
    """1.2 s of real speech at 16 kHz."""
    wav = load_audio(speech_files[0])
    start = int(np.argmax(np.abs(wav) > 0.1 * np.abs(wav).max()))
    return wav[start : start + int(1.2 * SAMPLE_RATE)]


def checked_mp4(path: Path, seconds: float, fps: float) -> None:
    """`path` is an H.264 + AAC MP4 lasting `seconds` (within a frame) whose frames decode."""
    info = probe(path)
    header = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True).stderr.decode()
    assert info.has_video and info.has_audio, header
    assert "Video: h264" in header and "Audio: aac" in header, header
    frames = sum(1 for _ in iter_frames(path, fps))
    assert abs(frames - seconds * fps) <= 1, (frames, seconds * fps)
    assert abs(info.duration - seconds) <= 1 / fps + 0.03, (info.duration, seconds)


def no_leftovers(folder: Path, keep: str | None = None) -> None:
    left = sorted(p.name for p in folder.iterdir() if p.name != keep)
    assert left == [], f"files left behind: {left}"


# --- audio to frames, visemes ---------------------------------------------------------------------


def test_mel_windows_follow_wav2lip_inference(speech):
    mel = lipsync_mel(speech)
    fps = 25.0
    n = video_frame_count(speech, fps)
    windows = mel_windows(mel, range(n), fps)
    assert windows.shape == (n, 80, MEL_WINDOW)
    assert mel_window_start(7, fps, mel.shape[1]) == int(7 * 80 / fps)
    np.testing.assert_array_equal(windows[7], mel[:, 22:38])
    np.testing.assert_array_equal(windows[-1], mel[:, -MEL_WINDOW:])  # past the end: the last window
    assert lipsync_mel(np.zeros(800, dtype=np.float32)).shape == (80, MEL_WINDOW)  # 50 ms: padded


def test_visemes_in_three_notations():
    assert detect_notation(["SIL", "B", "AA1", "M"]) == "arpabet"
    assert detect_notation(["b", "ɑː", "m"]) == "ipa"
    assert detect_notation(["b", "A:", "m", "@"]) == "espeak"
    assert [viseme_of(p, "arpabet") for p in ("B", "AA1", "UW", "SIL")] == [
        Viseme.CLOSED,
        Viseme.OPEN,
        Viseme.SMALL_ROUND,
        Viseme.REST,
    ]
    assert [viseme_of(p, "ipa") for p in ("p", "ˈæ", "tʃ")] == [Viseme.CLOSED, Viseme.OPEN, Viseme.SMALL_ROUND]
    assert [viseme_of(p, "espeak") for p in ("m", "aI", "S", "V")] == [
        Viseme.CLOSED,
        Viseme.OPEN,
        Viseme.SMALL_ROUND,
        Viseme.MID,
    ]


def test_shape_track_closes_bilabials_and_silence():
    phones = [("SIL", 0.0, 0.4), ("M", 0.4, 0.52), ("AA", 0.52, 0.8), ("P", 0.8, 0.9), ("SIL", 0.9, 2.0)]
    track = shape_track(phones, 50, 25.0)
    assert track.shape == (50, 3)
    assert track[:8, 0].max() == 0 and track[25:, 0].max() == 0  # silence: closed
    assert track[11, 0] <= 0.04  # the m
    assert track[16, 0] > 0.8  # the aa
    silent = np.zeros(50, dtype=bool)
    silent[14:18] = True
    assert shape_track(phones, 50, 25.0, silent)[14:18].max() == 0


@pytest.mark.parametrize("fps", [25.0, 30.0, 60.0])
def test_mouth_never_snaps_open_or_shut_between_two_frames(fps):
    # A wide-open vowel straight into a bilabial and out of it, then a vowel cut by silence.
    phones = [("SIL", 0.0, 0.3), ("AA", 0.3, 0.6), ("B", 0.6, 0.66), ("AA", 0.66, 1.0), ("SIL", 1.0, 1.6)]
    n = int(1.6 * fps)
    config = VisemeTrackConfig()
    track = shape_track(phones, n, fps, config=config)
    assert np.abs(np.diff(track[:, 0])).max() <= config.max_open_speed / fps + 1e-6
    frame = (np.arange(n) + 0.5) / fps
    bilabial = (frame > 0.6) & (frame < 0.66)
    assert bilabial.any() and track[bilabial, 0].max() <= config.bilabial_max_open  # the lips still meet
    assert track[frame > 1.2, 0].max() == 0 and track[frame < 0.15, 0].max() == 0  # shut in silence
    assert track[(frame > 0.4) & (frame < 0.5), 0].max() > 0.8  # the vowel still opens wide
    unlimited = shape_track(phones, n, fps, config=VisemeTrackConfig(max_open_speed=float("inf")))
    assert np.abs(np.diff(unlimited[:, 0])).max() > 0.6  # without the limit it would snap
    assert np.all(track[:, 0] <= unlimited[:, 0] + 1e-6)  # the limit only ever lowers the opening


def test_pingpong_plays_forward_then_back():
    assert [i for _, i in zip(range(8), pingpong(4, 4))] == [2, 1, 0, 1, 2, 3, 2, 1]
    assert [i for _, i in zip(range(3), pingpong(1, 1))] == [0, 0, 0]


# --- faces ------------------------------------------------------------------------------------------


def test_choose_face_largest_or_by_index():
    small, big = (0, 0, 10, 10, 0.9), (50, 0, 90, 40, 0.9)
    assert choose_face([small, big], None) == big
    assert choose_face([big, small], 0) == small  # counted from the left
    assert choose_face([big, small], 2) is None


def test_tracker_follows_a_talking_face(faces_dir):
    frames = list(iter_frames(faces_dir / "talking_man_25fps.mp4", 25, max_frames=30))
    with FaceTracker(fps=25) as tracker:
        faces = [tracker.track(f) for f in frames]
    assert all(isinstance(f, Face) for f in faces)
    assert faces[0].landmarks.shape == (478, 2)
    x1, y1, x2, y2 = faces[10].crop_box(frames[0].shape, (0, 10, 0, 0))
    assert 0 <= x1 < x2 <= 480 and 0 <= y1 < y2 <= 480 and x2 - x1 > 100
    centres = np.array([f.landmarks.mean(0) for f in faces[1:]])  # the clip's first frame is a cut
    assert np.abs(np.diff(centres, axis=0)).max() < 4  # smooth: no jumps between frames


def test_tracker_refuses_frames_that_are_not_uint8_bgr(faces_dir):
    """float32, float64 and uint16 frames had met cv2's and MediaPipe's own errors ("Cannot cast array data from
    dtype('float32') to dtype('uint8')"). Grey and BGRA frames are refused the same way."""
    frame = next(iter_frames(faces_dir / "talking_man_25fps.mp4", 25, max_frames=1))
    with FaceTracker(fps=25) as tracker:
        for bad, given in [
            (frame / 255.0, r"float64 \(480, 480, 3\)"),
            (frame.astype(np.float32), r"float32 \(480, 480, 3\)"),
            (frame.astype(np.uint16) * 257, r"uint16 \(480, 480, 3\)"),
            (frame[..., 0], r"uint8 \(480, 480\)"),
            (np.dstack([frame, np.full(frame.shape[:2], 255, np.uint8)]), r"uint8 \(480, 480, 4\)"),  # BGRA
            (frame.tolist(), "a list"),
        ]:
            with pytest.raises(InputError, match=f"takes uint8 BGR frames \\(height, width, 3\\), .* not {given}: "):
                tracker.track(bad)
        assert isinstance(tracker.track(frame[..., ::-1]), Face)  # a view (channels reversed) is taken


def test_tracker_finds_the_face_again_on_the_frame_after_a_cut(faces_dir):
    """The mesh, run where the face was, found it half out of its crop on the frame after a cut and gave up on that
    frame: a video looped end to start had had 4 of 750 frames (each the first after a join) left unsynced."""
    frames = list(iter_frames(faces_dir / "talking_man_25fps.mp4", 25))
    joined = frames[-8:] + frames[:8]  # the clip's end, then its start: the head jumps
    shifted = [np.pad(f, ((0, 0), (0, 480), (0, 0))) for f in frames[:16]]
    shifted[8:] = [np.roll(f, 120, axis=1) for f in shifted[8:]]  # the camera jumps by a third of the face
    for video in (joined, shifted):
        with FaceTracker(fps=25) as tracker:
            faces = [tracker.track(f) for f in video]
        assert all(isinstance(f, Face) for f in faces), [i for i, f in enumerate(faces) if f is None]
        centres = np.array([np.mean(np.reshape(f.box, (2, 2)), axis=0) for f in faces])
        jump, after = (np.linalg.norm(centres[i + 1] - centres[i]) for i in (7, 8))
        assert jump > 100 and after < 0.1 * jump  # where it is after the cut, not smoothed from where it was


def test_a_cut_to_a_picture_without_a_face_finds_no_face_in_it(faces_dir):
    """After a cut to a still of a dog the mesh, run where the woman's face had been, took the dog's muzzle for her
    face and every dog frame was lip-synced; the face is now looked for afresh after a cut."""
    import cv2

    frames = list(iter_frames(faces_dir / "talking_woman_30fps.mp4", 25, max_frames=10))
    dog = cv2.resize(cv2.imread(str(faces_dir / "not_a_person_dog.jpg")), frames[0].shape[1::-1])
    with FaceTracker(fps=25) as tracker:
        faces = [tracker.track(f) for f in [*frames, *[dog] * 10, *frames]]
    assert [f is not None for f in faces] == [True] * 10 + [False] * 10 + [True] * 10


# --- bad input ----------------------------------------------------------------------------------------


def test_dog_photo_says_no_face_found(faces_dir, speech, tmp_path):
    with pytest.raises(InputError, match="no face found"):
        lipsync_run(faces_dir / "not_a_person_dog.jpg", speech, tmp_path / "out.mp4")
    no_leftovers(tmp_path)


def test_a_face_too_small_in_its_photo_is_refused_saying_to_crop_it(faces_dir, tmp_path):
    import cv2

    from lipsync.engine import check_face
    from lipsync.face import FaceDetector
    from lipsync.video import read_still

    painting = read_still(faces_dir / "painting_mona_lisa.jpg")
    detector = FaceDetector()
    try:
        ((left, top, right, bottom, _),) = detector(painting)
    finally:
        detector.close()
    scale = 40 / (right - left)  # the face 40 pixels wide in a 1920x1440 photo: 2% of it, as from far away
    face = cv2.resize(painting[int(top) : int(bottom), int(left) : int(right)], None, fx=scale, fy=scale)
    photo = np.full((1440, 1920, 3), 128, np.uint8)
    photo[700 : 700 + face.shape[0], 900 : 900 + face.shape[1]] = face
    path = tmp_path / "far.png"
    cv2.imwrite(str(path), photo)
    hint = r"not too small \(if the face is small in a large photo, under about 3% of its width, crop the photo"
    with pytest.raises(InputError, match=hint):
        check_face(path)
    cv2.imwrite(str(path), cv2.resize(photo[620:820, 820:1020], (400, 400)))  # cropped around the face
    assert check_face(path)[1] == 1


def test_audio_file_as_face_is_refused(speech_files, speech, tmp_path):
    with pytest.raises(InputError, match="no picture"):
        lipsync_run(speech_files[0], speech, tmp_path / "out.mp4")
    no_leftovers(tmp_path)


def test_text_file_as_face_is_refused_not_drawn_as_a_video(speech, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello world\n" * 5000)  # ffmpeg's tty demuxer would make a video of its characters
    with pytest.raises(InputError, match="notes.txt is a text file, not audio, a video or a photo: give a face video"):
        lipsync_run(notes, speech, tmp_path / "out.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("clip", ["truncated", "garbage"])
def test_corrupt_video_is_refused(clips, speech, tmp_path, clip):
    with pytest.raises(InputError, match="corrupt"):
        lipsync_run(clips[clip], speech, tmp_path / "out.mp4", phones=[])
    no_leftovers(tmp_path)


def test_corrupt_audio_is_refused(clips, tmp_path):
    from pipeline import Pipeline

    bad = tmp_path / "speech.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 10)
    with pytest.raises(InputError):
        Pipeline("cpu", lipsync="offline").lipsync(clips["short"], bad, consent=True)
    no_leftovers(tmp_path, keep="speech.wav")


def test_cartoon_gives_a_video_or_a_clear_error(faces_dir, speech, tmp_path):
    try:
        result = lipsync_run(faces_dir / "not_a_person_cartoon.jpg", speech, tmp_path / "out.mp4")
    except InputError as e:
        assert "no face" in str(e)
        no_leftovers(tmp_path)
    else:
        checked_mp4(result.path, result.duration, result.fps)


@pytest.mark.parametrize("suffix", [".avif", ".tiff", ".webp"])
def test_photo_formats_are_read_as_photos(faces_dir, speech, tmp_path, suffix):
    from PIL import Image

    photo = tmp_path / f"photo{suffix}"
    Image.open(faces_dir / "painting_pearl_earring.jpg").save(photo)
    assert probe(photo).is_still
    result = lipsync_run(photo, speech, tmp_path / "out.mp4")
    assert (result.width, result.height) == Image.open(photo).size
    checked_mp4(result.path, result.duration, result.fps)


@pytest.mark.parametrize(
    ("suffix", "orientation"),
    [(".tiff", 6), (".tiff", 5), (".tiff", 7), (".tiff", 3), (".avif", 6), (".avif", 3), (".jpg", 6), (".png", 8)],
)
def test_a_photo_is_turned_as_its_orientation_says_whatever_its_format(faces_dir, tmp_path, suffix, orientation):
    """A TIFF turned a quarter (5-8) had been refused as "no face found" (OpenCV failed on it, and ffmpeg's upright
    pixels were read at the stored size: noise); an AVIF came out on its side (OpenCV ignores its irot)."""
    from PIL import ExifTags, Image, ImageOps, features

    from core.ffmpeg import read_picture
    from lipsync.video import read_still

    if suffix == ".avif" and not features.check("avif"):
        pytest.skip("this Pillow cannot write AVIF")
    turn = Image.Transpose
    undone = {3: turn.ROTATE_180, 5: turn.TRANSPOSE, 6: turn.ROTATE_90, 7: turn.TRANSVERSE, 8: turn.ROTATE_270}
    upright = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB").resize((120, 160))
    stored = upright.transpose(undone[orientation])  # as a camera stores it, for a viewer to turn by the tag
    path = tmp_path / f"photo{suffix}"
    if suffix == ".tiff":
        stored.save(path, tiffinfo={ExifTags.Base.Orientation: orientation})
    else:
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        stored.save(path, exif=exif, quality=95)
    shown = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB")).astype(int)
    assert shown.shape == (160, 120, 3)  # as a viewer shows it
    read = read_still(path)[..., ::-1]
    assert read.shape == shown.shape and np.abs(read - shown).mean() < 3
    decoded = read_picture(probe(path))[..., ::-1]  # by ffmpeg: at the size it decoded, as it turned it, or as stored
    assert decoded.shape in (shown.shape, (120, 160, 3))
    if decoded.shape == shown.shape:
        assert np.abs(decoded - shown).mean() < 3


def test_a_photo_whose_name_is_not_utf8_is_read(faces_dir, tmp_path):
    """OpenCV, handed such a name, crashed the process (a segfault, nothing printed): read in a process of its own."""
    import os
    import sys

    path = Path(os.fsdecode(bytes(tmp_path) + b"/face_\xe9.jpg"))
    path.write_bytes((faces_dir / "painting_pearl_earring.jpg").read_bytes())
    code = "import sys, pathlib, lipsync.video as v; print(v.read_still(pathlib.Path(sys.argv[1])).shape)"
    read = subprocess.run(
        [sys.executable, "-c", code, path],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().endswith(", 3)")


@pytest.mark.parametrize("orientation", [2, 3, 6, 8])
def test_a_jpeg_compressed_tiff_turned_by_its_tag_is_read_as_shown(faces_dir, tmp_path, orientation):
    """ffmpeg's TIFF decoder, which read every TIFF with an orientation other than 1, gives a JPEG-compressed one all
    black ("no face found")."""
    from PIL import ExifTags, Image

    from lipsync.video import oriented, read_still

    upright = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB").resize((120, 160))
    path = tmp_path / "photo.tif"
    upright.save(path, tiffinfo={ExifTags.Base.Orientation: orientation}, compression="jpeg", quality=95)
    shown = oriented(np.asarray(upright)[..., ::-1], orientation).astype(int)  # stored upright: turned by the tag
    read = read_still(path)
    assert read.shape == shown.shape and np.abs(read - shown).mean() < 3


def test_a_photo_over_pillows_pixel_limit_is_turned_as_its_orientation_says(faces_dir, tmp_path, monkeypatch):
    """A phone's 200 MP portrait (over twice Image.MAX_IMAGE_PIXELS, which Image.open refuses) had come out on its
    side: its orientation went unread. Here a small photo under a limit lowered to match."""
    from PIL import ExifTags, Image, ImageOps

    from lipsync.video import read_still

    upright = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB").resize((120, 160))
    path = tmp_path / "portrait.jpg"
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(path, exif=exif, quality=95)
    shown = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB")).astype(int)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5000)
    with pytest.raises(Image.DecompressionBombError):
        Image.open(path)
    read = read_still(path)[..., ::-1]
    assert read.shape == shown.shape == (160, 120, 3) and np.abs(read - shown).mean() < 3
    assert Image.MAX_IMAGE_PIXELS == 5000


def test_an_interlaced_video_is_read_as_whole_frames(tmp_path):
    interlaced = tmp_path / "576i.mp4"  # a moving card filmed as 50 fields a second, two to a frame
    fields = ["-f", "lavfi", "-i", "testsrc2=size=720x576:rate=50", "-frames:v", "20"]
    weave = ["-vf", "tinterlace=mode=interleave_top,fieldorder=tff", "-flags", "+ildct+ilme", "-x264opts", "tff=1"]
    ffmpeg(*fields, *weave, "-c:v", "libx264", "-pix_fmt", "yuv420p", str(interlaced))
    raw = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-i", str(interlaced), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True,
    )

    def comb(frames: np.ndarray) -> float:  # each row against the mean of its neighbours
        frames = frames.astype(float)
        return float(np.abs(frames[:, 1:-1] - (frames[:, :-2] + frames[:, 2:]) / 2).mean())

    assert probe(interlaced).interlaced
    read = np.stack(list(iter_frames(interlaced))).mean(axis=-1)
    assert comb(np.frombuffer(raw.stdout, np.uint8).reshape(-1, 576, 720)) > 1.8 > 1.0 > comb(read)


def test_a_gif_speaks_at_25_fps_not_at_its_own_picture_delay(faces_dir, speech, tmp_path):
    from PIL import Image

    gif = tmp_path / "face.gif"
    face = Image.open(faces_dir / "painting_pearl_earring.jpg")
    face.save(gif, save_all=True, append_images=[face.rotate(2)])
    assert probe(gif).fps != 25  # no delay given: ffmpeg reads it at 100 fps (a delay of 1/100 s)
    result = lipsync_run(gif, speech[: int(0.4 * SAMPLE_RATE)], tmp_path / "out.mp4", phones=[("AA", 0.1, 0.3)])
    assert result.fps == 25 and result.frames == 10


@pytest.mark.parametrize("delay", [None, 100])
def test_a_gif_of_one_picture_is_a_photo(faces_dir, speech, tmp_path, delay):
    """With a delay, it had been a video 0.1 s long, played forward and backward; without, a video "that does not
    move"."""
    from PIL import Image

    gif = tmp_path / "face.gif"
    face = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB").resize((240, 320))
    face.save(gif, **({} if delay is None else {"duration": delay}))
    assert probe(gif).is_still
    result = lipsync_run(gif, speech[: int(1.2 * SAMPLE_RATE)], tmp_path / "out.mp4", phones=[("AA", 0.2, 0.8)])
    assert result.fps == 25 and result.frames == 30 and result.frames_without_face == 0
    assert not any("video" in note for note in result.notes), result.notes


def test_an_animated_webp_speaks_at_25_fps_not_at_its_own_picture_delay(faces_dir, speech, tmp_path):
    """ffmpeg calls its codec webp_anim: a WebP of pictures 0.2 s apart had made a clip at 5 fps."""
    from PIL import Image

    face = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB").resize((240, 320))
    webp = tmp_path / "face.webp"
    face.save(webp, save_all=True, append_images=[face.rotate(2), face], duration=200, lossless=True)
    assert probe(webp).fps == 5
    result = lipsync_run(webp, speech[: int(0.4 * SAMPLE_RATE)], tmp_path / "out.mp4", phones=[("AA", 0.1, 0.3)])
    assert result.fps == 25 and result.frames == 10


def box(kind: bytes, body: bytes, version: int | None = None, flags: int = 0) -> bytes:
    """An ISOBMFF box; a full box (version and flags first) when `version` is given."""
    head = b"" if version is None else struct.pack(">I", version << 24 | flags)
    return struct.pack(">I4s", 8 + len(head) + len(body), kind) + head + body


def hevc_picture(rgb: np.ndarray) -> tuple[bytes, bytes]:
    """`rgb` as one HEVC picture (ffmpeg's x265): its decoder configuration record (hvcC), and its slices as a HEIF
    item holds them (each after its 4-byte length)."""
    height, width = rgb.shape[:2]
    raw = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}", "-i", "-"]
    x265 = ["-c:v", "libx265", "-x265-params", "log-level=none", "-pix_fmt", "yuv420p", "-frames:v", "1", "-f", "hevc"]
    encoded = subprocess.run([ffmpeg_exe(), "-v", "error", *raw, *x265, "-"], input=rgb.tobytes(), capture_output=True)
    if encoded.returncode != 0:
        pytest.skip(f"this ffmpeg cannot encode HEVC to make a HEIC photo with: {encoded.stderr.decode()[-200:]}")
    units = [unit.lstrip(b"\0") for unit in encoded.stdout.split(b"\0\0\1") if unit.strip(b"\0")]
    by_type = {unit[0] >> 1 & 0x3F: unit for unit in units}
    record = bytes.fromhex("0101600000009000000000005af000fcfdf8f800000f03")  # Main, 8 bits, 4:2:0
    for kind in (32, 33, 34):  # its parameter sets: video, sequence, picture
        record += struct.pack(">BHH", 0x80 | kind, 1, len(by_type[kind])) + by_type[kind]
    slices = b"".join(struct.pack(">I", len(unit)) + unit for unit in units if unit[0] >> 1 & 0x3F < 32)
    return record, slices


def write_heic(path: Path, rgb: np.ndarray, tile: int, turns: int = 0, icc: bytes | None = None) -> None:
    """`rgb` as a phone writes a HEIC photo: a grid of `tile`-pixel HEVC pictures (ISO/IEC 23008-12) shown turned by
    `turns` quarter turns anticlockwise (irot), with an ICC profile when one is given."""
    height, width = rgb.shape[:2]
    rows, columns = height // tile, width // tile
    crops = [rgb[r * tile : (r + 1) * tile, c * tile : (c + 1) * tile] for r in range(rows) for c in range(columns)]
    tiles = [hevc_picture(np.ascontiguousarray(crop)) for crop in crops]
    grid, tile_ids = 1, range(2, 2 + len(tiles))
    properties = [
        box(b"hvcC", tiles[0][0]),
        box(b"ispe", struct.pack(">II", tile, tile), 0),
        box(b"ispe", struct.pack(">II", width, height), 0),
        box(b"irot", bytes([turns % 4])),
        *([box(b"colr", b"prof" + icc)] if icc else []),
    ]
    grid_properties = bytes(range(3, len(properties) + 1))
    ipma = struct.pack(">IHB", 1 + len(tiles), grid, len(grid_properties)) + grid_properties
    ipma += b"".join(struct.pack(">HBBB", i, 2, 0x81, 2) for i in tile_ids)  # tiles: their decoder record and size
    items = box(b"infe", struct.pack(">HH4s", grid, 0, b"grid") + b"\0", 2)
    items += b"".join(box(b"infe", struct.pack(">HH4s", i, 0, b"hvc1") + b"\0", 2, 1) for i in tile_ids)
    references = box(b"dimg", struct.pack(">HH", grid, len(tiles)) + b"".join(struct.pack(">H", i) for i in tile_ids))
    datas = [struct.pack(">BBBBHH", 0, 0, rows - 1, columns - 1, width, height)] + [slices for _, slices in tiles]

    def meta(data_start: int) -> bytes:
        offsets = data_start + np.concatenate([[0], np.cumsum([len(d) for d in datas])[:-1]])
        locations = b"".join(
            struct.pack(">HHHII", i + 1, 0, 1, o, len(d)) for i, (o, d) in enumerate(zip(offsets, datas))
        )
        header = box(b"hdlr", bytes(4) + b"pict" + bytes(12) + b"\0", 0) + box(b"pitm", struct.pack(">H", grid), 0)
        header += box(b"iinf", struct.pack(">H", len(datas)) + items, 0) + box(b"iref", references, 0)
        header += box(b"iprp", box(b"ipco", b"".join(properties)) + box(b"ipma", ipma, 0))
        return box(b"meta", header + box(b"iloc", struct.pack(">BBH", 0x44, 0, len(datas)) + locations, 0), 0)

    ftyp = box(b"ftyp", b"heic" + bytes(4) + b"mif1heic")
    path.write_bytes(ftyp + meta(len(ftyp) + len(meta(0)) + 8) + box(b"mdat", b"".join(datas)))


def test_a_phones_heic_photo_is_read_whole_turned_upright_and_in_srgb(display_p3, faces_dir, speech, tmp_path):
    from PIL import Image

    from core import heif
    from lipsync.video import read_still

    rgb = np.zeros((128, 192, 3), np.uint8)
    rgb[:64, :96], rgb[:64, 96:], rgb[64:, :96], rgb[64:, 96:] = (200, 60, 60), (60, 200, 60), (60, 60, 200), 128
    plain, p3 = tmp_path / "plain.heic", tmp_path / "p3.heic"
    write_heic(plain, rgb, 64, turns=1)
    write_heic(p3, rgb, 64, turns=1, icc=display_p3)
    info = probe(plain)
    assert info.is_still and (info.width, info.height) == (128, 192)  # six tiles in a grid, shown turned
    assert np.abs(read_still(plain)[..., ::-1] - np.rot90(rgb).astype(int)).mean() < 3
    red = read_still(p3)[..., ::-1][160, 32].astype(int)  # the top left quarter, red, turned to the bottom left
    assert red[0] > 210 and red[1] < 50 and red[2] < 55  # P3's red, more saturated in sRGB's terms
    whole = p3.read_bytes()
    for cut in (40, 300, len(whole) // 2):  # cut short: a clear error, and no profile read from a header cut off
        damaged = tmp_path / f"cut{cut}.heic"
        damaged.write_bytes(whole[:cut])
        assert heif.icc_profile(damaged) in (None, display_p3)
        with pytest.raises(InputError, match="could not (read|decode)"):
            read_still(damaged)
    height, width = 128, 192  # smooth colours: the grid's own YUV converted in floating point is the reference
    rows, columns = np.mgrid[0:height, 0:width]
    gradient = np.stack([60 + 140 * columns / width, 50 + 150 * rows / height, 200 - 120 * columns / width], -1)
    grid = tmp_path / "gradient.heic"
    write_heic(grid, gradient.astype(np.uint8), 64)
    raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]  # its tiles' own format: limited range, BT.601
    planes = np.frombuffer(subprocess.run([ffmpeg_exe(), "-i", str(grid), *raw], capture_output=True).stdout, np.uint8)
    luma = (planes[: height * width].reshape(height, width) - 16.0) * 255 / 219
    chroma = (planes[height * width :].reshape(2, height // 2, width // 2) - 128.0) * 255 / 224
    blue_diff, red_diff = chroma.repeat(2, axis=1).repeat(2, axis=2)
    exact = np.dstack(
        [luma + 1.402 * red_diff, luma - 0.344136 * blue_diff - 0.714136 * red_diff, luma + 1.772 * blue_diff]
    )
    bias = (read_still(grid)[..., ::-1] - exact).mean(axis=(0, 1))
    assert np.abs(bias).max() < 0.1  # ffmpeg's own conversion of a grid read it 1.0-1.5 levels dark
    photo = tmp_path / "photo.heic"
    write_heic(photo, np.asarray(Image.open(faces_dir / "painting_pearl_earring.jpg"))[:1280, :1024], 256)
    result = lipsync_run(photo, speech[: int(0.4 * SAMPLE_RATE)], tmp_path / "out.mp4", phones=[("AA", 0.1, 0.3)])
    assert (result.width, result.height) == (1024, 1280) and result.frames_without_face == 0


def test_a_photo_in_display_p3_is_read_in_srgb_colours(display_p3, tmp_path):
    from PIL import Image

    from lipsync.video import read_photo, read_still

    pixels = np.zeros((64, 128, 3), np.uint8)
    pixels[:, :64] = (128, 128, 128)  # grey: no colour to convert
    pixels[:, 64:] = (200, 60, 60)  # a red that P3 holds more saturated than sRGB can
    plain, tagged = tmp_path / "plain.png", tmp_path / "p3.png"
    Image.fromarray(pixels).save(plain)
    Image.fromarray(pixels).save(tagged, icc_profile=display_p3)
    assert (read_still(plain)[..., ::-1] == pixels).all()
    srgb = read_still(tagged)[..., ::-1].astype(int)
    assert np.abs(srgb[:, :64] - 128).max() <= 1
    red = srgb[32, 96]
    assert red[0] > 210 and red[1] < 50 and red[2] < 55  # more saturated in sRGB's terms
    large = tmp_path / "large.png"  # read for frames of at most 256 pixels: scaled first, the same colours
    Image.fromarray(pixels.repeat(8, axis=0).repeat(8, axis=1)).save(large, icc_profile=display_p3)
    frame = read_photo(large, max_size=256)
    assert frame.image.shape == (128, 256, 3) and frame.scaled_from == (1024, 512)
    assert np.abs(frame.image[..., ::-1][:, :120].astype(int) - srgb[32, 8]).max() <= 1
    assert np.abs(frame.image[..., ::-1][:, 136:].astype(int) - red).max() <= 1
    damaged = tmp_path / "damaged.png"
    Image.fromarray(pixels).save(damaged, icc_profile=display_p3[:200])  # a profile cut short: the pixels as they are
    assert (read_still(damaged)[..., ::-1] == pixels).all()


def test_a_photo_with_transparent_parts_is_read_over_white_and_said_to_be(faces_dir, speech, tmp_path):
    import cv2
    from PIL import Image

    from lipsync.video import TRANSPARENT_NOTE, read_still

    photo = cv2.imread(str(faces_dir / "painting_pearl_earring.jpg"))
    junk = np.random.default_rng(0).integers(0, 256, photo.shape, dtype=np.uint8)
    alpha = np.full(photo.shape[:2], 255, np.uint8)
    alpha[:, :40], alpha[:, 40:80] = 0, 128  # a cut-out's background, and its soft edge
    hidden = np.where(alpha[..., None] == 255, photo, junk)  # what such files keep under their transparent parts
    cut_out = tmp_path / "cut_out.png"
    cv2.imwrite(str(cut_out), np.dstack([hidden, alpha]))
    read = read_still(cut_out).astype(int)
    assert (read[:, :40] == 255).all() and (read[:, 80:] == photo[:, 80:]).all()
    assert np.abs(read[:, 40:80] - (hidden[:, 40:80].astype(int) * 128 / 255 + 255 * 127 / 255)).max() <= 1
    palette = tmp_path / "palette.png"  # a transparent colour instead of an alpha channel
    pixels = Image.new("P", (64, 64), 0)
    pixels.putpalette([0, 0, 0, 255, 0, 0])  # black (made transparent), red
    pixels.paste(1, (32, 0, 64, 64))
    pixels.save(palette, transparency=0)
    assert (read_still(palette)[:, :32] == 255).all() and (read_still(palette)[:, 32:] == (0, 0, 255)).all()
    result = lipsync_run(cut_out, speech[: int(0.4 * SAMPLE_RATE)], tmp_path / "out.mp4", phones=[("AA", 0.1, 0.3)])
    assert TRANSPARENT_NOTE in result.notes
    assert next(iter_frames(result.path))[:, 4:32].mean() > 250  # white, not the noise the file hides


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [
        (".webm", ["-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", "-b:v", "1M"]),
        (".mov", ["-c:v", "prores_ks", "-profile:v", "4444", "-pix_fmt", "yuva444p10le"]),
        (".png", ["-c:v", "apng", "-pix_fmt", "rgba", "-f", "apng"]),
        (".mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),  # none: read as it was
    ],
)
def test_a_video_with_transparent_parts_is_read_over_white_and_said_to_be(tmp_path, suffix, codec):
    """A VP9 WebM with alpha, a ProRes 4444 or an animated PNG had come out black where they are transparent, without
    a word, where a photo's transparent parts are white and said to be."""
    from lipsync.video import TRANSPARENT_NOTE, FrameSource, open_face, sample_frames

    video = tmp_path / f"cut_out{suffix}"
    card = "testsrc2=size=128x128:rate=25:duration=0.4,format=rgba"
    card += ",geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='255*lt(Y,64)'"  # its lower half transparent
    ffmpeg("-f", "lavfi", "-i", card, *codec, str(video))
    transparent = suffix != ".mp4"
    assert probe(video).alpha == transparent
    face = open_face(video, 1920)
    with FrameSource(face, 25.0, 10) as source:
        frames = [frame for _, frame in source]
        notes = source.notes
    assert all(frame.shape == (128, 128, 3) for frame in frames)
    plain = list(iter_frames(video, 25.0))  # as every video had been read: its transparent parts black
    assert (np.array([frame[64:].mean() for frame in frames]) > 250).all() == transparent
    assert all((frame[:64].astype(int) - decoded[:64]).std() < 2 for frame, decoded in zip(frames, plain))
    assert transparent or all((frame == decoded).all() for frame, decoded in zip(frames, plain))
    assert (TRANSPARENT_NOTE in notes) == transparent
    assert (sample_frames(face, 2)[0][64:].mean() > 250) == transparent  # the check for a face sees what the clip shows


@pytest.mark.parametrize("mode", ["RGBA", "P"])
def test_a_picture_that_is_entirely_transparent_is_said_to_be(faces_dir, tmp_path, mode):
    """Laid over white it is a blank page, which had been "no face found ... well lit and not too small"."""
    from PIL import Image

    from lipsync.video import read_still

    picture = Image.open(faces_dir / "painting_pearl_earring.jpg").convert(mode)
    path = tmp_path / "clear.png"
    if mode == "RGBA":
        picture.putalpha(0)
        picture.save(path)
    else:
        picture.paste(0, (0, 0, *picture.size))
        picture.save(path, transparency=0)
    with pytest.raises(InputError, match="clear.png is entirely transparent: there is nothing to see in it; give a"):
        read_still(path)


def test_a_photo_lying_on_its_side_speaks_with_its_own_mouth_and_comes_back_as_it_was(faces_dir, speech, tmp_path):
    import cv2

    from lipsync.face import upright_turns
    from lipsync.video import SIDEWAYS_NOTE, read_still

    photo = cv2.resize(read_still(faces_dir / "painting_mona_lisa.jpg"), (360, 640), interpolation=cv2.INTER_AREA)
    assert upright_turns(photo) == 0
    for k in (1, 2, 3):
        assert upright_turns(np.ascontiguousarray(np.rot90(photo, k))) == (4 - k) % 4
    sideways = tmp_path / "sideways.png"  # as a phone saves a picture without its orientation tag
    cv2.imwrite(str(sideways), np.rot90(photo))
    silence = np.zeros(int(0.4 * SAMPLE_RATE), np.float32)
    audio = np.concatenate([silence, speech[: int(0.6 * SAMPLE_RATE)], silence])
    phones = [("SIL", 0.0, 0.4), ("AA", 0.4, 1.0), ("SIL", 1.0, 1.4)]
    result = lipsync_run(sideways, audio, tmp_path / "out.mp4", phones=phones)
    assert SIDEWAYS_NOTE in result.notes and (result.width, result.height) == (640, 360)
    frames = [np.rot90(frame, -1) for frame in iter_frames(result.path, 25)]  # upright again, to measure
    assert frames[0].shape == photo.shape
    with FaceTracker() as tracker:
        shut, wide = (mouth_opening(tracker.track(np.ascontiguousarray(frames[i])).landmarks) for i in (3, 17))
    assert wide > shut + 0.1  # the mouth opened where the mouth is (FaceMesh on the sideways photo put it on an eye)


def test_a_video_damaged_in_the_middle_is_said_to_be(faces_dir, speech, tmp_path):
    clean, damaged = tmp_path / "clean.mp4", tmp_path / "damaged.mp4"
    ffmpeg("-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "2", "-vf", "scale=256:256", "-an", str(clean))
    data = bytearray(clean.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    damaged.write_bytes(bytes(data))  # as a copy interrupted and resumed, or a failing card, leaves it
    audio = speech[: int(1.5 * SAMPLE_RATE)]
    for video, damage in ((clean, False), (damaged, True)):
        result = lipsync_run(video, audio, tmp_path / f"out_{video.stem}.mp4", phones=[("AA", 0.2, 1.2)])
        assert any(note.startswith("the video is damaged (ffmpeg: ") for note in result.notes) == damage


def test_a_video_ffmpeg_gives_up_on_is_refused_unless_damage_is_taken(faces_dir, tmp_path):
    """Most of its frames damaged, ffmpeg stops with an error after decoding them: a read that takes no damage (a
    dub's) had gone on silently with broken frames; a read that takes it (a lip-sync's) is told."""
    clean, damaged = tmp_path / "clean.mp4", tmp_path / "damaged.mp4"
    ffmpeg("-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "2", "-vf", "scale=256:256", "-an", str(clean))
    data = bytearray(clean.read_bytes())
    start, end = int(len(data) * 0.3), int(len(data) * 0.95)
    data[start:end] = np.random.default_rng(1).integers(0, 256, end - start, dtype=np.uint8).tobytes()
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"could not decode all of the video in .*damaged\.mp4: .*undamaged copy") as e:
        list(iter_frames(damaged))
    assert "Decode error rate" in e.value.detail
    told: list[str] = []
    assert len(list(iter_frames(damaged, on_damage=told.append))) > 0 and told
    assert len(list(iter_frames(clean))) == 50


def test_a_file_ffmpeg_reads_nothing_of_in_time_is_named(speech, monkeypatch, tmp_path, capsys):
    """On a network folder that does not answer: the command line had ended in "internal error (TimeoutExpired)"."""
    from pipeline.cli import main

    face, audio = tmp_path / "face.mp4", tmp_path / "speech.wav"
    face.write_bytes(b"\0" * 1000)
    save_audio(audio, speech, SAMPLE_RATE)
    real = subprocess.run

    def hanging(command, *args, **options):
        if str(face) in command:
            raise subprocess.TimeoutExpired(command, options.get("timeout"))
        return real(command, *args, **options)

    monkeypatch.setattr(subprocess, "run", hanging)
    with pytest.raises(InputError, match=r"could not read .*face\.mp4: ffmpeg got nothing from it in 60 s"):
        probe(face)
    out = tmp_path / "out.mp4"
    assert main(["lipsync", "--face", str(face), "--audio", str(audio), "-o", str(out), "--i-have-consent"]) == 1
    said = capsys.readouterr().err
    assert "face.mp4: ffmpeg got nothing from it in 60 s" in said and "copy it to a local disk" in said
    assert not out.exists()


def test_an_animation_damaged_after_its_first_pictures_is_read_and_said_to_be_damaged(tmp_path):
    """An animated PNG whose first pictures are intact and the rest damaged (ffmpeg decodes 3 of its 10, then stops
    with an error) had been refused as "not a media file ffmpeg can decode, or it is corrupt" as its pictures were
    counted: it is read as far as ffmpeg goes, and said to be damaged, as a damaged video is."""
    import zlib

    from core.ffmpeg import DAMAGE_IN_CLIP
    from lipsync.video import FrameSource, open_face

    made = tmp_path / "made.png"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=1", "-plays", "0", "-f", "apng", str(made))
    data, damaged, at, pictures = made.read_bytes(), bytearray(made.read_bytes()[:8]), 8, 0
    while at < len(data):  # each chunk: length, type, data, CRC; the pictures' data after the third's garbled
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], bytearray(data[at + 8 : at + 8 + length])
        pictures += kind == b"fcTL"
        if kind == b"fdAT" and pictures > 3:
            body[6::3] = bytes(byte ^ 0x55 for byte in body[6::3])
        damaged += struct.pack(">I", length) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        at += 12 + length
    animation = tmp_path / "face.png"
    animation.write_bytes(bytes(damaged))
    counted = subprocess.run([ffmpeg_exe(), "-i", str(animation), "-f", "null", "-"], capture_output=True)
    assert counted.returncode != 0 and b"frame=    3 " in counted.stderr  # 3 pictures decoded, then an error
    info = probe(animation)
    assert info.demuxer == "apng" and not info.is_still and info.duration == pytest.approx(0.3)
    with FrameSource(open_face(animation, 1920), 25.0, 10) as source:
        frames = [frame for _, frame in source]
        notes = source.notes
    assert len(frames) == 10
    assert any(note.startswith("the video is damaged (ffmpeg: ") and note.endswith(DAMAGE_IN_CLIP) for note in notes)


def test_an_animation_ffmpeg_fails_to_count_is_refused(faces_dir, monkeypatch, tmp_path):
    """Its pictures counted with an error (ffmpeg's exit code), it had been taken for a video of none."""
    from PIL import Image

    gif = tmp_path / "face.gif"
    face = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB").resize((120, 160))
    face.save(gif, save_all=True, append_images=[face.rotate(2)], duration=100)
    assert not probe(gif).is_still
    real = subprocess.run

    def failing(command, *args, **options):
        if "null" in command:
            return subprocess.CompletedProcess(command, 1, b"", b"[gif @ 0x1f] Cannot allocate memory\n")
        return real(command, *args, **options)

    monkeypatch.setattr(subprocess, "run", failing)
    with pytest.raises(InputError, match=r"could not read .*face\.gif: not a media file") as e:
        probe(gif)
    assert e.value.detail == "Cannot allocate memory"


def test_an_ffmpeg_that_cannot_list_its_filters_says_so(tmp_path):
    """It had been said to have no zscale, and an HDR video's colours to come out dull for that."""
    from core.errors import VoxlipError
    from core.ffmpeg import filter_names

    broken = tmp_path / "ffmpeg"
    broken.write_text("#!/bin/sh\necho 'error while loading shared libraries: libc.so.6' >&2\nexit 127\n")
    broken.chmod(0o755)
    with pytest.raises(VoxlipError, match="could not list its filters .*pip install --force-reinstall") as e:
        filter_names(str(broken))
    assert "libc.so.6" in e.value.detail


def test_a_face_in_a_panorama_is_found(faces_dir):
    """BlazeFace sees a frame at 192x192: in a banner 8000x500 a face 281 pixels wide is 7 pixels, and was not found."""
    import cv2

    from lipsync.face import FaceDetector
    from lipsync.video import read_still

    face = cv2.resize(read_still(faces_dir / "painting_mona_lisa.jpg"), (281, 500), interpolation=cv2.INTER_AREA)
    detector = FaceDetector()
    try:
        for width, height in ((8000, 500), (4000, 500), (500, 6000)):  # banners, and a tall strip
            strip = np.full((height, width, 3), 128, np.uint8)
            left, top = (width // 3, 0) if width > height else (100, height // 3)
            strip[top : top + 500, left : left + 281] = face
            (box,) = detector(strip)
            assert left < (box[0] + box[2]) / 2 < left + 281 and top < (box[1] + box[3]) / 2 < top + 250
    finally:
        detector.close()


def test_photo_speaks_offline_with_mouth_closed_in_silence(faces_dir, speech, tmp_path):
    silence = np.zeros(int(0.6 * SAMPLE_RATE), dtype=np.float32)
    audio = np.concatenate([silence, speech, silence])
    phones = [
        ("SIL", 0.0, 0.6),
        ("B", 0.6, 0.7),
        ("AA", 0.7, 1.1),
        ("M", 1.1, 1.2),
        ("AA", 1.2, 1.7),
        ("SIL", 1.8, 2.4),
    ]
    result = lipsync_run(faces_dir / "painting_mona_lisa.jpg", audio, tmp_path / "out.mp4", phones=phones)
    assert result.components == (BLAZEFACE_AND_MESH, ANIMATOR, LIVING)  # the phones were given
    assert (result.width, result.height) == (720, 1280) and result.fps == 25
    checked_mp4(result.path, len(audio) / SAMPLE_RATE, 25)
    openings = []
    with FaceTracker() as tracker:
        for frame in iter_frames(result.path, 25):
            face = tracker.track(frame)
            openings.append(mouth_opening(face.landmarks))
    openings = np.array(openings)
    assert openings[:13].max() < 0.06 and openings[-13:].max() < 0.06  # silence: closed
    assert openings[19:26].max() > 0.15  # the first "aa"


def test_pocketsphinx_drives_the_offline_renderer(clips, speech, tmp_path):
    result = lipsync_run(clips["short"], speech, tmp_path / "out.mp4")
    assert result.components[0] == BLAZEFACE_AND_MESH and result.components[-1] == PHONE_RECOGNIZER
    assert OWN_FRAMES in result.components  # a talking video: its own mouths
    checked_mp4(result.path, result.duration, result.fps)


def test_face_leaving_the_frame_passes_through(clips, speech, tmp_path):
    audio = np.concatenate([speech, speech[: SAMPLE_RATE // 2]])
    result = lipsync_run(clips["leaves"], audio, tmp_path / "out.mp4", phones=[("AA", 0.0, 1.7)])
    assert 0 < result.frames_without_face < result.frames
    checked_mp4(result.path, result.duration, 25)
    last_in, last_out = list(iter_frames(clips["leaves"], 25))[-1], list(iter_frames(result.path, 25))[-1]
    assert np.abs(last_in.astype(int) - last_out.astype(int)).mean() < 4  # untouched (but re-encoded)


def test_two_faces_largest_by_default_or_chosen(clips, speech, tmp_path):
    phones = [("AA", 0.0, 1.2)]
    left = lipsync_run(clips["two_faces"], speech, tmp_path / "left.mp4", LipsyncOptions(face_index=0), phones=phones)
    right = lipsync_run(clips["two_faces"], speech, tmp_path / "right.mp4", LipsyncOptions(face_index=1), phones=phones)
    source = list(iter_frames(clips["two_faces"], 25))[12].astype(int)
    for result, changed_half in ((left, 0), (right, 1)):
        assert result.frames_without_face == 0
        frame = list(iter_frames(result.path, 25))[12].astype(int)
        above_label = int(0.85 * frame.shape[0])  # the AI-generated label sits in the bottom-right corner
        diff = np.abs(frame[:above_label] - source[:above_label])
        halves = [diff[:, :480].mean(), diff[:, 480:].mean()]
        assert halves[changed_half] > halves[1 - changed_half]
    with pytest.raises(InputError, match="face number 5"):
        lipsync_run(clips["two_faces"], speech, tmp_path / "none.mp4", LipsyncOptions(face_index=5), phones=phones)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["left.mp4", "right.mp4"]  # no none.mp4, no temporary


@pytest.mark.parametrize(
    "clip, size, seconds",
    [
        ("portrait", (720, 1280), 1.0),
        ("rotated", (1280, 720), 1.0),
        ("odd", (481, 361), 1.0),
        ("uhd", (3840, 2160), 0.4),
    ],
)
def test_portrait_rotated_odd_and_4k(clips, speech, tmp_path, clip, size, seconds):
    audio = speech[: int(seconds * SAMPLE_RATE)]
    options = LipsyncOptions(max_size=3840)  # 4K as it is (by default it is scaled down: the next test)
    result = lipsync_run(clips[clip], audio, tmp_path / "out.mp4", options, phones=[("AA", 0.1, 0.3)])
    assert (result.width, result.height) == size and result.scaled_from is None
    assert result.frames_without_face == 0
    checked_mp4(result.path, seconds, result.fps)
    out = probe(result.path)
    assert (out.width, out.height) == (size[0] // 2 * 2, size[1] // 2 * 2)


def test_frames_over_the_size_limit_are_scaled_down(clips, speech, tmp_path):
    audio = speech[: int(0.4 * SAMPLE_RATE)]
    result = lipsync_run(clips["uhd"], audio, tmp_path / "out.mp4", phones=[("AA", 0.1, 0.3)])
    assert result.scaled_from == (3840, 2160) and (result.width, result.height) == (1920, 1080)
    assert result.frames_without_face == 0
    out = probe(result.path)
    assert (out.width, out.height) == (1920, 1080)


def test_an_hdr_video_is_tone_mapped_to_sdr_and_said_to_be(faces_dir, speech, tmp_path):
    levels = (0.38, 0.75, 1.0)  # HLG's 18% grey, reference white and peak (ITU-R BT.2408)
    luma = np.repeat(np.round(64 + np.array(levels) * 876), 64).astype("<u2")  # 10-bit, TV range
    planes = np.tile(luma, 64).tobytes() + np.full(32 * 96 * 2, 512, "<u2").tobytes()  # grey: neutral chroma
    patches = tmp_path / "patches.mkv"
    tags = "setparams=color_primaries=bt2020:color_trc=arib-std-b67:colorspace=bt2020nc:range=tv"
    raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p10le", "-s", "192x64", "-r", "25", "-i", "-"]
    subprocess.run([ffmpeg_exe(), "-v", "error", *raw, "-vf", tags, "-c:v", "ffv1", str(patches)], input=planes * 3)
    grey, white, peak = next(iter_frames(patches))[32, 32::64, 1]
    assert 100 <= grey <= 118 and 235 <= white < peak  # as they were: 95 and 189, darker than SDR's
    hlg = tmp_path / "hlg.mp4"  # a talking face tagged as an iPhone's HDR video is (HLG, BT.2020)
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an"]
    ffmpeg("-i", str(faces_dir / "talking_man_25fps.mp4"), "-t", "1", "-vf", tags, *h264, str(hlg))
    assert probe(hlg).is_hdr and not probe(faces_dir / "talking_man_25fps.mp4").is_hdr
    result = lipsync_run(hlg, speech[: int(0.4 * SAMPLE_RATE)], tmp_path / "out.mp4", phones=[("AA", 0.1, 0.3)])
    assert any("HDR (HLG or PQ): its frames were tone-mapped to SDR" in note for note in result.notes)


def test_an_hdr_video_without_zscale_to_tone_map_it_says_how_to_record_sdr(monkeypatch):
    import core.ffmpeg

    hlg = core.ffmpeg.MediaInfo(Path("hlg.mp4"), True, False, False, transfer="arib-std-b67")
    assert core.ffmpeg.hdr_notes(hlg) == (core.ffmpeg.HDR_NOTE,)
    assert {"scale", "zscale", "tonemap"} <= core.ffmpeg.filter_names(core.ffmpeg.executable())
    monkeypatch.setattr(core.ffmpeg, "filter_names", lambda ffmpeg: frozenset({"scale"}))
    assert core.ffmpeg.tone_mapping(hlg) == []
    assert "HDR Video off" in core.ffmpeg.hdr_notes(hlg)[0]


def test_pixels_that_are_not_square_are_shown_at_the_display_size(faces_dir, speech, tmp_path):
    anamorphic = tmp_path / "anamorphic.mp4"  # stored 270 pixels wide, shown 480 wide (as DV and broadcast video)
    h264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an"]
    ffmpeg(
        "-i",
        str(faces_dir / "talking_man_25fps.mp4"),
        "-t",
        "1",
        "-vf",
        "scale=270:480,setsar=16/9",
        *h264,
        str(anamorphic),
    )
    info = probe(anamorphic)
    assert (info.width, info.height, info.coded_size) == (480, 480, (270, 480))
    assert next(iter_frames(anamorphic, 25)).shape == (480, 480, 3)
    audio = speech[: int(0.4 * SAMPLE_RATE)]
    result = lipsync_run(anamorphic, audio, tmp_path / "out.mp4", phones=[("AA", 0.1, 0.3)])
    assert (result.width, result.height) == (480, 480) and result.frames_without_face == 0
    out = probe(result.path)
    assert (out.width, out.height, out.coded_size) == (480, 480, None)


def test_a_video_shorter_than_the_audio_read_at_a_lower_rate_than_its_own_is_played_back_and_forth(
    clips, speech, tmp_path
):
    """Its frames read at the output's rate had been counted against its frames at its own: a 1 s 25 fps video read at
    5 fps for 4 s of speech was refused as truncated ("ends after 1.0 s of the 1.0 s its header announces")."""
    audio = np.tile(speech, 4)[: 4 * SAMPLE_RATE]
    result = lipsync_run(clips["short"], audio, tmp_path / "out.mp4", LipsyncOptions(fps=5), phones=[])
    assert result.fps == 5 and result.frames == 20
    checked_mp4(result.path, result.duration, 5)


@pytest.mark.parametrize(
    "options, seconds, said",
    [
        (
            LipsyncOptions(fps=10),
            4,
            "the video (1.0 s) is shorter than the speech (4.0 s): it plays forward, then backward, to cover it",
        ),
        (
            LipsyncOptions(fps=10, replay_cache_bytes=1024**2),
            4,
            "the video (1.0 s) is shorter than the speech (4.0 s): it starts again from its first frame (too large to "
            "play backward: over 1 MB of frames)",
        ),
        (
            LipsyncOptions(fps=10, loop="loop"),
            4,
            "the video (1.0 s) is shorter than the speech (4.0 s): it starts again from its first frame",
        ),
        (LipsyncOptions(fps=10), 1, None),  # the same length
    ],
)
def test_a_video_shorter_than_the_speech_says_how_it_covers_it(clips, speech, tmp_path, options, seconds, said):
    """A video shorter than the speech had been played back and forth or looped without a word."""
    audio = np.tile(speech, 4)[: seconds * SAMPLE_RATE]
    result = lipsync_run(clips["short"], audio, tmp_path / "out.mp4", options, phones=[])
    covering = [note for note in result.notes if note.startswith("the video (")]
    assert covering == ([said] if said else []), result.notes


def test_a_video_longer_than_the_speech_and_a_photo_say_nothing_of_it(faces_dir, speech, tmp_path):
    """A clip that ends with the speech is what a user expects: a note on every such clip would be noise."""
    result = lipsync_run(faces_dir / "talking_man_25fps.mp4", speech, tmp_path / "video.mp4", phones=[])
    assert not [note for note in result.notes if "speech" in note], result.notes
    photo = lipsync_run(faces_dir / "painting_pearl_earring.jpg", speech, tmp_path / "photo.mp4", phones=[])
    assert not [note for note in photo.notes if "speech" in note], photo.notes


def test_variable_frame_rate_is_resampled(clips, speech, tmp_path):
    result = lipsync_run(clips["vfr"], speech, tmp_path / "out.mp4", LipsyncOptions(fps=25), phones=[])
    assert result.fps == 25
    checked_mp4(result.path, result.duration, 25)
    assert (
        "25 fps"
        in subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(result.path)], capture_output=True).stderr.decode()
    )


def test_a_variable_frame_rate_video_speaks_at_the_rate_it_was_filmed_at(clips, speech, tmp_path):
    """Filmed at 25 fps, then frames dropped (as a phone does in dim light): 18.9 fps on average, which the clip had
    been made at, its mouth moving at that rate. At 25 each of its frames is shown at its time, the one before a gap
    repeated (the head stands still there), the mouth moving on every frame."""
    assert probe(clips["vfr"]).fps == 25
    result = lipsync_run(clips["vfr"], speech, tmp_path / "out.mp4", phones=[])
    assert result.fps == 25 and result.frames == round(speech.size / SAMPLE_RATE * 25)
    above_mouth = (slice(0, 120), slice(None))  # the video's own pixels there, whatever the lip-sync draws
    made = np.stack([frame[above_mouth].astype(float) for frame in iter_frames(result.path)])
    source = np.stack([frame[above_mouth].astype(float) for frame in iter_frames(clips["vfr"], 25)])[: len(made)]
    distance = np.array([[np.abs(frame - shown).mean() for shown in source] for frame in made])  # made to source
    # frame i shows source frame i, at its time: none nearer by more than H.264's noise (0.1 where the head is still)
    assert (distance.diagonal() <= distance.min(axis=1) + 0.2).all(), distance.argmin(axis=1)
    assert (np.abs(np.diff(source, axis=0)).mean(axis=(1, 2, 3)) == 0).any()  # a gap filled by repeating a frame


@pytest.mark.parametrize(
    "rates, fps",
    [
        ("yuv420p(tv, bt709, progressive), 1920x1080, 29.50 fps, 30 tbr, 15360 tbn", 30),  # a phone's, frames dropped
        ("yuv420p(tv, bt709, progressive), 640x480, 29.40 fps, 1k tbr, 1k tbn", 29.4),  # a time base, not a rate
        ("yuv420p(top first), 720x576, 25 fps, 50 tbr, 90k tbn", 25),  # fields, not frames
        ("yuv420p(tv, progressive), 640x480, 25 tbr, 1k tbn", 25),  # no average given
        ("yuv420p(tv, progressive), 1920x1080, 23.98 fps, 23.98 tbr, 24k tbn", 24000 / 1001),  # NTSC's, rounded
        ("yuv420p(tv, progressive), 640x480, 14.99 fps, 14.99 tbr, 15k tbn", 15000 / 1001),
        ("yuv420p(tv, progressive), 640x480, 59.94 fps, 59.94 tbr, 60k tbn", 60000 / 1001),
    ],
)
def test_a_videos_frame_rate_is_the_rate_its_frames_were_taken_at(rates, fps):
    header = f"Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':\n  Stream #0:0: Video: h264 (High), {rates} (default)\n"
    assert parse_header(Path("a.mp4"), header).fps == fps


def test_a_video_at_23_976_fps_is_read_and_written_at_exactly_that_rate(tmp_path):
    """A 24000/1001 fps video's frames are read and written at 24000/1001 (1001 ticks of 1/24000 s each): ffmpeg's
    header rounds it to 23.98, at which it had been made (800 ticks of 1/19184 s), 175 ppm fast."""
    from fractions import Fraction

    from core.ffmpeg import run as ffmpeg_run
    from core.ffmpeg import write_video

    def frame_times(path: Path) -> tuple[int, set[Fraction]]:
        said = ffmpeg_run(["-i", str(path), "-map", "0:v", "-c", "copy", "-f", "framemd5", "-"], "list frames").decode()
        base = Fraction(said.split("#tb 0: ")[1].split()[0])
        rows = [line.split(",") for line in said.splitlines() if line.startswith("0,")]
        return len(rows), {base * int(row[3]) for row in rows}

    made = tmp_path / "ntsc.mp4"
    source = ["-f", "lavfi", "-i", "testsrc=size=64x64:rate=24000/1001:duration=2", "-c:v", "libx264"]
    ffmpeg_run([*source, str(made)], "make a 23.976 fps video")
    assert frame_times(made)[1] == {Fraction(1001, 24000)}
    fps = probe(made).fps
    assert fps == 24000 / 1001
    frames = [frame[..., ::-1] for frame in iter_frames(made, fps)]
    assert len(frames) == frame_times(made)[0]
    assert frame_times(write_video(tmp_path / "out.mp4", frames, fps)) == (len(frames), {Fraction(1001, 24000)})


@pytest.mark.parametrize("height, colours", [(512, "yuv420p(tv, smpte170m/bt709/bt709"), (720, "yuv420p(tv, bt709,")])
def test_a_written_video_keeps_its_frames_colours_and_says_which_they_are(faces_dir, tmp_path, height, colours):
    import cv2

    frames = [
        cv2.resize(frame, (height, height), interpolation=cv2.INTER_AREA)
        for frame in iter_frames(faces_dir / "talking_woman_30fps.mp4", max_frames=3)
    ]
    with Mp4Writer(tmp_path / "out.mp4", height, height, 30.0) as writer:
        for frame in frames:
            writer.write(frame)
    exactly = ["-sws_flags", "accurate_rnd+full_chroma_int", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"]  # as browsers
    decoded = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", tmp_path / "out.mp4", *exactly], capture_output=True)
    error = np.frombuffer(decoded.stdout, np.uint8).reshape(-1, height, height, 3) - np.stack(frames).astype(np.float32)
    assert np.abs(error).mean() < 1.4  # ffmpeg's fast rounding: 1.65 ...
    assert np.abs(error.reshape(-1, 3).mean(0)).max() < 0.5  # ... darker by 1.66 in red
    read = np.stack(list(iter_frames(tmp_path / "out.mp4"))) - np.stack(frames).astype(np.float32)
    assert np.abs(read.reshape(-1, 3).mean(0)).max() < 0.5  # voxlip reads as exactly (fast: up to 1.46 darker)
    header = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(tmp_path / "out.mp4")], capture_output=True)
    assert colours in header.stderr.decode()  # the matrix a player guesses at that height, and sRGB's primaries


SHOWN_PIXELS = """async (name) => {
  const video = document.createElement("video");
  video.src = name;
  await new Promise((loaded) => video.addEventListener("loadeddata", loaded, { once: true }));
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
  const context = canvas.getContext("2d");
  for (let attempt = 0; attempt < 50; attempt++) {
    context.drawImage(video, 0, 0);
    const row = context.getImageData(0, canvas.height >> 1, canvas.width, 1).data;
    if (row[3] > 0 && row.some((value, i) => i % 4 !== 3 && value > 0)) return Array.from(row);
    await new Promise((later) => setTimeout(later, 20));
  }
  return [];
}"""
"""The middle row of a video's first frame as the browser shows it: RGBA values (none if it never drew one: a
decoder may say its data is loaded a moment before its first frame can be drawn, blank or black; no card here is
black)."""


def shown_rows(browser, folder: Path, names: list[str]) -> dict[str, np.ndarray]:
    """The middle row of each video's first frame as the browser shows it, RGB, the videos served from `folder`."""
    import functools
    import http.server
    import threading

    (folder / "page.html").write_text("<!doctype html><title>colours</title>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{server.server_port}/page.html")
        shown = {name: np.array(page.evaluate(SHOWN_PIXELS, name)).reshape(-1, 4)[:, :3] for name in names}
        assert all(len(row) for row in shown.values()), (
            f"Chromium drew no frame of {[n for n in names if not len(shown[n])]}"
        )
        return shown
    finally:
        server.shutdown()


CARD_COLOURS = np.array(
    [(200, 150, 125), (40, 200, 80), (220, 40, 40), (60, 120, 200), (128, 128, 128), (240, 200, 99)]
)


def colour_card(width: int, height: int) -> np.ndarray:
    """(height, width, 3) uint8 RGB: CARD_COLOURS as vertical stripes."""
    row = np.repeat(CARD_COLOURS, width // len(CARD_COLOURS) + 1, axis=0)[:width]
    return np.ascontiguousarray(np.broadcast_to(row, (height, width, 3)), dtype=np.uint8)


def stripe_centres(row: np.ndarray) -> np.ndarray:
    """The colour in the middle of each of colour_card's stripes, in a row of it."""
    width = len(row)
    return row[((np.arange(len(CARD_COLOURS)) + 0.5) * (width // len(CARD_COLOURS) + 1)).astype(int)]


def test_a_written_video_shows_in_a_browser_with_its_frames_colours(browser, tmp_path):
    sizes = {"sd.mp4": (512, 288), "hd.mp4": (1280, 720)}
    for name, (width, height) in sizes.items():
        with Mp4Writer(tmp_path / name, width, height, 25.0, pixel_format="rgb24") as writer:
            for _ in range(3):
                writer.write(colour_card(width, height))
    for name, row in shown_rows(browser, tmp_path, list(sizes)).items():
        assert np.abs(stripe_centres(row) - CARD_COLOURS).max() <= 6, name  # untagged, HD showed up to 22 levels off


@pytest.mark.parametrize("codec, suffix", [("libx264", ".mp4"), ("libvpx", ".webm"), ("libvpx-vp9", ".webm")])
def test_an_untagged_hd_video_comes_out_in_the_colours_a_browser_shows_it_in(browser, tmp_path, codec, suffix):
    card = colour_card(1280, 720).tobytes()
    encode = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "1280x720", "-r", "25", "-i", "-", "-frames:v", "3"]
    untagged = tmp_path / f"untagged{suffix}"  # ffmpeg's own default: BT.601's matrix, and no tag saying so
    encoded = subprocess.run(
        [ffmpeg_exe(), "-v", "error", *encode, "-pix_fmt", "yuv420p", "-c:v", codec, "-b:v", "8M", str(untagged)],
        input=card * 3,
    )
    assert encoded.returncode == 0 and probe(untagged).matrix == ""
    with Mp4Writer(tmp_path / "out.mp4", 1280, 720, 25.0, pixel_format="rgb24") as writer:
        for frame in iter_frames(untagged, pixel_format="rgb24"):
            writer.write(frame)
    shown = shown_rows(browser, tmp_path, [untagged.name, "out.mp4"])
    source, output = stripe_centres(shown[untagged.name]), stripe_centres(shown["out.mp4"])
    assert np.abs(output - source).max() <= 6  # H.264 or VP8 read as ffmpeg reads them (BT.601): up to 21 levels off


def test_video_without_audio_and_audio_from_a_file(clips, speech, tmp_path):
    audio = save_audio(tmp_path / "speech.wav", speech, SAMPLE_RATE)
    result = lipsync_run(clips["silent_video"], load_audio(audio), tmp_path / "out.mp4", phones=[])
    checked_mp4(result.path, len(speech) / SAMPLE_RATE, 25)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4", "speech.wav"]


@pytest.mark.parametrize("seconds", [0.4, 2.6])
def test_output_lasts_as_long_as_the_audio(clips, speech, tmp_path, seconds):
    audio = np.resize(speech, int(seconds * SAMPLE_RATE))  # 1 s video: cut, or played back and forth
    result = lipsync_run(clips["short"], audio, tmp_path / "out.mp4", phones=[])
    assert result.frames == round(seconds * 25)
    checked_mp4(result.path, seconds, 25)


def test_neural_path_feeds_the_generator_wav2lip_inputs(clips, speech, tmp_path):
    seen = []

    def generator(mel: torch.Tensor, faces: torch.Tensor) -> torch.Tensor:
        seen.append(
            (mel.shape, faces.shape, float(faces[:, :3, 48:].abs().max()), float(faces[:, 3:, 48:].abs().max()))
        )
        return torch.zeros(faces.shape[0], 3, 96, 96)  # a black mouth: easy to find

    options = LipsyncOptions(batch_size=8, blend=BlendConfig(colour_match=False))
    result = lipsync_run(clips["short"], speech, tmp_path / "out.mp4", options, generator=generator)
    assert [c.role for c in result.components] == ["face tracking", "lip-sync"] and result.components[1].neural
    assert sum(s[1][0] for s in seen) == result.frames
    for mel_shape, face_shape, masked_max, reference_max in seen:
        assert mel_shape[1:] == (1, 80, 16) and face_shape[1:] == (6, 96, 96)
        assert masked_max == 0.0 and reference_max > 0.1
    checked_mp4(result.path, result.duration, 25)
    source = next(iter_frames(clips["short"], 25, max_frames=1)).astype(int)
    with FaceTracker() as tracker:
        face = tracker.track(source.astype(np.uint8))
    out = next(iter_frames(result.path, 25, max_frames=1)).astype(int)
    x1, y1, x2, y2 = (int(v) for v in face.box)
    mouth_y = int(face.landmarks[13, 1])
    assert (
        out[mouth_y - 3 : mouth_y + 3, (x1 + x2) // 2].mean()
        < source[mouth_y - 3 : mouth_y + 3, (x1 + x2) // 2].mean() - 30
    )
    assert np.abs(out[: y1 + 20] - source[: y1 + 20]).mean() < 3  # above the face: untouched


def test_unknown_precision_is_refused(clips, speech, tmp_path):
    with pytest.raises(InputError, match="precision"):
        lipsync_run(clips["short"], speech, tmp_path / "out.mp4", LipsyncOptions(precision="fp8"), phones=[])
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("field", ["offline_threads", "index_threads"])
def test_no_threads_at_all_is_refused(field):
    with pytest.raises(InputError, match=f"{field} 0: give at least 1"):
        LipsyncOptions(**{field: 0})


@pytest.mark.parametrize(
    "options, message",
    [
        ({"pads": (0, 10, 0)}, "give four whole numbers of pixels"),  # had failed mid-run: not enough values to unpack
        ({"pads": (0, 1.5, 0, 0)}, "give four whole numbers of pixels"),
        ({"batch_size": 2.5}, "batch_size 2.5: give a whole number"),  # had held the whole video in one batch
        ({"batch_size": 0}, "batch_size 0: give a whole number of frames, at least 1"),  # had become 1
        ({"fps": 0}, r"fps=0 \(--fps\) is out of range: give a frame rate between 1 and 120"),  # had failed in a run
        ({"fps": -5.0}, "fps=-5.0 .* out of range"),
        ({"fps": 1000}, "fps=1000 .* out of range"),
        ({"fps": float("nan")}, "fps=nan .* out of range"),
        ({"fps": "30"}, "fps='30' .* out of range"),
        # had been overridden by the top-level pads and face_index without a word: one setting, one name
        (
            {"face": FaceOptions(face_index=1)},
            r"face=FaceOptions\(face_index=1\) would be overridden .* LipsyncOptions\(face_index=1\) \(--face-index\)",
        ),
        ({"face": FaceOptions(pads=(0, 20, 0, 0))}, r"set it there, LipsyncOptions\(pads=\(0, 20, 0, 0\)\) \(--pads\)"),
    ],
)
def test_options_a_run_cannot_use_are_refused_when_made(options, message):
    with pytest.raises(InputError, match=message):
        LipsyncOptions(**options)


def test_a_face_given_back_with_the_runs_own_pads_and_face_index_is_taken():
    """A face made from face_options (the run's pads and face_index in it) had been refused as overriding them."""
    options = LipsyncOptions(pads=(0, 20, 0, 0), face_index=1)
    changed = dataclasses.replace(options.face_options, min_detection_confidence=0.3)
    assert dataclasses.replace(options, face=changed).face_options == changed


def test_help_on_lipsync_options_names_the_fields_most_set_and_where_each_is_described():
    """help(LipsyncOptions) had shown only the generated signature: the fields' docstrings are not in it."""
    import dataclasses
    import pydoc

    shown = pydoc.render_doc(LipsyncOptions, renderer=pydoc.plaintext)
    most_set = shown.split("Most set: ")[1].split(" (")[0].split(", ")
    assert most_set == ["fps", "face_index", "pads", "loop", "still", "seed", "precision", "max_size"]
    assert set(most_set) <= {field.name for field in dataclasses.fields(LipsyncOptions)}
    assert "lipsync/options.py" in shown


@pytest.mark.parametrize("emulated", [True, False])
def test_wav2lip_says_what_its_precision_costs_and_that_still_does_nothing(monkeypatch, emulated):
    """bfloat16 on a CPU without its instructions had made a clip 4x slower without a word; --still was ignored."""
    import voice.precision
    from lipsync.renderer import make_renderer

    monkeypatch.setattr(voice.precision, "bfloat16_is_emulated", lambda: emulated)
    assert make_renderer(LipsyncOptions(), generator=object()).notes == ()
    notes = make_renderer(LipsyncOptions(precision="bfloat16", still=True), generator=object()).notes
    assert ("many times slower than float32 here" in notes[0]) == emulated
    assert ("(faster;" in notes[0]) != emulated
    assert notes[1].startswith("--still does nothing with Wav2Lip")


def test_the_stage_takes_integer_samples_as_the_pipeline_does_and_refuses_no_samples(faces_dir, speech, tmp_path):
    """lipsync.engine.run had taken int16 samples as floats: a soundtrack of clipped noise (RMS 0.92, not 0.025)."""
    from voice.audio import load_audio

    second = speech[:16_000]
    face = faces_dir / "painting_mona_lisa.jpg"
    made = [
        load_audio(lipsync_run(face, samples, tmp_path / f"{name}.mp4").path)
        for name, samples in (("float", second), ("int16", (second * 32767).astype(np.int16)))
    ]
    rms = [float(np.sqrt(np.mean(track**2))) for track in made]
    assert rms[1] == pytest.approx(rms[0], rel=0.02)
    with pytest.raises(InputError, match="no audio samples"):
        lipsync_run(face, np.zeros(0, np.float32), tmp_path / "empty.mp4")


def test_the_stage_takes_samples_only_with_their_rate(faces_dir, speech, tmp_path):
    """run had taken any array as 16 kHz samples and had no source_sr: 22.05 kHz speech was played slowed."""
    face = faces_dir / "painting_mona_lisa.jpg"
    options = LipsyncOptions()
    with pytest.raises(InputError, match="the audio was given as samples without their rate: pass their rate as"):
        run(face, speech, tmp_path / "out.mp4", make_renderer(options), options)
    assert not list(tmp_path.iterdir())
    at_48k = np.repeat(speech[: SAMPLE_RATE // 2], 3)
    result = run(face, at_48k, tmp_path / "out.mp4", make_renderer(options), options, source_sr=48_000)
    assert result.duration == pytest.approx(0.5, abs=0.05)


def test_no_face_found_by_a_detector_of_the_callers_names_it_and_the_default(faces_dir):
    """--face-detector s3fd finding nothing had been told "no face found in ...: give a photo or video of a person's
    face", as though the face were missing, not the detector's finding."""
    from core.components import Component
    from lipsync.engine import check_face

    class Blind:
        component = Component("face detection", "s3fd")

        def __call__(self, frame):
            return []

        def close(self):
            pass

    face = faces_dir / "talking_man_25fps.mp4"
    with pytest.raises(InputError) as refused:
        check_face(face, detector=Blind())
    assert in_command_line_words(str(refused.value)).startswith(
        f"no face found in {face} by s3fd (try the default detector: --face-detector blazeface): give a photo"
    ), refused.value
    with pytest.raises(InputError, match=r"by s3fd \(try the default detector: face_detector='blazeface'\)"):
        check_face(face, detector=Blind())
    check_face(face)  # the default finds it


def test_the_stage_never_overwrites_its_input_nor_writes_a_video_under_another_ending(clips, speech, tmp_path):
    """run(face, audio, face, ...) had replaced the input video with its output (the CLI refuses it), and a `.wav`
    name had been given an MP4; so had new/../face.mp4, through a folder not made yet."""
    from core.files import sha256_file

    face = tmp_path / "face.mp4"
    face.write_bytes(clips["short"].read_bytes())
    link = tmp_path / "link.mp4"
    link.symlink_to(face)
    audio = save_audio(tmp_path / "speech.wav", speech, SAMPLE_RATE)
    before = sha256_file(face)
    options = LipsyncOptions()
    through_new_folder = tmp_path / "new" / ".." / "face.mp4"
    for out, face_given, audio_given in (
        (face, face, speech),
        (link, face, speech),
        (audio, face, audio),
        (through_new_folder, face, speech),
    ):
        with pytest.raises(InputError, match=r"is also an input \(.*\): voxlip never overwrites its inputs"):
            run(
                face_given,
                audio_given,
                out,
                make_renderer(options),
                options,
                source_sr=SAMPLE_RATE if out != audio else None,
            )
    with pytest.raises(InputError, match=r"k\.wav: voxlip writes video as \.mp4; give a file name ending in \.mp4"):
        run(face, speech, tmp_path / "k.wav", make_renderer(options), options, source_sr=SAMPLE_RATE)
    assert sha256_file(face) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["face.mp4", "link.mp4", "speech.wav"]


def test_a_face_index_out_of_range_is_refused_in_words_for_one_face_and_for_several():
    """ "shows at most 1 face(s): give a face index from 0 to 0" had been said of a photo of one face."""
    from lipsync.face import FaceOptions, most_faces

    with pytest.raises(InputError) as refused:
        most_faces([1, 1], FaceOptions(face_index=2), "mona.jpg")
    assert str(refused.value) == "face index 2 asked, but mona.jpg shows 1 face: give face index 0, or leave it out"
    with pytest.raises(InputError) as refused:
        most_faces([2, 3], FaceOptions(face_index=3), "group.mp4")
    assert str(refused.value).endswith(
        "group.mp4 shows at most 3 faces in a frame: give a face index from 0 to 2 (counted from the left), or leave "
        "it out for the largest"
    )


def test_a_face_that_is_not_a_file_is_refused_naming_what_takes_it(tmp_path):
    """run(rgb_array, ...) had ended in pathlib's "TypeError: expected str, bytes or os.PathLike object, not
    ndarray"."""
    from lipsync.engine import check_face

    image = np.zeros((64, 64, 3), np.uint8)
    message = r"the face must be a video or photo file, given by its path, not an array: .* use pipeline\.Pipeline\(\)"
    with pytest.raises(InputError, match=message):
        run(image, np.zeros(16_000, np.float32), tmp_path / "out.mp4", None, LipsyncOptions(), source_sr=16_000)
    with pytest.raises(InputError, match="not an array"):
        check_face(image)
    assert not list(tmp_path.iterdir())
