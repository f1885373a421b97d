"""Speaker similarity, intelligibility and speed of the offline voice on the shared LibriSpeech speakers.

    .venv/bin/python benchmarks/eval_offline_voice.py [--speakers 40] [--sentences 20] [--reading-blend 0.65]

For every speaker (its one recording is the reference) and sentence: the GE2E cosine between the
reference and (a) the chosen flite voice unconverted, (b) the best of all flite voices unconverted,
(c) the offline voice; pocketsphinx WER of (a) and (c); synthesis time per second of audio.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import torch

from voice.encoder import load_encoder
from voice.offline.config import DEFAULT
from voice.offline.evaluate import format_table, score_speaker
from voice.recognition import PocketsphinxRecognizer

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "speech" / "librispeech"

SENTENCES = [
    "The old lighthouse keeper painted his boat a bright shade of green.",
    "Please remember to bring an umbrella when you visit the northern valley.",
    "A small brown dog chased the red ball across the quiet garden.",
    "We arrived at the station just as the evening train was leaving.",
    "She poured fresh water into the tall glass vase by the window.",
    "The children built a sandcastle near the edge of the rocky shore.",
    "Every morning the baker opens his shop before the sun comes up.",
    "My grandfather kept his letters in a box under the stairs.",
    "The committee will announce its decision at the end of the month.",
    "Heavy rain flooded the road, so we took the long way home.",
    "He tuned the old piano carefully before the concert began.",
    "Nobody could find the key to the attic after the party.",
    "The farmer sold his apples and pears at the weekly market.",
    "Turn left at the church and walk until you see the bakery.",
    "Our teacher read us a story about a clever fox and a crow.",
    "The ship sailed slowly out of the harbour in the thick fog.",
    "I would like a cup of tea with a little milk, please.",
    "They painted the fence white and planted roses along the path.",
    "The museum opens at nine and closes at five on weekdays.",
    "After dinner we played cards and listened to the radio.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="folder of *.flac, one speaker per file (default: %(default)s)"
    )
    parser.add_argument(
        "--speakers", type=int, default=40, help="first N speakers in name order (default: %(default)s)"
    )
    parser.add_argument(
        "--sentences", type=int, default=len(SENTENCES), help="first N of the 20 sentences (default: %(default)s)"
    )
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default: %(default)s)")
    parser.add_argument(
        "--reading-blend",
        type=float,
        default=DEFAULT.reading_blend,
        help="share of the reference's own same-phone envelopes mixed in; 0: spectral map alone (default: %(default)s)",
    )
    args = parser.parse_args()
    config = dataclasses.replace(DEFAULT, reading_blend=args.reading_blend)
    torch.set_num_threads(args.threads)
    files = sorted(args.data.glob("*.flac"))[: args.speakers]
    if not files:
        raise SystemExit(f"no .flac files in {args.data}")
    encoder, recognizer = load_encoder(), PocketsphinxRecognizer()
    sentences = SENTENCES[: args.sentences]
    results = []
    for path in files:
        results.append(score_speaker(path, sentences, encoder, recognizer, config))
        print(f"  {path.stem}: converted {sum(results[-1].converted_similarity) / len(sentences):.3f}", flush=True)
    print(format_table(results))


if __name__ == "__main__":
    main()
