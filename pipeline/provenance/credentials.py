"""C2PA content credentials: a signed manifest inside voxlip's audio and MP4 outputs saying what made them.

On first use voxlip creates a local certificate authority and a signing certificate issued by it
(ECDSA P-256, ES256) under `$XDG_CONFIG_HOME/voxlip/c2pa` (default `~/.config/voxlip/c2pa`). Files
signed with it validate anywhere (the signature and the content hashes are checked) but are only
*trusted* where that local CA is a trust anchor: on this machine, by voxlip.

To sign with a real certificate (one a C2PA trust list knows), set
    VOXLIP_C2PA_CERT=/path/chain.pem   # signing certificate first, then its intermediates
    VOXLIP_C2PA_KEY=/path/key.pem      # its private key (PKCS#8 PEM)
    VOXLIP_C2PA_ALG=es256              # optional: es256/es384/es512/ps256/ps384/ps512/ed25519
    VOXLIP_C2PA_TSA_URL=https://...    # optional: a time-stamp authority
and, to have `voxlip detect` report such files as trusted, VOXLIP_C2PA_TRUST_ANCHORS=/path/roots.pem.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import mimetypes
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from core.errors import InputError
from core.files import InputData, InputFile, atomic_output
from core.printable import valid_unicode
from core.version import __version__

from ..stops import stops_deferred

if TYPE_CHECKING:  # c2pa is imported only where credentials are made or read
    import c2pa

GENERATOR = "voxlip"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)
"""What a dub is: the source video's own frames with a soundtrack a trained model made."""
PARENT_OF, COMPONENT_OF, INPUT_TO = "parentOf", "componentOf", "inputTo"
"""How an input is related to an output (C2PA's ingredient relationships): the one it is an edit of (at most one); a
part of it, placed in it as it is (`c2pa.placed`); an input to the generative models that made or edited it."""
VOXLIP_ASSERTION = "org.voxlip.provenance"
MIME_TYPES = MappingProxyType(
    {
        ".wav": "audio/wav",
        ".flac": "audio/flac",
        ".mp3": "audio/mpeg",
        ".mp4": "video/mp4",
        ".m4a": "audio/mp4",
        ".mov": "video/quicktime",
    }
)
CONTAINER_MIME_TYPES = MappingProxyType(
    {"wav": "audio/wav", "flac": "audio/flac", "mp3": "audio/mpeg", "mov": "video/mp4"}
)
"""The MIME type of a file that may hold credentials, by ffmpeg's name for its container (the start of it: "mov" of
"mov,mp4,m4a,3gp,3g2,mj2"): a copy named .m4v or .bin, or with no extension, holds them as the original did."""
_LOCAL_VALIDITY_DAYS = 3650


@dataclass(frozen=True)
class Edit:
    """What voxlip's models did to make an output, as its `c2pa.created` action says, or its `c2pa.edited` one where it
    is an edit of an input."""

    digital_source_type: str
    description: str
    """What was done, `{role}` standing for the input of that role (its file name, or what it was when given in
    memory), `{said}` for what a face was made to say (`saying`)."""

    def saying(self, said: str) -> Edit:
        """This edit with `said` (which may name inputs by `{role}` too) for what the face was made to say."""
        return Edit(self.digital_source_type, self.description.replace("{said}", said))


