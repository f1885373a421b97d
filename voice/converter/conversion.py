"""What the converter is for: a voice's tone-colour embedding, and speech re-voiced with another's.

Both take mono float samples at the converter's rate (22.05 kHz for OpenVoice V2; e.g.
`voice.audio.load_audio(path, 22_050)`).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from core.errors import InputError
from voice.precision import check_precision

from .model import ToneColourConverter
from .spectrogram import linear_spectrogram, spectrogram_frame_count

PIECE_SECONDS = 10.0
"""OpenVoice embeds a reference in pieces of about this length (se_extractor.split_audio_vad) and averages them."""
MIN_REFERENCE_SECONDS = 1.0


def _samples(wave: np.ndarray | Tensor, converter: ToneColourConverter, what: str, min_samples: int) -> Tensor:
    wave = torch.as_tensor(wave)
    rate = converter.config.spectrogram.sample_rate
    if wave.ndim != 1 or not wave.is_floating_point():
        raise InputError(
            f"{what} must be 1-D float samples at {rate} Hz, got {wave.dtype} of shape {tuple(wave.shape)}"
        )
    if wave.numel() < min_samples:
        raise InputError(
            f"{what} is {wave.numel() / rate:.2f} s long: "
            f"give at least {min_samples / rate:.2f} s of speech at {rate} Hz"
        )
    if not torch.isfinite(wave).all():
        raise InputError(f"{what} contains NaN or infinite samples: give real audio")
    return wave.to(converter.device, torch.float32)


def _embedding(value: np.ndarray | Tensor, converter: ToneColourConverter, what: str) -> Tensor:
    size = converter.config.gin_channels
    value = torch.as_tensor(value)
    if value.numel() != size or not value.is_floating_point() or not torch.isfinite(value).all():
        raise InputError(
            f"{what} must be one tone-colour embedding of {size} finite floats (shape ({size},) or OpenVoice's "
            f"(1, {size}, 1)), got {value.dtype} of shape {tuple(value.shape)}; make it with tone_colour_embedding"
        )
    return value.reshape(1, size, 1).to(converter.device, torch.float32)


@torch.inference_mode()
def tone_colour_embedding(
    converter: ToneColourConverter, wave: np.ndarray | Tensor, piece_seconds: float = PIECE_SECONDS
) -> Tensor:
    """(N,) speech at the converter's rate -> its (gin_channels,) tone-colour embedding.

    As OpenVoice's get_se / extract_se: the recording is cut into round(duration / piece_seconds)
    equal pieces (at least one), each is embedded, and the embeddings are averaged. OpenVoice
    first removes silences with a VAD; give speech without long pauses.
    """
    spec_config = converter.config.spectrogram
    wave = _samples(wave, converter, "the reference recording", int(MIN_REFERENCE_SECONDS * spec_config.sample_rate))
    pieces = max(1, round(wave.numel() / spec_config.sample_rate / piece_seconds))
    bounds = np.linspace(0, wave.numel(), pieces + 1).round().astype(int)
    embeddings = [
        converter.embed(linear_spectrogram(wave[start:stop], spec_config)) for start, stop in zip(bounds, bounds[1:])
    ]
    return torch.stack(embeddings).mean(0).reshape(-1).cpu()


@torch.inference_mode()
def convert(
    converter: ToneColourConverter,
    wave: np.ndarray | Tensor,
    source_embedding: np.ndarray | Tensor,
    target_embedding: np.ndarray | Tensor,
    tau: float = 0.3,
    *,
    generator: torch.Generator | None = None,
    precision: str = "float32",
) -> np.ndarray:
    """Speech by the voice of `source_embedding` -> the same speech in the tone colour of `target_embedding`.

    The result has as many samples as `wave`, aligned with it: the network makes hop samples per
    spectrogram frame, and the last (fewer than hop) samples are silence. `tau` scales the
    sampling noise of the latent (OpenVoice's default 0.3; 0 is deterministic). `precision`
    "bfloat16" runs the decoder (94% of the multiply-adds) in bf16 with float32 accumulation: samples move
    by ~1e-2 at most; it pays only on CPUs with AVX512-BF16 or AMX, elsewhere torch emulates it (50x slower).
    """
    check_precision(precision, "tone-colour converter")
    if not 0 <= tau <= 10:
        raise InputError(f"tau must be between 0 and 10 (OpenVoice uses 0.3), got {tau}")
    spec_config = converter.config.spectrogram
    samples = _samples(wave, converter, "the speech to convert", spec_config.n_fft)
    g_source = _embedding(source_embedding, converter, "source_embedding")
    g_target = _embedding(target_embedding, converter, "target_embedding")
    spec = linear_spectrogram(samples, spec_config)
    z_target = converter.target_latent(spec, g_source, g_target, tau, generator)
    with torch.autocast(converter.device.type, dtype=torch.bfloat16, enabled=precision == "bfloat16"):
        out = converter.decode(z_target, g_target)
    out = out.reshape(-1).float().cpu().numpy()
    converted = np.zeros(samples.numel(), dtype=np.float32)
    converted[: spectrogram_frame_count(samples.numel(), spec_config) * spec_config.hop_length] = out
    return converted
