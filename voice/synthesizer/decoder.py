"""The autoregressive decoder: one step turns the previous mel frame into the next r frames."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .attention import LocationSensitiveAttention, Memory
from .config import TacotronConfig
from .layers import PreNet, prenet_dropout


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
        self._packed_lstms: tuple[tuple, list[tuple[Tensor, Tensor]]] | None = None

    def packed_lstms(self) -> list[tuple[Tensor, Tensor]]:
        """(weight, bias) per residual LSTM for `[input, hidden] @ weight + bias`.

        One product over a contiguous, pre-transposed matrix per LSTM and step streams the weights
        faster on CPU than the two products of `LSTMCell`. Built on first use (64 MB), rebuilt only
        when the LSTM weights change or move.
        """
        cells = (self.res_rnn1, self.res_rnn2)
        sources = [t for cell in cells for t in (cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)]
        key = tuple((t.data_ptr(), t._version) for t in sources)
        if self._packed_lstms is None or self._packed_lstms[0] != key:
            with torch.no_grad():
                packed = [
                    (torch.cat([cell.weight_ih, cell.weight_hh], dim=1).t().contiguous(), cell.bias_ih + cell.bias_hh)
                    for cell in cells
                ]
            self._packed_lstms = (key, packed)
        return self._packed_lstms[1]

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
        generator: torch.Generator | None = None,
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

    - `mel_proj` keeps only the r of its max_r frames that are used (a tenth of its rows for r = 2);
    - the location convolution and `L` are merged into one convolution, and the constant biases are
      folded into the attention keys, which are laid out (B, dims, N) so no step needs a transpose;
    - each residual LSTM is one product with packed, pre-transposed weights (`Decoder.packed_lstms`);
    - layers are called as tensor functions, and the recurrent state lives on this object.
    """

    def __init__(self, decoder: Decoder, memory: Memory, dropout: float, generator: torch.Generator | None):
        config, r = decoder.config, int(decoder.r)
        attention = decoder.attn_net
        self.decoder, self.memory, self.dropout, self.generator = decoder, memory, dropout, generator
        self.shape = (memory.seq.size(0), config.n_mels, r)

        conv_bias = attention.L.weight @ attention.conv.bias
        self.location_weight = torch.einsum("af,fik->aik", attention.L.weight, attention.conv.weight)
        self.location_padding = attention.conv.padding
        self.keys = (memory.proj + attention.W.bias + conv_bias).transpose(1, 2).contiguous()
        self.energy_scale = memory.keep
        self.energy_offset = torch.zeros_like(memory.keep)
        if memory.valid is not None:
            self.energy_offset.masked_fill_(~memory.valid, float("-inf"))
        mel_weight = decoder.mel_proj.weight.view(config.n_mels, config.max_r, -1)
        self.mel_weight = mel_weight[:, :r].reshape(config.n_mels * r, -1)
        self.lstms = decoder.packed_lstms()

        self.state = decoder.initial_state(memory)

    def __call__(self, frame: Tensor) -> StepOutput:
        d, memory, (attn_hidden, (h1, c1), (h2, c2), context, cumulative) = self.decoder, self.memory, self.state

        for fc in (d.prenet.fc1, d.prenet.fc2):
            frame = prenet_dropout(F.relu(F.linear(frame, fc.weight, fc.bias)), self.dropout, self.generator)
        rnn = d.attn_rnn
        x = torch.cat([context, frame], 1)
        attn_hidden = torch.gru_cell(x, attn_hidden, rnn.weight_ih, rnn.weight_hh, rnn.bias_ih, rnn.bias_hh)

        energies = F.conv1d(cumulative.unsqueeze(1), self.location_weight, padding=self.location_padding)
        energies += self.keys
        energies += F.linear(attn_hidden, d.attn_net.W.weight).unsqueeze(2)
        energies = (d.attn_net.v.weight @ energies.tanh_()).squeeze(1)
        scores = torch.softmax(torch.addcmul(self.energy_offset, energies, self.energy_scale), dim=1)
        context = torch.bmm(scores.unsqueeze(1), memory.seq).squeeze(1)

        x = F.linear(torch.cat([context, attn_hidden], 1), d.rnn_input.weight, d.rnn_input.bias)
        h1, c1 = lstm_step(x, h1, c1, *self.lstms[0])
        x = x + h1
        h2, c2 = lstm_step(x, h2, c2, *self.lstms[1])
        x = x + h2

        mels = F.linear(x, self.mel_weight).view(self.shape)
        stop = torch.sigmoid(F.linear(torch.cat([x, context], 1), d.stop_proj.weight, d.stop_proj.bias)).squeeze(1)
        self.state = DecoderState(attn_hidden, (h1, c1), (h2, c2), context, cumulative + scores)
        return StepOutput(mels, scores, stop)


def lstm_step(x: Tensor, hidden: Tensor, cell: Tensor, weight: Tensor, bias: Tensor) -> tuple[Tensor, Tensor]:
    """`LSTMCell` (gate order i, f, g, o) from packed weights, see `Decoder.packed_lstms`."""
    i, f, g, o = torch.addmm(bias, torch.cat([x, hidden], dim=1), weight).chunk(4, dim=1)
    cell = torch.sigmoid(f) * cell + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(cell), cell


class PlainDecoderStep:
    """`Decoder.forward` step by step, as the original loop runs it; the reference for `FastDecoderStep`."""

    def __init__(self, decoder: Decoder, memory: Memory, dropout: float, generator: torch.Generator | None):
        self.decoder, self.memory, self.dropout, self.generator = decoder, memory, dropout, generator
        self.state = decoder.initial_state(memory)

    def __call__(self, frame: Tensor) -> StepOutput:
        output, self.state = self.decoder(frame, self.state, self.memory, self.dropout, self.generator)
        return output
