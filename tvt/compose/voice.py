"""The client's voice: how this client talks, drawn once per client from the profile.

A voice fixes, for all six phases of one client:

- the *register* (casual, plain, formal: from age and occupation), which gives the client a few
  sentence openers ("Honestly,", "Mind you,", "Frankly,"), sentence-end tics ("you know?",
  "I reckon", "as it were") and intensifiers ("super", "pretty", "terribly");
- how the client *speaks of feelings*: ``named`` (names emotions), ``bodily`` (describes the
  body), ``deflected`` (plays them down, lets the body show) or ``joking`` (humour that breaks
  down as distress rises); the profile shifts the odds (dissociation and withdrawal deflect,
  anxiety and chronic pain speak through the body, depression names, aggression and substance
  use joke or deflect);
- the client's own *words for feelings* (a few per intensity band) and the *places in the body*
  where distress shows (chest, hands, jaw...);
- a *hesitation style* (trailing off, restarting, repeating, fillers) and how talkative the
  client is.

Sentences about feelings and the body are composed by a small grammar (seeds/compose/voice.json):
frames per band and style filled with the client's body sites, sensations and emotion words, with
agreement ("my hands are", "my chest is") and intensifiers by band. The band follows the turn's
planned intensity, so the wording carries the level through many overlapping cues (word choice,
fragments at the top, hesitations, sentence length) rather than through any one fixed sentence.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from tvt.compose.bank import voice_bank
from tvt.compose.language import Picker, name_index
from tvt.compose.voice_text import (
    _HESITANT,
    _RUN_ON,
    _an_pattern,
    _cap,
    _frame_keys,
    _keep_case,
    _lexicon_pattern,
    _low,
    _tidy,
)
from tvt.records import Case
from tvt.rng import Stream

#: Sentence-initial words a filler runs on into in lower case ("Um, most of me").
_LOWER_AFTER_FILLER = frozenset(
    "a all and because being but closing definitely every everything going it it's just "
    "maybe mine mostly most no not nothing part probably saying some something sometimes "
    "that that's the there there's this those telling walking what when yes yeah".split()
)

BANDS = ("calm", "mild", "moderate", "high", "extreme")
FEEL_STYLES = ("named", "bodily", "deflected", "joking")
REGISTERS = ("casual", "plain", "formal")


#: How many mentions of a fact of the story use a short name after its full name (said once a
#: conversation) before only a pointing word is left (see :func:`tvt.compose.language.name_index`).
SHORT_MENTIONS = {"event": 4, "hot": 2}


@functools.cache
def _body_frames(band: str) -> tuple[str, ...]:
    """The body frames of a band: two places at once ("my jaw is clenched, and my hands are
    trembling") only at the very top; below it one body line says one thing."""
    frames = voice_bank()["frames"]["bodily"][band]
    if band == "extreme":
        return tuple(frames)
    return tuple(f for f in frames if "site2" not in f and "too" not in f) or tuple(frames)


def _in_scene(tail: str) -> bool:
    """Whether a body tail speaks from inside the memory ("... when I hear the sirens")."""
    return tail == " again" or "{sight}" in tail or "{sound}" in tail


@functools.cache
def _one_feeling_frames(band: str) -> tuple[str, ...]:
    """The named-feeling frames of a band that name one feeling, not two (a long-lived pool:
    :class:`~tvt.compose.language.Picker` deals each pool object as its own deck)."""
    frames = voice_bank()["frames"]["named"][band]
    return tuple(f for f in frames if "{emo2}" not in f) or tuple(frames)


@functools.cache
def _feeling_tails() -> tuple[str, ...]:
    """The story tails that can follow a feeling, after the retelling: not the ones that say
    what the body did, nor the ones spoken from inside the scene."""
    return tuple(t for t in voice_bank()["body_tails"] if "it did" not in t and not _in_scene(t))


@functools.cache
def _body_tails(retelling: bool) -> tuple[str, ...]:
    """The body tails inside the retelling (the scene the client is in: "my chest is tight
    when I hear the sirens") or outside it (where and when it comes from: "... the way it did
    three years ago", "... just from talking about the crash")."""
    return tuple(t for t in voice_bank()["body_tails"] if _in_scene(t) == retelling)


def voice_rates() -> dict[str, Any]:
    """The voice's numbers (``rates`` in seeds/compose/voice.json)."""
    rates: dict[str, Any] = voice_bank()["rates"]
    return rates


def band_name(level: float) -> str:
    """calm (1-2), mild (3-4), moderate (5-6), high (7-8), extreme (9-10)."""
    lv = min(10, max(1, int(level + 0.5)))
    return BANDS[(lv - 1) // 2]


def _weighted(rng: Stream, weights: dict[str, float]) -> str:
    total = sum(weights.values())
    r = rng.random() * total
    for key, w in weights.items():
        r -= w
        if r < 0:
            return key
    return next(reversed(weights))


def _some(rng: Stream, pool: list[Any], k: int) -> list[Any]:
    return [pool[i] for i in rng.distinct(len(pool), min(k, len(pool)))]


def _an(m: re.Match[str]) -> str:
    # "a" -> "an" by a function: sub() with a template (r"\1n ") runs re's Python code per call.
    return m.group(1) + "n "


@dataclass
class Voice:
    """One client's voice (see the module docstring)."""

    register: str
    feel: str
    openers: list[str]
    tics: list[str]
    intensifiers: list[str]
    hesitations: list[str]
    emotions: dict[str, list[str]]
    sites: list[dict[str, Any]]
    opener_rate: float
    tic_rate: float
    talk: float
    #: Facts of the client's story the voice may use ("event", "when_then").
    story: dict[str, str] = field(default_factory=dict)
    #: Other names of some facts ("that night" for "the attack"), used in turn after the first.
    story_names: dict[str, list[str]] = field(default_factory=dict)
    #: The body sites named last (not named again straight away).
    recent: list[str] = field(default_factory=list)
    #: How often each fact of ``story_names`` was used in this conversation.
    named: dict[str, int] = field(default_factory=dict)
    #: The feelings named last, not named again right away.
    said_emos: list[str] = field(default_factory=list)
    #: The client's own words for common phrases ("I reckon" for "I think"), as (pattern, word).
    words: list[tuple[re.Pattern[str], str, str]] = field(default_factory=list)
    #: :attr:`words` ready for ``re.sub`` (see :meth:`_replacements`), with the list it was
    #: built from (a caller that sets another list gets a fresh table) and the texts already
    #: put in the client's words (the same beat, checked again and again, costs one pass).
    _repl: tuple[list[Any], list[tuple[re.Pattern[str], Any, str]], dict[str, str]] | None = field(
        default=None, repr=False, compare=False
    )
    #: Body lines still allowed in the turn being composed (one at most), and whether the
    #: client's previous turn had one: the body speaks now and then, not at every turn's end.
    body_left: int = 1
    body_last_turn: bool = False
    #: The story is among the gravest (sexual violence, abuse of a child, the death of
    #: others): the client's humour is never voiced, in any phase.
    grave: bool = False

    def start_retelling(self) -> None:
        """The conversation being composed is an exposure (P10, P6, P7): the client speaks from
        inside the memory. Kept in :attr:`named`, which every conversation starts afresh."""
        self.named["retelling"] = 1

    def in_retelling(self) -> bool:
        """Whether the conversation being composed is an exposure (see :meth:`start_retelling`)."""
        return "retelling" in self.named

    def end_turn(self) -> None:
        """A client turn was said: the next one may have its own body line and feeling."""
        self.body_last_turn = self.body_left <= 0
        self.body_left = 1
        # Kept in :attr:`named`, which every conversation starts afresh.
        # Client turns since the last one that named a feeling.
        self.named["feel:gap"] = (
            0 if self.named.pop("feel:turn", 0) else self.named.get("feel:gap", 9) + 1
        )

    def may_feel(self) -> bool:
        """Whether this turn may still name a feeling: one feeling sentence a turn at most,
        and inside the retelling not in two turns running (reviewers read a feeling at every
        turn of an exposure as a recital, not as someone inside a memory; "I'm so
        petrified" two turns after "I'm so terrified" still read as one, so two turns apart)."""
        if self.named.get("feel:turn", 0):
            return False
        return not (self.in_retelling() and self.named.get("feel:gap", 9) < 2)

    def may_joke(self) -> bool:
        """Whether the client's humour may be voiced: never inside an exposure, never in the
        gravest stories ("I'd give this a one-star review" in a memory of an assault reads
        as contempt, not as a way of coping)."""
        return not (self.grave or self.in_retelling())

    def may_body(self, level: float, pick: Picker) -> bool:
        """Whether this turn adds a body line of its own: more likely as distress rises and for
        a client who speaks through the body, less right after a turn that had one."""
        if self.body_left <= 0:
            return False
        rates = voice_rates()
        rate = rates["body_by_band"][band_name(level)]
        if self.feel == "bodily":
            rate *= rates["body_bodily_factor"]
        return pick.chance(rate * (rates["body_after_body"] if self.body_last_turn else 1.0))

    def _joke_left(self) -> bool:
        """A joking or deflecting line lands a few times a conversation, not at every turn."""
        used = self.named["quip"] = self.named.get("quip", 0) + 1
        return used <= voice_rates()["quips_per_conversation"]

    def lexicon(self, text: str) -> str:
        """``text`` in the client's own words: the same phrase always comes out the same way
        for one client ("I reckon", "perhaps", "I do not"), differently between clients (each text worked out once per voice: a beat checked again and
        again against what was said costs one pass)."""
        repl = self._repl
        if repl is None or repl[0] is not self.words:
            self._replacements()
            repl = self._repl
            assert repl is not None
        memo = repl[2]
        out = memo.get(text)
        if out is None:
            if len(memo) > 8192:
                memo.clear()
            out = memo[text] = self._lexicon(text)
        return out

    def _lexicon(self, text: str) -> str:
        if '"' in text:
            # Quoted words stay as they were said.
            parts = text.split('"')
            return '"'.join(p if i % 2 else self._lexicon(p) for i, p in enumerate(parts))
        low = text.lower()
        for pattern, repl, find in self._replacements():
            if find not in low:
                continue  # most phrases are not in most sentences: skip the regex
            text = pattern.sub(repl, text)
        # "a terrible memory" in this client's words is "an awful memory".
        return _an_pattern().sub(_an, text) if " a " in text or "A " in text else text

    def _replacements(self) -> list[tuple[re.Pattern[str], Any, str]]:
        """:attr:`words` as (pattern, replacement, lower-case phrase): the word itself where its
        case is fixed (capitalised, or replacing "I ..."), else a function that keeps the case of
        the text it replaces. Built once per voice: :meth:`lexicon` runs for every client turn."""
        if self._repl is None or self._repl[0] is not self.words:
            table = [
                (
                    pattern,
                    word
                    if word[:1].isupper() or pattern.pattern.startswith("\\bI")
                    else functools.partial(_keep_case, word),
                    find,
                )
                for pattern, word, find in self.words
            ]
            self._repl = (self.words, table, {})
        return self._repl[1]

    def facts(self) -> dict[str, str]:
        """The story facts for one sentence: a fact named before in this conversation comes
        back under its next name ("the attack", then "that night")."""
        out = dict(self.story)
        for key, names in self.story_names.items():
            used = self.named[key] = self.named.get(key, -1) + 1
            out[key] = names[name_index(used, len(names), SHORT_MENTIONS.get(key, 4))]
        out["Event_cap"] = _cap(out.get("event", "it"))
        return out

    # -- composition ---------------------------------------------------------------------
    def _int(self, band: str, pick: Picker) -> str:
        word = pick.choice(voice_bank()["intensity"][band])
        return word.replace("{int}", pick.choice(self.intensifiers))

    def _site(self, pick: Picker, band: str, need_ing: bool, avoid: str = "") -> dict[str, Any]:
        # Not the same place twice in a row ("My skin is crawling. My skin is crawling.").
        own = [s for s in self.sites if s["np"] != avoid and s["np"] not in self.recent]
        if need_ing:
            own = [s for s in own if band in s["ing"]]
            if not own:
                own = [s for s in voice_bank()["sites"] if band in s["ing"] and s["np"] != avoid]
        site = pick.choice(own)
        self.recent = (self.recent + [site["np"]])[-2:]
        return site

    def body(self, level: float, pick: Picker) -> str:
        """A sentence about the body at this level, from the client's own body sites."""
        self.body_left -= 1
        band = band_name(level)
        frame = pick.pick(_body_frames(band))
        text = self._fill_body(frame, band, pick)
        plain = " and " not in text and "can't" not in text and " too" not in text
        if (
            band in ("mild", "moderate", "high")
            and plain
            and text.endswith(".")
            and pick.chance(0.8)
        ):
            # Where and when the body reacts: "... the way it did three years ago". A fact of
            # the story comes back at most twice in a conversation this way. Inside the
            # retelling the client is there, not looking back on it ("my arms are shaking the
            # way it did when I was thirty-nine" is said about the memory, not in it): what in
            # the scene sets it off instead.
            text = self._story_tail(text, pick)
        return text

    def _story_tail(self, text: str, pick: Picker, body: bool = True) -> str:
        """``text`` (ending in a full stop) with where and when it comes from in the story
        ("... the way it did three years ago"); a fact comes back at most twice a
        conversation this way, else ``text`` unchanged. A feeling (``body=False``) takes only
        the tails that fit a feeling ("I'm ashamed just from talking about it", never "I'm
        ashamed the way it did back then")."""
        tails = _body_tails(self.in_retelling()) if body else _feeling_tails()
        template = pick.pick(tails)
        keys = _frame_keys(template)
        # Each tail once a conversation ("... just from saying it out loud" said three times is
        # a template showing), and a fact at most twice; when it was ("when I was twenty-six")
        # once: reviewers heard the client's age come back as a tag.
        if self.named.get("tailt:" + template, 0) or any(
            self.named.get("tail:" + k, 0) >= (1 if k == "when_then" else 2) for k in keys
        ):
            return text
        self.named["tailt:" + template] = 1
        facts = self.facts()
        scene = [facts[k] for k in keys if k in ("sight", "sound")]
        if any(self.named.get("detail:" + x, 0) for x in scene):
            # A detail of the scene the client has already described in this conversation is
            # not named again as the cause of a sensation ("... when I look at the single bulb"
            # right after "I can see the single bulb").
            return text
        for k in keys:
            self.named["tail:" + k] = self.named.get("tail:" + k, 0) + 1
        for x in scene:
            self.named["detail:" + x] = 1
        tail = template.format_map(facts)
        if " are " in text and "the way it did" in tail:
            # "My eyes are burning the way they did", not "the way it did".
            tail = tail.replace("the way it did", "the way they did")
        return text[:-1] + tail + "."

    def after(self, level: float, pick: Picker) -> str:
        """How the client feels as the exposure ends or after it: a feeling, then how it settles."""
        text = self.feeling(level, pick, force=True)
        # A high reading does not end on "..., but it's easing": still high, the client says
        # only that they are here and stayed, not that it is coming down.
        high = band_name(level) in ("high", "extreme")
        settle = pick.pick(voice_bank()["after"]["settle_high" if high else "settle"])
        if text.endswith(".") and not text.endswith("..."):
            return f"{text[:-1]}, {settle}."
        return f"{text} {_cap(settle.split(' ', 1)[1])}."

    def anticipation(self, level: float, pick: Picker) -> str:
        """How the client feels about what is coming (orientation)."""
        band = band_name(level)
        ant = pick.pick(voice_bank()["after"]["anticipate"]).format_map(self.facts())
        emo = pick.choice(self.emotions[band])
        intensity = self._int(band, pick)
        feel = f"{intensity} {emo}".strip()
        if self.feel == "deflected" and band in ("moderate", "high", "extreme"):
            # A deflecting client's "fine" does not hold when the dread is real: said and then
            # taken back, so that what they feel is still in the words ("It's fine. A bit
            # humiliated, but fine" at a SUDS of 80 hid the level from every reader).
            text = pick.choice(
                (
                    f"I'd like to say I'm fine, but I'm not, really: I'm {feel} {ant}.",
                    f"I keep telling people I'm fine, and I'm not; I'm {feel} {ant}.",
                )
            )
        elif self.feel == "deflected":
            # "I'm alright since this morning" is not English: a deflection takes the
            # "about ..." forms only.
            if not ant.startswith(("about", "thinking", "knowing")):
                ant = "about all this"
            text = pick.choice(
                (f"I'm alright {ant}. Mostly.", f"It's fine. A bit {emo} {ant}, but fine.")
            )
        elif (
            self.feel == "joking"
            and self.may_joke()
            and not self.named.get("anticipation_joke")
            and self._joke_left()
        ):
            # Once a conversation: "Thrilled to be here, obviously" twice is a script.
            self.named["anticipation_joke"] = 1
            text = pick.choice(
                (
                    f"Thrilled to be here, obviously. No, honestly, {feel} {ant}.",
                    f"Well, I've had better mornings. {_cap(feel)} {ant}.",
                )
            )
        else:
            text = pick.choice(
                (
                    f"I feel {feel} {ant}.",
                    f"{_cap(feel)} {ant}, if I'm honest.",
                    f"I'm {feel} {ant}.",
                )
            )
        if self.body_left > 0 and (self.feel == "bodily" or pick.chance(0.3)):
            text = f"{text} {self.body(level, pick)}"
        return _tidy(text)

    def _fill_body(self, frame: str, band: str, pick: Picker) -> str:
        keys = _frame_keys(frame)
        s1 = self._site(pick, band, "ing" in keys or "Ing" in keys)
        s2 = self._site(pick, band, "ing2" in keys, avoid=s1["np"]) if "site2" in keys else s1
        values: dict[str, str] = {}
        for key in keys:
            site = s2 if key.endswith("2") else s1
            base = key.rstrip("2")
            if base == "site":
                values[key] = site["np"]
            elif base == "be":
                values[key] = "are" if site["pl"] else "is"
            elif base in ("adj", "Adj"):
                values[key] = pick.choice(site["adj"])
            elif base == "calm":
                values[key] = pick.choice(site["calm"])
            elif base in ("ing", "Ing"):
                ing = site["ing"].get(band)
                values[key] = pick.choice(ing) if ing else ""
            elif base == "int":
                values[key] = self._int(band, pick)
            elif base == "It_be":
                values[key] = "They're" if site["pl"] else "It's"
            elif base == "it_obj":
                values[key] = "them" if site["pl"] else "it"
        if "Ing" in values:
            values["Ing"] = _cap(values["Ing"])
        if "Adj2" in values:
            values["Adj2"] = _cap(values["Adj2"])
        return _tidy(frame.format_map(values))

    def feeling(self, level: float, pick: Picker, force: bool = False) -> str:
        """A sentence about feelings in the client's own way of speaking of them; a body line
        or nothing ("") when this turn may not name a feeling (see :meth:`may_feel`), unless
        ``force`` (the feeling that closes an exposure)."""
        band = band_name(level)
        style = self.feel if pick.chance(0.75) else pick.choice(("named", "bodily"))
        if style == "joking" and not self.may_joke():
            style = "deflected" if self.feel == "joking" and not self.in_retelling() else "named"
        if style == "bodily" and not self.may_body(level, pick):
            style = "named"
        if style in ("joking", "deflected") and not self._joke_left():
            style = "named"
        if style == "deflected" and self.in_retelling() and band in ("high", "extreme"):
            style = "named"  # "I'm not falling apart" beside a SUDS of 75 reads as a contradiction
        if style != "bodily" and not force and not self.may_feel():
            return self.body(level, pick) if self.may_body(level, pick) else ""
        if style == "bodily":
            return self.body(level, pick)
        self.named["feel:turn"] = 1
        frames = voice_bank()["frames"][style][band]
        if style == "named" and self.in_retelling():
            # Inside the memory one feeling at a time, not two piled up ("I'm so sickened -
            # I'm horrified").
            frames = _one_feeling_frames(band)
        text = frame = pick.pick(frames)
        if style == "named":
            # Not the feeling just named ("Panicked. I'm panicked."): one of the others.
            own = self.emotions[band]
            emos = [e for e in own if e not in self.said_emos] or own
            e1 = pick.choice(emos)
            e2 = pick.choice([e for e in emos if e != e1] or [e for e in own if e != e1] or own)
            self.said_emos = (self.said_emos + [e1, e2])[-2:]
            values = {
                "emo": e1,
                "emo2": e2,
                "Emo_cap": _cap(e1),
                "Emo2_cap": _cap(e2),
                "int": self._int(band, pick),
            }
            values["Int_cap"] = _cap(values["int"]) if values["int"] else ""
            text = _tidy(text.format_map(values))
            if (
                band != "calm"
                and text.startswith(("I'm ", "I feel ", "It's making me "))
                and text.endswith(".")
                and "," not in text
                and "{emo2}" not in frame
                and pick.chance(0.6)
                and not self.in_retelling()
            ):
                # What the feeling is about, in the client's own story ("I'm ashamed, just
                # from talking about the crash"); each fact at most twice a conversation.
                text = self._story_tail(text, pick, body=False)
            return text
        # Some deflections and jokes are about the client's own story ("Who knew the crash
        # could still get a reaction out of me").
        text = text.format_map(self.facts()) if "{" in text else text
        # Deflecting and joking clients still show it in the body once distress is up.
        if band in ("moderate", "high", "extreme") and self.may_body(level, pick):
            return f"{text} {self.body(level, pick)}"
        return text

    def reaction(self, level: float, pick: Picker) -> str:
        """A feeling, or a body sensation when this turn may have one (at most one a turn);
        "" when the turn may have neither."""
        if self.may_body(level, pick):
            body = self.body(level, pick)
            if (self.feel == "named" or pick.chance(0.4)) and self.may_feel():
                # "I'm terrified. My heart is racing." as people say it: what they feel, then
                # where it shows (a feeling of this client's own words, never two piled up).
                return f"{self.feeling(level, pick)} {body}"
            return body
        return self.feeling(level, pick)

    def hesitate(self, level: float, text: str, pick: Picker) -> str:
        """Prefix ``text`` with this client's hesitation, more often as distress rises."""
        band = band_name(level)
        p = voice_rates()["hesitation_by_band"][band]
        if not text or not pick.chance(p):
            return text
        style = pick.choice(self.hesitations)
        lead = pick.choice(voice_bank()["hesitations"][style])
        # A hesitation said twice in a conversation is a tic; a third time reads as a glitch.
        # "Okay.", "Okay..." and "Okay. Okay." are one hesitation to a listener.
        key = "hes:" + lead.split()[0].rstrip(".,").lower()
        said = self.named[key] = self.named.get(key, 0) + 1
        if said > 2:
            return text
        if style == "repeat":
            # "I - I can see it": the repeated word must be the sentence's first word.
            first = text.split(" ", 1)[0].rstrip(",.")
            if first.lower() not in ("i", "it", "i'm", "no", "there's"):
                return f"{pick.choice(voice_bank()['hesitations']['dots'])} {text}"
            again = text if first.startswith("I") and first[1:2] in ("", "'") else _low(text)
            return f"{first} - {again}"
        if lead.endswith(","):
            # "Um, what I keep coming back to": the sentence runs on after the filler.
            head = text.split(" ", 1)[0]
            if head not in ("I", "I'm", "I've", "I'd", "I'll") and head[:1].isupper():
                # "Um, definitely", not "Um, Definitely"; a name keeps its capital.
                word = head.rstrip(",.")
                if (
                    word in _RUN_ON
                    or word.lower() in _LOWER_AFTER_FILLER
                    or (len(word) >= 7 and word.endswith("ly"))
                ):
                    text = text[:1].lower() + text[1:]
        return f"{lead} {text}"

    def color(self, sentence: str, pick: Picker, level: float) -> str:
        """The client's opener or end-of-sentence tic on a sentence, at the voice's own rate.

        Fewer as distress rises: at the top people speak in fragments, not in asides.
        """
        band = band_name(level)
        damp = voice_rates()["color_by_band"][band]
        words = sentence.split()
        if len(words) < 4 or sentence[-1:] not in ".?!":
            return sentence
        r = pick.rng.random()
        hesitant = sentence.startswith(_HESITANT)
        if r < self.opener_rate * damp and not hesitant:
            opener = pick.choice(self.openers)
            head = (
                sentence
                if sentence.startswith(("I ", "I'"))
                else sentence[:1].lower() + sentence[1:]
            )
            return f"{opener} {head}"
        if r > 1 - self.tic_rate * damp and sentence[-1] == "." and '"' not in sentence:
            tic = pick.choice(self.tics)
            end = "?" if tic.endswith("?") else "."
            return f"{sentence[:-1]}, {tic.rstrip('?')}{end}"
        return sentence


def build_voice(case: Case, seed: int) -> Voice:
    """The voice of one client, from its profile and its own "voice" stream."""
    rng = Stream(seed, case["client_id"], "voice")
    bank = voice_bank()
    profile = case["client_profile"]
    age = int(profile["age"])
    occupation = profile["occupation"]
    behaviours = set(profile["exhibited_behaviors"])
    condition = profile["co_occurring_condition"]
    rates = bank["rates"]
    # In order: student or under 28, professional, 60 or over, anyone else.
    young, professional, older, other = (r["weights"] for r in rates["register_weights"])
    if occupation == "Student" or age < 28:
        reg_w = young
    elif occupation == "Professional":
        reg_w = professional
    elif age >= 60:
        reg_w = older
    else:
        reg_w = other
    register = _weighted(rng, reg_w)
    feel_w = dict(rates["feel_weights"])
    for shift in rates["feel_shifts"]:
        # The profile shifts the odds: dissociation and withdrawal deflect, and so on.
        if behaviours & set(shift.get("behaviours", ())) or condition in shift.get(
            "conditions", ()
        ):
            for style, add in shift["add"].items():
                feel_w[style] += add
    feel = _weighted(rng, feel_w)
    reg = bank["registers"][register]
    # The feeling words that fit this client's story: fear fits any trauma; anger, shame,
    # grief and horror only the stories that carry them.
    info = case["trauma_info"]
    fits = bank["feelings"]
    kinds = fits["by_topic"].get(info["session_topic"], fits["by_type"].get(info["type"], []))
    unfit = {w for kind, ws in fits["kinds"].items() if kind not in kinds for w in ws}
    grave = info["type"] in fits["grave_types"] or info["session_topic"] in fits["grave_topics"]
    if grave and feel == "joking":
        feel = "deflected"  # the gravest stories are not joked about, not even as a defence
    styles = list(bank["hesitations"])
    words = []
    for entry in bank["lexicon"]:
        options = entry["options"][register]
        word = options[int(rng.random() * len(options))]
        if word != entry["find"]:
            words.append((_lexicon_pattern(entry["find"]), word, entry["find"].lower()))
    talk = rates["talk"]["least"] + rates["talk"]["spread"] * rng.random()
    counts = rates["counts"]
    return Voice(
        register=register,
        feel=feel,
        openers=_some(rng, reg["openers"], counts["openers"]),
        tics=_some(rng, reg["tics"], counts["tics"]),
        intensifiers=_some(rng, reg["intensifiers"], counts["intensifiers"]),
        hesitations=_some(rng, styles, counts["hesitations"]),
        emotions={
            band: _some(
                rng, [e for e in bank["emotions"][band] if e not in unfit], counts["emotions"]
            )
            for band in BANDS
        },
        sites=_some(rng, bank["sites"], counts["sites"]),
        opener_rate=rates["opener_rate"]["least"] + rates["opener_rate"]["spread"] * rng.random(),
        tic_rate=rates["tic_rate"]["least"] + rates["tic_rate"]["spread"] * rng.random(),
        talk=talk,
        words=words,
        grave=grave,
    )
