"""Audio in and out: decoding any file ffmpeg reads, resampling, loudness, and the two mel front-ends."""

from __future__ import annotations

import io
import logging
import numbers
import os
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import librosa
import numpy as np
import soundfile

from core.errors import InputError
from core.ffmpeg import AUDIO_HINT, MediaInfo, decode_audio, probe
from core.files import atomic_output, check_not_stream

from . import spectral

SAMPLE_RATE = 16_000
MAX_SECONDS = 600.0
"""Longer input is cut to this many seconds: a few minutes say all there is about a voice."""
MAX_TRACK_RATE = 48_000
"""A clip's soundtrack keeps its audio's own rate up to this (load_recording)."""

INT16_MAX = 2**15 - 1
PCM16_FULL_SCALE = 2**15
"""What 16-bit samples in a file are scaled by: soundfile (libsndfile) and voxlip's readers divide by it, so that a
file read back holds its samples to within half a step. voxlip rounds them itself (to_pcm16), as libsndfile, given
floats, floors them for WAV but rounds them for FLAC."""

AudioSource = str | os.PathLike | np.ndarray


@dataclass(frozen=True)
class MelSpec:
    """The 80-band log-mel of SV2TTS and Wav2Lip: scaled dB, symmetric in [-max_abs_value, max_abs_value]."""

    sample_rate: int = SAMPLE_RATE
    n_fft: int = 800
    hop_length: int = 200
    win_length: int = 800
    n_mels: int = 80
    fmin: float = 55.0
    fmax: float = 7600.0
    preemphasis: float = 0.97
    ref_level_db: float = 20.0
    min_level_db: float = -100.0
    max_abs_value: float = 4.0
    pad_mode: str = "constant"
    """STFT edge padding: RTVC's librosa (>= 0.9) pads with zeros, Wav2Lip's librosa 0.7 reflected."""


SV2TTS_MEL = MelSpec()
WAV2LIP_MEL = MelSpec(pad_mode="reflect")


@dataclass(frozen=True)
class EncoderMelSpec:
    """The speaker encoder's 40-band power mel (not log): 25 ms windows every 10 ms."""

    sample_rate: int = SAMPLE_RATE
    window_ms: int = 25
    hop_ms: int = 10
    n_mels: int = 40

    @property
    def n_fft(self) -> int:
        return self.sample_rate * self.window_ms // 1000

    @property
    def hop_length(self) -> int:
        return self.sample_rate * self.hop_ms // 1000


ENCODER_MEL = EncoderMelSpec()


@dataclass(frozen=True)
class Decoded:
    """A file or an array read once, its channels as recorded: what load_audio, load_recording and clipping_note each
    take their view of (audio_of, recording_of), so that a reference looked at all three ways is decoded once."""

    samples: np.ndarray = field(repr=False)
    """(samples,) or (samples, channels); an array's scaled to full scale 1.0, still in its own float type."""
    rate: int
    seconds: float
    """The whole recording's length (`samples` holds at most its first max_seconds + 1 s)."""
    name: str
    """The file's path, or "the audio array", for messages."""
    max_seconds: float | None
    source: AudioSource = field(repr=False)
    resampled: bool = False
    """Whether ffmpeg decoded it at a rate other than its own, which recording_of keeps, so reads it again."""
    notes: tuple[str, ...] = ()
    """What the user is told of the file as read: that it is cut short (_cut_short_notes), which of its audio tracks
    was read (_track_notes)."""

    @cached_property
    def mono(self) -> np.ndarray:
        """float32 samples in the one channel voxlip keeps (_kept_channels), uncut: mixed once for every view of the
        recording (its speech, clipping_note), not again for each. Not to be changed in place."""
        wave = self.samples
        return (_kept_channels(wave, stereo=False) if wave.ndim == 2 else wave).astype(np.float32, copy=False)


