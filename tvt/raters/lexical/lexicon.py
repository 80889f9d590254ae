"""The distress/arousal lexicon and the language score of a piece of client speech.

The word list is ``seeds/lexicon/distress.json`` (documented in ``seeds/lexicon/README.md``).
A turn's language score is the mean of a VADER negativity term ``(1 - compound) / 2`` and a
lexicon term ``0.5 + 0.5 * tanh(x / 2)`` with ``x = 10 * (distress weight - calm weight) /
max(tokens, 10)``; both are 0.5 for neutral text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from tvt.raters.lexical.vader import vader_compound
from tvt.resources import load_seed_json

_APOS = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@dataclass(frozen=True)
class Lexicon:
    """Phrases (as token tuples) with signed weights: distress positive, calm negative."""

    terms: dict[tuple[str, ...], float]
    #: first word -> [(phrase, weight)], longest phrase first
    by_first: dict[str, list[tuple[tuple[str, ...], float]]]
    negators: frozenset[str]
    version: str


@cache
def load_lexicon() -> Lexicon:
    """Load ``seeds/lexicon/distress.json``."""
    data = load_seed_json("lexicon", "distress.json")
    terms: dict[tuple[str, ...], float] = {}
    for sign, key in ((1.0, "distress"), (-1.0, "calm")):
        for phrase, weight in data[key].items():
            terms[tuple(tokenize(phrase))] = sign * float(weight)
    by_first: dict[str, list[tuple[tuple[str, ...], float]]] = {}
    for phrase, weight in sorted(terms.items(), key=lambda kv: (-len(kv[0]), kv[0])):
        by_first.setdefault(phrase[0], []).append((phrase, weight))
    negators = frozenset(tuple(tokenize(n))[0] for n in data["negators"] if " " not in n)
    return Lexicon(terms, by_first, negators, str(data["version"]))


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, keeping contractions ("can't", "i'm") whole."""
    return _TOKEN_RE.findall(text.lower().translate(_APOS))


def lexicon_balance(tokens: Sequence[str], lexicon: Lexicon | None = None) -> tuple[float, float]:
    """Summed distress and calm weights found in ``tokens``.

    Longest phrases match first and consume their words. A term with a negator among the three
    words before it ("not scared", "don't feel safe") counts for the opposite side at half
    weight.
    """
    lex = lexicon or load_lexicon()
    by_first = lex.by_first
    negators = lex.negators
    distress = calm = 0.0
    i, n = 0, len(tokens)
    while i < n:
        candidates = by_first.get(tokens[i])
        if candidates is None:
            i += 1
            continue
        match = next(
            (
                (len(phrase), w)
                for phrase, w in candidates
                if len(phrase) == 1 or tuple(tokens[i : i + len(phrase)]) == phrase
            ),
            None,
        )
        if match is None:
            i += 1
            continue
        size, weight = match
        if any(t in negators or t.endswith("n't") for t in tokens[max(0, i - 3) : i]):
            weight = -weight / 2
        if weight > 0:
            distress += weight
        else:
            calm -= weight
        i += size
    return distress, calm


def language_score(text: str, lexicon: Lexicon | None = None) -> tuple[float, int]:
    """Distress of one piece of client speech, 0 (calm) to 1 (extreme), and its token count."""
    tokens = tokenize(text)
    if not tokens:
        return 0.5, 0
    distress, calm = lexicon_balance(tokens, lexicon)
    x = 10.0 * (distress - calm) / max(len(tokens), 10)
    lex_part = 0.5 + 0.5 * math.tanh(x / 2.0)
    vader_part = (1.0 - vader_compound(tokens)) / 2.0
    return (lex_part + vader_part) / 2.0, len(tokens)


def client_turn_scores(turns: Sequence[Mapping[str, Any]]) -> list[tuple[int, float, int]]:
    """``(turn index, language score, tokens)`` for every client turn with words."""
    lex = load_lexicon()
    out = []
    for i, t in enumerate(turns):
        if t.get("speaker") != "client":
            continue
        score, n_tokens = language_score(str(t.get("text", "")), lex)
        if n_tokens:
            out.append((i, score, n_tokens))
    return out
