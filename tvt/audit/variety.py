"""Diversity: the corpus figures of :mod:`tvt.diversity` (shared with the composer report) and
the per-conversation flag of conversations that repeat their own sentences."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tvt.audit.findings import Findings
from tvt.audit.load import ConversationView
from tvt.audit.rules import Rules
from tvt.diversity import CorpusFigures, SpeakerFigures, measure

#: n-gram lengths of the distinct-n figures (those of :func:`tvt.diversity.measure`)
NGRAMS = (2, 3)
#: Bits of a word id in an n-gram key: n ids in one int64 (as :mod:`tvt.diversity` packs them).
_BITS = 21
#: Sentences shown per speaker (``top`` of :func:`tvt.diversity.measure`).
TOP_SENTENCES = 10


def self_repeats(conv: ConversationView, min_words: int) -> list[int]:
    """Client turns holding a sentence (of ``min_words`` words or more) said earlier in ``conv``.

    The same rule as ``self_repeating_conversations`` of :func:`tvt.diversity.measure`.
    """
    seen: dict[str, int] = {}
    repeats: dict[str, list[int]] = defaultdict(list)
    for i, turn in enumerate(conv.turns):
        if turn.speaker != "client":
            continue
        for s, count in turn.sentences:
            if count < min_words:
                continue
            if s in seen:
                repeats[s].append(i)
            else:
                seen[s] = i
    turns = {seen[s] for s in repeats} | {i for v in repeats.values() for i in v}
    return sorted(turns)


def self_repeating(conv: ConversationView, rules: Rules, found: Findings) -> None:
    found.eligible("diversity.self_repeating")
    turns = self_repeats(conv, rules.t("self_repeat_min_words"))
    if turns:
        found.flag("diversity.self_repeating", conv, turns)


@dataclass
class _SpeakerPart:
    """What one part of a dataset holds towards one speaker's figures (:class:`FiguresPart`)."""

    turns: int = 0
    words: int = 0
    #: sentence -> conversations of the part it is in (in the order :func:`measure` counts them)
    spread: Counter[str] = field(default_factory=Counter)
    #: sentence -> its occurrences (sentences of ``min_words`` words or more)
    occurrences: Counter[str] = field(default_factory=Counter)
    #: the part's words (their ids are their places) and, per n, its distinct n-gram keys
    vocab: list[str] = field(default_factory=list)
    keys: dict[int, Any] = field(default_factory=dict)
    totals: dict[int, int] = field(default_factory=dict)


@dataclass
class FiguresPart:
    """The variety figures of a run of consecutive conversations, before they are merged.

    Worker processes measure their own conversations (:func:`figures_part`); the parent merges the
    parts in dataset order (:func:`merge_parts`) into the figures :func:`tvt.diversity.measure`
    gives of the whole dataset: counts add up, the first conversation of a sentence decides its
    place among ties (as in one pass), and the distinct n-grams are the union of the parts'
    (their word ids translated into one vocabulary).
    """

    conversations: int = 0
    self_repeating: int = 0
    speakers: dict[str, _SpeakerPart] = field(default_factory=dict)


def figures_part(conversations: Iterable[ConversationView], rules: Rules) -> FiguresPart:
    """The :class:`FiguresPart` of ``conversations`` (the same definitions as :func:`measure`)."""
    min_words = rules.t("diversity_min_words")
    self_min_words = rules.t("self_repeat_min_words")
    part = FiguresPart()
    tokens: dict[str, list[str]] = {}  # per speaker: the words of its turns, "" after each turn
    for conv in conversations:
        part.conversations += 1
        seen: dict[str, set[str]] = {}
        own: Counter[str] = Counter()
        for turn in conv.turns:
            speaker = turn.speaker
            sp = part.speakers.get(speaker)
            if sp is None:
                sp = part.speakers[speaker] = _SpeakerPart()
                tokens[speaker] = []
            sp.turns += 1
            found = turn.diversity_words
            sp.words += len(found)
            flat = tokens[speaker]
            flat += found
            flat.append("")  # no word is empty: the end of a turn (no n-gram spans two)
            for s, count in turn.sentences:
                if count >= min_words:
                    sp.occurrences[s] += 1
                    seen.setdefault(speaker, set()).add(s)
                if speaker == "client" and count >= self_min_words:
                    own[s] += 1
        for speaker, sents in seen.items():
            part.speakers[speaker].spread.update(sorted(sents))
        if own and max(own.values()) > 1:
            part.self_repeating += 1
    for speaker, flat in tokens.items():
        sp = part.speakers[speaker]
        ids = dict.fromkeys(flat)
        ids.pop("", None)
        sp.vocab = list(ids)
        index = {w: i for i, w in enumerate(sp.vocab)}
        index[""] = -1
        arr = np.fromiter(map(index.__getitem__, flat), dtype=np.int64, count=len(flat))
        for n in NGRAMS:
            sp.keys[n], sp.totals[n] = _ngram_keys(arr, n)
    return part


