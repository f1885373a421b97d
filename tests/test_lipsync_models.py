"""Wav2Lip generator, SyncNet expert and S3FD detector against the anchor outputs (compat fixtures)."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
import torch
from torch import nn

from core.errors import CheckpointError, InputError
from lipsync.s3fd import S3FD, DetectionConfig, decode_detections, load_s3fd
from lipsync.syncnet import load_syncnet
from lipsync.wav2lip import load_wav2lip

TIGHT = dict(rtol=1e-5, atol=1e-5)
FUSED = dict(rtol=1e-4, atol=1e-4)


@pytest.fixture(scope="module")
def wav2lip_file(seeded_checkpoint):
    return seeded_checkpoint("wav2lip", "wav2lip.pth")


@pytest.fixture(scope="module")
def syncnet_file(seeded_checkpoint):
    return seeded_checkpoint("syncnet", "lipsync_expert.pth")


@pytest.fixture(scope="module")
def s3fd_file(seeded_checkpoint):
    return seeded_checkpoint("s3fd", "s3fd.pth")


@pytest.fixture(scope="module")
def wav2lip_case(compat_case):
    arrays, _ = compat_case("wav2lip")
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


def _without_prefix(path, tmp_path, prefix="module.", add=False):
    contents = torch.load(path, weights_only=True)
    weights = contents["state_dict"]
    contents["state_dict"] = {(prefix + k if add else k.removeprefix(prefix)): v for k, v in weights.items()}
    out = tmp_path / ("prefixed.pth" if add else "unprefixed.pth")
    torch.save(contents, out)
    return out


# --- Wav2Lip -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fuse, channels_last", [(False, False), (True, False), (True, True)], ids=["plain", "fused-bn", "fused-nhwc"]
)
def test_wav2lip_matches_anchor(wav2lip_file, wav2lip_case, fuse, channels_last):
    model = load_wav2lip(wav2lip_file, fuse_batchnorm=fuse, channels_last=channels_last)
    assert not model.training
    with torch.no_grad():
        out = model(wav2lip_case["audio"], wav2lip_case["face"])
    assert out.shape == (2, 3, 96, 96)
    torch.testing.assert_close(out, wav2lip_case["out"], **(FUSED if fuse else TIGHT))


@pytest.mark.parametrize("first_row", [4, 27, 40, 61, 95])
def test_wav2lip_lower_rows_only_match_anchor(wav2lip_file, wav2lip_case, first_row):
    model = load_wav2lip(wav2lip_file)
    face = wav2lip_case["face"]
    with torch.no_grad():
        out = model.generate(wav2lip_case["audio"], face, first_row)
    assert out.shape == (2, 3, 96, 96)
    torch.testing.assert_close(out[:, :, first_row:], wav2lip_case["out"][:, :, first_row:], **FUSED)
    torch.testing.assert_close(out[:, :, :first_row], face[:, 3:, :first_row], rtol=0, atol=0)


def test_wav2lip_lower_rows_equal_the_full_pass(wav2lip_file):
    model = load_wav2lip(wav2lip_file)
    generator = torch.Generator().manual_seed(5)
    audio = torch.rand(3, 1, 80, 16, generator=generator) * 8 - 4
    face = torch.rand(3, 6, 96, 96, generator=generator)
    with torch.inference_mode():
        full = model.generate(audio, face)
        for first_row in range(0, 96, 7):
            torch.testing.assert_close(
                model.generate(audio, face, first_row)[:, :, first_row:], full[:, :, first_row:], rtol=1e-6, atol=1e-6
            )


def test_wav2lip_keeps_checkpoint_sha256(wav2lip_file):
    model = load_wav2lip(wav2lip_file)
    assert model.checkpoint_sha256 == hashlib.sha256(wav2lip_file.read_bytes()).hexdigest()


def test_wav2lip_accepts_weights_without_module_prefix(wav2lip_file, wav2lip_case, tmp_path):
    contents = torch.load(wav2lip_file, weights_only=True)
    assert all(k.startswith("module.") for k in contents["state_dict"])
    model = load_wav2lip(_without_prefix(wav2lip_file, tmp_path), fuse_batchnorm=False, channels_last=False)
    with torch.no_grad():
        out = model(wav2lip_case["audio"], wav2lip_case["face"])
    torch.testing.assert_close(out, wav2lip_case["out"], **TIGHT)


def test_fused_batchnorm_equals_plain_wav2lip(wav2lip_file):
    plain = load_wav2lip(wav2lip_file, fuse_batchnorm=False, channels_last=False)
    fused = load_wav2lip(wav2lip_file, fuse_batchnorm=True, channels_last=False)
    assert fused.batchnorm_fused and not plain.batchnorm_fused
    assert not any(isinstance(m, nn.BatchNorm2d) for m in fused.modules())
    generator = torch.Generator().manual_seed(3)
    audio = torch.rand(4, 1, 80, 16, generator=generator) * 8 - 4
    face = torch.rand(4, 6, 96, 96, generator=generator)
    face[:, :3, 48:] = 0
    with torch.inference_mode():
        torch.testing.assert_close(fused(audio, face), plain(audio, face), **FUSED)


def test_wav2lip_unrolls_sequences(wav2lip_file, wav2lip_case):
    model = load_wav2lip(wav2lip_file)
    audio = torch.stack([wav2lip_case["audio"], wav2lip_case["audio"].flip(0), wav2lip_case["audio"]], dim=1)
    face = torch.stack([wav2lip_case["face"], wav2lip_case["face"], wav2lip_case["face"].flip(0)], dim=2)
    with torch.no_grad():
        out = model(audio, face)  # (B, T, 1, 80, 16) with (B, 6, T, 96, 96)
        assert out.shape == (2, 3, 3, 96, 96)
        for t in range(3):
            torch.testing.assert_close(out[:, :, t], model(audio[:, t], face[:, :, t]), rtol=1e-6, atol=1e-6)
    torch.testing.assert_close(out[:, :, 0], wav2lip_case["out"], **FUSED)


def test_wav2lip_refuses_the_syncnet_checkpoint(syncnet_file):
    """Said first: the keys alone (hundreds of characters of them) had not said it was another model's file."""
    message = r"does not hold the Wav2Lip generator: this looks like a SyncNet lip-sync expert checkpoint"
    with pytest.raises(CheckpointError, match=message):
        load_wav2lip(syncnet_file)


