import logging

import numpy as np
import pytest
import soundfile

from core import ffmpeg as bundled_ffmpeg
from core.errors import InputError
from voice import audio, spectral
from voice.audio import (
    SV2TTS_MEL,
    WAV2LIP_MEL,
    dbfs,
    decode,
    encoder_mel,
    load_audio,
    load_recording,
    log_mel,
    normalize_volume,
    save_audio,
    source_rate,
)


def ffmpeg(*args: str) -> None:
    bundled_ffmpeg.run(["-y", *args], "make a test file")


@pytest.fixture(scope="module")
def speech(speech_files):
    wav, sr = soundfile.read(speech_files[0], dtype="float32")
    assert sr == 16000
    return wav[: 4 * sr]


def test_mels_match_the_anchors(compat_case):
    case, _ = compat_case("audio_mel")
    np.testing.assert_array_equal(log_mel(case["wav"], SV2TTS_MEL), case["mel_rtvc_synth"])
    np.testing.assert_array_equal(log_mel(case["wav"], WAV2LIP_MEL), case["mel_wav2lip"])
    # The encoder's mel is a float32 FFT: its last bit moves with the FFT build (numpy 2.4.6 with
    # librosa 0.11: 1034 of 8040 values off by at most 3.5e-7 relative), so it matches to float32 rounding.
    np.testing.assert_allclose(encoder_mel(case["wav"]), case["mel_rtvc_encoder"], rtol=2e-6, atol=1e-12)


def test_spectra_transformed_a_block_of_frames_at_a_time_are_the_same(speech, monkeypatch):
    """stft and istft bound their memory by transforming BLOCK_FRAMES frames at a time: the values do not change."""
    wave = speech[: 16_000 + 17]
    whole = spectral.stft(wave, 192, 48)
    back = spectral.istft(whole * 0.5, 48, len(wave))
    monkeypatch.setattr(spectral, "BLOCK_FRAMES", 7)
    np.testing.assert_array_equal(spectral.stft(wave, 192, 48), whole)
    np.testing.assert_array_equal(spectral.istft(whole * 0.5, 48, len(wave)), back)


@pytest.mark.parametrize(("n_fft", "hop", "rate"), [(512, 128, 16_000), (704, 176, 22_050), (1024, 256, 16_000)])
def test_spectral_computes_what_librosa_computes(speech, n_fft, hop, rate):
    """voice.spectral stands in for librosa on the cold paths: same STFT, inverse, resampling and mel."""
    import librosa

    wave = speech[: 3 * 16_000 + 17]
    spectrum = spectral.stft(wave, n_fft, hop)
    expected = librosa.stft(wave, n_fft=n_fft, hop_length=hop, window="hann")
    assert spectrum.dtype == expected.dtype and spectrum.shape == expected.shape
    np.testing.assert_allclose(spectrum, expected, rtol=0, atol=1e-6 * np.abs(expected).max())
    gain = np.random.default_rng(0).uniform(0.5, 2.0, (spectrum.shape[0], 1)).astype(np.float32)
    ours = spectral.istft(spectrum * gain, hop, len(wave))
    theirs = librosa.istft(spectrum * gain, hop_length=hop, window="hann", length=len(wave))
    assert ours.dtype == np.float32 and ours.shape == wave.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    for source, target in ((16_000, rate), (rate, 16_000)):
        expected = librosa.resample(wave, orig_sr=source, target_sr=target)
        np.testing.assert_array_equal(spectral.resample(wave, source, target), expected)
    expected = librosa.filters.mel(sr=rate, n_fft=n_fft, n_mels=40, norm=None)
    np.testing.assert_allclose(spectral.mel_filters(rate, n_fft, 40), expected, rtol=0, atol=1e-6)
    expected = librosa.filters.mel(sr=rate, n_fft=n_fft, n_mels=40)
    np.testing.assert_allclose(spectral.mel_filters(rate, n_fft, 40, area_normalised=True), expected, rtol=1e-5)
    expected = librosa.feature.melspectrogram(y=wave, sr=16_000, n_fft=n_fft, hop_length=hop, n_mels=40)
    np.testing.assert_allclose(spectral.power_mel(wave, 16_000, n_fft, hop, 40), expected, rtol=2e-5, atol=1e-9)
    from scipy.signal import butter, sosfiltfilt

    expected = sosfiltfilt(butter(4, 70.0, "highpass", fs=16_000, output="sos"), wave.astype(np.float64))
    inner = slice(1600, -1600)  # filtfilt pads the ends its own way
    np.testing.assert_allclose(spectral.highpass(wave, 70.0, 16_000)[inner], expected[inner], atol=1e-6)


