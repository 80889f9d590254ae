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


_CROSSING_RE = re.compile(r"\[\^|\\[WsSDn]|(?<!\\)[\^$\n]|\(\?[a-zA-Z]")


def _one_line(pattern: str) -> bool:
    """Does every match of ``pattern`` lie within one line (one turn of a conversation's turns
    joined by newlines), and match that turn alone? Not when it has a class that matches a
    newline (``[^.?!]``, ``\\W``, ``\\s``), an anchor (``^`` is the start of the whole text), or
    an inline flag."""
    return _CROSSING_RE.search(pattern) is None


#: What may follow a backslash in a pattern that :func:`_compile_lower` compiles.
_LOWER_SAFE_ESCAPE_RE = re.compile(r"\\[^wWdDsSbB\W]|\\$")


def _case_safe(pattern: str) -> bool:
    """Does ``pattern`` match a lower-case ASCII text case-sensitively exactly where it matches it
    with ``re.IGNORECASE``? So when it has no upper-case letter, no escape other than a class
    (``\\w``, ``\\d``, ``\\s``, ``\\b`` and their negations) or a punctuation mark, no inline
    flag, and no letter outside ASCII that ``re`` folds to one inside ("\u017f" matches "s")."""
    if _LOWER_SAFE_ESCAPE_RE.search(pattern) or re.search(r"\(\?[a-zA-Z]", pattern):
        return False
    if any("A" <= c <= "Z" for c in re.sub(r"\\.", "", pattern)):
        return False
    return all(
        c.isascii() or not any(x.isascii() for x in c.lower() + c.upper() + c.casefold())
        for c in pattern
    )


def _compile_lower(patterns: list[str]) -> re.Pattern[str] | None:
    """:func:`_compile` without ``re.IGNORECASE``, for the lower case of an ASCII text, or None
    when that would not match the same (:func:`_case_safe`). ``re`` searches about twice as
    fast when it need not fold the case of each character it compares."""
    if not all(_case_safe(p) for p in patterns):
        return None
    parts = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(r"(?<!\w)(?:" + parts + r")(?!\w)")


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


#: Stands for a part of a pattern that is not spelled out (a class such as ``\\w``, a repeat).
_UNKNOWN = "\x00"
#: Expansions of a pattern's beginning past which :func:`_starts` gives up.
MAX_STARTS = 4096
_ASCII_WORD_RE = re.compile(r"[a-z0-9_]+")
_WORD_CHAR_RE = re.compile(r"\w")
_PAREN_IN_CLASS_RE = re.compile(r"\[[^\]]*[()]")


def _expand(pattern: str) -> list[str] | None:
    """The texts the beginning of ``pattern`` (no top-level '|') can be, spelled out until a part
    that is not plain text (which is written :data:`_UNKNOWN`); None past :data:`MAX_STARTS`.

    "(call|phone) (my|her)" -> "call my", "call her", "phone my", "phone her";
    "pills?" -> "pills", "pill"; "self[- ]?harm" -> "self" + _UNKNOWN. Look-arounds match no
    text and are skipped (they only narrow a match down).
    """
    outs, i, n = [""], 0, len(pattern)
    while i < n:
        ch = pattern[i]
        alts: list[str] | None
        if ch == "(":
            j = _group_end(pattern, i)
            inner = pattern[i + 1 : j]
            i = j + 1
            if inner.startswith(("?<!", "?<=", "?!", "?=")):
                if pattern[i : i + 1] in ("?", "*", "+", "{"):
                    alts = None
                else:
                    continue
            elif inner.startswith("?:"):
                alts = _expand_group(inner[2:])
            elif inner.startswith("?"):  # flags, named groups: not spelled out
                alts = None
            else:
                alts = _expand_group(inner)
        elif ch in "\\.[]^$*+{}?|)":
            alts = None
        else:
            alts = [ch]
            i += 1
        quant = pattern[i : i + 1]
        if alts is not None and quant == "?":
            if pattern[i + 1 : i + 2] in ("?", "+"):  # lazy or possessive: not spelled out
                alts = None
            else:
                alts = [*alts, ""]
                i += 1
        elif quant in ("*", "+", "{"):
            alts = None
        if alts is None:
            return [s + _UNKNOWN for s in outs]
        outs = [s + a for s in outs for a in alts]
        if len(outs) > MAX_STARTS:
            return None
    return outs


