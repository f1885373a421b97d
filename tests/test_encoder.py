import numpy as np
import pytest
import soundfile

from core.errors import CheckpointError, InputError
from voice.audio import encoder_mel
from voice.encoder import RESEMBLYZER, RTVC, load_encoder, similarity

STEREO_PAIR = ("103-1240-0000", "446-123501-0000")
"""A woman and a man among the shared readers, one per channel for two people speaking at once."""


@pytest.fixture(scope="module")
def encoder():
    return load_encoder("resemblyzer")


@pytest.fixture(scope="module")
def resemblyzer_case(compat_case):
    return compat_case("resemblyzer_real")[0]


def test_seeded_rtvc_encoder_matches_anchor(seeded_checkpoint, compat_case):
    case, _ = compat_case("rtvc_encoder")
    model = load_encoder(seeded_checkpoint("rtvc_encoder", "encoder.pt"))
    assert model.config == RTVC
    np.testing.assert_allclose(model(case["mels"]), case["embeds"], rtol=1e-5, atol=1e-6)


def test_embedded_weights_are_resemblyzers_real_file(encoder):
    assert encoder.config == RESEMBLYZER
    assert encoder.checkpoint_sha256 == "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"


@pytest.mark.parametrize("i", [0, 1, 2])
def test_whole_chain_matches_resemblyzer_on_real_speech(encoder, resemblyzer_case, i):
    case = resemblyzer_case
    wav = encoder.preprocess(case[f"raw_{i}"], 16_000)
    # Bit-exact on the AVX-512 machine the fixture was made on; elsewhere numpy's float32 reductions round
    # the volume gain differently (seen: 4.6e-7 relative on an AVX2 machine).
    np.testing.assert_allclose(wav, case[f"wav_{i}"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(encoder_mel(wav), case[f"mel_{i}"], rtol=5e-6, atol=1e-7)
    partials, slices = encoder.embed_partials(wav)
    assert [[s.start, s.stop] for s in slices] == case[f"mel_slices_{i}"].tolist()
    np.testing.assert_allclose(partials, case[f"partial_embeds_{i}"], atol=1e-5)
    np.testing.assert_allclose(encoder.embed_utterance(case[f"raw_{i}"], 16_000), case[f"embed_{i}"], atol=1e-4)


def test_rtvc_flavour_matches_rtvc_anchor_on_the_same_real_weights(resemblyzer_case):
    rtvc = load_encoder("resemblyzer", config=RTVC)
    for i in range(3):
        partials = rtvc(resemblyzer_case[f"partial_mels_{i}"])
        np.testing.assert_allclose(partials, resemblyzer_case[f"rtvc_encoder_partial_embeds_{i}"], atol=1e-5)


def test_rtvc_encoder_asked_for_by_name_embeds_as_rtvc_though_its_file_is_resemblyzers(encoder, resemblyzer_case):
    """RTVC's encoder.pt is very likely Resemblyzer's pretrained.pt byte for byte: asked for as rtvc-encoder, such a
    file had been run with Resemblyzer's windows (77 frames apart, not 80) and threshold, chosen by its sha256."""
    import shutil

    from core import checkpoints

    target = checkpoints.cache_dir() / checkpoints.get("rtvc-encoder").filename
    shutil.copyfile(checkpoints.local_path(checkpoints.get("resemblyzer")), target)
    rtvc = load_encoder("rtvc-encoder")
    assert rtvc.checkpoint_sha256 == encoder.checkpoint_sha256 and rtvc.checkpoint_name == "rtvc-encoder"
    assert rtvc.config == RTVC and rtvc.config.same_speaker_threshold is None
    wav = encoder.preprocess(resemblyzer_case["raw_0"], 16_000)
    assert [s.start for s in rtvc.partial_slices(len(wav))][:2] == [0, 80]
    assert load_encoder(target).config == RESEMBLYZER  # the same file by its path: by its sha256, Resemblyzer's


def test_similarity_matrix_and_speaker_embedding(encoder, resemblyzer_case):
    embeds = [encoder.embed_utterance(resemblyzer_case[f"raw_{i}"], 16_000) for i in range(3)]
    matrix = np.array([[similarity(a, b) for b in embeds] for a in embeds])
    np.testing.assert_allclose(matrix, resemblyzer_case["similarity_matrix"], atol=1e-4)
    speaker = encoder.embed_speaker([resemblyzer_case["raw_0"], resemblyzer_case["raw_0"]], 16_000)
    np.testing.assert_allclose(speaker, embeds[0], atol=1e-6)
    assert np.linalg.norm(speaker) == pytest.approx(1.0, abs=1e-6)


def test_phone_and_studio_rates_give_the_same_voice(encoder, speech_files):
    wav, sr = soundfile.read(speech_files[1], dtype="float32")
    reference = encoder.embed_utterance(wav, source_sr=sr)
    import librosa

    phone = librosa.resample(wav, orig_sr=sr, target_sr=8000)
    studio = np.stack([wav, 0.5 * wav]).repeat(3, axis=1)  # 48 kHz stereo
    assert similarity(encoder.embed_utterance(phone, source_sr=8000), reference) > 0.85
    assert similarity(encoder.embed_utterance(studio, source_sr=48000), reference) > 0.95


def test_a_reference_holding_two_voices_is_said_to(encoder, speech_files):
    from voice.speaker import prepare_speaker

    woman, man = (soundfile.read(next(f for f in speech_files if f.stem == stem))[0] for stem in STEREO_PAIR)
    two = np.concatenate([woman[: len(woman) // 2], man[: len(man) // 2]]).astype(np.float32)
    assert "seems to hold two voices" in " ".join(prepare_speaker(encoder, two, 16_000).notes)
    for one in (woman, man, two[: 4 * 16000]):  # each alone; too short a pair to judge (under 6 windows)
        assert not any("two voices" in note for note in prepare_speaker(encoder, one.astype(np.float32), 16_000).notes)
    wave = encoder.preprocess(woman.astype(np.float32), 16_000)
    embedding, partials = encoder.embed_with_partials(wave)
    assert np.array_equal(embedding, encoder.embed_utterance(wave, preprocessed=True)) and len(partials) > 6


def test_a_reference_with_two_people_talking_at_once_one_per_channel_is_said_to(encoder, speech_files, monkeypatch):
    """Two people speaking at once, one per channel (a call recorder, two microphones), had been mixed to mono and
    cloned as a blend without a note: mixed_voices_note looks for turns, and the mix has none."""
    from voice import speaker as speakers

    woman, man = (
        soundfile.read(next(f for f in speech_files if f.stem == stem))[0].astype(np.float32) for stem in STEREO_PAIR
    )
    n = min(len(woman), len(man))
    notes = " ".join(speakers.prepare_speaker(encoder, np.stack([woman[:n], man[:n]], axis=1), 16_000).notes)
    assert "two channels hold two different voices" in notes and "c0=c0" in notes
    assert "seems to hold two voices" not in notes
    rng = np.random.default_rng(0)  # a second microphone input left empty: its noise floor only, no voice
    for floor in (1e-4, 1e-2):
        hiss = (floor * rng.standard_normal(n)).astype(np.float32)
        speaker = speakers.prepare_speaker(encoder, np.stack([woman[:n], hiss], axis=1), 16_000)
        assert not any("channels" in note for note in speaker.notes), speaker.notes
    half = len(woman) // 2  # one person on both, saying different things: one voice
    assert not any(
        "channels" in note
        for note in speakers.prepare_speaker(
            encoder, np.stack([woman[:half], woman[half : 2 * half]], axis=1), 16_000
        ).notes
    )
    embedded = []
    monkeypatch.setattr(
        encoder,
        "embed_with_partials",
        lambda wave: embedded.append(wave) or type(encoder).embed_with_partials(encoder, wave),
    )
    for stereo in (np.stack([woman, 0.5 * woman], axis=1), np.stack([woman, np.zeros_like(woman)], axis=1)):
        assert not any("channels" in note for note in speakers.prepare_speaker(encoder, stereo, 16_000).notes)
    assert len(embedded) == 2  # the mix's only: one sound in both channels, or one silent, is not embedded by channel


def test_silence_and_too_little_speech_are_refused(encoder, speech_files):
    with pytest.raises(InputError, match="silent"):
        encoder.embed_utterance(np.zeros(16000 * 3, np.float32), 16_000)
    wav, _ = soundfile.read(speech_files[1], dtype="float32")
    with pytest.raises(InputError, match=r"only 0\.\d+ s of speech"):
        encoder.embed_utterance(wav[8000:16000], 16_000)
    with pytest.raises(InputError, match="at least one recording"):
        encoder.embed_speaker([])


def test_the_compiled_encoder_is_read_from_the_cache_without_the_checkpoint_reader(
    seeded_checkpoint, compat_case, monkeypatch
):
    from core import checkpoints

    case, _ = compat_case("rtvc_encoder")
    path = seeded_checkpoint("rtvc_encoder", "encoder.pt")
    first = load_encoder(path)(case["mels"])

    def no_torch(path):
        raise AssertionError("the checkpoint was read again")

    monkeypatch.setattr(checkpoints, "torch_load", no_torch)
    np.testing.assert_array_equal(load_encoder(path)(case["mels"]), first)
    compiled = next((checkpoints.cache_dir() / "compiled").glob("*-ge2e-v1.onnx"))
    compiled.write_bytes(b"damaged")
    with pytest.raises(
        CheckpointError, match=r"compiled graph in voxlip's cache is unreadable.*delete .*ge2e-v1\.onnx"
    ):
        load_encoder(path)


def test_wrong_checkpoint_names_its_keys(seeded_checkpoint):
    with pytest.raises(CheckpointError, match=r"does not hold the GE2E speaker encoder: this looks like a WaveRNN"):
        load_encoder(seeded_checkpoint("rtvc_wavernn", "vocoder.pt"))


def test_embeddings_of_different_sizes_are_not_compared():
    with pytest.raises(InputError, match="different sizes"):
        similarity(np.ones(256), np.ones(128))


def test_an_empty_batch_has_no_embeddings(encoder):
    """embed_utterances([]) had ended in numpy's "need at least one array to concatenate"."""
    assert encoder.embed_utterances([]).shape == (0, 256)


def test_the_network_takes_an_empty_batch_and_names_the_shape_it_takes(encoder):
    """An empty batch had aborted the process inside onnxruntime's LSTM ("terminate called without an active
    exception"); one utterance's mels without a batch axis, or 80 mels, had met onnxruntime's InvalidArgument."""
    assert encoder(np.zeros((0, 160, 40), np.float32)).shape == (0, 256)
    assert encoder(np.ones((2, 50, 40))).shape == (2, 256)  # any length, as float64 too
    for shape in [(160, 40), (3, 160, 80), (2, 0, 40)]:
        with pytest.raises(InputError, match=r"\(batch, frames, mels\) with 40 mels"):
            encoder(np.ones(shape, np.float32))


def test_a_reference_given_as_samples_without_their_rate_is_refused(encoder, speech_files):
    """prepare_speaker had taken 48 kHz samples without source_sr as 16 kHz: cosine 0.585 to the same speaker."""
    from voice.speaker import prepare_speaker

    wav, sr = soundfile.read(speech_files[1], dtype="float32")
    with pytest.raises(InputError, match="the reference was given as samples without their rate: pass their rate as"):
        prepare_speaker(encoder, wav)
    with pytest.raises(InputError, match="the audio was given as samples without their rate"):
        encoder.embed_utterance(wav)
    given = prepare_speaker(encoder, wav, source_sr=sr)
    assert similarity(given.embedding, prepare_speaker(encoder, speech_files[1]).embedding) > 0.999


def test_the_same_reference_played_louder_is_the_same_voice(encoder, speech_files):
    """The encoder's preprocessing raises quiet audio only (as Resemblyzer publishes it): a reading at -35 dBFS and the
    same 11 dB louder had been prepared as two voices, 6 dB apart (embeddings at 0.93, clones at 0.96). The louder
    one's speech is lowered to the encoder's level: the speech every stage hears is as loud, and embedded alike."""
    from voice.audio import dbfs
    from voice.speaker import prepare_speaker

    wav, sr = soundfile.read(next(f for f in speech_files if f.stem == "198-126831-0000"), dtype="float32")
    quiet, loud = (prepare_speaker(encoder, wav * np.float32(10 ** (gain / 20)), source_sr=sr) for gain in (0, 11))
    assert dbfs(loud.wave) == pytest.approx(dbfs(quiet.wave), abs=0.2)
    assert similarity(quiet.embedding, loud.embedding) > 0.998
    # `SpeakerEncoder.preprocess` itself stays Resemblyzer's: louder audio is left as it is
    assert dbfs(encoder.preprocess(wav * np.float32(10 ** (11 / 20)), sr)) > dbfs(quiet.wave) + 5


def test_a_prepared_speaker_refuses_a_rate_as_a_file_does(encoder, speech_files):
    """prepare_speaker had returned a prepared Speaker whatever source_sr came with it, silently; a file, and the
    pipeline's Speaker, refuse one."""
    from pipeline.api import Pipeline
    from voice.speaker import prepare_speaker

    speaker = prepare_speaker(encoder, speech_files[1])
    assert prepare_speaker(encoder, speaker) is speaker
    refused = "source_sr=16000 is the rate of samples given as an array, but the {} is {}, which knows its own rate"
    with pytest.raises(InputError, match=refused.format("reference", "a prepared Speaker") + ": leave source_sr out"):
        prepare_speaker(encoder, speaker, source_sr=16_000)
    with pytest.raises(InputError, match=refused.format("reference", r"a file \(.*\)")):
        prepare_speaker(encoder, speech_files[1], source_sr=16_000)
    with pytest.raises(InputError, match=refused.format("reference voice", "a prepared Speaker")):
        Pipeline().speaker(speaker, source_sr=16_000)


def test_a_reference_is_decoded_once_for_its_speech_and_every_note(
    encoder, speech_files, faces_dir, tmp_path, monkeypatch
):
    """prepare_speaker had read the reference three times (for its speech, the clipping note, the two-channel note): a
    video as reference, three ffmpeg decodes, and compressed stereo was decoded again for its channels at their own
    rate. Now once, with the speech, embedding and notes of each loaded on its own."""
    from voice import audio
    from voice import speaker as speakers

    woman, man = (soundfile.read(next(f for f in speech_files if f.stem == stem))[0] for stem in STEREO_PAIR)
    n = min(len(woman), len(man))
    two_people = tmp_path / "two_people.wav"
    soundfile.write(two_people, np.stack([woman[:n], man[:n]], axis=1), 16_000)
    clipped = tmp_path / "clipped.flac"
    soundfile.write(clipped, np.clip(4 * woman, -0.5, 0.5), 16_000)
    reads = []
    read_file = audio._read_file
    monkeypatch.setattr(audio, "_read_file", lambda *args: reads.append(args) or read_file(*args))
    for reference, decodes in [
        (speech_files[1], 1),
        (two_people, 1),
        (clipped, 1),
        (faces_dir / "talking_man_25fps.mp4", 1),  # AAC, two channels at 44.1 kHz, decoded at 16 kHz
    ]:
        reads.clear()
        speaker = speakers.prepare_speaker(encoder, reference)
        assert len(reads) == decodes, reference
        wave = speakers.cleaned_reference(encoder, reference)
        embedding, partials = encoder.embed_with_partials(wave)
        assert np.array_equal(speaker.wave, wave) and np.array_equal(speaker.embedding, embedding)
        found = (
            audio.clipping_note(audio.decode(reference)),
            speakers.speech_length_note(wave),
            speakers.voicing_note(wave),
            speakers.mixed_voices_note(partials),
            speakers.two_channels_note(encoder, audio.decode(reference)),
        )
        assert speaker.notes == tuple(note for note in found if note)
    assert "clipped" in speakers.prepare_speaker(encoder, clipped).notes[0]
    assert "two channels hold two different voices" in speakers.prepare_speaker(encoder, two_people).notes[0]


def test_the_channels_of_a_stereo_reference_are_resampled_once_straight_to_16_khz(
    encoder, speech_files, tmp_path, monkeypatch
):
    """two_channels_note had resampled a whole stereo reference to 48 kHz, then each channel to 16 kHz, and correlated
    them in a float64 copy of the whole: a 10-minute 192 kHz reference took 2.77 GB to prepare. Now the channels as
    read go to 16 kHz in one conversion, and the two people in them are still heard."""
    from voice import spectral
    from voice.speaker import prepare_speaker

    woman, man = (soundfile.read(next(f for f in speech_files if f.stem == stem))[0] for stem in STEREO_PAIR)
    n = min(len(woman), len(man))
    two_people = tmp_path / "two_people_96k.wav"
    wave = spectral.resample(np.stack([woman[:n], man[:n]], axis=1), 16_000, 96_000)
    soundfile.write(two_people, wave, 96_000, subtype="FLOAT")
    conversions = []
    resample = spectral.resample
    monkeypatch.setattr(
        spectral,
        "resample",
        lambda wave, orig, target: conversions.append((wave.shape[1:], orig, target)) or resample(wave, orig, target),
    )
    notes = prepare_speaker(encoder, two_people).notes
    assert "two channels hold two different voices" in " ".join(notes)
    assert conversions == [((), 96_000, 16_000), ((2,), 96_000, 16_000)]  # the speech's mix, the two channels


def test_a_sweep_as_reference_is_said_to_hold_no_voice_and_no_reading_nor_2_s_of_one_is(encoder, speech_files):
    """A sine sweep had been taken as a voice with only a band-limit note: its pitch moves, so the steady tone check
    passed it, though it has a pitch in every frame at one level, where speech pauses and its level moves."""
    from voice.speaker import cleaned_reference, prepare_speaker, voicing_note

    t = np.arange(8 * 16_000) / 16_000
    sweep = (0.5 * np.sin(2 * np.pi * (50 * t + (7_000 - 50) / 16 * t**2))).astype(np.float32)  # 50 Hz to 7 kHz
    notes = prepare_speaker(encoder, sweep, 16_000).notes
    assert any("no voice is heard in the reference: it has a pitch throughout at one steady level" in n for n in notes)
    for path in speech_files:
        wave, rate = soundfile.read(path, dtype="float32")
        for reading in (wave, wave[: 2 * rate]):
            try:
                speech = cleaned_reference(encoder, reading, rate)
            except InputError:  # under 1 s of speech in 2 s
                continue
            assert voicing_note(speech) == "", path


@pytest.mark.parametrize("seconds", [0.96, 0.996])
def test_too_little_speech_is_not_said_to_be_the_minimum(encoder, seconds):
    """0.96 s of speech had been refused as "only 1.0 s ... give at least 1 s": the length rounded up to the minimum."""
    noise = 0.1 * np.random.default_rng(0).standard_normal(int(seconds * 16_000)).astype(np.float32)
    with pytest.raises(InputError, match=r"only 0\.9\d s of speech found .* give at least 1\.0 s of clear speech"):
        encoder.preprocess(noise, 16_000)


def test_preprocessed_takes_only_waveforms_at_the_encoders_rate(encoder, speech_files):
    """preprocessed=True had taken 44.1 kHz samples given with source_sr=44100 as 16 kHz (cosine 0.60 to the same
    recording's embedding), and a file path had met numpy's "could not convert string to float"."""
    wav, sr = soundfile.read(speech_files[1], dtype="float32")
    wave = encoder.preprocess(wav, sr)
    assert np.array_equal(
        encoder.embed_utterance(wave, 16_000, preprocessed=True), encoder.embed_utterance(wave, None, True)
    )
    fast = np.repeat(wave, 3)
    with pytest.raises(InputError, match=r"at 16000 Hz, not samples at 48000 Hz: leave preprocessed out"):
        encoder.embed_utterance(fast, source_sr=48_000, preprocessed=True)
    for path in (speech_files[1], str(speech_files[1])):
        with pytest.raises(InputError, match="preprocessed=True takes waveforms that `preprocess` made, not files"):
            encoder.embed_utterance(path, preprocessed=True)


def test_one_recording_where_a_list_of_them_is_asked_for_is_refused(encoder, speech_files):
    """A path had been taken letter by letter ("/ is a directory"), a (4, n) array of recordings had met numpy's
    "truth value of an array ... is ambiguous"."""
    path = speech_files[1]
    for call in (encoder.embed_utterances, encoder.embed_speaker):
        for one in (path, str(path)):
            with pytest.raises(InputError, match=r"takes a list of recordings, not a path: give \[path\]"):
                call(one)
        with pytest.raises(InputError, match=r"not an array: give a list of arrays \(list\(rows\)"):
            call(np.zeros((4, 16_000), np.float32), 16_000)
    assert encoder.embed_utterances(iter([path])).shape == (1, 256)


def test_non_finite_mels_and_embeddings_without_a_direction_are_refused(encoder, resemblyzer_case):
    """NaN mels had given a plausible unit-norm embedding; similarity to an all-zero embedding had been nan with
    numpy's RuntimeWarning."""
    mels = np.ones((2, 160, 40), np.float32)
    for bad in (np.nan, np.inf):
        mels[1, 5, 3] = bad
        with pytest.raises(InputError, match="mels must hold finite values"):
            encoder(mels)
    embedding = resemblyzer_case["embed_0"]
    with pytest.raises(InputError, match="all zeros, so it has no direction"):
        similarity(np.zeros(256), embedding)
    with pytest.raises(InputError, match="NaN or infinite"):
        similarity(embedding, np.full(256, np.nan))
    assert similarity(embedding, embedding) == pytest.approx(1.0)
