"""Timed phones from speech, offline: pocketsphinx's phone loop on its bundled en-us model.

This is how Rhubarb Lip Sync gets mouth shapes from arbitrary audio: no transcript, a phonetic
language model over CMU phones, and a time for each phone. It is used when the audio does not come
with phone timings from voxlip's own TTS.
"""

from __future__ import annotations

import os

import numpy as np

from voice.audio import SAMPLE_RATE

from .visemes import Phone

FRAME_SECONDS = 0.01
"""pocketsphinx reports segments in 10 ms frames."""


def recognize_phones(wav: np.ndarray) -> list[Phone]:
    """[(ARPAbet phone or "SIL", start s, end s)] of 16 kHz mono float audio."""
    from pocketsphinx import Config, Decoder, get_model_path

    model = get_model_path()
    config = Config(
        hmm=os.path.join(model, "en-us", "en-us"),
        allphone=os.path.join(model, "en-us", "en-us-phone.lm.bin"),
        samprate=SAMPLE_RATE,
        lw=2.0,
        pip=0.3,
        beam=1e-20,
        pbeam=1e-20,
        backtrace=False,
        logfn=os.devnull,
    )
    decoder = Decoder(config)
    pcm = (np.clip(wav, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    phones = []
    for segment in decoder.seg():
        label = "SIL" if segment.word.startswith("+") else segment.word
        phones.append((label, segment.start_frame * FRAME_SECONDS, (segment.end_frame + 1) * FRAME_SECONDS))
    return phones