@pytest.mark.parametrize(
    "suffix, codec",
    [(".mp3", "libmp3lame"), (".ogg", "libvorbis"), (".m4a", "aac"), (".webm", "libopus"), (".flac", "flac")],
)
def test_load_audio_decodes_every_common_format(tmp_path, speech, suffix, codec):
    source = tmp_path / "speech.wav"
    soundfile.write(source, speech, 16000)
    encoded = tmp_path / f"speech{suffix}"
    ffmpeg("-i", str(source), "-c:a", codec, "-ar", "48000", str(encoded))
    wav = load_audio(encoded)
    assert wav.dtype == np.float32 and wav.ndim == 1
    assert abs(len(wav) / 16000 - 4.0) < 0.1
    assert abs(dbfs(wav) - dbfs(speech)) < 1.5


def test_arrays_stereo_int16_and_resampling(speech):
    stereo48 = np.stack([speech, speech]).repeat(3, axis=1)  # crude 48 kHz, 2 channels
    wav = load_audio(stereo48, source_sr=48000)
    assert wav.shape == speech.shape
    assert load_audio(stereo48.T, source_sr=48000).shape == speech.shape
    pcm = (speech * 32767).astype(np.int16)
    np.testing.assert_allclose(load_audio(pcm, source_sr=16_000), speech, atol=1e-4)
    eight_bit = np.round(speech * 127 + 128).astype(np.uint8)  # 8-bit WAV samples: unsigned, about 128
    np.testing.assert_allclose(load_audio(eight_bit, source_sr=16_000), speech, atol=1 / 100)
    with pytest.raises(InputError, match="full scale at 1.0: divide them by .*32768 for 16-bit"):
        load_audio(pcm.astype(np.float32), source_sr=16_000)  # 16-bit samples as floats had been taken as they were
    with pytest.raises(InputError, match="NaN or infinite"):  # not told to divide by 32768
        load_audio(np.concatenate([speech, [np.inf]]), source_sr=16_000)
    assert len(load_audio(speech, sr=8000, source_sr=16000)) == len(speech) // 2


def test_integer_samples_widened_from_a_narrower_type_are_refused_naming_the_type_to_give(speech):
    """np.array(pcm16.tolist()) (int64, values within 16 bits) had been scaled by 2^63 and called silent."""
    pcm = (speech * 32767).astype(np.int16)
    for widened, dtype in ((np.array(pcm.tolist(), np.int64), "int64"), (pcm.astype(np.int32), "int32")):
        with pytest.raises(InputError) as refused:
            load_audio(widened, source_sr=16_000)
        message = str(refused.value)
        assert message.startswith(f"the audio array is {dtype}, but its samples all lie within 16-bit range"), message
        assert "give samples.astype(np.int16)" in message, message
    with pytest.raises(InputError, match=r"^the audio array is int64, .* within 32-bit range .*astype\(np.int32\)"):
        load_audio(pcm.astype(np.int64) * 65536, source_sr=16_000)
    pcm32 = (speech * 2**31 * 0.99).astype(np.int32)  # a 32-bit recording at its own full scale is taken as it was
    np.testing.assert_allclose(load_audio(pcm32, source_sr=16_000), speech, atol=0.02)
    assert not load_audio(np.zeros(1600, np.int64), source_sr=16_000).any()  # silence stays silence


