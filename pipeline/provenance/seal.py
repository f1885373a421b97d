"""What a result was when voxlip made it: a digest of what its provenance record and content credentials are made from.

A Speech's samples, rate, text, components, the recordings it names, consent, its mark's strength and settings; a
Clip's components, inputs, text, consent, label, its soundtrack mark's strength and settings (its MP4's frames and
sound are checked for voxlip's marks when it is saved). `Speech.save` and `Clip.save` compare the seal with the
result they are given, so that one built by hand (with no seal), or one whose recorded fields changed since voxlip
made it, is refused rather than signed as voxlip's output. It guards against mistakes, not against someone who calls
`seal` on a result of their own: voxlip is open code.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np

from core.files import sha256_array


def seal(recorded: tuple) -> bytes:
    """The seal of a result whose record is made from `recorded`: arrays (samples) by their dtype, shape and data's
    sha256, any other value by its repr, which says all that plain values, paths, and tuples, dicts and dataclasses of
    them hold."""
    described = tuple(
        ("array", part.dtype.str, part.shape, sha256_array(part)) if isinstance(part, np.ndarray) else part
        for part in recorded
    )
    return hashlib.sha256(repr(described).encode("utf-8")).digest()


def is_sealed(recorded: tuple, given: bytes | None) -> bool:
    """Whether `given` is the seal voxlip put on a result whose record was made from `recorded`."""
    return isinstance(given, bytes) and hmac.compare_digest(given, seal(recorded))
