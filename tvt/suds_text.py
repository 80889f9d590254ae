"""The one reader of SUDS ratings stated in words ("About a seven.", "It went from 60 to 80.").

Both the importer (which fills the ``suds`` field of imported turns) and the lexical rater (which
reads SUDS from the text when a conversation has no ``suds`` field) use :func:`read_suds`, so a
sentence means the same number everywhere. ``tvt audit``, which decides for itself which turns
are ratings and which scale applies, reads the numbers with :func:`iter_ratings` and
:func:`on_0_100` from here too. The rules, and why each was chosen, are in
docs/benchmark.md, section 8 ("Reading SUDS from text"); in short:

* **Where.** A client turn is read when the therapist turn just before asks for a rating
  (:func:`asks_for_suds`) or the client names SUDS; its first rating counts. Any other client
  turn counts only with a number that carries its own scale ("8 out of 10", "70/100").
* **Which number.** Digits, and number words ("seven", "seventy-five", "a hundred"; the word
  "one" only inside a compound such as "twenty-one" or "one hundred"). Not a number followed by
  "of" or by a unit ("two of them", "20 minutes", "5 years"), nor the scale itself ("0 to 10").
  A range ("six or seven", "60-70", "between 60 and 70") is its middle; a change "from X to Y" is
  Y, the rating now ("it went from 0 to 100" too; "a scale from 0 to 100" names the scale).
* **Which scale.** The one the client names with the number ("out of 10", "/100", "70%"); else
  one the same turn names ("0 to 100? I'm at 85"); else the last one named earlier in the
  conversation by either speaker ("on a scale of 0 to 10"); else the first one named later; else,
  with no scale named anywhere, the conversation's numbers decide once for all its statements:
  all <= 10 means 0-10, otherwise 0-100 (``assumed``). A number above 10 on 0-10 is taken as
  0-100 (the client answered on 0-100).
* **Value.** Normalised to 0-100 and rounded to a whole SUDS point, half up (the native format
  stores integers): "six or seven" on 0-10 is 65.

This module is a leaf: it imports nothing from tvt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Rating",
    "RatingMatch",
    "Statement",
    "asks_for_suds",
    "find_rating",
    "iter_ratings",
    "named_scale",
    "on_0_100",
    "read_suds",
    "word_number",
]

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip

# "one" alone is not read as a rating: in an answer it is far more often "one of the worst",
# "no one", "one night" than "a one". Inside "twenty-one" or "one hundred" it is.
_ALONE = sorted((w for w in _UNITS if w != "one"), key=len, reverse=True)
_DIGIT_UNITS = "|".join(w for w in _UNITS if 0 < _UNITS[w] < 10)
_NUMBER = (
    r"(?:\d+(?:\.\d+)?"
    r"|(?:(?:a|one)\s+)?hundred"
    rf"|(?:{'|'.join(_TENS)})(?:[\s-](?:{_DIGIT_UNITS})\b)?"
    rf"|(?:{'|'.join(_ALONE)}))"
)
_NOT_A_RATING_AFTER = (
    r"(?:of|minutes?|mins?|hours?|hrs?|seconds?|years?|yrs?|months?|weeks?|days?|nights?|"
    r"times?|o'?clock|am|pm|a\.m\.|p\.m\.|feet|foot|ft|miles?|kilometers?|kilometres?|km|"
    r"meters?|metres?|people|men|women|kids|children|friends|dollars?|bucks|pounds?|"
    r"st|nd|rd|th|steps?|breaths?)\b"
)
_SCALE_WORD = r"(?:100|10|ten|(?:a|one)\s+hundred|hundred)"
_RATING_RE = re.compile(
    rf"(?<![\w.])(?P<a>{_NUMBER})"
    rf"(?:\s*(?:-|–|to|or|and)\s*(?:an?\s+)?(?P<b>{_NUMBER}))?"
    rf"(?P<pct>\s*(?:%|percent\b))?"
    rf"(?P<outof>\s*(?:/|out\s+of)\s*(?P<scale>{_SCALE_WORD})\b)?"
    # Not followed by a unit, a word, or the rest of a longer number ("5.5", "seventy-five").
    rf"(?!\s*{_NOT_A_RATING_AFTER})(?![\w]|[-.]\w)",
    re.IGNORECASE,
)
_SCALE_FROM = re.compile(r"\bscale\s+from\s+$", re.IGNORECASE)
_OWN_SCALE_HINT = re.compile(r"/|out\s+of", re.IGNORECASE)
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:an?\s+)?$", re.IGNORECASE)

_LOW = r"(?:0|zero|nought|1|one)"
_SCALE_100 = re.compile(
    rf"\b{_LOW}\s*(?:-|–|to|and)\s*(?:100|(?:a|one)\s+hundred|hundred)\b"
    r"|\bout of (?:100|(?:a|one)\s+hundred)\b|/\s*100\b",
    re.IGNORECASE,
)
_SCALE_10 = re.compile(
    rf"\b{_LOW}\s*(?:-|–|to|and)\s*(?:10|ten)\b|\bout of (?:10|ten)\b|/\s*10\b", re.IGNORECASE
)
_QUESTION = re.compile(
    r"\bsuds?\b|\bsubjective units\b|\bscale\b|\bnumber\b"
    r"|\bout of (?:10|100|ten|a hundred)\b"
    r"|\brate (?:it|that|this|your|the)\b"
    rf"|\b(?:zero|nought) to\b|\b{_LOW}\s*(?:-|–|to)\s*(?:10|100|ten|(?:a|one) hundred)\b"
    r"|\bhow (?:high|anxious|upset|distressed|intense|bad|strong)\b"
    r"|\bdistress"
    r"|\b(?:anxiety|discomfort|fear)\b[^.?!]*\?",
    re.IGNORECASE,
)
_CLIENT_NAMES_SUDS = re.compile(r"\bsuds\b|\bsubjective units\b", re.IGNORECASE)


def word_number(text: str) -> float:
    """``"75"``, ``"7.5"``, ``"seventy-five"``, ``"a hundred"`` -> the number it names."""
    t = re.sub(r"\s+", " ", text.strip().casefold())
    try:
        return float(t)
    except ValueError:
        pass
    if t.endswith("hundred"):
        return 100.0
    return float(sum(_TENS.get(p, 0) + _UNITS.get(p, 0) for p in re.split(r"[\s-]", t)))


def asks_for_suds(text: str) -> bool:
    """Whether a therapist turn asks for a rating (SUDS, a scale, "the number", "how high", ...)."""
    return _QUESTION.search(text) is not None


def named_scale(text: str) -> int | None:
    """The SUDS scale a piece of text names ("0 to 100" -> 100, "out of ten" -> 10), or None.

    When a text names both, the one named first counts.
    """
    low = text.casefold()
    if "10" not in low and "ten" not in low and "hundred" not in low:
        return None  # a quick exit: every scale names 10, ten, 100 or hundred
    hits = [
        (m.start(), s) for s, rx in ((100, _SCALE_100), (10, _SCALE_10)) if (m := rx.search(text))
    ]
    return min(hits)[1] if hits else None


@dataclass(frozen=True)
class Rating:
    """A rating found in one turn: the number as said and the scale said with it (if any)."""

    value: float
    scale: int | None  # 10 or 100 when the client named it with the number


@dataclass(frozen=True)
class RatingMatch:
    """A rating found in a text, with where it was said (``text[start:end]``)."""

    rating: Rating
    start: int
    end: int
    out_of: bool  # the scale was said as "out of 10" or "/100" (not as "%" or "percent")


def iter_ratings(text: str) -> Iterator[RatingMatch]:
    """Every SUDS rating in one client turn, in order, before any scale is applied.

    The rules of "which number" (module docstring) decide what is a rating: a number followed by
    "of" or a unit, the scale itself ("0 to 100") and a number above the scale said with it are
    not; a range is its middle and a change "from X to Y" is Y. :func:`find_rating` is the first
    of these; a caller with rules of its own about where a rating may stand (``tvt audit`` reads
    only the head of an answer) filters them by their span.
    """
    for m in _RATING_RE.finditer(text):
        a = word_number(m.group("a"))
        b = word_number(m.group("b")) if m.group("b") else None
        before = text[: m.start()]
        change = bool(
            b is not None and _FROM_BEFORE.search(before) and not _SCALE_FROM.search(before)
        )
        if b is not None and a in (0, 1) and b in (10, 100) and not change:
            continue  # the client naming the scale ("0 to 100"), not a rating
        if b is None:
            value = a
        elif change:
            value = b  # "it went from 60 to 80": the rating now is the second number
        else:
            value = (a + b) / 2  # "six or seven", "60-70", "between 60 and 70"
        scale: int | None = None
        if m.group("scale"):
            scale = 100 if word_number(m.group("scale")) == 100 else 10
        elif m.group("pct"):
            scale = 100
        if value > (scale or 100):
            continue
        yield RatingMatch(Rating(value, scale), m.start(), m.end(), bool(m.group("outof")))


def find_rating(text: str, *, own_scale_only: bool = False) -> Rating | None:
    """The first SUDS rating in one client turn, before any scale is applied.

    With ``own_scale_only`` only a number said with its scale ("8 out of 10", "70/100") counts.
    """
    if own_scale_only and not _OWN_SCALE_HINT.search(text):
        return None  # a quick exit: an own scale is "/ 10" or "out of 10"
    for found in iter_ratings(text):
        if own_scale_only and not found.out_of:
            continue
        return found.rating
    return None


def on_0_100(value: float, scale: int) -> tuple[int, int]:
    """A rating said on ``scale`` (10 or 100) as ``(value on 0-100, the scale it was read on)``.

    A number above 10 on 0-10 is read on 0-100 (the client answered on 0-100: "70" after "zero
    to ten?"). The value is rounded to a whole SUDS point, half up ("six or seven" on 0-10 is 65).
    """
    if scale == 10 and value > 10:
        scale = 100
    return _to_100(value, scale), scale


@dataclass(frozen=True)
class Statement:
    """A SUDS rating stated in a conversation, normalised to 0-100."""

    turn: int  # index of the client turn in the conversation
    value: int  # 0-100, rounded half up
    scale: int  # the scale it was read on: 10 or 100
    assumed: bool  # no scale was named anywhere; the conversation's numbers decided
    text: str  # the turn's text


def _to_100(value: float, scale: int) -> int:
    return int(value * (100 // scale) + 0.5)


def read_suds(turns: Iterable[Mapping[str, Any]]) -> list[Statement]:
    """Every SUDS rating the client states in a conversation, in turn order.

    ``turns`` are native turns (``speaker``, ``text``); no other field is read. The rules are in
    the module docstring.
    """
    found: list[tuple[int, Rating, str]] = []
    named: dict[int, int] = {}  # turn index -> the scale the turn names, for every such turn
    asked = False
    for i, turn in enumerate(turns):
        text = str(turn.get("text", ""))
        scale = named_scale(text)
        if scale is not None:
            named[i] = scale
        if turn.get("speaker") != "client":
            asked = asks_for_suds(text)
            continue
        if asked or _CLIENT_NAMES_SUDS.search(text):
            rating = find_rating(text)
        else:
            rating = find_rating(text, own_scale_only=True)
        asked = False
        if rating is not None:
            found.append((i, rating, text))
    if not found:
        return []
    # With no scale named anywhere, the conversation's numbers decide once for all statements.
    fallback = 10 if all(r.value <= 10 for _, r, _ in found if r.scale is None) else 100
    out = []
    for i, rating, text in found:
        earlier = [s for j, s in named.items() if j < i]
        later = [s for j, s in named.items() if j > i]
        assumed = False
        if rating.scale is not None:
            scale = rating.scale
        elif i in named:
            scale = named[i]  # "On a scale of 0 to 100? I'm at 85."
        elif earlier:
            scale = earlier[-1]
        elif later:
            scale = later[0]
        else:
            scale, assumed = fallback, True
        value, scale = on_0_100(rating.value, scale)
        out.append(Statement(i, value, scale, assumed, text))
    return out
