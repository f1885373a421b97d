import hashlib
import http.server
import json
import pickle
import re
import shlex
import threading
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
import torch

from core import checkpoints
from core.checkpoints import CheckpointError, read_checkpoint, torch_load
from pipeline.cli import in_command_line_words
from pipeline.cli import main as voxlip
from pipeline.download import download

REPO = Path(__file__).resolve().parents[1]


def test_registry_is_complete_and_consistent():
    known = checkpoints.registry()
    for name in (
        "resemblyzer",
        "rtvc-encoder",
        "rtvc-synthesizer",
        "rtvc-vocoder",
        "wav2lip",
        "wav2lip-gan",
        "syncnet",
        "s3fd",
    ):
        assert name in known
    assert known["rtvc-synthesizer"].size == 370_554_559 and known["rtvc-vocoder"].size == 53_845_290
    for spec in known.values():
        assert spec.license and spec.source and spec.filename
        assert spec.sha256 is None or len(spec.sha256) == 64 or f"-{spec.sha256}." in spec.filename
        assert spec.name in (Path(__file__).parents[1] / "checkpoints" / "README.md").read_text()


def test_embedded_encoder_is_found_and_verified():
    loaded = read_checkpoint("resemblyzer")
    assert loaded.path.stat().st_size == 17_090_379
    assert loaded.contents["step"] == 1_564_501


def test_malicious_pickle_is_refused_and_never_runs(tmp_path, payload):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    torch.save({"model_state": {"w": torch.zeros(1)}, "payload": payload(marker)}, evil)
    with pytest.raises(
        CheckpointError, match=r"refused to load .*: reading it would run code \(\S*system\)"
    ) as refused:
        read_checkpoint(evil)
    assert not marker.exists()
    assert "weights_only=False" not in str(refused.value)  # no command that would load it: loading it is the harm


def test_a_checkpoint_with_other_objects_is_refused_with_a_command_that_keeps_its_weights(tmp_path):
    """torch's advice (add_safe_globals) is no voxlip option; the command given keeps the weights, nested or not."""
    import argparse
    import subprocess
    import sys

    path = tmp_path / "it's.pth"  # a quote in the path
    torch.save({"state_dict": {"w": torch.ones(2)}, "hparams": {"opt": argparse.Namespace(lr=1)}}, path)
    with pytest.raises(CheckpointError, match=r"holds Python objects \(argparse.Namespace\)") as refused:
        read_checkpoint(path)
    command = str(refused.value).split("keep its weights alone: python -c ")[1]
    subprocess.run([sys.executable, "-c", shlex.split(command)[0]], check=True, cwd=tmp_path)
    assert read_checkpoint(tmp_path / "it's.weights.pth").contents["state_dict"]["w"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_a_payload_pickled_with_protocol_4_is_refused_as_code_and_never_runs(tmp_path, payload, legacy):
    """torch's safe loader reads no protocol 4 pickle ("Unsupported operand 149"): such a file had been said to
    hold "Python objects (Unsupported operand 149)", with a command loading it with weights_only=False (the
    payload run)."""
    marker, evil = tmp_path / "pwned", tmp_path / "evil.pt"
    contents = {"model_state": {"w": torch.zeros(1)}, "payload": payload(marker)}
    torch.save(contents, evil, pickle_protocol=4, _use_new_zipfile_serialization=not legacy)
    with pytest.raises(CheckpointError, match=r"reading it would run code \(\S*system\)") as refused:
        read_checkpoint(evil)
    assert not marker.exists() and "weights_only=False" not in str(refused.value)


def test_a_plain_pickle_with_a_payload_is_refused_as_code(tmp_path, payload):
    marker, evil = tmp_path / "pwned", tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps(payload(marker), protocol=4))
    with pytest.raises(CheckpointError, match=r"reading it would run code \(\S*system\)"):
        read_checkpoint(evil)
    assert not marker.exists()


