"""Piper voices: the bundled joe voice through onnxruntime, repeatable under a seed, with phone timings."""

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from core.errors import CheckpointError, InputError
from voice.piper import PiperConfig, load_piper_voice
from voice.piper.phonemes import Phonemizer, phoneme_ids
from voice.text.checks import check_text

TEXT = "Bob made a map of the moon. Then he slept!"


@pytest.fixture(scope="module")
def joe():
    return load_piper_voice("piper-joe", threads=2)


def test_ids_follow_pipers_layout_bos_pad_after_each_phoneme_eos():
    config = PiperConfig(22050, "en-us", {"_": (0,), "^": (1,), "$": (2,), "a": (14,), "b": (15,)})
    made = phoneme_ids("ab?", config)
    assert made.ids == (1, 0, 14, 0, 15, 0, 2) and made.phonemes == ("a", "b") and made.skipped == {"?"}


def test_typographic_punctuation_is_read_as_the_plain_mark_the_voice_knows():
    config = PiperConfig(22050, "en-us", {"_": (0,), "^": (1,), "$": (2,), "a": (14,), ",": (3,), ".": (4,)})
    made = phoneme_ids("a—a…“a”–a.", config)
    assert made.ids == (1, 0, 14, 0, 3, 0, 14, 0, 3, 0, 14, 0, 3, 0, 14, 0, 4, 0, 2) and not made.skipped


def test_straight_quotation_marks_are_left_out_as_curly_ones_are_though_the_voice_has_a_symbol_for_them():
    """Piper's English voices have a '"' symbol: '"Where are you going?" he asked.' had given the model its quotation
    marks (DistillMOS 3.41 against 3.78 curly, pocketsphinx WER 13/44 against 5/44 over 4 speakers)."""
    english = Phonemizer("en-us")
    (curly,) = english.sentences("“Where are you going?” he asked.")
    (straight,) = english.sentences('"Where are you going?" he asked.')
    table = {"_": (0,), "^": (1,), "$": (2,), '"': (3,), "a": (4,)}
    for phoneme in sorted(set(curly) - set("“”")):
        table.setdefault(phoneme, (len(table),))
    config = PiperConfig(22050, "en-us", table)
    assert phoneme_ids(straight, config).ids == phoneme_ids(curly, config).ids
    assert phoneme_ids('"a"', config).ids == phoneme_ids("a", config).ids


def test_a_dash_typed_with_hyphens_is_the_pause_of_a_dash_and_a_hyphen_in_a_word_is_none():
    """ "I waited - then I left." and the en dash had been said without the pause "—" makes."""
    english = Phonemizer("en-us")
    (dashed,) = english.sentences("I waited — then I left.")
    for typed in (
        "I waited – then I left.",
        "I waited - then I left.",
        "I waited -- then I left.",
        "I waited--then I left.",
    ):
        assert english.sentences(typed) == [dashed.replace("—", "–")] if "–" in typed else [dashed]
    (hyphens,) = english.sentences("A well-known fact, 5-3.")
    assert "—" not in hyphens and "wˈɛlnˈoʊn" in hyphens


def test_a_list_with_hyphens_for_bullets_keeps_its_paragraphs_and_each_item_is_a_sentence():
    """A "-" opening a line had been read as a typed dash across the line break: "blocks.\\n\\n- A slot." lost its
    paragraph's pause, and "blocks:\\n- A slot" was one sentence, "blocks: — A slot." ("*" bullets had neither)."""
    english = Phonemizer("en-us")
    for bullet in "-*•":
        text = check_text(f"Here are the blocks.\n\n{bullet} A fixed time slot.")[0]
        assert english.paragraphs(text) == english.paragraphs("Here are the blocks.\n\nA fixed time slot.")
    for bullet in "-•":
        text = check_text(f"Every routine has three building blocks:\n{bullet} A fixed time slot\n{bullet} A cue")[0]
        assert english.sentences(text) == english.sentences(
            "Every routine has three building blocks. A fixed time slot. A cue"
        )
    assert english.sentences("I waited - then I left.") == english.sentences("I waited — then I left.")


