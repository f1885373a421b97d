"""What every benchmark script shares: where the shared data is, how a script ends on voxlip's own errors, and
whether it times bfloat16 on this CPU.

A script's `if __name__ == "__main__":` calls `run_script(main)`; nothing here runs at import.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from core.errors import VoxlipError
from voice.precision import bfloat16_is_emulated

BFLOAT16_CHOICES = ("auto", "run", "skip")


def shared_dir() -> Path:
    """The shared data and compat folder: $VOXLIP_SHARED, else `../shared` beside the repository (as the tests
    find it, tests/conftest.py). The one place a benchmark looks for it."""
    return Path(os.environ.get("VOXLIP_SHARED", Path(__file__).resolve().parents[2] / "shared")).resolve()


def speech_dir(shared: Path | None = None) -> Path:
    """The shared LibriSpeech recordings, one per speaker, in `shared` (default: shared_dir())."""
    return (shared or shared_dir()) / "data" / "speech" / "librispeech"


def run_script(main: Callable[[], None]) -> None:
    """Run a benchmark's `main` with stdout flushed per line (a redirected log shows each row as it is timed); one
    of voxlip's own errors (a missing or unreadable input, a wrong checkpoint) ends it with one line,
    `<script>: error: <message>`, and exit status 1, not a traceback."""
    sys.stdout.reconfigure(line_buffering=True)
    try:
        main()
    except VoxlipError as error:
        print(f"{Path(sys.argv[0]).name}: error: {error}", file=sys.stderr)
        raise SystemExit(1) from None


@contextlib.contextmanager
def said_with_flags(flags: dict[str, str]) -> Iterator[None]:
    """voxlip's errors raised in the block in the script's words: each of the Python API's arguments in `flags` (e.g.
    "encoder=", which the messages name) said as the script's flag that gives it (e.g. "--checkpoint")."""
    try:
        yield
    except VoxlipError as error:
        message = str(error)
        for argument, flag in flags.items():
            message = message.replace(argument, flag)
        error.args = (message,)
        raise


def add_bfloat16_flag(parser: argparse.ArgumentParser) -> None:
    """`--bfloat16 auto|run|skip`: whether the bfloat16 rows are timed (auto: only on a CPU with its instructions)."""
    parser.add_argument(
        "--bfloat16",
        choices=BFLOAT16_CHOICES,
        default="auto",
        help="time the bfloat16 rows: auto times them only on a CPU with bfloat16 instructions (AVX512-BF16 or AMX) "
        "and says why it skips them elsewhere, where they run many times slower than float32 (default: %(default)s)",
    )


def bfloat16_rows(choice: str) -> bool:
    """Whether to time the bfloat16 rows for `--bfloat16 choice`; a skip is said, with its reason, on stdout."""
    if choice == "skip":
        print("bfloat16 rows skipped: --bfloat16 skip")
        return False
    if choice == "auto" and bfloat16_is_emulated():
        print(
            "bfloat16 rows skipped: this CPU has no instructions for bfloat16 products (AVX512-BF16 or AMX), so torch "
            "emulates them, many times slower than float32 here; --bfloat16 run times them anyway"
        )
        return False
    return True


def positive(kind: type) -> Callable[[str], float]:
    """An argparse type: a number of `kind` above 0, or a message saying so."""

    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not value > 0:
            number = "whole number" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"{text!r} is not a {number} above 0: give e.g. 1")
        return value

    return parse


def add_threads_flag(parser: argparse.ArgumentParser) -> None:
    """`--threads N`: the CPU threads a benchmark's models use (the script hands it to torch, and to onnxruntime where
    it runs the Piper voice)."""
    parser.add_argument(
        "--threads", type=positive(int), default=2, help="CPU threads the models use (default: %(default)s)"
    )
