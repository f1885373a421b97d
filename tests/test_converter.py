"""OpenVoice V2 tone-colour converter: the seeded checkpoint against OpenVoice's own outputs, timing,
embeddings, precision, the loader's errors and fetching the checkpoint with its config.json."""

from __future__ import annotations

import dataclasses
import http.server
import io
import json
import threading

import numpy as np
import pytest
import torch

from core import checkpoints
from core.errors import CheckpointError, InputError
from pipeline.download import fetch
from voice.converter import convert, linear_spectrogram, load_converter, tone_colour_embedding

NETWORK = dict(rtol=1e-4, atol=1e-4)
RATE = 22_050


@pytest.fixture(scope="module")
def manifest(shared_dir) -> dict:
    return json.loads((shared_dir / "compat" / "manifests" / "openvoice_v2.json").read_text())


@pytest.fixture(scope="module")
def seeded_file(seeded_checkpoint):
    return seeded_checkpoint("openvoice_v2", "checkpoint.pth")


def converter_folder(seeded_file, folder, config: dict | None):
    """A folder holding (a link to) the seeded checkpoint and, unless None, this config.json."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "checkpoint.pth").symlink_to(seeded_file)
    if config is not None:
        (folder / "config.json").write_text(json.dumps(config))
    return folder / "checkpoint.pth"


@pytest.fixture(scope="module")
def converter_file(seeded_file, manifest, tmp_path_factory):
    return converter_folder(
        seeded_file, tmp_path_factory.mktemp("openvoice") / "v2", manifest["hparams"]["config_json"]
    )


@pytest.fixture(scope="module")
def converter(converter_file):
    return load_converter(converter_file)


@pytest.fixture(scope="module")
def case(compat_case):
    arrays, _ = compat_case("openvoice_v2")
    return {k: torch.from_numpy(v) for k, v in arrays.items()}


@pytest.fixture(scope="module")
def converted(converter, case):
    """The fixture's source speech in the reference's tone colour, tau 0."""
    return convert(converter, case["wav_src"], case["se_src"], case["se_ref"], tau=0.0)


def test_the_seeded_converter_computes_what_openvoice_computes(converter, case, converted):
    config = converter.config.spectrogram
    for name in ("src", "ref"):
        torch.testing.assert_close(linear_spectrogram(case[f"wav_{name}"], config), case[f"spec_{name}"], **NETWORK)
        embedding = tone_colour_embedding(converter, case[f"wav_{name}"])
        assert embedding.shape == (256,)
        torch.testing.assert_close(embedding.reshape(1, 256, 1), case[f"se_{name}"], **NETWORK)
    g_source, g_target = case["se_src"], case["se_ref"]
    with torch.inference_mode():
        mean, log_std = converter.posterior(case["spec_src"], g_source)
        z_p = converter.flow(mean, g_source)
        z_hat = converter.flow(z_p, g_target, reverse=True)
    for name, mine in (("m_q", mean), ("z", mean), ("logs_q", log_std), ("z_p", z_p), ("z_hat", z_hat)):
        torch.testing.assert_close(mine, case[name], **NETWORK, msg=lambda m, name=name: f"{name}: {m}")
    anchor = case["converted_tau0"]
    torch.testing.assert_close(torch.from_numpy(converted[: len(anchor)]), anchor, **NETWORK)


def test_conversion_keeps_the_timing(converter, case, converted):
    """As many samples out as in, aligned: frame t's hop samples land where they came from; the last
    (fewer than hop) samples are silence."""
    assert converted.shape == (66_150,) and converted.dtype == np.float32
    assert not converted[66_048:].any() and np.abs(converted[:66_048]).max() > 0.1
    for samples in (1024, 1300):
        out = convert(converter, case["wav_src"][:samples].numpy(), case["se_src"][0, :, 0], case["se_ref"], tau=0)
        assert out.shape == (samples,)
        assert not out[samples // 256 * 256 :].any()
    shorter = convert(converter, case["wav_src"][:40_000], case["se_src"], case["se_ref"], tau=0.0)
    assert shorter.shape == (40_000,)
    # posterior, flow both ways and decoder see about 111 frames (28,400 samples) each side: far from the
    # cut, nothing changes
    torch.testing.assert_close(torch.from_numpy(shorter[:8_000]), torch.from_numpy(converted[:8_000]), **NETWORK)


def test_noise_scale_tau_is_seeded_and_changes_the_result(converter, case):
    args = (converter, case["wav_src"][:11_025], case["se_src"], case["se_ref"])
    first = convert(*args, tau=0.3, generator=torch.Generator().manual_seed(1))
    again = convert(*args, tau=0.3, generator=torch.Generator().manual_seed(1))
    deterministic = convert(*args, tau=0.0)
    np.testing.assert_array_equal(first, again)
    assert np.abs(first - deterministic).max() > 1e-2


def test_embedding_averages_pieces_of_about_ten_seconds(converter, speech_files):
    from voice.audio import load_audio

    wave = np.concatenate([load_audio(path, RATE) for path in speech_files[:3]])[: 20 * RATE]
    whole = tone_colour_embedding(converter, wave)
    halves = [tone_colour_embedding(converter, wave[: 10 * RATE]), tone_colour_embedding(converter, wave[10 * RATE :])]
    torch.testing.assert_close(whole, (halves[0] + halves[1]) / 2, rtol=1e-5, atol=1e-6)
    one_piece = tone_colour_embedding(converter, wave, piece_seconds=30.0)
    assert not torch.allclose(whole, one_piece, atol=1e-6)


def test_bfloat16_decoder_stays_close(converter, case):
    """bf16 decoder on the whole fixture: max 1.1e-2, rms 1.9e-3 from float32 (output std 0.14). Half a
    second here: CPUs without AVX512-BF16 emulate bf16 slowly."""
    args = (converter, case["wav_src"][:11_025], case["se_src"], case["se_ref"])
    float32 = convert(*args, tau=0.0)
    bfloat16 = convert(*args, tau=0.0, precision="bfloat16")
    assert bfloat16.shape == float32.shape and bfloat16.dtype == np.float32
    assert np.abs(bfloat16 - float32).max() < 3e-2
    assert np.sqrt(np.mean((bfloat16 - float32) ** 2)) < 5e-3


def test_bad_inputs_get_clear_errors(converter, case):
    se = case["se_src"]
    with pytest.raises(InputError, match="at least 1.00 s"):
        tone_colour_embedding(converter, np.zeros(RATE // 2, np.float32))
    with pytest.raises(InputError, match="1-D float samples at 22050 Hz"):
        convert(converter, np.zeros((2, RATE), np.float32), se, se)
    with pytest.raises(InputError, match="at least 0.05 s"):
        convert(converter, np.zeros(500, np.float32), se, se)
    with pytest.raises(InputError, match="NaN or infinite"):
        convert(converter, np.full(RATE, np.nan, np.float32), se, se)
    with pytest.raises(InputError, match="target_embedding must be one tone-colour embedding of 256"):
        convert(converter, case["wav_src"], se, np.zeros(192, np.float32))
    with pytest.raises(InputError, match="unknown tone-colour converter precision 'int8'"):
        convert(converter, case["wav_src"], se, se, precision="int8")
    with pytest.raises(InputError, match="tau must be between 0 and 10"):
        convert(converter, case["wav_src"], se, se, tau=-1.0)


def test_a_checkpoint_without_its_config_says_where_to_put_it(seeded_file, tmp_path):
    path = converter_folder(seeded_file, tmp_path / "bare", None)
    with pytest.raises(CheckpointError, match=rf"no config.json next to .*put it at {tmp_path}/bare/config.json"):
        load_converter(path)


def test_a_config_json_that_does_not_fit_the_weights_is_named_with_them(seeded_file, manifest, tmp_path):
    """A config.json of other sizes had been blamed on the weights ("this file's weights do not fit ...; is it the
    right file?"), the config never mentioned."""
    other = json.loads(json.dumps(manifest["hparams"]["config_json"]))
    other["model"]["upsample_initial_channel"] //= 2
    path = converter_folder(seeded_file, tmp_path / "other", other)
    with pytest.raises(CheckpointError) as refused:
        load_converter(path)
    message = str(refused.value)
    config = path.parent / "config.json"
    assert message.startswith(f"{path} and its config {config} disagree ("), message
    assert "the config may be the wrong one" in message, message


def test_a_v1_converter_is_named_and_refused(seeded_file, manifest, tmp_path):
    """OpenVoice V1's converter/config.json: the same sections without '_version_' and 'zero_g'."""
    v1 = json.loads(json.dumps(manifest["hparams"]["config_json"]))
    del v1["_version_"], v1["model"]["zero_g"]
    v1["model"].update(n_layers_q=3, use_spectral_norm=False)
    with pytest.raises(CheckpointError, match=r"OpenVoice V1 converter .*voxlip fetch openvoice-v2"):
        load_converter(converter_folder(seeded_file, tmp_path / "v1", v1))


def test_vits_text_to_speech_files_are_named_and_refused(manifest, tmp_path):
    vits = {"model": {"enc_p.emb.weight": torch.zeros(4, 2), "dp.proj.weight": torch.zeros(1, 2, 1)}, "iteration": 1}
    (tmp_path / "tts").mkdir()
    torch.save(vits, tmp_path / "tts" / "G_100.pth")
    (tmp_path / "tts" / "config.json").write_text(json.dumps(manifest["hparams"]["config_json"]))
    with pytest.raises(CheckpointError, match="VITS text-to-speech checkpoint .*duration predictor and a text encoder"):
        load_converter(tmp_path / "tts" / "G_100.pth")
    base_speaker = json.loads(json.dumps(manifest["hparams"]["config_json"]))
    base_speaker["data"]["n_speakers"] = 10
    base_speaker["symbols"] = ["_", "a"]
    from voice.converter import ConverterConfig

    with pytest.raises(CheckpointError, match="VITS text-to-speech model .*not of the tone-colour converter"):
        ConverterConfig.from_dict(base_speaker)


def test_the_registry_name_loads_from_the_cache(seeded_file, manifest, tmp_path, monkeypatch):
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    with pytest.raises(CheckpointError, match="voxlip fetch openvoice-v2"):
        load_converter("openvoice-v2")
    converter_folder(seeded_file, tmp_path / "openvoice-v2" / "converter", manifest["hparams"]["config_json"])
    model = load_converter("openvoice-v2")
    assert model.checkpoint_name == "openvoice-v2" and model.config.zero_g and model.config.version == "v2"


class _FilesServer(http.server.ThreadingHTTPServer):
    """Serves a few blobs by path."""

    def __init__(self, files: dict[str, bytes]):
        self.files, self.requests = files, []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                self.requests.append(handler.path)
                if handler.path not in self.files:
                    handler.send_error(404)
                    return
                handler.send_response(200)
                handler.send_header("Content-Length", str(len(self.files[handler.path])))
                handler.end_headers()
                handler.wfile.write(self.files[handler.path])

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


def test_fetch_gets_the_checkpoint_and_its_config(tmp_path, monkeypatch):
    spec = checkpoints.get("openvoice-v2")
    assert spec.family == "converter" and spec.license.startswith("MIT")
    assert spec.url.endswith("/myshell-ai/OpenVoiceV2/resolve/main/converter/checkpoint.pth")
    assert [c.url.rsplit("/", 2)[-2:] for c in spec.companions] == [["converter", "config.json"]]
    weights = io.BytesIO()  # the converter's layout (a few of its weights): fetch keeps only the model's files
    torch.save({"model": {"dec.conv_pre.bias": torch.zeros(1), "ref_enc.layernorm.weight": torch.ones(1)}}, weights)
    blob, config = weights.getvalue(), b'{"_version_": "v2"}'
    server = _FilesServer({"/converter/checkpoint.pth": blob, "/converter/config.json": config})
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        local = dataclasses.replace(
            spec,
            url=server.url("/converter/checkpoint.pth"),
            companions=(checkpoints.Companion(spec.companions[0].filename, server.url("/converter/config.json")),),
        )
        monkeypatch.setattr(checkpoints, "_REGISTRY", (local,))
        path = fetch("openvoice-v2", root=tmp_path, progress=False)
        assert path == tmp_path / "openvoice-v2" / "converter" / "checkpoint.pth" and path.read_bytes() == blob
        assert (path.parent / "config.json").read_bytes() == config
        (path.parent / "config.json").unlink()
        fetch("openvoice-v2", root=tmp_path, progress=False)  # present checkpoint: only the config is fetched
        assert server.requests == ["/converter/checkpoint.pth", "/converter/config.json", "/converter/config.json"]
    finally:
        server.shutdown()