def test_the_same_seed_gives_the_same_speech_and_another_seed_other_speech(joe):
    first, again, other = (joe.speak(TEXT, seed=s) for s in (3, 3, 4))
    assert first.sample_rate == 22050 and first.wave.dtype == np.float32
    np.testing.assert_array_equal(first.wave, again.wave)
    assert len(other.wave) != len(first.wave) or not np.array_equal(other.wave, first.wave)
    assert 1.5 < len(first.wave) / 22050 < 5 and np.abs(first.wave).max() > 0.1


def test_progress_follows_the_sentences_and_the_pipeline_hears_it_from_the_offline_voice(joe, speech_files):
    """The offline voice had said only 1/1 at its end: a long text showed no progress, and a clip whose photo had no
    face went on speaking all of it (22 s) before the face's error could stop it."""
    from pipeline import Pipeline

    calls = []
    joe.speak("One sentence. And a second one! A third?", seed=0, progress=lambda *args: calls.append(args[:2]))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    calls.clear()
    Pipeline("cpu").clone_voice(
        speech_files[0], "Hello there. Good day.", consent=True, progress=lambda *args: calls.append(args[:2])
    )
    assert calls == [(1, 2), (2, 2)]


def test_phones_are_timed_in_order_and_cover_the_speech(joe):
    speech = joe.speak(TEXT, seed=0)
    starts = [p.start for p in speech.phones]
    assert starts == sorted(starts) and all(p.end > p.start for p in speech.phones)
    assert {"b", "m", "p"} <= {p.phone for p in speech.phones}
    assert speech.phones[-1].end <= len(speech.wave) / 22050 + 0.05


def test_a_slower_voice_speaks_longer_under_its_own_cache_key_and_refuses_a_factor_of_zero(joe):
    slow = joe.slower(1.2)
    plain, slowed = joe.speak(TEXT, seed=0), slow.speak(TEXT, seed=0)
    assert 1.05 < len(slowed.wave) / len(plain.wave) < 1.25 and slowed.phones[-1].end > plain.phones[-1].end
    assert joe.key == f"{joe.sha256}+{joe.config_sha256}" and slow.key != joe.key and slow.slower(1.0).key == slow.key
    assert joe.duration_factor == 1.0 and slow.session is joe.session
    with pytest.raises(InputError, match="above 0"):
        joe.slower(0)


def test_the_registry_entry_verifies_the_bundled_file(joe):
    assert joe.name == "piper-joe" and joe.sha256.startswith("58afce0321b8")
    assert joe.config.sample_rate == 22050 and joe.config.espeak_voice == "en-us"


def test_a_voice_whose_json_was_edited_is_cached_and_recorded_apart_from_the_original(tmp_path, joe):
    """Caches had been keyed by the .onnx alone: the same weights with another length_scale in their .onnx.json said
    the calibration sentences as joe had, when joe had run first, and the record named the same files."""
    from core.files import sha256_file
    from voice.offline.base_voice import calibration_speech
    from voice.offline.config import DEFAULT
    from voice.offline.engine import OfflineVoice

    config = json.loads(joe.path.with_name(joe.path.name + ".json").read_text())
    config["inference"]["length_scale"] *= 1.5
    edited_path = tmp_path / "en_US-edited-medium.onnx"
    edited_path.symlink_to(joe.path)
    (tmp_path / "en_US-edited-medium.onnx.json").write_text(json.dumps(config))
    edited = load_piper_voice(edited_path, threads=2)
    assert edited.sha256 == joe.sha256 and edited.config_sha256 == sha256_file(f"{edited_path}.json")
    assert edited.key != joe.key and joe.config_sha256 in joe.key
    plain, slowed = calibration_speech(joe), calibration_speech(edited)  # joe's first, in the same cache
    assert len(slowed[0]) > 1.3 * len(plain[0])
    offline = OfflineVoice(dataclasses.replace(DEFAULT, base_voice=str(edited_path)), threads=2)
    assert offline.component.sha256 == joe.sha256 and offline.component.config_sha256 == edited.config_sha256


