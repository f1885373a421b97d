"""What every benchmark script shares: where the shared data is, and how a script ends on voxlip's own errors.

A script's `if __name__ == "__main__":` calls `run_script(main)`; nothing here runs at import.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from core.errors import VoxlipError


def shared_dir() -> Path:
    """The shared data and compat folder: $VOXLIP_SHARED, else `../shared` beside the repository (as the tests
    find it, tests/conftest.py). The one place a benchmark looks for it."""
    return Path(os.environ.get("VOXLIP_SHARED", Path(__file__).resolve().parents[2] / "shared")).resolve()


def speech_dir() -> Path:
    """The shared LibriSpeech recordings, one per speaker."""
    return shared_dir() / "data" / "speech" / "librispeech"


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
