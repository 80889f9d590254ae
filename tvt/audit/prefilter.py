"""What a text must hold for a lexicon's pattern to match it: the pre-filters that let the
audit skip most regular-expression searches.

A pattern is read once, when its lexicon is built: which words or stems every match must contain
(:func:`pattern_triggers`, :func:`pattern_starts`), whether it can match across turns
(:func:`within_one_line`), and whether a lower-case copy of its expression finds the same
matches on ASCII text (:func:`case_safe`, :func:`compile_lower`). A text that holds none of a pattern's
required words is not searched. ``tests/test_audit_speed.py`` checks every shortcut against the
plain expressions, on generated conversations and on random texts.
"""

from __future__ import annotations

import re

_CROSSING_RE = re.compile(r"\[\^|\\[WsSDn]|(?<!\\)[\^$\n]|\(\?[a-zA-Z]")


def within_one_line(pattern: str) -> bool:
    """Does every match of ``pattern`` lie within one line (one turn of a conversation's turns
    joined by newlines), and match that turn alone? Not when it has a class that matches a
    newline (``[^.?!]``, ``\\W``, ``\\s``), an anchor (``^`` is the start of the whole text), or
    an inline flag."""
    return _CROSSING_RE.search(pattern) is None


#: What may follow a backslash in a pattern that :func:`compile_lower` compiles.
_LOWER_SAFE_ESCAPE_RE = re.compile(r"\\[^wWdDsSbB\W]|\\$")


def case_safe(pattern: str) -> bool:
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


def compile_lower(patterns: list[str]) -> re.Pattern[str] | None:
    """:func:`_compile` without ``re.IGNORECASE``, for the lower case of an ASCII text, or None
    when that would not match the same (:func:`case_safe`). ``re`` searches about twice as
    fast when it need not fold the case of each character it compares."""
    if not all(case_safe(p) for p in patterns):
        return None
    parts = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(r"(?<!\w)(?:" + parts + r")(?!\w)")


def split_top(group: str) -> list[str]:
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
    top = split_top(pattern)
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


def pattern_triggers(pattern: str) -> tuple[frozenset[str], ...]:
    """Every simple mandatory part of ``pattern``: a text matches only if, for each part, it
    contains one of the part's texts (an empty tuple: no such part, always try the pattern)."""
    if len(split_top(pattern)) > 1:
        one = _trigger(pattern)
        return (one,) if one is not None else ()
    parts = {t for t in _elements(pattern) if t is not None and min(map(len, t)) >= MIN_STEM}
    return tuple(sorted(parts, key=lambda t: (-min(map(len, t)), sorted(t))))


#: Stands for a part of a pattern that is not spelled out (a class such as ``\\w``, a repeat).
_UNKNOWN = "\x00"
#: Expansions of a pattern's beginning past which :func:`pattern_starts` gives up.
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
    for alt in split_top(group):
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
    None (see :func:`pattern_starts`)."""
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


def pattern_starts(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
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
    for alt in split_top(pattern):
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


def starts_of(patterns: list[str]) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """:func:`pattern_starts` of an alternation of ``patterns`` (None when one of them has none); the
    stems sorted, shortest first, and without those a shorter stem covers."""
    words: set[str] = set()
    stems: set[str] = set()
    for p in patterns:
        starts = pattern_starts(p)
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


def could_match(triggers: tuple[frozenset[str], ...], lower: str) -> bool:
    """Does a text (lower case) hold one text of each part?"""
    for part in triggers:  # loops, not all(any(...)): no generators made on every call
        for t in part:
            if t in lower:
                break
        else:
            return False
    return True


#: (words, stems) of :func:`starts_of`: what a text must hold for some patterns to match it.
Starts = tuple[frozenset[str], tuple[str, ...]]


def may_start(starts: Starts | None, text: str, tokens: frozenset[str], lower: str) -> bool:
    """Could patterns with these :func:`starts_of` match ``text`` (its words ``tokens``, its
    lower case ``lower``)? A test of the text's set of words, far cheaper than a search that
    ``re`` tries at every position of the text; a text that is not ASCII is always searched."""
    if starts is None or not text.isascii():
        return True
    words, stems = starts
    if not words.isdisjoint(tokens):
        return True
    for stem in stems:  # a loop, not any(...): most have no stem, and no generator is made
        if stem in lower:
            return True
    return False