def test_a_missing_json_a_corrupt_onnx_and_another_model_are_refused(tmp_path, joe):
    lonely = tmp_path / "lonely.onnx"
    lonely.write_bytes(joe.path.read_bytes()[:1000])
    with pytest.raises(CheckpointError, match=r"lonely\.onnx\.json is missing.*next to its \.onnx"):
        load_piper_voice(lonely)
    (tmp_path / "lonely.onnx.json").write_text(joe.path.with_name(joe.path.name + ".json").read_text())
    with pytest.raises(CheckpointError, match="not a readable ONNX model.*truncated or corrupt"):
        load_piper_voice(lonely)
    onnx = pytest.importorskip("onnx", reason="onnx builds the stand-in model")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "other",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    other = tmp_path / "other.onnx"
    other.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)]).SerializeToString())
    (tmp_path / "other.onnx.json").write_text(joe.path.with_name(joe.path.name + ".json").read_text())
    del onnx
    with pytest.raises(CheckpointError, match="not a Piper voice"):
        load_piper_voice(other)


def _optimising_that_fails(monkeypatch, failure: BaseException) -> list[Path]:
    """onnxruntime made to write part of the optimised graph to the cache and then fail with `failure`; the list of
    the files it wrote to."""
    import onnxruntime

    real, written = onnxruntime.InferenceSession, []

    def session(model, options=None, **kwargs):
        if options is not None and options.optimized_model_filepath:
            written.append(Path(options.optimized_model_filepath))
            written[-1].write_bytes(b"\x08" * 4096)
            raise failure
        return real(model, options, **kwargs)

    monkeypatch.setattr(onnxruntime, "InferenceSession", session)
    return written


def test_a_cache_that_cannot_take_the_optimised_voice_costs_a_note_not_the_voice(monkeypatch, caplog):
    """On a full disk under the cache, onnxruntime's failed write of the optimised graph had been reported as "an ONNX
    file onnxruntime cannot run (InvalidProtobuf ...)", blaming the bundled voice, and its partial was left behind,
    filling the disk again for every later run."""
    from onnxruntime.capi.onnxruntime_pybind11_state import InvalidProtobuf

    from core.checkpoints import cache_dir

    written = _optimising_that_fails(monkeypatch, InvalidProtobuf("[ONNXRuntimeError] : 7 : INVALID_PROTOBUF"))
    with caplog.at_level("WARNING"):
        voice = load_piper_voice("piper-joe", threads=2)
    assert len(written) == 1 and not written[0].exists()
    assert not [path for path in (cache_dir() / "piper").rglob("*") if path.is_file()]
    assert any("cannot be written" in record.getMessage() for record in caplog.records)
    wave = voice.speak("Hello.", seed=1).wave
    assert len(wave) > 0 and np.isfinite(wave).all()


def test_a_stop_while_the_voice_is_optimised_leaves_no_partial_in_the_cache(monkeypatch):
    """A Ctrl-C or SIGTERM while onnxruntime wrote the optimised graph had left a hidden 63 MB partial in the cache
    every time."""
    from core.checkpoints import cache_dir

    written = _optimising_that_fails(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        load_piper_voice("piper-joe", threads=2)
    assert len(written) == 1 and not [path for path in (cache_dir() / "piper").rglob("*") if path.is_file()]


def test_a_pytorch_file_given_as_a_voice_is_named_as_one(tmp_path, joe):
    """A torch.save file named .onnx had been called "not a readable ONNX model ... it may be truncated or corrupt:
    download the Piper voice again"."""
    import torch

    voice = tmp_path / "voice.onnx"
    torch.save({"w": torch.zeros(2)}, voice)
    (tmp_path / "voice.onnx.json").write_text(joe.path.with_name(joe.path.name + ".json").read_text())
    with pytest.raises(CheckpointError, match=rf"^{voice} is a PyTorch file, not an ONNX model: a Piper voice is"):
        load_piper_voice(voice)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda c: "not json", "not a Piper voice's JSON"),
        (lambda c: {k: v for k, v in c.items() if k != "espeak"}, "no valid 'espeak' field"),
        (lambda c: {**c, "phoneme_type": "text"}, "espeak-ng phonemes only"),
    ],
)
def test_a_json_that_is_not_a_piper_voices_is_refused(tmp_path, joe, change, message):
    config = json.loads(joe.path.with_name(joe.path.name + ".json").read_text())
    path = tmp_path / "voice.onnx.json"
    changed = change(config)
    path.write_text(changed if isinstance(changed, str) else json.dumps(changed))
    with pytest.raises(CheckpointError, match=message):
        PiperConfig.read(path)


def test_a_language_espeak_does_not_know_is_refused():

    with pytest.raises(InputError, match="espeak-ng has no voice 'xx-nowhere'"):
        Phonemizer("xx-nowhere")


