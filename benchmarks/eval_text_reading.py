"""How the bundled Piper voice reads what people type: money, decimals, titles, short forms, initials, units,
fractions, numbered references, addresses, Roman numerals, capitals and phone numbers.

    .venv/bin/python benchmarks/eval_text_reading.py [--seed 0]

Each sentence is spoken by the bundled joe voice at his own pace as voxlip says it unconverted (`--converter none`:
its quiet edges as OfflineVoice.speak keeps them) and scored by pocketsphinx's word errors against the words a reader
would say, and by DistillMOS. Run it from an older checkout (PYTHONPATH=<checkout>)
for the same table before a change. Needs the eval extra (README: "Measured").
"""

from __future__ import annotations

import argparse

import numpy as np
from common import run_script
from speech_judges import Judges, to_16k

from voice.offline.config import OfflineConfig
from voice.offline.engine import OfflineVoice

SENTENCES = (
    ("It costs $19.99 at the corner shop.", "it costs nineteen dollars and ninety nine cents at the corner shop"),
    (
        "The ticket was $5 and the meal $12.50 tonight.",
        "the ticket was five dollars and the meal twelve dollars and fifty cents tonight",
    ),
    ("Pi is about 3.14 and e is about 2.72.", "pi is about three point one four and e is about two point seven two"),
    ("The trail is 1.5 miles long.", "the trail is one point five miles long"),
    ("Mr. Smith met Dr. Jones at the station.", "mister smith met doctor jones at the station"),
    ("We left at 5 p.m. and came home late.", "we left at five p m and came home late"),
    ("Bring fruit, e.g. apples and pears.", "bring fruit for example apples and pears"),
    ("Ms. Lee teaches music to young children.", "miz lee teaches music to young children"),
    ("The house on Baker St. is painted blue.", "the house on baker street is painted blue"),
    ("J. K. Rowling wrote many long books.", "j k rowling wrote many long books"),
    ("Prof. Brown gave a short talk.", "professor brown gave a short talk"),
    ("The price rose to $1.5 million last year.", "the price rose to one point five million dollars last year"),
    ("The museum is 3 km from the station.", "the museum is three kilometers from the station"),
    ("Add 1/2 cup of milk and 2 tsp of sugar.", "add one half cup of milk and two teaspoons of sugar"),
    (
        "The box weighs 12 kg and costs $.99 to ship.",
        "the box weighs twelve kilograms and costs ninety nine cents to ship",
    ),
    ("See Fig. 2 on p. 14 for the results.", "see figure two on page fourteen for the results"),
    (
        "Send your notes to anna.lee@example.com by Friday.",
        "send your notes to anna dot lee at example dot com by friday",
    ),
    ("Visit example.org for the full story.", "visit example dot org for the full story"),
    ("Henry VIII had six wives.", "henry the eighth had six wives"),
    ("World War II ended in 1945.", "world war two ended in nineteen forty five"),
    ("PLEASE DO IT NOW, WE ARE LATE.", "please do it now we are late"),
    ("The car was going 60 mph on the road.", "the car was going sixty miles per hour on the road"),
    ("Chapter IV begins on a rainy night.", "chapter four begins on a rainy night"),
    ("Call me at 555-1234 after lunch.", "call me at five five five one two three four after lunch"),
    (
        "The office line is +1 555 123 4567 now.",
        "the office line is plus one five five five one two three four five six seven now",
    ),
)
"""(what is typed, the words said), written for this eval; none is tuned on."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0, help="first sentence's seed (default: %(default)s)")
    args = parser.parse_args()
    judges = Judges()
    voice = OfflineVoice(OfflineConfig(duration_factor=1.0), threads=2)
    errors = words = 0
    scores = []
    for i, (typed, said) in enumerate(SENTENCES):
        speech = voice.speak(typed, seed=args.seed + i)
        wave = to_16k(speech.samples, speech.sample_rate)
        wrong, count = judges.word_errors(wave, said)
        errors, words = errors + wrong, words + count
        scores.append(judges.distillmos(wave))
        print(f"{wrong:2d}/{count:2d} wrong  {typed}")
    print(f"WER {errors / words:.3f} ({errors}/{words} words), DistillMOS {np.mean(scores):.3f}")


if __name__ == "__main__":
    run_script(main)
