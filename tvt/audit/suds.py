"""SUDS checks and ratings of a conversation, from the turn fields when present, else from text.

A *check* is a therapist turn that asks for a rating (lexicon ``suds.question``). A *rating* is a
client turn with a ``suds`` field, or, in data without it, a client turn answering a check (or
naming a scale or SUDS itself) with a rating among its first :data:`HEAD_WORDS` words that is not
followed by a unit of lexicon ``suds.not_a_rating`` ("20 minutes"). The numbers are read by
:mod:`tvt.suds_text`, the reader import and the lexical rater use (docs/benchmark.md, section 8):
number words, a range as its middle, a change "from X to Y" as Y, the scale itself ("0 to 100")
not a rating. Which turns are ratings and which scale applies are the audit's own rules; the scale
is, in order: the ``suds_scale`` field; the scale the client says with the number ("7 out of 10",
"70%"); the scale the client's turn names (rules lexicons ``suds.scale_10``, ``suds.scale_100``);
the scale named in the check; the scale last named in a check of the conversation; else it is
read from the number (10 or less: 0-10). A number above 10 on 0-10 is a 0-100 rating.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tvt.audit.load import ConversationView
from tvt.audit.rules import Rules
from tvt.suds_text import Rating, iter_ratings, on_0_100

#: Words of a client turn read for its rating (an answer gives the number near its start).
HEAD_WORDS = 14
_WORD = re.compile(r"\S+")


def _head_end(text: str) -> int:
    """Where the first :data:`HEAD_WORDS` words of ``text`` end."""
    end = len(text)
    for n, m in enumerate(_WORD.finditer(text)):
        if n == HEAD_WORDS:
            return m.start()
        end = m.end()
    return end


def first_rating(text: str, rules: Rules) -> Rating | None:
    """The first rating of ``text`` (tvt.suds_text) among its first words and not before a unit.

    A rating must start within the first :data:`HEAD_WORDS` words; one followed by a unit of the
    rules' lexicon ``suds.not_a_rating`` is passed over (tvt.suds_text already passes over the
    common units; the lexicon lets an edited rules file add its own).
    """
    limit = _head_end(text)
    units = rules.lex("suds.not_a_rating").rx
    for found in iter_ratings(text):
        if found.start >= limit:
            break
        if units.match(text[found.end :].lstrip()):
            continue
        return found.rating
    return None


def first_rating_number(text: str, rules: Rules) -> float | None:
    """The number of :func:`first_rating` as said (before any scale), or None."""
    rating = first_rating(text, rules)
    return None if rating is None else rating.value


def named_scale(text: str, rules: Rules) -> int | None:
    """The scale a text names: 10, 100, or None."""
    lower = text.lower()
    for scale, name in ((10, "suds.scale_10"), (100, "suds.scale_100")):
        rx, searched = rules.lex(name).pattern_for(text, lower)
        if rx.search(searched):
            return scale
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


def trace(conv: ConversationView, rules: Rules) -> SudsTrace:
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
                rating = first_rating(turn.text, rules)
                if rating is not None:
                    said = rating.scale or own or asked_scale or last_scale
                    value, scale = on_0_100(
                        rating.value, said or (10 if rating.value <= 10 else 100)
                    )
                    out.ratings.append((i, value, scale))
                    out.checked_ordinals.append(ordinal)
                elif asked:
                    out.checked_ordinals.append(ordinal)
            elif asked:
                out.checked_ordinals.append(ordinal)
        asked = False
    out.client_turns = ordinal + 1
    return out
