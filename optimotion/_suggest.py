"""The "did you mean" of every error message: the closest valid name to a typo."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: object, choices: Iterable[str], *, lead: str = "; ") -> str:
    """`"; did you mean 'adam'?"` (after `lead`) for the choice closest to `word`,
    ignoring case, or `""` if none is close (difflib's ratio below 0.6). The same
    word in other case comes first, then a choice one typo away (a letter added,
    dropped, changed or two swapped).

    >>> did_you_mean("Adma", ["adam", "adamax", "sgd"], lead=" — ")
    " — did you mean 'adam'?"
    """
    if not isinstance(word, str):
        return ""
    by_lower = {c.lower(): c for c in choices}
    word = word.lower()
    typo = (
        [word]
        if word in by_lower
        else sorted(c for c in by_lower if _one_typo(word, c))
    )
    match = typo or difflib.get_close_matches(word, list(by_lower), n=1)
    return f"{lead}did you mean {by_lower[match[0]]!r}?" if match else ""


def _one_typo(a: str, b: str) -> bool:
    """True if `b` is `a` with one letter added, dropped, changed, or two
    neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        a[i + 1 : i + 2] + a[i : i + 1] == b[i : i + 2] and a[i + 2 :] == b[i + 2 :]
    )