def decode(
    source: AudioSource,
    source_sr: int | None = None,
    *,
    max_seconds: float | None = MAX_SECONDS,
    decode_rate: int | None = SAMPLE_RATE,
    what: str = "audio",
) -> Decoded:
    """`source` read once: an array at `source_sr`, which it needs (source_rate; `what` names the source in its
    messages); a file up to `max_seconds` + 1 s, what libsndfile reads at its own rate, the rest decoded by ffmpeg at
    `decode_rate` (None: the file's own rate, at most MAX_TRACK_RATE)."""
    array_sr = source_rate(source, source_sr, what)
    if isinstance(source, np.ndarray):
        wave = _array_samples(source)
        return Decoded(wave, array_sr, len(wave) / array_sr, "the audio array", max_seconds, source)
    path = Path(source).expanduser()
    wave, rate, seconds, resampled, notes = _read_file(path, max_seconds, decode_rate, what)
    return Decoded(wave, rate, seconds, str(path), max_seconds, source, resampled, notes)


def read_already(wave: np.ndarray, rate: int, max_seconds: float | None = MAX_SECONDS) -> Decoded:
    """Samples voxlip has read already (a file's as decode reads them, an array's once decode checked it) at `rate`, as
    a recording to take load_audio's view of: they are not checked again as an array given in memory, since a float
    file's samples may lie over FLOAT_PEAK_LIMIT, which only an array's scale is refused for."""
    samples = np.asarray(wave)
    return Decoded(samples, rate, len(samples) / rate, "the audio", max_seconds, samples)


def load_audio(
    source: AudioSource | Decoded,
    sr: int = SAMPLE_RATE,
    *,
    source_sr: int | None = None,
    max_seconds: float | None = MAX_SECONDS,
    normalize_dbfs: float | None = None,
) -> np.ndarray:
    """Mono float32 samples at `sr` from a file (anything ffmpeg decodes), an array, or a recording read already
    (decode's, read_already's: its samples as they were read, cut to `max_seconds`).

    Arrays are taken at `source_sr`, which they need (source_rate); (channels, n) or (n, channels) are
    averaged to mono. Optionally raise quiet audio to `normalize_dbfs`.
    """
    if isinstance(source, Decoded):
        if source_sr is not None:
            raise rate_not_taken(source_sr, "audio", "a recording read already")
        return audio_of(replace(source, max_seconds=max_seconds), sr, normalize_dbfs)
    return audio_of(decode(source, source_sr, max_seconds=max_seconds, decode_rate=sr), sr, normalize_dbfs)


def audio_of(decoded: Decoded, sr: int = SAMPLE_RATE, normalize_dbfs: float | None = None) -> np.ndarray:
    """load_audio's view of a recording decoded already: mono float32 samples at `sr`, its first max_seconds."""
    wave = _checked_channels(decoded, stereo=False)
    if decoded.max_seconds is not None and decoded.seconds > decoded.max_seconds:
        logging.getLogger(__name__).warning(
            "%s is %.0f s long: using only its first %.0f s", decoded.name, decoded.seconds, decoded.max_seconds
        )
    if decoded.rate != sr:
        wave = spectral.resample(wave, decoded.rate, sr)
    wave = np.array(wave, dtype=np.float32)  # a copy: the recording's own mono samples (Decoded.mono) stay as read
    if normalize_dbfs is not None:
        wave = normalize_volume(wave, normalize_dbfs)
    return wave


def load_recording(
    source: AudioSource, *, source_sr: int | None = None, max_seconds: float | None = MAX_SECONDS
) -> tuple[np.ndarray, int, float]:
    """(float32 samples, rate, the whole recording's length in seconds) at the recording's own rate, brought within
    16-48 kHz (an array's rate is `source_sr`, which it needs: source_rate), and in its own channels: (samples,) for
    mono, (samples, 2) for stereo (more than two: ffmpeg's downmix to two, or one where their layout is not known:
    _ffmpeg_read, _kept_channels). What a clip's soundtrack is made from, so that it sounds as it was given; cut to
    `max_seconds`, which the caller tells the user of (the length says whether it was)."""
    return recording_of(decode(source, source_sr, max_seconds=max_seconds, decode_rate=None))


