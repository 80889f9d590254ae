"""Grammatical person: a client-voiced phrase in the therapist's voice ("my cousin" -> "your
cousin") or in a neutral voice for the facts given to prompts ("their cousin")."""

from __future__ import annotations

import re
from functools import cache

# Client voice -> therapist voice. Contractions and "I was" first, since the plain "I" rule
# would otherwise leave "you was" or "you'm" behind.
_YOU = [
    (re.compile(r"\bI'm\b"), "you're"),
    (re.compile(r"\bI've\b"), "you've"),
    (re.compile(r"\bI'd\b"), "you'd"),
    (re.compile(r"\bI'll\b"), "you'll"),
    (re.compile(r"\bI was\b"), "you were"),
    (re.compile(r"\bI am\b"), "you are"),
    (re.compile(r"\bI\b"), "you"),
    (re.compile(r"\bmy\b"), "your"),
    (re.compile(r"\bMy\b"), "Your"),
    (re.compile(r"\bour\b"), "your"),
    (re.compile(r"\bOur\b"), "Your"),
    (re.compile(r"\bmyself\b"), "yourself"),
    (re.compile(r"\bmine\b"), "yours"),
    (re.compile(r"\bours\b"), "yours"),
    (re.compile(r"\bOurs\b"), "Yours"),
    (re.compile(r"\bme\b"), "you"),
    (re.compile(r"\bwe\b"), "you"),
    (re.compile(r"\bus\b"), "you"),
]
# Client voice -> neutral voice for the facts given to prompts ("a conversation the client
# overheard"); "me" becomes "them" because the facts already name the client as "the client".
_THEY = [
    (re.compile(r"\bI'm\b"), "the client is"),
    (re.compile(r"\bI've\b"), "the client has"),
    (re.compile(r"\bI'd\b"), "the client would"),
    (re.compile(r"\bI'll\b"), "the client will"),
    (re.compile(r"\bI am\b"), "the client is"),
    (re.compile(r"\bI\b"), "the client"),
    (re.compile(r"\bmy\b"), "their"),
    (re.compile(r"\bMy\b"), "Their"),
    (re.compile(r"\bour\b"), "their"),
    (re.compile(r"\bme\b"), "them"),
    (re.compile(r"\bmine\b"), "theirs"),
    (re.compile(r"\bmyself\b"), "themselves"),
]
# Quoted words ("I don't love you any more") stay as they were said.
_QUOTED = re.compile(r'("[^"]*")')


def _literal(pattern: re.Pattern[str]) -> str:
    """The words a table pattern matches ("I was" for ``\\bI was\\b``)."""
    return pattern.pattern.replace("\\b", "")


#: The tables with each pattern's words: a part without them is left alone, without running
#: the regex (most phrases have two or three of the eighteen words at most).
_YOU_WORDS = [(pattern, repl, _literal(pattern)) for pattern, repl in _YOU]
_THEY_WORDS = [(pattern, repl, _literal(pattern)) for pattern, repl in _THEY]


def _swap(text: str, table: list[tuple[re.Pattern[str], str, str]]) -> str:
    parts = _QUOTED.split(text)
    for i in range(0, len(parts), 2):  # even parts are outside quotation marks
        part = parts[i]
        for pattern, repl, words in table:
            if words in part:
                part = pattern.sub(repl, part)
        parts[i] = part
    return "".join(parts)


@cache
def second_person(text: str) -> str:
    """Therapist voice for a client-voiced phrase: "my cousin" -> "your cousin", "the night I
    nearly died" -> "the night you nearly died". Quoted words are left as said."""
    return _swap(text, _YOU_WORDS)


@cache
def third_person(text: str) -> str:
    """Neutral voice for a fact: "my cousin" -> "their cousin"."""
    return _swap(text, _THEY_WORDS)
