"""Responsible-use layer: audio and frame marks, visible label, C2PA credentials, consent, provenance record."""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re
import shutil
import signal
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile
from PIL import Image

from core.bars import picture_in
from core.components import Component
from core.errors import InputError, VoxlipError
from core.ffmpeg import read_frames, write_video
from core.ffmpeg import run as run_ffmpeg
from core.files import InputData, InputFile, sha256_file
from core.version import __version__
from pipeline.outputs import ensured_audio_mark, finish_output, protect_frames
from pipeline.provenance import (
    AUDIO_MARK,
    CONSENT_STATEMENT,
    DEFAULT_LABEL,
    FRAME_MARK,
    ConsentError,
    FrameMarkConfig,
    LabelConfig,
    detect,
    detect_audio_mark,
    detect_frame_mark,
    draw_label,
    find_audio_mark,
    find_frame_mark,
    mark_audio,
    mark_frame,
    marked_audio,
    read_credentials,
    read_record,
    record_path,
    require_consent,
    sign_file,
)
from pipeline.provenance.credentials import COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA, TRAINED_ALGORITHMIC_MEDIA
from pipeline.provenance.record import sha256_text
from pipeline.stops import unwinding_on_stop
from voice.audio import save_audio


@pytest.fixture(autouse=True)
def _private_config(tmp_path_factory, monkeypatch):
    """Signing keys go to a throw-away config dir; no real certificate from the environment is used."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    for name in ("VOXLIP_C2PA_CERT", "VOXLIP_C2PA_KEY", "VOXLIP_C2PA_TRUST_ANCHORS", "VOXLIP_C2PA_TSA_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def speech(speech_files) -> tuple[np.ndarray, int]:
    wave, sr = soundfile.read(speech_files[0], dtype="float32")
    return wave, sr


@pytest.fixture(scope="module")
def face_frames(faces_dir) -> list[np.ndarray]:
    clip = faces_dir / "talking_man_25fps.mp4"
    if not clip.is_file():
        pytest.skip(f"{clip} is missing from the shared data")
    return list(read_frames(clip, max_frames=75, pixel_format="rgb24"))


def test_audio_mark_round_trip_on_real_speech(speech):
    wave, sr = speech
    marked = mark_audio(wave, sr)
    assert marked.shape == wave.shape and marked.dtype == np.float32
    snr = 10 * np.log10(np.sum(wave.astype(np.float64) ** 2) / np.sum((marked - wave).astype(np.float64) ** 2))
    assert snr > 18
    found = detect_audio_mark(marked, sr)
    assert found.detected and found.score >= AUDIO_MARK.threshold and found.confidence > 0.999
    clean = detect_audio_mark(wave, sr)
    assert not clean.detected and clean.score < AUDIO_MARK.threshold


def test_audio_mark_keeps_speech_at_full_scale_within_it_by_one_gain(speech):
    """The mark adds up to about 1 dB at a peak: speech peaking at 0.99 (the voice's own limit) had reached 1.04 and
    was clipped in its 16-bit file. It is scaled as a whole to its own peak, which leaves the mark's z as it was."""
    wave, sr = speech
    loud = wave * (0.99 / np.abs(wave).max())
    marked = mark_audio(loud, sr)
    assert np.abs(marked).max() <= 0.99
    unguarded = mark_audio(wave, sr)  # the mark is linear in the audio: the same mark at the speech's own level
    np.testing.assert_allclose(marked, unguarded * (np.abs(marked).max() / np.abs(unguarded).max()), atol=1e-5)
    assert detect_audio_mark(marked, sr).score == pytest.approx(detect_audio_mark(unguarded, sr).score, abs=0.01)
    stereo = mark_audio(np.stack([loud, 0.5 * loud], axis=1), sr)  # one gain for both channels
    assert np.abs(stereo).max() <= 0.99
    np.testing.assert_allclose(stereo[:, 1], 0.5 * stereo[:, 0], atol=1e-5)


def test_audio_mark_made_and_read_a_block_of_frames_at_a_time_is_the_same(speech, monkeypatch):
    """Long audio is marked and checked a block of its spectrum at a time (memory): the pattern runs on across
    blocks, so the mark and its score are those of the whole spectrum at once."""
    from voice import spectral

    wave, sr = speech
    marked = mark_audio(wave, sr)
    score = detect_audio_mark(marked, sr).score
    monkeypatch.setattr(spectral, "BLOCK_FRAMES", 37)  # not a multiple of the pattern's cells
    np.testing.assert_array_equal(mark_audio(wave, sr), marked)
    assert detect_audio_mark(marked, sr).score == score


def test_audio_mark_of_pieces_marked_at_their_place_joins_into_one_mark(speech, speech_files):
    """A stream's pieces are marked one at a time; each at its place in the whole (start_seconds), so that a recording
    of the stream carries one mark in step (each piece begun afresh, 27 joined pieces had scored 2.4)."""
    second, _ = soundfile.read(speech_files[1], dtype="float32")
    wave = np.concatenate([speech[0], second])
    sr = speech[1]
    cuts = np.arange(0, len(wave), int(1.3 * sr))  # 1.3 s: not a multiple of the pattern's period (0.768 s)
    pieces = [wave[start : start + int(1.3 * sr)] for start in cuts]
    in_step = np.concatenate([mark_audio(piece, sr, start_seconds=start / sr) for piece, start in zip(pieces, cuts)])
    afresh = np.concatenate([mark_audio(piece, sr) for piece in pieces])
    whole = detect_audio_mark(mark_audio(wave, sr), sr).score
    assert detect_audio_mark(in_step, sr).score > 0.8 * whole
    assert detect_audio_mark(afresh, sr).score < 0.6 * whole
    for start in (float("nan"), float("inf"), -1.0):  # had been numpy's and Python's own errors, or a place before 0
        with pytest.raises(InputError, match="give where the audio begins in the whole"):
            mark_audio(wave, sr, start_seconds=start)


def test_audio_mark_survives_a_crop_and_another_sample_rate(speech):
    wave, sr = speech
    at_22k = librosa.resample(wave, orig_sr=sr, target_sr=22_050)
    marked = mark_audio(at_22k, 22_050)
    start = int(1.37 * 22_050)
    assert detect_audio_mark(marked[start : start + 3 * 22_050], 22_050).detected
    assert detect_audio_mark(librosa.resample(marked, orig_sr=22_050, target_sr=sr), sr).detected


def test_audio_mark_in_stereo_marks_each_channel_and_their_mix(speech):
    wave, sr = speech
    stereo = np.stack([wave, 0.5 * np.roll(wave, 400)], axis=1)
    marked = mark_audio(stereo, sr)
    assert marked.shape == stereo.shape
    assert all(detect_audio_mark(marked[:, channel], sr).detected for channel in (0, 1))
    assert detect_audio_mark(marked, sr).detected and not detect_audio_mark(stereo, sr).detected


def test_audio_mark_is_found_in_a_part_or_a_channel_of_a_file(speech, speech_files):
    """voxlip's speech within a longer recording, or in one channel of two whose mix cancels it, is found and said
    where (a 2 min recording with 8 s of it in the middle had read as unmarked, z 2.8; a channel turned over, z 0.0);
    a longer recording without it is not, with the higher z that the extra tests need."""
    wave, sr = speech
    others = np.concatenate([soundfile.read(path, dtype="float32")[0] for path in speech_files[1:5]])
    marked = mark_audio(wave[: 8 * sr], sr)
    inside = np.concatenate([others[: 40 * sr], marked, others[40 * sr :]])
    assert not detect_audio_mark(inside, sr).detected
    found = find_audio_mark(inside, sr)
    assert found.detected and found.channel is None and found.needed > AUDIO_MARK.threshold
    assert min(found.part[1], 48) - max(found.part[0], 40) >= 4  # the part found lies mostly in the 8 s put in
    turned_over = np.stack([marked, -marked], axis=1)
    assert not detect_audio_mark(turned_over, sr).detected
    in_channel = find_audio_mark(turned_over, sr)
    assert in_channel.detected and in_channel.channel == 0 and in_channel.part is None
    unmarked = find_audio_mark(np.stack([others, others[::-1]], axis=1), sr)
    assert not unmarked.detected and unmarked.needed == AUDIO_MARK.threshold


def test_a_mark_found_throughout_a_file_that_holds_it_only_in_part_is_said_where(tmp_path, speech, speech_files):
    """6 s of voxlip's speech between 8 s of other speech each side: the test over the whole file finds the mark, and
    had said no more, as if all of it were marked. Its parts of other speech score as unmarked sound does, so where the
    mark lies is said, as where only a part's test finds it; the verdict stays the whole test's."""
    wave, sr = speech
    others = np.concatenate([soundfile.read(path, dtype="float32")[0] for path in speech_files[1:3]])
    joined = np.concatenate([others[: 8 * sr], mark_audio(wave[: 6 * sr], sr), others[8 * sr : 16 * sr]])
    whole = detect_audio_mark(joined, sr)
    found = find_audio_mark(joined, sr)
    assert whole.detected and (found.detected, found.score, found.needed) == (True, whole.score, whole.needed)
    start, end = found.part
    assert 5.5 <= start and end <= 16.5 and min(end, 14) - max(start, 8) >= 4  # about the 8-14 s put in
    lines = "\n".join(detect(save_audio(tmp_path / "joined.wav", joined, sr)).lines())
    assert re.search(r"audio mark: found in \d+\.\d-\d+\.\d s, not throughout \(z = ", lines)


def test_voxlip_speech_with_long_pauses_reads_as_marked_throughout_whole_or_looped(tmp_path, speech):
    """A pause carries no mark (silence, or room noise far under the speech), so its parts score low: they say nothing
    of where the mark lies. Speech with pauses of 6 s marked as one, and a clip of speech with a 3 s pause looped 8
    times (its loops out of step: found only part by part, it had read "found in 67.0-72.0 s, not throughout") read as
    marked throughout."""
    wave, sr = speech
    room = (1e-3 * np.random.default_rng(0).standard_normal(6 * sr)).astype(np.float32)
    silence = np.zeros(6 * sr, np.float32)
    paused = np.concatenate([wave[: 4 * sr], room, wave[4 * sr : 8 * sr], silence, wave[8 * sr : 12 * sr]])
    clip = np.concatenate([wave[: 3 * sr], silence[: 3 * sr], wave[3 * sr : 6 * sr]])
    looped = np.tile(mark_audio(clip, sr), 8)
    assert not detect_audio_mark(looped, sr).detected
    for marked in (mark_audio(paused, sr), looped):
        found = find_audio_mark(marked, sr)
        assert found.detected and found.part is None
    lines = "\n".join(detect(save_audio(tmp_path / "looped.wav", looped, sr)).lines())
    assert re.search(r"audio mark: found \(z = ", lines)


def _played_at(wave: np.ndarray, sr: int, audio_filter: str) -> np.ndarray:
    """`wave` (mono) through an ffmpeg filter that changes its tempo or speed, back at `sr`."""
    raw = ["-f", "f32le", "-ar", str(sr), "-ac", "1"]
    played = run_ffmpeg([*raw, "-i", "-", "-af", audio_filter, *raw, "-"], "retime", stdin=wave.tobytes())
    return np.frombuffer(played, dtype=np.float32)


def test_audio_mark_is_found_in_a_copy_played_faster_or_slower(tmp_path, speech):
    """A copy 5% faster with its pitch kept (ffmpeg's atempo) or 5% slower and lower (asetrate) had read as unmarked
    (z 3.1, 3.2): the mark's grid drifts a cell every 20. It is found, and said how fast the copy plays; the unmarked
    speech played so is not."""
    wave, sr = speech
    marked = mark_audio(wave, sr)
    for audio_filter, tempo, speed in (
        ("atempo=1.05", 1.05, None),
        (f"asetrate={round(0.95 * sr)},aresample={sr}", None, 0.95),
    ):
        copy = _played_at(marked, sr, audio_filter)
        assert not detect_audio_mark(copy, sr).detected
        found = find_audio_mark(copy, sr)
        assert found.detected and found.needed > AUDIO_MARK.threshold and found.part is None
        assert found.tempo == pytest.approx(tempo, abs=0.002) and found.speed == pytest.approx(speed, abs=0.002)
        unmarked = find_audio_mark(_played_at(wave, sr, audio_filter), sr)
        assert not unmarked.detected and unmarked.tempo is None and unmarked.speed is None
    faster = save_audio(tmp_path / "faster.wav", _played_at(marked, sr, "atempo=1.05"), sr)
    lines = "\n".join(detect(faster).lines())
    assert "found in a copy played 1.05" in lines and "times as fast, its pitch kept (tempo changed)" in lines


def test_frame_mark_is_found_in_a_run_of_frames_and_over_the_whole_of_a_long_video(tmp_path, face_frames):
    """A video whose marked frames come after unmarked ones (a clip joined to others): found in a run of frames, and
    by detect, which reads frames spread over the whole video (it had read its first 250 frames only)."""
    frames = (list(face_frames) * 2)[:150] + list(protect_frames(face_frames[:8]))
    assert not detect_frame_mark(frames).detected
    found = find_frame_mark(frames)
    assert found.detected and found.part is not None and found.part[1] > 150 and found.needed > 5.0
    assert not find_frame_mark(frames[:150]).detected
    joined = list(face_frames) + list(face_frames[:25]) + list(protect_frames(face_frames[:60]))
    video = write_video(tmp_path / "joined.mp4", joined, fps=25)
    report = detect(video, max_frames=60)
    assert report.frames.detected and report.frames.frames == 60
    assert "frame mark: found" in "\n".join(report.lines())
    assert not detect(video, max_frames=60, new_output=True).frames.detected  # its first 60 frames only


def test_a_frame_mark_found_over_all_frames_that_only_some_hold_is_said_where(tmp_path, face_frames):
    """36 unmarked frames, then 39 of voxlip's: the test over all of them finds the mark, and had said no more (as if
    all were marked). The runs of unmarked frames score as such, so the frames that hold it are said; frames marked
    throughout, fading in from black or after black frames, read as marked throughout."""
    joined = list(face_frames[:36]) + list(protect_frames(face_frames[36:]))
    whole = detect_frame_mark(joined)
    found = find_frame_mark(joined)
    assert whole.detected and (found.score, found.needed, found.part) == (whole.score, whole.needed, (36, 75))
    fading_in = [(frame * min(1.0, index / 40)).astype(np.uint8) for index, frame in enumerate(face_frames)]
    after_black = [np.zeros_like(face_frames[0])] * 30 + list(face_frames[:45])
    for frames in (fading_in, after_black):
        assert find_frame_mark(list(protect_frames(frames))).part is None
    lines = "\n".join(detect(write_video(tmp_path / "joined.mp4", joined, fps=25)).lines())
    assert re.search(r"frame mark: found in 1\.\d-3\.0 s, not throughout \(z = ", lines)


def test_frame_mark_is_found_in_a_mirrored_or_letterboxed_copy(tmp_path, face_frames):
    """A copy turned left to right, or set inside black bars for a phone's tall screen (both of them common in
    re-shares), had read as unmarked (z 0.3 and 2.0): each is found, and said how it was changed."""
    marked = list(protect_frames(face_frames[:30]))
    mirrored = [frame[:, ::-1] for frame in marked]
    found = find_frame_mark(mirrored)
    assert not detect_frame_mark(mirrored).detected
    assert found.detected and found.mirrored and found.box is None
    height = marked[0].shape[0]
    top = (height * 16 // 9 - height) // 2 | 1  # an odd edge, which the codec blurs over a row or two
    bars = ((top, top), (0, 0), (0, 0))
    video = write_video(tmp_path / "letterboxed.mp4", [np.pad(frame, bars) for frame in marked], fps=25)
    report = detect(video)
    assert report.frames.detected and not report.frames.mirrored
    box = report.frames.box
    assert box is not None and abs(box[0] - top) <= 2 and abs(box[1] - (top + height)) <= 2
    assert "picture inside bars (a video with bars, or a letterboxed copy)" in "\n".join(report.lines())
    assert not find_frame_mark([np.pad(frame, bars) for frame in face_frames[:30]]).detected
    boxed = [np.pad(frame, bars) for frame in marked]
    faded = [np.zeros_like(boxed[0])] + [
        np.rint(frame * min(1.0, i / 8)).astype(np.uint8) for i, frame in enumerate(boxed)
    ]
    opens_black = find_frame_mark(faded)  # a black frame, then a fade in: the bars had been looked for on black only
    assert opens_black.detected and abs(opens_black.box[0] - top) <= 2


def test_the_picture_inside_bars_is_found_in_flat_bars_only(face_frames):
    """The label and the mark go on the picture inside bars (core.bars.picture_in): flat bars are found, the same
    place in every frame; a picture's own plain edges (a dark, smooth band across the top, within the 12 levels a
    codec's bars may stray) are not bars, nor are bars some frames of a clip lack."""
    height, width = face_frames[0].shape[:2]
    bars = ((40, 40), (0, 0), (0, 0))
    assert picture_in([np.pad(frame, bars) for frame in face_frames[:8]]) == pytest.approx(
        (0, 40 / (height + 80), 1, (40 + height) / (height + 80))
    )
    assert picture_in(face_frames[:8]) is None
    banded = face_frames[0].copy()
    banded[:40] = np.linspace(0, 10, 40 * width * 3).reshape(40, width, 3).astype(np.uint8)
    assert picture_in([banded]) is None
    assert picture_in([np.pad(face_frames[0], bars), face_frames[1]]) is None


@pytest.mark.parametrize("size", [(465, 480), (787, 600), (640, 481)])
def test_frames_of_an_odd_size_are_labelled_and_marked_as_their_mp4_keeps_them(tmp_path, face_frames, size):
    """Frames 465x480 or 787x600 had been marked at their own size, which the MP4 crops to an even one: cut into one
    column of squares more than the MP4 is read in, their mark was not found in it (z 1.2, 1.1) and the video was
    refused. The frames are labelled and marked as the MP4 keeps them, the odd last column or row left as it was; so
    is the picture inside bars that reaches it."""
    import cv2

    from pipeline.outputs import FrameProtector

    frames = [cv2.resize(frame, size, interpolation=cv2.INTER_AREA) for frame in face_frames[:16]]
    marked = list(protect_frames(frames))
    out = write_video(tmp_path / "odd.mp4", marked, fps=25)
    record = finish_output(out, "video", [], {}, None, label=LabelConfig())
    assert record.watermarks["frames"]["z_at_creation"] >= FRAME_MARK.threshold
    for made, given in zip(marked, frames):
        assert np.array_equal(made[:, size[0] // 2 * 2 :], given[:, size[0] // 2 * 2 :])
        assert np.array_equal(made[size[1] // 2 * 2 :], given[size[1] // 2 * 2 :])
    protector = FrameProtector(picture=(0.0, 0.1, 1.0, 1.0))
    protector(frames[0])
    assert protector.picture == (math.ceil(0.1 * size[1]), size[1] // 2 * 2, 0, size[0] // 2 * 2)


def test_frame_mark_is_found_in_a_copy_cropped_by_a_few_pixels_or_stretched_to_other_proportions(tmp_path, face_frames):
    """A square clip 2 pixels narrower (H.264 rounds a 1-pixel crop to 2) is cut into 31 squares, not 32, and had read
    as unmarked (z 0.3), as had one squashed to 16:9 or stretched to 9:16: each is found, and said how it was changed;
    the unmarked clip, so changed, is not."""
    import cv2

    marked = list(protect_frames(face_frames[:30]))
    height, width = marked[0].shape[:2]
    changes = {
        "narrower": lambda frame: frame[:, : width - 2],
        "16:9": lambda frame: cv2.resize(frame, (width, width * 9 // 16), interpolation=cv2.INTER_AREA),
        "9:16": lambda frame: cv2.resize(frame, (height * 9 // 16, height), interpolation=cv2.INTER_AREA),
    }
    for change in changes.values():
        copy = [change(frame) for frame in marked]
        assert not detect_frame_mark(copy).detected
        found = find_frame_mark(copy)
        assert found.detected and found.proportions == 1.0 and found.needed > 5.0
        assert not (found.mirrored or found.box or found.part)
        assert not find_frame_mark([change(frame) for frame in face_frames[:30]]).detected
    video = write_video(tmp_path / "narrower.mp4", [changes["narrower"](frame) for frame in marked], fps=25)
    lines = "\n".join(detect(video).lines())
    assert "frame mark: found with the frames stretched back to 1.00:1 (a copy cropped by a few pixels" in lines


def test_audio_mark_is_made_stronger_where_speech_is_too_narrow_or_short_to_hold_it_at_its_own_strength(speech):
    """Speech with its energy in few bands (as a voice cloned from a tone sweep has) is marked more strongly, so that
    the output is marked and checked rather than refused, and so is a word or two ("Some text." had read as unmarked);
    speech that holds the mark keeps its strength."""
    import dataclasses

    import scipy.signal

    wave, sr = speech
    wave = wave[: int(2.5 * sr)]
    narrow = scipy.signal.sosfilt(scipy.signal.butter(6, [300, 1000], "bandpass", fs=sr, output="sos"), wave)
    narrow = narrow.astype(np.float32)
    own_strength = dataclasses.replace(AUDIO_MARK, stronger_db=())
    assert not detect_audio_mark(mark_audio(narrow, sr, own_strength), sr).detected
    assert detect_audio_mark(mark_audio(narrow, sr), sr).detected
    np.testing.assert_array_equal(mark_audio(wave, sr), mark_audio(wave, sr, own_strength))
    stronger = marked_audio(narrow, sr)  # the strength it took, which the record says
    assert stronger.strength_db in AUDIO_MARK.stronger_db and marked_audio(wave, sr).strength_db == 1.0
    np.testing.assert_array_equal(stronger.samples, mark_audio(narrow, sr))
    assert ensured_audio_mark(stronger.samples, sr).strength_db is None  # marked already: none added
    for start in (0.0, 1.0, 2.0):  # a word or two: 0.3-0.5 s score 3.9-5.3 at 1 dB, and 6.7-10.5 made stronger
        for seconds in (0.3, 0.5):
            word = wave[int(start * sr) : int((start + seconds) * sr)]
            assert detect_audio_mark(mark_audio(word, sr), sr).score >= AUDIO_MARK.threshold + AUDIO_MARK.margin


def test_the_marks_refuse_strengths_that_would_leave_no_mark_to_find(speech, face_frames):
    """mark_audio and mark_frames at minus voxlip's strength had taken the marks out of its outputs; a strength too
    weak to be found, or stronger_db not stronger, is refused too. The weakest strength taken is still found."""
    import dataclasses

    for settings in (
        {"strength_db": -1.0, "stronger_db": ()},
        {"strength_db": 0.1},
        {"strength_db": float("nan")},
        {"stronger_db": (-2.0,)},
        {"stronger_db": (3.0, 2.0)},
        {"strength_db": 12.0},
    ):
        with pytest.raises(InputError, match="audio mark"):
            dataclasses.replace(AUDIO_MARK, **settings)
    for strength in (-2.0, 0.0, 0.5, 100.0):
        with pytest.raises(InputError, match="frame mark strength"):
            FrameMarkConfig(strength=strength)
    wave, sr = speech
    weakest = dataclasses.replace(AUDIO_MARK, strength_db=0.75, stronger_db=())
    assert detect_audio_mark(mark_audio(wave[: 5 * sr], sr, weakest), sr).detected
    frames = [mark_frame(frame, FrameMarkConfig(strength=1.5)) for frame in face_frames[:16]]
    assert detect_frame_mark(frames).detected


def test_audio_mark_rejects_unusable_input():
    with pytest.raises(InputError, match="samples, channels"):
        mark_audio(np.zeros((2, 16_000, 1), np.float32), 16_000)
    with pytest.raises(InputError, match="transpose it"):  # channels first
        mark_audio(np.zeros((2, 16_000), np.float32), 16_000)
    with pytest.raises(InputError, match="too short"):
        mark_audio(np.zeros(50, np.float32), 16_000)


@pytest.mark.parametrize("corner", ["top-left", "top-right", "bottom-left", "bottom-right"])
def test_label_is_drawn_in_the_chosen_corner_only(corner):
    frame = np.full((360, 640, 3), 100, np.uint8)
    labelled = draw_label(frame, LabelConfig(corner=corner, height_fraction=0.1))
    ink = labelled.min(axis=2) > 200  # white text on a dark box
    top, left = corner.startswith("top"), corner.endswith("left")
    rows = slice(0, 180) if top else slice(180, 360)
    cols = slice(0, 320) if left else slice(320, 640)
    assert ink[rows, cols].sum() > 100
    assert ink.sum() == ink[rows, cols].sum()
    boxed = (labelled != 100).any(axis=2)
    box_rows = np.flatnonzero(boxed.any(axis=1))
    assert 30 <= box_rows.size <= 40  # 10% of the 360-pixel side


def test_label_size_follows_config_and_bad_corner_is_refused():
    frame = np.full((480, 480, 3), 200, np.uint8)
    small = (draw_label(frame, LabelConfig(height_fraction=0.05)) != 200).any(axis=2).sum()
    large = (draw_label(frame, LabelConfig(height_fraction=0.12)) != 200).any(axis=2).sum()
    assert large > 3 * small
    with pytest.raises(InputError, match="corner"):
        draw_label(frame, LabelConfig(corner="middle"))


@pytest.mark.parametrize(
    "face, corner",
    [
        ((0.55, 0.3, 1.0, 0.95), "bottom-left"),  # a face at the right: the other bottom corner
        ((0.0, 0.3, 1.0, 0.9), "top-right"),  # a face across the frame, down to its bottom (a portrait's)
        ((0.0, 0.06, 1.0, 0.94), "top-right"),  # a face filling the frame: the corner farthest from its mouth
        ((0.0, 0.0, 1.0, 0.6), "bottom-right"),  # a face at the top: where it was
    ],
)
def test_the_label_keeps_clear_of_the_faces_the_clip_shows(face, corner):
    """The label had sat in the bottom-right corner whatever the frame showed: over the jaw and neck of a face that
    fills the frame; it goes where the face is not, one place for all the frames, which the record names."""
    from pipeline.outputs import FrameProtector

    frame = np.full((870, 660, 3), 100, np.uint8)
    protector = FrameProtector(faces=[face])
    assert protector.label.corner == "bottom-right"  # no frame drawn yet: the one asked for
    ink = np.abs(protector(frame).astype(int) - 100).max(axis=2) > 30  # the label, not the faint mark
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    top, left = rows.mean() < 435, cols.mean() < 330
    assert f"{'top' if top else 'bottom'}-{'left' if left else 'right'}" == corner == protector.label.corner
    x1, y1, x2, y2 = face
    if y1 > 0.1:  # clear of the face where a corner is
        assert not ink[round(y1 * 870) : round(y2 * 870), round(x1 * 660) : round(x2 * 660)].any()
    drawn = (draw_label(frame, faces=[face]) != 100).any(axis=2)
    assert np.array_equal(np.flatnonzero(drawn.any(axis=1)), rows)


def test_the_label_s_corner_is_the_one_asked_for_where_no_face_is_in_the_way():
    frame = np.full((360, 640, 3), 100, np.uint8)
    for corner in ("top-left", "bottom-left"):
        label = LabelConfig(corner=corner)
        assert np.array_equal(draw_label(frame, label, faces=[(0.6, 0.1, 0.9, 0.9)]), draw_label(frame, label))
    moved = (draw_label(frame, LabelConfig(corner="top-left"), faces=[(0.0, 0.0, 0.4, 0.5)]) != 100).any(axis=2)
    assert moved[:180, 320:].any() and not moved[:, :320].any()  # to top-right, the other corner of its edge


@pytest.mark.parametrize("size", [(288, 512), (260, 480), (480, 270), (720, 1280), (1080, 1920), (1920, 1080)])
def test_the_label_of_a_tall_or_wide_frame_is_legible(size):
    """Sized by the frame's smaller side alone, the label of a 288x512 clip had had text 8 pixels high (1.6% of its
    long side), on a 260x480 one ~7: its text is now at least 2.5% of the long side, and fits in the frame."""
    width, height = size
    frame = np.full((height, width, 3), 100, np.uint8)
    ink = draw_label(frame).min(axis=2) > 230  # the white text, on its dark box
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert rows.size >= 0.025 * max(size) and cols.min() > 0 and cols.max() < width - 1


def test_a_long_label_on_a_narrow_frame_fits_in_it():
    frame = np.full((512, 160, 3), 100, np.uint8)
    label = LabelConfig(text="AI-generated · Studio X")
    boxed = (draw_label(frame, label) != 100).any(axis=2)
    cols = np.flatnonzero(boxed.any(axis=0))
    assert cols.min() >= 3 and cols.max() <= 156 and np.flatnonzero(boxed.any(axis=1)).size >= label.min_height


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"text": "Authentic footage - not AI"}, "must say 'AI-generated'"),
        ({"text": "Not AI-generated"}, "says 'Not', which denies or undercuts"),
        ({"text": "AI-generated\nnot really"}, "on one line"),
        ({"text": ""}, "must say 'AI-generated'"),
        ({"text": None}, "must say 'AI-generated'"),
        ({"corner": "centre"}, "corner must be one of"),
        ({"box_opacity": 0.0}, "box_opacity is 0.0: give a number from 0.5 to 1"),
        ({"min_height": 1}, "min_height is 1: give a whole number from 12"),
        ({"height_fraction": 0.0}, "height_fraction is 0.0: give a number from 0.03"),
        ({"margin_fraction": 2.0}, "margin_fraction"),
        ({"text_color": (0, 0, 0)}, "contrast of 1.0:1"),
        ({"text_color": (255, 255)}, r"text_color is \(255, 255\): give an \(R, G, B\) tuple"),
        ({"text": "AI-generated · " + "w" * 30}, "would not fit across a frame 128 pixels wide.*at min_height=14"),
    ],
)
def test_a_label_that_would_not_say_ai_generated_plainly_and_legibly_is_refused_when_made(settings, message):
    """A label saying something else ('Authentic footage - not AI'), or drawn too small, faint or low in contrast to
    read, had been drawn and the output signed; an unknown corner or an empty text failed only once a run drew it."""
    with pytest.raises(InputError, match=message):
        LabelConfig(**settings)


@pytest.mark.parametrize(
    "text, word",
    [
        ("N0T AI-GENERATED", "N0T"),
        ("isnt AI-generated", "isnt"),
        ("Not: AI-generated", "Not"),
        ("NOT (AI-generated)", "NOT"),
        ("nicht AI-generated", "nicht"),
        ("AI-generated? Nein", "Nein"),
        ("AI-generated nah", "nah"),
        ("hardly AI-generated", "hardly"),
        ("AI-generated? No.", "No"),
        ("fake 'AI-generated' tag", "fake"),
        ("Not real: AI-generated", "Not"),
        ("This is not an AI-generated clip", "not"),
        ("AI-generated · N0T", "N0T"),
        ("AI-generated - n o t", "n o t"),
        ("AI-generated | isn't", "isn't"),
        ("AI-generated: just kidding", "kidding"),
        ("AI-generated, no real voice", "no"),
        ("AI-generated · human-made", "human"),
        ("AI-generated · rea1 footage", "rea1"),
        ("AI-generated · f4ke", "f4ke"),
        ("AI-generated · A1-generated", "generated"),
        ("Zero AI-generated content", "Zero"),
    ],
)
def test_a_label_s_other_words_may_not_deny_or_undercut_ai_generated_however_spelled(text, word):
    """A label had only been refused for a few spellings of "not AI-generated": 'N0T AI-GENERATED', 'isnt
    AI-generated' or 'AI-generated? No.' were drawn on every frame and the output signed."""
    with pytest.raises(InputError, match=f"says {re.escape(repr(word))}, which denies or undercuts 'AI-generated'"):
        LabelConfig(text=text)


@pytest.mark.parametrize("text", ["AI-generatedn't", "AI generation", "Made with AI"])
def test_a_label_that_does_not_say_ai_generated_is_refused(text):
    with pytest.raises(InputError, match=r"must say 'AI-generated' \(any letter case\) plainly, on one line"):
        LabelConfig(text=text)


def test_a_label_may_add_words_to_ai_generated_and_choose_its_corner():
    frame = np.full((360, 640, 3), 100, np.uint8)
    for said in (
        "AI GENERATED",
        "AI\u2011generated",
        "AI-generated: Studio X",
        "AI-generated | J. Doe",
        "AI-generated, 42",
        "AI-generated video",
        "Studio X · AI-generated",
        "AI-generated (Studio X)",
        "AI-generated / Studio X",
        "AI-generated · No. 5 Studio",
        "AI-generated · A I Lab",
    ):
        assert LabelConfig(text=said).text == said  # a space or a non-breaking hyphen; a credit after a separator
    label = LabelConfig(text="ai-GENERATED · Studio X", corner="top-left", box_opacity=1.0, text_color=(255, 255, 0))
    ink = (draw_label(frame, label) != 100).any(axis=2)
    assert ink[:180, :320].sum() > 100 and ink.sum() == ink[:180, :320].sum()


@pytest.mark.parametrize(
    "text, named",
    [
        ("AI\u2011generated · 工作室", "'工' \\(U\\+5DE5\\), '作' \\(U\\+4F5C\\), '室' \\(U\\+5BA4\\)"),
        ("AI-generated ✓", "'✓' \\(U\\+2713\\)"),
        ("AI-generated · Café", "'é' \\(U\\+00E9\\)"),
    ],
)
def test_a_label_its_font_cannot_draw_is_refused_when_made_naming_the_characters(text, named):
    """Every frame had shown 'AI□generated · □□□': the font has no glyph for them and draws an empty box."""
    with pytest.raises(
        InputError, match=f"characters its font cannot draw.*: {named}\\. Write it with.*unaccented Latin"
    ):
        LabelConfig(text=text)


def test_a_label_with_a_word_processors_hyphen_or_space_draws_the_plain_ones():
    frame = np.full((360, 640, 3), 100, np.uint8)
    plain = draw_label(frame, LabelConfig(text="AI-generated · Studio X"))
    for hyphen in ("\u2010", "\u2011"):
        typed = LabelConfig(text=f"AI{hyphen}generated ·\u00a0Studio X")
        assert typed.text == f"AI{hyphen}generated ·\u00a0Studio X"  # the record keeps what the user wrote
        assert np.array_equal(draw_label(frame, typed), plain)
    for typed in ("AI-generated \u2022 Studio\u2009X", "AI-generated\u200b · Studio X"):  # a bullet, a thin space
        assert np.array_equal(draw_label(frame, LabelConfig(text=typed)), plain)
    dashed = LabelConfig(text="AI-generated \u2014 Studio X")  # an em dash, which the font does not have either
    assert np.array_equal(draw_label(frame, dashed), draw_label(frame, LabelConfig(text="AI-generated - Studio X")))


def test_the_label_font_draws_printable_ascii_and_the_listed_characters_at_every_size():
    """What the refusal lists is what the font draws: over the first 65,536 code points, at the smallest size; the
    verdict is the same at every size the label is drawn in."""
    from pipeline.provenance.label import DRAWN_BEYOND_ASCII, _font_draws

    ascii_printable = "".join(map(chr, range(0x20, 0x7F)))
    drawn = "".join(chr(c) for c in range(0x10000) if _font_draws.__wrapped__(chr(c), (8,)))
    assert drawn == ascii_printable + DRAWN_BEYOND_ASCII
    for size in (9, 10, 14, 22, 45, 100, 300):
        assert all(_font_draws(c, (size,)) for c in ascii_printable + DRAWN_BEYOND_ASCII), size
        assert not any(_font_draws(c, (size,)) for c in "\u2010\u2011\u00a0—é工®\t"), size


def test_frame_mark_round_trip_and_half_size(face_frames):
    frame = face_frames[0]
    marked = mark_frame(frame)
    psnr = 10 * np.log10(255**2 / np.mean((marked.astype(float) - frame) ** 2))
    assert psnr > 38
    assert detect_frame_mark([marked]).detected
    half = np.asarray(
        Image.fromarray(marked).resize((frame.shape[1] // 2, frame.shape[0] // 2), Image.Resampling.BILINEAR)
    )
    assert detect_frame_mark([half]).detected
    plain = detect_frame_mark(face_frames)
    assert not plain.detected and plain.frames_detected == 0


def _check_manifest(report, model_names):
    assert report.found and report.valid and report.trusted and not report.problems
    assert report.generator == f"voxlip {__version__}"
    created = [a for a in report.actions if a["action"] == "c2pa.created"]
    assert created and created[0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert [m["name"] for m in report.models] == model_names
    assert all(len(m["sha256"]) == 64 for m in report.models)


def test_c2pa_sign_read_validate_wav(tmp_path, speech):
    wave, sr = speech
    path = save_audio(tmp_path / "voice.wav", mark_audio(wave[: 2 * sr], sr), sr)
    assert not read_credentials(path).found
    sign_file(path, [{"name": "hifigan-lj-v1", "sha256": "a" * 64}])
    _check_manifest(read_credentials(path), ["hifigan-lj-v1"])
    assert soundfile.info(path).frames == 2 * sr  # still a WAV every reader opens
    key = Path(os.environ["XDG_CONFIG_HOME"]) / "voxlip" / "c2pa" / "signer.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600  # made on first use, readable by its owner only

    data = bytearray(path.read_bytes())
    data[2000] ^= 0xFF  # one changed sample
    tampered = tmp_path / "tampered.wav"
    tampered.write_bytes(bytes(data))
    report = read_credentials(tampered)
    assert report.found and not report.valid and any("hash" in p.lower() for p in report.problems)


def _interrupting_open(signum: int) -> tuple[Callable, list[int]]:
    """An `open` whose files opened for reading send this process `signum` on their first read (c2pa's, in a ctypes
    callback), and the list of signals it sent."""
    sent: list[int] = []

    class Interrupting(io.FileIO):
        def readinto(self, buffer):
            if not sent:
                sent.append(signum)
                os.kill(os.getpid(), signum)
            return super().readinto(buffer)

    def interrupting_open(path, mode="r", *args, **kwargs):
        return Interrupting(path, "r") if mode == "rb" else open(path, mode, *args, **kwargs)

    return interrupting_open, sent


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raising KeyboardInterrupt, as in a terminal: a job a shell starts in the background has it ignored."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_c2pa_signs_or_reads_stops_cleanly_after_it(tmp_path, speech, monkeypatch, ctrl_c_raises, signum):
    """A Ctrl-C or SIGTERM landing while c2pa read or wrote through its Python callbacks had been dropped by ctypes:
    signing then failed with a false error ("Box size extends beyond asset bounds"), aborted leaving hidden partial
    files, or went on as if no stop had been asked."""
    from pipeline.provenance import credentials

    wave, sr = speech
    path = save_audio(tmp_path / "voice.wav", mark_audio(wave[: 2 * sr], sr), sr)
    unsigned = path.read_bytes()
    interrupting_open, sent = _interrupting_open(signum)
    monkeypatch.setattr(credentials, "open", interrupting_open, raising=False)
    with unwinding_on_stop(), pytest.raises(KeyboardInterrupt) as stopped:
        sign_file(path, [{"name": "hifigan-lj-v1", "sha256": "a" * 64}])
    assert sent == [signum] and (signum == signal.SIGINT or stopped.value.signum == signum)
    assert sorted(tmp_path.iterdir()) == [path] and path.read_bytes() == unsigned

    monkeypatch.undo()
    sign_file(path, [{"name": "hifigan-lj-v1", "sha256": "a" * 64}])
    interrupting_open, sent = _interrupting_open(signum)
    monkeypatch.setattr(credentials, "open", interrupting_open, raising=False)
    with unwinding_on_stop(), pytest.raises(KeyboardInterrupt):
        read_credentials(path)
    assert sent == [signum]


def test_c2pa_sign_read_validate_small_mp4(tmp_path):
    frames = [np.full((64, 64, 3), 40 * i % 256, np.uint8) for i in range(10)]
    tone = tmp_path / "tone.wav"
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.4", str(tone)], "make a test tone")
    video = write_video(tmp_path / "clip.mp4", frames, fps=25, audio=tone)
    sign_file(video, [{"name": "wav2lip", "sha256": "b" * 64}, {"name": "s3fd", "sha256": "c" * 64}])
    _check_manifest(read_credentials(video), ["wav2lip", "s3fd"])
    assert len(list(read_frames(video, pixel_format="rgb24"))) == 10


def test_a_video_keeping_a_source_video_s_frames_is_credited_as_an_edit_of_it(tmp_path, face_frames, faces_dir):
    """A dub (a video given a new soundtrack) had been credited as created by voxlip's models, with no ingredient for
    the source video whose frames it keeps."""
    import c2pa

    source = faces_dir / "talking_man_25fps.mp4"
    out = write_video(tmp_path / "dub.mp4", protect_frames(face_frames[:25]), fps=25)
    finish_output(out, "video", [], {"source_video": source}, CONSENT_STATEMENT, label=LabelConfig())
    report = read_credentials(out)
    assert report.valid and [action["action"] for action in report.actions] == ["c2pa.opened", "c2pa.edited"]
    assert report.actions[1]["digitalSourceType"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
    with open(out, "rb") as stream, c2pa.Reader("video/mp4", stream) as reader:
        manifest = json.loads(reader.json())
    ingredients = manifest["manifests"][manifest["active_manifest"]]["ingredients"]
    assert [(i["title"], i["relationship"]) for i in ingredients] == [("talking_man_25fps.mp4", "parentOf")]
    assert ingredients[0]["instance_id"] == f"sha256:{sha256_file(source)}"


def _active_manifest(path: Path, mime_type: str) -> dict:
    """The active manifest of `path` as c2pa reads it, ingredients and all."""
    import c2pa

    with open(path, "rb") as stream, c2pa.Reader(mime_type, stream) as reader:
        store = json.loads(reader.json())
    return store["manifests"][store["active_manifest"]]


def test_a_re_voiced_recording_is_credited_as_an_edit_of_it(tmp_path, speech, speech_files):
    """Speech re-voiced from a recording (convert_voice: its `source_speech`) had been credited as created by a trained
    model from nothing, with no ingredient for the recording whose words, timing and delivery it keeps."""
    wave, sr = speech
    out = save_audio(tmp_path / "converted.wav", mark_audio(wave, sr), sr)
    components = [Component("voice conversion", "openvoice-v2", "2" * 64)]
    finish_output(out, "audio", components, {"source_speech": speech_files[1]}, CONSENT_STATEMENT)
    report = read_credentials(out)
    assert report.valid and [action["action"] for action in report.actions] == ["c2pa.opened", "c2pa.edited"]
    edited = report.actions[1]
    assert edited["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert edited["parameters"]["description"] == (
        "the voice was converted to the reference speaker's by voxlip's models; the words, timing and delivery are "
        f"the recording's ({speech_files[1].name})"
    )
    assert [m["name"] for m in report.models] == ["openvoice-v2"]
    ingredients = _active_manifest(out, "audio/wav")["ingredients"]
    assert [(i["title"], i["format"], i["relationship"]) for i in ingredients] == [
        (speech_files[1].name, "audio/flac", "parentOf")
    ]
    assert ingredients[0]["instance_id"] == f"sha256:{sha256_file(speech_files[1])}"
    assert "active_manifest" not in ingredients[0]  # a LibriSpeech file carries no credentials of its own

    given = InputData("samples in memory, 16000 Hz, 2.0 s", "d" * 64)  # a recording given as samples: no file
    out = save_audio(tmp_path / "from_samples.wav", mark_audio(wave, sr), sr)
    finish_output(out, "audio", components, {"source_speech": given}, CONSENT_STATEMENT)
    assert [action["action"] for action in read_credentials(out).actions] == ["c2pa.opened", "c2pa.edited"]
    ingredient = _active_manifest(out, "audio/wav")["ingredients"][0]
    assert (ingredient["title"], ingredient["instance_id"]) == (given.what, f"sha256:{'d' * 64}")


def test_an_input_whose_name_is_not_utf8_is_named_by_its_bytes_escaped(tmp_path, speech, speech_files):
    """Such a name (a lone surrogate in Python) had gone into the manifest and the record as it was: c2pa refused the
    manifest ("Json: lone leading surrogate"), after all the work; its bytes that are not UTF-8 are escaped now."""
    source = Path(os.fsdecode(bytes(tmp_path) + b"/lat_\xe9.flac"))
    shutil.copyfile(speech_files[1], source)
    wave, sr = speech
    out = save_audio(tmp_path / "converted.wav", mark_audio(wave, sr), sr)
    components = [Component("voice conversion", "openvoice-v2", "2" * 64)]
    record = finish_output(out, "audio", components, {"source_speech": source}, CONSENT_STATEMENT)
    assert [i.title for i in read_credentials(out).ingredients] == ["lat_\\xe9.flac"]
    assert record.inputs["source_speech"]["file"] == "lat_\\xe9.flac"
    assert (
        json.loads(record_path(out).read_text(encoding="utf-8"))["inputs"]["source_speech"]["file"] == "lat_\\xe9.flac"
    )


def test_an_edit_of_a_voxlip_signed_file_keeps_its_credentials_as_the_ingredient_s(tmp_path, speech, face_frames):
    """The source of a dub or a re-voiced recording had been described by hand (name, format, sha256), so the content
    credentials it carried (voxlip's own, a camera's) were lost to the output's: the chain was broken there."""
    clip = write_video(tmp_path / "clip.mp4", protect_frames(face_frames[:25]), fps=25)
    finish_output(clip, "video", [], {}, None, label=LabelConfig())
    dub = write_video(tmp_path / "dub.mp4", protect_frames(face_frames[25:50]), fps=25)
    finish_output(dub, "video", [], {"source_video": clip}, CONSENT_STATEMENT, label=LabelConfig())
    ingredient = _active_manifest(dub, "video/mp4")["ingredients"][0]
    assert ingredient["title"] == "clip.mp4" and ingredient.get("active_manifest")  # the clip's own manifest
    assert ingredient["instance_id"] == f"sha256:{sha256_file(clip)}"
    report = read_credentials(dub)
    assert report.valid and report.trusted and not report.problems
    assert [(i.title, i.relationship, i.generator, i.valid) for i in report.ingredients] == [
        ("clip.mp4", "parentOf", f"voxlip {__version__}", True)
    ]

    wave, sr = speech
    said = save_audio(tmp_path / "said.wav", mark_audio(wave[: 4 * sr], sr), sr)
    finish_output(said, "audio", [Component("synthesizer", "piper-joe", "1" * 64)], {}, None, text="Hello.")
    out = save_audio(tmp_path / "revoiced.wav", mark_audio(wave[4 * sr : 8 * sr], sr), sr)
    finish_output(out, "audio", [Component("voice conversion", "openvoice-v2", "2" * 64)], {"source_speech": said}, "x")
    assert _active_manifest(out, "audio/wav")["ingredients"][0].get("active_manifest")
    report = read_credentials(out)
    assert report.valid and report.trusted and not report.problems
    assert [(i.title, i.generator, i.valid) for i in report.ingredients] == [
        ("said.wav", f"voxlip {__version__}", True)
    ]
    lines = detect(out).lines()
    expected = f"its own content credentials kept (valid when it was used; generator voxlip {__version__})"
    assert f"    ingredient said.wav (parentOf): {expected}" in lines, lines


def test_a_clip_of_a_face_names_the_face_and_the_audio_it_was_given_as_ingredients(
    tmp_path, speech, face_frames, faces_dir
):
    """A lip-synced clip had been credited as created by voxlip's models from nothing (c2pa.created,
    trainedAlgorithmicMedia), with no ingredient: a real video whose frames it edited was called generated, and the
    audio it was given (voxlip's own cloned speech, signed) lost its credentials there: the chain was broken. A face
    video is now opened and edited (a composite, as a dub is), a photo an input to the models that created the clip,
    and the audio placed in it as its soundtrack, its own credentials kept."""
    wave, sr = speech
    said = save_audio(tmp_path / "hello.wav", mark_audio(wave[: 3 * sr], sr), sr)
    finish_output(said, "audio", [Component("synthesizer", "piper-joe", "1" * 64)], {}, None, text="Hello.")
    video, photo = faces_dir / "talking_man_25fps.mp4", faces_dir / "painting_pearl_earring.jpg"
    lipsync = [Component("lip-sync", "wav2lip", "3" * 64)]
    for face, face_is_photo in ((video, False), (photo, True)):
        out = write_video(tmp_path / "talking.mp4", protect_frames(face_frames[:25]), fps=25, audio=said)
        inputs = {"face": face, "audio": said}
        finish_output(
            out, "video", lipsync, inputs, CONSENT_STATEMENT, label=LabelConfig(), face_is_photo=face_is_photo
        )
        report = read_credentials(out)
        assert report.valid and report.trusted and not report.problems
        relationship = "inputTo" if face_is_photo else "parentOf"
        assert [(i.title, i.relationship, i.generator, i.valid) for i in report.ingredients] == [
            (face.name, relationship, None, None),
            ("hello.wav", "componentOf", f"voxlip {__version__}", True),  # hello.wav's own manifest, kept
        ]
        actions = {action["action"]: action for action in report.actions}
        if face_is_photo:
            assert list(actions) == ["c2pa.created", "c2pa.placed"]
            made = actions["c2pa.created"]
            assert made["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA and made["parameters"]["ingredients"]
            assert made["parameters"]["description"].startswith(f"a video of the face in the photo ({photo.name}) ")
        else:
            assert list(actions) == ["c2pa.opened", "c2pa.placed", "c2pa.edited"]
            made = actions["c2pa.edited"]
            assert made["digitalSourceType"] == COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA
            assert f"the frames are the video's ({video.name})" in made["parameters"]["description"]
        assert "to say the audio given (hello.wav), its soundtrack" in made["parameters"]["description"]
        assert actions["c2pa.placed"]["parameters"]["ingredients"] and [m["name"] for m in report.models] == ["wav2lip"]
        lines = detect(out).lines()
        kept = f"its own content credentials kept (valid when it was used; generator voxlip {__version__})"
        assert f"    ingredient hello.wav (componentOf): {kept}" in lines, lines
        assert f"    ingredient {face.name} ({relationship}): it carried no content credentials of its own" in lines

    out = write_video(tmp_path / "run.mp4", protect_frames(face_frames[:25]), fps=25, audio=said)
    finish_output(out, "video", lipsync, {"face": video}, CONSENT_STATEMENT, text="Hello.", label=LabelConfig())
    report = read_credentials(out)  # speech voxlip made from text in the same call (voxlip run): no audio input
    assert [action["action"] for action in report.actions] == ["c2pa.opened", "c2pa.edited"]
    assert (
        "to say speech synthesised from text by voxlip's voice models" in report.actions[1]["parameters"]["description"]
    )
    assert [(i.title, i.relationship) for i in report.ingredients] == [(video.name, "parentOf")]


def test_the_content_credentials_say_what_the_record_says(tmp_path, speech, face_frames):
    """The record's watermarks are signed in the credentials' voxlip assertion; c2pa had turned its list of strengths
    (stronger_db [2.0, 3.0]) into "" (c2pa-rs #2570: a list of numbers is read back as bytes), so every assertion is
    read back and compared with what was put in."""
    wave, sr = speech
    audio = save_audio(tmp_path / "said.wav", mark_audio(wave[: 2 * sr], sr), sr)
    video = write_video(tmp_path / "clip.mp4", protect_frames(face_frames[:25]), fps=25, audio=audio)
    components = [Component("vocoder", "hifigan-lj-v1", "2" * 64, config_sha256="3" * 64)]
    for path, kind, label in ((audio, "audio/wav", None), (video, "video/mp4", LabelConfig())):
        record = finish_output(path, kind.split("/")[0], components, {}, CONSENT_STATEMENT, label=label)
        assertions = {assertion["label"]: assertion["data"] for assertion in _active_manifest(path, kind)["assertions"]}
        assert assertions["org.voxlip.provenance"] == {
            "voxlip_record": record_path(path).name,
            "watermarks": record.watermarks,
            "consent_stated": True,
            "environment": record.environment,
        }
        assert record.settings is None  # an output made elsewhere: what made it is not known
        (created,) = assertions["c2pa.actions.v2"]["actions"]
        assert created["parameters"]["models"] == [
            {"name": "hifigan-lj-v1", "role": "vocoder", "sha256": "2" * 64, "config_sha256": "3" * 64}
        ]


def test_speech_names_the_reference_voice_it_speaks_in_as_an_input_to_the_models(
    tmp_path, speech, speech_files, face_frames
):
    """The recording of the voice cloned had been named in the record only: the content credentials of speech made
    from text named no ingredient at all, those of a re-voiced recording or a dub only the recording or video edited.
    It is now an input to the models (inputTo), beside what the output is an edit of."""
    wave, sr = speech
    reference, recording = speech_files[1], speech_files[2]
    said = save_audio(tmp_path / "said.wav", mark_audio(wave[: 2 * sr], sr), sr)
    finish_output(said, "audio", [], {"reference_voice": reference}, CONSENT_STATEMENT, text="Hello.")
    report = read_credentials(said)
    assert report.valid and [(i.title, i.relationship) for i in report.ingredients] == [(reference.name, "inputTo")]
    (created,) = report.actions
    assert created["action"] == "c2pa.created" and created["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    assert created["parameters"]["description"] == (
        f"synthesised by voxlip's generative models in the voice of the reference recording ({reference.name})"
    )
    assert created["parameters"]["ingredients"]  # the action names the ingredient it used
    ingredient = _active_manifest(said, "audio/wav")["ingredients"][0]
    assert (ingredient["format"], ingredient["instance_id"]) == ("audio/flac", f"sha256:{sha256_file(reference)}")

    revoiced = save_audio(tmp_path / "revoiced.wav", mark_audio(wave[: 2 * sr], sr), sr)
    inputs = {"reference_voice": reference, "source_speech": recording}
    finish_output(revoiced, "audio", [], inputs, CONSENT_STATEMENT)
    report = read_credentials(revoiced)
    assert [action["action"] for action in report.actions] == ["c2pa.opened", "c2pa.edited"]
    assert [(i.title, i.relationship) for i in report.ingredients] == [
        (recording.name, "parentOf"),
        (reference.name, "inputTo"),
    ]

    given = InputData("samples in memory, 16000 Hz, 2.0 s", "d" * 64)  # a reference given as samples: no file
    source = write_video(tmp_path / "source.mp4", face_frames[25:35], fps=25)
    dub = write_video(tmp_path / "dub.mp4", protect_frames(face_frames[:25]), fps=25, audio=said)
    finish_output(dub, "video", [], {"reference_voice": given, "source_video": source}, "x", label=LabelConfig())
    assert sorted((i.title, i.relationship) for i in read_credentials(dub).ingredients) == [
        (given.what, "inputTo"),
        ("source.mp4", "parentOf"),
    ]


def test_detect_calls_this_machine_s_own_key_what_it_is_not_a_trusted_signer(tmp_path, speech, monkeypatch):
    """`voxlip detect` had said "valid, trusted signer" of a file signed with the key voxlip made on this machine,
    which a reader took for a signer trusted beyond it; a key under the user's own trust anchors, and one of no trust
    list known here, are told apart from it."""
    from pipeline.provenance.credentials import create_local_identity, signing_identity

    wave, sr = speech
    own = save_audio(tmp_path / "own.wav", mark_audio(wave[: 2 * sr], sr), sr)
    sign_file(own, [])
    other_machine = tmp_path / "elsewhere"
    create_local_identity(other_machine)
    theirs = save_audio(tmp_path / "theirs.wav", mark_audio(wave[: 2 * sr], sr), sr)
    sign_file(theirs, [], identity=signing_identity(other_machine))

    def said(path: Path) -> str:
        return next(line for line in detect(path).lines() if "content credentials (C2PA)" in line)

    assert (
        "valid; signed by this machine's own voxlip key (voxlip local signer), which no public trust list knows;"
        in (said(own))
    )
    assert "trusted" not in said(own).replace("trust list", "")
    assert "valid; signed by voxlip local signer, a signer in no trust list known here;" in said(theirs)
    monkeypatch.setenv("VOXLIP_C2PA_TRUST_ANCHORS", str(other_machine / "ca.pem"))
    assert "valid; signed by voxlip local signer, whose certificate chains to your VOXLIP_C2PA_TRUST_ANCHORS;" in (
        said(theirs)
    )


def test_a_source_c2pa_cannot_read_or_changed_since_is_described_by_hand(tmp_path, speech, speech_files):
    """Where the source file is in a format c2pa cannot parse (here a FLAC named .mp4), or is no longer what was read,
    its ingredient is described by hand, as it was before, and the output is signed all the same."""
    wave, sr = speech
    misnamed = tmp_path / "recording.mp4"
    misnamed.write_bytes(speech_files[1].read_bytes())
    changed = InputFile(tmp_path / "changed.wav", "e" * 64)  # its sha256 when read; the file has changed since
    soundfile.write(changed.path, wave[:sr], sr)
    for source, kind in ((misnamed, "video/mp4"), (changed, "audio/wav")):
        out = save_audio(tmp_path / "converted.wav", mark_audio(wave, sr), sr)
        finish_output(out, "audio", [], {"source_speech": source}, CONSENT_STATEMENT)
        assert read_credentials(out).valid
        ingredient = _active_manifest(out, "audio/wav")["ingredients"][0]
        read = source if isinstance(source, InputFile) else InputFile.read(source)
        assert (ingredient["title"], ingredient["format"]) == (read.path.name, kind)
        assert ingredient["instance_id"] == f"sha256:{read.sha256}" and "active_manifest" not in ingredient


def test_finish_audio_writes_credentials_and_record(tmp_path, speech, speech_files):
    wave, sr = speech
    out = save_audio(tmp_path / "said.wav", mark_audio(wave, sr), sr)
    components = [
        Component("synthesizer", "rtvc-synthesizer", "1" * 64),
        Component("vocoder", "hifigan-lj-v1", "2" * 64, config_sha256="3" * 64),
    ]
    record = finish_output(
        out, "audio", components, {"reference_voice": speech_files[1]}, CONSENT_STATEMENT, text="Hello there."
    )

    saved = json.loads(record_path(out).read_text())
    assert saved == json.loads(record.to_json())
    assert saved["schema"] == "voxlip.provenance/1"
    assert saved["output"] == {"file": "said.wav", "kind": "audio", "sha256": sha256_file(out)}
    assert saved["inputs"]["reference_voice"] == {"file": speech_files[1].name, "sha256": sha256_file(speech_files[1])}
    assert saved["inputs"]["text_sha256"] == hashlib.sha256(b"Hello there.").hexdigest()
    assert [c["checkpoint"] for c in saved["components"]] == ["rtvc-synthesizer", "hifigan-lj-v1"]
    assert saved["components"][1]["sha256"] == "2" * 64 and saved["components"][1]["config_sha256"] == "3" * 64
    assert saved["watermarks"]["audio"]["scheme"] == AUDIO_MARK.key
    assert saved["watermarks"]["audio"]["z_at_creation"] >= AUDIO_MARK.threshold
    assert saved["consent"] == {"stated": True, "statement": CONSENT_STATEMENT}
    assert saved["generator"] == {"name": "voxlip", "version": __version__}
    assert saved["created"].endswith("+00:00")
    assert saved["settings"] is None and saved["environment"]["packages"]["numpy"] == np.__version__

    report = detect(out)
    assert report.marked and report.audio.detected and report.frames is None
    _check_manifest(report.credentials, ["rtvc-synthesizer", "hifigan-lj-v1"])
    assert report.credentials.models[1]["config_sha256"] == "3" * 64
    assert report.record is not None and report.record_matches
    assert any("audio mark: found" in line for line in report.lines())
    old = {key: value for key, value in saved.items() if key not in ("settings", "environment")}
    record_path(out).write_text(json.dumps(old))  # a record made before it named settings and software
    assert detect(out).record == old and "its sha256 is this file's" in "\n".join(detect(out).lines())


def test_detect_reads_credentials_by_the_file_s_contents_and_says_what_a_record_is_worth(
    tmp_path, speech, speech_files
):
    """A signed copy renamed (no extension, .wave) had been said to have no credentials; a record of another file had
    been called one "for another version of this file", a record anyone could write "matches this file" on a file
    with no mark, and a broken one "none"."""
    import shutil

    wave, sr = speech
    out = save_audio(tmp_path / "said.wav", mark_audio(wave, sr), sr)
    finish_output(out, "audio", [Component("vocoder", "hifigan-lj-v1", "2" * 64)], {}, CONSENT_STATEMENT)
    for name in ("said", "said.wave"):
        copy = shutil.copy(out, tmp_path / name)
        _check_manifest(detect(copy).credentials, ["hifigan-lj-v1"])
    plain = save_audio(tmp_path / "plain.wav", wave, sr)
    shutil.copy(record_path(out), record_path(plain))
    lines = "\n".join(detect(plain).lines())
    assert "is not this file's" in lines and "it names said.wav" in lines
    record = json.loads(record_path(out).read_text())
    record["output"]["sha256"] = sha256_file(plain)
    record_path(plain).write_text(json.dumps(record))
    assert "a record is not signed and no mark or credential here bears it out" in "\n".join(detect(plain).lines())
    assert "not signed" not in "\n".join(detect(out).lines())
    record_path(plain).write_text("{broken")
    assert "plain.wav.provenance.json is next to the file but is no voxlip record" in "\n".join(detect(plain).lines())


def test_the_check_of_a_new_output_reads_all_of_its_sound_without_a_note(tmp_path, speech, caplog):
    """An output over 10 min had been checked through the input reader's 600 s limit, which said the (temporary) file
    was cut to 600 s: a false note naming a file the user never sees."""
    wave, sr = speech
    long = np.tile(wave, int(np.ceil(610 * sr / len(wave))))[: 610 * sr]
    out = save_audio(tmp_path / "long.wav", mark_audio(long, sr), sr)
    with caplog.at_level("WARNING"):
        report = detect(out, new_output=True)
    assert report.audio.detected and report.audio_seconds == pytest.approx(610, abs=0.01)
    assert not caplog.records


def test_detect_looks_in_every_audio_track_of_a_video(tmp_path, speech, face_frames):
    """A video with two audio tracks had been checked in ffmpeg's pick of them only (the one with more channels):
    voxlip's speech in the other read as unmarked."""
    wave, sr = speech
    plain = save_audio(tmp_path / "plain.wav", np.stack([wave[: 3 * sr]] * 2, axis=1), sr)
    marked = save_audio(tmp_path / "marked.wav", mark_audio(wave[3 * sr : 6 * sr], sr), sr)
    video = write_video(tmp_path / "one.mp4", face_frames, fps=25, audio=plain)
    both = tmp_path / "both.mp4"
    run_ffmpeg(
        ["-i", str(video), "-i", str(marked), "-map", "0:v", "-map", "0:a", "-map", "1:a", "-c:v", "copy", str(both)],
        "add a second audio track",
    )
    report = detect(both)
    assert report.audio.detected and report.audio_track == 1 and report.audio.needed > AUDIO_MARK.threshold
    assert "audio mark (best of its audio tracks: track 2): found" in "\n".join(report.lines())
    assert detect(video).audio_track is None


def test_finish_video_and_detect_everything(tmp_path, speech, face_frames, faces_dir):
    wave, sr = speech
    track = save_audio(tmp_path / "track.wav", mark_audio(wave[: 3 * sr], sr), sr)
    out = write_video(tmp_path / "clip.mp4", protect_frames(face_frames), fps=25, audio=track)
    finish_output(
        out,
        "video",
        [Component("lipsync", "wav2lip", "3" * 64)],
        {"face": faces_dir / "talking_man_25fps.mp4"},
        CONSENT_STATEMENT,
        label=DEFAULT_LABEL,
    )
    report = detect(out)
    assert report.kind == "video" and report.marked
    assert report.frames.detected and report.frames.frames == len(face_frames)
    assert report.audio is not None and report.audio.detected
    assert report.credentials.valid and report.record_matches
    assert report.record["watermarks"]["visible_label"]["text"] == "AI-generated"


def test_a_video_is_finished_only_with_the_label_its_frames_were_drawn_with(tmp_path, face_frames):
    """finish_output had signed a video with no visible label, its record claiming the default "AI-generated" one; the
    record names the label the frames were drawn with."""
    unlabelled = write_video(tmp_path / "unlabelled.mp4", [mark_frame(frame) for frame in face_frames[:25]], fps=25)
    with pytest.raises(VoxlipError, match="visible label its frames carry, and none was given"):
        finish_output(unlabelled, "video", [], {}, None)
    assert not record_path(unlabelled).exists() and not read_credentials(unlabelled).found
    label = LabelConfig(text="AI-generated · Studio X", corner="top-left")
    labelled = write_video(tmp_path / "labelled.mp4", protect_frames(face_frames[:25], label), fps=25)
    record = finish_output(labelled, "video", [], {}, None, label=label)
    assert record.watermarks["visible_label"] == {"text": "AI-generated · Studio X", "corner": "top-left"}
    assert json.loads(record_path(labelled).read_text())["watermarks"]["visible_label"]["corner"] == "top-left"


def test_a_save_that_cannot_write_the_record_or_move_the_output_leaves_neither(tmp_path, speech, monkeypatch):
    """A record's place taken by a folder had failed the save after the output, signed and marked, was in place
    without its record: now it is refused first; a record or a move failing later takes the other back."""
    from pipeline import outputs
    from voice.audio import encode_audio

    wave, sr = speech
    samples = encode_audio(mark_audio(wave[: 2 * sr], sr), sr)
    record_path(tmp_path / "taken.wav").mkdir()
    with pytest.raises(InputError, match=r"taken.wav.provenance.json, which is a folder"):
        outputs.check_output(tmp_path / "taken.wav", "audio")
    with pytest.raises(InputError, match="which is a folder"):
        finish_output(save_audio(tmp_path / "taken.wav", wave, sr), "audio", [], {}, None)
    assert not read_credentials(tmp_path / "taken.wav").found

    def save(name: str) -> Path:
        with outputs.finished_output(tmp_path / name, "audio", [], {}, None) as partial:
            partial.write_bytes(samples)
        return tmp_path / name

    def no_record(*args):
        raise VoxlipError("could not write the record")

    with monkeypatch.context() as patched:
        patched.setattr(outputs, "save_record", no_record)
        with pytest.raises(VoxlipError, match="could not write the record"):
            save("no_record.wav")
    assert not (tmp_path / "no_record.wav").exists()

    replace = os.replace

    def no_move(source, target):
        if Path(target).name == "no_move.wav":
            raise PermissionError(13, "Permission denied")
        replace(source, target)

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", no_move)
        with pytest.raises(VoxlipError, match="could not write"):
            save("no_move.wav")
    assert not (tmp_path / "no_move.wav").exists() and not record_path(tmp_path / "no_move.wav").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["taken.wav", "taken.wav.provenance.json"]
    assert save("fine.wav").is_file() and record_path(tmp_path / "fine.wav").is_file()

    gone = tmp_path / "gone"  # the output's folder removed while it was written: had been "could not read
    gone.mkdir()  # .gone.wav.1a2b3c4d5e6f.wav: it is no audio ...", naming the hidden temporary file
    with pytest.raises(VoxlipError, match=f"could not write {gone}/out.wav: its folder {gone} was removed while"):
        with outputs.finished_output(gone / "out.wav", "audio", [], {}, None) as partial:
            partial.write_bytes(samples)
            shutil.rmtree(gone)


def _two_outputs(speech) -> tuple[bytes, bytes]:
    """Two different marked WAVs of two seconds."""
    from voice.audio import encode_audio

    wave, sr = speech
    return tuple(encode_audio(mark_audio(wave[start * sr : (start + 2) * sr], sr), sr) for start in (0, 2))


def _save(path: Path, data: bytes, text: str) -> None:
    """`data` finished at `path` as voxlip's output of `text` (which its record names)."""
    from pipeline import outputs

    with outputs.finished_output(path, "audio", [], {}, None, text) as partial:
        partial.write_bytes(data)


def _record_of(path: Path) -> str | None:
    """The text the record beside `path` names, if that record is this file's; None if there is none."""
    record = read_record(path)
    if record is None:
        return None
    assert record["output"]["sha256"] == sha256_file(path), "the record is another file's"
    return next(text for text in ("first", "second") if record["inputs"]["text_sha256"] == sha256_text(text))


@pytest.mark.parametrize(
    ("moved", "links"),
    [(False, True), (True, True), (False, False)],
    ids=["before-the-file-moves", "after-it-moved", "before-it-moves-without-hard-links"],
)
def test_a_stop_while_the_file_and_its_record_are_moved_leaves_the_old_pair_or_the_new_one(
    tmp_path, speech, monkeypatch, moved, links
):
    """A KeyboardInterrupt at the file's move had deleted the record that had just replaced the old one, leaving the
    old output without any record (and one just after it the new output without its record). The old record is put
    back from a link set aside, or a copy where the file system has no links."""
    first, second = _two_outputs(speech)
    out = tmp_path / "out.wav"
    _save(out, first, "first")
    replace = os.replace

    def no_link(*args, **kwargs):
        raise PermissionError(1, "Operation not permitted")

    if not links:
        monkeypatch.setattr(os, "link", no_link)

    def stopped(source, target):
        if Path(target) == out and moved:
            replace(source, target)
        if Path(target) == out:
            raise KeyboardInterrupt
        replace(source, target)

    monkeypatch.setattr(os, "replace", stopped)
    with pytest.raises(KeyboardInterrupt):
        _save(out, second, "second")
    assert _record_of(out) == ("second" if moved else "first")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.wav", "out.wav.provenance.json"]


def test_two_writers_of_one_path_leave_one_writer_s_file_with_that_writer_s_record(tmp_path, speech, monkeypatch):
    """Two saves to one path had interleaved as A's record, B's record, B's file, A's file: A's file was left with B's
    record. The second writer is started when the first has moved its record, and the first goes on once the second
    has finished or waits for the folder's lock."""
    import fcntl
    import threading

    first, second = _two_outputs(speech)
    out = tmp_path / "out.wav"
    waits, errors = threading.Event(), []

    def other() -> None:
        try:
            _save(out, second, "second")
        except BaseException as e:
            errors.append(e)
        finally:
            waits.set()

    writer = threading.Thread(target=other)
    flock, replace = fcntl.flock, os.replace

    def flock_noted(handle, operation):
        if threading.current_thread() is writer:
            waits.set()
        flock(handle, operation)

    def replace_then_other(source, target):
        replace(source, target)
        mine = threading.current_thread() is threading.main_thread()
        if mine and Path(target) == record_path(out) and writer.ident is None:
            writer.start()
            assert waits.wait(timeout=600), "the other writer neither finished nor waited for the lock"

    monkeypatch.setattr(fcntl, "flock", flock_noted)
    monkeypatch.setattr(os, "replace", replace_then_other)
    _save(out, first, "first")
    writer.join()
    assert errors == []
    assert _record_of(out) == "second"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.wav", "out.wav.provenance.json"]


def test_detect_reads_a_file_and_its_record_holding_the_folder_s_lock_shared(tmp_path, speech, monkeypatch):
    """`voxlip detect` racing a writer had read one writer's record and the other's file; a writer moves the pair
    holding the folder's lock, and detect reads the pair holding it shared."""
    import fcntl
    import importlib

    detecting = importlib.import_module("pipeline.provenance.detect")
    first, _ = _two_outputs(speech)
    out = tmp_path / "out.wav"
    _save(out, first, "first")
    read, exclusive_refused = detecting.read_record, []

    def read_noted(path):
        handle = os.open(tmp_path, os.O_RDONLY)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            exclusive_refused.append(False)
        except BlockingIOError:
            exclusive_refused.append(True)
        finally:
            os.close(handle)
        return read(path)

    monkeypatch.setattr(detecting, "read_record", read_noted)
    assert detect(out).record_matches
    assert exclusive_refused == [True]


def test_an_output_path_of_the_wrong_type_or_in_a_folder_that_makes_no_files_is_refused_saying_why(tmp_path):
    """A bytes path had raised pathlib's TypeError; /proc had been called "not writable (No such file or directory)"."""
    from pipeline import outputs

    with pytest.raises(InputError, match=r"must be a str or os.PathLike .*not bytes \('out/x.wav' as a str\)"):
        outputs.check_output(b"out/x.wav", "audio")
    with pytest.raises(InputError, match="must be a str or os.PathLike .*not int"):
        outputs.check_output(42, "audio")
    if Path("/proc/self").is_dir():
        with pytest.raises(InputError, match=r"the file system of /proc refused to make a file there \(No such file"):
            outputs.check_output("/proc/x.wav", "audio")
    assert outputs.check_output(tmp_path / "x.wav", "audio") == tmp_path / "x.wav"


def test_consent_is_required_with_a_clear_message(tmp_path, speech, speech_files):
    assert require_consent(True) == CONSENT_STATEMENT
    with pytest.raises(ConsentError) as refused:
        require_consent(False)
    message = str(refused.value)
    assert "consent=True" in message and "--i-have-consent" in message and CONSENT_STATEMENT in message
    assert isinstance(refused.value, InputError)
    for given, said in ((1, "consent=1 is an int."), ("yes", "consent='yes' is a str."), (np.uint8(1), "a uint8")):
        with pytest.raises(ConsentError, match=re.escape(said)):  # "consent=1 is a int" had been said
            require_consent(given)

    wave, sr = speech
    out = save_audio(tmp_path / "said.wav", mark_audio(wave, sr), sr)
    with pytest.raises(ConsentError):
        finish_output(out, "audio", [], {"reference_voice": speech_files[0]}, consent=None)
    assert not record_path(out).exists() and not read_credentials(out).found


def test_finish_refuses_an_unmarked_output(tmp_path, speech):
    wave, sr = speech
    out = save_audio(tmp_path / "plain.wav", wave, sr)
    with pytest.raises(VoxlipError, match="mark_audio"):
        finish_output(out, "audio", [], {}, consent=None)


def test_detect_on_plain_files_reports_nothing(tmp_path, speech, face_frames):
    wave, sr = speech
    audio = save_audio(tmp_path / "plain.wav", wave, sr)
    video = write_video(tmp_path / "plain.mp4", face_frames, fps=25, audio=audio)
    for path in (audio, video):
        report = detect(path)
        assert not report.marked and not report.anything_found
        assert not report.credentials.found and report.record is None and report.record_matches is None
        assert "no voxlip watermark found" in report.lines()[0]
    with pytest.raises(InputError, match="does not exist"):
        detect(tmp_path / "missing.wav")
    with pytest.raises(InputError, match=r"detect takes a file's path, not ndarray: .*result.save\(path\)"):
        detect(wave)  # a result in memory had raised Python's own TypeError
    notes = tmp_path / "notes.txt"
    notes.write_text("hello world\n" * 5000)  # ffmpeg's tty demuxer would read it as a video of its characters
    with pytest.raises(InputError, match="could not read .*notes.txt"):
        detect(notes)


@pytest.mark.parametrize("prefix", ["file:", "concat:", "subfile:"])
def test_detect_reads_the_file_named_though_its_name_reads_as_an_ffmpeg_protocol(
    tmp_path, speech, face_frames, monkeypatch, prefix
):
    """ffmpeg had been given a relative name as it was, and read "file:clip.mp4" as clip.mp4: an unmarked copy so
    named had been said to carry voxlip's watermark (clip.mp4's), and a marked recording beside a file of its name
    without the prefix that is no audio "could not read"."""
    wave, sr = speech
    monkeypatch.chdir(tmp_path)
    write_video(tmp_path / "clip.mp4", list(protect_frames(face_frames[:25])), fps=25)
    write_video(tmp_path / f"{prefix}clip.mp4", face_frames[:25], fps=25)
    assert not detect(f"{prefix}clip.mp4").marked
    assert detect("clip.mp4").marked
    (tmp_path / "other.wav").write_bytes(b"no audio here\n" * 100)
    save_audio(tmp_path / f"{prefix}other.wav", mark_audio(wave, sr), sr)
    assert detect(f"{prefix}other.wav").marked


def test_detect_reads_a_video_ffmpeg_stops_decoding_as_far_as_it_goes_and_says_it_is_damaged(tmp_path, face_frames):
    """A marked video whose pictures are mostly damaged (ffmpeg decodes some, then stops with an error) had been
    refused as "could not decode all of the video ... the file is damaged": its marks are looked for in what ffmpeg
    decodes, and the report says the video is damaged."""
    marked = write_video(tmp_path / "marked.mp4", protect_frames(face_frames), fps=25)
    data = bytearray(marked.read_bytes())
    start, end = int(len(data) * 0.3), int(len(data) * 0.95)
    data[start:end] = np.random.default_rng(1).integers(0, 256, end - start, dtype=np.uint8).tobytes()
    damaged = tmp_path / "damaged.mp4"
    damaged.write_bytes(bytes(data))
    with pytest.raises(InputError, match="could not decode all of the video"):  # ffmpeg stops with an error
        list(read_frames(damaged))
    report = detect(damaged)
    assert report.marked and report.frames.detected and report.frames.frames > 0
    assert report.damage
    damage = [line for line in report.lines() if line.startswith("  damage: ")]
    assert damage == [
        f"  damage: the video is damaged (ffmpeg: {report.damage}): the frame mark was looked for in the frames it "
        "decoded"
    ]


def test_detect_shows_the_control_characters_of_a_file_s_name_and_record_escaped(tmp_path, speech):
    """A record whose "created" ended in ESC[8m had hidden the rest of detect's words on a terminal, and a line break
    in a file's name had broken its lines: they are shown escaped."""
    from core.printable import printable

    wave, sr = speech
    out = save_audio(tmp_path / "said\nmarked.wav", mark_audio(wave, sr), sr)
    finish_output(out, "audio", [Component("vocoder", "hifigan-lj-v1", "2" * 64)], {}, CONSENT_STATEMENT)
    record = json.loads(record_path(out).read_text())
    record["created"] = "2026-12-07T21:15:00+00:00\x1b[8m\x9b\x7f"
    record_path(out).write_text(json.dumps(record))
    lines = detect(out).lines()
    assert not any(re.search(r"[\x00-\x1f\x7f-\x9f]", line) for line in lines), lines
    assert lines[0] == f"{tmp_path}/said\\nmarked.wav: carries voxlip's watermark"
    assert lines[-1].startswith("  provenance record: found (2026-12-07T21:15:00+00:00\\x1b[8m\\x9b\\x7f), its sha256")
    assert printable("bad\udcff.wav\t") == "bad\\udcff.wav\\t"  # a name's bytes that are not UTF-8 print


def test_a_still_too_large_to_read_whole_is_read_scaled_down_and_its_mark_found(tmp_path, faces_dir, monkeypatch):
    """A 16000x16000 PNG of one colour (775 KB) had taken detect 3.8 GB and 73 s, read at its own size: a still is
    read at most MAX_SIDE pixels on its long side, and a marked one scaled up to more is still found marked."""
    import importlib

    detecting = importlib.import_module("pipeline.provenance.detect")
    photo = Image.open(faces_dir / "painting_pearl_earring.jpg").convert("RGB")
    marked = Image.fromarray(mark_frame(np.asarray(photo)))
    large = tmp_path / "large.png"
    width, height = (round(side * 4800 / max(photo.size)) for side in photo.size)  # 4800 on the long side
    marked.resize((width, height), Image.Resampling.BICUBIC).save(large, compress_level=1)
    sizes, find = [], detecting.find_frame_mark

    def find_noted(frames, *args, **kwargs):
        return find((sizes.append(frame.shape) or frame for frame in frames), *args, **kwargs)

    monkeypatch.setattr(detecting, "find_frame_mark", find_noted)
    report = detect(large)
    assert report.kind == "image" and report.marked and report.frames.detected
    assert sizes == [(round(height * 0.8), round(width * 0.8), 3)], sizes  # 3840 on the long side


def test_detect_says_when_sound_is_too_short_for_the_mark_to_be_found(tmp_path, speech):
    """A word or two, marked, holds too little of the mark to find: "no watermark found" read as "not voxlip's"."""
    import dataclasses

    wave, sr = speech
    own_strength = dataclasses.replace(AUDIO_MARK, stronger_db=())  # 0.3 s at 1 dB: z 4.2
    short = save_audio(tmp_path / "hi.wav", mark_audio(wave[: int(0.3 * sr)], sr, own_strength), sr)
    report = detect(short)
    assert not report.marked and report.too_short
    verdict, audio_line = report.lines()[:2]
    assert "too short to tell whether it carries voxlip's watermark (0.30 s of sound)" in verdict
    assert "1 s of sound or more are needed" in audio_line
    assert not detect(save_audio(tmp_path / "long.wav", wave[: 3 * sr], sr)).too_short
    just_under = save_audio(tmp_path / "just_under.wav", wave[: int(0.97 * sr)], sr)
    assert "(0.97 s of sound)" in detect(just_under).lines()[0]  # had been "1.0 s", and "1 s or more are needed"


def test_detect_says_it_cannot_tell_of_a_file_without_sound(tmp_path, speech, face_frames):
    """Digital silence (or a mix whose channels cancel) had read "no voxlip watermark found ... z = 0.0", as if
    checked, and a WAV of no samples had been refused with the loader's "give a recording of speech": each is said to
    hold no sound to check. A video's frames are still checked."""
    wave, sr = speech
    silence = save_audio(tmp_path / "silence.wav", np.zeros(5 * sr, np.float32), sr)
    marked = mark_audio(wave, sr)
    cancelled = save_audio(tmp_path / "cancelled.wav", (marked - marked) / 2, sr)  # a channel and its turned-over copy
    empty = save_audio(tmp_path / "empty.wav", np.zeros(0, np.float32), sr)
    for path, why in (
        (silence, "its sound is silence"),
        (cancelled, "its sound is silence"),
        (empty, "no audio samples"),
    ):
        report = detect(path)
        verdict, audio_line = report.lines()[:2]
        assert verdict.startswith(f"{path}: cannot tell whether it carries voxlip's watermark: ") and why in verdict
        assert "audio mark: nothing to check, " in audio_line and "z = " not in audio_line
        assert not report.marked and report.no_sound
    video = write_video(tmp_path / "silent.mp4", list(protect_frames(face_frames[:25])), fps=25, audio=silence)
    report = detect(video)
    assert report.marked and report.no_sound
    assert "carries voxlip's watermark" in report.lines()[0] and "audio mark: nothing to check" in report.lines()[1]
    assert not detect(save_audio(tmp_path / "speech.wav", wave, sr)).no_sound
    quiet = tmp_path / "quiet.wav"  # under 1e-4 of full scale, yet marked: floats (16 bits round it to silence)
    soundfile.write(quiet, marked * 1e-5, sr, subtype="FLOAT")
    quiet = detect(quiet)
    assert quiet.marked and not quiet.no_sound and "carries voxlip's watermark" in quiet.lines()[0]


def test_frame_mark_on_bgr_frames_is_the_rgb_mark_reordered(face_frames):
    rgb = face_frames[0]
    bgr = np.ascontiguousarray(rgb[:, :, ::-1])
    from_bgr = next(protect_frames([bgr], channels="bgr"))[:, :, ::-1]
    np.testing.assert_array_equal(from_bgr, next(protect_frames([rgb])))


@pytest.mark.parametrize("config", ["unwritable", "no home"])
def test_a_signing_certificate_that_cannot_be_made_is_named_before_any_work(
    tmp_path, monkeypatch, speech_files, capsys, config
):
    """A service's user (HOME unset, its home /nonexistent) had every output refused after all the work, as "could not
    write out.wav (Permission denied): that folder cannot be written to", though it could be: what could not be made
    was voxlip's signing certificate, under ~/.config on first use."""
    from pipeline.cli import main as voxlip
    from pipeline.outputs import check_output

    if config == "unwritable":
        (tmp_path / "file").write_text("")
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "file" / "config"))  # ENOTDIR, even as root
        said = rf"in {tmp_path}/file/config/voxlip/c2pa \(Not a directory\)"
    else:
        monkeypatch.delenv("XDG_CONFIG_HOME")
        monkeypatch.setattr(Path, "home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
        said = r"in ~/\.config/voxlip/c2pa \(this user has no home folder\)"
    refusal = rf"could not make or read its signing certificate {said}: set XDG_CONFIG_HOME to a folder it can write"
    with pytest.raises(InputError, match=refusal + r".*VOXLIP_C2PA_CERT and VOXLIP_C2PA_KEY"):
        check_output(tmp_path / "out.wav", "audio")
    out = tmp_path / "out" / "say.wav"
    assert voxlip(["say", "Hi there.", "--ref", str(speech_files[0]), "-o", str(out), "--i-have-consent"]) == 1
    err = capsys.readouterr().err
    assert re.search(refusal, err) and "could not write" not in err, err
    assert err.rstrip().endswith("and a PEM file of its PKCS#8 key)") and "docs/" not in err, err  # no docs/ installed
    assert not out.exists() and not list(Path(os.environ["VOXLIP_CACHE"]).rglob("*.npz"))  # refused before any work


def test_settings_given_as_numpy_numbers_are_recorded_as_the_numbers_they_hold():
    """LipsyncOptions and OfflineConfig take NumPy numbers (face_index=np.int64(0), duration_factor=np.float32(1.1));
    the record had failed on them after the work, "Object of type int64 is not JSON serializable"."""
    from pipeline.provenance.record import recorded_settings

    given = {"face_index": np.int64(0), "factor": np.float32(1.5), "pads": (np.int64(0), 10), "box": np.array([1, 2])}
    assert recorded_settings({"lipsync": given}) == {
        "lipsync": {"face_index": 0, "factor": 1.5, "pads": [0, 10], "box": [1, 2]}
    }
    with pytest.raises(TypeError, match="a setting of type object cannot be recorded"):
        recorded_settings({"odd": object()})
