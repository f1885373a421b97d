"""The autoregressive decoder: one step turns the previous mel frame into the next r frames."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from voice.affine import Affine

from .attention import LocationSensitiveAttention, Memory
from .config import TacotronConfig
from .layers import Generators, PreNet, prenet_dropout


class DecoderState(NamedTuple):
    attn_hidden: Tensor
    rnn1: tuple[Tensor, Tensor]
    rnn2: tuple[Tensor, Tensor]
    context: Tensor
    cumulative: Tensor
    """(B, N) sum of all attention weights so far."""


class StepOutput(NamedTuple):
    mels: Tensor
    """(B, n_mels, r)"""
    scores: Tensor
    """(B, N) attention weights"""
    stop: Tensor
    """(B,) stop-token probability"""


class Decoder(nn.Module):
    """Pre-net, GRU attention RNN, two residual LSTMs, mel and stop-token projections.

    `r` (frames per step) is a buffer because the checkpoint stores it.
    """

    def __init__(self, config: TacotronConfig):
        super().__init__()
        c = config
        self.config = config
        self.register_buffer("r", torch.tensor(c.r, dtype=torch.int32))
        self.prenet = PreNet(c.n_mels, 2 * c.decoder_dims, 2 * c.decoder_dims)
        self.attn_net = LocationSensitiveAttention(c.decoder_dims, c.attention_filters, c.attention_kernel)
        self.attn_rnn = nn.GRUCell(c.context_dims + 2 * c.decoder_dims, c.decoder_dims)
        self.rnn_input = nn.Linear(c.context_dims + c.decoder_dims, c.lstm_dims)
        self.res_rnn1 = nn.LSTMCell(c.lstm_dims, c.lstm_dims)
        self.res_rnn2 = nn.LSTMCell(c.lstm_dims, c.lstm_dims)
        self.mel_proj = nn.Linear(c.lstm_dims, c.n_mels * c.max_r, bias=False)
        self.stop_proj = nn.Linear(c.context_dims + c.lstm_dims, 1)

    def initial_state(self, memory: Memory) -> DecoderState:
        batch, chars, _ = memory.seq.shape
        zeros = memory.seq.new_zeros
        c = self.config
        lstm = (zeros(batch, c.lstm_dims), zeros(batch, c.lstm_dims))
        return DecoderState(zeros(batch, c.decoder_dims), lstm, lstm, zeros(batch, c.context_dims), zeros(batch, chars))

    def forward(
        self,
        frame: Tensor,
        state: DecoderState,
        memory: Memory,
        dropout: float = 0.0,
        generator: Generators = None,
    ) -> tuple[StepOutput, DecoderState]:
        """One step from the previous frame (B, n_mels); the plain, layer-by-layer version."""
        prenet_out = self.prenet(frame, dropout, generator)
        attn_hidden = self.attn_rnn(torch.cat([state.context, prenet_out], dim=1), state.attn_hidden)
        scores = self.attn_net(memory, attn_hidden, state.cumulative)
        context = (scores.unsqueeze(1) @ memory.seq).squeeze(1)

        x = self.rnn_input(torch.cat([context, attn_hidden], dim=1))
        rnn1 = self.res_rnn1(x, state.rnn1)
        x = x + rnn1[0]
        rnn2 = self.res_rnn2(x, state.rnn2)
        x = x + rnn2[0]

        mels = self.mel_proj(x).view(x.size(0), self.config.n_mels, self.config.max_r)[:, :, : int(self.r)]
        stop = torch.sigmoid(self.stop_proj(torch.cat([x, context], dim=1))).squeeze(1)
        return StepOutput(mels, scores, stop), DecoderState(attn_hidden, rnn1, rnn2, context, state.cumulative + scores)


class FastDecoderStep:
    """`Decoder.forward` with its weights re-arranged once per generation; same function, less work per step.

    - every product with a weight uses oneDNN with the weight prepacked for the batch size
      (`voice.affine.Affine`; torch's addmm is ~9x slower for a few rows), in `precision`; each
      residual LSTM is one product of [input, hidden] by its input and hidden weights side by side;
    - `mel_proj` keeps only the r of its max_r frames that are used (a tenth of its rows for r = 2);
    - the location convolution and `L` are merged into one (kernel, attn_dims) matrix applied to
      sliding windows of the cumulative attention, and the constant biases are folded into the keys;
    - the recurrent state lives on this object.
    """

    def __init__(
        self,
        decoder: Decoder,
        memory: Memory,
        dropout: float,
        generator: Generators,
        precision: str = "float32",
    ):
        config, r = decoder.config, int(decoder.r)
        attention = decoder.attn_net
        batch = memory.seq.size(0)
        self.decoder, self.memory, self.dropout, self.generator = decoder, memory, dropout, generator
        self.shape = (batch, config.n_mels, r)

        def affine(weight: Tensor, bias: Tensor | None) -> Affine:
            return Affine(weight, bias, batch, precision)

        self.prenet = [affine(fc.weight, fc.bias) for fc in (decoder.prenet.fc1, decoder.prenet.fc2)]
        rnn = decoder.attn_rnn
        self.attn_input = affine(rnn.weight_ih, rnn.bias_ih)
        self.attn_hidden = affine(rnn.weight_hh, rnn.bias_hh)
        self.query = affine(attention.W.weight, None)
        self.rnn_input = affine(decoder.rnn_input.weight, decoder.rnn_input.bias)
        self.lstms = [
            affine(torch.cat([cell.weight_ih, cell.weight_hh], dim=1), cell.bias_ih + cell.bias_hh)
            for cell in (decoder.res_rnn1, decoder.res_rnn2)
        ]
        mel_weight = decoder.mel_proj.weight.view(config.n_mels, config.max_r, -1)
        self.mel_proj = affine(mel_weight[:, :r].reshape(config.n_mels * r, -1), None)
        self.stop_proj = affine(decoder.stop_proj.weight, decoder.stop_proj.bias)

        kernel = attention.conv.weight.shape[-1]
        self.location_padding = attention.conv.padding[0]
        self.location_weight = (attention.L.weight @ attention.conv.weight.view(-1, kernel)).t().contiguous()
        self.keys = memory.proj + attention.W.bias + attention.L.weight @ attention.conv.bias
        self.energy_weight = attention.v.weight.t().contiguous()
        self.energy_scale = memory.keep
        self.energy_offset = torch.zeros_like(memory.keep)
        if memory.valid is not None:
            self.energy_offset.masked_fill_(~memory.valid, float("-inf"))

        self.state = decoder.initial_state(memory)

    def __call__(self, frame: Tensor) -> StepOutput:
        memory, (attn_hidden, (h1, c1), (h2, c2), context, cumulative) = self.memory, self.state

        for fc in self.prenet:
            frame = prenet_dropout(fc(frame).clamp_min_(0), self.dropout, self.generator)
        attn_hidden = gru_step(
            self.attn_input(torch.cat([context, frame], 1)), self.attn_hidden(attn_hidden), attn_hidden
        )

        padded = F.pad(cumulative, (self.location_padding, self.location_padding))
        windows = padded.unfold(1, self.location_weight.shape[0], 1)
        energies = (
            torch.matmul(windows, self.location_weight).add_(self.keys).add_(self.query(attn_hidden).unsqueeze(1))
        )
        energies = torch.matmul(energies.tanh_(), self.energy_weight).squeeze(2)
        scores = torch.softmax(torch.addcmul(self.energy_offset, energies, self.energy_scale), dim=1)
        context = torch.bmm(scores.unsqueeze(1), memory.seq).squeeze(1)

        x = self.rnn_input(torch.cat([context, attn_hidden], 1))
        h1, c1 = lstm_step(self.lstms[0](torch.cat([x, h1], 1)), c1)
        x = x + h1
        h2, c2 = lstm_step(self.lstms[1](torch.cat([x, h2], 1)), c2)
        x = x + h2

        mels = self.mel_proj(x).view(self.shape)
        stop = torch.sigmoid(self.stop_proj(torch.cat([x, context], 1))).squeeze(1)
        self.state = DecoderState(attn_hidden, (h1, c1), (h2, c2), context, cumulative + scores)
        return StepOutput(mels, scores, stop)


def gru_step(input_gates: Tensor, hidden_gates: Tensor, hidden: Tensor) -> Tensor:
    """`GRUCell` (gate order r, z, n) from its input and hidden gate pre-activations, biases included."""
    i_r, i_z, i_n = input_gates.chunk(3, dim=1)
    h_r, h_z, h_n = hidden_gates.chunk(3, dim=1)
    reset, update = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)
    candidate = torch.tanh(torch.addcmul(i_n, reset, h_n))
    return candidate + update * (hidden - candidate)


def lstm_step(gates: Tensor, cell: Tensor) -> tuple[Tensor, Tensor]:
    """`LSTMCell` (gate order i, f, g, o) from its gate pre-activations, biases included."""
    i, f, g, o = gates.chunk(4, dim=1)
    cell = torch.sigmoid(f) * cell + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(cell), cell


class PlainDecoderStep:
    """`Decoder.forward` step by step, as the original loop runs it; the reference for `FastDecoderStep`."""

    def __init__(self, decoder: Decoder, memory: Memory, dropout: float, generator: Generators):
        self.decoder, self.memory, self.dropout, self.generator = decoder, memory, dropout, generator
        self.state = decoder.initial_state(memory)

    def __call__(self, frame: Tensor) -> StepOutput:
        output, self.state = self.decoder(frame, self.state, self.memory, self.dropout, self.generator)
        return output