CREATED = Edit(TRAINED_ALGORITHMIC_MEDIA, "synthesised by voxlip's generative models")
"""What voxlip makes from text, a voice and pictures: all of it a trained model's."""
CLONED = Edit(
    TRAINED_ALGORITHMIC_MEDIA,
    "synthesised by voxlip's generative models in the voice of the reference recording ({reference_voice})",
)
"""Speech voxlip makes from text in the voice of a recording (its `inputTo` ingredient)."""
DUB = Edit(
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    "the soundtrack was synthesised by voxlip's generative models; the frames are the source video's ({source_video}), "
    "with the visible AI-generated label and the invisible watermark added",
)
"""A video whose own frames are kept, given a new soundtrack."""
REVOICED = Edit(
    TRAINED_ALGORITHMIC_MEDIA,
    "the voice was converted to the reference speaker's by voxlip's models; the words, timing and delivery are the "
    "recording's ({source_speech})",
)
"""A recording said in another voice: every sample is the models' (IPTC's trainedAlgorithmicMedia names
speech-to-speech), the words, timing and delivery the recording's."""
REVOICED_AND_LIPSYNCED = Edit(
    TRAINED_ALGORITHMIC_MEDIA,
    "the voice was converted to the reference speaker's, and the face in the photo ({face}) made to say it, by "
    "voxlip's models; the words, timing and delivery are the recording's ({source_speech})",
)
"""A clip of a face in a photo saying a recording re-voiced: its frames and its soundtrack the models', the words,
timing and delivery the recording's."""
LIPSYNCED_VIDEO = Edit(
    COMPOSITE_WITH_TRAINED_ALGORITHMIC_MEDIA,
    "the face's mouth was redrawn by voxlip's lip-sync models to say {said}; the frames are the video's ({face}), "
    "with the visible AI-generated label and the invisible watermark added",
)
"""A video of a face whose frames are kept, its mouth made to say another soundtrack: a composite of the video and a
trained model's media, as a dub is."""
ANIMATED_PHOTO = Edit(
    TRAINED_ALGORITHMIC_MEDIA,
    "a video of the face in the photo ({face}) made by voxlip's generative models to say {said}, with the visible "
    "AI-generated label and the invisible watermark",
)
"""A video a trained model made from a photo (its `inputTo` ingredient): every frame the model's."""


@dataclass(frozen=True)
class Used:
    """An input an output names as an ingredient: its role (which ties the actions to it), as it was read, and how it
    is related to the output (PARENT_OF, COMPONENT_OF or INPUT_TO)."""

    role: str
    read: InputFile | InputData
    relationship: str


@dataclass(frozen=True)
class Credit:
    """What an output is credited as: `edit`, done to its PARENT_OF input (`c2pa.opened`, then `c2pa.edited`) or, where
    it has none, what made it (`c2pa.created`, from its INPUT_TO inputs); and the inputs it names as ingredients, each
    COMPONENT_OF one placed in it (`c2pa.placed`)."""

    edit: Edit
    used: tuple[Used, ...] = ()


@dataclass(frozen=True)
class Ingredient:
    """An ingredient a manifest names: what it was made from."""

    title: str | None
    relationship: str | None
    instance_id: str | None
    generator: str | None = None
    """The generator of the content credentials the ingredient carries as its own; None: it carries none."""
    valid: bool | None = None
    """Whether those credentials validated when the ingredient was added (None: it carries none)."""


@dataclass(frozen=True)
class SigningIdentity:
    certificate_chain: bytes
    private_key: bytes
    algorithm: str = "es256"
    timestamp_url: str | None = None
    trust_anchors: bytes | None = None
    """PEM roots under which `read_credentials` calls a manifest trusted."""


@dataclass(frozen=True)
class CredentialsReport:
    found: bool
    valid: bool = False
    """Signature and content hashes check out (the file was not changed since it was signed)."""
    trusted: bool = False
    """The signing certificate chains to a known trust anchor (voxlip's local CA or yours)."""
    own_key: bool = False
    """Signed with this machine's own voxlip key (the local identity made on first use): trusted here only, a key no
    public trust list knows."""
    generator: str | None = None
    actions: list[dict] = field(default_factory=list)
    models: list[dict] = field(default_factory=list)
    ingredients: list[Ingredient] = field(default_factory=list)
    signer: str | None = None
    problems: list[str] = field(default_factory=list)
    """Validation failures other than an unknown certificate authority."""


def config_dir() -> Path:
    """Where voxlip keeps its local signing certificate (under c2pa/): $XDG_CONFIG_HOME/voxlip, else
    ~/.config/voxlip."""
    root = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(root) / "voxlip"


def _name(common_name: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "voxlip (local)"),
        ]
    )


def _key_usage(sign: bool):
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not sign,
        crl_sign=not sign,
        encipher_only=False,
        decipher_only=False,
    )