def _expand_group(group: str) -> list[str] | None:
    out: list[str] = []
    for alt in _split_top(group):
        texts = _expand(alt)
        if texts is None:
            return None
        out.extend(texts)
    return out


def _cuts(pattern: str) -> list[int]:
    """Where a pattern (no top-level '|') can be cut so that the rest starts a word in every
    match: after each top-level plain character that is not a letter or digit (a space, an
    apostrophe) and is not optional. "i('ve| have)? (cut|burn) my" -> after the two spaces."""
    out, i, n = [], 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "(":
            i = _group_end(pattern, i) + 1
        elif ch == "[":
            i = pattern.find("]", i + 2) + 1 or n
        elif ch == "\\":
            i += 2
        elif ch == "{":
            i = pattern.find("}", i) + 1 or n
        else:
            i += 1
            if (
                not _WORD_CHAR_RE.match(ch)
                and ch not in ".^$*+?{}|)"
                and (pattern[i : i + 1] not in ("?", "*", "+", "{"))
            ):
                out.append(i)
    return out


def _first_words(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(words, stems) of the first word of every match of ``pattern`` (no top-level '|'), or
    None (see :func:`_starts`)."""
    texts = _expand(pattern)
    if texts is None:
        return None
    words: set[str] = set()
    stems: set[str] = set()
    for text in texts:
        text = text.lower()
        m = _ASCII_WORD_RE.match(text)
        if m is None:
            return None
        end = m.end()
        if end == len(text) or not (text[end] == _UNKNOWN or _WORD_CHAR_RE.match(text[end])):
            words.add(m.group(0))
        elif text[end] == _UNKNOWN and end >= MIN_STEM:
            stems.add(m.group(0))
        else:
            return None
    return frozenset(words), frozenset(stems)


def _starts(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """What a text must hold for ``pattern`` to match it: one of the words a part of every match
    is ("(call|phone) (my|her)" -> call, phone) or one of the texts such a word starts with
    ("suicid\\w*" -> suicid), as (words, stems), both lower case; None when that cannot be told
    (a match may start with a class: "\\d+ minutes").

    A match starts at the start of a word (the ``(?<!\\w)`` of :func:`_compile`), and so does
    the rest of it after a space or an apostrophe of the pattern (:func:`_cuts`). When the text
    such a part starts with is spelled out up to a character that is not a letter or digit (or
    to the end of the pattern, where ``(?!\\w)`` holds), that text is a whole word of the text
    matched, and :func:`words_of` lists it; when it is spelled out only up to a part that is not
    plain text, the word starts with it. Of the parts, the one whose shortest word is longest
    is used ("i ('ve )?cut my" -> cut, not i): short words are in most turns. Only ASCII letters
    are used: ``re`` folds the case of some other letters differently from ``str.lower``, and a
    text that is not ASCII is always searched.
    """
    if _PAREN_IN_CLASS_RE.search(pattern):  # "[(]" would confuse the group ends
        return None
    words: set[str] = set()
    stems: set[str] = set()
    for alt in _split_top(pattern):
        best: tuple[frozenset[str], frozenset[str]] | None = None
        for cut in (0, *_cuts(alt)):
            found = _first_words(alt[cut:])
            if found is None or not (found[0] or found[1]):
                continue
            if best is None or min(map(len, found[0] | found[1])) > min(
                map(len, best[0] | best[1])
            ):
                best = found
        if best is None:
            return None
        words |= best[0]
        stems |= best[1]
    return frozenset(words), frozenset(stems)


def _starts_of(patterns: list[str]) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """:func:`_starts` of an alternation of ``patterns`` (None when one of them has none); the
    stems sorted, shortest first, and without those a shorter stem covers."""
    words: set[str] = set()
    stems: set[str] = set()
    for p in patterns:
        starts = _starts(p)
        if starts is None:
            return None
        words |= starts[0]
        stems |= starts[1]
    kept: list[str] = []
    for stem in sorted(stems, key=lambda x: (len(x), x)):
        if not any(k in stem for k in kept):
            kept.append(stem)
    return frozenset(words), tuple(kept)


#: Texts up to this length are searched with one expression; longer ones (a whole conversation)
#: first check the fixed parts each pattern needs.
SHORT_TEXT = 1000

#: Parts of a pattern shorter than this are not used to rule it out ("my", "in": everywhere).
MIN_STEM = 3


def _could_match(triggers: tuple[frozenset[str], ...], lower: str) -> bool:
    """Does a text (lower case) hold one text of each part?"""
    return all(any(t in lower for t in part) for part in triggers)


#: (words, stems) of :func:`_starts_of`: what a text must hold for some patterns to match it.
Starts = tuple[frozenset[str], tuple[str, ...]]


def _may_start(starts: Starts | None, text: str, tokens: frozenset[str], lower: str) -> bool:
    """Could patterns with these :func:`_starts_of` match ``text`` (its words ``tokens``, its
    lower case ``lower``)? A test of the text's set of words, far cheaper than a search that
    ``re`` tries at every position of the text; a text that is not ASCII is always searched."""
    if starts is None or not text.isascii():
        return True
    words, stems = starts
    return not words.isdisjoint(tokens) or any(s in lower for s in stems)


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
    #: the first words of the matches of ``rx_complex`` (:func:`_starts_of`)
    starts: Starts | None = None
    #: ``rx`` and ``rx_complex`` for the lower case of an ASCII text (:func:`_compile_lower`)
    rx_lower: re.Pattern[str] | None = None
    rx_complex_lower: re.Pattern[str] | None = None
    #: For :meth:`possible_in`: the patterns that match within one turn (:func:`_one_line`) as a
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
            by_need.setdefault(_triggers(p), []).append(p)
        complex_ = [
            (need, _compile(ps, where, path), _starts_of(ps), _compile_lower(ps))
            for need, ps in by_need.items()
        ]
        complex_patterns = [p for ps in by_need.values() for p in ps]
        one_line, crossing = None, []
        others = [p for p in complex_patterns if not _one_line(p)]
        if others:
            # "^..." matches only at the start of the text (no MULTILINE): one match, no search
            anchored = [p for p in others if all(a.startswith("^") for a in _split_top(p))]
            for ps, at_start in (
                (anchored, True),
                ([p for p in others if p not in anchored], False),
            ):
                if ps:
                    crossing.append((_compile(ps, where, path), _compile_lower(ps), at_start))
            lines = [p for p in complex_patterns if _one_line(p)]
            one_line = cls.build(name, about, lines, None, path) if lines else None
        return cls(
            name=name,
            about=about,
            rx=rx,
            exclude=_compile(exclude, f"{where}/exclude", path) if exclude else None,
            literal=literal,
            complex=tuple(complex_),
            rx_complex=_compile(complex_patterns, where, path) if by_need else None,
            starts=_starts_of(complex_patterns),
            rx_lower=_compile_lower(patterns),
            rx_complex_lower=_compile_lower(complex_patterns) if by_need else None,
            one_line=one_line,
            crossing=tuple(crossing),
        )

    def pattern_for(self, text: str, lower: str | None = None) -> tuple[re.Pattern[str], str]:
        """(``rx``, ``text``), or for an ASCII text the same case-sensitive expression and the
        text in lower case (:func:`_compile_lower`: the same matches at the same places, found
        about twice as fast)."""
        if self.rx_lower is not None and text.isascii():
            return self.rx_lower, lower if lower is not None else text.lower()
        return self.rx, text

    def _first(self, text: str, tokens: frozenset[str], lower: str) -> str | None:
        if not self.literal.isdisjoint(tokens):
            return min(self.literal & tokens)
        if self.rx_complex is None or not _may_start(self.starts, text, tokens, lower):
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
            if _could_match(need, lower):
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
        turns' words rule most of them out before any search (:func:`_starts`). A pattern that
        matches within one turn (:func:`_one_line`) is searched in the turns that hold one of
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
        if lines is None or not _may_start(lines.starts, text, tokens, lower):
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
            if _may_start(starts, text, tokens, lower) and _could_match(need, lower):
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
            if _may_start(starts, text, tokens, lower) and _could_match(need, lower):
                n = len(rx_lower.findall(lower) if ascii_ and rx_lower else rx.findall(text))
                if n:
                    out[cat] = out.get(cat, 0) + n
        return out