@pytest.mark.parametrize(
    "audio_shape, face_shape",
    [
        ((2, 1, 80, 15), (2, 6, 96, 96)),  # mel window too short
        ((2, 1, 80, 16), (2, 3, 96, 96)),  # reference face missing
        ((2, 1, 80, 16), (3, 6, 96, 96)),  # batch sizes differ
        ((2, 1, 80, 16), (2, 6, 128, 128)),  # face not 96x96
        ((2, 3, 1, 80, 16), (2, 3, 6, 96, 96)),  # time on the wrong axis of the faces
        ((2, 1, 80, 16), (2, 6, 1, 96, 96)),  # 4-D audio with 5-D faces
    ],
)
def test_wav2lip_rejects_wrong_shapes(wav2lip_file, audio_shape, face_shape):
    model = load_wav2lip(wav2lip_file)
    with pytest.raises(InputError, match=r"Wav2Lip needs mel windows \(B, 1, 80, 16\).*got audio"):
        model(torch.zeros(audio_shape), torch.zeros(face_shape))


# --- SyncNet expert -----------------------------------------------------------------------------


@pytest.mark.parametrize("fuse", [False, True], ids=["plain", "fused-bn"])
@pytest.mark.parametrize("prefix", [False, True], ids=["public-keys", "module-prefix"])
def test_syncnet_matches_anchor(syncnet_file, compat_case, tmp_path, fuse, prefix):
    arrays, _ = compat_case("syncnet")
    path = _without_prefix(syncnet_file, tmp_path, add=True) if prefix else syncnet_file
    model = load_syncnet(path, fuse_batchnorm=fuse)
    with torch.no_grad():
        audio_embedding, face_embedding = model(torch.from_numpy(arrays["audio"]), torch.from_numpy(arrays["face"]))
    tolerance = FUSED if fuse else TIGHT
    torch.testing.assert_close(audio_embedding, torch.from_numpy(arrays["audio_embedding"]), **tolerance)
    torch.testing.assert_close(face_embedding, torch.from_numpy(arrays["face_embedding"]), **tolerance)
    torch.testing.assert_close(audio_embedding.norm(dim=1), torch.ones(2))


