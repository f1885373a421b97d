"""LSE-D / LSE-C on embeddings whose answer is known, and the expert's windowing."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.errors import InputError
from lipsync.metrics import MAX_OFFSET, expert_embeddings, lse, offset_distances, sync_scores
from lipsync.syncnet import load_syncnet, mouth_windows


def _unit_rows(n: int, dim: int = 512, seed: int = 0) -> torch.Tensor:
    return F.normalize(torch.randn(n, dim, generator=torch.Generator().manual_seed(seed)), dim=1)


def _shifted_pair(n: int, shift: int, dim: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    """Audio and video features where video[i] == audio[i - shift] (the picture `shift` frames late)."""
    base = _unit_rows(n + 2 * MAX_OFFSET, dim)
    audio = base[MAX_OFFSET : MAX_OFFSET + n]
    video = base[MAX_OFFSET - shift : MAX_OFFSET - shift + n]
    return audio, video


@pytest.mark.parametrize("shift", [0, 3, -4, MAX_OFFSET])
def test_shifted_features_give_offset_zero_distance_and_high_confidence(shift):
    n = 60
    audio, video = _shifted_pair(n, shift)
    scores = sync_scores(audio, video)
    assert scores.offset == shift
    best = MAX_OFFSET - shift
    matched = [i for i in range(n) if 0 <= i - shift < n]
    assert scores.frame_distances[matched, best].max() < 1e-4  # only torch's eps 1e-6 per dimension
    # the |shift| unmatched windows meet a zero vector: distance |video[i]| = 1
    assert scores.min_distance == pytest.approx(abs(shift) / n, abs=1e-4)
    # random unit vectors are sqrt(2) apart, so the median offset is ~1.41 away
    assert scores.confidence == pytest.approx(np.median(scores.mean_distances) - abs(shift) / n, abs=1e-4)
    assert scores.confidence > 1.0
    assert scores.mean_distances.shape == (2 * MAX_OFFSET + 1,)
    assert scores.frame_confidence.shape == (n,)


def test_unrelated_features_have_no_confidence():
    scores = sync_scores(_unit_rows(200, seed=1), _unit_rows(200, seed=2))
    assert scores.confidence < 0.05
    assert scores.min_distance > 1.2


def test_scores_follow_the_syncnet_python_definition():
    """A literal double loop over windows and offsets, written from the definition."""
    audio, video = _unit_rows(25, 8, seed=3), _unit_rows(25, 8, seed=4)
    v = 5
    table = np.zeros((25, 2 * v + 1))
    for i in range(25):
        for j in range(2 * v + 1):
            k = i + j - v
            other = audio[k].numpy() if 0 <= k < 25 else np.zeros(8, np.float32)
            table[i, j] = np.linalg.norm(video[i].numpy() - other + 1e-6)
    mean = table.mean(axis=0)
    scores = sync_scores(audio, video, max_offset=v)
    np.testing.assert_allclose(scores.frame_distances, table, rtol=1e-5, atol=1e-6)
    assert scores.min_distance == pytest.approx(mean.min(), abs=1e-6)
    assert scores.confidence == pytest.approx(np.median(mean) - mean.min(), abs=1e-6)
    assert scores.offset == v - int(mean.argmin())


def test_lse_averages_videos():
    a = sync_scores(*_shifted_pair(40, 2))
    b = sync_scores(*_shifted_pair(40, -1))
    lse_d, lse_c = lse([a, b])
    assert lse_d == pytest.approx((a.min_distance + b.min_distance) / 2)
    assert lse_c == pytest.approx((a.confidence + b.confidence) / 2)


def test_metric_input_errors():
    with pytest.raises(InputError, match=r"same \(N, D\) shape; got \(10, 4\) and \(9, 4\)"):
        offset_distances(torch.zeros(10, 4), torch.zeros(9, 4))
    with pytest.raises(InputError, match=r"video features must be a non-empty \(N, D\) array"):
        sync_scores(torch.zeros(10, 4), torch.zeros(10))
    with pytest.raises(InputError, match="no videos"):
        lse([])


def test_expert_embeddings_pair_each_window_with_its_mel(seeded_checkpoint):
    model = load_syncnet(seeded_checkpoint("syncnet", "lipsync_expert.pth"))
    generator = torch.Generator().manual_seed(5)
    faces = torch.rand(14, 3, 96, 96, generator=generator)
    mel = torch.rand(80, 40, generator=generator) * 8 - 4
    audio, video = expert_embeddings(model, mel, faces, batch_size=3)
    # 14 faces make 10 windows, but the mel (start int(3.2 i), 16 frames) only has room for i <= 7
    assert audio.shape == video.shape == (8, 512)
    i, start = 6, int(80.0 * (6 / 25.0))
    with torch.no_grad():
        want_audio = model.embed_audio(mel[None, None, :, start : start + 16])
        want_video = model.embed_face(mouth_windows(faces[i : i + 5]))
    torch.testing.assert_close(audio[i : i + 1], want_audio, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(video[i : i + 1], want_video, rtol=1e-5, atol=1e-5)
    assert isinstance(sync_scores(audio, video, max_offset=3).offset, int)
