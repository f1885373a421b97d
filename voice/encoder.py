"""The GE2E speaker encoder: a few seconds of speech -> a 256-d L2-normalised voice embedding.

It loads Real-Time-Voice-Cloning's `encoder.pt` and Resemblyzer's `pretrained.pt` as published
and computes the same function, preprocessing included. The network runs in onnxruntime from an
ONNX graph of the checkpoint's weights, made once per checkpoint and kept in voxlip's cache: a process
that embeds a new voice then needs no torch, whose import alone took 1.7 s of a cold `voxlip say`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from core.amounts import seconds_in_words
from core.checkpoints import (
    LoadedCheckpoint,
    check_layout,
    compiled_path,
    fitting,
    get,
    read_compiled,
    state_dict_of,
)
from core.errors import CheckpointError, InputError

from .audio import (
    ENCODER_MEL,
    AudioSource,
    Decoded,
    EncoderMelSpec,
    encoder_mel,
    is_silent,
    load_audio,
    normalize_volume,
)
from .vad import VadConfig, trim_long_silences

if TYPE_CHECKING:
    import onnxruntime

WHAT = "GE2E speaker encoder"
GRAPH_KIND = "ge2e-v1.onnx"
"""The compiled form's name in the cache: change it when the graph `_onnx_graph` builds changes."""


@dataclass(frozen=True)
class EncoderConfig:
    """Network size and the preprocessing the weights were trained with."""

    hidden_size: int = 256
    num_layers: int = 3
    embedding_size: int = 256
    mel: EncoderMelSpec = ENCODER_MEL
    vad: VadConfig = field(default_factory=VadConfig)
    target_dbfs: float = -30.0
    partial_frames: int = 160
    """Frames per partial utterance (1.6 s); the utterance embedding averages the partials."""
    partial_step: int = 77
    """Frames between partial starts: Resemblyzer's rate of 1.3 partials/s; RTVC uses 80 (50% overlap)."""
    min_coverage: float = 0.75
    """A last, shorter partial is kept if it still covers this much of a window."""
    norm_eps: float = 0.0
    """Added to the norm when normalising partial embeddings: 0 in Resemblyzer, 1e-5 in RTVC."""
    min_speech_seconds: float = 1.0
    cpu_threads: int = 1
    """onnxruntime threads for the LSTM: its per-step products (a dozen partials x 256 units) are too small to
    share; on 2 cores one thread embeds 10 s in ~54 ms (torch's LSTM: the same)."""
    same_speaker_threshold: float | None = 0.71
    """Cosine above which two recordings are called the same speaker: the equal-error point (5.1%)
    measured with Resemblyzer's weights on 39 LibriSpeech speakers (benchmarks/eval_speaker_verification.py).
    None where it was not measured (other weights): their similarities get no same/different verdict."""


RESEMBLYZER = EncoderConfig()
RTVC = EncoderConfig(partial_step=80, norm_eps=1e-5, same_speaker_threshold=None)


def config_for(checkpoint: LoadedCheckpoint) -> EncoderConfig:
    """The preprocessing of the checkpoint's origin: a registry entry's by its name (RTVC's `encoder.pt` may be
    Resemblyzer's file byte for byte, and asked for as rtvc-encoder it embeds as RTVC does); a file given by its path,
    Resemblyzer's for Resemblyzer's weights (by their sha256), RTVC's for any other."""
    if checkpoint.spec is not None:
        return RESEMBLYZER if checkpoint.spec.name == "resemblyzer" else RTVC
    return RESEMBLYZER if checkpoint.sha256 == get("resemblyzer").sha256 else RTVC