def recording_of(decoded: Decoded) -> tuple[np.ndarray, int, float]:
    """load_recording's view of a recording decoded already (read again where ffmpeg decoded it at another rate)."""
    if decoded.resampled:
        decoded = decode(decoded.source, max_seconds=decoded.max_seconds, decode_rate=None)
    wave = _checked_channels(decoded, stereo=True)
    rate = min(max(decoded.rate, SAMPLE_RATE), MAX_TRACK_RATE)
    if rate != decoded.rate:
        wave = spectral.resample(wave, decoded.rate, rate)
    return wave.astype(np.float32, copy=False), rate, decoded.seconds


def _checked_channels(decoded: Decoded, stereo: bool) -> np.ndarray:
    """A decoded recording's samples in the channels kept (_kept_channels), refused if empty or not finite, cut to
    its max_seconds."""
    wave = _channels(decoded, stereo)
    if wave.size == 0:
        raise InputError(f"{decoded.name} contains no audio samples: give a recording of speech")
    if not np.all(np.isfinite(wave)):
        raise InputError(f"{decoded.name} contains NaN or infinite samples: give real audio")
    if decoded.max_seconds is not None and len(wave) > decoded.max_seconds * decoded.rate:
        wave = wave[: int(decoded.max_seconds * decoded.rate)]
    return wave


def _channels(decoded: Decoded, stereo: bool) -> np.ndarray:
    """float32 samples of a decoded recording in the channels voxlip keeps (_kept_channels), uncut."""
    if not stereo:
        return decoded.mono
    wave = decoded.samples
    return (_kept_channels(wave, stereo) if wave.ndim == 2 else wave).astype(np.float32, copy=False)


CLIPPED_SHARE = 0.001
"""A recording with more of its samples than this flat at its peak (`clipped_share`) was clipped or hard-limited. The
40 shared LibriSpeech readers, as 16-bit samples: none; the same clipped at half their peak: 31 of 40 over 0.1%, at a
fifth all 40 (median 6.2%); a sine or a chord at any pitch: none."""

FLAT_STEP = 1 / 4096
"""Neighbouring samples closer than this share of the peak lie flat: a 16-bit file's clipped tops are equal, while
a sine's samples next to its crest differ by more, down to its lowest pitches."""


def clipped_share(wave: np.ndarray) -> float:
    """Share of the samples within 2% of the largest magnitude that lie flat, equal to a neighbour: where the loudest
    sounds were cut, a tone's crests or speech's rare peaks rise and fall. Meaningful at the recording's own rate
    (resampling rings over the flat tops); samples (time, channels) are measured channel by channel."""
    if wave.ndim > 1:
        return float(np.mean([clipped_share(channel) for channel in wave.T])) if wave.size else 0.0
    magnitude = np.abs(wave)
    peak = float(magnitude.max()) if wave.size else 0.0
    if peak == 0:
        return 0.0
    near = np.flatnonzero(magnitude >= 0.98 * peak)
    last = len(wave) - 1
    step = FLAT_STEP * peak
    before = (near > 0) & (np.abs(wave[near] - wave[np.maximum(near - 1, 0)]) <= step)
    after = (near < last) & (np.abs(wave[near] - wave[np.minimum(near + 1, last)]) <= step)
    return float(np.count_nonzero(before | after)) / len(wave)


def clipping_note(decoded: Decoded) -> str:
    """A note for a reference recording (decoded at 16 kHz) whose loudest sounds were cut flat (too loud for the
    microphone or the recorder), "" otherwise. WAV, FLAC and arrays are measured as recorded; compressed formats arrive
    resampled by ffmpeg, whose ringing hides the flat tops, and get no note."""
    share = clipped_share(decoded.mono)
    if share < CLIPPED_SHARE:
        return ""
    return (
        f"the reference is clipped ({share:.1%} of its samples at its peak level: recorded too loud): the clone "
        "copies less of the voice and some of the distortion; for a closer clone, record with the level lower or "
        "further from the microphone"
    )


