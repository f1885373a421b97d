"""SV2TTS Tacotron: text ids + speaker embedding -> mel spectrogram (16 kHz, 80 mels, 12.5 ms frames)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np
import torch
from torch import Tensor, nn

from core.errors import InputError
from core.tensors import model_input
from voice.precision import check_precision

from .attention import Memory
from .config import TacotronConfig
from .decoder import Decoder, FastDecoderStep, PlainDecoderStep, StepOutput
from .layers import CBHG, Generators, PreNet, sequence_mask

EMBEDDING_NORM_TOLERANCE = 0.01
"""How far from 1 a speaker embedding's length may be: GE2E's are unit-length to within 1e-3 (float rounding, RTVC's
1e-5 added to the norm), and the synthesizer was trained on them (one 100 times longer ends in 14 frames, not 208)."""

StepFactory = Callable[[Decoder, Memory, float, Generators], Callable[[Tensor], StepOutput]]


class Encoder(nn.Module):
    """Character embedding, pre-net and CBHG; the speaker embedding is appended to every position."""

    def __init__(self, config: TacotronConfig):
        super().__init__()
        c = config
        self.embedding = nn.Embedding(c.num_chars, c.embed_dims)
        self.pre_net = PreNet(c.embed_dims, c.encoder_dims, c.encoder_dims)
        self.cbhg = CBHG(c.encoder_K, c.encoder_dims, c.encoder_dims, (c.encoder_dims, c.encoder_dims), c.num_highways)

    def forward(
        self,
        chars: Tensor,
        speaker_embedding: Tensor,
        lengths: Tensor | None = None,
        dropout: float = 0.0,
        generator: Generators = None,
    ) -> Tensor:
        x = self.pre_net(self.embedding(chars), dropout, generator, lengths)
        x = self.cbhg(x.transpose(1, 2), lengths)
        return torch.cat([x, speaker_embedding.unsqueeze(1).expand(-1, x.size(1), -1)], dim=2)


class TacotronOutput(NamedTuple):
    """Teacher-forced outputs."""

    mels: Tensor
    """(B, n_mels, T) decoder output"""
    linear: Tensor
    """(B, fft_bins, T) postnet output"""
    alignments: Tensor
    """(B, T / r, N) attention weights per decoder step"""
    stop_tokens: Tensor
    """(B, T) stop probabilities, each step's repeated r times"""


@dataclass(frozen=True)
class Generation:
    """Free-running outputs; rows are padded to the longest, `lengths` says how much of each is speech."""

    mels: Tensor
    """(B, n_mels, T) decoder output"""
    linear: Tensor
    """(B, fft_bins, T) postnet output: the spectrogram to vocode"""
    alignments: Tensor
    """(B, steps, N)"""
    stop_tokens: Tensor
    """(B, steps)"""
    lengths: Tensor
    """(B,) frames per row after its stop step and after trimming trailing near-silent frames"""

    def spectrograms(self) -> list[np.ndarray]:
        """One (fft_bins, frames) float32 array per row, trimmed to its length."""
        return [self.linear[i, :, :n].cpu().numpy() for i, n in enumerate(self.lengths.tolist())]


def trimmed_lengths(spectrograms: Tensor, frames: Tensor, threshold: float) -> Tensor:
    """(B,) frames left once the trailing frames whose loudest bin is below `threshold` are dropped.

    `spectrograms` (B, bins, T); `frames` (B,) how many frames of each row count. At least one stays.
    """
    position = torch.arange(spectrograms.size(2), device=spectrograms.device)
    loud = (spectrograms.amax(dim=1) >= threshold) & (position < frames.unsqueeze(1))
    return torch.where(loud, position + 1, 0).amax(dim=1).clamp(min=1)


