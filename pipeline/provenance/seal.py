"""What a Speech was when voxlip made it, marked, with the consent it took: a digest of its samples, rate and consent.

`Speech.save` compares it with the Speech it is given, so that a Speech built by hand (with no seal), or whose
samples, rate or consent changed since voxlip made it, is refused rather than signed as voxlip's output. It guards
against mistakes, not against someone who calls `seal` on audio of their own: voxlip is open code.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np


def seal(samples: np.ndarray, sample_rate: int, consent: str) -> bytes:
    """The seal of speech voxlip made and marked (`samples` at `sample_rate`), with `consent` the statement it took."""
    samples = np.ascontiguousarray(samples)
    digest = hashlib.sha256()
    for part in (repr((sample_rate, samples.dtype.str, samples.shape)), consent):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(memoryview(samples).cast("B"))
    return digest.digest()


def is_sealed(samples: np.ndarray, sample_rate: int, consent: str | None, given: bytes | None) -> bool:
    """Whether `given` is the seal voxlip put on these samples, at this rate, with this consent."""
    if not isinstance(given, bytes) or not isinstance(consent, str) or not isinstance(samples, np.ndarray):
        return False
    return hmac.compare_digest(given, seal(samples, sample_rate, consent))
