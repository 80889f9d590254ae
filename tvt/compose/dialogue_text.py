"""The sentence-level text helpers of the conversation builder (:mod:`tvt.compose.dialogue`):
the words-only filter for verbal SUDS, sentence splitting, how spoken sentences run together,
and the words and acts the builder treats apart (hedges, hesitations, the event said as "it",
the acts of the retelling).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from tvt.compose.bank import verbal_bank, voice_bank
from tvt.compose.language import Picker, band_of, cap
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
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_WORD = re.compile(r"[A-Za-z0-9']+")
#: A sentence as tvt.diversity counts it (text up to . ! or ?); composed text has single spaces.
SENTENCE_SPAN = re.compile(r"[^.!?]+[.!?]*")


def sentences(text: str) -> list[str]:
    """The sentences of composed text, as :func:`tvt.diversity.sentences` splits them (composed
    text never has runs of whitespace, so nothing needs collapsing)."""
    return [s.strip() for s in SENTENCE_SPAN.findall(text)]


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
AGAIN_OPENERS = (
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


def lower_first(sentence: str) -> str:
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
    links: tuple[str, ...] | None = None  # looked up at the first run-on (most turns have none)
    p = 0.55 * talk
    out = [pieces[0]]
    for piece in pieces[1:]:
        prev = out[-1]
        if (
            prev.endswith(".")
            and piece.endswith((".", "!"))
            and '"' not in prev
            and '"' not in piece
            # A hesitation ("No, wait.", "Okay.") is not run on: "No, wait, and a man waves us
            # through" is no way to say it.
            and 3 <= len(prev.split()) <= 13
            and len(piece.split()) <= 13
            and not prev.endswith("...")
            and _runs_on(piece)
            and pick.rng.random() < p
        ):
            first = piece.split(" ", 1)[0]
            # "..., but if it does": a conjunction needs no "and" before it.
            if first in _CONJUNCTIONS:
                link = ", "
            else:
                if links is None:
                    links = _LINKS.get(band_of(level)["name"], _LINKS["moderate"])
                link = pick.choice(links)
            out[-1] = prev[:-1] + link + lower_first(piece)
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


# -- the words of a turn as the conversation builder (tvt.compose.dialogue) shapes them --------------
#: The senses a sensory detail may name, in the order the banks list them.
SENSES = ("sight", "sound", "smell", "touch")
#: Short openers a hesitant client turn may start with.
FILLERS = ("Okay", "Um", "So", "Well", "Hm", "I...", "Sorry", "Right", "Alright")
#: Therapist acts that may pick up the detail the client just described.
ECHO_ACTS = frozenset({"prompt", "reinforcement", "sensory_prompt", "suds_request"})
#: How many times a conversation names the event before it becomes "it" where that reads well.
EVENT_NAMES = 3
_SLOT = re.compile(r"\{\w+\}")
#: The words of a lower-cased sentence (what a colouring added is compared by).
LOWER_WORDS = re.compile(r"[a-z']+")
_SENTENCE_END = re.compile(r"(?<=[.!?\"])\s+")
_EVENT_IT = re.compile(r"\b(about|through|with|into|over|of|from|avoided) \{event\}")
#: Client acts of the retelling itself: no opener or tic is put on them.
TRAUMA_ACTS = frozenset(
    {"narration", "sensory_detail", "thought", "struggle", "detachment", "grounding_response"}
)
#: Client sentences the therapist may say back, and how.
MIRROR_STARTS = ("I feel ", "I'm ", "I kept ", "I thought ", "I was ", "I didn't ", "I never ")


def hedged(sentence: str) -> bool:
    """Whether a sentence carries a hedge, an opener or a tic of any register, or a
    hesitation: a reflection that says it back would echo the client's manner, not meaning."""
    low = " " + sentence.lower().rstrip(".?!") + " "
    return any(f" {h} " in low or f" {h}," in low or f",{h} " in low for h in hedge_words()) or (
        " - " in sentence or "..." in sentence
    )


def recapitalise(text: str, capped: str, short: str) -> str:
    """``text`` with ``capped`` (a capitalised long name) as ``short``: capitalised where a
    sentence starts, in lower case elsewhere."""

    def swap(m: re.Match[str]) -> str:
        return m.group(1) + cap(short) if m.group(1) is not None else short

    return re.sub(r"(^|[.!?]\s+|\"\s*)?" + re.escape(capped), swap, text)