def create_local_identity(directory: Path) -> None:
    """Write ca.pem, signer.pem (chain) and signer.key (mode 0600) into `directory`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID

    now = datetime.datetime.now(datetime.timezone.utc)
    start, end = now - datetime.timedelta(hours=1), now + datetime.timedelta(days=_LOCAL_VALIDITY_DAYS)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("voxlip local CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(sign=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name("voxlip local signer"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(sign=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / "signer.key"
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (directory / "ca.pem").write_bytes(ca.public_bytes(pem))
    (directory / "signer.pem").write_bytes(signer.public_bytes(pem) + ca.public_bytes(pem))


def signing_identity(directory: Path | None = None) -> SigningIdentity:
    """The certificate from VOXLIP_C2PA_CERT/KEY if set, else the local one (created on first use)."""
    anchors_path = os.environ.get("VOXLIP_C2PA_TRUST_ANCHORS")
    anchors = Path(anchors_path).read_bytes() if anchors_path else None
    cert, key = os.environ.get("VOXLIP_C2PA_CERT"), os.environ.get("VOXLIP_C2PA_KEY")
    if cert or key:
        if not (cert and key):
            raise InputError("set both VOXLIP_C2PA_CERT (PEM chain) and VOXLIP_C2PA_KEY (PEM private key), or neither")
        for path in (cert, key):
            if not Path(path).is_file():
                raise InputError(f"{path} (from VOXLIP_C2PA_CERT/VOXLIP_C2PA_KEY) does not exist")
        return SigningIdentity(
            Path(cert).read_bytes(),
            Path(key).read_bytes(),
            os.environ.get("VOXLIP_C2PA_ALG", "es256").lower(),
            os.environ.get("VOXLIP_C2PA_TSA_URL") or None,
            anchors,
        )
    try:
        directory = directory or config_dir() / "c2pa"
    except RuntimeError:  # Path.home() of a user with no home (no HOME, no entry in the password database)
        raise InputError(_no_local_identity("~/.config/voxlip/c2pa", "this user has no home folder")) from None
    try:
        if not (directory / "signer.key").is_file():
            create_local_identity(directory)
        local_ca = (directory / "ca.pem").read_bytes()
        return SigningIdentity(
            (directory / "signer.pem").read_bytes(),
            (directory / "signer.key").read_bytes(),
            "es256",
            None,
            local_ca + (anchors or b""),
        )
    except OSError as error:
        raise InputError(_no_local_identity(directory, error.strerror or str(error))) from None


def _no_local_identity(directory: Path | str, why: str) -> str:
    """What to tell a user (a service's, often) for whom voxlip could not make or read its local signing certificate
    in `directory`: every output is signed, so none could be written."""
    return (
        f"voxlip signs every output, and could not make or read its signing certificate in {directory} ({why}): set "
        "XDG_CONFIG_HOME to a folder it can write to, or VOXLIP_C2PA_CERT and VOXLIP_C2PA_KEY to a certificate of your "
        "own (a PEM file of the signing certificate, then its intermediates, and a PEM file of its PKCS#8 key)"
    )


def _mime_type(path: Path) -> str:
    try:
        return MIME_TYPES[path.suffix.lower()]
    except KeyError:
        raise InputError(
            f"content credentials are embedded in {', '.join(MIME_TYPES)} files, not "
            f"{path.suffix or 'files without extension'}"
        ) from None


def manifest_definition(
    title: str, models: list[dict], details: dict | None = None, credit: Credit | None = None
) -> dict:
    """The manifest voxlip signs: generator, the models used, and what they did, as `credit` says (default: created
    by a trained model from nothing named): `c2pa.opened` of its parent input and `c2pa.edited` (a dub keeping a video's
    frames, a recording re-voiced, a face video lip-synced), or `c2pa.created` (from text, or from a photo); and
    `c2pa.placed` of each input that is a part of it as given (a lip-synced clip's soundtrack). Each input is its
    ingredient, described by its name, format and sha256."""
    agent = {"name": GENERATOR, "version": __version__}
    definition: dict = {"claim_generator_info": [agent], "title": title}
    credit = credit or Credit(CREATED)
    ingredients = [input_ingredient(used) for used in credit.used]
    if ingredients:
        definition["ingredients"] = ingredients
    titles = {used.role: ingredient["title"] for used, ingredient in zip(credit.used, ingredients)}
    parents, inputs, parts = (
        [used.role for used in credit.used if used.relationship == relationship]
        for relationship in (PARENT_OF, INPUT_TO, COMPONENT_OF)
    )
    made = {
        "digitalSourceType": credit.edit.digital_source_type,
        "softwareAgent": agent,
        "parameters": {"description": credit.edit.description.format_map(titles), "models": models}
        | ({"ingredientIds": inputs} if inputs else {}),
    }
    placed = [
        {"action": "c2pa.placed", "softwareAgent": agent, "parameters": {"ingredientIds": [part]}} for part in parts
    ]
    if parents:
        opened = {"action": "c2pa.opened", "softwareAgent": agent, "parameters": {"ingredientIds": parents}}
        actions = [opened, *placed, {"action": "c2pa.edited"} | made]
    else:
        actions = [{"action": "c2pa.created"} | made, *placed]
    assertions = [{"label": "c2pa.actions.v2", "data": {"actions": actions}}]
    if details:
        assertions.append({"label": VOXLIP_ASSERTION, "data": details})
    return definition | {"assertions": assertions}


def input_ingredient(used: Used) -> dict:
    """An input as its ingredient, described by hand: its file name and format (or what it was, given in memory), its
    sha256 when it was read, and how it is related to the output; labelled by its role (C2PA renames it when
    signing)."""
    read = used.read
    if isinstance(read, InputData):
        title, kind = read.what, "application/octet-stream"
    else:
        title = valid_unicode(read.path.name)
        # voxlip's own types first: the system's table may say "audio/x-wav" or "audio/wav"
        kind = MIME_TYPES.get(read.path.suffix.lower()) or mimetypes.guess_type(title)[0] or "application/octet-stream"
    return {
        "title": title,
        "format": kind,
        "relationship": used.relationship,
        "instance_id": f"sha256:{read.sha256}",
        "label": used.role,
    }


def sign_file(
    path: str | os.PathLike,
    models: list[dict],
    details: dict | None = None,
    identity: SigningIdentity | None = None,
    title: str | None = None,
    credit: Credit | None = None,
) -> Path:
    """Embed a signed manifest in `path` (one of MIME_TYPES) in place; `models` are {"name", "sha256", ...} dicts.

    `title` is the file name the manifest gives (default: `path`'s own; another when `path` is the
    temporary file an output is written to before it is moved into place). `credit`: what `path` was made as, and
    from which inputs (manifest_definition; default: created from nothing named); an input file c2pa reads, unchanged
    since it was read, is its ingredient as it is, content credentials and all.
    """
    import c2pa

    path = Path(path)
    mime = _mime_type(path)
    if not path.is_file():
        raise InputError(f"cannot sign {path}: the file does not exist")
    identity = identity or signing_identity()
    definition = manifest_definition(title or path.name, models, details, credit)
    try:
        info = c2pa.C2paSignerInfo(
            identity.algorithm, identity.certificate_chain, identity.private_key, identity.timestamp_url
        )
        with (
            atomic_output(path) as signed,
            stops_deferred(),  # c2pa reads and writes through Python callbacks, where a stop would be dropped
            c2pa.Signer.from_info(info) as signer,
            c2pa.Context.from_dict(_settings(identity.trust_anchors)) as context,
            _builder(definition, credit.used if credit else (), context) as builder,
        ):
            with open(path, "rb") as stream, open(signed, "w+b") as dest:
                builder.sign(signer, mime, stream, dest)
    except c2pa.C2paError as e:
        raise InputError(f"could not embed content credentials in {path}: {e}") from None
    return path


def _builder(definition: dict, used: tuple[Used, ...], context: c2pa.Context) -> c2pa.Builder:
    """A c2pa Builder of `definition`, each input's ingredient made from the input file itself where c2pa reads it and
    it is as it was read (so that content credentials it carries are kept as the ingredient's: the chain goes on);
    else as `definition` describes it by hand (a file in a format c2pa cannot parse, changed since, or gone)."""
    import c2pa

    ingredients = definition.get("ingredients", [])
    as_read = [index for index, each in enumerate(used) if isinstance(each.read, InputFile)]
    while True:  # an input c2pa turns down is described by hand, in a builder made again without it
        by_hand = [ingredient for index, ingredient in enumerate(ingredients) if index not in as_read]
        builder = c2pa.Builder(json.dumps(definition | {"ingredients": by_hand}), context)
        refused = next(
            (index for index in as_read if not _added_as_read(builder, ingredients[index], used[index])), None
        )
        if refused is None:
            return builder
        builder.close()
        as_read.remove(refused)


def _added_as_read(builder: c2pa.Builder, ingredient: dict, used: Used) -> bool:
    """Whether `used`'s file, as it was read, was added to `builder` as `ingredient`, its content credentials and all;
    False for a file changed since it was read, gone, or that c2pa cannot parse."""
    import c2pa

    try:
        with open(used.read.path, "rb") as stream:
            if hashlib.file_digest(stream, "sha256").hexdigest() != used.read.sha256:
                return False
            stream.seek(0)
            builder.add_ingredient_from_stream(ingredient, ingredient["format"], stream)
            return True
    except (OSError, c2pa.C2paError):
        return False


def _settings(trust_anchors: bytes | None) -> dict:
    """c2pa's settings to validate under `trust_anchors` (trust not checked without them)."""
    settings: dict = {"verify": {"verify_trust": bool(trust_anchors)}}
    if trust_anchors:
        settings["trust"] = {"user_anchors": trust_anchors.decode()}
    return settings


def read_credentials(
    path: str | os.PathLike, trust_anchors: bytes | None = None, *, mime_type: str | None = None
) -> CredentialsReport:
    """The manifest in `path`, validated; trusted under `trust_anchors` (default: the local CA and yours).
    `mime_type`: the file's kind when known from its contents (default: by its extension, one of MIME_TYPES)."""
    import c2pa

    path = Path(path)
    mime_type = mime_type or MIME_TYPES.get(path.suffix.lower())
    if mime_type is None or not path.is_file():
        return CredentialsReport(found=False)
    if trust_anchors is None:
        trust_anchors = _known_anchors()
    try:
        with (
            stops_deferred(),
            c2pa.Context.from_dict(_settings(trust_anchors)) as context,
            open(path, "rb") as stream,
        ):
            reader = c2pa.Reader(mime_type, stream, context=context)
            with reader:
                manifest = reader.get_active_manifest() or {}
                state = reader.get_validation_state()
                results = reader.get_validation_results() or {}
                ingredients = [_ingredient(i, reader) for i in manifest.get("ingredients", [])]
    except c2pa.C2paError as e:
        if "ManifestNotFound" in type(e).__name__ or "no JUMBF" in str(e) or "not found" in str(e).lower():
            return CredentialsReport(found=False)
        return CredentialsReport(found=False, problems=[f"no readable manifest: {e}"])
    problems = _problems(results)
    actions = [
        a
        for assertion in manifest.get("assertions", [])
        if assertion.get("label", "").startswith("c2pa.actions")
        for a in assertion.get("data", {}).get("actions", [])
    ]
    models = [m for a in actions for m in a.get("parameters", {}).get("models", [])]
    signature = manifest.get("signature_info", {})
    return CredentialsReport(
        found=True,
        valid=state in ("Valid", "Trusted") and not problems,
        trusted=state == "Trusted",
        own_key=signature.get("cert_serial_number") == _local_serial_number(),
        generator=_generator(manifest),
        actions=actions,
        models=models,
        ingredients=ingredients,
        signer=signature.get("common_name"),
        problems=problems,
    )


def _problems(results: dict) -> list[str]:
    """The validation failures of a manifest's results other than an unknown certificate authority."""
    failures = results.get("activeManifest", {}).get("failure", [])
    return [
        f"{f.get('code')}: {f.get('explanation')}" for f in failures if f.get("code") != "signingCredential.untrusted"
    ]


def _generator(manifest: dict) -> str | None:
    generator = next(iter(manifest.get("claim_generator_info", [])), {})
    return f"{generator.get('name')} {generator.get('version')}".strip() if generator else None


def _ingredient(ingredient: dict, reader: c2pa.Reader) -> Ingredient:
    """An ingredient as a manifest names it, with the generator of the manifest it carries (if it carries one) and
    whether that validated when it was added."""
    label = ingredient.get("active_manifest")
    own = (reader.get_manifest(label) or {}) if label else None
    return Ingredient(
        ingredient.get("title"),
        ingredient.get("relationship"),
        ingredient.get("instance_id"),
        None if own is None else _generator(own),
        None if own is None else not _problems(ingredient.get("validation_results") or {}),
    )


def _local_serial_number() -> str | None:
    """The serial number (decimal, as c2pa reports it) of this machine's own voxlip signing certificate; None before
    one is made."""
    from cryptography import x509

    signer = config_dir() / "c2pa" / "signer.pem"
    if not signer.is_file():
        return None
    return str(x509.load_pem_x509_certificate(signer.read_bytes()).serial_number)


def _known_anchors() -> bytes | None:
    anchors = b""
    local_ca = config_dir() / "c2pa" / "ca.pem"
    if local_ca.is_file():
        anchors += local_ca.read_bytes()
    if os.environ.get("VOXLIP_C2PA_TRUST_ANCHORS"):
        anchors += Path(os.environ["VOXLIP_C2PA_TRUST_ANCHORS"]).read_bytes()
    return anchors or None