class SpeakerEncoder:
    """3-layer LSTM over 40-band mels, last hidden state -> linear -> ReLU -> L2 norm."""

    def __init__(self, session: onnxruntime.InferenceSession, config: EncoderConfig, checkpoint: LoadedCheckpoint):
        self.session, self.config = session, config
        self.checkpoint_name, self.checkpoint_sha256 = checkpoint.name, checkpoint.sha256
        self._running = threading.Lock()

    def __call__(self, mels: np.ndarray) -> np.ndarray:
        """(batch, frames, n_mels) power mels -> (batch, embedding_size) unit-norm embeddings; an empty batch gives
        (0, embedding_size), as numpy has them (onnxruntime's LSTM aborts the process on one). One run at a time:
        two threads in the session together aborted the process once, inside onnxruntime's LSTM."""
        n_mels = self.config.mel.n_mels
        try:
            mels = np.ascontiguousarray(mels, dtype=np.float32)
        except (TypeError, ValueError) as e:
            raise InputError(f"the speaker encoder takes a (batch, frames, {n_mels}) array of mels, not this ({e})")
        if mels.ndim != 3 or mels.shape[2] != n_mels or (len(mels) and mels.shape[1] == 0):
            raise InputError(
                f"the speaker encoder takes mels shaped (batch, frames, mels) with {n_mels} mels and 1 frame or more, "
                f"not {mels.shape}: add a batch axis to one utterance's mels (mels[None])"
            )
        if not len(mels):
            return np.zeros((0, self.config.embedding_size), np.float32)
        if not np.isfinite(mels).all():
            raise InputError("the speaker encoder's mels must hold finite values, not NaN or infinite ones")
        with self._running:
            (raw,) = self.session.run(None, {"mels": mels})
        return raw / (np.linalg.norm(raw, axis=1, keepdims=True) + np.float32(self.config.norm_eps))

    def preprocess(self, audio: AudioSource | Decoded, source_sr: int | None = None) -> np.ndarray:
        """Load (a file, samples at `source_sr`, or a recording read already: audio.read_already), raise quiet audio to
        -30 dBFS and shorten silences, as the encoder was trained."""
        cfg = self.config
        wave = load_audio(audio, cfg.mel.sample_rate, source_sr=source_sr)
        if is_silent(wave):
            raise InputError("the recording is silent: record a few seconds of someone speaking")
        wave = trim_long_silences(normalize_volume(wave, cfg.target_dbfs), cfg.vad)
        seconds = len(wave) / cfg.mel.sample_rate
        if seconds < cfg.min_speech_seconds:
            raise InputError(
                f"only {seconds_in_words(seconds)} of speech found after removing silence: give at least "
                f"{seconds_in_words(cfg.min_speech_seconds)} of clear speech (3 to 10 s works best)"
            )
        return wave

    def partial_slices(self, n_samples: int) -> list[slice]:
        """Mel-frame windows covering an utterance of `n_samples` samples."""
        cfg = self.config
        hop = cfg.mel.hop_length
        n_frames = int(np.ceil((n_samples + 1) / hop))
        starts = range(0, max(1, n_frames - cfg.partial_frames + cfg.partial_step + 1), cfg.partial_step)
        slices = [slice(s, s + cfg.partial_frames) for s in starts]
        coverage = (n_samples - slices[-1].start * hop) / (cfg.partial_frames * hop)
        if coverage < cfg.min_coverage and len(slices) > 1:
            slices.pop()
        return slices

    def padded_for_partials(self, wave: np.ndarray) -> tuple[np.ndarray, list[slice]]:
        """A preprocessed waveform padded with silence to the end of its last partial window, and the windows."""
        slices = self.partial_slices(len(wave))
        padded_length = slices[-1].stop * self.config.mel.hop_length
        return np.pad(wave, (0, max(0, padded_length - len(wave)))), slices

    def partial_mels(self, wave: np.ndarray) -> tuple[np.ndarray, list[slice]]:
        """(partials, frames, n_mels) mels of each partial window of a preprocessed waveform, and the windows."""
        padded, slices = self.padded_for_partials(wave)
        mel = encoder_mel(padded, self.config.mel)
        return np.stack([mel[s] for s in slices]), slices

    def embed_partials(self, wave: np.ndarray) -> tuple[np.ndarray, list[slice]]:
        """Embeddings of each partial window of a preprocessed waveform, and the windows."""
        mels, slices = self.partial_mels(wave)
        return self(mels), slices

    def embed_with_partials(self, wave: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A preprocessed waveform's (256,) embedding, as `embed_utterance` makes it, and the (partials, 256)
        embeddings of the windows it averages: how alike its parts sound."""
        partials, _ = self.embed_partials(wave)
        return _unit(partials.mean(axis=0)), partials

    def embed_utterances(
        self, audios: Sequence[AudioSource], source_sr: int | None = None, preprocessed: bool = False
    ) -> np.ndarray:
        """(recordings, embedding_size): each as `embed_utterance` embeds it, their partials run as one batch.

        `preprocessed=True` takes waveforms `preprocess` made (at the encoder's rate), not files."""
        audios = _recordings(audios, "embed_utterances")
        if not audios:  # an empty batch, as numpy has them
            return np.zeros((0, self.config.embedding_size), np.float32)
        if preprocessed:
            self._check_preprocessed(audios, source_sr)
        waves = [np.asarray(a, dtype=np.float32) if preprocessed else self.preprocess(a, source_sr) for a in audios]
        mels = [self.partial_mels(wave)[0] for wave in waves]
        partials = np.split(self(np.concatenate(mels)), np.cumsum([len(m) for m in mels])[:-1])
        return np.stack([_unit(p.mean(axis=0)) for p in partials])

    def embed_utterance(
        self, audio: AudioSource, source_sr: int | None = None, preprocessed: bool = False
    ) -> np.ndarray:
        """One recording (file path or array) -> its (256,) unit-norm speaker embedding."""
        return self.embed_utterances([audio], source_sr, preprocessed)[0]

    def embed_speaker(self, recordings: list[AudioSource], source_sr: int | None = None) -> np.ndarray:
        """Several recordings of one speaker -> the normalised mean of their embeddings."""
        recordings = _recordings(recordings, "embed_speaker")
        if not recordings:
            raise InputError("embed_speaker needs at least one recording")
        return _unit(np.mean([self.embed_utterance(r, source_sr) for r in recordings], axis=0))

    def _check_preprocessed(self, audios: list[AudioSource], source_sr: int | None) -> None:
        """InputError for what `preprocessed=True` cannot take: a file, or samples at another rate than the
        encoder's (they would be taken at its rate, unresampled)."""
        rate = self.config.mel.sample_rate
        if any(isinstance(a, (str, os.PathLike)) for a in audios):
            raise InputError(
                "preprocessed=True takes waveforms that `preprocess` made, not files: leave preprocessed out to "
                "embed a file (it is then loaded and cleaned)"
            )
        if source_sr is not None and source_sr != rate:
            raise InputError(
                f"preprocessed=True takes waveforms that `preprocess` made, at {rate} Hz, not samples at {source_sr} "
                f"Hz: leave preprocessed out (they are then resampled and cleaned), or give "
                f"preprocess(samples, source_sr={source_sr})"
            )


def _recordings(audios: object, what: str) -> list:
    """`audios` as a list; InputError for one recording (a path or an array) where a sequence of them is asked for,
    which would have been taken apart (a path letter by letter, an array row by row)."""
    if isinstance(audios, np.ndarray):
        raise InputError(
            f"{what} takes a list of recordings, not an array: give a list of arrays (list(rows) for one recording "
            "per row of a 2-D array), or embed_utterance for one recording"
        )
    if isinstance(audios, (str, bytes, os.PathLike)):
        raise InputError(f"{what} takes a list of recordings, not a path: give [path], or embed_utterance(path)")
    return list(audios)


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two embeddings (1: same direction, 0: unrelated)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise InputError(f"embeddings of different sizes cannot be compared: {a.shape} vs {b.shape}")
    for embedding in (a, b):
        if not np.isfinite(embedding).all():
            raise InputError("an embedding to compare holds NaN or infinite values: give one the speaker encoder made")
        if not np.linalg.norm(embedding) > 0:
            raise InputError(
                "an embedding to compare is all zeros, so it has no direction: give one the speaker encoder made"
            )
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def no_verdict(encoder: SpeakerEncoder) -> str:
    """Why the similarities of an encoder without a same-speaker threshold of its own get no verdict."""
    return (
        f"no same/different verdict: the threshold {RESEMBLYZER.same_speaker_threshold} was measured with "
        f"Resemblyzer's weights and preprocessing, not with {encoder.checkpoint_name}"
    )


def load_encoder(
    name_or_path: str | os.PathLike = "resemblyzer", config: EncoderConfig | None = None
) -> SpeakerEncoder:
    """A speaker encoder from a registry name ("resemblyzer", the embedded default; "rtvc-encoder") or a file.

    The preprocessing follows the checkpoint's origin (Resemblyzer's or RTVC's partial windows)
    unless `config` is given.
    """
    import onnxruntime

    checkpoint, graph = read_compiled(name_or_path, GRAPH_KIND, _onnx_graph)
    config = config or config_for(checkpoint)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = config.cpu_threads
    try:
        session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    except Exception as e:  # onnxruntime raises its own exception types for a graph it cannot read
        raise CheckpointError(
            f"the {WHAT}'s compiled graph in voxlip's cache is unreadable ({type(e).__name__}): "
            f"delete {compiled_path(checkpoint, GRAPH_KIND)} and run again (it is made anew)"
        ) from None
    return SpeakerEncoder(session, config, checkpoint)


def weight_shapes(config: EncoderConfig = RESEMBLYZER) -> dict[str, tuple[int, ...]]:
    """The published checkpoints' layout: torch's nn.LSTM (gates i, f, g, o) and nn.Linear names and shapes."""
    hidden = config.hidden_size
    shapes = {}
    for layer in range(config.num_layers):
        inputs = config.mel.n_mels if layer == 0 else hidden
        shapes |= {
            f"lstm.weight_ih_l{layer}": (4 * hidden, inputs),
            f"lstm.weight_hh_l{layer}": (4 * hidden, hidden),
            f"lstm.bias_ih_l{layer}": (4 * hidden,),
            f"lstm.bias_hh_l{layer}": (4 * hidden,),
        }
    return shapes | {"linear.weight": (config.embedding_size, hidden), "linear.bias": (config.embedding_size,)}


def _onnx_graph(checkpoint: LoadedCheckpoint) -> bytes:
    """The checkpoint's network as ONNX: mels (batch, frames, n_mels) -> ReLU(linear(last hidden state)), before the
    L2 norm. ONNX's LSTM orders its gates i, o, f, c; torch's i, f, g, o."""
    from onnx import TensorProto, helper, numpy_helper

    with fitting(checkpoint, "ge2e"):
        weights = state_dict_of(checkpoint.contents, ("model_state",), WHAT)
        weights = {k: v for k, v in weights.items() if k not in ("similarity_weight", "similarity_bias")}
        check_layout(weights, weight_shapes(), WHAT)
    arrays = {k: v.detach().float().numpy() for k, v in weights.items()}

    def onnx_gates(matrix: np.ndarray) -> np.ndarray:
        i, f, g, o = np.split(matrix, 4, axis=0)
        return np.concatenate([i, o, f, g])[None]

    hidden = RESEMBLYZER.hidden_size
    initializers = {"linear_weight": arrays["linear.weight"], "linear_bias": arrays["linear.bias"]}
    initializers |= {"time_axis": np.array([1], np.int64), "direction_axis": np.array([0], np.int64)}
    nodes = [helper.make_node("Transpose", ["mels"], ["x0"], perm=[1, 0, 2])]  # (frames, batch, n_mels)
    for layer in range(RESEMBLYZER.num_layers):
        initializers[f"w{layer}"] = onnx_gates(arrays[f"lstm.weight_ih_l{layer}"])
        initializers[f"r{layer}"] = onnx_gates(arrays[f"lstm.weight_hh_l{layer}"])
        biases = (arrays[f"lstm.bias_ih_l{layer}"], arrays[f"lstm.bias_hh_l{layer}"])
        initializers[f"b{layer}"] = np.concatenate([onnx_gates(b) for b in biases], axis=1)
        inputs = [f"x{layer}", f"w{layer}", f"r{layer}", f"b{layer}"]
        nodes.append(helper.make_node("LSTM", inputs, [f"y{layer}", f"h{layer}"], hidden_size=hidden))
        nodes.append(helper.make_node("Squeeze", [f"y{layer}", "time_axis"], [f"x{layer + 1}"]))  # one direction
    last = f"h{RESEMBLYZER.num_layers - 1}"
    nodes += [
        helper.make_node("Squeeze", [last, "direction_axis"], ["last"]),
        helper.make_node("Gemm", ["last", "linear_weight", "linear_bias"], ["linear"], transB=1),
        helper.make_node("Relu", ["linear"], ["raw"]),
    ]
    graph = helper.make_graph(
        nodes,
        "ge2e",
        [helper.make_tensor_value_info("mels", TensorProto.FLOAT, ["batch", "frames", RESEMBLYZER.mel.n_mels])],
        [helper.make_tensor_value_info("raw", TensorProto.FLOAT, ["batch", RESEMBLYZER.embedding_size])],
        [numpy_helper.from_array(np.ascontiguousarray(v, dtype=v.dtype), k) for k, v in initializers.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()