@functools.lru_cache(maxsize=4096)
def event_as_it(template: str) -> str:
    """``template`` with the event as "it" after a preposition, in each sentence that also
    names something else of the client's own (so that the sentence stays theirs)."""
    return " ".join(
        _EVENT_IT.sub(r"\1 it", piece) if len(_SLOT.findall(piece)) > 1 else piece
        for piece in _SENTENCE_END.split(template)
    )


@functools.lru_cache(maxsize=8192)
def hot_alone(template: str) -> bool:
    """Whether a sentence of ``template`` names the hot spot and nothing else of the client's
    (where "that moment" would make a sentence every client says alike)."""
    return any(
        "{hot" in piece and len(_SLOT.findall(piece)) < 2 for piece in _SENTENCE_END.split(template)
    )


@functools.lru_cache(maxsize=8192)
def template_slots(template: str) -> tuple[tuple[str, ...], bool, bool, bool]:
    """Which slots ``template`` has that :meth:`Dialogue.fill` treats specially: the senses
    named, "{event}", and any "{eve..." or "{hot..." slot. Templates are a few thousand bank
    lines filled tens of thousands of times a run: the substring scans are done once per line."""
    senses = tuple(sense for sense in SENSES if "{" + sense in template)
    return senses, "{event}" in template, "{eve" in template, "{hot" in template


@functools.cache
def hesitation_leads() -> frozenset[str]:
    """The voice's hesitations said as a sentence of their own ("Wait - hang on.")."""
    return frozenset(h for style in voice_bank()["hesitations"].values() for h in style)


@functools.cache
def hedge_words() -> tuple[str, ...]:
    registers = voice_bank()["registers"].values()
    words = {w.rstrip(",?").lower() for r in registers for w in r["openers"] + r["tics"]}
    return tuple(sorted(words | {"kind of", "sort of", "i guess", "mostly", "i suppose"}))


# -- typed slots ---------------------------------------------------------------------------------
#: The slots whose filler has a grammatical form a frame may not take (see
#: :func:`tvt.compose.language.slot_form`); the hot spot is always a noun phrase.
TYPED_SLOTS = ("event", "event_t", "event_cap", "reminder", "reminder2", "reminder_t")
_ANY = frozenset(("np", "pl", "bare", "act", "ger", "wh"))
_NOUNS = frozenset(("np", "pl"))
#: What a slot accepts, declared by the words before it in the frame: (pattern on the lower-case
#: text before the slot, pattern on the text after it, the forms it accepts). The first rule
#: that matches decides; a slot no rule matches takes every form. "during losing our village",
#: "all of being taken prisoner", "how what happened ends", "heard someone mention dogs barking"
#: and "the one I get after hospitals" are what these rules keep out.
FRAME_RULES: tuple[tuple[re.Pattern[str], re.Pattern[str], frozenset[str]], ...] = (
    (re.compile(r"\b(during|throughout)\s$"), re.compile(""), _NOUNS),
    (re.compile(r"\bhow\s$"), re.compile(""), _NOUNS),
    (re.compile(r"\b(it's like|that)\s$"), re.compile(r"^ happened\b"), _NOUNS),
    (
        re.compile(r"\b(all|whole|middle|end|rest|bits|parts|none|most|some|any) of\s$"),
        re.compile(""),
        _NOUNS | {"wh"},
    ),
    (re.compile(r"\bmention\s$"), re.compile(""), _NOUNS | {"bare"}),
    (re.compile(r"\b(after|at)\s$"), re.compile(""), _NOUNS | {"ger", "wh"}),
    (re.compile(r"\bwhat\s$"), re.compile(""), _ANY - {"wh"}),
    # The subject of a verb: "when {reminder} catches me" (no "when what happened comes"); not
    # after a preposition ("talking about what happened brings it back" is fine).
    (
        re.compile(r"(?<!about )(?<!of )(?<!with )(?<!through )(?<!from )(?<!to )(?<!like )$"),
        re.compile(r"^ (\w+s|is|was|has|doesn't|isn't|wasn't|hasn't)\b"),
        _ANY - {"wh"},
    ),
)
_TYPED = re.compile(r"\{(" + "|".join(TYPED_SLOTS) + r")\}")


@functools.lru_cache(maxsize=8192)
def frame_forms(template: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """The typed slots of ``template`` with the forms each accepts (:data:`FRAME_RULES`);
    the slot names are the context's keys ("event_cap" counts as "event")."""
    if "{" not in template:
        return ()
    out = []
    for m in _TYPED.finditer(template):
        before = template[: m.start()].lower()
        after = template[m.end() :]
        for left, right, forms in FRAME_RULES:
            if left.search(before) and right.search(after):
                if forms != _ANY:
                    out.append((m.group(1), forms))
                break
    return tuple(out)
