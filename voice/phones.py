"""Timed phones: what the voice stage says when, and what the offline lip-sync moves the mouth to."""

from __future__ import annotations

from typing import NamedTuple


class Phone(NamedTuple):
    """One phone and when it is said, in seconds from the start of its audio."""

    phone: str
    """Its name: ARPAbet (pocketsphinx), flite's CMU names, IPA or espeak mnemonics; "SIL"/"pau" for a pause."""
    start: float
    end: float
