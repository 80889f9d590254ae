"""Diversity: the corpus figures of :mod:`tvt.diversity` (shared with the composer report) and
the per-conversation flag of conversations that repeat their own sentences."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tvt.audit.findings import Findings
from tvt.audit.load import ConversationView
from tvt.audit.rules import Rules
from tvt.diversity import CorpusFigures, measure, sentences, words


def self_repeats(conv: ConversationView, min_words: int) -> list[int]:
    """Client turns holding a sentence (of ``min_words`` words or more) said earlier in ``conv``.

    The same rule as ``self_repeating_conversations`` of :func:`tvt.diversity.measure`.
    """
    seen: dict[str, int] = {}
    repeats: dict[str, list[int]] = defaultdict(list)
    for i, turn in enumerate(conv.turns):
        if turn.speaker != "client":
            continue
        for s in sentences(turn.text):
            if len(words(s)) < min_words:
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
