"""The lexical rater's scoring rule: language score and SUDS -> one intensity from 1 to 10.

``language = 1 + 9 * clip((L - 0.3) / 0.45, 0, 1)``; ``suds = 1 + 9 * SUDS / 100``; the rating is
``0.6 * suds + 0.4 * language`` when SUDS was stated, else ``language``. The constants were chosen
before any tvt data existed and have not been fitted (docs/benchmark.md).
"""

from __future__ import annotations

from collections.abc import Iterable

#: Weights of the two signals when SUDS was stated.
SUDS_WEIGHT = 0.6
#: Language score L (0..1) mapped linearly from [LOW, LOW + SPAN] onto [1, 10].
LANGUAGE_LOW = 0.30
LANGUAGE_SPAN = 0.45
#: Turn weights stop growing at this many tokens, so one monologue does not drown the rest.
TOKEN_CAP = 40


def language_to_intensity(score: float) -> float:
    """Map a language score (0..1) to 1..10."""
    return 1.0 + 9.0 * min(max((score - LANGUAGE_LOW) / LANGUAGE_SPAN, 0.0), 1.0)


def suds_to_intensity(suds: float) -> float:
    """Map a SUDS (0..100) to 1..10."""
    return 1.0 + 9.0 * min(max(suds, 0.0), 100.0) / 100.0


def combine(suds: float | None, language: float | None) -> float | None:
    """The documented rating rule; ``None`` when there is no evidence at all."""
    if suds is None:
        return None if language is None else language_to_intensity(language)
    if language is None:
        return suds_to_intensity(suds)
    return SUDS_WEIGHT * suds_to_intensity(suds) + (1 - SUDS_WEIGHT) * language_to_intensity(
        language
    )


def rounded(value: float | None) -> float | None:
    """A rating as written: clipped to [1, 10] and rounded to 0.01 (``None`` stays ``None``)."""
    return None if value is None else round(min(max(value, 1.0), 10.0), 2)


def weighted_language(scores: Iterable[tuple[int, float, int]]) -> float | None:
    """A conversation's language score from ``(turn, score, tokens)`` of its client turns.

    The turns' scores averaged with weights ``min(tokens, TOKEN_CAP)``; ``None`` without words.
    """
    pairs = [(min(n, TOKEN_CAP), sc) for _, sc, n in scores]
    total = sum(w for w, _ in pairs)
    return sum(w * sc for w, sc in pairs) / total if total else None