ARRAY_RATES = (4_000, 384_000)
"""The sample rates, in hertz, an array of samples may be given at: from a telephone's 8 kHz to a studio's."""


def source_rate(source: object, source_sr: object, what: str = "audio", also: str = "") -> int | None:
    """The rate of `source`'s samples, checked once for every stage: an array's is `source_sr`, which it needs (voxlip's
    own speech is 22.05 kHz, a microphone's 44.1 or 48: none can be assumed), a whole number of hertz within
    ARRAY_RATES; None for a file, which knows its own rate and is refused another one. InputError for what is neither
    (check_audio_source); `also` names another way to give audio with its rate, for the caller's message."""
    check_audio_source(source, what)
    if isinstance(source, np.ndarray):
        if source_sr is None:
            other = f", or {also}" if also else ""
            raise InputError(
                f"the {what} was given as samples without their rate: pass their rate as source_sr (e.g. source_sr=sr "
                f"after `wave, sr = ...`){other}"
            )
        return _array_rate(source_sr)
    if source_sr is None:
        return None
    raise rate_not_taken(source_sr, what, f"a file ({source})")


def rate_not_taken(source_sr: object, what: str, kind: str) -> InputError:
    """The error for a `source_sr` given with what knows its own rate (`kind`: "a file (...)", "a prepared Speaker"):
    one message wherever a rate is refused."""
    return InputError(
        f"source_sr={source_sr!r} is the rate of samples given as an array, but the {what} is {kind}, which knows its "
        "own rate: leave source_sr out"
    )


def _array_rate(source_sr: object) -> int:
    """`source_sr` as a whole number of hertz within ARRAY_RATES; InputError otherwise (a wrong rate would make the
    speech minutes long, or fail deep in the resampler)."""
    whole = isinstance(source_sr, numbers.Real) and not isinstance(source_sr, bool) and float(source_sr).is_integer()
    if not whole or not ARRAY_RATES[0] <= source_sr <= ARRAY_RATES[1]:
        raise InputError(
            f"source_sr={source_sr!r}: give the samples' rate in hertz, a whole number from {ARRAY_RATES[0]} to "
            f"{ARRAY_RATES[1]} (e.g. 16000, 44100 or 48000)"
        )
    return int(source_sr)


def check_audio_source(source: object, what: str = "audio", also: str = "") -> None:
    """Refuse what is neither a file path nor an array of samples, saying what is taken (`also`: what else the caller
    takes, which it has taken already, e.g. "a moviepy AudioClip")."""
    if isinstance(source, (str, os.PathLike, np.ndarray)):
        return
    samples = "an array of samples (with source_sr, their rate)"
    taken = f"a file path, {samples} or {also}" if also else f"a file path or {samples}"
    hint = " (for a (rate, samples) pair, pass the samples and source_sr=rate)" if isinstance(source, tuple) else ""
    raise InputError(f"the {what} must be {taken}, not {type(source).__name__}{hint}")


FLOAT_PEAK_LIMIT = 4.0
"""Float samples are taken at full scale 1.0; an array peaking over this (12 dB over full scale) was scaled as another
type's (16-bit samples as floats, up to 32767, had given a speaker embedding of cosine 0.48 to the same speech's)."""


def _array_samples(array: np.ndarray) -> np.ndarray:
    """Float samples of an array of numbers: 1-D, or (channels, n) or (n, channels) as (n, channels). Integers are
    scaled to full scale 1.0, unsigned ones (8-bit WAV's) about their middle."""
    wave = np.asarray(array)
    if wave.dtype.kind == "i":
        _check_integer_scale(wave)
        wave = wave / float(np.iinfo(wave.dtype).max)
    elif wave.dtype.kind == "u":
        middle = (float(np.iinfo(wave.dtype).max) + 1) / 2
        wave = (wave - middle) / middle
    elif wave.dtype.kind != "f":
        raise InputError(f"audio arrays must hold numbers, not {wave.dtype}")
    elif not np.all(np.isfinite(wave)):  # before the peak, which NaN has none of
        raise InputError("the audio array contains NaN or infinite samples: give real audio")
    elif wave.size and FLOAT_PEAK_LIMIT < (peak := float(np.abs(wave).max())):
        raise InputError(
            f"the audio array's samples reach {peak:g}, but float samples are taken with full scale at 1.0: divide "
            "them by the full scale of their type (32768 for 16-bit samples), or give the integer array itself"
        )
    if wave.ndim == 2:
        return wave.T if wave.shape[0] < wave.shape[1] else wave
    if wave.ndim != 1:
        raise InputError(f"audio arrays must be 1-D (samples) or 2-D (channels x samples), not {wave.shape}")
    return wave


