"""Consent: voxlip only imitates a real person's voice or face when the caller states that person agreed."""

from __future__ import annotations

import numpy as np

from core.amounts import with_article
from core.errors import InputError

CONSENT_STATEMENT = (
    "I confirm that the person whose voice and/or face I provide has given me their explicit consent "
    "to create synthetic speech or video of them, or that I am that person, and that I will not use "
    "the result to deceive, defraud or defame anyone."
)


class ConsentError(InputError):
    """Output from a reference voice or face was asked for without a statement of consent."""


def require_consent(consent: bool, what: str = "a reference voice or face") -> str:
    """Return the consent statement if `consent` is True (a numpy True too: a bool); otherwise refuse with how to state
    it, naming what was given when it is no bool."""
    if consent is True or (isinstance(consent, np.bool_) and bool(consent)):
        return CONSENT_STATEMENT
    kind = with_article(type(consent).__name__)
    given = "" if isinstance(consent, (bool, np.bool_)) else f" consent={consent!r} is {kind}."
    raise ConsentError(
        f"voxlip imitates real people, so it needs their consent before it uses {what}.{given} "
        "If it is true, state it: pass consent=True (Python), --i-have-consent (command line) "
        f'or tick the consent box (demo). The statement you make: "{CONSENT_STATEMENT}"'
    )
