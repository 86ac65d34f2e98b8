"""The "did you mean" of every error message: the closest valid name to a typo."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[str], *, lead: str = "; ") -> str:
    """`"; did you mean 'adam'?"` (after `lead`) for the choice closest to `word`,
    ignoring case, or `""` if none is close (difflib's ratio below 0.6).

    >>> did_you_mean("Adma", ["adam", "sgd"], lead=" — ")
    " — did you mean 'adam'?"
    """
    if not isinstance(word, str):
        return ""
    by_lower = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(word.lower(), list(by_lower), n=1)
    return f"{lead}did you mean {by_lower[match[0]]!r}?" if match else ""