@pytest.mark.parametrize("suffix", ["", ".wav", ".m4a", ".ogg"])
def test_stereo_with_one_channel_inverted_is_heard_in_the_louder_channel(speech, tmp_path, suffix):
    """A miswired microphone (one channel's polarity inverted) had mixed to near silence and been called silent;
    speech that differs between the channels is still mixed."""
    inverted = np.stack([speech, -0.9 * speech], axis=1)
    if suffix:
        source = save_audio(tmp_path / "inverted.wav", inverted, 16_000)
        codec = {".m4a": ["-c:a", "aac", "-b:a", "128k"], ".ogg": ["-c:a", "libvorbis"]}.get(suffix)
        if codec:  # Vorbis's stereo coding had left a mix at 0.33 of the channels' level: not called cancelled
            ffmpeg("-i", str(source), *codec, str(source := tmp_path / f"inverted{suffix}"))
    else:
        source = inverted
    loaded = load_audio(source, source_sr=None if suffix else 16_000)
    assert dbfs(loaded) == pytest.approx(dbfs(speech), abs=0.5)
    assert abs(np.corrcoef(loaded[1000:60_000], speech[1000:60_000])[0, 1]) > (0.95 if suffix == ".ogg" else 0.99)
    both = load_audio(np.stack([speech, np.roll(speech, 4000)], axis=1), source_sr=16_000)
    np.testing.assert_allclose(both, (speech + np.roll(speech, 4000)) / 2, atol=1e-6)


def test_normalize_volume_raises_quiet_audio_only(speech):
    quiet = speech * 0.01
    assert dbfs(normalize_volume(quiet, -30)) == pytest.approx(-30, abs=0.01)
    loud = speech / np.abs(speech).max()
    np.testing.assert_array_equal(normalize_volume(loud, -30), loud)
    assert np.all(normalize_volume(np.zeros(100, np.float32), -30) == 0)


def test_long_input_is_capped_and_said(tmp_path, caplog):
    long_file = tmp_path / "two_hours.flac"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=r=8000:a=0.1:d=7200", "-c:a", "flac", str(long_file))
    with caplog.at_level(logging.WARNING):
        wav = load_audio(long_file, max_seconds=600)
    assert len(wav) == 600 * 16000
    assert "is 7200 s long: using only its first 600 s" in caplog.text  # the file's length, not what was read


def test_long_input_that_only_ffmpeg_reads_is_capped_with_its_true_length(tmp_path, caplog):
    long_file = tmp_path / "twenty_minutes.m4a"
    ffmpeg("-f", "lavfi", "-i", "anoisesrc=r=8000:a=0.1:d=1200", "-c:a", "aac", "-b:a", "16k", str(long_file))
    with caplog.at_level(logging.WARNING):
        wav = load_audio(long_file)
    assert len(wav) == 600 * 16000
    assert "is 1200 s long: using only its first 600 s" in caplog.text


def test_samples_saved_as_wav_and_flac_are_the_same_16_bit_samples_read_back_to_within_half_a_step(tmp_path, speech):
    """The same speech saved as .wav and .flac had held other samples (35238 of 70400 by 1 step, the FLAC's always the
    higher): libsndfile had written the floats to WAV as floor(x * 2^15), to FLAC rounded. Both are rounded once now,
    which read back (divided by 2^15, as every reader does) are the samples to within half a step."""
    quieter = speech * np.float32(0.9)  # between the steps of its file's 16 bits, as the voice's floats are
    wave = np.concatenate([quieter, np.array([1.0, -1.0, 1.5, -1.5], np.float32)])
    read = {
        suffix: soundfile.read(save_audio(tmp_path / f"said{suffix}", wave, 16_000), dtype="int16")[0]
        for suffix in (".wav", ".flac")
    }
    np.testing.assert_array_equal(read[".wav"], read[".flac"])
    assert read[".wav"][-4:].tolist() == [32767, -32768, 32767, -32768]
    back = soundfile.read(tmp_path / "said.wav", dtype="float32")[0][: len(quieter)]
    assert np.abs(back - quieter).max() <= 0.5 / 2**15


