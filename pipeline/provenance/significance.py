"""How many tests of a mark may be made on one file: all of them share the false-positive budget of one.

Each mark's test is bounded by Hoeffding, P(z >= t) <= exp(-t^2 / 2) on input without the mark; of `tests` tests
(parts, channels, tracks, runs of frames), the best passes by chance no more often than one at `threshold` when
each needs the z that makes `tests` times its bound equal to one test's at the threshold (Bonferroni).
"""

from __future__ import annotations

import math


def needed_z(threshold: float, tests: int) -> float:
    """The z each of `tests` tests needs, for all of them together to be as sure as one test at `threshold`."""
    return math.sqrt(threshold**2 + 2 * math.log(tests))


def false_positive_bound(score: float, tests: int, tries: int = 1) -> float:
    """The bound on the chance that input without the mark scores `score` in the best of `tests` tests, each the best
    of `tries` (a search's offsets and phases)."""
    return min(1.0, tests * tries * math.exp(-(max(score, 0.0) ** 2) / 2))
