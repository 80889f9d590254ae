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
from dataclasses import dataclass
from typing import Any

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


def _split_top(group: str) -> list[str]:
    """The top-level alternatives of ``a|b(c|d)|e``."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(group):
        ch = group[i]
        if ch == "\\":
            cur += group[i : i + 2]
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    out.append(cur)
    return out


def _group_end(pattern: str, start: int) -> int:
    """Index of the parenthesis that closes the group opening at ``start``."""
    depth, i = 0, start
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return i
        i += 1
    return len(pattern) - 1


def _elements(pattern: str) -> list[frozenset[str] | None]:
    """For each mandatory part of a pattern (no top-level '|'), the texts one of which it
    contains, or None when that cannot be told simply."""
    out: list[frozenset[str] | None] = []
    run, i, n = "", 0, len(pattern)

    def flush(drop_last: bool = False) -> None:
        nonlocal run
        text = run[:-1] if drop_last else run
        if text.strip():
            out.append(frozenset({text.lower()}))
        run = ""

    while i < n:
        ch = pattern[i]
        quant = pattern[i + 1 : i + 2]
        if ch == "(":
            j = _group_end(pattern, i)
            inner = pattern[i + 1 : j]
            trig = None
            if inner.startswith("?:"):
                trig = _trigger(inner[2:])
            elif not inner.startswith("?"):
                trig = _trigger(inner)
            flush()
            q = pattern[j + 1 : j + 2]
            if q not in ("?", "*", "{") and not inner.startswith(("?=", "?!", "?<")):
                out.append(trig)
            i = j + 1
            continue
        if ch in "\\[.":
            flush()
            if ch == "\\":
                i += 2
            elif ch == "[":
                i = pattern.index("]", i) + 1
            else:
                i += 1
            out.append(None)
            continue
        if ch in "?*{":
            flush(drop_last=True)
            i = pattern.index("}", i) + 1 if ch == "{" else i + 1
            continue
        if ch == "+":
            flush()
            i += 1
            continue
        if ch in "^$":
            i += 1
            continue
        if quant in ("?", "*", "{"):  # the quantified character is optional
            flush()
            i += 1
            continue
        run += ch
        i += 1
    flush()
    return out


def _trigger(pattern: str) -> frozenset[str] | None:
    """Texts one of which a text must contain (lower case) for ``pattern`` to match it, or None
    when that cannot be told simply. The most selective mandatory part is chosen."""
    top = _split_top(pattern)
    if len(top) > 1:  # "a|b": one of the alternatives' texts
        triggers = [_trigger(alt) for alt in top]
        if any(t is None for t in triggers):
            return None
        return frozenset().union(*triggers)  # type: ignore[arg-type]
    best: frozenset[str] | None = None
    for trig in _elements(pattern):
        if trig is None:
            continue
        if best is None or min(map(len, trig)) > min(map(len, best)):
            best = trig
    return best if best is not None and min(map(len, best)) >= 2 else None


def _triggers(pattern: str) -> tuple[frozenset[str], ...]:
    """Every simple mandatory part of ``pattern``: a text matches only if, for each part, it
    contains one of the part's texts (an empty tuple: no such part, always try the pattern)."""
    if len(_split_top(pattern)) > 1:
        one = _trigger(pattern)
        return (one,) if one is not None else ()
    parts = {t for t in _elements(pattern) if t is not None and min(map(len, t)) >= MIN_STEM}
    return tuple(sorted(parts, key=lambda t: (-min(map(len, t)), sorted(t))))


#: Texts up to this length are searched with one expression; longer ones (a whole conversation)
#: first check the fixed parts each pattern needs.
SHORT_TEXT = 1000

#: Parts of a pattern shorter than this are not used to rule it out ("my", "in": everywhere).
MIN_STEM = 3


def _could_match(triggers: tuple[frozenset[str], ...], lower: str) -> bool:
    """Does a text (lower case) hold one text of each part?"""
    return all(any(t in lower for t in part) for part in triggers)


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
    #: (texts a match needs, pattern) of the patterns that are not one plain word
    complex: tuple[tuple[tuple[frozenset[str], ...], re.Pattern[str]], ...] = ()
    #: all the patterns that are not one plain word, in one expression (for short texts)
    rx_complex: re.Pattern[str] | None = None

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
            by_need.setdefault(_triggers(p), []).append(p)
        complex_ = [(need, _compile(ps, where, path)) for need, ps in by_need.items()]
        return cls(
            name=name,
            about=about,
            rx=rx,
            exclude=_compile(exclude, f"{where}/exclude", path) if exclude else None,
            literal=literal,
            complex=tuple(complex_),
            rx_complex=_compile([p for ps in by_need.values() for p in ps], where, path)
            if by_need
            else None,
        )

    def _first(self, text: str, tokens: frozenset[str], lower: str) -> str | None:
        if not self.literal.isdisjoint(tokens):
            return min(self.literal & tokens)
        if len(text) <= SHORT_TEXT:
            # one search is cheaper than testing the parts of each pattern on a turn
            m = self.rx_complex.search(text) if self.rx_complex is not None else None
            return m.group(0) if m is not None else None
        for need, rx in self.complex:
            if _could_match(need, lower):
                m = rx.search(text)
                if m is not None:
                    return m.group(0)
        return None

    def possible(self, text: str, tokens: frozenset[str], lower: str) -> bool:
        """Could the lexicon match somewhere in ``text`` (exclusions not applied)?"""
        return self._first(text, tokens, lower) is not None

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
            m = self.rx.search(sent)
            if m is not None:
                return m.group(0)
        return None

    def count(self, text: str, words: list[str] | None = None) -> int:
        """How many times the patterns match (exclusions are not applied)."""
        words = words if words is not None else words_of(text)
        n = sum(1 for w in words if w in self.literal) if self.literal else 0
        lower = text.lower()
        for need, rx in self.complex:
            if _could_match(need, lower):
                n += len(rx.findall(text))
        return n


class CategoryIndex:
    """Counts of several categories of words in a text in one pass (event facts, pronouns)."""

    def __init__(self, categories: dict[str, Lexicon]) -> None:
        self.categories = categories
        self.words: dict[str, str] = {}
        self.complex: list[tuple[str, tuple[frozenset[str], ...], re.Pattern[str]]] = []
        for cat, lex in categories.items():
            for w in sorted(lex.literal):
                self.words.setdefault(w, cat)
            self.complex.extend((cat, need, rx) for need, rx in lex.complex)

    def counts(self, text: str, words: list[str], lower: str) -> dict[str, int]:
        out: dict[str, int] = {}
        index = self.words
        for w in words:
            cat = index.get(w)
            if cat is not None:
                out[cat] = out.get(cat, 0) + 1
        for cat, need, rx in self.complex:
            if _could_match(need, lower):
                n = len(rx.findall(text))
                if n:
                    out[cat] = out.get(cat, 0) + n
        return out
