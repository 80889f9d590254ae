"""The SUDS values and acts of parsed transcript turns (:mod:`tvt.llm.transcript` splits the
text into turns).

SUDS: a client turn states a SUDS when it names it ("my SUDS is 70"), gives a rating with a scale
("about 7 out of 10", "80/100") or answers a therapist's SUDS question with a number near its
start ("Seventy. It's getting worse."). Values stated on 0-10 are converted to 0-100 and the turn
records ``"suds_scale": 10``. The scale is, in this order: the one stated with the number, the one
the therapist's question named ("from 0 to 10"), else 0-10 when every unscaled value in the
conversation is at most 10, else 0-100.
"""

from __future__ import annotations

import re
from typing import Any

# -- SUDS ------------------------------------------------------------------------------------------
_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_NUMWORD = (
    r"(?:(?:a |one )?hundred|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen)"
)
_NUM = rf"(?:\d{{1,3}}(?:\.\d+)?|{_NUMWORD})"
_SCALE_DECL_RE = re.compile(
    r"\b(?:0|zero|1|one)\s*(?:-|–|to|and)\s*(?P<scale>10|ten|100|a hundred|one hundred)\b",
    re.IGNORECASE,
)
# Cheap test before the SUDS patterns: a statement needs a digit, "SUDS" or a scale word.
_DIGIT_RE = re.compile(r"\d")
_HINT_WORDS = ("suds", "scale", "out of", "hundred")
_RATED_RE = re.compile(
    rf"(?<![\w.])(?P<num>{_NUM})\s*(?:/|out of|on a scale of)\s*(?P<scale>10|ten|100|a hundred)\b",
    re.IGNORECASE,
)
_SUDS_WORD_RE = re.compile(r"\bSUDS?\b", re.IGNORECASE)
_NUM_RE = re.compile(
    rf"(?<![\w.])(?P<num>{_NUM})(?![\w.]*\d)(?!\s*(?:years?|yrs|minutes?|mins?|hours?|"
    r"seconds?|days?|weeks?|months?|times|o'clock|am\b|pm\b|a\.m|p\.m|feet|foot|miles?|"
    r"km|meters?|metres?|dollars?|people|of (?:us|them)|kids|children))",
    re.IGNORECASE,
)
_ASKS_SUDS_RE = re.compile(  # lower
    r"\bsuds?\b|distress (?:level|rating|score)|how distressed|"
    r"rate (?:your|the|that) (?:distress|anxiety|fear|discomfort)|"
    r"(?:0|zero) (?:to|-) (?:10|100|a hundred)|(?:where|what) (?:are you|is it) (?:at|now)\b.*(?:scale|number)"
)


def asks_suds(text: str) -> bool:
    """Does a therapist line ask for a SUDS rating?"""
    return _ASKS_SUDS_RE.search(text.lower()) is not None


def _suds_hint(text: str) -> bool:
    """Cheap test before the SUDS patterns: a statement needs a digit, "SUDS" or a scale word."""
    if _DIGIT_RE.search(text):
        return True
    lower = text.lower()
    return any(w in lower for w in _HINT_WORDS)


def _word_value(word: str) -> float | None:
    w = word.lower().strip()
    try:
        return float(w)
    except ValueError:
        pass
    if "hundred" in w:
        return 100.0
    if w in _UNITS:
        return float(_UNITS[w])
    parts = re.split(r"[- ]", w)
    if parts[0] in _TENS:
        return float(_TENS[parts[0]] + (_UNITS.get(parts[1], 0) if len(parts) > 1 else 0))
    return None


def _scale_value(text: str) -> int:
    return 10 if text.lower() in ("10", "ten") else 100


def _asked_scale(text: str) -> int | None:
    m = _SCALE_DECL_RE.search(text)
    if m:
        return _scale_value(m.group("scale"))
    if re.search(r"\bout of (?:10|ten)\b", text, re.IGNORECASE):
        return 10
    return None


def _suds_statement(text: str, asked: bool) -> tuple[float, int | None] | None:
    """``(value, stated_scale or None)`` of a SUDS stated in a client turn, if any."""
    declared = _SCALE_DECL_RE.search(text)
    body = _SCALE_DECL_RE.sub(" ", text)
    scale = _scale_value(declared.group("scale")) if declared else None
    m = _RATED_RE.search(text)
    if m:
        value = _word_value(m.group("num"))
        if value is not None:
            return value, _scale_value(m.group("scale"))
    suds_word = _SUDS_WORD_RE.search(body)
    if suds_word:
        m = _NUM_RE.search(body, suds_word.end(), suds_word.end() + 60)
        if m:
            value = _word_value(m.group("num"))
            if value is not None:
                return value, scale
    if declared:
        # "on a scale of 0 to 100 it's 85": the declaration makes the number a rating
        m = _NUM_RE.search(body)
        if m:
            value = _word_value(m.group("num"))
            if value is not None:
                return value, scale
    if asked:
        # An answer to "What's your SUDS?" gives the number near its start.
        head = " ".join(body.split()[:12])
        m = _NUM_RE.search(head)
        if m:
            value = _word_value(m.group("num"))
            if value is not None:
                return value, scale
    return None


def attach_suds(turns: list[dict[str, Any]]) -> None:
    """Fill ``suds`` (0-100) and ``suds_scale`` of client turns in place (rules: module doc)."""
    found: list[tuple[int, float, int | None]] = []
    asked_scale: int | None = None
    asked = False
    for i, turn in enumerate(turns):
        if turn["speaker"] == "therapist":
            asked = asks_suds(turn["text"])
            asked_scale = _asked_scale(turn["text"]) if asked else None
            continue
        stated = _suds_statement(turn["text"], asked) if asked or _suds_hint(turn["text"]) else None
        if stated is not None:
            value, scale = stated
            found.append((i, value, scale or asked_scale))
        asked = False
    unscaled = [v for _, v, s in found if s is None]
    default_scale = 10 if unscaled and max(unscaled) <= 10 else 100
    for i, value, scale in found:
        scale = scale or default_scale
        suds = value * 10 if scale == 10 else value
        if not 0 <= suds <= 100:
            continue
        turns[i]["suds"] = int(round(suds))
        if scale == 10:
            turns[i]["suds_scale"] = 10


# -- acts ------------------------------------------------------------------------------------------
_REINFORCE_RE = re.compile(  # lower
    r"\b(?:doing (?:great|well|really well|so well)|stay with (?:it|that|this)|keep going|"
    r"well done|good job|that's (?:it|right|okay|ok)|you're safe|you are safe|you can do this|"
    r"brave|courage|i'm here|you're handling)"
)


def label_act(turn: dict[str, Any]) -> str:
    """A coarse dialogue-act label for an LLM turn (the offline composer labels its own)."""
    text = turn["text"]
    if turn["speaker"] == "client":
        return "suds_report" if turn.get("suds") is not None else "response"
    lower = text.lower()
    if _ASKS_SUDS_RE.search(lower):
        return "suds_check"
    if _REINFORCE_RE.search(lower) and len(text.split()) <= 20:
        return "reinforcement"
    if text.rstrip().endswith("?"):
        return "question"
    return "statement"
