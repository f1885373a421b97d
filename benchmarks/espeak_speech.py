"""Speech with phone and word timings from espeak-ng's C library (ctypes), for lip-sync evaluation.

espeak-ng reports a PHONEME event (its ASCII mnemonic) and a WORD event, each with its position in
the audio, while it synthesizes: exactly the timed phones a TTS hands to the offline animator.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass

import numpy as np

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_DONT_EXIT = 0x8000
EVENT_WORD, EVENT_END, EVENT_MSG_TERMINATED, EVENT_PHONEME = 1, 5, 6, 7
POS_CHARACTER = 1
CHARS_UTF8 = 1
ENDPAUSE = 0x1000
PARAM_RATE = 1


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class Speech:
    wav: np.ndarray
    """float32 mono."""
    sample_rate: int
    phones: list[tuple[str, float, float]]
    """(espeak mnemonic, start s, end s); pauses are absent (gaps)."""
    words: list[tuple[str, float, float]]


def _library() -> ctypes.CDLL:
    path = ctypes.util.find_library("espeak-ng")
    if path is None:
        from phonemizer.backend.espeak.wrapper import EspeakWrapper

        path = EspeakWrapper.library()
    return ctypes.CDLL(path)


def synthesize(text: str, voice: str = "en-us", rate: int = 150) -> Speech:
    """Speak `text`; returns the audio with its phone and word timings.

    Each call runs in a fresh process: the library keeps state between syntheses in one process (the same
    text came out up to 70 ms longer or shorter on a second call), which made a face's result depend on the
    faces evaluated before it.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_synthesize_here, text, voice, rate).result()


def _synthesize_here(text: str, voice: str, rate: int) -> Speech:
    lib = _library()
    sample_rate = lib.espeak_Initialize(
        AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INITIALIZE_PHONEME_EVENTS | INITIALIZE_DONT_EXIT
    )
    if sample_rate <= 0:
        raise RuntimeError("espeak-ng could not start")
    lib.espeak_SetVoiceByName(voice.encode())
    lib.espeak_SetParameter(PARAM_RATE, rate, 0)
    chunks: list[np.ndarray] = []
    events: list[tuple[int, str, int, int, int]] = []

    def on_audio(samples, count, event_list):
        if count > 0:
            chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        i = 0
        while event_list[i].type != 0:
            event = event_list[i]
            if event.type == EVENT_PHONEME:
                events.append((EVENT_PHONEME, event.id.string.decode(errors="replace"), event.audio_position, 0, 0))
            elif event.type == EVENT_WORD:
                events.append((EVENT_WORD, "", event.audio_position, event.text_position, event.length))
            elif event.type in (EVENT_END, EVENT_MSG_TERMINATED):
                events.append((event.type, "", event.audio_position, 0, 0))
            i += 1
        return 0

    callback = _CALLBACK(on_audio)
    lib.espeak_SetSynthCallback(callback)
    data = text.encode()
    lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8 | ENDPAUSE, None, None)
    lib.espeak_Synchronize()
    wav = (np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)).astype(np.float32) / 32768
    end = len(wav) / sample_rate
    return Speech(wav, sample_rate, _phones(events, end), _words(events, text, end))


def _phones(events: list[tuple[int, str, int, int, int]], end: float) -> list[tuple[str, float, float]]:
    marks = sorted((ms / 1000, name) for kind, name, ms, _, _ in events if kind == EVENT_PHONEME)
    stops = sorted(ms / 1000 for kind, _, ms, _, _ in events if kind in (EVENT_END, EVENT_MSG_TERMINATED))
    phones = []
    for k, (start, name) in enumerate(marks):
        stop = marks[k + 1][0] if k + 1 < len(marks) else end
        stop = min([stop] + [s for s in stops if s > start])
        if name.strip() and name not in ("_", "_:") and stop > start:
            phones.append((name, start, stop))
    return phones


def _words(events: list[tuple[int, str, int, int, int]], text: str, end: float) -> list[tuple[str, float, float]]:
    """Words with times; a word ends where its last phone ends (before any pause)."""
    starts = sorted((ms / 1000, pos, length) for kind, _, ms, pos, length in events if kind == EVENT_WORD)
    data = text.encode()
    words = []
    for k, (start, position, length) in enumerate(starts):
        stop = starts[k + 1][0] if k + 1 < len(starts) else end
        word = data[position - 1 : position - 1 + length].decode(errors="replace").strip(" ,.;:!?")
        words.append((word, start, stop))
    return words


def with_silence(speech: Speech, before: float, after: float) -> Speech:
    """The same speech with digital silence added at both ends (timings shifted)."""
    pad_before = np.zeros(int(before * speech.sample_rate), dtype=np.float32)
    pad_after = np.zeros(int(after * speech.sample_rate), dtype=np.float32)
    shift = len(pad_before) / speech.sample_rate
    return Speech(
        np.concatenate([pad_before, speech.wav, pad_after]),
        speech.sample_rate,
        [(p, s + shift, e + shift) for p, s, e in speech.phones],
        [(w, s + shift, e + shift) for w, s, e in speech.words],
    )