def _ngram_keys(ids: Any, n: int) -> tuple[Any, int]:
    """The distinct keys (ids packed in base 2**21) of the n-grams of ``ids`` that hold no -1,
    and the number of those n-grams."""
    if len(ids) < n:
        return np.zeros(0, dtype=np.int64), 0
    win = np.lib.stride_tricks.sliding_window_view(ids, n)
    win = win[(win >= 0).all(axis=1)]
    keys = win[:, 0].copy()
    for k in range(1, n):
        keys <<= _BITS
        keys |= win[:, k]
    return _distinct(keys), len(win)


def _distinct(keys: Any) -> Any:
    """The distinct values of an int64 array, sorted: ``np.unique`` by a sort (numpy 2.x's
    ``np.unique`` hashes, which is many times slower on millions of n-gram keys)."""
    if len(keys) == 0:
        return keys
    keys = np.sort(keys)
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    return keys[new]


def merge_parts(
    parts: Sequence[FiguresPart],
    rules: Rules,
    conversations: Iterable[ConversationView] | None = None,
) -> CorpusFigures:
    """The figures of the conversations of ``parts`` (consecutive runs, in dataset order).

    When the words are too many for 21-bit ids (two million different words), the figures are
    measured again from ``conversations`` with :func:`tvt.diversity.measure`.
    """
    threshold = rules.t("diversity_threshold_conversations")
    min_words = rules.t("diversity_min_words")
    figures: dict[str, SpeakerFigures] = {}
    spread: dict[str, Counter[str]] = {}
    occurrences: dict[str, Counter[str]] = {}
    vocab: dict[str, dict[str, int]] = {}
    keys: dict[str, dict[int, list[Any]]] = {}
    totals: dict[str, dict[int, int]] = {}
    for part in parts:
        for speaker, sp in part.speakers.items():
            fig = figures.get(speaker)
            if fig is None:
                fig = figures[speaker] = SpeakerFigures()
                spread[speaker], occurrences[speaker], vocab[speaker] = Counter(), Counter(), {}
                keys[speaker] = {n: [] for n in NGRAMS}
                totals[speaker] = dict.fromkeys(NGRAMS, 0)
            fig.turns += sp.turns
            fig.words += sp.words
            # in part order: a sentence keeps the place of its first conversation
            spread[speaker].update(sp.spread)
            occurrences[speaker].update(sp.occurrences)
            v = vocab[speaker]
            lut = np.fromiter(
                (v.setdefault(w, len(v)) for w in sp.vocab), dtype=np.int64, count=len(sp.vocab)
            )
            if len(v) >= 1 << _BITS:
                if conversations is None:
                    raise ValueError("too many different words to merge the parts")
                return corpus_figures(conversations, rules)
            for n in NGRAMS:
                totals[speaker][n] += sp.totals[n]
                keys[speaker][n].append(_translate(sp.keys[n], lut, n))
    for speaker, fig in figures.items():
        occ = occurrences[speaker]
        fig.sentences = sum(occ.values())
        fig.recurring_sentences = sum(c for s, c in occ.items() if spread[speaker][s] > threshold)
        fig.distinct = {
            n: len(_distinct(np.concatenate(keys[speaker][n]))) / totals[speaker][n]
            if totals[speaker][n]
            else 0.0
            for n in NGRAMS
        }
        fig.top_sentences = spread[speaker].most_common(TOP_SENTENCES)
    return CorpusFigures(
        conversations=sum(p.conversations for p in parts),
        speakers=figures,
        self_repeating_conversations=sum(p.self_repeating for p in parts),
        threshold=threshold,
        min_words=min_words,
    )


def _translate(keys: Any, lut: Any, n: int) -> Any:
    """``keys`` of n-grams with their word ids translated through ``lut`` (part -> merged)."""
    mask = (1 << _BITS) - 1
    out = np.zeros_like(keys)
    for k in range(n):
        shift = _BITS * (n - 1 - k)
        out <<= _BITS
        out |= lut[(keys >> shift) & mask]
    return out


def corpus_figures(conversations: Iterable[ConversationView], rules: Rules) -> CorpusFigures:
    """The variety figures of the whole dataset (one definition, in :mod:`tvt.diversity`)."""
    return measure(
        ([{"speaker": t.speaker, "text": t.text} for t in c.turns] for c in conversations),
        threshold=rules.t("diversity_threshold_conversations"),
        min_words=rules.t("diversity_min_words"),
        self_min_words=rules.t("self_repeat_min_words"),
    )


def figures_as_measures(fig: CorpusFigures) -> dict[str, Any]:
    """The figures as flat measures (``diversity.<speaker>_<figure>``) for tables and --fail-on."""
    out: dict[str, Any] = {}
    for speaker, f in sorted(fig.speakers.items()):
        out[f"diversity.{speaker}_recurring_share"] = f.recurring_share
        for n, v in sorted(f.distinct.items()):
            out[f"diversity.{speaker}_distinct_{n}"] = v
        out[f"diversity.{speaker}_words_per_turn"] = f.words_per_turn
    out["diversity.self_repeating_share"] = fig.self_repeating_share
    return out