class _Calls:
    """Unpickling this calls `function(*args)`."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return (self.function, self.args)


def _code_runners() -> list:
    import pydoc
    import timeit

    import torch.utils.cpp_extension

    return [
        torch.hub.load,
        torch.load,
        torch.jit.load,
        torch.utils.cpp_extension.load_inline,
        np.load,
        np.testing._private.utils.runstring,
        pydoc.pipepager,
        timeit.timeit,
    ]


@pytest.mark.parametrize("function", _code_runners(), ids=lambda f: f"{f.__module__}.{f.__qualname__}")
def test_a_pickle_calling_a_torch_numpy_or_standard_library_function_is_refused_as_code(tmp_path, function):
    """Only the standard library's modules in CODE_RUNNING_MODULES had been taken for code: a file whose pickle calls
    torch.hub.load (or numpy's exec) had been said to hold Python objects, with a command loading it with
    weights_only=False, which would call it."""
    path, name = tmp_path / "calls.pt", f"{function.__module__}.{function.__qualname__}"
    torch.save({"state_dict": {"w": torch.ones(1)}, "extra": _Calls(function, "x", "y")}, path)
    with pytest.raises(CheckpointError) as refused:
        read_checkpoint(path)
    assert f"reading it would run code ({name}); it is not a checkpoint to trust" in str(refused.value)
    assert "weights_only=False" not in str(refused.value)


def _pickled_objects() -> dict:
    """Objects whose pickles call torch's and numpy's own classes and data builders: no code of their own."""
    from torch.nn.utils import weight_norm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # weight_norm's deprecation
        normed = torch.nn.Sequential(weight_norm(torch.nn.Conv1d(2, 2, 3)), torch.nn.LeakyReLU(0.1))
    return {
        "weight_norm": (normed, 2),  # WeightNorm lives in torch.nn.utils.weight_norm, a module and a function's name
        "rng": (np.random.default_rng(0), 2),
        "random_state": (np.random.RandomState(0), 2),
        "protocol_5_array": (np.arange(4.0), 5),
    }


@pytest.mark.parametrize("kind", list(_pickled_objects()))
def test_torch_and_numpy_objects_in_a_pickle_are_objects_to_trust_not_code(tmp_path, kind):
    """A pickled weight-normed layer (HiFi-GAN's, WaveRNN's), a numpy random generator, or an array saved with pickle
    protocol 5 had been called code, to be deleted: WeightNorm was looked up on the function torch.nn.utils.weight_norm
    rather than in its module, and numpy's generators and protocol 5's _frombuffer were not known to build data."""
    value, protocol = _pickled_objects()[kind]
    path = tmp_path / "model.pt"
    torch.save({"w": torch.ones(1), "extra": value}, path, pickle_protocol=protocol)
    with pytest.raises(CheckpointError) as refused:
        torch_load(path)
    assert "holds Python objects" in str(refused.value) and "would run code" not in str(refused.value)


def test_a_function_only_stored_in_a_pickled_model_is_an_object_and_one_handed_to_a_call_is_code(tmp_path):
    """A pickle runs a function by calling it, or by handing it to what it calls: a pickled TransformerEncoderLayer
    keeps torch.nn.functional.relu as its activation, which unpickling stores and never calls, while torch's own
    _rebuild_from_type_v2, which the safe loader allows, calls the function it is given."""
    model = tmp_path / "model.pt"
    torch.save({"layer": torch.nn.TransformerEncoderLayer(4, 1, dim_feedforward=8)}, model)
    with pytest.raises(CheckpointError) as refused:
        read_checkpoint(model)
    assert "holds Python objects (torch.nn.modules.transformer.TransformerEncoderLayer" in str(refused.value)
    assert "weights_only=False" in str(refused.value)

    handed = tmp_path / "handed.pt"
    rebuild = torch._tensor._rebuild_from_type_v2
    torch.save({"w": torch.ones(1), "x": _Calls(rebuild, torch.hub.load, torch.Tensor, ("x", "y"), {})}, handed)
    with pytest.raises(CheckpointError, match=r"reading it would run code \(torch\.hub\.load\)") as refused:
        read_checkpoint(handed)
    assert "weights_only=False" not in str(refused.value)


def test_a_model_of_the_users_own_module_holds_objects_and_its_module_is_not_imported(tmp_path, monkeypatch):
    """Telling code from objects resolves torch's, numpy's and the standard library's names only: a module of the
    user's is named, never imported (importing it would run it)."""
    import sys

    marker = tmp_path / "imported"
    (tmp_path / "voxlip_test_trainer.py").write_text(
        f"import pathlib, torch\npathlib.Path({str(marker)!r}).touch()\n\n"
        "class Net(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = torch.nn.Linear(2, 1)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    import voxlip_test_trainer

    path = tmp_path / "model.pt"
    torch.save({"model": voxlip_test_trainer.Net(), "mean": np.zeros(2), "layer": torch.nn.Linear(1, 1)}, path)
    marker.unlink()
    monkeypatch.delitem(sys.modules, "voxlip_test_trainer")
    with pytest.raises(CheckpointError, match=r"holds Python objects \(voxlip_test_trainer.Net") as refused:
        read_checkpoint(path)
    assert "if you trust this one, keep its weights alone (where voxlip_test_trainer can be imported" in str(
        refused.value
    )
    assert "weights_only=False" in str(refused.value)
    assert not marker.exists() and "voxlip_test_trainer" not in sys.modules


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_weights_pickled_with_protocol_4_are_said_to_be_weights_with_a_command_that_saves_them_again(tmp_path, legacy):
    import subprocess
    import sys

    path = tmp_path / "old.pt"
    torch.save({"w": torch.ones(2)}, path, pickle_protocol=4, _use_new_zipfile_serialization=not legacy)
    with pytest.raises(CheckpointError, match=r"holds weights alone .*Unsupported operand 149") as refused:
        read_checkpoint(path)
    command = str(refused.value).split("again with torch.save's default: python -c ")[1]
    subprocess.run([sys.executable, "-c", shlex.split(command)[0]], check=True, cwd=tmp_path)
    assert read_checkpoint(tmp_path / "old.weights.pth").contents["w"].tolist() == [1.0, 1.0]


def test_a_set_beside_an_object_is_not_named_as_python_2_s_builtin(tmp_path):
    """torch.save's protocol 2 names a set "__builtin__.set" (Python 2's module), which the pickle scan had taken
    for an object of code to import ("where __builtin__ can be imported")."""
    import argparse

    path = tmp_path / "set.pt"
    torch.save({"w": torch.ones(1), "names": {"a"}, "args": argparse.Namespace(lr=1)}, path)
    with pytest.raises(CheckpointError, match=r"holds Python objects \(argparse.Namespace\), and") as refused:
        read_checkpoint(path)
    assert "can be imported" not in str(refused.value)


def test_numpy_numbers_beside_the_weights_are_read(tmp_path):
    """A training script's np.int64 global_step had had the whole file refused as one that could run code."""
    path = tmp_path / "steps.pth"
    torch.save({"state_dict": {"w": torch.ones(2)}, "global_step": np.int64(5), "loss": np.float32(0.25)}, path)
    contents = read_checkpoint(path).contents
    assert contents["global_step"] == 5 and contents["loss"] == np.float32(0.25)


def test_where_to_get_a_missing_checkpoint_is_said_without_the_source_tree(tmp_path, capsys):
    """The errors had ended "see checkpoints/README.md", a file an installed voxlip does not have, and `voxlip
    checkpoints` had said what is missing but not where to get it."""
    with pytest.raises(CheckpointError) as refused:
        read_checkpoint("wav2lip", root=tmp_path)
    assert str(refused.value).endswith("; `voxlip checkpoints` says where to get each model"), refused.value
    assert "README" not in str(refused.value)
    assert voxlip(["checkpoints", "--dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines.index("where to get what is missing (a file got by hand goes where it is listed above):")
    said = {line.split()[0]: " ".join(line.split()[1:]) for line in lines[header + 1 :]}
    assert set(said) == {spec.name for spec in checkpoints.registry().values() if not spec.embedded_in}
    assert said["rtvc-synthesizer"] == "voxlip fetch rtvc-synthesizer; licence: MIT (Real-Time-Voice-Cloning)"
    assert said["wav2lip"] == (
        "by hand: Google Drive link in https://github.com/Rudrabha/Wav2Lip#getting-the-weights; licence: research and "
        "non-commercial use only (Wav2Lip)"
    )
    assert said["hifigan-lj-v3"].startswith("by hand, with its config.json: Google Drive folder LJ_V3 linked from ")


def test_corrupt_and_missing_files_get_clear_errors(tmp_path, seeded_checkpoint):
    truncated = tmp_path / "cut.pt"
    truncated.write_bytes(seeded_checkpoint("rtvc_encoder").read_bytes()[:5000])
    with pytest.raises(CheckpointError, match="not a readable PyTorch checkpoint"):
        read_checkpoint(truncated)
    with pytest.raises(CheckpointError, match="does not exist"):
        read_checkpoint(tmp_path / "nothing.pt")
    with pytest.raises(
        CheckpointError, match=r"voxlip fetch rtvc-synthesizer.*`voxlip checkpoints` says where to get each model"
    ):
        read_checkpoint("rtvc-synthesizer")
    with pytest.raises(CheckpointError, match="unknown checkpoint 'tacotron9'"):
        read_checkpoint("tacotron9")


def test_a_registry_file_with_the_wrong_size_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    (tmp_path / "encoder.pt").write_bytes(b"x" * 100)
    with pytest.raises(CheckpointError, match="has 100 bytes but the published file has 17,090,379"):
        read_checkpoint("rtvc-encoder")


class _RangeServer(http.server.ThreadingHTTPServer):
    """Serves one blob at /file.pt with HTTP Range support; records the Range headers it saw. Each of `limits`, taken
    one per request, is how many bytes that request gets before its connection drops (the whole body when none is
    left). `others` are more files, by path, served whole. A `status` set is the answer to every request."""

    def __init__(self, blob: bytes):
        self.blob, self.ranges, self.limits, self.others, self.status = blob, [], [], {}, None

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(handler):
                path = urlsplit(handler.path).path  # a proxy is asked for the whole address
                if self.status is not None:
                    handler.send_error(self.status)
                    return
                if path in self.others:
                    handler.send_response(200)
                    handler.send_header("Content-Length", str(len(self.others[path])))
                    handler.end_headers()
                    handler.wfile.write(self.others[path])
                    return
                if path != "/file.pt":
                    handler.send_error(404)
                    return
                start = 0
                if handler.headers.get("Range"):
                    self.ranges.append(handler.headers["Range"])
                    start = int(handler.headers["Range"].split("=")[1].split("-")[0])
                body = self.blob[start:]
                handler.send_response(206 if start else 200)
                handler.send_header("Content-Length", str(len(body)))
                if start:
                    handler.send_header("Content-Range", f"bytes {start}-{len(self.blob) - 1}/{len(self.blob)}")
                handler.end_headers()
                handler.wfile.write(body[: self.limits.pop(0)] if self.limits else body)

            def log_message(handler, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/file.pt"


@pytest.fixture
def server(seeded_checkpoint):
    srv = _RangeServer(seeded_checkpoint("rtvc_encoder").read_bytes())
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()


def test_download_verifies_and_resumes(tmp_path, server):
    digest = hashlib.sha256(server.blob).hexdigest()
    dest = tmp_path / "encoder.pt"
    (tmp_path / "encoder.pt.part").write_bytes(server.blob[:200_000])
    download(server.url, dest, sha256=digest, size=len(server.blob), progress=False)
    assert dest.read_bytes() == server.blob
    assert server.ranges == ["bytes=200000-"]
    assert not (tmp_path / "encoder.pt.part").exists()
    assert read_checkpoint(dest).sha256 == digest


def test_a_download_whose_connection_drops_resumes_where_each_connection_ended(tmp_path, server):
    """A connection dropping every 1 MB (under huggingface_hub's 10 MiB buffer) had never made progress: each of its
    6 attempts started from byte 0, and nothing was kept for the next run."""
    digest, dest = hashlib.sha256(server.blob).hexdigest(), tmp_path / "encoder.pt"
    server.limits = [1_000_000] * 3
    download(server.url, dest, sha256=digest, size=len(server.blob), progress=False)
    assert dest.read_bytes() == server.blob
    assert server.ranges == ["bytes=1000000-", "bytes=2000000-", "bytes=3000000-"]


def test_the_bytes_of_a_download_that_failed_are_kept_for_the_next_run(tmp_path, server):
    """Bytes that came before the connection failed for good are in the .part, which the next run resumes."""
    digest, dest = hashlib.sha256(server.blob).hexdigest(), tmp_path / "encoder.pt"
    server.limits = [1_000_000] + [0] * 5
    with pytest.raises(CheckpointError, match="run the command again .it resumes from the 1,000,000 bytes kept in"):
        download(server.url, dest, sha256=digest, size=len(server.blob), progress=False)
    assert (tmp_path / "encoder.pt.part").read_bytes() == server.blob[:1_000_000]
    server.ranges.clear()
    download(server.url, dest, sha256=digest, size=len(server.blob), progress=False)
    assert dest.read_bytes() == server.blob and server.ranges == ["bytes=1000000-"]


def test_a_failed_download_says_what_failed_and_whether_it_resumes(tmp_path, server, seeded_checkpoint, capsys):
    """A server's 500 had been told "check your connection and run the command again (it resumes)", with nothing to
    resume; a download cut short "delete it and run `voxlip fetch s3fd`", though nothing was kept and that command
    drops the --url given."""
    server.status = 500
    fetch = ["fetch", "s3fd", "--dir", str(tmp_path), "--url", server.url, "--quiet"]
    assert voxlip(fetch) == 1
    err = capsys.readouterr().err
    assert "the server failed (HTTP 500): run the command again later, or download" in err, err
    assert "connection" not in err and "resumes" not in err, err
    server.status, server.blob = None, seeded_checkpoint("s3fd").read_bytes()[:300_000]
    assert voxlip(fetch) == 1
    err = capsys.readouterr().err
    assert err.rstrip().endswith(
        "is not a readable PyTorch checkpoint: it may be truncated or corrupt: it was not kept: run the command "
        "again, which downloads it anew"
    ), err
    assert not list(tmp_path.iterdir())


def test_download_with_wrong_hash_leaves_no_file(tmp_path, server):
    dest = tmp_path / "encoder.pt"
    with pytest.raises(CheckpointError, match="sha256 .* expected 000"):
        download(server.url, dest, sha256="0" * 64, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_download_errors_say_what_to_do(tmp_path, server):
    with pytest.raises(CheckpointError, match="has no such file .*404.*place it at") as refused:
        download(server.url.replace("file.pt", "nothing.pt"), tmp_path / "x.pt", progress=False)
    assert "check your connection" not in str(refused.value)  # a 404 is no network failure, and nothing resumes
    with pytest.raises(CheckpointError, match="could not reach voxlip.invalid .*place it at"):  # at once, no retries
        download("https://voxlip.invalid/file.pt", tmp_path / "y.pt", progress=False)
    with pytest.raises(CheckpointError, match="file:///tmp/file.pt is no web address"):  # not "no network"
        download("file:///tmp/file.pt", tmp_path / "z.pt", progress=False)
    assert list(tmp_path.iterdir()) == []  # no empty .part left behind by the 404


def test_a_download_through_a_proxy_needs_no_name_resolved_here(tmp_path, server, monkeypatch):
    """On a network without outside DNS, a proxy had been no way out: every download's name was looked up first, and
    refused ("could not reach ... does not resolve")."""
    from huggingface_hub.utils import close_session

    digest, dest = hashlib.sha256(server.blob).hexdigest(), tmp_path / "encoder.pt"
    proxy = server.url.removesuffix("/file.pt")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", proxy)
    close_session()  # huggingface_hub's client reads the proxy when it is made
    url = proxy.replace("127.0.0.1", "mirror.voxlip.invalid") + "/file.pt"
    try:
        download(url, dest, sha256=digest, size=len(server.blob), progress=False)
    finally:
        close_session()
    assert dest.read_bytes() == server.blob
    monkeypatch.setenv("no_proxy", "mirror.voxlip.invalid")  # not through the proxy: looked up, and refused at once
    with pytest.raises(CheckpointError, match="could not reach mirror.voxlip.invalid"):
        download(url, tmp_path / "again.pt", progress=False)


def test_fetch_cli_through_local_server(tmp_path, server, monkeypatch, capsys):
    spec = checkpoints.Checkpoint(
        name="rtvc-encoder",
        family="speaker-encoder",
        filename="encoder.pt",
        description="seeded",
        license="test",
        source="test",
        url=server.url,
        size=len(server.blob),
        sha256=hashlib.sha256(server.blob).hexdigest(),
    )
    monkeypatch.setattr(checkpoints, "_REGISTRY", (spec,))
    assert voxlip(["fetch", "rtvc-encoder", "--dir", str(tmp_path), "--quiet"]) == 0
    assert "matches the published sha256" in capsys.readouterr().out
    assert (tmp_path / "encoder.pt").read_bytes() == server.blob
    assert read_checkpoint("rtvc-encoder", root=tmp_path).spec is spec


def test_fetch_cli_size_mismatch_is_an_error_not_a_file(tmp_path, server, capsys):
    assert voxlip(["fetch", "rtvc-encoder", "--dir", str(tmp_path), "--url", server.url, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "voxlip: error:" in err and "17,090,379" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_fetch_without_a_link_explains_where_to_get_it(tmp_path, capsys):
    assert voxlip(["fetch", "wav2lip", "--dir", str(tmp_path)]) == 1
    assert "no direct download link" in capsys.readouterr().err


def test_computed_arrays_are_kept_per_voxlip_version(monkeypatch, tmp_path):
    from core import cache

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(3.0)}

    for _ in range(2):
        assert cache.cached_arrays("demo", b"key", ("x",), compute)["x"].tolist() == [0.0, 1.0, 2.0]
    assert len(calls) == 1  # the second call read what the first kept
    monkeypatch.setattr(cache, "__version__", "99.0")
    cache.cached_arrays("demo", b"key", ("x",), compute)
    assert len(calls) == 2 and len(list((tmp_path / "demo").glob("*.npz"))) == 2  # a newer voxlip computes again


@pytest.mark.parametrize("kept", [0, 10, -30])
def test_a_cache_entry_left_empty_or_cut_short_is_made_again(monkeypatch, tmp_path, kept):
    """An .npz entry left empty or cut short (a full disk, a machine that went down) had been read with numpy's
    EOFError or zipfile's BadZipFile, which nothing caught: "internal error" in every later run."""
    from core import cache

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(3.0)}

    cache.cached_arrays("demo", b"key", ("x",), compute)
    (entry,) = (tmp_path / "demo").glob("*.npz")
    entry.write_bytes(entry.read_bytes()[:kept])
    for _ in range(2):
        assert cache.cached_arrays("demo", b"key", ("x",), compute)["x"].tolist() == [0.0, 1.0, 2.0]
    assert len(calls) == 2  # made again once, then read


def test_a_cache_that_cannot_be_written_is_noted_once(monkeypatch, tmp_path, caplog, speech_files):
    """A read-only VOXLIP_CACHE had silently cost a reference's analysis (7-10 s) in every run."""
    from core import cache
    from pipeline import Pipeline

    (tmp_path / "file").write_text("")
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path / "file" / "cache"))  # cannot be made, even by root
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.arange(3.0)}

    with caplog.at_level("WARNING"):
        for _ in range(2):
            assert cache.cached_arrays("demo", b"key", ("x",), compute)["x"].tolist() == [0.0, 1.0, 2.0]
        Pipeline("cpu", synthesizer="offline", lipsync="offline").speaker(speech_files[0])
    assert len(calls) == 2  # nothing was kept
    notes = [record.getMessage() for record in caplog.records if "cache" in record.getMessage()]
    assert notes == [
        f"voxlip's cache {tmp_path}/file/cache cannot be written, so what voxlip would keep there (a reference "
        "voice's analysis, the offline voice's optimised model: seconds of work) is done again in every run: set "
        "VOXLIP_CACHE to a folder it can write to"
    ]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a CUDA GPU: the model would load on it")
def test_a_model_asked_onto_a_gpu_torch_cannot_find_is_refused_with_a_message(seeded_checkpoint):
    """A loader called with device='cuda' had ended in torch's AssertionError "Torch not compiled with CUDA"."""
    from core.errors import InputError
    from lipsync.s3fd import load_s3fd

    with pytest.raises(InputError, match="asked to run on cuda, but torch finds no CUDA GPU here: use device='cpu'"):
        load_s3fd(str(seeded_checkpoint("s3fd")), device="cuda")


def test_fetch_of_an_embedded_model_compares_its_sha256_and_says_to_reinstall_it(monkeypatch, capsys):
    """fetch had said "matches the published sha256" of a file inside a wheel without comparing it."""
    import dataclasses

    assert voxlip(["fetch", "resemblyzer"]) == 0
    assert "resemblyzer: " in capsys.readouterr().out
    wrong = dataclasses.replace(checkpoints.get("resemblyzer"), sha256="0" * 64)
    monkeypatch.setattr(checkpoints, "_REGISTRY", (wrong,))
    assert voxlip(["fetch", "resemblyzer"]) == 1
    err = capsys.readouterr().err
    assert "matches" not in err and "expected 000" in err and "fetch it again" not in err, err
    assert "pip install --force-reinstall resemblyzer" in err and "pass your own file by its path" in err, err
    with pytest.raises(
        CheckpointError, match=r"inside the installed .resemblyzer. package is not the published one: reinstall it"
    ):
        read_checkpoint("resemblyzer")


def test_a_cache_file_that_is_not_the_published_one_is_listed_so_and_its_path_named_as_the_way(
    tmp_path, monkeypatch, capsys
):
    """A fine-tuned vocoder.pt in the cache had been listed as present and refused with only "delete it"."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    (tmp_path / "vocoder.pt").write_bytes(b"x" * 100)
    assert voxlip(["checkpoints"]) == 0
    listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("rtvc-vocoder"))
    assert " differs " in listed and "present" not in listed, listed
    with pytest.raises(CheckpointError) as refused:
        read_checkpoint("rtvc-vocoder")
    message = in_command_line_words(str(refused.value))
    assert "has 100 bytes but the published file has 53,845,290" in message
    assert "the file in the cache is not the published one" in message
    assert "to use your own weights, pass its path with --vocoder-checkpoint" in message
    assert "without this check" in message and "voxlip fetch rtvc-vocoder" in message


def test_a_checkpoint_that_cannot_be_read_is_named_with_the_reason(tmp_path, seeded_checkpoint, monkeypatch, capsys):
    """A file of mode 000 had given "internal error ... please report it" (exit 3), and the API a bare
    PermissionError. As root permissions cannot be taken away, so the reading is made to fail."""
    path = tmp_path / "encoder.pt"
    path.write_bytes(seeded_checkpoint("rtvc_encoder").read_bytes())

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(checkpoints, "sha256_file", refused)
    with pytest.raises(CheckpointError, match=rf"{path} cannot be read \(permission denied\)"):
        read_checkpoint(path)
    monkeypatch.undo()
    monkeypatch.setattr("builtins.open", refused)
    with pytest.raises(CheckpointError, match=rf"{path} cannot be read \(permission denied\)"):
        checkpoints.torch_load(path)
    monkeypatch.undo()
    monkeypatch.setattr(checkpoints, "sha256_file", refused)
    assert voxlip(["embed", str(REPO / "README.md"), "--checkpoint", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path} cannot be read" in err and "internal error" not in err, err


def test_a_file_of_another_model_is_named_with_what_it_looks_like(seeded_checkpoint):
    """--vocoder-checkpoint wav2lip.pth had been told "this file does not hold the weights of the WaveRNN vocoder ...;
    is it the right file?", naming neither the file nor what it holds."""
    from voice.vocoder.wavernn import load_wavernn

    wav2lip = seeded_checkpoint("wav2lip", "wav2lip.pth")
    with pytest.raises(CheckpointError) as refused:
        load_wavernn(wav2lip)
    message = str(refused.value)
    assert message.startswith(f"{wav2lip} does not hold the WaveRNN vocoder: this looks like a Wav2Lip generator"), (
        message
    )


def test_a_loader_names_no_argument_its_caller_did_not_pass_and_says_an_before_a_vowels_sound(seeded_checkpoint):
    """load_wav2lip('syncnet.pth') had been told "(given to lipsync=)", load_hifigan and load_s3fd the same of
    vocoder_checkpoint= and face_detector=, arguments of a Pipeline the caller never made; "a OpenVoice", "a SV2TTS",
    "a S3FD"; a HiFi-GAN file given to --vocoder wavernn had not been told to run as one (--vocoder hifigan)."""
    from lipsync.s3fd import load_s3fd
    from lipsync.wav2lip import load_wav2lip
    from voice.vocoder.wavernn import load_wavernn

    def refusal(load, name: str) -> str:
        with pytest.raises(CheckpointError) as refused:
            load(seeded_checkpoint(name))
        return str(refused.value)

    for load in (load_wav2lip, load_s3fd, load_wavernn):
        message = refusal(load, "hifigan_v3")
        assert message.startswith(f"{seeded_checkpoint('hifigan_v3')} does not hold the "), message
        assert "given to" not in message and "=)" not in message.replace("(vocoder='hifigan')", ""), message
    assert "this looks like a HiFi-GAN generator checkpoint" in refusal(load_s3fd, "hifigan_v3")
    assert [checkpoints.with_article(layout.model) for layout in checkpoints.LAYOUTS.values()] == [
        "a GE2E speaker encoder",
        "an SV2TTS Tacotron synthesizer",
        "a WaveRNN vocoder",
        "a HiFi-GAN generator",
        "an OpenVoice tone-colour converter",
        "a Wav2Lip generator",
        "a SyncNet lip-sync expert",
        "an S3FD face detector",
    ]
    hifigan = refusal(load_wavernn, "hifigan_v3")
    assert "give the WaveRNN vocoder's file, or run it as the HiFi-GAN generator it is (vocoder='hifigan')" in hifigan
    assert "(--vocoder hifigan)" in in_command_line_words(hifigan), hifigan


def test_dataparallel_module_prefix_is_taken_off_for_every_model(tmp_path, seeded_checkpoint):
    """A WaveRNN state dict saved with DataParallel's `module.` had been refused ("only 0 of its 148 weights")."""
    from voice.vocoder.wavernn import load_wavernn

    contents = torch.load(seeded_checkpoint("rtvc_wavernn"), weights_only=True)
    path = tmp_path / "vocoder_module.pt"
    torch.save({"model_state": {f"module.{k}": v for k, v in contents["model_state"].items()}}, path)
    assert load_wavernn(path).checkpoint_name == "vocoder_module.pt"


def test_a_corrupt_file_given_by_path_is_not_to_be_fetched_again(tmp_path, seeded_checkpoint):
    truncated = tmp_path / "cut.pt"
    truncated.write_bytes(seeded_checkpoint("rtvc_encoder").read_bytes()[:5000])
    with pytest.raises(CheckpointError, match="not a readable PyTorch checkpoint") as refused:
        read_checkpoint(truncated)
    assert "fetch" not in str(refused.value) and "complete copy" in str(refused.value)


@pytest.mark.parametrize(
    "blob, name, message",
    [
        (
            b"<!DOCTYPE html><html><head><title>Google Drive</title>",
            "wav2lip",
            "is a web page, not a PyTorch checkpoint: the link",
        ),
        (
            b"\n  <html><body><a href='wav2lip.pth'>wav2lip.pth</a>",
            "wav2lip-gan",
            "is a web page, not a PyTorch checkpoint: the link",
        ),
        (b"just some bytes", "syncnet", "is not a PyTorch checkpoint"),
        (None, "wav2lip", "downloaded is not the Wav2Lip generator: this looks like a GE2E speaker encoder checkpoint"),
        (None, "s3fd", "downloaded is not the S3FD face detector: this looks like a GE2E speaker encoder checkpoint"),
    ],
    ids=["drive-page", "folder-listing", "bytes", "another-model", "another-model-as-s3fd"],
)
def test_fetch_url_keeps_only_a_checkpoint_of_the_model(tmp_path, server, capsys, blob, name, message):
    """An HTML page (a Google Drive link, a folder listing) had become wav2lip.pth, "present" in voxlip checkpoints,
    and a Wav2Lip file had been kept as S3FD."""
    if blob is not None:
        server.blob = blob
    assert voxlip(["fetch", name, "--dir", str(tmp_path / "cache"), "--url", server.url, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err, err
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]  # nothing kept
    if "web page" in message:
        assert "download it in a browser" in err, err


@pytest.mark.parametrize("bad", ["web-page", "cut-short"])
def test_a_bad_config_beside_a_checkpoint_is_not_kept_and_one_here_is_named_and_replaced(
    tmp_path, server, seeded_checkpoint, capsys, bad
):
    """openvoice-v2's config.json served as an HTML page (with 200), or cut in half, had been kept: fetch exited 0,
    a later fetch skipped it as there, `voxlip checkpoints` listed it present, and loading failed with a bare JSON
    error."""
    page = b"<!DOCTYPE html><html><body>Service unavailable</body></html>"
    good = json.dumps({"_version_": "v2", "data": {}, "model": {}}).encode()
    broken = page if bad == "web-page" else good[: len(good) // 2]
    why = "a web page, not the file" if bad == "web-page" else "not readable JSON (cut short or damaged"
    server.blob = seeded_checkpoint("openvoice_v2", "checkpoint.pth").read_bytes()
    server.others["/config.json"] = broken
    cache = tmp_path / "cache"
    config = cache / "openvoice-v2" / "converter" / "config.json"
    fetch = ["fetch", "openvoice-v2", "--dir", str(cache), "--url", server.url, "--quiet"]
    assert voxlip(fetch) == 1
    err = capsys.readouterr().err
    assert f"download of {server.url.replace('file.pt', 'config.json')}: the file downloaded is {why}" in err, err
    assert "it was not kept" in err and not config.exists()
    config.write_bytes(broken)  # one kept before: named, listed, and replaced by the next fetch
    with pytest.raises(CheckpointError) as refused:
        read_checkpoint("openvoice-v2", root=cache)
    assert str(refused.value).startswith(f"checkpoint 'openvoice-v2': its config.json at {config} is {why}")
    assert str(refused.value).endswith("run `voxlip fetch openvoice-v2`, which replaces it"), refused.value
    assert voxlip(["checkpoints", "--dir", str(cache)]) == 0
    listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("openvoice-v2"))
    assert listed.split()[2:4] == ["bad", "config"], listed
    server.others["/config.json"] = good
    assert voxlip(fetch) == 0
    assert config.read_bytes() == good


def test_a_hifigan_without_its_config_is_named_with_where_the_config_goes(seeded_checkpoint):
    """--vocoder hifigan had said another model, hifigan-universal-v1, "is not on this machine", and auto had used
    Griffin-Lim noting only "no neural vocoder fetched"; asked for, Griffin-Lim had been noted as not fetched too."""
    import shutil

    from core.cache import cache_dir
    from voice.cloning import VoiceCloner, vocoder_checkpoint

    v3 = cache_dir() / checkpoints.get("hifigan-lj-v3").filename
    v3.parent.mkdir(parents=True)
    shutil.copyfile(seeded_checkpoint("hifigan_v3", "generator_v3"), v3)
    assert vocoder_checkpoint("hifigan") == "hifigan-lj-v3"
    config = v3.parent / "config.json"
    with pytest.raises(CheckpointError, match=rf"'hifigan-lj-v3' needs config.json beside it at {config}: get it"):
        VoiceCloner(synthesizer="sv2tts", vocoder="hifigan").vocoder
    auto = VoiceCloner(synthesizer="sv2tts")
    assert auto.vocoder_kind == "griffinlim"
    assert f"'hifigan-lj-v3' needs config.json beside it at {config}" in auto.vocoder_note()
    assert "(chosen)" in VoiceCloner(synthesizer="sv2tts", vocoder="griffinlim").vocoder_note()
    with pytest.raises(CheckpointError) as missing:
        read_checkpoint("rtvc-synthesizer")
    assert "and/or" not in str(missing.value)


def test_fetch_into_a_file_or_failing_leaves_no_folder_and_a_clear_error(tmp_path, server, capsys):
    """--dir AFILE had been an internal error (FileExistsError, exit 3); a failed fetch had left empty folders."""
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert voxlip(["fetch", "s3fd", "--dir", str(afile), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"{afile} is a file, not a folder" in err and "internal error" not in err, err
    missing = server.url.replace("file.pt", "none.pt")
    assert voxlip(["fetch", "openvoice-v2", "--dir", str(tmp_path / "c"), "--url", missing, "--quiet"]) == 1
    assert "has no such file" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_fetch_from_a_mirror_gets_the_config_from_it_too(tmp_path, monkeypatch):
    """--url MIRROR had still fetched openvoice-v2's config.json from huggingface.co (offline: a model "no config")."""
    from pipeline import download as downloads

    asked = []
    monkeypatch.setattr(downloads, "download", lambda url, dest, **_: asked.append(url) or dest)
    downloads.fetch("openvoice-v2", root=tmp_path, url="http://mirror.example/ov/checkpoint.pth")
    assert asked == ["http://mirror.example/ov/checkpoint.pth", "http://mirror.example/ov/config.json"]


def test_piper_voice_offline_says_which_files_to_place(tmp_path, monkeypatch):
    """Offline, fetch piper:NAME had asked for a hidden catalogue file, .voices.json, to be placed by hand."""
    from pipeline import download as downloads

    monkeypatch.setattr(
        downloads,
        "_check_resolvable",
        lambda url, dest, by_hand: (_ for _ in ()).throw(
            CheckpointError(
                f"could not reach huggingface.co (no network); connect to the internet and run the command "
                f"again, or {by_hand}"
            )
        ),
    )
    with pytest.raises(CheckpointError) as refused:
        downloads.fetch("piper:en_US-lessac-medium", root=tmp_path)
    message = str(refused.value)
    assert ".voices.json" not in message, message
    assert "en_US-lessac-medium.onnx and en_US-lessac-medium.onnx.json" in message, message
    assert "huggingface.co/rhasspy/piper-voices/tree/main/en/en_US/lessac/medium" in message
    assert str(tmp_path / "piper") in message
    assert not (tmp_path / "piper").exists()


def _piper_catalogue(**voices: dict[str, bytes]) -> str:
    """voices.json's text listing each voice's files (as rhasspy/piper-voices lays them out) with their size and md5."""
    import json

    catalogue = {}
    for voice, files in voices.items():
        language, dataset, quality = voice.split("-")
        folder = f"{language[:2]}/{language}/{dataset}/{quality}/{voice}"
        catalogue[voice] = {
            "files": {
                f"{folder}{suffix}": {"size_bytes": len(body), "md5_digest": hashlib.md5(body).hexdigest()}
                for suffix, body in files.items()
            }
        }
    return json.dumps(catalogue)


def test_fetch_of_a_piper_voice_refuses_a_url_it_would_not_use(tmp_path, capsys):
    """`voxlip fetch piper:NAME --url URL` had ignored the URL in silence and fetched from huggingface.co."""
    assert voxlip(["fetch", "piper:en_US-test-low", "--dir", str(tmp_path), "--url", "http://mirror.example/x"]) == 1
    err = capsys.readouterr().err
    assert "--url does not apply to piper:en_US-test-low" in err and "--base-voice" in err, err
    assert not list(tmp_path.iterdir())


def test_a_bad_voices_json_does_not_replace_the_one_kept(tmp_path, server, monkeypatch, capsys):
    """A voices.json cut short (or one without the voice) had replaced the good copy kept from the last fetch, after
    which every Piper fetch failed, even offline."""
    files = {".onnx": b"onnx bytes", ".onnx.json": b"{}"}
    catalogue = _piper_catalogue(**{"en_US-test-low": files})
    server.others = {f"/en/en_US/test/low/en_US-test-low{suffix}": body for suffix, body in files.items()}
    monkeypatch.setattr(checkpoints, "PIPER_VOICES_URL", server.url.removesuffix("file.pt"))
    kept = tmp_path / "piper" / ".voices.json"
    fetch = ["fetch", "piper:en_US-test-low", "--dir", str(tmp_path), "--quiet"]
    for served in (catalogue, catalogue[: len(catalogue) // 2], _piper_catalogue(**{"en_GB-other-low": files})):
        server.others["/voices.json"] = served.encode()
        assert voxlip(fetch) == 0, capsys.readouterr().err
        assert kept.read_text() == catalogue
        assert (tmp_path / "piper" / "en_US-test-low.onnx").read_bytes() == b"onnx bytes"
    assert not list((tmp_path / "piper").glob("*.part"))


def test_the_listing_names_the_piper_voices_in_the_cache_with_their_status(tmp_path, monkeypatch, capsys):
    """`voxlip checkpoints` had listed the bundled Piper voice only, none of those `voxlip fetch piper:NAME` had put in
    the cache."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    folder = tmp_path / "piper"
    (folder / "optimized").mkdir(parents=True)
    (folder / "optimized" / "0123abcd-ort1.22.onnx").write_bytes(b"graph")  # voxlip's own optimised graph: no voice
    (folder / "notes.onnx").write_bytes(b"x")  # not named as a voice is (LANG_REGION-DATASET-QUALITY)
    published = {".onnx": b"onnx bytes", ".onnx.json": b"{}"}
    for voice in ("en_US-test-low", "en_GB-cut-medium"):
        for suffix, body in published.items():
            (folder / f"{voice}{suffix}").write_bytes(body)
    (folder / "en_GB-cut-medium.onnx").write_bytes(b"onnx")  # cut short since it was fetched
    (folder / "de_DE-alone-low.onnx").write_bytes(b"onnx bytes")  # its .onnx.json not beside it
    (folder / "fr_FR-byhand-low.onnx").write_bytes(b"any")  # placed by hand: no catalogue lists it
    (folder / "fr_FR-byhand-low.onnx.json").write_bytes(b"{}")
    catalogue = _piper_catalogue(**{"en_US-test-low": published, "en_GB-cut-medium": published})
    (folder / ".voices.json").write_text(catalogue)
    assert voxlip(["checkpoints"]) == 0
    out = capsys.readouterr().out
    listed = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("piper")}
    assert listed == {
        "piper-joe": listed["piper-joe"],
        "piper:de_DE-alone-low": ["base-voice", "no", "config", str(folder / "de_DE-alone-low.onnx")],
        "piper:en_GB-cut-medium": ["base-voice", "differs", str(folder / "en_GB-cut-medium.onnx")],
        "piper:en_US-test-low": ["base-voice", "present", str(folder / "en_US-test-low.onnx")],
        "piper:fr_FR-byhand-low": ["base-voice", "present", str(folder / "fr_FR-byhand-low.onnx")],
    }, out
    assert "a file's size is not the one voices.json gave when it was fetched" in out
    assert "run `voxlip fetch piper:NAME` again" in out and "loaded by name it is refused" not in out, out
    assert checkpoints.differs("piper:en_GB-cut-medium") == (
        f"checkpoint 'piper:en_GB-cut-medium': {folder / 'en_GB-cut-medium.onnx'} has 4 bytes but voices.json "
        "gives 10; if you did not change it, it is damaged: delete it and run `voxlip fetch piper:en_GB-cut-medium`; "
        "a voice you changed on purpose is used as it is"
    )


def test_auto_mode_passes_over_a_vocoder_file_that_is_not_the_published_one_for_the_next_best(
    tmp_path, monkeypatch, seeded_checkpoint, shared_dir
):
    """A vocoder.pt in the cache that is not the published file (listed "differs") had made SV2TTS fail in auto mode;
    now the next vocoder makes the speech, with a note naming the file and what to do (once: in Griffin-Lim's note
    when it is the next); asked for by name, the file is still refused."""
    from voice.cloning import VoiceCloner

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    (tmp_path / "vocoder.pt").write_bytes(b"x" * 100)
    reason = (
        f"checkpoint 'rtvc-vocoder': {tmp_path / 'vocoder.pt'} has 100 bytes but the published file has 53,845,290; "
        "the file in the cache is not the published one"
    )
    auto = VoiceCloner(synthesizer="sv2tts")
    assert auto.vocoder_kind == "griffinlim"
    assert auto.vocoder_note().startswith(f"vocoder: Griffin-Lim ({reason}"), auto.vocoder_note()
    assert auto.passed_over() == ()
    generator = tmp_path / checkpoints.get("hifigan-lj-v3").filename
    generator.parent.mkdir(parents=True)
    generator.symlink_to(seeded_checkpoint("hifigan_v3"))
    hparams = json.loads((shared_dir / "compat" / "manifests" / "hifigan_v3.json").read_text())["hparams"]
    (generator.parent / "config.json").write_text(json.dumps(hparams))
    auto = VoiceCloner(synthesizer="sv2tts")
    assert auto.vocoder_kind == "hifigan"  # loaded: auto mode takes the first file that loads
    (note,) = auto.passed_over()
    assert note.startswith(f"not used (auto mode took the next best instead): {reason}"), note
    assert note.endswith("else delete it and run `voxlip fetch rtvc-vocoder`"), note
    with pytest.raises(CheckpointError, match=re.escape(reason)):
        VoiceCloner(synthesizer="sv2tts", vocoder="wavernn").vocoder  # noqa: B018


def test_auto_lipsync_passes_over_a_wav2lip_file_that_is_not_the_published_one(tmp_path, monkeypatch):
    """The lip-sync's auto mode takes a Wav2Lip file as the voice's does: one that is not the published file is passed
    over, with the same note (no Wav2Lip size is published yet: one is given here)."""
    import dataclasses

    from pipeline import Pipeline

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    sized = tuple(dataclasses.replace(c, size=1000) if c.name == "wav2lip-gan" else c for c in checkpoints._REGISTRY)
    monkeypatch.setattr(checkpoints, "_REGISTRY", sized)
    (tmp_path / "wav2lip_gan.pth").write_bytes(b"x" * 100)
    pipeline = Pipeline("cpu")
    assert pipeline._lipsync_generator is None  # the offline lip-sync, not a refusal
    (note,) = checkpoints.passed_over(("wav2lip-gan", "wav2lip"))
    assert pipeline.lipsync_passed_over == (note,)  # what the clip's notes say
    note = in_command_line_words(note)
    assert f"{tmp_path / 'wav2lip_gan.pth'} has 100 bytes but the published file has 1,000" in note
    assert "pass its path with --checkpoint" in note, note


def test_fetch_checks_which_model_a_cache_file_without_a_published_sha256_holds(
    tmp_path, monkeypatch, capsys, seeded_checkpoint
):
    """A SyncNet file placed as wav2lip_gan.pth had passed `voxlip fetch wav2lip-gan` ("no published size or sha256
    to check it against", exit 0) and `voxlip checkpoints`, then broken the default lip-sync; and `fetch A B` had
    stopped at A's failure."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    syncnet, wav2lip = seeded_checkpoint("syncnet"), seeded_checkpoint("wav2lip")
    (tmp_path / "wav2lip_gan.pth").symlink_to(syncnet)
    (tmp_path / "wav2lip.pth").symlink_to(wav2lip)
    assert voxlip(["fetch", "wav2lip-gan", "wav2lip"]) == 1
    out, err = capsys.readouterr()
    assert (
        f"checkpoint 'wav2lip-gan': {tmp_path / 'wav2lip_gan.pth'} is not the Wav2Lip generator: this looks like a "
        "SyncNet lip-sync expert checkpoint; delete it" in err
    ), err
    assert "or pass a Wav2Lip generator's file by its path with --checkpoint" in err, err
    assert f"wav2lip: {tmp_path / 'wav2lip.pth'} ({wav2lip.stat().st_size:,} bytes" in out, out
    assert "its weights are the Wav2Lip generator's, by their names" in out, out
    assert voxlip(["checkpoints"]) == 0
    listed = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("wav2lip-gan"))
    assert listed.endswith(f"({syncnet.stat().st_size:,} bytes)"), listed  # to compare with the table's sizes


def test_a_checkpoint_cut_short_in_the_cache_is_listed_as_damaged(tmp_path, monkeypatch, capsys):
    """A wav2lip_gan.pth cut to half its size (no size is published to compare) had been listed "present", though
    loading it is refused; its zip's directory, at its end, is missing."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    whole = tmp_path / "whole.pth"
    torch.save({"state_dict": {"w": torch.zeros(4096)}}, whole)
    (tmp_path / "wav2lip_gan.pth").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    assert voxlip(["checkpoints"]) == 0
    out = capsys.readouterr().out
    listed = next(line for line in out.splitlines() if line.startswith("wav2lip-gan"))
    assert listed.split()[2] == "damaged", out
    assert "damaged: a zip checkpoint whose directory, at its end, cannot be read (cut short, most likely)" in out


def test_a_web_page_saved_as_a_checkpoint_is_listed_as_one(tmp_path, monkeypatch, capsys):
    """Google Drive's 89-byte warning page saved as wav2lip_gan.pth had been listed "present"."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    (tmp_path / "wav2lip_gan.pth").write_bytes(b"<!DOCTYPE html><html><head><title>Google Drive - Virus scan warning")
    assert voxlip(["checkpoints"]) == 0
    out = capsys.readouterr().out
    listed = next(line for line in out.splitlines() if line.startswith("wav2lip-gan"))
    assert listed.split()[2:4] == ["web", "page"], out
    assert "web page: a page a link returned instead of the file" in out and "download the file in a browser" in out


def test_a_torchscript_export_or_a_safetensors_file_is_named_as_what_it_is(tmp_path):
    """A TorchScript export had let torch's two-line UserWarning through ("torch.load received a zip file that looks
    like a TorchScript archive ...") and been called "not a readable PyTorch checkpoint: it may be truncated or
    corrupt"; a safetensors file "neither" of torch.save's formats."""
    from lipsync.wav2lip import load_wav2lip

    scripted = tmp_path / "ts.pt"
    torch.jit.script(torch.nn.Linear(3, 3)).save(str(scripted))
    with warnings.catch_warnings(record=True) as warned, pytest.raises(CheckpointError) as refused:
        warnings.simplefilter("always")
        load_wav2lip(scripted)
    assert not warned, [str(w.message) for w in warned]
    assert str(refused.value) == (
        f"{scripted} is a TorchScript export (torch.jit.save), which voxlip does not load: give the model's original "
        ".pth or .pt file (its state_dict, as torch.save wrote it); `voxlip checkpoints` says where to get each model"
    )
    header = json.dumps({"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}).encode()
    tensors = tmp_path / "wav2lip.safetensors"
    tensors.write_bytes(len(header).to_bytes(8, "little") + header + bytes(4))
    with pytest.raises(CheckpointError, match=r"safetensors file, which voxlip does not read: give the model's orig"):
        load_wav2lip(tensors)


def test_the_listing_says_which_cache_file_holds_another_models_weights(
    tmp_path, monkeypatch, capsys, seeded_checkpoint
):
    """A SyncNet file placed as wav2lip_gan.pth (and a speaker encoder's, in torch's legacy format, as S3FD's) had been
    listed "present" by `voxlip checkpoints`, only its size to compare with the table, though loaded by name it is
    refused and auto mode passes it over; the listing reads the weights' names from the pickles, loading nothing."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    (tmp_path / "wav2lip_gan.pth").symlink_to(seeded_checkpoint("syncnet"))
    (tmp_path / "wav2lip.pth").symlink_to(seeded_checkpoint("wav2lip"))
    encoder = torch.load(seeded_checkpoint("rtvc_encoder"), weights_only=True)
    torch.save(encoder, tmp_path / "s3fd-619a316812.pth", _use_new_zipfile_serialization=False)
    assert voxlip(["checkpoints"]) == 0
    out = capsys.readouterr().out
    status = {line.split()[0]: line.split()[2] for line in out.splitlines() if line.startswith(("wav2lip", "s3fd"))}
    assert status == {"wav2lip": "present", "wav2lip-gan": "other", "s3fd": "other"}, out
    assert (
        "other: its weights are another model's, by their names (wav2lip-gan: the SyncNet lip-sync expert's; s3fd: "
        "the GE2E speaker encoder's); loaded by name it is refused" in out
    ), out


def test_auto_lipsync_passes_over_a_cache_file_that_holds_another_model(tmp_path, monkeypatch, seeded_checkpoint):
    """The default lip-sync had failed on it ("... does not hold the Wav2Lip generator"); named, it is still refused."""
    from core.errors import OtherModelError
    from pipeline import Pipeline

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    (tmp_path / "wav2lip_gan.pth").symlink_to(seeded_checkpoint("syncnet"))
    (tmp_path / "wav2lip.pth").symlink_to(seeded_checkpoint("wav2lip"))
    pipeline = Pipeline("cpu")
    assert pipeline._lipsync_generator.checkpoint_name == "wav2lip"
    (note,) = pipeline.lipsync_passed_over
    assert note.startswith(
        f"not used (auto mode took the next best instead): {tmp_path / 'wav2lip_gan.pth'} does not hold the Wav2Lip "
        "generator: this looks like a SyncNet lip-sync expert checkpoint; delete it"
    ), note
    with pytest.raises(OtherModelError):
        Pipeline("cpu", lipsync="wav2lip-gan")._lipsync_generator  # noqa: B018


def test_a_pipeline_exposes_no_stage_that_makes_unmarked_media(seeded_checkpoint):
    """Pipeline.voice.clone(...) had given cloned speech with no consent asked and no mark, and
    Pipeline.lipsync_generator the Wav2Lip model itself: only the consent-checked, marked calls are public."""
    from lipsync.wav2lip import Wav2Lip
    from pipeline import Pipeline
    from voice.cloning import VoiceCloner

    pipeline = Pipeline("cpu", lipsync=str(seeded_checkpoint("wav2lip")))
    pipeline._load_lipsync_models()
    stages = (VoiceCloner, Wav2Lip)
    public = {name: getattr(pipeline, name) for name in dir(pipeline) if not name.startswith("_")}
    assert [name for name, value in public.items() if isinstance(value, stages)] == []
    assert isinstance(pipeline._voice, VoiceCloner) and isinstance(pipeline._lipsync_generator, Wav2Lip)
    assert pipeline.voice_settings.synthesizer == "auto" and pipeline.voice_settings.converter == "auto"


def test_auto_mode_notes_a_converter_whose_config_json_is_missing(tmp_path, monkeypatch):
    """openvoice-v2 without its config.json ("no config" in `voxlip checkpoints`) had been passed over in silence."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    converter = tmp_path / checkpoints.get("openvoice-v2").filename
    converter.parent.mkdir(parents=True)
    converter.write_bytes(b"weights")
    (note,) = checkpoints.passed_over(("openvoice-v2",))
    assert note == (
        "not used (auto mode took the next best instead): checkpoint 'openvoice-v2' needs config.json beside it at "
        f"{converter.parent / 'config.json'}: run `voxlip fetch openvoice-v2`; `voxlip checkpoints` says where to get "
        "each model"
    )


def test_getting_a_checkpoint_by_hand_names_every_file_it_needs(tmp_path, monkeypatch, capsys):
    """`fetch openvoice-v2` without a network had named checkpoint.pth alone, `fetch hifigan-lj-v1` generator_v1
    alone, and a Piper voice not here its .onnx alone: each needs its config too."""
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    monkeypatch.setattr("socket.getaddrinfo", lambda *_: (_ for _ in ()).throw(OSError("no network")))
    assert voxlip(["fetch", "openvoice-v2", "hifigan-lj-v1"]) == 1
    err = capsys.readouterr().err
    folder = tmp_path / "openvoice-v2" / "converter"
    assert (
        "/converter/checkpoint.pth and https://huggingface.co/myshell-ai/OpenVoiceV2/resolve/main/converter/config.json"
        f" by hand and place checkpoint.pth at {folder / 'checkpoint.pth'} and config.json at {folder / 'config.json'}"
    ) in err, err
    folder = tmp_path / "hifigan" / "LJ_V1"
    assert (
        f"get generator_v1 and config.json from Google Drive folder LJ_V1 linked from "
        f"https://github.com/jik876/hifi-gan#pretrained-model and place generator_v1 at {folder / 'generator_v1'} and "
        f"config.json at {folder / 'config.json'}"
    ) in err, err
    spec = checkpoints.get("piper:en_US-lessac-medium")
    message = checkpoints.missing_message(spec, checkpoints.local_path(spec))
    assert f"en_US-lessac-medium.onnx.json at {tmp_path / 'piper' / 'en_US-lessac-medium.onnx.json'}" in message


def test_a_truncated_checkpoint_is_refused_without_torchs_own_text(tmp_path):
    """The refusal had quoted torch's cut-off text ("This is an internal miniz error. If you are seeing this ..."):
    it is the error's detail, which `voxlip --debug` prints."""
    whole, cut = tmp_path / "whole.pt", tmp_path / "cut.pt"
    torch.save({"weight": torch.zeros(10_000)}, whole)
    cut.write_bytes(whole.read_bytes()[:20_000])
    with pytest.raises(CheckpointError) as refused:
        read_checkpoint(cut)
    assert str(refused.value) == (
        f"{cut} is not a readable PyTorch checkpoint: it may be truncated or corrupt: give a complete copy of the file"
    )
    assert refused.value.detail.startswith(("RuntimeError: ", "OSError: ")), refused.value.detail  # torch's, kept


def test_a_cache_that_is_a_file_is_said_to_be_one(tmp_path, monkeypatch, capsys):
    """VOXLIP_CACHE set to a file had had `voxlip checkpoints` list paths inside that file as missing (exit 0), and
    `embed` run without a cache, in silence."""
    cache = tmp_path / "wav2lip.pt"
    cache.write_bytes(b"PK\x03\x04")
    monkeypatch.setenv("VOXLIP_CACHE", str(cache))
    assert voxlip(["checkpoints"]) == 1
    said = f"voxlip's cache {cache} is a file, not a folder"
    err = capsys.readouterr().err
    assert said in err and err.rstrip().endswith(": set VOXLIP_CACHE to a folder, or unset it"), err
    monkeypatch.delenv("VOXLIP_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "voxlip").write_text("")
    with pytest.raises(checkpoints.InputError, match="voxlip is a file, not a folder .*: move that file away"):
        checkpoints.cache_dir()


def test_the_model_a_cached_file_should_have_held_takes_its_article():
    """ "pass a OpenVoice tone-colour converter's file"."""
    for name, model in (
        ("openvoice-v2", "an OpenVoice tone-colour converter"),
        ("hifigan-lj-v1", "a HiFi-GAN generator"),
    ):
        assert f"pass {model}'s file by its path" in checkpoints._not_its_file(checkpoints.get(name))


def _hifigan_in_cache(cache: Path, name: str, weights: Path, shared_dir: Path, manifest: str = "hifigan_v3") -> Path:
    """`weights` placed as the registry HiFi-GAN `name`'s file, with the config.json of `manifest` beside it."""
    generator = cache / checkpoints.get(name).filename
    generator.parent.mkdir(parents=True, exist_ok=True)
    generator.write_bytes(weights.read_bytes())
    hparams = json.loads((shared_dir / "compat" / "manifests" / f"{manifest}.json").read_text())["hparams"]
    (generator.parent / "config.json").write_text(json.dumps(hparams))
    return generator


@pytest.mark.parametrize("bad", ["other-model", "truncated"])
def test_auto_vocoder_passes_over_a_cache_file_that_does_not_load_for_the_next_one(
    tmp_path, monkeypatch, seeded_checkpoint, shared_dir, bad
):
    """A WaveRNN file (or a truncated file) at hifigan/LJ_V1/generator_v1 had made every auto `voxlip say` with SV2TTS
    exit 1 ("... does not hold the HiFi-GAN generator"), although hifigan-lj-v3 was next in line; named, it is still
    refused."""
    from voice.cloning import VoiceCloner

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    wavernn = seeded_checkpoint("rtvc_wavernn")
    if bad == "truncated":
        wavernn = tmp_path / "cut.pt"
        wavernn.write_bytes(seeded_checkpoint("hifigan_v1").read_bytes()[:100_000])
    v1 = _hifigan_in_cache(tmp_path, "hifigan-lj-v1", wavernn, shared_dir, "hifigan_v1")
    _hifigan_in_cache(tmp_path, "hifigan-lj-v3", seeded_checkpoint("hifigan_v3"), shared_dir)
    why = {
        "other-model": "does not hold the HiFi-GAN generator: this looks like a WaveRNN vocoder checkpoint; delete it",
        "truncated": "is not a readable PyTorch checkpoint: it may be truncated or corrupt: delete it and get it again",
    }[bad]
    for vocoder in ("auto", "hifigan"):
        voice = VoiceCloner(synthesizer="sv2tts", vocoder=vocoder)
        assert voice.vocoder_kind == "hifigan" and voice.vocoder.checkpoint_name == "hifigan-lj-v3"
        (note,) = voice.passed_over()
        assert note.startswith(f"not used (auto mode took the next best instead): {v1} {why}"), note
    with pytest.raises(CheckpointError, match=re.escape(f"{v1} {why}")):
        VoiceCloner(synthesizer="sv2tts", vocoder="hifigan", vocoder_checkpoint="hifigan-lj-v1").vocoder  # noqa: B018
    (tmp_path / checkpoints.get("hifigan-lj-v3").filename).unlink()
    alone = VoiceCloner(synthesizer="sv2tts")  # nothing else here: Griffin-Lim, saying why
    assert alone.vocoder is None and alone.vocoder_note().startswith(f"vocoder: Griffin-Lim ({v1} {why}"), alone
    assert alone.passed_over() == ()
    with pytest.raises(CheckpointError, match=re.escape(f"{v1} {why}")):  # asked for, HiFi-GAN is refused
        VoiceCloner(synthesizer="sv2tts", vocoder="hifigan").vocoder  # noqa: B018


@pytest.mark.parametrize("bad", ["other-model", "truncated"])
def test_auto_converter_passes_over_a_cache_file_that_does_not_load(
    tmp_path, monkeypatch, seeded_checkpoint, shared_dir, bad
):
    """A HiFi-GAN file (or a truncated file) as openvoice-v2's checkpoint.pth had made every auto `voxlip say` exit 1;
    now the offline conversion speaks, with a note naming the file, why and what to do; named, it is refused."""
    from core.errors import OtherModelError
    from voice.cloning import VoiceCloner

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    converter = tmp_path / checkpoints.get("openvoice-v2").filename
    converter.parent.mkdir(parents=True)
    weights = seeded_checkpoint("hifigan_v3").read_bytes()
    converter.write_bytes(weights if bad == "other-model" else weights[:100_000])
    (converter.parent / "config.json").write_text("{}")
    why = {
        "other-model": "does not hold the OpenVoice tone-colour converter: this looks like a HiFi-GAN generator "
        "checkpoint; delete it (or put it where its model's file goes) and run `voxlip fetch openvoice-v2`",
        "truncated": "is not a readable PyTorch checkpoint: it may be truncated or corrupt: delete it and run "
        "`voxlip fetch openvoice-v2`",
    }[bad]
    voice = VoiceCloner()
    assert voice.converter is None and voice.text_converter == "offline" and not voice.neural
    (note,) = voice.passed_over()
    assert note.startswith(f"not used (auto mode took the next best instead): {converter} {why}"), note
    refused = OtherModelError if bad == "other-model" else CheckpointError
    with pytest.raises(refused, match=re.escape(f"{converter} {why}")):
        VoiceCloner(converter="openvoice-v2").load_revoicing()


def test_auto_lipsync_passes_over_a_truncated_cache_file(tmp_path, monkeypatch, seeded_checkpoint):
    """Auto lip-sync had passed over another model's file only: a truncated wav2lip_gan.pth stopped it."""
    from pipeline import Pipeline

    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path))
    (tmp_path / "wav2lip_gan.pth").write_bytes(seeded_checkpoint("wav2lip").read_bytes()[:100_000])
    (tmp_path / "wav2lip.pth").symlink_to(seeded_checkpoint("wav2lip"))
    pipeline = Pipeline("cpu")
    assert pipeline._lipsync_generator.checkpoint_name == "wav2lip"
    (note,) = pipeline.lipsync_passed_over
    assert note == (
        f"not used (auto mode took the next best instead): {tmp_path / 'wav2lip_gan.pth'} is not a readable PyTorch "
        "checkpoint: it may be truncated or corrupt: delete it and get it again from Google Drive link in "
        "https://github.com/Rudrabha/Wav2Lip#getting-the-weights"
    ), note


def _corrupted(source: Path, dest: Path, offset: int = 2_000_000) -> Path:
    """A copy of `source` with 8 bytes inside its weights overwritten by zeros (a zip record whose CRC-32 no longer
    matches)."""
    data = bytearray(source.read_bytes())
    data[offset : offset + 8] = bytes(8)
    dest.write_bytes(data)
    return dest


def test_a_checkpoint_whose_bytes_were_changed_is_refused_by_its_zips_checksums(
    tmp_path, monkeypatch, capsys, seeded_checkpoint
):
    """Bytes overwritten inside a zip checkpoint had loaded without complaint, a weight changed (torch.load does not
    check the zip's CRC-32s); a cached file with no published sha256 had been as exposed, `voxlip fetch` included."""
    bad = _corrupted(seeded_checkpoint("rtvc_encoder"), tmp_path / "bad.pt")
    with pytest.raises(CheckpointError) as refused:
        read_checkpoint(bad)
    assert str(refused.value) == (
        f"{bad} is corrupt (its record rtvc_encoder/data/6 does not match the CRC-32 checksum the file keeps of it): "
        "some of its bytes were changed after it was saved (on disk or in a download), so its weights are not the ones "
        "saved: give a complete copy of the file"
    )
    monkeypatch.setenv("VOXLIP_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    cached = _corrupted(seeded_checkpoint("s3fd"), tmp_path / "cache" / "s3fd-619a316812.pth")
    fix = "delete it and run `voxlip fetch s3fd`"
    with pytest.raises(CheckpointError, match=rf"{cached} is corrupt \(its record .* saved: {re.escape(fix)}$"):
        read_checkpoint("s3fd")
    assert voxlip(["fetch", "s3fd"]) == 1
    err = capsys.readouterr().err
    assert f"{cached} is corrupt (its record" in err and fix in err, err


def test_a_checkpoint_whose_published_sha256_was_verified_is_not_checked_again(monkeypatch):
    """Its bytes are known whole: the CRC-32 pass would only cost time."""

    def checked(*args, **kwargs):
        raise AssertionError("CRC-32s checked of a verified file")

    monkeypatch.setattr(checkpoints, "check_crc", checked)
    assert read_checkpoint("resemblyzer").contents["step"] == 1_564_501


def test_loading_a_model_leaves_torchs_global_random_state_as_it_was(seeded_checkpoint):
    """Building the untrained model (its default initial weights) had moved torch's global generator, so
    `torch.manual_seed(0); load_wavernn(...); torch.rand(2)` had drawn other numbers than without the load."""
    from voice.vocoder.wavernn import load_wavernn

    path = seeded_checkpoint("rtvc_wavernn")
    torch.manual_seed(0)
    expected = torch.rand(2)
    torch.manual_seed(0)
    load_wavernn(path)
    assert torch.equal(torch.rand(2), expected)


@pytest.fixture(scope="module")
def cache_of_a_module_fixture() -> Path:
    from core.cache import cache_dir

    return cache_dir()


def test_a_module_scoped_fixture_sees_a_private_cache(cache_of_a_module_fixture, tmp_path_factory):
    """Module-scoped fixtures (the encoder, the offline voice) ran before the per-test cache was set, and read and wrote
    the developer's real ~/.cache/voxlip."""
    assert cache_of_a_module_fixture.is_relative_to(tmp_path_factory.getbasetemp()), cache_of_a_module_fixture