def test_a_sentence_is_read_whole_with_its_numbers_and_titles_and_other_languages_too():

    english = Phonemizer("en-us")
    assert english.sentences("Pi is 3.14.") == [
        "pˈaɪ ɪz θɹˈiː pɔɪnt wˈʌn fˈoːɹ."
    ]  # phonemizer alone: "three. fourteen"
    assert english.sentences("Mr. Smith left. He ran!") == ["mˈɪstɚ smˈɪθ lˈɛft.", "hiː ɹˈæn!"]
    assert english.sentences('"Well," she said (quietly)...') == ['"wˈɛl," ʃiː sˈɛd (kwˈaɪətli)...']
    assert english.sentences("Roses are red\nViolets are blue") == ["ɹˈoʊzᵻz ɑːɹ ɹˈɛd.", "vˈaɪəlɪts ɑːɹ blˈuː"]
    assert Phonemizer("de").sentences("Es kostet 19,99 Euro.") == ["ɛs kˈɔstət nˈɔøntseːn kˌɔmɑː nˈɔøn nˈɔøn ˈɔøroː."]
    assert Phonemizer("fr-fr").sentences("Bonjour, mon ami.") == ["bɔ̃ʒˈuʁ, mɔ̃n amˈi."]
    assert Phonemizer("de").sentences("Das 5 ★ Hotel.") == Phonemizer("de").sentences("Das 5 Hotel.")


def test_threads_sharing_a_phonemizer_each_get_their_own_texts_phonemes():
    """The demo's jobs share one Pipeline: two texts phonemized at once had come back with words lost, or raised
    phonemizer's "number of lines in input and output must be equal"."""
    from concurrent.futures import ThreadPoolExecutor

    phonemizer = Phonemizer("en-us")
    texts = [
        "One, two, three.",
        "The quick brown fox jumps over the lazy dog, and sits quietly in the shade of the old oak tree.",
        "She sells sea shells; by the sea shore, all afternoon.",
    ] * 8
    alone = [phonemizer.sentences(text) for text in texts]
    with ThreadPoolExecutor(max_workers=6) as pool:
        at_once = list(pool.map(phonemizer.sentences, texts))
    assert at_once == alone


def test_a_long_sentence_is_said_in_runs_cut_at_its_clauses_or_between_words():
    """The voice's memory grows with what it says at once: a text with no full stop is not one run of 120 words."""
    from voice.piper.phonemes import MOST_WORDS_AT_ONCE, clauses, runs_of_words

    clause = "the river ran on past the mill and the old stone bridge toward the sea"  # 15 words
    assert runs_of_words(clauses(f"{clause}, {clause}; {clause}"), 32) == [
        [(clause, ", "), (clause, "; ")],
        [(clause, "")],
    ]
    words = " ".join(f"w{i}" for i in range(120))
    runs = runs_of_words(clauses(words), MOST_WORDS_AT_ONCE)
    assert [len(run[0][0].split()) for run in runs] == [30, 30, 30, 30]  # room to move each cut to a better place
    assert " ".join(run[0][0] for run in runs) == words
    said = Phonemizer("en-us").sentences(" ".join([clause] * 8) + ".")  # 120 words, no mark inside
    assert len(said) == 4 and said[-1].endswith(".")