def test_save_audio_writes_atomically(tmp_path, speech):
    out = save_audio(tmp_path / "sub" / "out.wav", speech, 16000)
    assert soundfile.info(out).samplerate == 16000
    assert [p.name for p in out.parent.iterdir()] == ["out.wav"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "missing.wav", "does not exist"),
        (lambda d: d, "is a directory"),
        (lambda d: (d / "notes.txt").write_text("hello") and d / "notes.txt", "notes.txt: not a media file"),
        (lambda d: (d / "noise.wav").write_bytes(np.random.default_rng(0).bytes(5000)) and d / "noise.wav", "corrupt"),
    ],
)
def test_bad_files_get_clear_errors(tmp_path, make, message):
    with pytest.raises(InputError, match=message):
        load_audio(make(tmp_path))


def test_a_wav_cut_short_is_read_with_a_note_saying_so(tmp_path, speech):
    """A WAV whose copy stopped part way (its header says 4.0 s, the file holds 1.25 s) had been read silently as
    the shorter recording; a header a writer to a pipe left unfinished is no cut."""
    whole = save_audio(tmp_path / "whole.wav", speech, 16_000)
    (cut := tmp_path / "cut.wav").write_bytes(whole.read_bytes()[:40_044])
    decoded = decode(cut)
    assert decoded.seconds == pytest.approx(1.25, abs=0.01)
    assert decoded.notes == (
        "the audio file is cut short: its header says 4.0 s of audio, but the file holds only 1.25 s (a copy or "
        "download that stopped early?), so the recording ends there; copy it again in full to use all of it",
    )
    assert decode(whole).notes == ()
    (off := tmp_path / "off.wav").write_bytes(whole.read_bytes()[:-44])  # a header 44 bytes over: nothing missed
    assert decode(off).notes == ()
    streamed = bytearray(whole.read_bytes())
    streamed[4:8] = streamed[40:44] = b"\xff\xff\xff\xff"  # RIFF and data sizes, as ffmpeg writes to a pipe
    (piped := tmp_path / "piped.wav").write_bytes(streamed)
    assert decode(piped).notes == () and len(load_audio(piped)) == len(speech)
    (header_only := tmp_path / "header.wav").write_bytes(whole.read_bytes()[:44])
    with pytest.raises(InputError, match="contains no audio samples"):
        load_audio(header_only)


def test_truncated_file_is_reported_as_corrupt(tmp_path, speech_files):
    truncated = tmp_path / "cut.flac"
    truncated.write_bytes(speech_files[0].read_bytes()[:30000])
    with pytest.raises(InputError, match="corrupt or truncated"):
        load_audio(truncated)


@pytest.mark.parametrize(
    "array, message", [(np.zeros(0), "no audio samples"), (np.full(10, np.nan), "NaN"), (np.zeros((2, 2, 2)), "1-D")]
)
@pytest.mark.filterwarnings("error")  # an array of NaN had printed numpy's "All-NaN slice encountered" first
def test_bad_arrays_get_clear_errors(array, message):
    with pytest.raises(InputError, match=message):
        load_audio(array, source_sr=16_000)


@pytest.mark.parametrize(
    ("suffix", "rate", "channels", "kept"),
    [
        (".m4a", 44_100, 1, (44_100, 1)),
        (".m4a", 48_000, 2, (48_000, 2)),
        (".m4a", 48_000, 6, (48_000, 2)),
        (".wav", 96_000, 2, (48_000, 2)),
        (".wav", 8_000, 1, (16_000, 1)),
        (".flac", 44_100, 3, (44_100, 2)),
        (".wav", 44_100, 3, (44_100, 1)),
    ],
)
def test_a_recording_is_loaded_at_its_own_rate_and_channels(speech, tmp_path, suffix, rate, channels, kept):
    """load_recording (a clip's soundtrack) keeps what was given, within 16-48 kHz and two channels: a compressed
    file is decoded at its own rate, not at the 16 kHz the models hear; more channels are mixed: to two where the file
    states their layout (FLAC always does), to one where it does not (a plain WAV's)."""
    wave = spectral.resample(speech, 16_000, rate)
    layers = np.stack([np.roll(wave, 100 * c) for c in range(channels)], axis=1)
    made = tmp_path / f"made{suffix}"
    if suffix == ".m4a":
        source = save_audio(tmp_path / "source.wav", layers, rate)
        ffmpeg("-i", str(source), "-c:a", "aac", str(made))
    else:
        soundfile.write(made, layers, rate)
    samples, loaded_rate, _ = load_recording(made)
    assert (loaded_rate, 1 if samples.ndim == 1 else samples.shape[1]) == kept
    assert abs(len(samples) / loaded_rate - len(speech) / 16_000) < 0.05
    assert load_audio(made).ndim == 1