def _check_integer_scale(wave: np.ndarray) -> None:
    """Refuse integer samples wider than 16 bits whose values all fit a narrower type: taken at their own type's full
    scale they are silence (16-bit values as int64, which np.array of Python ints makes, peak at 2^-48), so they are
    another type's samples widened, and only the caller knows which."""
    if wave.dtype.itemsize <= 2 or not wave.size:
        return
    low, high = int(wave.min()), int(wave.max())
    peak = max(-low, high)
    for kind in (np.int16, np.int32):
        fits = np.iinfo(kind).min <= low and high <= np.iinfo(kind).max
        if np.dtype(kind).itemsize < wave.dtype.itemsize and fits and peak > 0:
            name = np.dtype(kind).name
            bits = np.dtype(kind).itemsize * 8
            raise InputError(
                f"the audio array is {wave.dtype.name}, but its samples all lie within {bits}-bit range (peak "
                f"{peak}): at {wave.dtype.name}'s full scale they would be silence. If they are {bits}-bit samples, "
                f"give samples.astype(np.{name}) (np.array of Python ints makes {np.dtype(np.int_).name}); or give "
                "float samples with full scale at 1.0"
            )


CANCELLED_MIX = 0.4
"""A mono mix whose RMS is under this share of its channels' mean RMS cancelled itself: one channel's polarity was
inverted (a miswired microphone or cable), and the mix of speech heard clearly on both is near silence (0.02 of it in
WAV, MP3 and AAC; 0.33 in Ogg Vorbis, whose stereo coding leaves a residue). Channels of equal level fall under it
only where their correlation is below -0.68; unrelated ones mix at 0.71, one silent channel at 1."""


DROWNED_MIX = 0.5
"""More than two channels in no stated layout (a plain WAV's, an array's) are mixed to mono; where that mix is under
this share of the loudest channel's RMS (6 dB down), the loudest channel is kept alone: speech in one channel of six,
as a film's dialogue sits in its centre, had come out 15.6 dB down in their mean. Which channel is which is not known,
so none is left out as LFE (ffmpeg's guess from their number leaves the third of three, the fourth of six) and none
is taken for left or right."""


def _kept_channels(wave: np.ndarray, stereo: bool) -> np.ndarray:
    """(samples, channels) as voxlip keeps them: two as they are if `stereo`, else (and one, or more than two) mixed
    to mono, 1-D; the loudest channel alone where the mix cancels (CANCELLED_MIX) or drowns it (DROWNED_MIX)."""
    if stereo and wave.shape[1] == 2:
        return wave
    mix = wave.mean(axis=1)
    if wave.shape[1] < 2 or not mix.size:
        return mix
    levels = _channel_levels(wave)
    (mix_level,) = _channel_levels(mix[:, None])
    drowned = wave.shape[1] > 2 and mix_level < DROWNED_MIX * levels.max()
    if drowned or mix_level < CANCELLED_MIX * levels.mean():
        return wave[:, int(np.argmax(levels))]
    return mix


LEVEL_BLOCK = 1 << 20
"""Samples squared at a time by _channel_levels: a few MB, where a 10-minute 192 kHz stereo recording is 0.9 GB."""


def _channel_levels(wave: np.ndarray) -> np.ndarray:
    """Each channel's RMS of (samples, channels) `wave`, its squares summed in float64 a block at a time: no copy of
    the whole recording."""
    total = np.zeros(wave.shape[1])
    for start in range(0, len(wave), LEVEL_BLOCK):
        total += np.square(wave[start : start + LEVEL_BLOCK], dtype=np.float64).sum(axis=0)
    return np.sqrt(total / len(wave))