def test_wav2lip_and_syncnet_forward_take_numpy_and_float64_and_keep_no_graph(
    wav2lip_file, wav2lip_case, syncnet_file, compat_case
):
    """float64 had met torch's "Input type (double) and bias type (float)", numpy an AttributeError, and outputs
    had carried a grad_fn (the weights required gradients)."""
    wav2lip = load_wav2lip(wav2lip_file)
    audio, face = wav2lip_case["audio"], wav2lip_case["face"]
    assert not any(p.requires_grad for p in wav2lip.parameters())
    for given in [(audio.double(), face.double()), (audio.numpy(), face.numpy())]:
        out = wav2lip(*given)
        assert out.dtype == torch.float32 and out.grad_fn is None
        torch.testing.assert_close(out, wav2lip_case["out"], **FUSED)
    with pytest.raises(InputError, match="Wav2Lip's faces must hold floating-point numbers, not torch.uint8"):
        wav2lip(audio, (face * 255).to(torch.uint8))
    syncnet, (arrays, _) = load_syncnet(syncnet_file), compat_case("syncnet")
    audio_embedding, face_embedding = syncnet(arrays["audio"].astype(np.float64), arrays["face"])
    assert audio_embedding.grad_fn is None and face_embedding.dtype == torch.float32
    torch.testing.assert_close(audio_embedding, torch.from_numpy(arrays["audio_embedding"]), **FUSED)
    with pytest.raises(InputError, match="SyncNet mel windows must be a torch tensor or a numpy array, not list"):
        syncnet.embed_audio([0.0])


def test_syncnet_refuses_the_wav2lip_checkpoint(wav2lip_file):
    with pytest.raises(
        CheckpointError, match=r"does not hold the SyncNet lip-sync expert: this looks like a Wav2Lip generator"
    ):
        load_syncnet(wav2lip_file)


def test_syncnet_rejects_wrong_shapes(syncnet_file):
    model = load_syncnet(syncnet_file)
    with pytest.raises(InputError, match=r"mouth windows must have shape \(B, 15, 48, 96\); got \(1, 15, 96, 96\)"):
        model.embed_face(torch.zeros(1, 15, 96, 96))
    with pytest.raises(InputError, match=r"mel windows must have shape \(B, 1, 80, 16\); got \(1, 80, 16\)"):
        model.embed_audio(torch.zeros(1, 80, 16))


# --- S3FD ---------------------------------------------------------------------------------------


def test_s3fd_matches_anchor(s3fd_file, compat_case):
    arrays, _ = compat_case("s3fd")
    model = load_s3fd(s3fd_file)
    with torch.no_grad():
        outputs = model(torch.from_numpy(arrays["x"]))
    names = sorted(k for k in arrays if k.startswith("out"))
    assert len(outputs) == len(names) == 12
    for name, out in zip(names, outputs):
        torch.testing.assert_close(out, torch.from_numpy(arrays[name]), **TIGHT, msg=lambda m, n=name: f"{n}: {m}")


def test_s3fd_refuses_a_wrapped_checkpoint(wav2lip_file):
    with pytest.raises(
        CheckpointError, match="does not hold the S3FD face detector: this looks like a Wav2Lip generator checkpoint"
    ):
        load_s3fd(wav2lip_file)


def test_s3fd_rejects_wrong_images(s3fd_file):
    model = load_s3fd(s3fd_file)
    with pytest.raises(InputError, match=r"RGB images \(H, W, 3\) or \(B, H, W, 3\); got \(64, 64\)"):
        model.detect(np.zeros((64, 64), np.uint8))
    with pytest.raises(InputError, match=r"S3FD needs images shaped \(B, 3, H, W\)"):
        model(torch.zeros(1, 64, 64, 3))


