"""The sentence-level text helpers of the conversation builder (:mod:`tvt.compose.dialogue`):
the words-only filter for verbal SUDS, sentence splitting, and how spoken sentences run together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tvt.compose.bank import verbal_bank
from tvt.compose.language import Picker, band_of
from tvt.compose.voice_text import RUN_ON

#: Lines that speak of the numeric scale; left out when SUDS are spoken in words.
_NUMERIC = re.compile(r"number|SUDS|nought|hundred|\{n\}|\{prev\}|\{peak\}|\{end\}|scale", re.I)
_WORDS_ONLY: dict[int, list[str]] = {}


def words_only(pool: Sequence[str]) -> Sequence[str]:
    """``pool`` without the lines that speak of SUDS numbers or the scale (cached per pool)."""
    out = _WORDS_ONLY.get(id(pool))
    if out is None:
        out = _WORDS_ONLY[id(pool)] = [x for x in pool if not _NUMERIC.search(x)]
        _KEEP.append(pool)  # the id stays valid while the cache holds the pool
    return out


_KEEP: list[Sequence[str]] = []
#: Sentence boundaries inside a turn (whitespace after . ! or ?); quotes stay whole.
_PIECES = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_WORD = re.compile(r"[A-Za-z0-9']+")
#: A sentence as tvt.diversity counts it (text up to . ! or ?); composed text has single spaces.
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")


def sentences(text: str) -> list[str]:
    """The sentences of composed text, as :func:`tvt.diversity.sentences` splits them (composed
    text never has runs of whitespace, so nothing needs collapsing)."""
    return [s.strip() for s in _SENTENCE.findall(text)]


#: How two spoken sentences run together, by intensity band.
_LINKS = {
    "calm": (", and ", " - ", ", and, well, ", "; "),
    "mild": (", and ", " - ", ", and ", "... "),
    "moderate": (", and ", " - ", "... ", ", and "),
    "high": ("... ", " - ", "... and ", ", and "),
    "extreme": ("... ", " - ", "... ", " - and "),
}
#: Sentence openings that are lower-cased when the sentence runs on from another one.
_LOWER = RUN_ON


#: How a client marks a sentence of the memory said again in a retelling.
_AGAIN = (
    "Again,",
    "And again",
    "Same as before,",
    "Once more,",
    "Then again,",
    "Like before,",
    "As before,",
    "And once more,",
    "Just like before,",
    "All over again,",
)

_CONJUNCTIONS = frozenset({"But", "And", "So", "Or", "Because", "Then"})


def _runs_on(sentence: str) -> bool:
    """Whether a sentence can follow another within one sentence: it starts with "I" or with a
    word that can be lower-cased (not a name, not a quotation)."""
    first = sentence.split(" ", 1)[0].rstrip(",.")
    return first in _LOWER or first in ("I", "I'm", "I've", "I'd", "I'll")


def _lower_first(sentence: str) -> str:
    first = sentence.split(" ", 1)[0].rstrip(",.")
    return sentence[:1].lower() + sentence[1:] if first in _LOWER else sentence


def verbal_level(value: int) -> list[str]:
    """The client's words for a distress level 0-100 (verbal SUDS)."""
    for band in verbal_bank()["client"]["level"]:
        if value <= band["max"]:
            return band["words"]
    raise ValueError(f"SUDS {value} is above 100")


def join_spoken(pieces: list[str], level: float, talk: float, pick: Picker) -> list[str]:
    """Run some short sentences together the way people do when they talk ("My hands are
    shaking, and I can hear the alarm"); how often depends on the voice's ``talk``, how depends
    on the level (trailing dots and dashes as distress rises)."""
    if len(pieces) < 2:
        return pieces
    links = _LINKS.get(band_of(level)["name"], _LINKS["moderate"])
    p = 0.55 * talk
    out = [pieces[0]]
    for piece in pieces[1:]:
        prev = out[-1]
        if (
            prev.endswith(".")
            and piece.endswith((".", "!"))
            and '"' not in prev
            and '"' not in piece
            and len(prev.split()) <= 13
            and len(piece.split()) <= 13
            and not prev.endswith("...")
            and _runs_on(piece)
            and pick.rng.random() < p
        ):
            first = piece.split(" ", 1)[0]
            # "..., but if it does": a conjunction needs no "and" before it.
            link = ", " if first in _CONJUNCTIONS else pick.choice(links)
            out[-1] = prev[:-1] + link + _lower_first(piece)
        else:
            out.append(piece)
    return out


_CLOSE_AFTER = re.compile(r"[.!?](?=\s|$)")


def balance_quotes(text: str) -> str:
    """Close or drop a quotation mark left alone when a repeated sentence was taken out of a
    quote ("For a long time it's meant this: "I should never have trusted them. My head ..."):
    an opening mark is closed at the end of its first sentence, a stray closing mark at the
    start of the turn is dropped."""
    if text.count('"') % 2 == 0:
        return text
    if text.startswith('"') and (len(text) < 2 or not text[1].isalpha()):
        return text[1:].lstrip()
    at = text.rfind('"')
    if at + 1 < len(text) and (text[at + 1].isalpha() or text[at + 1] == "'"):
        end = _CLOSE_AFTER.search(text, at)
        if end is not None:
            return text[: end.end()] + '"' + text[end.end() :]
        return text + '"'
    # A closing mark whose opening was taken out: drop it.
    return text[:at] + text[at + 1 :]