def test_a_long_sentence_without_marks_is_cut_between_phrases_and_said_without_a_pause(joe):
    """Its runs are cut before a word that begins a phrase, not after "the" or "of", and said on as one phrase: "the
    smell of | fresh bread" had been cut so, with a sentence's pause (0.43 s) between the runs."""
    from voice.piper.phonemes import clauses, runs_of_words

    sentence = (
        "Down in the town the baker on the corner lit his ovens early that morning and the smell of fresh bread "
        "drifted slowly up the long hill toward the old lighthouse where the keeper sat at his wooden table "
        "writing the letter he had promised to send to his sister who lived in the city far away"
    )  # 57 words
    runs = [" ".join(words for words, _ in run) for run in runs_of_words(clauses(sentence), 40)]
    assert [run.split()[0] for run in runs] == ["Down", "where"]
    speech = joe.speak(sentence + ".", seed=1)
    hop = speech.sample_rate // 100
    power = np.square(speech.wave[: len(speech.wave) // hop * hop].reshape(-1, hop)).mean(axis=1)
    quiet = power < power.max() * 1e-3  # 30 dB under the loudest 10 ms
    inside = quiet[np.argmin(quiet) : len(quiet) - np.argmin(quiet[::-1])]
    longest = max((len(run) for run in "".join("q" if q else " " for q in inside).split()), default=0)
    assert longest * hop / speech.sample_rate < 0.2


def _quiet_runs(wave: np.ndarray, rate: int) -> list[float]:
    """Seconds of each quiet stretch between sounds (10 ms frames 30 dB under the loudest)."""
    hop = rate // 100
    power = np.square(wave[: len(wave) // hop * hop].reshape(-1, hop)).mean(axis=1)
    quiet = "".join("q" if q else " " for q in power < power.max() * 1e-3).strip()
    return [len(run) * hop / rate for run in quiet.split()]


def test_a_paragraph_ends_with_a_longer_pause_than_a_sentence(joe):
    """A reader stops for longer after a paragraph: a blank line (or a line with nothing to say) between two
    sentences adds PARAGRAPH_PAUSE - SENTENCE_PAUSE seconds of quiet; the sentences are said as before."""
    from voice.joins import PARAGRAPH_PAUSE
    from voice.piper.voice import SENTENCE_PAUSE

    together = joe.speak("The keeper woke early. He climbed the stairs.", seed=1)
    for text in (
        "The keeper woke early.\n\nHe climbed the stairs.",
        "The keeper woke early.\n* * *\nHe climbed the stairs.",
    ):
        apart = joe.speak(text, seed=1)
        longer = (len(apart.wave) - len(together.wave)) / joe.config.sample_rate
        assert longer == pytest.approx(PARAGRAPH_PAUSE - SENTENCE_PAUSE, abs=1e-3)
        assert max(_quiet_runs(apart.wave, apart.sample_rate)) - max(
            _quiet_runs(together.wave, together.sample_rate)
        ) == pytest.approx(longer, abs=0.011)
        assert [p.phone for p in apart.phones] == [p.phone for p in together.phones]
    assert "ænd" in joe.phonemizer.sentences("Before the line.\n&\nAfter the line.")[1]  # a line of a sign is read


def test_text_with_nothing_to_say_is_refused(joe):
    with pytest.raises(InputError, match="nothing to say"):
        joe.speak("...")


def test_public_piper_voices_are_named_and_located_like_the_repository():
    from core import checkpoints

    spec = checkpoints.get("piper:de_DE-thorsten_emotional-medium")
    assert spec.url == (
        "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
        "de/de_DE/thorsten_emotional/medium/de_DE-thorsten_emotional-medium.onnx"
    )
    assert spec.filename == "piper/de_DE-thorsten_emotional-medium.onnx"
    with pytest.raises(CheckpointError, match="not a Piper voice name.*LANG_REGION-DATASET-QUALITY"):
        checkpoints.get("piper:lessac")


def test_fetching_a_piper_voice_checks_size_and_md5_from_voices_json(tmp_path, monkeypatch):
    import hashlib

    from pipeline import download

    model, config = b"onnx bytes", b'{"audio": {}}'
    folder = "en/en_US/test/low/en_US-test-low"
    catalogue = {
        "en_US-test-low": {
            "files": {
                f"{folder}.onnx": {"size_bytes": len(model), "md5_digest": hashlib.md5(model).hexdigest()},
                f"{folder}.onnx.json": {"size_bytes": len(config), "md5_digest": "0" * 32},
            }
        }
    }
    served = {"voices.json": json.dumps(catalogue).encode(), f"{folder}.onnx": model, f"{folder}.onnx.json": config}

    def fake_download(url, dest, *, sha256=None, size=None, progress=True, by_hand=None, check=None):
        body = served[url.removeprefix("https://huggingface.co/rhasspy/piper-voices/resolve/main/")]
        assert size in (None, len(body))
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(body)
        return dest

    monkeypatch.setattr(download, "download", fake_download)
    with pytest.raises(CheckpointError, match="md5 differs from the one in voices.json"):
        download.fetch("piper:en_US-test-low", root=tmp_path)
    assert (tmp_path / "piper" / "en_US-test-low.onnx").read_bytes() == model
    assert not (tmp_path / "piper" / "en_US-test-low.onnx.json").exists()
    with pytest.raises(CheckpointError, match="has no voice 'en_US-none-low'"):
        download.fetch("piper:en_US-none-low", root=tmp_path)
    catalogue["en_US-test-low"]["files"][f"{folder}.onnx.json"]["md5_digest"] = hashlib.md5(config).hexdigest()
    served["voices.json"] = json.dumps(catalogue).encode()
    (tmp_path / "piper" / ".voices.json").unlink()  # a speaker named after # is chosen at use: the voice is fetched
    assert download.fetch("piper:en_US-test-low#1", root=tmp_path) == tmp_path / "piper" / "en_US-test-low.onnx"


def test_fetching_a_piper_voice_already_here_checks_its_files_and_says_what_differs(tmp_path, monkeypatch, capsys):
    """`voxlip fetch piper:NAME` had reported a voice whose files were already in the cache as fetched without looking
    at them: one cut short, or edited, passed as the published voice."""
    import hashlib

    from pipeline import download
    from pipeline.cli import main as voxlip

    model, config = b"onnx bytes", b'{"audio": {}}'
    folder = "en/en_US/test/low/en_US-test-low"
    catalogue = {
        "en_US-test-low": {
            "files": {
                f"{folder}{suffix}": {"size_bytes": len(body), "md5_digest": hashlib.md5(body).hexdigest()}
                for suffix, body in ((".onnx", model), (".onnx.json", config))
            }
        }
    }
    asked, online = [], [True]

    def fake_download(url, dest, *, sha256=None, size=None, progress=True, by_hand=None, check=None):
        asked.append(url.rsplit("/", 1)[1])
        if not online[0]:
            raise CheckpointError(f"could not reach huggingface.co (no network); connect and run again, or {by_hand}")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(json.dumps(catalogue))
        return dest

    monkeypatch.setattr(download, "download", fake_download)
    voice = tmp_path / "piper" / "en_US-test-low.onnx"
    voice.parent.mkdir()
    voice.write_bytes(model)
    voice.with_suffix(".onnx.json").write_bytes(config)
    assert download.fetch("piper:en_US-test-low", root=tmp_path) == voice
    assert asked == ["voices.json"]  # the files here are checked, not downloaded again
    remedy = (
        "if you did not change it, it is damaged: delete it and run `voxlip fetch piper:en_US-test-low`; a voice you "
        "changed on purpose is used as it is"
    )
    voice.write_bytes(model[:4])  # cut short
    with pytest.raises(CheckpointError) as refused:
        download.fetch("piper:en_US-test-low", root=tmp_path)
    assert str(refused.value) == (
        f"checkpoint 'piper:en_US-test-low': {voice} has 4 bytes but voices.json gives 10; {remedy}"
    )
    voice.write_bytes(model)
    edited = config.replace(b"audio", b"AUDIO")  # as long as the published one: its md5 tells it
    voice.with_suffix(".onnx.json").write_bytes(edited)
    online[0] = False  # offline, the catalogue kept from the last fetch is the one compared with
    with pytest.raises(CheckpointError) as refused:
        download.fetch("piper:en_US-test-low", root=tmp_path)
    assert str(refused.value) == (
        f"checkpoint 'piper:en_US-test-low': the md5 of {voice}.json is {hashlib.md5(edited).hexdigest()} but "
        f"voices.json gives {hashlib.md5(config).hexdigest()}; {remedy}"
    )
    assert voxlip(["fetch", "piper:en_US-test-low", "--dir", str(tmp_path), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "voxlip: error: checkpoint 'piper:en_US-test-low': the md5 of" in err and "Traceback" not in err, err
    voice.with_suffix(".onnx.json").write_bytes(config)
    (tmp_path / "piper" / ".voices.json").unlink()  # offline, with nothing to compare with: say how to check by hand
    with pytest.raises(
        CheckpointError,
        match=r"or compare en_US-test-low.onnx and en_US-test-low.onnx.json in .*"
        r"with the sizes and md5 that https://huggingface.co/rhasspy/piper-voices/.*/voices.json gives",
    ):
        download.fetch("piper:en_US-test-low", root=tmp_path)
    online[0] = True
    assert voxlip(["fetch", "piper:en_US-test-low", "--dir", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "its size and md5 are those the repository's voices.json gives" in out, out
    assert "no published size or sha256 to check it against" not in out