def test_centre_only_speech_in_5_1_keeps_its_level_and_two_channels_in_every_container(speech, tmp_path):
    """Film dialogue sits in the centre channel alone: a 5.1 WAV or FLAC had been mixed to mono by a plain mean of
    all six channels, 15.6 dB down, where the same channels in an M4A came out in ffmpeg's downmix (stereo, the centre
    at -3 dB in each, as ffmpeg's -ac 2 gives the mono recording itself)."""
    mono = save_audio(tmp_path / "mono.wav", speech, 16_000)
    ffmpeg("-i", str(mono), "-af", "pan=5.1|FC=c0", str(six := tmp_path / "six.wav"))
    ffmpeg("-i", str(six), "-c:a", "flac", str(tmp_path / "six.flac"))
    ffmpeg("-i", str(six), "-c:a", "aac", "-b:a", "256k", str(tmp_path / "six.m4a"))
    level = dbfs(load_audio(mono)) - 3.01  # each channel of ffmpeg's -ac 2 of the mono recording
    loaded = {suffix: load_recording(tmp_path / f"six{suffix}")[0] for suffix in (".wav", ".flac", ".m4a")}
    for suffix, wave in loaded.items():
        assert wave.shape == (len(speech), 2), suffix
        assert [dbfs(channel) for channel in wave.T] == [pytest.approx(level, abs=1.0)] * 2, suffix
    np.testing.assert_array_equal(loaded[".flac"], loaded[".wav"])
    assert np.corrcoef(loaded[".m4a"][:, 0], loaded[".wav"][:, 0])[0, 1] > 0.99
    for suffix in (".wav", ".flac", ".m4a"):  # what the models hear: the two channels' mean
        assert dbfs(load_audio(tmp_path / f"six{suffix}")) == pytest.approx(level, abs=1.0)


def test_sound_in_more_than_two_channels_mixed_down_to_stereo_is_said_to_be(speech, tmp_path):
    """A 5.1 file's channels mixed down to two (what a clip's soundtrack keeps) get a note naming the downmix: it had
    been silent, though whatever voxlip changes of an input its notes say; stereo, mono and channels in no stated
    layout (mixed by _kept_channels, not to stereo) get none."""
    mono = save_audio(tmp_path / "mono.wav", speech, 16_000)
    ffmpeg("-i", str(mono), "-af", "pan=5.1|FC=c0|FL=0.5*c0|FR=0.5*c0", "-c:a", "aac", str(six := tmp_path / "six.m4a"))
    ffmpeg("-i", str(mono), "-af", "pan=5.1(side)|FC=c0", str(wav := tmp_path / "six.wav"))
    for made, layout in ((six, "5.1"), (wav, "5.1(side)")):
        assert decode(made, what="audio").notes == (
            f"{made} has {layout} sound: it was mixed down to stereo, as players do (ffmpeg's standard downmix: centre "
            "and surrounds at -3 dB into left and right, LFE left out), and used as the audio",
        )
    ffmpeg("-i", str(mono), "-c:a", "aac", str(mono_m4a := tmp_path / "mono.m4a"))
    ffmpeg("-i", str(mono), "-ac", "2", "-c:a", "aac", str(stereo := tmp_path / "stereo.m4a"))
    soundfile.write(plain := tmp_path / "plain.wav", np.stack([speech] * 6, axis=1), 16_000, subtype="FLOAT")
    for made in (mono, mono_m4a, stereo, plain):
        assert decode(made, what="audio").notes == (), made


