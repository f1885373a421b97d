"""LSE-D and LSE-C lip-sync scores, computed as Wav2Lip's evaluation computes them.

Wav2Lip's evaluation/scores_LSE runs joonson/syncnet_python's `SyncNetInstance.evaluate`: for each
video window i, the distance between its visual feature and the audio features of windows
i - 15 .. i + 15 (zero vectors beyond either end); the distances are averaged over i for every
offset. LSE-D is the smallest of those 31 means, LSE-C is their median minus that smallest
value, and the offset is where the smallest one lies.

The published LSE figures use syncnet_python's own network (`syncnet_v2.model`, MFCC input).
`sync_scores` works on any pair of embedding sequences, e.g. from Wav2Lip's SyncNet expert
(`expert_embeddings`), but its numbers are comparable with published LSE-D / LSE-C only when the
embeddings come from that same network: another network has another distance scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy.signal import medfilt
from torch import Tensor

from core.errors import InputError

from .syncnet import SyncNet, mouth_windows

MAX_OFFSET = 15
"""Frames searched either side: syncnet_python's `--vshift` default used by Wav2Lip's scripts."""


@dataclass(frozen=True)
class SyncScores:
    offset: int
    """Frames by which the picture runs behind the sound: at the best offset k, video window i
    matches audio window i - k. Negative when the picture runs ahead."""
    min_distance: float
    """LSE-D: the smallest mean distance over the offsets (lower is better)."""
    confidence: float
    """LSE-C: median minus smallest mean distance (higher is better)."""
    mean_distances: np.ndarray
    """(2 * max_offset + 1,) mean distance per offset; index j is offset max_offset - j."""
    frame_distances: np.ndarray
    """(N, 2 * max_offset + 1) distance of each video window at each offset."""

    @property
    def frame_confidence(self) -> np.ndarray:
        """Per-window confidence at the best offset, median-filtered over 9 windows (as syncnet_python)."""
        best = int(np.argmin(self.mean_distances))
        raw = np.median(self.mean_distances) - self.frame_distances[:, best]
        return medfilt(raw, kernel_size=9)


def offset_distances(audio: Tensor | np.ndarray, video: Tensor | np.ndarray, max_offset: int = MAX_OFFSET) -> Tensor:
    """(N, D) audio and video features -> (N, 2 * max_offset + 1) distances.

    Entry [i, j] is |video[i] - audio[i + j - max_offset]| (torch's pairwise distance, eps 1e-6);
    audio outside 0..N-1 is a zero vector, as in syncnet_python.
    """
    audio, video = _features(audio, "audio"), _features(video, "video")
    if audio.shape != video.shape:
        raise InputError(
            f"audio and video features must have the same (N, D) shape; got {tuple(audio.shape)} and "
            f"{tuple(video.shape)}"
        )
    if max_offset < 0:
        raise InputError(f"max_offset must be >= 0; got {max_offset}")
    window = 2 * max_offset + 1
    padded = F.pad(audio, (0, 0, max_offset, max_offset))
    candidates = padded.unfold(0, window, 1).transpose(1, 2)  # (N, window, D)
    return F.pairwise_distance(video[:, None, :].expand_as(candidates), candidates)


def sync_scores(audio: Tensor | np.ndarray, video: Tensor | np.ndarray, max_offset: int = MAX_OFFSET) -> SyncScores:
    """Offset, LSE-D and LSE-C of one video from its per-window audio and video features."""
    distances = offset_distances(audio, video, max_offset)
    mean = distances.mean(dim=0)
    smallest, best = torch.min(mean, dim=0)
    return SyncScores(
        offset=max_offset - int(best),
        min_distance=float(smallest),
        confidence=float(torch.median(mean) - smallest),
        mean_distances=mean.numpy(),
        frame_distances=distances.numpy(),
    )


def lse(scores: list[SyncScores]) -> tuple[float, float]:
    """(LSE-D, LSE-C) of a test set: the per-video values averaged over videos."""
    if not scores:
        raise InputError("no videos to score")
    return (
        float(np.mean([s.min_distance for s in scores])),
        float(np.mean([s.confidence for s in scores])),
    )


def _features(x: Tensor | np.ndarray, what: str) -> Tensor:
    x = torch.as_tensor(x).detach().to("cpu", torch.float32)
    if x.dim() != 2 or x.shape[0] == 0:
        raise InputError(f"{what} features must be a non-empty (N, D) array; got shape {tuple(x.shape)}")
    return x


@torch.inference_mode()
def expert_embeddings(
    model: SyncNet, mel: Tensor | np.ndarray, faces: Tensor, fps: float = 25.0, batch_size: int = 64
) -> tuple[Tensor, Tensor]:
    """Wav2Lip-expert features of every 5-frame window of a talking face, for `sync_scores`.

    mel: (80, M) Wav2Lip mel (80 frames per second); faces: (N, 3, 96, 96) BGR in [0, 1]. Window i
    pairs faces i..i+4 with mel frames from int(80 * i / fps) on, as the expert was trained.
    Windows whose audio would run past the mel are dropped. Returns (audio, video), each (W, 512).
    """
    c = model.config
    mel = torch.as_tensor(mel, dtype=torch.float32)
    if mel.dim() != 2 or mel.shape[0] != c.num_mels:
        raise InputError(f"mel must be ({c.num_mels}, frames); got {tuple(mel.shape)}")
    starts = [int(80.0 * (i / fps)) for i in range(max(faces.shape[0] - c.frames + 1, 0))]
    starts = [s for s in starts if s + c.mel_window <= mel.shape[1]]
    if not starts:
        raise InputError(f"need at least {c.frames} faces and {c.mel_window} mel frames to score lip sync")
    device = next(model.parameters()).device
    audio_feats, video_feats = [], []
    for first in range(0, len(starts), batch_size):
        chunk = starts[first : first + batch_size]
        windows = torch.stack([mel[:, s : s + c.mel_window] for s in chunk])[:, None]
        mouths = mouth_windows(faces[first : first + len(chunk) + c.frames - 1], c.frames)
        audio_feats.append(model.embed_audio(windows.to(device)).cpu())
        video_feats.append(model.embed_face(mouths.to(device)).cpu())
    return torch.cat(audio_feats), torch.cat(video_feats)
