"""Matching of the audit's lexicons: whole-word regular expressions, made fast.

A lexicon matches a text when the regular expression of all its patterns does (case-insensitive,
whole words), in a sentence that none of its ``exclude`` patterns matches. For speed, one-word
patterns are looked up in the text's set of words, and every other pattern is tried only on texts
that contain the fixed parts it cannot match without (``take a deep breath`` needs "take " and
" breath"). ``tests/test_audit.py`` checks that this gives the same answers as the plain
regular expressions.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from tvt.audit.prefilter import (
    SHORT_TEXT,
    Starts,
    compile_lower,
    could_match,
    may_start,
    pattern_triggers,
    split_top,
    starts_of,
    within_one_line,
)
from tvt.diversity import sentences
from tvt.errors import InputError

_TOKEN_RE = re.compile(r"\w+(?:'\w+)*")
_PLAIN_RE = re.compile(r"\w+(?:'\w+)*")
_GROUP_ONLY_RE = re.compile(r"\((?:[a-z0-9']+\|)*[a-z0-9']+\)")
_LEAD_WORD_RE = re.compile(r"^([a-z0-9']+) ")
_LEAD_GROUP_RE = re.compile(r"^\(((?:[a-z0-9']+\|)*[a-z0-9']+)\) ")


def words_of(text: str) -> list[str]:
    """The lower-case words of ``text``: "don't" and also its parts "don" and "t", since a
    pattern matches at an apostrophe ("where" in "where's")."""
    lower = text.lower()
    out = _TOKEN_RE.findall(lower)
    if "'" not in lower:
        return out
    for run in [w for w in out if "'" in w]:
        parts = run.split("'")
        n = len(parts)
        if n == 2:  # "don't" -> "don", "t": what the general loop gives, without the loop
            out.extend(parts)
            continue
        out.extend("'".join(parts[i:j]) for i in range(n) for j in range(i + 1, n + 1) if j - i < n)
    return out


_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]*")
_DIVERSITY_WORD_RE = re.compile(r"[A-Za-z0-9']+")


def split_sentences(text: str) -> tuple[list[str], list[tuple[str, int]]]:
    """The words of ``text`` in lower case as :func:`tvt.diversity.measure` counts them, and its
    sentences (:func:`tvt.diversity.sentences`) with their numbers of words, in one pass.

    The same answers: whitespace collapsed with ``str.split`` (the same characters as ``\\s``;
    what it drops at the ends of the text ``sentences`` strips), a sentence kept when it has a
    word, and the words of the text those of its sentences (no word holds ``.!?`` or a space);
    ``tests/test_audit_speed.py`` compares them.
    """
    findall = _DIVERSITY_WORD_RE.findall
    found: list[tuple[str, int]] = []
    lower: list[str] = []
    ascii_ = text.isascii()
    for piece in _SENTENCE_RE.findall(" ".join(text.split())):
        s = piece.strip()
        if ascii_:
            ws = findall(s.lower())
            if ws:
                lower += ws
                found.append((s, len(ws)))
        else:
            ws = findall(s)
            if ws:
                lower += [w.lower() for w in ws]
                found.append((s, len(ws)))
    return lower, found


def tokens_of(text: str) -> frozenset[str]:
    return frozenset(words_of(text))


def _compile(patterns: list[str], where: str, path: str) -> re.Pattern[str]:
    for i, p in enumerate(patterns):
        try:
            re.compile(p)
        except re.error as exc:
            raise InputError(
                f"not a valid pattern ({exc.msg}): {p!r}", path=path, field=f"{where}[{i}]"
            ) from None
    parts = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(r"(?<!\w)(?:" + parts + r")(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    """A named set of patterns with optional exclusions.

    A text matches when the regular expression of all patterns (``rx``) does. For speed, one-word
    patterns are looked up in the text's set of words, and a pattern that starts with a plain
    word (or a group of plain words) is only tried on texts that hold one of them.
    """

    name: str
    about: str
    rx: re.Pattern[str]
    exclude: re.Pattern[str] | None = None
    literal: frozenset[str] = frozenset()
    #: (texts a match needs, pattern, first words of its matches, the pattern for a lower-case
    #: ASCII text) of the patterns that are not one plain word
    complex: tuple[
        tuple[tuple[frozenset[str], ...], re.Pattern[str], Starts | None, re.Pattern[str] | None],
        ...,
    ] = ()
    #: all the patterns that are not one plain word, in one expression (for short texts)
    rx_complex: re.Pattern[str] | None = None
    #: the first words of the matches of ``rx_complex`` (:func:`starts_of`)
    starts: Starts | None = None
    #: ``rx`` and ``rx_complex`` for the lower case of an ASCII text (:func:`compile_lower`)
    rx_lower: re.Pattern[str] | None = None
    rx_complex_lower: re.Pattern[str] | None = None
    #: For :meth:`possible_in`: the patterns that match within one turn
    #: (:func:`~tvt.audit.prefilter.within_one_line`) as a
    #: lexicon of their own, and the others in one expression (with its lower-case variant).
    one_line: Lexicon | None = None
    #: (expression, its lower-case variant, anchored: every match starts at the text's start)
    crossing: tuple[tuple[re.Pattern[str], re.Pattern[str] | None, bool], ...] = ()

    @classmethod
    def build(
        cls, name: str, about: str, patterns: list[str], exclude: list[str] | None, path: str
    ) -> Lexicon:
        where = f"lexicons/{name}"
        rx = _compile(patterns, f"{where}/patterns", path)
        literal = frozenset(p for p in patterns if _PLAIN_RE.fullmatch(p) and p == p.lower())
        groups = [p for p in patterns if _GROUP_ONLY_RE.fullmatch(p)]  # "(inhale|exhale)"
        literal |= {w for g in groups for w in g[1:-1].split("|")}
        by_need: dict[tuple[frozenset[str], ...], list[str]] = {}
        for p in patterns:
            if p in literal or p in groups:
                continue
            by_need.setdefault(pattern_triggers(p), []).append(p)
        complex_ = [
            (need, _compile(ps, where, path), starts_of(ps), compile_lower(ps))
            for need, ps in by_need.items()
        ]
        complex_patterns = [p for ps in by_need.values() for p in ps]
        one_line, crossing = None, []
        others = [p for p in complex_patterns if not within_one_line(p)]
        if others:
            # "^..." matches only at the start of the text (no MULTILINE): one match, no search
            anchored = [p for p in others if all(a.startswith("^") for a in split_top(p))]
            for ps, at_start in (
                (anchored, True),
                ([p for p in others if p not in anchored], False),
            ):
                if ps:
                    crossing.append((_compile(ps, where, path), compile_lower(ps), at_start))
            lines = [p for p in complex_patterns if within_one_line(p)]
            one_line = cls.build(name, about, lines, None, path) if lines else None
        return cls(
            name=name,
            about=about,
            rx=rx,
            exclude=_compile(exclude, f"{where}/exclude", path) if exclude else None,
            literal=literal,
            complex=tuple(complex_),
            rx_complex=_compile(complex_patterns, where, path) if by_need else None,
            starts=starts_of(complex_patterns),
            rx_lower=compile_lower(patterns),
            rx_complex_lower=compile_lower(complex_patterns) if by_need else None,
            one_line=one_line,
            crossing=tuple(crossing),
        )

    def pattern_for(self, text: str, lower: str | None = None) -> tuple[re.Pattern[str], str]:
        """(``rx``, ``text``), or for an ASCII text the same case-sensitive expression and the
        text in lower case (:func:`compile_lower`: the same matches at the same places, found
        about twice as fast)."""
        if self.rx_lower is not None and text.isascii():
            return self.rx_lower, lower if lower is not None else text.lower()
        return self.rx, text

    def _first(self, text: str, tokens: frozenset[str], lower: str) -> str | None:
        if not self.literal.isdisjoint(tokens):
            return min(self.literal & tokens)
        if self.rx_complex is None or not may_start(self.starts, text, tokens, lower):
            return None
        if text.isascii() and self.rx_complex_lower is not None:
            # One case-sensitive search of the lower case, on a turn or a whole conversation: it
            # costs less than the substring tests and searches of the patterns one by one below.
            m = self.rx_complex_lower.search(lower)
            return text[m.start() : m.end()] if m is not None else None
        if len(text) <= SHORT_TEXT:
            # one search is cheaper than testing the parts of each pattern on a turn
            m = self.rx_complex.search(text)
            return m.group(0) if m is not None else None
        for need, rx, _, _ in self.complex:
            if could_match(need, lower):
                m = rx.search(text)
                if m is not None:
                    return m.group(0)
        return None

    def possible(self, text: str, tokens: frozenset[str], lower: str) -> bool:
        """Could the lexicon match somewhere in ``text`` (exclusions not applied)?"""
        return self._first(text, tokens, lower) is not None

    def possible_in(self, turns: list[Any], text: str, tokens: frozenset[str], lower: str) -> bool:
        """:meth:`possible` of ``text``, the texts of ``turns`` joined by newlines (its words
        ``tokens``, in ``lower`` case), read turn by turn.

        A search of a whole conversation costs as much as searches of all its turns, while the
        turns' words rule most of them out before any search (:func:`pattern_starts`). A pattern that
        matches within one turn (:func:`within_one_line`) is searched in the turns that hold one of
        the first words of its matches; the others in the whole text, as before.
        """
        if not self.literal.isdisjoint(tokens):
            return True
        if self.rx_complex is None:
            return False
        lines: Lexicon | None = self
        if self.crossing:
            for rx, rx_lower, at_start in self.crossing:
                if rx_lower is not None and text.isascii():
                    rx, searched = rx_lower, lower
                else:
                    searched = text
                if (rx.match(searched) if at_start else rx.search(searched)) is not None:
                    return True
            lines = self.one_line
        if lines is None or not may_start(lines.starts, text, tokens, lower):
            return False
        # A pattern that matches in a turn finds what it needs (its first words, its fixed
        # parts) in the whole text too: when no pattern does, no turn needs a search. (ASCII
        # texts only: "\u017fuicide" matches "suicid\\w*" but holds no "suicid".)
        if text.isascii() and not any(
            may_start(starts, text, tokens, lower) and could_match(need, lower)
            for need, _, starts, _ in lines.complex
        ):
            return False
        return any(lines._first(t.text, t.tokens, t.lower) is not None for t in turns)

    def find_in(self, turn: Any) -> str | None:
        """:meth:`find` on a turn (its words and lower-case text are computed once)."""
        return self.find(turn.text, turn.tokens, turn.lower)

    def find(
        self, text: str, tokens: frozenset[str] | None = None, lower: str | None = None
    ) -> str | None:
        """The first matching phrase of ``text`` (in a sentence no exclusion matches), or None.

        ``tokens`` (:func:`tokens_of`) and ``lower`` (the text in lower case) are passed when the
        caller has them already.
        """
        hit = self._first(
            text,
            tokens if tokens is not None else tokens_of(text),
            lower if lower is not None else text.lower(),
        )
        if hit is None or self.exclude is None:
            return hit
        for sent in sentences(text) or [text]:
            if self.exclude.search(sent):
                continue
            rx, searched = self.pattern_for(sent)
            m = rx.search(searched)
            if m is not None:
                return sent[m.start() : m.end()]
        return None

    def count(self, text: str, words: list[str] | None = None) -> int:
        """How many times the patterns match (exclusions are not applied)."""
        words = words if words is not None else words_of(text)
        n = sum(1 for w in words if w in self.literal) if self.literal else 0
        lower = text.lower()
        tokens = frozenset(words) if self.complex else frozenset()
        ascii_ = text.isascii()
        for need, rx, starts, rx_lower in self.complex:
            if may_start(starts, text, tokens, lower) and could_match(need, lower):
                n += len(rx_lower.findall(lower) if ascii_ and rx_lower else rx.findall(text))
        return n


class CategoryIndex:
    """Counts of several categories of words in a text in one pass (event facts, pronouns)."""

    def __init__(self, categories: dict[str, Lexicon]) -> None:
        self.categories = categories
        self.words: dict[str, str] = {}
        self.complex: list[
            tuple[
                str,
                tuple[frozenset[str], ...],
                re.Pattern[str],
                Starts | None,
                re.Pattern[str] | None,
            ]
        ] = []
        for cat, lex in categories.items():
            for w in sorted(lex.literal):
                self.words.setdefault(w, cat)
            self.complex.extend((cat, *parts) for parts in lex.complex)

    def counts(
        self, text: str, words: list[str], lower: str, tokens: frozenset[str] | None = None
    ) -> dict[str, int]:
        """How many words of each category ``text`` holds (its ``words``, in ``lower`` case;
        ``tokens``, the set of its words, when the caller has it)."""
        out: dict[str, int] = {}
        index = self.words
        # each distinct word once, with its count (a Counter keeps the order words first came
        # in, so the categories come in the same order as word by word)
        for w, k in Counter(words).items():
            cat = index.get(w)
            if cat is not None:
                out[cat] = out.get(cat, 0) + k
        if tokens is None:
            tokens = frozenset(words)
        ascii_ = text.isascii()
        for cat, need, rx, starts, rx_lower in self.complex:
            if may_start(starts, text, tokens, lower) and could_match(need, lower):
                n = len(rx_lower.findall(lower) if ascii_ and rx_lower else rx.findall(text))
                if n:
                    out[cat] = out.get(cat, 0) + n
        return out