@pytest.mark.parametrize("layout", ["quad", "4.0"])
def test_four_channels_are_mixed_by_their_layout(speech, tmp_path, layout):
    """Speech in the front pair of a quad or 4.0 file stays where it was, at its level (it had been mixed to mono at
    half its level, 6 dB down)."""
    mono = save_audio(tmp_path / "mono.wav", speech, 16_000)
    ffmpeg("-i", str(mono), "-af", f"pan={layout}|FL=c0|FR=c0", str(four := tmp_path / "four.wav"))
    wave, _, _ = load_recording(four)
    assert wave.shape == (len(speech), 2)
    np.testing.assert_allclose(wave, np.stack([load_audio(mono)] * 2, axis=1), atol=1e-4)


@pytest.mark.parametrize("channels", [3, 6])
def test_speech_in_one_channel_of_a_file_that_states_no_layout_is_not_drowned_nor_left_out(speech, tmp_path, channels):
    """A plain WAV's channels have no names: ffmpeg's guess from their number takes the third of three and the fourth
    of six for LFE and leaves it out, and their mean has speech in one of six 15.6 dB down; the loudest is kept."""
    for speaking in (2, channels - 1):
        layers = np.zeros((len(speech), channels), np.float32)
        layers[:, speaking] = speech
        soundfile.write(made := tmp_path / f"plain{speaking}.wav", layers, 16_000, subtype="FLOAT")
        assert soundfile.info(made).format == "WAV"  # no channel mask
        wave, _, _ = load_recording(made)
        np.testing.assert_array_equal(wave, speech)
    spread = speech[:, None] * np.linspace(1.0, 0.5, channels, dtype=np.float32)  # one voice on every microphone
    soundfile.write(made := tmp_path / "spread.wav", spread, 16_000, subtype="FLOAT")
    np.testing.assert_allclose(load_recording(made)[0], spread.mean(axis=1), atol=1e-7)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".m4a"])
def test_mono_and_stereo_files_are_read_as_they_are(speech, tmp_path, suffix):
    """The channels a mono or stereo file holds, as libsndfile reads them (ffmpeg decodes an M4A): stereo kept, its
    mean what the models hear."""
    stereo = np.stack([speech, 0.5 * np.roll(speech, 800)], axis=1)
    for name, wave in (("mono", speech), ("stereo", stereo)):
        made = save_audio(tmp_path / f"{name}.wav", wave, 16_000)
        if suffix != ".wav":
            ffmpeg("-i", str(made), str(made := tmp_path / f"{name}{suffix}"))
        if suffix == ".m4a":
            expected = bundled_ffmpeg.decode_audio(made, 16_000, None, channels=wave.ndim, on_timeline=False)
        else:
            expected = soundfile.read(made, dtype="float32")[0]
        loaded, _, _ = load_recording(made)
        np.testing.assert_array_equal(loaded, expected)
        np.testing.assert_array_equal(load_audio(made), expected.mean(axis=1) if wave.ndim == 2 else expected)


def test_a_gap_in_a_videos_sound_is_kept_as_silence_not_closed_up(speech, tmp_path):
    """A soundtrack whose timestamps jump ahead (a video joined from pieces) is read on its timeline, the gap silent:
    its sound had been read end to end, the gap closed, and everything after it came early against the pictures (a
    clip looped four times, 145 ms after a minute)."""
    source = save_audio(tmp_path / "speech.wav", speech, 16_000)
    later = "asetnsamples=1600,asetpts='if(gte(T,2),PTS+0.3/TB,PTS)'"  # 0.3 s more between its 2nd and 3rd second
    inputs = ["-f", "lavfi", "-i", "color=c=gray:s=64x64:r=25:d=4.3", "-i", str(source)]
    codecs = ["-af", later, "-c:v", "libx264", "-c:a", "aac", "-b:a", "128k"]
    ffmpeg(*inputs, *codecs, str(gapped := tmp_path / "gapped.mp4"))
    wave, rate, seconds = load_recording(gapped)
    assert rate == 16_000 and seconds == pytest.approx(4.3, abs=0.03)

    def likeness(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.corrcoef(a, b)[0, 1])

    assert likeness(wave[4_000:28_000], speech[4_000:28_000]) > 0.95
    assert np.abs(wave[int(2.05 * rate) : int(2.25 * rate)]).max() < 0.01
    assert likeness(wave[int(2.4 * rate) : int(4.2 * rate)], speech[int(2.1 * rate) : int(3.9 * rate)]) > 0.95


