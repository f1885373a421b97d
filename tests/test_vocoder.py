"""Vocoders: WaveRNN and HiFi-GAN against the anchor outputs, fast vs reference WaveRNN sampling,
folding, the SV2TTS -> HiFi-GAN mel bridge and Griffin-Lim on real speech."""

from __future__ import annotations

import json

import librosa
import numpy as np
import pytest
import torch
from scipy.signal import lfilter

from core.components import Component
from core.errors import CheckpointError, InputError
from core.files import sha256_file
from pipeline.cli import in_command_line_words
from voice.vocoder.folding import crossfade_gains, fold_with_overlap, num_folds, xfade_and_unfold
from voice.vocoder.griffinlim import GriffinLimConfig, griffin_lim
from voice.vocoder.hifigan import HiFiGANConfig, load_hifigan
from voice.vocoder.melspec import hifigan_mel, sv2tts_to_hifigan_mel
from voice.vocoder.sampling import fast_samples, reference_samples
from voice.vocoder.wavernn import load_wavernn, stretch_and_smooth

NETWORK = dict(rtol=1e-4, atol=1e-4)
TIGHT = dict(rtol=1e-5, atol=1e-5)


def sv2tts_mel(wav: np.ndarray) -> np.ndarray:
    """RTVC synthesizer/audio.py melspectrogram, written out with librosa (checked against the fixture below)."""
    mel = librosa.feature.melspectrogram(
        y=lfilter([1, -0.97], [1], wav),
        sr=16000,
        n_fft=800,
        hop_length=200,
        win_length=800,
        power=1.0,
        n_mels=80,
        fmin=55,
        fmax=7600,
        pad_mode="constant",
    )
    db = 20 * np.log10(np.maximum(1e-5, mel)) - 20
    return np.clip(8 * (db + 100) / 100 - 4, -4, 4).astype(np.float32)


def load_speech(path, seconds: float | None = None) -> np.ndarray:
    wav, _ = librosa.load(path, sr=16000, duration=seconds)
    return (wav / np.abs(wav).max() * 0.9).astype(np.float32)  # RTVC rescales to a 0.9 peak


@pytest.fixture(scope="module")
def wavernn_file(seeded_checkpoint):
    return seeded_checkpoint("rtvc_wavernn", "vocoder.pt")


@pytest.fixture(scope="module")
def wavernn(wavernn_file):
    return load_wavernn(wavernn_file)


def hifigan_file(seeded_checkpoint, shared_dir, version: str):
    name = f"hifigan_{version}"
    path = seeded_checkpoint(name, f"generator_{version}")
    manifest = json.loads((shared_dir / "compat" / "manifests" / f"{name}.json").read_text())
    config = path.parent / "config.json"  # both seeded generators share a folder: rewrite per version
    config.write_text(json.dumps(manifest["hparams"]))
    return path, manifest["hparams"]


