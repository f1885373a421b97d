"""Proof that voxlip made a Speech, marked, with the consent it took: a keyed hash of its samples, rate and consent.

The key is this process's own, made at import and kept nowhere, so a Speech built by hand, or changed since voxlip
made it, carries no seal that matches: `Speech.save` refuses it rather than sign someone's recording as voxlip's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import numpy as np

_KEY = secrets.token_bytes(32)


def seal(samples: np.ndarray, sample_rate: int, consent: str) -> bytes:
    """The seal of speech voxlip made and marked (`samples` at `sample_rate`), with `consent` the statement it took."""
    samples = np.ascontiguousarray(samples)
    keyed = hmac.new(_KEY, digestmod=hashlib.sha256)
    for part in (repr((sample_rate, samples.dtype.str, samples.shape)), consent):
        keyed.update(part.encode("utf-8") + b"\0")
    keyed.update(memoryview(samples).cast("B"))
    return keyed.digest()


def is_sealed(samples: np.ndarray, sample_rate: int, consent: str | None, given: bytes | None) -> bool:
    """Whether `given` is the seal voxlip put on these samples, at this rate, with this consent."""
    if not isinstance(given, bytes) or not isinstance(consent, str) or not isinstance(samples, np.ndarray):
        return False
    return hmac.compare_digest(given, seal(samples, sample_rate, consent))