@pytest.mark.parametrize("suffix", [".webm", ".mkv"])
def test_opus_sound_alone_in_webm_or_mkv_is_read_from_its_first_sample(speech, tmp_path, suffix):
    """A WebM or MKV of Opus sound alone, which its header starts at 13 ms, had lost its first 13 ms (208 samples at
    16 kHz, each sample 208 early): laid on the file's timeline as a video's sound is, with no pictures to keep in
    step with. It is read as it is, as long as the recording it was made from and in step with it."""
    source = save_audio(tmp_path / "speech.wav", speech, 16_000)
    ffmpeg("-i", str(source), "-c:a", "libopus", str(made := tmp_path / f"speech{suffix}"))
    wave, rate, _ = load_recording(made)
    heard = spectral.resample(wave, rate, 16_000) if rate != 16_000 else wave
    assert len(heard) == len(speech)
    lags = range(-400, 401)
    middle = slice(8_000, len(speech) - 8_000)
    match = [float(np.dot(np.roll(heard, -lag)[middle], speech[middle])) for lag in lags]
    assert lags[int(np.argmax(match))] == 0


def test_a_videos_sound_that_starts_after_its_pictures_is_read_after_as_much_silence(speech, tmp_path):
    """Speech to lip-sync from a video whose track was put in 0.7 s after its first picture comes 0.7 s in, as a
    player plays it and as a dub of the video keeps it: it had been read from its first sample, 0.7 s early."""
    source = save_audio(tmp_path / "speech.wav", speech, 16_000)
    pictures = ["-f", "lavfi", "-i", "color=c=gray:s=64x64:r=25:d=5"]
    late = ["-itsoffset", "0.7", "-i", str(source), "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-c:a", "aac"]
    ffmpeg(*pictures, *late, str(made := tmp_path / "late.mp4"))
    assert bundled_ffmpeg.probe(made).audio_delay == pytest.approx(0.7 - 1024 / 16_000)  # less AAC's priming

    def first_sound(wave: np.ndarray, rate: int) -> float:
        return np.flatnonzero(np.abs(wave) > 0.02)[0] / rate

    wave, rate, _ = load_recording(made)
    assert first_sound(wave, rate) == pytest.approx(first_sound(speech, 16_000) + 0.7, abs=0.01)
    assert first_sound(load_audio(made), 16_000) == pytest.approx(first_sound(speech, 16_000) + 0.7, abs=0.01)


def test_a_compressed_file_read_above_16_khz_keeps_its_high_band(speech, tmp_path):
    """ffmpeg decodes straight to the rate asked for (a video's soundtrack re-voiced at 22.05 kHz keeps its sound
    above 8 kHz), not to 16 kHz and then up."""
    wave = spectral.resample(speech, 16_000, 44_100)
    tone = 0.02 * np.sin(2 * np.pi * 10_000 * np.arange(len(wave)) / 44_100)
    source = save_audio(tmp_path / "source.wav", wave + tone.astype(np.float32), 44_100)
    ffmpeg("-i", str(source), "-c:a", "aac", "-b:a", "160k", str(tmp_path / "made.m4a"))
    heard = load_audio(tmp_path / "made.m4a", 22_050)
    power = np.abs(np.fft.rfft(heard)) ** 2
    hz = np.fft.rfftfreq(len(heard), 1 / 22_050)
    assert power[(hz > 9_950) & (hz < 10_050)].sum() > 100 * power[(hz > 8_500) & (hz < 9_500)].sum()


NO_RATE = r"the {} was given as samples without their rate: pass their rate as source_sr \(e\.g\. source_sr=sr after"