def channel_correlation(wave: np.ndarray) -> float:
    """The correlation of (samples, 2) `wave`'s two channels (np.corrcoef's), summed in float64 a block of LEVEL_BLOCK
    samples at a time: no copy of the whole recording. 0 where a channel does not change."""
    starts = range(0, len(wave), LEVEL_BLOCK)
    mean = sum(wave[start : start + LEVEL_BLOCK].sum(axis=0, dtype=np.float64) for start in starts) / max(len(wave), 1)
    products = np.zeros((2, 2))
    for start in starts:
        block = wave[start : start + LEVEL_BLOCK] - mean
        products += block.T @ block
    spread = np.sqrt(products[0, 0] * products[1, 1])
    return float(products[0, 1] / spread) if spread > 0 else 0.0


def _read_file(
    path: Path, max_seconds: float | None, decode_rate: int | None, what: str
) -> tuple[np.ndarray, int, float, bool, tuple[str, ...]]:
    """Samples (the first `max_seconds` + 1 s, (samples, channels) or mono), their rate, the whole file's length in
    seconds, whether ffmpeg decoded them at a rate other than the file's own, and notes on the file (naming it the
    `what`). What libsndfile reads (WAV, FLAC, Ogg, MP3) in one or two channels comes at its own rate; the rest ffmpeg
    decodes (_ffmpeg_read), so that more channels are mixed alike in every container."""
    check_not_stream(path)
    if not path.exists():
        raise InputError(f"audio file {path} does not exist")
    if path.is_dir():
        raise InputError(f"{path} is a directory: give an audio file")
    try:
        info = soundfile.info(os.fsencode(path))  # a str is encoded strictly: a name that is not UTF-8 fails
    except (soundfile.LibsndfileError, RuntimeError, TypeError):
        return _ffmpeg_read(path, max_seconds, decode_rate, what)
    notes = _cut_short_notes(info.extra_info, info.duration, what)
    if info.channels > 2:  # libsndfile does not say their layout, by which ffmpeg mixes them
        wave, rate, seconds, resampled, tracks = _ffmpeg_read(path, max_seconds, decode_rate, what)
        return wave, rate, seconds, resampled, notes + tracks
    frames = info.frames
    if max_seconds is not None:
        frames = min(frames, int((max_seconds + 1) * info.samplerate))
    try:
        wave, native_sr = soundfile.read(os.fsencode(path), frames=frames, dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError) as e:
        raise InputError(
            f"could not decode {path} ({e}): the file is corrupt or truncated; give a complete recording"
        ) from None
    return wave, native_sr, info.frames / info.samplerate, False, notes


def _ffmpeg_read(
    path: Path, max_seconds: float | None, decode_rate: int | None, what: str
) -> tuple[np.ndarray, int, float, bool, tuple[str, ...]]:
    """_read_file's samples, rate, length, resampling and notes by ffmpeg, at `decode_rate`, or, for None, at the
    file's own rate (at most MAX_TRACK_RATE); in the channels MediaInfo.audio_channels says (more than two in a stated
    layout by ffmpeg's standard downmix to two: centre and surrounds at -3 dB, LFE left out)."""
    header = probe(path, AUDIO_HINT)  # which of its audio tracks is read, and that track's rate and channels
    own_rate = min(header.audio_rate or SAMPLE_RATE, MAX_TRACK_RATE)
    rate = decode_rate or own_rate
    channels = header.audio_channels or 1  # to mono by _kept_channels: a cancelling mix seen, more than two drowned
    wave = decode_audio(path, rate, max_seconds, channels, header.audio_track, on_timeline=header.has_video)
    seconds = len(wave) / rate
    if max_seconds is not None and seconds > max_seconds:
        seconds = max(seconds, header.duration)  # decoding stopped early: the header knows the rest
    return wave, rate, seconds, rate != own_rate, _track_notes(header, what) + _downmix_notes(header, what)