def short_mel(frames: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(80, frames, generator=g) * 8 - 4


# --- WaveRNN -------------------------------------------------------------------------------------


def test_wavernn_matches_anchor(wavernn, compat_case):
    arrays, _ = compat_case("rtvc_wavernn")
    case = {k: torch.from_numpy(v) for k, v in arrays.items()}
    assert not wavernn.training
    assert wavernn.step.dtype == torch.int64
    with torch.no_grad():
        mels, aux = wavernn.upsample(case["mels"])
        logits = wavernn(case["x"], case["mels"])
    torch.testing.assert_close(mels, case["intermediate_upsample_mels"], **TIGHT)
    torch.testing.assert_close(aux, case["intermediate_upsample_aux"], **NETWORK)
    torch.testing.assert_close(logits, case["logits"], **NETWORK)


def test_wavernn_and_hifigan_forward_take_numpy_and_float64_and_keep_no_graph(
    wavernn, compat_case, seeded_checkpoint, shared_dir
):
    """float64 had met torch's "expected scalar type Double but found Float" (WaveRNN) and "Input type (double) and
    bias type (float)" (HiFi-GAN), and outputs had carried a grad_fn (the weights required gradients)."""
    arrays, _ = compat_case("rtvc_wavernn")
    assert not any(p.requires_grad for p in wavernn.parameters())
    logits = wavernn(arrays["x"].astype(np.float64), arrays["mels"].astype(np.float64))
    assert logits.grad_fn is None and logits.dtype == torch.float32
    torch.testing.assert_close(logits, torch.from_numpy(arrays["logits"]), **NETWORK)
    path, _ = hifigan_file(seeded_checkpoint, shared_dir, "v3")
    hifigan, (case, _) = load_hifigan(path), compat_case("hifigan_v3")
    wave = hifigan(torch.from_numpy(case["mel"]).double())
    assert wave.grad_fn is None and wave.dtype == torch.float32
    torch.testing.assert_close(wave, torch.from_numpy(case["wav"]), **NETWORK)
    with pytest.raises(InputError, match="HiFi-GAN's mels must hold floating-point numbers, not torch.int64"):
        hifigan(torch.zeros(1, 80, 4, dtype=torch.long))


def test_wavernn_keeps_provenance(wavernn, wavernn_file):
    import hashlib

    assert wavernn.checkpoint_sha256 == hashlib.sha256(wavernn_file.read_bytes()).hexdigest()


def test_fast_loop_draws_the_same_samples_as_the_reference_loop(wavernn):
    mels, aux = wavernn.conditioning(short_mel(8) / 4)
    mels, aux = fold_with_overlap(mels, 300, 100), fold_with_overlap(aux, 300, 100)
    uniforms = torch.rand(mels.shape[1], mels.shape[0], generator=torch.Generator().manual_seed(3))
    reference = reference_samples(wavernn, mels, aux, uniforms)
    fast = fast_samples(wavernn, mels, aux, uniforms)
    assert reference.shape == fast.shape == (4, 500)
    # Measured: 100% identical (logits differ by ~1e-6, which moves a sample only when its uniform
    # falls within ~1e-6 of a class boundary).
    assert (reference == fast).float().mean().item() >= 0.999


def test_generate_fast_matches_reference_and_is_seeded(wavernn):
    mel = short_mel(4)
    settings = dict(target=200, overlap=50)
    fast = wavernn.generate(mel, generator=torch.Generator().manual_seed(7), **settings)
    reference = wavernn.generate(mel, generator=torch.Generator().manual_seed(7), method="reference", **settings)
    again = wavernn.generate(mel, generator=torch.Generator().manual_seed(7), **settings)
    other = wavernn.generate(mel, generator=torch.Generator().manual_seed(8), **settings)
    assert fast.dtype == np.float32 and fast.shape == ((4 - 1) * 200,)
    np.testing.assert_allclose(fast, reference, atol=1e-6)
    np.testing.assert_array_equal(fast, again)
    assert np.abs(fast - other).max() > 1e-3
    assert np.abs(fast[-1]) < 1e-3  # faded out


@pytest.mark.parametrize("precision, agreement", [("bfloat16", 0.5), ("int8", 0.2)])
def test_approximate_products_stay_close(wavernn, precision, agreement):
    mels, aux = wavernn.conditioning(short_mel(8) / 4)
    mels, aux = fold_with_overlap(mels, 400, 100), fold_with_overlap(aux, 400, 100)
    uniforms = torch.rand(mels.shape[1], mels.shape[0], generator=torch.Generator().manual_seed(3))
    exact = fast_samples(wavernn, mels, aux, uniforms)
    approx = fast_samples(wavernn, mels, aux, uniforms, precision)
    assert torch.isfinite(approx).all() and approx.abs().max() <= 1
    # Same uniforms, slightly different distributions: most samples still coincide.
    assert (exact == approx).float().mean().item() > agreement


@pytest.mark.parametrize("shape", [(81, 10), (10, 80), (2, 80, 10), (80,), (80, 1)])
def test_wavernn_rejects_wrong_mel_shapes(wavernn, shape):
    with pytest.raises(InputError, match=r"\(80, frames\)|at least 2"):
        wavernn.generate(torch.zeros(shape))


def test_wavernn_rejects_bad_generation_settings(wavernn):
    with pytest.raises(InputError, match="method"):
        wavernn.generate(short_mel(4), method="turbo")
    with pytest.raises(InputError, match="target"):
        wavernn.generate(short_mel(4), target=0)
    with pytest.raises(InputError, match="precision"):
        wavernn.generate(short_mel(4), precision="int4")


def test_wavernn_refuses_a_mel_far_outside_the_synthesizers_range(wavernn):
    """A mel 100 times the synthesizer's (documented as [-4, 4]) had been vocoded without a word."""
    with pytest.raises(InputError, match=r"the mel reaches 39\d, far outside the synthesizer's \[-4, 4\]"):
        wavernn.generate(short_mel(4) * 100, target=200, overlap=50)
    overshoot = short_mel(4) * 1.5  # up to 6: room for a synthesizer's overshoot
    assert wavernn.generate(overshoot, target=200, overlap=50).shape == (600,)


def test_wavernn_wrong_checkpoint_names_keys(wavernn_file, seeded_checkpoint, tmp_path):
    with pytest.raises(
        CheckpointError,
        match=r"encoder\.pt does not hold the WaveRNN"
        r" vocoder: this looks like a GE2E speaker encoder checkpoint",
    ):
        load_wavernn(seeded_checkpoint("rtvc_encoder", "encoder.pt"))
    contents = torch.load(wavernn_file, weights_only=True)
    del contents["model_state"]["fc3.bias"]
    broken = tmp_path / "vocoder_without_fc3_bias.pt"
    torch.save(contents, broken)
    with pytest.raises(CheckpointError, match=r"without_fc3_bias\.pt: .*missing keys: fc3\.bias"):
        load_wavernn(broken)


# --- folding -------------------------------------------------------------------------------------


def test_fold_layout_is_rtvc_s():
    x = torch.arange(1, 11, dtype=torch.float32).view(1, 10, 1)
    folded = fold_with_overlap(x, target=2, overlap=1)
    assert folded[:, :, 0].tolist() == [[1, 2, 3, 4], [4, 5, 6, 7], [7, 8, 9, 10]]
    padded = fold_with_overlap(torch.ones(1, 11, 2), target=2, overlap=1)
    assert padded.shape == (4, 4, 2) and padded[-1, 2:].sum() == 0  # zero-padded tail
    assert num_folds(300, 8000, 800) == 1  # shorter than one overlap: still one fold
    assert fold_with_overlap(torch.ones(1, 300, 3), 8000, 800).shape == (1, 9600, 3)


@pytest.mark.parametrize(
    "length, target, overlap", [(10_000, 1000, 200), (9_999, 1200, 401), (500, 2000, 100), (5000, 700, 0)]
)
def test_fold_unfold_round_trip(length, target, overlap):
    signal = torch.randn(1, length, 1, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    folded = fold_with_overlap(signal, target, overlap)[:, :, 0].numpy()
    joined = xfade_and_unfold(folded, overlap)
    expected = np.zeros(len(joined))
    expected[:length] = signal[0, :, 0].numpy()
    fade_in, fade_out = crossfade_gains(overlap)
    gain = np.ones(len(joined))
    step = target + overlap
    for i in range(folded.shape[0] + 1):  # each seam: the old fold fades out while the new one is muted, then fades in
        seam = slice(i * step, i * step + overlap)
        gain[seam] = (fade_out if i > 0 else 0) + (fade_in if i < folded.shape[0] else 0)
    np.testing.assert_allclose(joined, expected * gain, atol=1e-12)
    inner = gain == 1
    np.testing.assert_array_equal(joined[inner], expected[inner])


# --- HiFi-GAN ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_hifigan_matches_anchor(seeded_checkpoint, shared_dir, compat_case, version):
    path, _ = hifigan_file(seeded_checkpoint, shared_dir, version)
    model = load_hifigan(path)
    arrays, _ = compat_case(f"hifigan_{version}")
    with torch.no_grad():
        wav = model(torch.from_numpy(arrays["mel"]))
    torch.testing.assert_close(wav, torch.from_numpy(arrays["wav"]), **TIGHT)
    torch.testing.assert_close(wav, torch.from_numpy(arrays["wav_before_remove_weight_norm"]), **TIGHT)
    generated = model.generate(arrays["mel"][0])
    assert generated.shape == (32 * 256,)


@pytest.mark.parametrize("version", ["v1", "v3"])
def test_hifigan_in_bfloat16_stays_close_to_the_anchor(seeded_checkpoint, shared_dir, compat_case, version):
    path, _ = hifigan_file(seeded_checkpoint, shared_dir, version)
    arrays, _ = compat_case(f"hifigan_{version}")
    expected = arrays["wav"].reshape(-1)
    wav = load_hifigan(path).generate(arrays["mel"][0], precision="bfloat16")
    # Measured: at most 0.025 (V1) / 0.015 (V3) apart, RMS 0.0056 / 0.0037, on samples up to 0.97.
    assert np.abs(wav - expected).max() < 0.05
    assert np.sqrt(np.mean((wav - expected) ** 2)) < 0.01


def test_polyphase_upsampling_equals_stretch_then_convolution(wavernn):
    mel = short_mel(12).unsqueeze(0) / 4
    layered = mel.unsqueeze(1)
    with torch.no_grad():
        for layer in wavernn.upsample.up_layers:
            layered = layer(layered)
        polyphase = mel
        for stretch, smooth in zip(wavernn.upsample.up_layers[::2], wavernn.upsample.up_layers[1::2]):
            polyphase = stretch_and_smooth(polyphase, stretch.scale, smooth.weight.view(-1))
    torch.testing.assert_close(polyphase, layered.squeeze(1), rtol=0, atol=1e-6)


def test_hifigan_config_sources(seeded_checkpoint, shared_dir, tmp_path):
    path, hparams = hifigan_file(seeded_checkpoint, shared_dir, "v3")
    lonely = tmp_path / "generator_v3"
    lonely.write_bytes(path.read_bytes())
    with pytest.raises(CheckpointError, match="config.json"):
        load_hifigan(lonely)
    config = HiFiGANConfig.from_dict({**hparams, "batch_size": 16, "learning_rate": 2e-4})
    given = load_hifigan(lonely, config=config)
    assert given.config == config
    read = load_hifigan(lonely, config=path.parent / "config.json")
    assert read.config == config
    # the record names the config too (it had named the generator file alone)
    assert Component.of("vocoder", read).config_sha256 == sha256_file(path.parent / "config.json")
    assert len(given.config_sha256) == 64  # of the given config's fields
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resblock": "2"}))
    with pytest.raises(CheckpointError, match="upsample_rates"):
        load_hifigan(lonely, config=bad)


def test_hifigan_wrong_checkpoint_and_wrong_config(seeded_checkpoint, shared_dir, wavernn_file):
    path, hparams = hifigan_file(seeded_checkpoint, shared_dir, "v1")
    with pytest.raises(CheckpointError, match="HiFi-GAN generator"):
        load_hifigan(wavernn_file, config=HiFiGANConfig.from_dict(hparams))
    v3 = json.loads((shared_dir / "compat" / "manifests" / "hifigan_v3.json").read_text())["hparams"]
    with pytest.raises(CheckpointError, match=r"(missing|unexpected) keys: .*resblocks"):
        load_hifigan(path, config=HiFiGANConfig.from_dict(v3))


def test_a_generator_beside_another_generators_config_names_the_config(seeded_checkpoint, shared_dir, tmp_path):
    """A V1 generator beside V3's config.json had been blamed alone ("not a HiFi-GAN generator checkpoint")."""
    import shutil

    path, _ = hifigan_file(seeded_checkpoint, shared_dir, "v1")
    shutil.copyfile(path, tmp_path / "g")
    v3 = json.loads((shared_dir / "compat" / "manifests" / "hifigan_v3.json").read_text())["hparams"]
    (tmp_path / "config.json").write_text(json.dumps(v3))
    with pytest.raises(CheckpointError, match="do not fit the HiFi-GAN generator its config.json describes"):
        load_hifigan(tmp_path / "g")


def test_weights_that_do_not_fit_their_config_json_name_both_files(seeded_checkpoint, shared_dir, tmp_path):
    """V3 weights beside V1's config.json had been blamed alone ("this file's weights do not fit ...; is it the right
    file?"), the config.json, which may be the wrong one, never named."""
    import shutil

    path, _ = hifigan_file(seeded_checkpoint, shared_dir, "v3")
    shutil.copyfile(path, tmp_path / "generator_v3")
    v1 = json.loads((shared_dir / "compat" / "manifests" / "hifigan_v1.json").read_text())["hparams"]
    (tmp_path / "config.json").write_text(json.dumps(v1))
    with pytest.raises(CheckpointError) as refused:
        load_hifigan(tmp_path / "generator_v3")
    message = str(refused.value)
    config = tmp_path / "config.json"
    assert message.startswith(f"{tmp_path / 'generator_v3'} and its config {config} disagree ("), message
    assert "the config may be the wrong one" in message and "is it the right file" not in message, message


def test_a_generator_without_its_config_json_is_told_what_its_caller_can_do(seeded_checkpoint, shared_dir, tmp_path):
    """The command line had been told "put it there or pass config=<path>", an argument of the Python API only."""

    path, _ = hifigan_file(seeded_checkpoint, shared_dir, "v3")
    lonely = tmp_path / "generator_v3"
    lonely.write_bytes(path.read_bytes())
    with pytest.raises(CheckpointError) as refused:
        load_hifigan(lonely)
    assert str(refused.value).endswith(f"put it at {tmp_path / 'config.json'} or pass config=<path>")
    assert in_command_line_words(str(refused.value)).endswith(f"put it at {tmp_path / 'config.json'}"), refused.value


def test_hifigan_rejects_wrong_mel_shape(seeded_checkpoint, shared_dir):
    path, _ = hifigan_file(seeded_checkpoint, shared_dir, "v3")
    model = load_hifigan(path)
    for shape in [(81, 10), (10, 80), (80, 0)]:
        with pytest.raises(InputError, match=r"\(80, frames\)"):
            model.generate(np.zeros(shape, dtype=np.float32))


# --- mels: SV2TTS -> HiFi-GAN, Griffin-Lim ------------------------------------------------------


def test_sv2tts_mel_helper_is_rtvc_s(compat_case):
    arrays, _ = compat_case("audio_mel")
    np.testing.assert_allclose(sv2tts_mel(arrays["wav"]), arrays["mel_rtvc_synth"], atol=1e-5)


def test_sv2tts_to_hifigan_mel_approximates_hifigans_own_mel(speech_files, shared_dir):
    config = HiFiGANConfig.from_dict(
        json.loads((shared_dir / "compat" / "manifests" / "hifigan_v1.json").read_text())["hparams"]
    )
    errors = []
    for path in speech_files[:4]:
        wav = load_speech(path)
        converted = sv2tts_to_hifigan_mel(sv2tts_mel(wav), config)
        own = hifigan_mel(librosa.resample(wav, orig_sr=16000, target_sr=22050), config)
        assert abs(converted.shape[1] - own.shape[1]) <= 1
        n = min(converted.shape[1], own.shape[1])
        errors.append(np.abs(converted[1:, :n] - own[1:, :n]).mean())
    # Measured: 0.14-0.16 nats (about 1.3 dB) mean absolute error in bands 1-79.
    assert max(errors) < 0.25, errors


def test_griffin_lim_inverts_a_speech_mel(speech_files):
    mel = sv2tts_mel(load_speech(speech_files[0], seconds=3.0))
    wav = griffin_lim(mel, GriffinLimConfig(power=1.0))
    assert wav.dtype == np.float32 and wav.shape == ((mel.shape[1] - 1) * 200,)
    error = np.abs(sv2tts_mel(wav) - mel)
    # Measured on the [-4, 4] scale (8 units = 100 dB): mean 0.06 (0.8 dB), max 1.5.
    assert error.mean() < 0.15, error.mean()

    sharpened = griffin_lim(mel)  # RTVC's power 1.5: same shape of spectrum, wider dynamic range
    assert np.isfinite(sharpened).all() and sharpened.shape == wav.shape
    assert np.corrcoef(sv2tts_mel(sharpened).ravel(), mel.ravel())[0, 1] > 0.9


def test_griffin_lim_rejects_wrong_shapes():
    with pytest.raises(InputError, match=r"\(80, frames\)"):
        griffin_lim(np.zeros((40, 100)))
    with pytest.raises(InputError, match="at least 2"):
        griffin_lim(np.zeros((80, 1)))


def test_a_lock_left_by_a_killed_kernel_build_is_removed_at_once(tmp_path, monkeypatch):
    """A killed build's torch lock had been kept for 10 minutes (torch waits on it meanwhile); voxlip's own lock is
    let go when its process ends, so torch's lock found while holding ours is a killed build's."""
    from voice.vocoder import kernels

    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    folder = tmp_path / "voxlip_test_kernels"
    folder.mkdir()
    (folder / "lock").touch()
    with kernels._build_turn("voxlip_test_kernels"):
        assert not (folder / "lock").exists()


def test_the_lock_of_a_build_running_in_another_process_is_kept_until_it_ends(tmp_path, monkeypatch):
    import subprocess
    import sys
    import threading

    from voice.vocoder import kernels

    monkeypatch.setenv("TORCH_EXTENSIONS_DIR", str(tmp_path))
    folder = tmp_path / "voxlip_test_kernels"
    folder.mkdir()
    holding = (
        "import fcntl, os, sys; f = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(f, fcntl.LOCK_EX); print(1, "
        "flush=True); input()"
    )
    builder = subprocess.Popen(
        [sys.executable, "-c", holding, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert builder.stdout.readline() == "1\n"
    (folder / "lock").touch()  # the running build's
    entered = threading.Event()

    def build() -> None:
        with kernels._build_turn("voxlip_test_kernels"):
            entered.set()

    waiting = threading.Thread(target=build)
    waiting.start()
    assert not entered.wait(0.5)
    assert (folder / "lock").exists()
    builder.communicate("\n")
    waiting.join()
    assert entered.is_set() and not (folder / "lock").exists()


def test_any_hifigan_on_this_machine_with_its_config_is_the_one_taken(seeded_checkpoint, shared_dir):
    """With only LJSpeech's V3 fetched, --vocoder hifigan had asked for the universal one and auto fell back to
    Griffin-Lim without a word; one without its config.json had been listed as present and failed to load."""
    import json
    import shutil

    from core.cache import cache_dir
    from core.checkpoints import get, resolve
    from voice.cloning import VoiceCloner, vocoder_checkpoint

    assert vocoder_checkpoint("hifigan") == "hifigan-universal-v1"  # none here: the one the message names
    v3 = cache_dir() / get("hifigan-lj-v3").filename
    v3.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(seeded_checkpoint("hifigan_v3", "generator_v3"), v3)
    try:
        with pytest.raises(
            CheckpointError, match="'hifigan-lj-v3' needs config.json beside it at .*: get it from Google"
        ):
            resolve("hifigan-lj-v3")
        assert vocoder_checkpoint("hifigan") == "hifigan-lj-v3"  # named, so that loading it says where config goes
        hparams = json.loads((shared_dir / "compat" / "manifests" / "hifigan_v3.json").read_text())["hparams"]
        (v3.parent / "config.json").write_text(json.dumps(hparams))
        assert vocoder_checkpoint("hifigan") == "hifigan-lj-v3"
        assert VoiceCloner(synthesizer="offline").vocoder_kind == "hifigan"  # auto: no WaveRNN here
    finally:
        shutil.rmtree(v3.parent)