def test_samples_are_taken_only_with_their_rate_and_a_file_only_without_one(speech, tmp_path):
    """Arrays without `source_sr` had been taken as 16 kHz, silently: 48 kHz speech given so to prepare_speaker had
    an embedding of cosine 0.585 to the same speaker's (0.99997 with source_sr=48000)."""
    for load in (load_audio, lambda a: load_recording(a), decode):
        with pytest.raises(InputError, match=NO_RATE.format("audio")):
            load(speech)
    assert source_rate(speech, 48_000) == 48_000 and source_rate(speech, 44_100.0, "reference") == 44_100
    with pytest.raises(InputError, match=NO_RATE.format("reference") + r".*\), or give the Speech itself"):
        source_rate(speech, None, "reference", also="give the Speech itself")
    with pytest.raises(InputError, match=r"source_sr=1000: give the samples' rate in hertz"):
        load_audio(speech, source_sr=1000)
    path = save_audio(tmp_path / "speech.wav", speech, 16_000)
    assert source_rate(path, None) is None
    with pytest.raises(InputError, match=r"source_sr=16000 is the rate of samples .* a file \(.*speech\.wav\), which"):
        load_audio(path, source_sr=16_000)
    with pytest.raises(InputError, match="the audio must be a file path or an array of samples"):
        load_audio([0.0, 0.1], source_sr=16_000)
    assert len(load_audio(speech, 8_000, source_sr=16_000)) == len(speech) // 2


def test_clipped_share_measures_each_channel_of_samples_in_columns():
    """Samples as (time, channels) had failed to broadcast (one column) or been differenced across channels."""
    wave = np.sin(np.linspace(0, 200 * np.pi, 16_000)).astype(np.float32)
    clipped = np.clip(wave, -0.5, 0.5)
    assert audio.clipped_share(clipped[:, None]) == audio.clipped_share(clipped) > 0.1
    both = audio.clipped_share(np.stack([wave, clipped], axis=1))
    assert both == pytest.approx((audio.clipped_share(wave) + audio.clipped_share(clipped)) / 2)


def test_a_stereo_recording_is_mixed_once_for_its_speech_and_its_clipping_note(tmp_path, monkeypatch):
    """A stereo reference had been mixed to mono at its own rate once per view (its speech, the clipping note), its
    levels squared in float64 copies of the whole recording: a 10-minute 192 kHz one took 3.4 GB. Now the mix is made
    once, and its levels are summed a block at a time, to the same channel choice."""
    rng = np.random.default_rng(0)
    left = (0.1 * rng.standard_normal(1_500_000)).astype(np.float32)  # more than one block of _channel_levels
    path = tmp_path / "stereo.wav"
    soundfile.write(path, np.stack([left, -left], axis=1), 48_000, subtype="FLOAT")  # cancels: the left is kept
    mixes = []
    kept_channels = audio._kept_channels
    monkeypatch.setattr(
        audio, "_kept_channels", lambda wave, stereo: mixes.append(stereo) or kept_channels(wave, stereo)
    )
    decoded = audio.decode(path)
    speech = audio.audio_of(decoded)
    assert audio.clipping_note(decoded) == "" and mixes == [False]
    np.testing.assert_array_equal(speech, spectral.resample(left, 48_000, 16_000))
    levels = np.sqrt(np.mean(np.square(decoded.samples, dtype=np.float64), axis=0))
    np.testing.assert_allclose(audio._channel_levels(decoded.samples), levels, rtol=1e-12)


def test_channel_correlation_is_numpys_summed_a_block_at_a_time():
    """Two channels' correlation had been np.corrcoef of a float64 copy of the whole recording; it is summed a block
    at a time, to the same value, and a channel that does not change correlates with nothing."""
    rng = np.random.default_rng(0)
    left = rng.standard_normal(audio.LEVEL_BLOCK + 12_345).astype(np.float32) + 0.3  # an offset, over a block
    right = (0.6 * left + rng.standard_normal(left.size)).astype(np.float32)
    wave = np.stack([left, right], axis=1)
    expected = np.corrcoef(wave.T.astype(np.float64))[0, 1]
    assert audio.channel_correlation(wave) == pytest.approx(expected, rel=1e-9)
    assert audio.channel_correlation(np.stack([left, np.full_like(left, 0.5)], axis=1)) == 0.0