def _track_notes(header: MediaInfo, what: str) -> tuple[str, ...]:
    """Which of a file's several audio tracks (a video's languages, a commentary) was read as the `what`, and how to
    give another: nothing else would say that the others were left out."""
    if header.audio_tracks < 2:
        return ()
    return (
        f"{header.path} has {header.audio_tracks} audio tracks: track {header.audio_track + 1} (the one players play: "
        f"marked default, or the first when none is) was used as the {what} and the others left out; to use another, "
        "give it alone (ffmpeg -i FILE -map 0:v? -map 0:a:N -c copy ONE.mp4, N counting from 0)",
    )


def _downmix_notes(header: MediaInfo, what: str) -> tuple[str, ...]:
    """That a file's sound in more than two channels (a film's 5.1) was mixed down to stereo for the `what`: its
    channels are not otherwise said to be changed."""
    if not header.audio_downmixed:
        return ()
    return (
        f"{header.path} has {header.audio_layout} sound: it was mixed down to stereo, as players do (ffmpeg's standard "
        f"downmix: centre and surrounds at -3 dB into left and right, LFE left out), and used as the {what}",
    )


HEADER_DATA_SIZE = re.compile(r"^data : (\d+) \(should be (\d+)\)", re.MULTILINE)
"""libsndfile's log of a WAV header (soundfile.info's extra_info) whose data size is more than the file holds."""
CUT_SHORT_SECONDS = 0.1
"""Audio a WAV's header says it holds beyond its end, from which it is said to be cut short: a header 44 bytes off
(its own size counted in) had been said to cut "4.0 s" short at "4.00 s"."""
STREAMED_DATA_SIZE = 0x7FFF0000
"""A WAV data size from this up is a placeholder a writer to a pipe put, its length not known yet (ffmpeg's
0xFFFFFFFF, arecord's 0x7FFFFFFF, sox's 0x7FFFF000): not a file cut short."""


def _cut_short_notes(header_log: str, seconds: float, what: str) -> tuple[str, ...]:
    """A note for a WAV (the `what`: "reference", "audio", "source recording") cut short (a copy or download that
    stopped: its header, as libsndfile logs it, says more audio than the file holds), which libsndfile reads up to its
    end, `seconds` long: the recording ends early, which nothing else shows."""
    sizes = HEADER_DATA_SIZE.search(header_log)
    if sizes is None:
        return ()
    promised, held = int(sizes.group(1)), int(sizes.group(2))
    if not 0 < held < promised < STREAMED_DATA_SIZE or seconds <= 0:
        return ()  # nothing held is refused as no audio
    if seconds * (promised / held - 1) < CUT_SHORT_SECONDS:  # a header a few bytes off: nothing a listener misses
        return ()
    return (
        f"the {what} file is cut short: its header says {seconds * promised / held:.1f} s of audio, but the file "
        f"holds only {seconds:.2f} s (a copy or download that stopped early?), so the recording ends there; copy it "
        "again in full to use all of it",
    )


def save_audio(path: str | os.PathLike, wave: np.ndarray, sr: int) -> Path:
    """Write a 16-bit WAV (or any format soundfile knows by extension) atomically."""
    path = Path(path)
    encoded = encode_audio(wave, sr, path.suffix[1:] or "wav")
    with atomic_output(path, suffix=path.suffix or ".wav") as partial:
        partial.write_bytes(encoded)  # a full disk is an OSError here, which atomic_output explains
    return path


def encode_audio(wave: np.ndarray, sr: int, file_format: str = "wav") -> bytes:
    """The bytes of an audio file of samples in [-1, 1]: 16-bit PCM for WAV, FLAC and any format whose default that is
    (the same samples in each: to_pcm16 at PCM16_FULL_SCALE), MP3 at libsndfile's best quality (VBR, about 86 kbit/s
    for a 22.05 kHz voice; its default, 55), encoded from the samples as they are."""
    encoded = io.BytesIO()
    file_format = file_format.upper()
    wave = np.clip(wave, -1.0, 1.0)
    pcm16 = soundfile.default_subtype(file_format) == "PCM_16"
    soundfile.write(
        encoded,
        to_pcm16(wave, PCM16_FULL_SCALE) if pcm16 else wave,
        sr,
        format=file_format,
        subtype="PCM_16" if pcm16 else None,
        **({"compression_level": 0.0} if file_format == "MP3" else {}),
    )
    return encoded.getvalue()


