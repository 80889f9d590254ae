"""Corpus variety figures of therapy conversations: recurring sentences, distinct-n, self-repeats.

One definition, used by the composer report and by ``tvt audit``, so that the two never disagree:

- a *sentence* is a stretch of a turn ending in ``.``, ``!`` or ``?`` (or the end of the turn);
- a *word* is a run of ``[A-Za-z0-9']``; n-grams are taken over lower-cased words;
- a sentence *recurs* when its exact text (whitespace collapsed, case kept) appears in more than
  ``threshold`` different conversations; the recurring share counts sentence occurrences of
  ``min_words`` or more words;
- distinct-n is the number of different n-grams over the number of n-grams, over the whole corpus
  (Li et al., 2016), computed separately for each speaker's turns;
- a conversation *repeats itself* when one of its client sentences of ``self_min_words`` or more
  words occurs twice in it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np

_SPLIT = re.compile(r"[^.!?]+[.!?]*")
_WORD = re.compile(r"[A-Za-z0-9']+")
_SPACE = re.compile(r"\s+")
_BASE_BITS = 21
_BASE = 1 << _BASE_BITS
_CHUNK = 1 << 20  # word ids buffered before their n-grams are reduced to the distinct ones


def sentences(text: str) -> list[str]:
    """Split a turn into sentences on ``.``, ``!`` and ``?``; whitespace collapsed, case kept."""
    # Whitespace holds no ".!?", so collapsing it in the whole turn first splits the same way
    # as collapsing it in each piece (and is one substitution instead of one per sentence).
    text = _SPACE.sub(" ", text)
    search = _WORD.search
    return [s for s in (m.strip() for m in _SPLIT.findall(text)) if search(s)]


def words(text: str) -> list[str]:
    """The words of ``text`` as written (``[A-Za-z0-9']+``)."""
    return _WORD.findall(text)


class TopSentence(TypedDict):
    sentence: str
    conversations: int


class SpeakerFiguresDoc(TypedDict):
    """:class:`SpeakerFigures` as the audit report writes them."""

    turns: int
    words: int
    words_per_turn: float
    sentences: int
    recurring_sentences: int
    recurring_share: float
    distinct: dict[str, float]  # distinct_<n>: share of distinct n-grams
    top_sentences: list[TopSentence]


class CorpusFiguresDoc(TypedDict):
    """:class:`CorpusFigures` as the audit report writes them."""

    conversations: int
    threshold_conversations: int
    min_words: int
    self_repeating_conversations: int
    self_repeating_share: float
    speakers: dict[str, SpeakerFiguresDoc]


@dataclass
class SpeakerFigures:
    """Variety figures of one speaker's turns over a corpus."""

    turns: int = 0
    words: int = 0
    sentences: int = 0
    recurring_sentences: int = 0
    distinct: dict[int, float] = field(default_factory=dict)
    top_sentences: list[tuple[str, int]] = field(default_factory=list)

    @property
    def words_per_turn(self) -> float:
        return self.words / self.turns if self.turns else 0.0

    @property
    def recurring_share(self) -> float:
        return self.recurring_sentences / self.sentences if self.sentences else 0.0

    def as_dict(self) -> SpeakerFiguresDoc:
        return {
            "turns": self.turns,
            "words": self.words,
            "words_per_turn": self.words_per_turn,
            "sentences": self.sentences,
            "recurring_sentences": self.recurring_sentences,
            "recurring_share": self.recurring_share,
            "distinct": {f"distinct_{n}": v for n, v in sorted(self.distinct.items())},
            "top_sentences": [{"sentence": s, "conversations": c} for s, c in self.top_sentences],
        }


@dataclass
class CorpusFigures:
    """Variety figures of a corpus of conversations."""

    conversations: int
    speakers: dict[str, SpeakerFigures]
    self_repeating_conversations: int
    threshold: int
    min_words: int

    @property
    def self_repeating_share(self) -> float:
        return self.self_repeating_conversations / self.conversations if self.conversations else 0.0

    def as_dict(self) -> CorpusFiguresDoc:
        return {
            "conversations": self.conversations,
            "threshold_conversations": self.threshold,
            "min_words": self.min_words,
            "self_repeating_conversations": self.self_repeating_conversations,
            "self_repeating_share": self.self_repeating_share,
            "speakers": {s: f.as_dict() for s, f in sorted(self.speakers.items())},
        }


class _Grams:
    """The distinct n-grams of one speaker's turns, kept as numpy arrays of integer keys.

    Words become integer ids (one dictionary for the corpus); the ids of the turns are
    buffered with a -1 between turns, and every ``_CHUNK`` ids the n-grams of the buffer (the
    windows without a -1: no n-gram spans two turns) are reduced to their distinct keys (the
    ids as digits in base 2**21) and merged. The counts are those of a set of word tuples, at a
    fraction of the time; memory grows with the distinct n-grams, not with the corpus.
    """

    def __init__(self, ngrams: Sequence[int]) -> None:
        self.ngrams = tuple(ngrams)
        self.buffer: list[int] = []
        self.totals: dict[int, int] = dict.fromkeys(self.ngrams, 0)
        self.seen: dict[int, Any] = {n: None for n in self.ngrams}  # keys, or rows (n columns)
        self.rows = max(self.ngrams, default=1) * _BASE_BITS > 63  # int64 keys

    def add(self, ids: list[int]) -> None:
        self.buffer.extend(ids)
        self.buffer.append(-1)
        if len(self.buffer) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        ids = np.asarray(self.buffer, dtype=np.int64)
        self.buffer = []
        if not self.rows and int(ids.max()) >= _BASE:  # more words than keys hold: rows
            self.rows = True
            for n, keys in self.seen.items():
                if keys is not None:
                    shifts = _BASE_BITS * np.arange(n - 1, -1, -1, dtype=np.int64)
                    self.seen[n] = (keys[:, None] >> shifts) & (_BASE - 1)
        for n in self.ngrams:
            if len(ids) < n:
                continue
            win = np.lib.stride_tricks.sliding_window_view(ids, n)
            win = win[(win >= 0).all(axis=1)]
            self.totals[n] += len(win)
            if self.rows:
                new = win
            else:
                new = win[:, 0].copy()
                for k in range(1, n):
                    new <<= _BASE_BITS
                    new |= win[:, k]
            old = self.seen[n]
            both = new if old is None else np.concatenate([old, new])
            self.seen[n] = np.unique(both, axis=0) if self.rows else np.unique(both)

    def distinct(self) -> dict[int, float]:
        self._flush()
        return {
            n: len(self.seen[n]) / self.totals[n] if self.totals[n] else 0.0 for n in self.ngrams
        }


def measure(
    conversations: Iterable[Sequence[Mapping[str, Any]]],
    *,
    threshold: int = 10,
    min_words: int = 4,
    self_min_words: int = 5,
    ngrams: Sequence[int] = (2, 3),
    top: int = 10,
) -> CorpusFigures:
    """Measure a corpus given as an iterable of turn lists (``{"speaker", "text"}`` mappings).

    Memory grows with the number of different sentences and n-grams, not with the corpus.
    """
    conv_count = 0
    self_repeating = 0
    # sentence -> number of conversations it appears in (per speaker)
    spread: dict[str, Counter[str]] = defaultdict(Counter)
    # per speaker: occurrences of each eligible sentence (to weight the recurring share)
    occurrences: dict[str, Counter[str]] = defaultdict(Counter)
    grams: dict[str, _Grams] = {}
    vocab: dict[str, int] = {}
    figures: dict[str, SpeakerFigures] = {}
    for turns in conversations:
        conv_count += 1
        seen: dict[str, set[str]] = defaultdict(set)
        own: Counter[str] = Counter()
        for turn in turns:
            speaker = str(turn["speaker"])
            text = str(turn["text"])
            fig = figures.setdefault(speaker, SpeakerFigures())
            fig.turns += 1
            # Lower-casing the turn once is the same as each word (and cheaper) when it is ASCII;
            # other letters may change length or class when lower-cased ("İ"), so not then.
            tokens = words(text.lower()) if text.isascii() else [w.lower() for w in words(text)]
            fig.words += len(tokens)
            g = grams.get(speaker)
            if g is None:
                g = grams[speaker] = _Grams(ngrams)
            g.add([vocab.setdefault(w, len(vocab)) for w in tokens])
            for s in sentences(text):
                count = len(_WORD.findall(s))
                if count >= min_words:
                    occurrences[speaker][s] += 1
                    seen[speaker].add(s)
                if speaker == "client" and count >= self_min_words:
                    own[s] += 1
        for speaker, sents in seen.items():
            # Sorted, so that ties in the most frequent sentences come out in one order
            # whatever the hash seed (a set's order is not).
            spread[speaker].update(sorted(sents))
        if own and max(own.values()) > 1:
            self_repeating += 1
    for speaker, fig in figures.items():
        occ = occurrences[speaker]
        fig.sentences = sum(occ.values())
        fig.recurring_sentences = sum(c for s, c in occ.items() if spread[speaker][s] > threshold)
        fig.distinct = grams[speaker].distinct() if speaker in grams else {}
        fig.top_sentences = spread[speaker].most_common(top)
    return CorpusFigures(
        conversations=conv_count,
        speakers=figures,
        self_repeating_conversations=self_repeating,
        threshold=threshold,
        min_words=min_words,
    )
