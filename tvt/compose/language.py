"""Small language helpers: template filling, least-used choice, number words, intensity bands.

Templates are plain ``str.format`` strings (``"I can see {sight}."``) filled with
``format_map`` from a per-client context, so an unknown slot raises ``KeyError`` at once instead
of leaking into the data as ``{sight}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from tvt.compose.bank import bands
from tvt.rng import Stream

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """English words for 0-99 ("forty-two"); client text keeps digits for SUDS ratings only."""
    if n < 0 or n > 99:
        raise ValueError(f"number_words covers 0-99, got {n}")
    if n < 20:
        return _ONES[n]
    tens, ones = divmod(n, 10)
    return _TENS[tens] if ones == 0 else f"{_TENS[tens]}-{_ONES[ones]}"


def cap(text: str) -> str:
    """Upper-case the first character only (keeps proper nouns and the rest intact)."""
    return text[:1].upper() + text[1:]


def fill(template: str, ctx: Mapping[str, Any]) -> str:
    """Fill ``template`` from ``ctx``; a missing slot is a bug and raises ``KeyError``.

    A present-tense verb right after a slot agrees with a plural filler ("when {reminder}
    sets me off" -> "when hospitals set me off"; see :func:`frame_verbs`)."""
    verbs = _VERBS.get(template)
    if verbs is None:
        verbs = frame_verbs(template)
    for slot, verb, plural in verbs:
        try:
            value = ctx[slot]
        except KeyError:
            continue
        if isinstance(value, str) and agree_plural(value):
            template = template.replace(f"{{{slot}}} {verb}", f"{{{slot}}} {plural}")
    return template.format_map(ctx)


#: Present-tense verbs after a slot said of a plural filler ("when hospitals set me off").
_BE_PLURAL = {
    "is": "are",
    "was": "were",
    "has": "have",
    "doesn't": "don't",
    "isn't": "aren't",
    "wasn't": "weren't",
    "hasn't": "haven't",
}
#: The slots whose filler may be plural (the people and places of the story are singular).
AGREEING = frozenset(
    key + cap
    for key in ("event", "event_t", "reminder", "reminder2", "reminder_t", "detail")
    + ("sight", "sound", "smell", "touch")
    for cap in ("", "_cap")
)
_AFTER_PREPOSITION = re.compile(
    r"\b(about|of|with|through|from|to|in|on|at|after|before|like|into|over|for|near|than) $"
)
#: A slot and the word after it, past an adverb ("{event} still sits heavy").
ADVERBS = ("still", "always", "never", "just", "really", "often", "usually", "sometimes", "only")
_AFTER_SLOT = re.compile(r"\{(\w+)\} ((?:" + "|".join(ADVERBS) + r") )?([a-z']+)\b")


#: frame_verbs of the templates seen (bounded: filled text passes through fill too).
_VERBS: dict[str, tuple[tuple[str, str, str], ...]] = {}


def frame_verbs(template: str) -> tuple[tuple[str, str, str], ...]:
    """(slot, verb, plural verb) for each present-tense verb right after a slot of ``template``
    ("{reminder} sets" -> ("reminder", "sets", "set")): said of a plural filler, the verb
    agrees with it. The plural forms are ``lemminflect``'s, from seeds/compose/nouns.json."""
    if len(_VERBS) > 16384:
        _VERBS.clear()
    found = _VERBS[template] = _frame_verbs(template) if "} " in template else ()
    return found


def _frame_verbs(template: str) -> tuple[tuple[str, str, str], ...]:
    out = []
    for m in _AFTER_SLOT.finditer(template):
        slot, adverb, verb = m.group(1), m.group(2) or "", m.group(3)
        if slot not in AGREEING or _AFTER_PREPOSITION.search(template, 0, m.start()):
            continue  # "talking about {event} brings it back": the slot is not the subject
        plural = _BE_PLURAL.get(verb) or verb_plurals().get(verb)
        if plural:
            out.append((slot, adverb + verb, adverb + plural))
    return tuple(out)


@cache
def verb_plurals() -> dict[str, str]:
    """The third-person verbs the banks put after a slot, with their plural present form
    (written by ``python -m tvt.compose.nouns``)."""
    from tvt.resources import load_seed_json, seeds_path

    if not seeds_path("compose", "nouns.json").exists():  # while the table is being written
        return {}
    return dict(load_seed_json("compose", "nouns.json").get("verbs", {}))


def agree_plural(phrase: str) -> bool:
    """Whether a slot filler takes a plural verb: a gerund or a clause never does ("losing
    our village sets me off"), a noun phrase when its head noun is plural (a participle
    before the noun is no head: "blue flashing lights")."""
    return slot_form(phrase) not in ("ger", "wh") and is_plural(without_participles(phrase))


def without_participles(phrase: str) -> str:
    """``phrase`` without the -ing words inside it ("blue flashing lights" -> "blue lights"),
    so that its head noun is found."""
    words = phrase.split()
    return " ".join(
        w for i, w in enumerate(words) if not (0 < i < len(words) - 1 and w.endswith("ing"))
    )


_TYPED_POOLS: dict[int, bool] = {}
_KEEP_POOLS: list[Sequence[str]] = []


def _typed_pool(pool: Sequence[str]) -> bool:
    """Whether any line of ``pool`` has a typed slot (most pools have none: they are checked
    once a run, not once a conversation). Each pool is kept referenced while cached, so that
    its id is not reused; the cache is emptied when it grows past the banks (a client's own
    lists, picked from too, come and go)."""
    typed = _TYPED_POOLS.get(id(pool))
    if typed is None:
        from tvt.compose.dialogue_text import frame_forms

        if len(_KEEP_POOLS) > 4096:
            _TYPED_POOLS.clear()
            _KEEP_POOLS.clear()
        typed = _TYPED_POOLS[id(pool)] = any(
            frame_forms(line) for line in pool if isinstance(line, str)
        )
        _KEEP_POOLS.append(pool)
    return typed


class Picker:
    """Random choice that goes through a whole pool before repeating any of it.

    The release's experts complained that the same therapist prompt came back again and again;
    each pool is dealt like a shuffled deck (per conversation), so a line repeats only once the
    pool is used up. Pools must be long-lived sequences (bank lists, narrative lists): the deck
    is keyed by the pool object.
    """

    __slots__ = ("_fitted", "_random", "decks", "fits", "rng")

    def __init__(self, rng: Stream) -> None:
        self.rng = rng
        self._random = rng.random  # the stream's own draw: the same sequence, one lookup less
        self.decks: dict[int, list[int]] = {}
        #: Whether a drawn line suits what it will be filled with (typed slots, see
        #: :func:`tvt.compose.dialogue_text.frame_forms`); None takes every line.
        self.fits: Callable[[str], bool] | None = None
        #: The decks of the pools some line of which does not fit (by pool id; :attr:`fits`
        #: is set once a picker): these are dealt by :meth:`_fitting`, the rest as before.
        self._fitted: dict[int, list[int]] = {}

    def pick(self, pool: Sequence[str]) -> str:
        """The next item of ``pool``'s shuffled deck (dealt afresh when used up).

        The deck is dealt lazily: each pick swaps one random remaining card to the end and
        takes it, so a pool used once per conversation costs one draw, not a full shuffle.
        """
        key = id(pool)
        deck = self.decks.get(key)
        if not deck:
            fits = self.fits
            if fits is not None:
                fitted = self._fitted.get(key)
                if fitted is not None:
                    return self._fitting(pool, fitted, fits)
                typed = _TYPED_POOLS.get(key)
                if typed is None:
                    typed = _typed_pool(pool)
                if typed and not all(map(fits, pool)):
                    fitted = self._fitted[key] = list(range(len(pool)))
                    return self._fitting(pool, fitted, fits)
            deck = self.decks[key] = list(range(len(pool)))
        j = int(self._random() * len(deck))
        # Swap card j with the last and take it: the last card moves into the gap.
        last = deck.pop()
        if j == len(deck):
            return pool[last]
        card = deck[j]
        deck[j] = last
        return pool[card]

    def _fitting(self, pool: Sequence[str], deck: list[int], fits: Callable[[str], bool]) -> str:
        """The next card of ``pool``'s deck that :attr:`fits`: a line whose slots do not take
        this client's filler ("during {event}" for "losing our village") is left in the deck
        and another drawn; when no card left fits, the deck is dealt afresh, and a pool with no
        fitting line at all gives its first line (the filling then falls back on a pronoun)."""
        for attempt in range(2):
            cards = [c for c in deck if fits(pool[c])]
            if cards:
                card = cards[int(self._random() * len(cards))]
                deck.remove(card)
                return pool[card]
            if attempt == 0:
                deck[:] = range(len(pool))
        return pool[deck.pop()]

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self._random() < p

    def choice(self, pool: Sequence[Any]) -> Any:
        """A uniform choice without usage tracking (for non-text choices)."""
        return pool[int(self._random() * len(pool))]


def band_of(intensity: float) -> dict[str, Any]:
    """The intensity band (seeds/compose/bands.json) that covers ``intensity`` (1-10)."""
    level = min(10, max(1, int(intensity + 0.5)))
    return bands()["by_level"][level]


def derived_suds(intensity: int, rng: Stream) -> int:
    """A SUDS rating that agrees with a phase intensity: ``round(suds / 10) == intensity``.

    Used for phases without SUDS targets in the plan (P5, P8, P11). People tend to answer in
    fives and tens, so the round value is the most likely one.
    """
    centre = 10 * intensity
    r = rng.random()
    if r < 0.45:
        value = centre
    elif r < 0.7:
        value = centre + (-3 if rng.random() < 0.5 else 3)
    else:
        value = centre + rng.integer(-4, 4)
    return min(100, max(0, value))


#: Words that end a noun phrase's head: "the screen lighting up my face" -> "screen".
_HEAD_END = frozenset(
    "of in on at with from by under over to that which who where when , near against through "
    "behind beside above below into onto across round around outside inside downstairs "
    "upstairs everywhere nearby overhead again too".split()
)
_COUNT = frozenset(
    "two three four five six seven eight nine ten dozens hundreds several many both few".split()
)
#: Plural nouns whose lemma is themselves (lemminflect gives "people" -> "people").
_PLURAL_ONLY = frozenset("people police clothes cattle".split())
#: Singular nouns lemminflect takes for plurals ("rota" -> "rotum").
_SINGULAR_ONLY = frozenset("rota".split())


@cache
def _lemma_table() -> dict[str, str]:
    """``lemminflect``'s noun lemmas of every head noun the shipped data uses
    (seeds/compose/nouns.json, written by ``python -m tvt.compose.nouns``)."""
    from tvt.resources import load_seed_json, seeds_path

    if not seeds_path("compose", "nouns.json").exists():  # while the table is being written
        return {}
    return load_seed_json("compose", "nouns.json")["lemma"]


@cache
def _noun_lemma(word: str) -> str:
    """The noun lemma of ``word`` from ``lemminflect``: looked up in the table of the shipped
    data's nouns (loading lemminflect's own tables takes longer than composing a client), and
    asked of ``lemminflect`` itself for any other word."""
    known = _lemma_table().get(word)
    if known is not None:
        return known
    return lemminflect_lemma(word)


def lemminflect_lemma(word: str) -> str:
    """``lemminflect``'s noun lemma of ``word`` (the word itself when it has none)."""
    from lemminflect import getLemma

    lemmas = getLemma(word, upos="NOUN")
    return lemmas[0] if lemmas else word


def head_noun(noun_phrase: str) -> str | None:
    """The head noun of a phrase as :func:`is_plural` finds it, or None when the phrase is
    plural by its form alone ("diesel and dust", "two of my colleagues")."""
    words = re.findall(r"[A-Za-z'-]+|,", noun_phrase)
    head = ""
    for i, word in enumerate(words):
        low = word.lower()
        if low == "and" and head:
            return None
        if low in _HEAD_END or (i > 0 and low.endswith("ing") and len(low) > 4):
            break
        if i > 0 and word[:1].isupper() and head:
            break  # a name after the noun: "my brother Harold" -> "brother"
        if low in _COUNT:
            return None
        head = low
    return head


@cache
def is_plural(noun_phrase: str) -> bool:
    """Whether a noun phrase takes a plural verb ("the posts" are, "the screen lighting up my
    face" is, "diesel and dust" are): its head noun is plural when ``lemminflect``'s lemma of it
    differs from it ("posts" -> "post", "children" -> "child")."""
    head = head_noun(noun_phrase)
    if head is None:
        return True
    if not head or head.endswith("'s"):
        return False
    return head in _PLURAL_ONLY or (_noun_lemma(head) != head and head not in _SINGULAR_ONLY)


def agreement(key: str, noun_phrase: str) -> dict[str, str]:
    """Verb slots that agree with ``noun_phrase``: ``<key>_is`` (is/are), ``<key>_isnt``
    (isn't/aren't), ``<key>_was`` (was/were)."""
    plural = is_plural(noun_phrase)
    return {
        f"{key}_is": "are" if plural else "is",
        f"{key}_isnt": "aren't" if plural else "isn't",
        f"{key}_was": "were" if plural else "was",
    }


def name_index(used: int, count: int, shorts: int = 4, pointer: bool = True) -> int:
    """Which of ``count`` names of one thing to use the ``used``-th time in a conversation.

    People name a thing in full once, when it first comes up, then by a short name, then by a
    word that only points back at it: ``names[0]`` is the full name (said once a
    conversation), ``names[1:-1]`` the short names, in turn, for ``shorts`` mentions, and
    ``names[-1]`` the pointing word ("that moment") from then on. With two names the second
    is both the short name and the last one. Without a ``pointer`` name the short names
    ``names[1:]`` take turns from the second mention on."""
    if count < 2 or used == 0:
        return 0
    if not pointer:
        return 1 + (used - 1) % (count - 1)
    if count == 2 or used > shorts:
        return count - 1
    return 1 + (used - 1) % (count - 2)


#: The grammatical forms a slot's filler can have (see :func:`slot_form`): a singular or mass
#: noun phrase ("the crash"), a plural one ("the weeks on my own"), a bare plural or mass noun
#: naming a kind of thing ("hospitals", "intensive care"), a noun phrase naming something happening ("dogs barking", "car doors slamming"), a
#: gerund phrase ("losing our village", "being taken prisoner") and a free relative clause
#: ("what happened at home", "what they did to me").
FORMS = ("np", "pl", "bare", "act", "ger", "wh")
#: Words ending in -ing that are nouns, not gerunds ("the morning", "the building").
_ING_NOUNS = frozenset(
    "morning evening building ceiling wedding meeting thing something nothing anything "
    "everything ring king spring string wing ceiling clothing sibling awning bedding".split()
)


@cache
def slot_form(phrase: str) -> str:
    """The grammatical form of a slot filler, one of :data:`FORMS`, from its words.

    A typed frame (:func:`tvt.compose.dialogue_text.frame_forms`) is drawn only for a filler
    whose form it accepts: "during {event}" takes "the storm" but not "losing our village"."""
    words = phrase.split()
    if not words:
        return "np"
    first = words[0].lower()
    if first in ("what", "who", "how", "where", "whatever"):
        return "wh"
    if first.endswith("ing") and first not in _ING_NOUNS and len(first) > 4:
        return "ger"
    if first not in _DETERMINERS:
        # "dogs barking", "groups of men laughing": a bare noun and a participle, naming a
        # happening ("the beeping of a monitor" is a noun phrase).
        # "blue flashing lights" is a noun phrase: the participle comes before its noun.
        for i in range(1, len(words)):
            word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
            if (
                word.endswith("ing")
                and word not in _ING_NOUNS
                and words[i - 1] not in _HEAD_END
                and (not after or after in _HEAD_END or after in _PARTICLES)
            ):
                return "act"
    if first in _DETERMINERS or first[:1].isdigit():
        return "pl" if is_plural(phrase) else "np"
    # "hospitals", "industrial estates", "intensive care": a kind of thing, no determiner
    # ("after hospitals", "all of intensive care" are no way to say it).
    return "bare"


_PARTICLES = frozenset("up down out off away back me us him her them".split())
_DETERMINERS = frozenset("the a an my our his her their your that this those these its".split())