def without_offset(wave: np.ndarray) -> np.ndarray:
    """`wave` less its mean (each channel's): a recorder's DC offset, which no one hears, but which reads as a
    constant loudness in the pauses (one shared LibriSpeech recording, 445-123857, sits at -0.26 of full scale with
    speech of 0.05 RMS around it), so silences are not found and the recording seems noisy."""
    return (wave - np.mean(wave, axis=0, dtype=np.float64)).astype(np.float32) if wave.size else wave


def is_silent(wave: np.ndarray) -> bool:
    """Whether `wave`'s loudest sample is under 1e-4 of full scale: nothing to hear, nor room for a mark."""
    return float(np.max(np.abs(wave), initial=0.0)) < 1e-4


def to_pcm16(wave: np.ndarray, full_scale: float = INT16_MAX) -> np.ndarray:
    """Float samples in [-1, 1] as int16, scaled by `full_scale`, rounded and clipped: by INT16_MAX what WebRTC's VAD
    and pocketsphinx read; by PCM16_FULL_SCALE what a file holds."""
    return np.clip(np.round(np.asarray(wave) * full_scale), -INT16_MAX - 1, INT16_MAX).astype(np.int16)


def dbfs(wave: np.ndarray) -> float:
    """RMS level in dB relative to full scale (-inf for digital silence)."""
    rms = np.sqrt(np.mean((wave * INT16_MAX) ** 2))
    return float(20 * np.log10(rms / INT16_MAX)) if rms > 0 else float("-inf")


def normalize_volume(wave: np.ndarray, target_dbfs: float, increase_only: bool = True) -> np.ndarray:
    """Scale to an RMS of `target_dbfs`; with `increase_only`, loud audio is left as it is."""
    rms = np.sqrt(np.mean((wave * INT16_MAX) ** 2))
    if rms == 0:
        return wave
    change = target_dbfs - 20 * np.log10(rms / INT16_MAX)
    if change < 0 and increase_only:
        return wave
    return wave * (10 ** (change / 20))


def encoder_mel(wave: np.ndarray, spec: EncoderMelSpec = ENCODER_MEL) -> np.ndarray:
    """(frames, n_mels) float32 power mel of a 16 kHz waveform, as the GE2E encoder was trained on."""
    mel = spectral.power_mel(wave, spec.sample_rate, spec.n_fft, spec.hop_length, spec.n_mels)
    return mel.astype(np.float32).T


def log_mel(wave: np.ndarray, spec: MelSpec = SV2TTS_MEL) -> np.ndarray:
    """(n_mels, frames) float32 SV2TTS/Wav2Lip mel: pre-emphasis, |STFT|, Slaney mel, scaled dB."""
    from scipy.signal import lfilter  # scipy.signal takes about 1 s to import: only the neural paths need it

    mel = librosa.feature.melspectrogram(
        y=lfilter([1, -spec.preemphasis], [1], wave),
        sr=spec.sample_rate,
        n_fft=spec.n_fft,
        hop_length=spec.hop_length,
        win_length=spec.win_length,
        pad_mode=spec.pad_mode,
        power=1.0,
        n_mels=spec.n_mels,
        fmin=spec.fmin,
        fmax=spec.fmax,
    )
    floor = 10 ** (spec.min_level_db / 20)
    db = 20 * np.log10(np.maximum(floor, mel)) - spec.ref_level_db
    scaled = 2 * spec.max_abs_value * (db - spec.min_level_db) / -spec.min_level_db - spec.max_abs_value
    return np.clip(scaled, -spec.max_abs_value, spec.max_abs_value).astype(np.float32)
