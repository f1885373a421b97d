"""The `voxlip` command line (also `python -m pipeline`)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from . import checkpoints
from .errors import InputError, VoxlipError
from .version import __version__


def _device(name: str) -> str:
    if name != "auto":
        return name
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _save_array(path: Path, array: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".npy", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        np.save(f, array)
    os.replace(tmp, path)


def cmd_embed(args: argparse.Namespace) -> int:
    from voice.encoder import load_encoder, similarity

    if len(args.audio) > 2:
        raise InputError("give one recording (to print its embedding) or two (to compare them)")
    encoder = load_encoder(args.checkpoint, _device(args.device))
    embeddings = [encoder.embed_utterance(path) for path in args.audio]
    if len(embeddings) == 1:
        values = " ".join(f"{v:.3f}" for v in embeddings[0][:6])
        print(f"{args.audio[0]}: {embeddings[0].size}-d speaker embedding [{values} ...] (encoder {encoder.checkpoint_name})")
    else:
        threshold = encoder.config.same_speaker_threshold if args.threshold is None else args.threshold
        score = similarity(*embeddings)
        verdict = "same speaker" if score >= threshold else "different speakers"
        print(f"cosine similarity {score:.3f}: {verdict} (threshold {threshold:.2f}, encoder {encoder.checkpoint_name})")
    if args.save:
        _save_array(args.save, np.stack(embeddings))
        print(f"saved {len(embeddings)} embedding(s) to {args.save}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from .download import fetch

    if args.url and len(args.names) != 1:
        raise InputError("--url needs exactly one checkpoint name")
    for name in args.names:
        path = fetch(name, root=args.dir, url=args.url, progress=not args.quiet)
        spec = checkpoints.get(name)
        digest = checkpoints.sha256sum(path)
        check = "matches the published sha256" if spec.sha256 else "no published sha256 to compare; size checked"
        print(f"{name}: {path} ({path.stat().st_size:,} bytes, sha256 {digest}, {check})")
    return 0


def cmd_checkpoints(args: argparse.Namespace) -> int:
    for spec in checkpoints.registry().values():
        try:
            path = checkpoints.local_path(spec, args.dir)
            status = "embedded" if spec.embedded_in else ("present" if path.is_file() else "missing")
        except VoxlipError:
            path, status = spec.filename, "missing"
        print(f"{spec.name:22} {spec.family:16} {status:9} {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voxlip",
        description="Clone a voice from a few seconds of speech and make a face speak it.",
    )
    parser.add_argument("--version", action="version", version=f"voxlip {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks of unexpected errors (default: off)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    embed = commands.add_parser("embed", help="speaker embedding of a recording, or the similarity of two")
    embed.add_argument("audio", nargs="+", help="one or two recordings (wav, flac, mp3, ogg, m4a, webm, ...)")
    embed.add_argument("--checkpoint", default="resemblyzer", help="encoder name or file (default: %(default)s, embedded)")
    embed.add_argument("--threshold", type=float, default=None, help="same-speaker cosine threshold (default: the encoder's, 0.71)")
    embed.add_argument("--save", type=Path, default=None, help="write the embedding(s) to this .npy file (default: none)")
    embed.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"], help="where to run (default: %(default)s)")
    embed.set_defaults(run=cmd_embed)

    fetch = commands.add_parser("fetch", help="download public checkpoints, verified, into the cache")
    fetch.add_argument("names", nargs="+", metavar="NAME", help="checkpoint names, see `voxlip checkpoints`")
    fetch.add_argument("--dir", type=Path, default=None, help="store here instead of the cache (default: $VOXLIP_CACHE or $XDG_CACHE_HOME/voxlip)")
    fetch.add_argument("--url", default=None, help="download from this mirror instead of the published URL (default: published)")
    fetch.add_argument("--quiet", action="store_true", help="no progress bar (default: off)")
    fetch.set_defaults(run=cmd_fetch)

    listing = commands.add_parser("checkpoints", help="list every checkpoint voxlip knows and whether it is here")
    listing.add_argument("--dir", type=Path, default=None, help="look here instead of the cache (default: the cache)")
    listing.set_defaults(run=cmd_checkpoints)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(format="voxlip: note: %(message)s", level=logging.WARNING)
    try:
        return args.run(args)
    except VoxlipError as e:
        print(f"voxlip: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("voxlip: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        if args.debug:
            raise
        print(
            f"voxlip: internal error ({type(e).__name__}: {e}); run again with --debug for the traceback "
            "and please report it",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
