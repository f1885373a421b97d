"""SV2TTS Tacotron synthesizer: loads the public layout and computes what RTVC computes (compat case c)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.testing import assert_close

from core.errors import CheckpointError, InputError
from voice.synthesizer import load_synthesizer, synthesize
from voice.synthesizer.model import trimmed_lengths
from voice.text.splitting import split_for_streaming, split_text

TEXTS = ["Hello world, this is a test of the synthesizer.", "Short one!"]


@pytest.fixture(scope="module")
def model(seeded_checkpoint):
    return load_synthesizer(seeded_checkpoint("rtvc_tacotron"))


@pytest.fixture(scope="module")
def case(compat_case):
    arrays, _ = compat_case("rtvc_tacotron")
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


@pytest.fixture(scope="module")
def stopping_model(seeded_checkpoint):
    """The seeded model with a stop bias under which the long fixture sentence ends at step 6, the short never."""
    model = load_synthesizer(seeded_checkpoint("rtvc_tacotron"))
    with torch.no_grad():
        model.decoder.stop_proj.bias += 0.05
    return model


def test_loads_public_layout(model, seeded_checkpoint):
    assert model.r == 2 and model.decoder.r.dtype == torch.int32
    assert float(model.stop_threshold) == pytest.approx(-3.4)
    assert len(model.checkpoint_sha256) == 64
    assert not model.training


def test_forward_matches_rtvc(model, case):
    with torch.no_grad():
        out = model(case["x"], case["m"], case["speaker_embedding"], prenet_dropout=False)
        encoded = model.encode(case["x"], case["speaker_embedding"]).seq
    assert_close(encoded, case["intermediate_encoder_seq"], rtol=1e-4, atol=1e-5)
    assert_close(out.mels, case["mel_outputs"], rtol=1e-4, atol=1e-5)
    assert_close(out.linear, case["linear"], rtol=1e-4, atol=1e-5)
    assert_close(out.alignments, case["attn_scores"], rtol=1e-4, atol=1e-6)
    assert_close(out.stop_tokens, case["stop_outputs"], rtol=1e-4, atol=1e-5)


def test_forward_takes_numpy_and_float64_mels_and_keeps_no_graph(model, case):
    """float64 mels had met torch's "mat1 and mat2 must have the same dtype", and the output had carried a grad_fn
    (the weights required gradients) outside torch.no_grad()."""
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    for mels in [case["m"].double(), case["m"].numpy()]:
        out = model(case["x"], mels, case["speaker_embedding"].double(), prenet_dropout=False)
        assert out.mels.grad_fn is None and out.mels.dtype == torch.float32
        assert_close(out.mels, case["mel_outputs"], rtol=1e-4, atol=1e-5)
    with pytest.raises(InputError, match="mels must hold floating-point numbers, not torch.int64"):
        model(case["x"], case["m"].long(), case["speaker_embedding"])


@pytest.mark.parametrize("method", ["fast", "reference"])
def test_generate_matches_rtvc(model, case, method):
    generation = model.generate(
        case["x"], case["speaker_embedding"], max_steps=10, stop_early=False, prenet_dropout=False, method=method
    )
    assert_close(generation.mels, case["gen_mel_outputs"], rtol=1e-4, atol=1e-5)
    assert_close(generation.linear, case["gen_linear"], rtol=1e-4, atol=1e-5)
    assert_close(generation.alignments, case["gen_attn_scores"], rtol=1e-4, atol=1e-6)
    assert generation.lengths.tolist() == [20, 20]


def test_bfloat16_generation_stays_close_to_rtvc(model, case):
    generation = model.generate(
        case["x"], case["speaker_embedding"], max_steps=10, stop_early=False, prenet_dropout=False, precision="bfloat16"
    )
    # Measured: mels within 2.2e-3 (of values up to 0.34), linear 2.8e-4, attention 8.5e-6.
    assert_close(generation.mels, case["gen_mel_outputs"], rtol=0, atol=5e-3)
    assert_close(generation.linear, case["gen_linear"], rtol=0, atol=1e-3)
    assert_close(generation.alignments, case["gen_attn_scores"], rtol=0, atol=1e-4)
    with pytest.raises(InputError, match="precision"):
        model.generate(case["x"], case["speaker_embedding"], max_steps=2, precision="int8")


def test_prenet_dropout_is_on_by_default_and_repeatable_under_a_seed(model, case):
    chars, embedding = case["x"][:1], case["speaker_embedding"][:1]

    def run(seed: int | None, **options):
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        return model.generate(chars, embedding, max_steps=8, stop_early=False, generator=generator, **options).linear

    global_rng = torch.get_rng_state()
    first, again, other = run(1), run(1), run(2)
    assert torch.equal(torch.get_rng_state(), global_rng), "dropout must not draw from the global RNG"
    assert torch.equal(first, again)
    assert (first - other).abs().max() > 1e-3
    assert (first - run(None, prenet_dropout=False)).abs().max() > 1e-3
    assert (run(None) - run(None)).abs().max() > 1e-3, "without a generator each call draws afresh"


def test_fast_path_equals_reference_path_with_dropout_and_stop(stopping_model, case):
    def run(method):
        generator = torch.Generator().manual_seed(3)
        lengths = torch.tensor([48, 11])
        return stopping_model.generate(
            case["x"], case["speaker_embedding"], lengths, max_steps=24, generator=generator, method=method
        )

    fast, plain = run("fast"), run("reference")
    assert_close(fast.linear, plain.linear, rtol=1e-4, atol=1e-5)
    assert_close(fast.alignments, plain.alignments, rtol=1e-4, atol=1e-6)
    assert torch.equal(fast.lengths, plain.lengths)


def test_batched_sentences_equal_each_alone(stopping_model, case):
    lengths = [48, 11]
    options = dict(max_steps=30, prenet_dropout=False)
    batched = stopping_model.generate(case["x"], case["speaker_embedding"], torch.tensor(lengths), **options)
    assert batched.lengths.tolist() == [14, 60], "row 0 ends at its own stop step (t = 12 > 10), row 1 at max_steps"
    for row, n in enumerate(lengths):
        alone = stopping_model.generate(case["x"][row, :n], case["speaker_embedding"][row], **options)
        frames = int(alone.lengths[0])
        assert frames == int(batched.lengths[row])
        assert_close(batched.linear[row, :, :frames], alone.linear[0, :, :frames], rtol=1e-4, atol=1e-5)
        assert_close(batched.mels[row, :, :frames], alone.mels[0, :, :frames], rtol=1e-4, atol=1e-5)
        assert_close(batched.alignments[row, : frames // 2, :n], alone.alignments[0], rtol=1e-4, atol=1e-6)
    assert batched.alignments[1, :, lengths[1] :].abs().max() == 0, "padding gets no attention"


def test_synthesize_from_text_does_not_depend_on_batching(stopping_model, case):
    texts = [TEXTS[0], "Hi!"]
    embeddings = case["speaker_embedding"].numpy()
    together = synthesize(texts, embeddings, stopping_model, prenet_dropout=False)
    one_by_one = synthesize(texts, embeddings, stopping_model, prenet_dropout=False, batch_size=1)
    assert together[0].shape == (80, 14), "ends at its stop step, as in test_batched_sentences_equal_each_alone"
    assert together[1].shape[1] <= 4 * 8 * 2, "at most max_decoder_steps_per_char steps per id (3 letters + EOS)"
    for a, b in zip(together, one_by_one):
        assert a.dtype == np.float32 and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    seeded = [synthesize(["Hi!"], embeddings[1], stopping_model, seed=7)[0] for _ in range(2)]
    np.testing.assert_array_equal(*seeded)


def test_seeded_synthesis_draws_each_texts_dropout_from_seed_plus_its_index(stopping_model, case):
    """One generator had served the whole batch, so a text's dropout masks had depended on batch_size and on
    the texts around it; now text i draws from seed + i, as it does alone."""
    texts = ["Hi!", "Oh no!", "Yes."]
    embeddings = case["speaker_embedding"].numpy()[[1, 0, 1]]
    together = synthesize(texts, embeddings, stopping_model, seed=5)
    one_by_one = synthesize(texts, embeddings, stopping_model, seed=5, batch_size=1)
    for i, (text, embedding) in enumerate(zip(texts, embeddings)):
        alone = synthesize([text], embedding, stopping_model, seed=5 + i)[0]
        assert together[i].shape == one_by_one[i].shape == alone.shape
        np.testing.assert_allclose(together[i], one_by_one[i], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(together[i], alone, rtol=1e-4, atol=1e-5)
    other_seed = synthesize(texts[:1], embeddings[0], stopping_model, seed=6)[0]
    assert other_seed.shape != together[0].shape or np.abs(other_seed - together[0]).max() > 1e-3
    with pytest.raises(InputError, match=r"1 generator\(s\) for 2 rows"):
        stopping_model.generate(case["x"], case["speaker_embedding"], max_steps=2, generator=[torch.Generator()])


def test_trailing_quiet_frames_are_trimmed_per_row():
    spec = torch.full((2, 3, 8), -4.0)
    spec[0, 1, :5] = 0.0
    spec[1, 2, :7] = -3.0
    spec[1, 0, 3] = -3.5
    assert trimmed_lengths(spec, torch.tensor([8, 6]), -3.4).tolist() == [5, 6]
    assert trimmed_lengths(torch.full((1, 3, 4), -4.0), torch.tensor([4]), -3.4).tolist() == [1]


def test_split_for_streaming_grows_pieces_from_a_short_first_one():
    text = (
        "When the evening train finally pulled into the station, the passengers gathered their bags and stepped "
        "out onto the cold platform. Nobody had expected the journey to take so long."
    )
    pieces = split_for_streaming(text, first_chars=16, growth=3.0)
    assert pieces[:3] == ["When the evening", "train finally pulled into the station,", pieces[2]]
    assert " ".join(pieces) == text
    assert all(len(b) <= 3 * max(16, len(a)) for a, b in zip(pieces, pieces[1:3]))
    assert split_for_streaming("Hello there.") == ["Hello there."]
    assert split_for_streaming("Antidisestablishmentarianism rules.")[0] == "Antidisestablishmentarianism"


def test_split_for_streaming_cuts_a_long_word_at_its_marks_and_a_longer_one_by_letters():
    """A web address or a word longer than the limit had been one piece: "Visit <an 84-character address> today." was
    streamed as 0.40 s, 12.77 s and 0.68 s of speech; a word of 204 letters made a 15 s first piece."""
    address = "https://example.com/a/very/long/path/that/goes/on/and/on/forever/and/ever/index.html"
    pieces = split_for_streaming(f"Visit {address} today.")
    assert pieces == [
        "Visit",
        "https://example.com",  # the address's name is said whole ("example dot com")
        "/a/very/long/path/that/goes/on/and/on/forever/and/ever",
        "/index.html today.",
    ]
    assert "".join(pieces[1:]) == f"{address} today."
    nonsense = "Supercalifragilisticexpialidocious" * 6
    pieces = split_for_streaming(nonsense + " is long.")
    assert [len(piece) for piece in pieces] == [16, 48, 86, 63] and "".join(pieces) == nonsense + " is long."
    assert split_for_streaming("A state-of-the-art-and-well-known-mother-in-law-approved story.")[1:] == [
        "state-of-the-art",
        "-and-well-known-mother-in-law-approved story.",
    ]
    assert split_text(f"Visit {address} today.", max_chars=40) == [
        "Visit",
        "https://example.com/a/very/long/path",
        "/that/goes/on/and/on/forever/and/ever",
        "/index.html today.",
    ]
    assert [len(chunk) for chunk in split_text(nonsense)] == [150, 54]


@pytest.mark.parametrize(
    "text, pieces",
    [
        (
            "Email mary.jones@my-company.org today, or call the support team.",
            ["Email", "mary.jones@my-company.org", "today, or call the support team."],
        ),
        ("Meet on 2024-01-15T10:30:00Z sharp.", ["Meet on", "2024-01-15T10:30:00Z", "sharp."]),
        ("Twenty-first-century music is here, and loud.", ["Twenty-first-century", "music is here, and loud."]),
    ],
)
def test_a_word_no_longer_than_any_word_is_streamed_whole(text, pieces):
    """Cut inside as the piece limit was short, an e-mail address had lost its "dot" ("mary.jones@my |
    -company.org"), a date and time had begun a piece with "minus" ("2024-01 | -15T10:30:00Z") and a compound had been
    said in two pieces ("Twenty-first | -century music")."""
    assert split_for_streaming(text) == pieces


def test_a_web_address_streamed_in_pieces_is_said_as_the_whole_text_says_it():
    """No piece of an address ends in a full stop or another mark the whole text has not (a pause said alone), and
    its words stay: "slash" for each slash, its name's "dot"s."""
    from voice.piper.phonemes import Phonemizer

    english = Phonemizer("en-us")
    text = "Visit https://shop.example.com/search/a/very/long/path/that/goes/on?q=red+shoes&page=2&sort=price_asc now."
    (whole,) = english.sentences(text)
    pieces = split_for_streaming(text)
    said = " ".join(ipa for piece in pieces for ipa in english.sentences(piece))
    assert len(pieces) == 4 and said.replace(" ", "") == whole.replace(" ", "")


def test_split_for_streaming_cuts_at_a_sentence_end_before_a_clause_or_a_word():
    """Each piece is said alone: one cut inside a sentence ("How are you | today?") ends it as a statement."""
    assert split_for_streaming("Hello, world. How are you today? I am fine, thanks!") == [
        "Hello, world.",
        "How are you today? I am fine, thanks!",
    ]
    assert split_for_streaming("Mr. Smith met Dr. Jones at 5 p.m. on Jan. 5. They talked.")[1:] == [
        "Dr. Jones at 5 p.m. on Jan. 5.",
        "They talked.",
    ]


def test_split_for_streaming_ends_a_line_without_a_mark_as_the_voices_do():
    """Each piece is said alone: a title's or a list's line ends as a sentence (its pause, its last word whole) where
    the whole text, said at once, ends it (`lines_ended`); wrapped prose still reads on."""
    text = "Three things:\n- Sleep eight hours\n- Drink water\n\nThat's it."
    assert split_for_streaming(text) == ["Three things.", "- Sleep eight hours.", "- Drink water.\n\n", "That's it."]
    prose = "When the evening train finally pulled into the station, my\naunt Margaret stepped out onto the platform"
    assert "." not in "".join(split_for_streaming(prose))


def test_split_text_keeps_sentences_and_lines():
    text = "First sentence. Second one! Third?\nA new line, which stays apart."
    assert split_text(text, max_chars=40) == ["First sentence. Second one! Third?", "A new line, which stays apart."]
    assert split_text(text, max_chars=20)[:3] == ["First sentence.", "Second one! Third?", "A new line,"]
    rules = "# Title\n\nSome intro.\n\n---\n\n* * *\nMore text after the rule."  # the voices have nothing to say
    assert split_text(rules) == ["# Title\n\n", "Some intro.\n\n", "More text after the rule."]
    assert split_for_streaming(rules) == ["# Title.\n\n", "Some intro.\n\n", "More text after the rule."]
    long = "word " * 100 + "end."
    chunks = split_text(long, max_chars=50)
    assert all(len(c) <= 50 for c in chunks) and " ".join(chunks).split() == long.split()


def test_a_paragraphs_last_chunk_ends_with_the_paragraph_break():
    """The voices pause longer there (PARAGRAPH_PAUSE): a chunk, streamed or not, that ends a paragraph says so."""
    from voice.text.splitting import PARAGRAPH_END, paragraphs

    text = "The keeper woke early. He climbed the stairs.\n \nThe village slept.\nNobody saw.\n\n\nBy noon it cleared."
    assert paragraphs(text) == [
        "The keeper woke early. He climbed the stairs.",
        "The village slept.\nNobody saw.",
        "By noon it cleared.",
    ]
    assert split_text(text) == [
        "The keeper woke early. He climbed the stairs." + PARAGRAPH_END,
        "The village slept.",
        "Nobody saw." + PARAGRAPH_END,
        "By noon it cleared.",
    ]
    assert paragraphs("Before.\n&\nAfter.\n♥\nEnd.") == ["Before.\n&\nAfter.\n♥\nEnd."]  # lines, said as before
    assert paragraphs("One.\n___\nTwo.\n- - -\nThree.") == ["One.", "Two.", "Three."]
    assert split_text("One.\n\n?!\n\nTwo.") == ["One." + PARAGRAPH_END, "Two."]  # nothing to say between
    streamed = split_for_streaming(text)
    assert streamed[0] == "The keeper woke" and streamed[-2:] == ["Nobody saw." + PARAGRAPH_END, "By noon it cleared."]
    assert [p for p in streamed if p.endswith(PARAGRAPH_END)] == [
        "early. He climbed the stairs." + PARAGRAPH_END,
        "Nobody saw." + PARAGRAPH_END,
    ]


def test_wrong_checkpoint_names_missing_keys(seeded_checkpoint):
    with pytest.raises(
        CheckpointError, match=r"rtvc_encoder\.pt does not hold the SV2TTS Tacotron synthesizer: this looks like a GE2E"
    ):
        load_synthesizer(seeded_checkpoint("rtvc_encoder"))


@pytest.mark.parametrize(
    "chars, embedding, lengths, message",
    [
        (torch.zeros(1, 0, dtype=torch.long), torch.rand(256), None, "empty id sequence"),
        (torch.ones(2, 5, dtype=torch.long), torch.rand(256), torch.tensor([5, 0]), "empty id sequence"),
        (torch.full((1, 5), 66), torch.rand(256), None, r"ids must be in \[0, 66\)"),
        (torch.ones(1, 5), torch.rand(256), None, "integer symbol ids"),
        (torch.ones(1, 5, dtype=torch.long), torch.rand(2, 256), None, "speaker_embedding must be"),
        (torch.ones(1, 5, dtype=torch.long), torch.rand(256), torch.tensor([6]), "only 5 columns"),
    ],
)
def test_bad_inputs_raise_input_error(model, chars, embedding, lengths, message):
    with pytest.raises(InputError, match=message):
        model.generate(chars, embedding, lengths, max_steps=2)


def test_speaker_embeddings_that_are_not_finite_or_not_unit_length_are_refused(model, case):
    """A NaN embedding had given one all-NaN frame, one 100 times too long 14 frames instead of 208, without a word;
    GE2E's embeddings are unit-length (1 +- 1e-3), so one within 1e-3 is taken."""
    embedding = case["speaker_embedding"][0]
    chars = case["x"][:1]
    with pytest.raises(InputError, match="speaker embedding holds NaN or infinite values"):
        model.generate(chars, torch.full((256,), float("nan")), max_steps=2)
    normalise = r"row 1's length is 100: give one the speaker encoder made, or normalise it \(divide it by its norm\)"
    with pytest.raises(InputError, match=normalise):
        model.generate(case["x"], torch.stack([embedding, embedding * 100]), max_steps=2)
    with pytest.raises(InputError, match="length is 0: give one the speaker encoder made"):
        synthesize(["Hi!"], np.zeros(256, np.float32), model)
    with pytest.raises(InputError, match="must be unit-length"):
        model(chars, case["m"][:1], embedding * 0.9, prenet_dropout=False)
    assert model.generate(chars, embedding * (1 + 1e-3), max_steps=2, prenet_dropout=False).lengths.tolist() == [4]


def test_text_without_anything_to_say_raises_input_error(model):
    with pytest.raises(InputError, match="nothing to say"):
        synthesize(["   "], np.zeros(256, np.float32), model)


def test_unknown_generation_method_is_refused(model, case):
    with pytest.raises(InputError, match="unknown synthesizer generation method 'slow'"):
        model.generate(case["x"], case["speaker_embedding"], max_steps=2, method="slow")


def test_sv2tts_speech_over_max_seconds_is_stopped_before_it_is_vocoded():
    """SV2TTS's spectrograms say how long the speech will be (a frame is 200 samples at 16 kHz): speech over
    `max_seconds` (a clip's 10 minutes) is refused at the sentence that passes it, before the slow vocoder runs."""
    from voice.cloning import _check_mels
    from voice.synthesis import SpeechTooLong
    from voice.synthesizer.config import TacotronConfig

    chunks = ["One sentence.", "Two sentences.\n\n", "Three sentences here.", "Four."]
    mels = [np.zeros((80, 400), np.float32)] * 4  # 5 s each
    _check_mels(chunks, mels, TacotronConfig(), 21.0)  # 20 s and three pauses: 20.65 s
    with pytest.raises(SpeechTooLong) as stopped:
        _check_mels(chunks, mels, TacotronConfig(), 12.0)
    assert stopped.value.words == "Three sentences here." and (stopped.value.paragraph, stopped.value.paragraphs) == (
        2,
        2,
    )
    assert '"Three sentences here." (paragraph 2 of 2, 50% of the way through the text)' in str(stopped.value)
