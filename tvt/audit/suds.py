"""SUDS checks and ratings of a conversation, from the turn fields when present, else from text.

A *check* is a therapist turn that asks for a rating (lexicon ``suds.question``). A *rating* is a
client turn with a ``suds`` field, or, in data without it, a client turn answering a check (or
naming a scale itself) whose first number is not followed by a unit ("20 minutes"). The scale
is, in order: the ``suds_scale`` field; the scale the client names ("7 out of 10", "70%"); the
scale named in the check; the scale last named in the conversation; else it is read from the
number (10 or less: 0-10).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tvt.audit.load import Conversation
from tvt.audit.rules import Rules

_UNITS = {
    "zero": 0, "nought": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_DIGITS = {"one": 1, **{k: v for k, v in _UNITS.items() if v < 10}}
# "one" alone is left out: in an answer it is far more often "one of the worst moments".
_NUMBER_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d+)?|(?:a |one )?hundred|"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"zero|nought|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen)(?![\w.]*\d)",
    re.IGNORECASE,
)
#: Words of a client turn read for its rating (an answer gives the number near its start).
HEAD_WORDS = 14


def number_value(word: str) -> float | None:
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
        return float(_TENS[parts[0]] + (_DIGITS.get(parts[1], 0) if len(parts) > 1 else 0))
    return None


def first_rating_number(text: str, rules: Rules) -> float | None:
    """The first number of ``text`` that is not followed by a unit, or None."""
    head = " ".join(text.split()[:HEAD_WORDS])
    units = rules.lex("suds.not_a_rating").rx
    for m in _NUMBER_RE.finditer(head):
        rest = head[m.end() :].lstrip()
        if units.match(rest):
            continue
        return number_value(m.group(1))
    return None


def named_scale(text: str, rules: Rules) -> int | None:
    """The scale a text names: 10, 100, or None."""
    if rules.lex("suds.scale_10").rx.search(text):
        return 10
    if rules.lex("suds.scale_100").rx.search(text):
        return 100
    return None


@dataclass
class SudsTrace:
    """SUDS events of one conversation."""

    #: therapist turns that ask for a rating
    checks: list[int] = field(default_factory=list)
    #: (turn index, value on 0-100, scale 10 or 100) of each client rating
    ratings: list[tuple[int, float, int]] = field(default_factory=list)
    #: ordinal (among client turns) of each client turn that was asked or that rated
    checked_ordinals: list[int] = field(default_factory=list)
    client_turns: int = 0

    @property
    def scales(self) -> set[int]:
        return {s for _, _, s in self.ratings}

    def largest_gap(self) -> int:
        """Most client turns in a row without a SUDS check (all of them when there is none)."""
        marks = sorted(set(self.checked_ordinals))
        if not marks:
            return self.client_turns
        gaps = [marks[0]] + [b - a - 1 for a, b in zip(marks, marks[1:], strict=False)]
        gaps.append(self.client_turns - 1 - marks[-1])
        return max(gaps)


def trace(conv: Conversation, rules: Rules) -> SudsTrace:
    """The SUDS checks and ratings of ``conv``."""
    out = SudsTrace()
    question = rules.lex("suds.question")
    asked = False
    asked_scale: int | None = None
    last_scale: int | None = None
    ordinal = -1
    for i, turn in enumerate(conv.turns):
        if turn.speaker == "therapist":
            asked = question.find_in(turn) is not None
            asked_scale = named_scale(turn.text, rules) if asked else None
            if asked:
                out.checks.append(i)
                last_scale = asked_scale or last_scale
            continue
        ordinal += 1
        if turn.suds is not None:
            scale = 10 if turn.suds_scale == 10 else 100
            out.ratings.append((i, turn.suds, scale))
            out.checked_ordinals.append(ordinal)
        else:
            own = named_scale(turn.text, rules)
            if asked or own is not None or "suds" in turn.text.lower():
                value = first_rating_number(turn.text, rules)
                if value is not None:
                    scale = own or asked_scale or last_scale or (10 if value <= 10 else 100)
                    if scale == 10 and value > 10:
                        scale = 100  # "80" after a 0-10 question is a 0-100 rating
                    if value <= 100:
                        out.ratings.append((i, value * 10 if scale == 10 else value, scale))
                        out.checked_ordinals.append(ordinal)
                elif asked:
                    out.checked_ordinals.append(ordinal)
            elif asked:
                out.checked_ordinals.append(ordinal)
        asked = False
    out.client_turns = ordinal + 1
    return out
