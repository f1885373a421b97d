"""Equal error rate of voxlip's speaker encoder on the shared LibriSpeech speakers (halves of one file = same speaker).

.venv/bin/python benchmarks/eval_speaker_verification.py [--data DIR] [--checkpoint NAME_OR_PATH]

A recording voxlip cannot clone a voice from (speech_data.usable_recordings), or one of whose halves has too little
speech to be embedded alone (voice.verification.half_split_trials), is named with the reason as it is left out, and
again after the table.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from common import add_threads_flag, run_script, said_with_flags, speech_dir
from speech_data import Skipped, recordings, too_few, usable_recordings

from voice.encoder import load_encoder
from voice.verification import half_split_trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data", type=Path, default=speech_dir(), help="folder of one recording per speaker (default: %(default)s)"
    )
    parser.add_argument("--checkpoint", default="resemblyzer", help="encoder name or path (default: %(default)s)")
    add_threads_flag(parser)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    skipped = Skipped()
    files = recordings(args.data, skipped)
    with said_with_flags({"encoder=": "--checkpoint"}):
        encoder = load_encoder(args.checkpoint)
    files = usable_recordings(files, encoder, skipped)
    if len(files) < 2:
        raise too_few(2, "speakers", args.data, files, skipped)
    result = half_split_trials(files, encoder, skipped)
    print(f"encoder {args.checkpoint}, data {args.data}")
    print(result.summary())


if __name__ == "__main__":
    run_script(main)