class Tacotron(nn.Module):
    """The SV2TTS synthesizer, with state-dict names identical to the published synthesizer.pt.

    Padding: `lengths` (ids per row) makes everything past a row's length invisible, so a sentence
    gives the same output alone or in any batch. Without it the rows are taken whole, zeros included,
    which is what the original does (its pad ids still receive some attention).
    """

    def __init__(self, config: TacotronConfig = TacotronConfig()):
        super().__init__()
        c = config
        self.config = config
        self.encoder = Encoder(c)
        self.encoder_proj = nn.Linear(c.context_dims, c.decoder_dims, bias=False)
        self.decoder = Decoder(c)
        self.postnet = CBHG(c.postnet_K, c.n_mels, c.postnet_dims, (c.postnet_dims, c.fft_bins), c.num_highways)
        self.post_proj = nn.Linear(c.postnet_dims, c.fft_bins, bias=False)
        self.register_buffer("step", torch.zeros(1, dtype=torch.long))
        self.register_buffer("stop_threshold", torch.tensor(c.stop_threshold, dtype=torch.float32))

    @property
    def r(self) -> int:
        """Frames per decoder step, as stored in the checkpoint."""
        return int(self.decoder.r)

    @property
    def device(self) -> torch.device:
        return self.post_proj.weight.device

    def encode(
        self,
        chars: Tensor,
        speaker_embedding: Tensor,
        lengths: Tensor | None = None,
        dropout: float = 0.0,
        generator: Generators = None,
    ) -> Memory:
        """Encoder output and attention keys; `chars` (B, N) ids, `speaker_embedding` (B, 256)."""
        seq = self.encoder(chars, speaker_embedding, lengths, dropout, generator)
        padded = lengths is not None and bool((lengths < chars.size(1)).any())
        valid = sequence_mask(lengths, chars.size(1)) if padded else None
        return Memory(seq, self.encoder_proj(seq), (chars != 0).to(seq.dtype), valid)

    def postprocess(self, mels: Tensor, frames: Tensor | None = None) -> Tensor:
        """Postnet: decoder mels (B, n_mels, T) -> refined spectrogram (B, fft_bins, T)."""
        return self.post_proj(self.postnet(mels, frames)).transpose(1, 2)

    def forward(
        self,
        chars: Tensor,
        mels: Tensor,
        speaker_embedding: Tensor,
        lengths: Tensor | None = None,
        *,
        prenet_dropout: bool = True,
        generator: Generators = None,
    ) -> TacotronOutput:
        """Teacher forcing: each step is fed the last ground-truth frame of the previous step.

        For checking against the original and for alignment; training-only zoneout is not implemented.
        Pre-net dropout is on by default, in eval mode too, as in the published model (Tacotron 2 keeps it at
        inference), so the output varies from call to call: pass a seeded `generator` (or one per row, so that each
        row draws what it draws alone) to make it repeatable, or `prenet_dropout=False` to leave it out. `mels` may
        be a numpy array or float64: it is taken in the weights' dtype.
        """
        chars, speaker_embedding, lengths = self._check_inputs(chars, speaker_embedding, lengths)
        mels = model_input(mels, self, "mels")
        if mels.dim() != 3 or mels.shape[:2] != (chars.size(0), self.config.n_mels) or mels.size(2) == 0:
            raise InputError(
                f"mels must be (batch={chars.size(0)}, {self.config.n_mels}, frames>0), got {tuple(mels.shape)}"
            )
        dropout, generator = self._dropout(prenet_dropout, generator, chars.size(0))
        memory = self.encode(chars, speaker_embedding, lengths, dropout, generator)
        step = PlainDecoderStep(self.decoder, memory, dropout, generator)
        outputs = [
            step(mels[:, :, t - 1] if t > 0 else mels.new_zeros(mels.shape[:2])) for t in range(0, mels.size(2), self.r)
        ]
        decoded = torch.cat([o.mels for o in outputs], dim=2)
        alignments = torch.stack([o.scores for o in outputs], dim=1)
        stop_tokens = torch.stack([o.stop for o in outputs], dim=1).repeat_interleave(self.r, dim=1)
        return TacotronOutput(decoded, self.postprocess(decoded), alignments, stop_tokens)

    @torch.inference_mode()
    def generate(
        self,
        chars: Tensor,
        speaker_embedding: Tensor,
        lengths: Tensor | None = None,
        *,
        max_steps: int | None = None,
        stop_early: bool = True,
        prenet_dropout: bool = True,
        generator: Generators = None,
        precision: str = "float32",
        method: str = "fast",
    ) -> Generation:
        """Free-running synthesis of a batch of sentences.

        Each row ends at its first decoder step whose stop token exceeds `stop_probability` once past
        `stop_after_frame` (or at `max_decoder_steps_per_char` steps per id; `max_steps` overrides
        that limit for every row, and `stop_early=False` ignores the stop tokens). The batch runs until
        every row has ended; each row is then cut at its own end, passed through the postnet alone,
        and stripped of trailing frames quieter than `stop_threshold`.

        Pre-net dropout stays on by default, as in the original (it makes the output vary);
        pass a seeded `generator` to make it repeatable, or a list of one per row to make each row's draws
        those it makes alone, whatever else is in the batch. `precision` is that of the decoder's
        products with its weights: "float32" computes what the original does; "bfloat16" (bf16
        inputs and weights, float32 accumulation) halves the weights streamed per step.

        `method` "fast" runs the decoder's products prepacked; "reference" runs it layer by layer, as
        the original does (float32 only), for checking "fast".
        """
        check_precision(precision, "synthesizer")
        if method not in ("fast", "reference"):
            raise InputError(f"unknown synthesizer generation method {method!r}: use 'fast' or 'reference'")
        step = functools.partial(FastDecoderStep, precision=precision) if method == "fast" else PlainDecoderStep
        return self._generate(
            step,
            chars,
            speaker_embedding,
            lengths,
            max_steps,
            stop_early,
            prenet_dropout,
            generator,
        )

    def _generate(
        self,
        make_step: StepFactory,
        chars: Tensor,
        speaker_embedding: Tensor,
        lengths: Tensor | None,
        max_steps: int | None,
        stop_early: bool,
        prenet_dropout: bool,
        generator: Generators,
    ) -> Generation:
        chars, speaker_embedding, lengths = self._check_inputs(chars, speaker_embedding, lengths)
        dropout, generator = self._dropout(prenet_dropout, generator, chars.size(0))
        memory = self.encode(chars, speaker_embedding, lengths, dropout, generator)
        step = make_step(self.decoder, memory, dropout, generator)
        limits = self._step_limits(lengths, max_steps)
        mels, alignments, stop_tokens, steps = self._decode(step, memory, limits, stop_early)
        frames = steps * self.r
        linear = self.postprocess(mels, frames)
        lengths = trimmed_lengths(linear, frames, self.config.stop_threshold)
        return Generation(mels, linear, alignments, stop_tokens, lengths)

    def _decode(
        self, step: Callable[[Tensor], StepOutput], memory: Memory, limits: Tensor, stop_early: bool
    ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Run decoder steps until every row has ended; returns outputs and the steps each row keeps."""
        c, r = self.config, self.r
        batch, chars, _ = memory.seq.shape
        total = int(limits.max())
        mels = memory.seq.new_zeros(batch, c.n_mels, total * r)
        alignments = memory.seq.new_zeros(batch, total, chars)
        stop_tokens = memory.seq.new_zeros(batch, total)
        kept = limits.clone()
        running = torch.ones_like(limits, dtype=torch.bool)
        frame = memory.seq.new_zeros(batch, c.n_mels)
        for s in range(total):
            out = step(frame)
            mels[:, :, s * r : (s + 1) * r] = out.mels
            alignments[:, s] = out.scores
            stop_tokens[:, s] = out.stop
            frame = out.mels[:, :, -1]
            if stop_early and s * r > c.stop_after_frame:
                ended = running & (out.stop > c.stop_probability)
                kept[ended] = s + 1
                running &= ~ended
            running &= limits > s + 1
            if not bool(running.any()):
                break
        done = s + 1
        return mels[:, :, : done * r], alignments[:, :done], stop_tokens[:, :done], kept

    def _step_limits(self, lengths: Tensor, max_steps: int | None) -> Tensor:
        if max_steps is not None:
            if max_steps < 1:
                raise InputError(f"max_steps must be at least 1, got {max_steps}")
            return torch.full_like(lengths, max_steps)
        return (lengths * self.config.max_decoder_steps_per_char).ceil().long().clamp(min=1)

    def _dropout(self, enabled: bool, generator: Generators, batch: int) -> tuple[float, Generators]:
        if not enabled or self.config.dropout == 0.0:
            return 0.0, None
        if generator is not None and not isinstance(generator, torch.Generator):
            generator = tuple(generator)
            if len(generator) != batch:
                raise InputError(f"{len(generator)} generator(s) for {batch} rows: give one per row, or one for all")
        if generator is None:
            generator = torch.Generator(self.device)
            generator.seed()
        return self.config.dropout, generator

    def _check_inputs(self, chars, speaker_embedding, lengths) -> tuple[Tensor, Tensor, Tensor]:
        """Validated (B, N) int64 ids, (B, S) unit-length float embeddings and (B,) lengths on the model's device."""
        c = self.config
        chars = torch.as_tensor(chars, device=self.device)
        if chars.dim() == 1:
            chars = chars.unsqueeze(0)
        if chars.dim() != 2 or chars.is_floating_point() or chars.dtype == torch.bool:
            raise InputError(
                f"chars must be (batch, length) integer symbol ids, got {chars.dtype} of shape {tuple(chars.shape)}"
            )
        if chars.numel() == 0:
            raise InputError(
                f"empty id sequence (shape {tuple(chars.shape)}): every sentence needs at least one symbol id; "
                "`text_to_sequence` gives them"
            )
        if int(chars.min()) < 0 or int(chars.max()) >= c.num_chars:
            raise InputError(f"symbol ids must be in [0, {c.num_chars}), got {int(chars.min())}..{int(chars.max())}")
        chars = chars.long()
        batch, width = chars.shape
        if lengths is None:
            lengths = torch.full((batch,), width, dtype=torch.long, device=self.device)
        else:
            lengths = torch.as_tensor(lengths, dtype=torch.long, device=self.device).reshape(-1)
            if lengths.numel() != batch:
                raise InputError(f"lengths has {lengths.numel()} entries for {batch} rows of ids")
            if int(lengths.min()) < 1:
                raise InputError(f"empty id sequence: row {int(lengths.argmin())} has length 0")
            if int(lengths.max()) > width:
                raise InputError(f"lengths go up to {int(lengths.max())} but the ids have only {width} columns")
        embedding = torch.as_tensor(speaker_embedding, dtype=torch.float32, device=self.device)
        if embedding.dim() == 1:
            embedding = embedding.expand(batch, -1)
        if embedding.shape != (batch, c.speaker_embedding_size):
            raise InputError(
                f"speaker_embedding must be ({c.speaker_embedding_size},) or "
                f"(batch={batch}, {c.speaker_embedding_size}), got {tuple(embedding.shape)}"
            )
        if not torch.isfinite(embedding).all():
            raise InputError("the speaker embedding holds NaN or infinite values: give one the speaker encoder made")
        norms = embedding.norm(dim=1)
        far = (norms - 1).abs() > EMBEDDING_NORM_TOLERANCE
        if bool(far.any()):
            row = int(far.nonzero()[0])
            raise InputError(
                f"the speaker embedding must be unit-length, as the speaker encoder makes it, but row {row}'s "
                f"length is {float(norms[row]):.4g}: give one the speaker encoder made, or normalise it (divide it "
                "by its norm)"
            )
        return chars, embedding, lengths
