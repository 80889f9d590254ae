"""VADER's compound score, streamlined: the language signal's sentiment half.

Computed from VADER's own lexicon, booster list and constants with its core rules (valence
lookup, boosters and negation over the three preceding words, the "but" shift, the
``x / sqrt(x^2 + 15)`` normalisation); idioms, capitals and punctuation emphasis are left out.
The full ``polarity_scores`` runs at about 0.4 ms per client turn -- 20 s for a 500-client
dataset -- which is too slow for a baseline meant to run in seconds; the tests check that this
streamlined score tracks the full one closely.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

from vaderSentiment import vaderSentiment as vs


@cache
def _vader() -> tuple[dict[str, float], dict[str, float], frozenset[str], float]:
    analyzer = vs.SentimentIntensityAnalyzer()
    negate = frozenset(w.lower() for w in vs.NEGATE)
    return analyzer.lexicon, vs.BOOSTER_DICT, negate, vs.N_SCALAR


def _negated(word: str, negate: frozenset[str]) -> bool:
    return word in negate or "n't" in word


def vader_compound(tokens: Sequence[str]) -> float:
    """VADER's compound score (-1..1) of lowercase ``tokens``, from its lexicon and core rules."""
    lexicon, boosters, negate, n_scalar = _vader()
    sentiments: list[float] = []
    for i, tok in enumerate(tokens):
        valence = lexicon.get(tok, 0.0)
        if valence == 0.0 or tok in boosters:
            sentiments.append(0.0)
            continue
        for back, decay in ((1, 1.0), (2, 0.95), (3, 0.9)):
            if i - back < 0:
                break
            prev = tokens[i - back]
            if prev in boosters:
                b = boosters[prev]
                valence += (b if valence > 0 else -b) * decay
            if _negated(prev, negate):
                valence *= n_scalar
        sentiments.append(valence)
    if "but" in tokens:
        k = tokens.index("but")
        sentiments = [s * 0.5 for s in sentiments[:k]] + [s * 1.5 for s in sentiments[k:]]
    total = sum(sentiments)
    if total == 0.0:
        return 0.0
    return max(-1.0, min(1.0, total / math.sqrt(total * total + 15.0)))