def _blank_outputs(batch: int, size: int = 128) -> list[torch.Tensor]:
    """Network outputs that see no face anywhere: background logit 5, face logit -5, zero offsets."""
    outputs = []
    for level in range(6):
        side = max(size // 2 ** (level + 2), 1)
        cls = torch.zeros(batch, 2, side, side)
        cls[:, 0] = 5.0
        cls[:, 1] = -5.0
        outputs += [cls, torch.zeros(batch, 4, side, side)]
    return outputs


def _plant(outputs, level, image, row, col, face_logit, offsets=(0.0, 0.0, 0.0, 0.0)):
    cls, reg = outputs[2 * level], outputs[2 * level + 1]
    cls[image, :, row, col] = torch.tensor([0.0, face_logit])
    reg[image, :, row, col] = torch.tensor(offsets)


def test_s3fd_decoding_nms_and_filtering_on_known_outputs():
    outputs = _blank_outputs(batch=2)
    # stride 8: anchor centre (7*8+4, 5*8+4) = (60, 44), size 32; centre moves by (0.5, -0.25)*0.1*32,
    # width doubles (exp(0.2 * ln2 / 0.2)), height stays: box (29.6, 27.2)-(93.6, 59.2)
    _plant(outputs, 1, 0, 5, 7, 4.0, (0.5, -0.25, math.log(2) / 0.2, 0.0))
    _plant(outputs, 1, 0, 5, 8, 2.0)  # the next anchor: (52, 28)-(84, 60), IoU 0.49 -> suppressed
    _plant(outputs, 4, 0, 0, 0, 0.5)  # stride 64: (-96, -96)-(160, 160), IoU 0.03 -> kept, score 0.62
    _plant(outputs, 0, 0, 10, 10, -0.85)  # score 0.30: a candidate, but under 0.5
    faces = decode_detections(outputs)
    assert len(faces) == 2 and faces[1].shape == (0, 5)
    expected = np.array(
        [
            [29.6, 27.2, 93.6, 59.2, 1 / (1 + math.exp(-4.0))],
            [-96.0, -96.0, 160.0, 160.0, 1 / (1 + math.exp(-0.5))],
        ]
    )
    np.testing.assert_allclose(faces[0], expected, rtol=1e-5, atol=1e-4)


def test_s3fd_nms_threshold_is_configurable():
    outputs = _blank_outputs(batch=1)
    _plant(outputs, 1, 0, 5, 7, 4.0, (0.5, -0.25, math.log(2) / 0.2, 0.0))
    _plant(outputs, 1, 0, 5, 8, 2.0)
    assert len(decode_detections(outputs)[0]) == 1
    assert len(decode_detections(outputs, DetectionConfig(nms_iou=0.6))[0]) == 2


def test_s3fd_detect_runs_the_wav2lip_preprocessing(s3fd_file):
    model = load_s3fd(s3fd_file)
    rgb = np.random.default_rng(0).integers(0, 256, (2, 96, 128, 3), dtype=np.uint8)
    faces = model.detect(rgb)
    x = torch.from_numpy(rgb).float() - torch.tensor([104.0, 117.0, 123.0])
    with torch.no_grad():
        expected = decode_detections(model(x.permute(0, 3, 1, 2)))
    assert len(faces) == 2
    for got, want in zip(faces, expected):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)
        assert got.shape[1] == 5 and (got[:, 4] > 0.5).all()
        assert (np.diff(got[:, 4]) <= 0).all()
    single = model.detect(rgb[1])
    np.testing.assert_allclose(single[0], faces[1], rtol=1e-5, atol=1e-3)


def test_s3fd_class_builds_without_weights():
    shapes = [tuple(o.shape) for o in S3FD().eval()(torch.zeros(1, 3, 128, 128))]
    assert shapes[::2] == [(1, 2, 32, 32), (1, 2, 16, 16), (1, 2, 8, 8), (1, 2, 8, 8), (1, 2, 4, 4), (1, 2, 2, 2)]


def test_wav2lip_bfloat16_stays_within_two_levels(wav2lip_file, wav2lip_case):
    model = load_wav2lip(wav2lip_file)
    with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16):
        out = model(wav2lip_case["audio"], wav2lip_case["face"]).float()
    assert float((out - wav2lip_case["out"]).abs().max()) < 3 / 255


def test_s3fd_serves_the_face_tracker_as_its_detector(s3fd_file):
    from core.components import Component
    from lipsync.face import MESH, tracking_components
    from lipsync.s3fd import S3FDDetector
    from pipeline import Pipeline

    loose = DetectionConfig(min_score=0.0)  # seeded weights: boxes of any score, so that there are some
    model = load_s3fd(s3fd_file)
    detector = S3FDDetector(model, loose)
    bgr = np.random.default_rng(1).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    boxes = detector(bgr)
    raw = model.detect(np.ascontiguousarray(bgr[..., ::-1]), loose)[0]  # S3FD reads RGB, as Wav2Lip hands it
    assert boxes and len(boxes) <= len(raw)
    assert all(0 <= x1 < x2 <= 128 and 0 <= y1 < y2 <= 96 and 0 <= score <= 1 for x1, y1, x2, y2, score in boxes)
    inside = [tuple(b) for b in raw if b[0] >= 0 and b[1] >= 0 and b[2] <= 128 and b[3] <= 96]
    assert [b for b in boxes if b in inside] == inside  # boxes within the frame come through unchanged
    sha = hashlib.sha256(s3fd_file.read_bytes()).hexdigest()
    assert tracking_components(detector) == (Component("face detection", "s3fd.pth", sha), MESH)
    chosen = Pipeline("cpu", face_detector=str(s3fd_file)).face_detector
    assert isinstance(chosen, S3FDDetector) and chosen.component.sha256 == sha
    assert Pipeline("cpu").face_detector is None  # BlazeFace, made by each run
