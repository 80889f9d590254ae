"""The conversation builder shared by the phase scripts: alternation, acts, intensities, and the
client's voice (hesitations, body sensations and feelings graded by intensity band).

The text helpers it shares with the phase scripts (sentence splitting, the event said as "it",
hedges, the acts of the retelling) are in :mod:`tvt.compose.dialogue_text`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tvt.compose.bank import client_bank, therapist_bank, verbal_bank
from tvt.compose.dialogue_text import (
    AGAIN_OPENERS,
    ECHO_ACTS,
    EVENT_NAMES,
    FILLERS,
    LOWER_WORDS,
    MIRROR_STARTS,
    SENSES,
    SENTENCE_BREAK,
    SENTENCE_SPAN,
    TRAUMA_ACTS,
    TYPED_SLOTS,
    balance_quotes,
    event_as_it,
    frame_forms,
    hedged,
    hesitation_leads,
    join_spoken,
    lower_first,
    recapitalise,
    sentences,
    template_slots,
    verbal_level,
    words_only,
)
from tvt.compose.language import Picker, agreement, band_of, cap, fill, slot_form
from tvt.compose.length import max_client_words
from tvt.compose.narrative import Narrative
from tvt.compose.person import second_person
from tvt.compose.refer import name_for
from tvt.compose.scene import Moment
from tvt.compose.voice_text import short_detail
from tvt.records import Case, Turn
from tvt.rng import Stream

#: The two ways SUDS can be spoken: as a number 0-100, or in words only.
SUDS_STYLES = ("numeric", "verbal")


class _Over(dict[str, Any]):
    """A line's own slots over the narrative context: :meth:`Dialogue.fill` reads a slot from
    the context only when the line has no value of its own (as ``{**ctx, **extra}`` would,
    without copying the context's 145 or so keys for every line filled)."""

    __slots__ = ("base",)
    base: dict[str, Any]

    def __missing__(self, key: str) -> Any:
        return self.base[key]


class Dialogue:
    """Accumulates the turns of one phase conversation.

    Random choices come from the stream (seed, client_id, "compose:<phase>"), so one phase can be
    regenerated alone and still come out identical.
    """

    def __init__(
        self,
        case: Case,
        phase: str,
        nar: Narrative,
        seed: int,
        suds_style: str = "numeric",
    ) -> None:
        if suds_style not in SUDS_STYLES:
            raise ValueError(f"unknown suds_style {suds_style!r} (use numeric or verbal)")
        self.verbal = suds_style == "verbal"
        self.case = case
        self.phase = phase
        self.nar = nar
        self.rng = Stream(seed, case["client_id"], "compose:" + phase)
        # Wording choices draw from their own stream, so that the structure of the conversation
        # (turns, acts, SUDS values) is the same whichever words are chosen (numeric or verbal).
        self.pick = Picker(Stream(seed, case["client_id"], "words:" + phase))
        self.ctx: dict[str, Any] = dict(nar.ctx)
        self.tb: dict[str, list[str]] = therapist_bank()[phase]
        self.tcommon: dict[str, list[str]] = therapist_bank()["common"]
        self.cb: dict[str, Any] = client_bank()[phase]
        self.ccommon: dict[str, Any] = client_bank()["common"]
        self.turns: list[Turn] = []
        #: Words of each client turn so far, counted up to turn ``_counted`` (for length.py).
        self._spoken: list[int] = []
        self._counted = 0
        self.voice = nar.voice
        # Each phase starts afresh (a phase composed alone comes out the same).
        self.voice.recent = []
        self.voice.said_emos = []
        self.voice.named = {}
        self.voice.body_left = 1
        self.voice.body_last_turn = False
        #: Client sentences said so far in this conversation (people rephrase, not repeat).
        self.said: set[str] = set()
        #: The same, as the final text of each turn splits into sentences.
        self.said_final: set[str] = set()
        #: The worst moment's names and the stuck belief's start, in lower case (no tic there).
        #: (A lower-case substring test, not a case-blind regex: compiling one per client cost
        #: more than all the tests it ran; the text is ASCII and "é", where the two agree.)
        self._grave_words = tuple(
            g.lower() for g in (*nar.voice.story_names.get("hot", []), nar.belief[:30]) if g
        )
        #: Named people already introduced in this conversation ("my sister Amara" -> "Amara").
        self.introduced: set[str] = set()
        #: :meth:`already_said`'s answers, with the sizes of :attr:`said` and
        #: :attr:`introduced` they were given at.
        self._said_memo: dict[str, tuple[int, int, bool]] = {}
        #: The story's named people as (full, capitalised, name): :meth:`_names` looks for both
        #: spellings in every client turn, so the capitalised one is made once here.
        self._people = [(full, cap(full), name) for full, name in nar.people]
        #: The sensory detail the client mentioned last (the therapist may pick it up) and the
        #: index of the turn it went into.
        self.last_detail = ""
        self.last_sense = "sight"
        self.detail_turn = -1
        #: The phase where this client voices a risk moment ("" for none), and whether it did.
        self.risk = nar.risk_phase
        self.risk_done = False
        self.exposure = phase in case["plan"]["suds"]
        #: Rotates which variant of each beat a retelling uses (varies between phases).
        self.offset = 0
        #: The kind of the client's last struggle (P7), answered by the next reinforcement.
        self.struggle_kind = "stop"
        #: The struggle kind the next therapist turn acknowledges first (:meth:`add`), set when
        #: that turn is not itself the answer to the struggle.
        self.ack_due: str | None = None
        #: Whether the therapist has echoed a perceived detail yet (at most once a conversation:
        #: more reads as a parrot).
        self.echoed = False
        #: The client's last question or concern (P5), answered by the next therapist turn.
        self.pending: dict[str, Any] | None = None
        #: The therapist pool that answers the question the client just asked (see
        #: :meth:`asking`): the next therapist turn starts with its answer.
        self.answer_due: str | None = None
        #: The openers and tics the voice has put on this conversation's sentences (each once).
        self.colours: set[str] = set()
        #: Whether the current retelling has passed the hotspot (unlocks "hot" sensory details).
        self.after_hotspot = not self.exposure
        # Whether the exposure's SUDS came down by its last check (set before its close: a
        # therapist never says "down to 91" after a rise, nor the client "it loosened").
        self.came_down = True
        #: How the client said their last SUDS moved ("up", "near", ...; see exposure.py).
        self.suds_dir = "first"
        #: Where the retelling is in the story: before, threat, hot or after (exposure.py).
        self.story_at = "before"
        #: The moment of the retelling details must fit (scene.Moment), during an exposure.
        self.moment: Moment | None = None
        #: The detail pools cut to a moment, one list per distinct pool (exposure.py).
        self.moment_pools: dict[tuple[str, ...], list[str]] = {}
        #: The pools cut per moment (Moment.key), and the moment they are cut to now.
        self.moment_cuts: dict[tuple[Any, ...], tuple[Any, Any]] = {}
        self.moment_key: tuple[Any, ...] = ()
        #: Every scene detail drawn in this conversation, in order (the moment keeps to them).
        self.drawn: list[str] = []
        #: The recent episodes of the client's life this phase tells (each once).
        self.episodes = nar.world.for_phase(phase) if nar.world else {}
        #: The grammatical forms this client's fillers of each typed slot can take (the event
        #: has several names); a frame is drawn only when each of its typed slots takes one.
        event_forms = frozenset(slot_form(n["event"]) for n in nar.event_names or [nar.ctx])
        self.forms: dict[str, frozenset[str]] = {
            "event": event_forms,
            "event_t": event_forms,
            "event_cap": event_forms,
            **{k: frozenset((slot_form(nar.ctx[k]),)) for k in TYPED_SLOTS if "rem" in k},
        }
        self._fit_memo: dict[str, bool] = {}
        self.pick.fits = self.fits

    def fits(self, template: str) -> bool:
        """Whether ``template``'s typed slots take this client's fillers (see
        :func:`tvt.compose.dialogue_text.frame_forms`)."""
        known = self._fit_memo.get(template)
        if known is None:
            forms = self.forms
            known = self._fit_memo[template] = all(
                not forms[slot].isdisjoint(accepted) for slot, accepted in frame_forms(template)
            )
        return known

    def episode(self, kind: str) -> str:
        """The next untold episode of ``kind`` in this conversation ("" when none is left)."""
        pool = self.episodes.get(kind)
        return pool.pop(0) if pool else ""

    # -- turns ---------------------------------------------------------------------------
    def _level(self, intensity: float) -> float | int:
        # Exposure phases follow the SUDS arc (one decimal); other phases carry the phase plan.
        return round(min(10.0, max(1.0, intensity)), 1) if self.exposure else int(intensity)

    def add(
        self, speaker: str, act: str, text: str, intensity: float, suds: int | None = None
    ) -> None:
        """Append one turn; speakers must alternate, starting with the therapist."""
        expected = "therapist" if len(self.turns) % 2 == 0 else "client"
        if speaker != expected:
            raise AssertionError(f"{self.phase}: {speaker} turn where a {expected} turn belongs")
        if speaker == "therapist" and self.answer_due:
            # The client asked something: the therapist answers it before going on.
            if self.turns and "?" in self.turns[-1]["text"]:
                text = f"{self.fill(self.pick.pick(self.tb[self.answer_due]))} {text}"
            self.answer_due = None
        if speaker == "therapist" and self.ack_due:
            # The client asked to stop, skip or open their eyes: the therapist says so before
            # going on (a SUDS check or a return to the hot spot never passes over it).
            text = f"{self.fill(self.pick.pick(self.tcommon['ack_' + self.ack_due]))} {text}"
            self.ack_due = None
        self.turns.append(
            {
                "speaker": speaker,
                "text": text,
                "suds": suds,
                "act": act,
                "intensity": self._level(intensity),
            }
        )

    def t(
        self, act: str, pool: str, intensity: float, index: int | None = None, **extra: Any
    ) -> str:
        """A therapist turn from this phase's pool ``pool`` (or the common pool of that name);
        ``index`` asks for that line of the pool (a question whose answers are paired with it)."""
        lines: Sequence[str] = self.tb.get(pool) or self.tcommon[pool]
        if self.verbal:
            vb = verbal_bank()["therapist"]
            lines = (
                vb.get(self.phase, {}).get(pool)
                or (vb["common"].get(pool) if pool not in self.tb else None)
                or words_only(lines)
            )
            if not lines:
                raise KeyError(f"{self.phase}.{pool} has no line without numbers for verbal SUDS")
        chosen = lines[index % len(lines)] if index is not None else self.pick.pick(lines)
        text = self.fill(chosen, extra)
        name = self.ctx["first"]
        # Early in a conversation the therapist uses the name at least once (a try at each
        # of the first therapist turns until it fits).
        unnamed = len(self.turns) <= 8 and not any(name in t["text"] for t in self.turns[::2])
        if name not in text and text[-1:] in ".?" and (unnamed or self.pick.chance(0.18)):
            # Now and then the therapist addresses the client by name.
            last = text.rsplit(". ", 1)[-1]
            if last.count(" ") >= 2 and not last.endswith(("...", "'.", '".', "'?")):
                text = f"{text[:-1]}, {name}{text[-1]}"
        if (
            self.exposure
            and act in ECHO_ACTS
            and self.last_detail
            and self.detail_turn == len(self.turns) - 1
            and not self.echoed
            and self.turns[-1]["act"] != "struggle"
            and self.last_detail in self.turns[-1]["text"]
            and self.pick.chance(0.25)
        ):
            self.echoed = True
            # The therapist picks up what the client just described, as what the client is
            # perceiving ("You can smell the smoke."), never as a bare noun fragment; once a
            # conversation, and never over a client's wish to stop (that is answered first).
            detail_t = second_person(self.last_detail)
            frame = self.pick.pick(self.tcommon["echo_" + self.last_sense])
            text = f"{fill(frame, {'detail_t': detail_t, 'detail_t_cap': cap(detail_t)})} {text}"
        if self.nar.referents:
            text = self._referents(text, self.introduced)
        self.add("therapist", act, text, intensity)
        return text

    def struggle_asked(self) -> str:
        """What the client's last struggle asks the therapist to answer: the kind of the
        struggle drawn, unless its line is one the bank tags as asking something else
        ("Can we stop?" said while wanting to open the eyes asks to stop)."""
        said = self.turns[-1]["text"] if self.turns else ""
        for kind, templates in self.ccommon.get("struggle_asks", {}).items():
            if any(self.fill(template) in said for template in templates):
                return str(kind)
        return self.struggle_kind

    def mirror(self) -> str | None:
        """What the client just said about how they feel or what it meant, said back in the
        therapist's voice ("So you kept thinking it was your fault."), or None when the last
        turn has no such sentence. A sentence with a hedge or a tic, a bare fragment or a body
        report is never said back: a reflection paraphrases content or names a feeling."""
        if not self.turns or self.turns[-1]["speaker"] != "client":
            return None
        options = []
        for piece in SENTENCE_BREAK.split(self.turns[-1]["text"]):
            n = len(piece.split())
            if (
                piece.startswith(MIRROR_STARTS)
                and 5 <= n <= 12
                and '"' not in piece
                and piece.endswith(".")
                and not hedged(piece)
                # "you're furious just from talking about it" echoes the client's tag on a
                # feeling, not what they said: a reflection says back content.
                and " just from " not in piece
            ):
                options.append(piece)
        if not options:
            return None
        said = second_person(self.pick.choice(options))
        lead = self.pick.pick(self.tcommon["mirror_lead"])
        return f"{lead} {said[:1].lower()}{said[1:]}"

    def c(
        self,
        act: str,
        text: str,
        intensity: float,
        suds: int | None = None,
        run_on: bool = True,
    ) -> None:
        """A client turn with already composed text, in the client's voice.

        Sentences of five words or more the client already said in this conversation are left
        out (a retelling says the same thing in other words, not the same sentence twice), and
        some sentences carry the client's opener or end-of-sentence tic.
        """
        if run_on:
            text = self.voice.lexicon(text)
        pieces = SENTENCE_BREAK.split(text.strip())
        kept: list[str] = []
        here: set[str] = set()
        for piece in pieces:
            if piece in here:
                continue
            if piece.count(" ") >= 4:
                body = piece.rstrip(".!?")
                if body and "." not in body and "!" not in body and "?" not in body:
                    # One sentence, as most pieces are: it is its own split (no regex pass).
                    repeat = piece in self.said
                else:
                    repeat = any(x in self.said for x in sentences(piece) if x.count(" ") >= 4)
                if repeat:
                    continue
            here.add(piece)
            kept.append(piece)
        core = None
        if act == "narration":
            leads = hesitation_leads()
            core = next((p for p in pieces if p.count(" ") >= 3 and p not in leads), None)
        if core is not None and core not in kept:
            # A retelling keeps its beat: said once already, it comes back marked as a repeat.
            for again in AGAIN_OPENERS:
                first = f"{again} {lower_first(core)}"
                if first not in self.said:
                    kept.insert(0, first)
                    break
            else:
                kept.insert(0, core)  # every marker used: the beat itself, not nothing
        if not kept:
            kept = pieces[:1]
        # A turn that has grown long with the voice's asides loses its last sentences: people
        # in the release rarely speak more than about 75 words at a time.
        if len(kept) > 2:  # a turn of one or two sentences keeps them whatever their length
            # The client turns since the last count (turns are never changed once added).
            for turn in self.turns[self._counted :]:
                if turn["speaker"] == "client":
                    self._spoken.append(len(turn["text"].split()))
            self._counted = len(self.turns)
            most = max_client_words(self.phase, self._spoken)
            # Each sentence's words counted once, not again after every sentence dropped.
            sizes = [len(p.split()) for p in kept]
            while len(kept) > 2 and sum(sizes) > most:
                kept.pop()
                sizes.pop()
        if run_on:
            kept = self._join(kept, intensity)
        if run_on and not (self.exposure and act in TRAUMA_ACTS):
            # The client's openers and tics, on one sentence of a short turn, two of a long one;
            # never inside the retelling, on a quote, or on the sentence that names the worst
            # moment ("nobody is coming, more or less" is no way to say it).
            done = set()
            for _ in range(1 if len(kept) < 3 else 2):
                i = int(self.pick.rng.random() * len(kept))
                if '"' not in kept[i] and i not in done and not self._grave(kept[i]):
                    done.add(i)
                    kept[i] = self._coloured(kept[i], intensity)
        text = self._unsaid(self._names(" ".join(kept)), narration=act == "narration")
        text = self._once(balance_quotes(text), keep=act == "narration")
        if not text.strip(' "'):
            # Everything in the turn was said already (a quote whose sentence was taken out
            # leaves only its mark): the client says it again rather than nothing.
            text = balance_quotes(" ".join(kept).strip() or pieces[0])
        self.add("client", act, text, intensity, suds)
        self.voice.end_turn()

    def _coloured(self, sentence: str, intensity: float) -> str:
        """``sentence`` with the voice's opener or tic, unless that opener or tic was already
        used in this conversation ("In a sense" twice in one session reads as a template)."""
        coloured = self.voice.color(sentence, self.pick, intensity)
        if coloured == sentence:
            return sentence
        if coloured.endswith(sentence[1:]):  # an opener before the sentence
            mark = coloured[: len(coloured) - len(sentence) + 1]
        elif coloured.startswith(sentence[:-1]):  # a tic at its end
            mark = coloured[len(sentence) - 1 :]
        else:
            before = set(LOWER_WORDS.findall(sentence.lower()))
            mark = " ".join(w for w in LOWER_WORDS.findall(coloured.lower()) if w not in before)
        mark = " ".join(LOWER_WORDS.findall(mark.lower()))
        if mark in self.colours:
            return sentence
        self.colours.add(mark)
        return coloured

    def _once(self, text: str, keep: bool = False) -> str:
        """``text`` without a sentence of five words or more that this client already said in
        this conversation, as the corpus figures split the final text (quotes closed, run-ons
        joined); the turn keeps at least one sentence, and a retelling (``keep``) keeps its
        beat, which marks itself as a repeat instead ("Again, ...")."""
        found = sentences(text)
        said = self.said_final
        if not keep and len(found) > 1 and not said.isdisjoint(found):
            for sentence in [x for x in found if x in said][: len(found) - 1]:
                if any(full in sentence for full, _ in self.nar.people):
                    continue  # it introduces someone named later in the turn
                text = text.replace(sentence, "", 1).replace("  ", " ").strip()
            text = text[:1].upper() + text[1:]
            found = sentences(text)
        for x in found:
            # Five words or more, as the corpus figures count them (a dash is not a word).
            if x.count(" ") - x.count(" - ") >= 4:
                said.add(x)
        return text

    def _grave(self, sentence: str) -> bool:
        """Whether a sentence names the worst moment or the stuck belief (no tic goes there)."""
        words = self._grave_words
        if not words:
            return True  # nothing to look for matches everywhere, as an empty pattern did
        low = sentence.lower()
        return any(g in low for g in words)

    def _unsaid(self, text: str, narration: bool = False) -> str:
        """``text`` without the sentences (as the corpus figures split them, after sentences
        ran together) of five words or more already said in this conversation; the rest is
        remembered as said."""
        spans = SENTENCE_SPAN.findall(text)  # the whole matches (the pattern has no groups)
        out: list[str] = []
        core = narration  # a retelling keeps its first sentence of the memory
        for span in spans:
            sentence = span.strip()
            if sentence.count(" ") >= 4:
                beat = core
                if sentence in self.said and core:
                    # Said once already: it comes back marked as a repeat.
                    for again in AGAIN_OPENERS:
                        marked = f"{again} {lower_first(sentence)}"
                        if marked not in self.said:
                            sentence, span = marked, " " + marked
                            break
                core = False
                if sentence in self.said and len(spans) > 1 and not beat:
                    continue
                self.said.add(sentence)
            out.append(span)
        if not out:
            return text
        joined = "".join(out).strip()
        return joined[:1].upper() + joined[1:]

    def already_said(self, text: str) -> bool:
        """Whether every sentence of five words or more of ``text`` was said in this
        conversation (in this client's words). The answer is kept until something more is
        said or someone more introduced (both only grow): a beat is checked before its turn
        and again as the turn is composed."""
        said, introduced = self.said, self.introduced
        known = self._said_memo.get(text)
        if known is not None and known[0] == len(said) and known[1] == len(introduced):
            return known[2]
        named = self._names(self.voice.lexicon(text), remember=False)
        long = [x for x in sentences(named) if x.count(" ") >= 4]
        answer = bool(long) and all(x in said for x in long)
        self._said_memo[text] = (len(said), len(introduced), answer)
        return answer

    def _names(self, text: str, remember: bool = True) -> str:
        """ "my sister Amara" the first time in a conversation, "Amara" after that; "a man in
        a hooded top" the first time, "the man" after that. ``remember=False`` only looks
        (who counts as introduced stays as it was)."""
        introduced = self.introduced if remember else set(self.introduced)
        if self.nar.referents:
            text = self._referents(text, introduced)
        for full, capped, name in self._people:  # "Henry from work" is capped already
            if full not in text and capped not in text:
                continue
            if full not in introduced:
                introduced.add(full)
                # Introduced where first said, whether at a sentence start or not.
                at = min(i for i in (text.find(full), text.find(capped)) if i >= 0)
                head, rest = text[: at + len(full)], text[at + len(full) :]
                text = head + rest.replace(full, name).replace(capped, name)
            else:
                text = text.replace(full, name).replace(capped, name)
        return text

    def _referents(self, text: str, introduced: set[str]) -> str:
        """People of the story described at length, named short after the first mention (by
        either speaker): "a man in a hooded top with a gun", then "the man"."""
        for full, short in self.nar.referents:
            capped = cap(full)
            if full not in text and capped not in text:
                continue
            # A possessive takes the short name even at a first mention: "the woman's jacket",
            # never "a woman with a shopping bag's jacket".
            text = text.replace(f"{full}'s", f"{short}'s").replace(f"{capped}'s", f"{cap(short)}'s")
            if full not in text and capped not in text:
                continue
            if full not in introduced:
                introduced.add(full)
                at = min(i for i in (text.find(full), text.find(capped)) if i >= 0)
                head, rest = text[: at + len(full)], text[at + len(full) :]
            else:
                head, rest = "", text
            rest = rest.replace(full, short)
            if capped in rest:
                # Capitalised at the start of a sentence, lower case after a comma.
                rest = recapitalise(rest, capped, short)
            text = head + rest
        return text

    def _join(self, pieces: list[str], level: float) -> list[str]:
        return join_spoken(pieces, level, self.voice.talk, self.pick)

    def fill(self, template: str, extra: dict[str, Any] | None = None) -> str:
        """Fill a template from the client's narrative context (plus per-turn values)."""
        senses, has_event, has_eve, has_hot = template_slots(template)
        if not (senses or has_eve or has_hot):  # most lines: only the context's own slots
            if extra:
                plain = _Over(extra)
                plain.base = self.ctx
                return fill(template, plain)
            return fill(template, self.ctx)
        for sense in senses:
            if not extra or sense not in extra:
                # The scene moves: a pool line naming a detail takes the next one of that sense.
                found = self.detail(sense)
                ctx = {sense: found, sense + "_cap": cap(found), sense + "_t": second_person(found)}
                extra = {**ctx, **(extra or {})}
        named = self.voice.named  # one count per conversation, shared with the voice
        if has_event and named.get("event", -1) + 1 >= EVENT_NAMES:
            # Named often enough: after a preposition the event is "it" now ("talk about it",
            # "go through it"), as people say it once everyone knows what they mean (in a
            # sentence that says something else of the client's own, so that it stays theirs).
            template = event_as_it(template)
            _, _, has_eve, has_hot = template_slots(template)
        typed = frame_forms(template) if has_eve else ()
        for key, names, slot in (
            ("event", self.nar.event_names, has_eve),
            ("hot", self.nar.hotspot_names, has_hot),
        ):
            if slot and len(names) > 1:
                # Named in full the first time in a conversation, then by a short name, then
                # by a word that points back (see tvt.compose.refer).
                extra = {**name_for(key, names, named, template, typed), **(extra or {})}
        if extra:
            over = _Over(extra)
            over.base = self.ctx
            return fill(template, over)
        return fill(template, self.ctx)

    def line(self, pool: Sequence[str], extra: dict[str, Any] | None = None) -> str:
        """Least-used template of ``pool``, filled."""
        if self.verbal:
            pool = words_only(pool) or pool
        return self.fill(self.pick.pick(pool), extra)

    def asking(self, name: str) -> str:
        """A filled line of this phase's client pool ``name``; when the therapist bank has
        ``answer_<name>_<i>`` for the line drawn (a question), the next therapist turn
        answers it first (a question the client asks is never skipped)."""
        full: list[str] = self.cb[name]
        pool = (words_only(full) or full) if self.verbal else full
        template = self.pick.pick(pool)
        key = f"answer_{name}_{full.index(template)}"
        self.answer_due = key if key in self.tb else None
        return self.fill(template)

    def cpool(self, name: str) -> Any:
        """Client pool ``name`` of this phase, else of the common bank."""
        pool = self.cb.get(name)
        return pool if pool is not None else self.ccommon[name]

    # -- the client's voice ------------------------------------------------------------------
    def band(self, level: float) -> dict[str, Any]:
        return band_of(level)

    def hesitate(self, level: float, text: str) -> str:
        """Prefix ``text`` with the client's own hesitation (more often as distress rises)."""
        # "Okay... Okay, I think" reads as a glitch: no hesitation before a spoken filler.
        if text.startswith(FILLERS):
            return text
        return self.voice.hesitate(level, text, self.pick)

    def body(self, level: float) -> str:
        return self.voice.body(level, self.pick)

    def feeling(self, level: float) -> str:
        return self.voice.feeling(level, self.pick)

    def after(self, level: float) -> str:
        """How the client feels as the exposure ends, or after it, in their own voice."""
        return self.voice.after(level, self.pick)

    def anticipation(self, level: float) -> str:
        """How the client feels about the exposure ahead, in their own voice."""
        return self.voice.anticipation(level, self.pick)

    def reaction(self, level: float) -> str:
        """A body sensation, a feeling, or both, in the client's voice."""
        return self.voice.reaction(level, self.pick)

    def details(self, sense: str) -> list[str]:
        """The client's details of one sense available at this point of the retelling."""
        return self.nar.sensory_all[sense] if self.after_hotspot else self.nar.sensory[sense]

    def detail(self, sense: str) -> str:
        """One of the client's details of ``sense``: one not said yet while there is one (a
        retelling moves around the scene), a detail said before by its short name."""
        pool = self.details(sense)
        uses = self.voice.named
        detail = self.pick.pick(pool)
        for _ in range(len(pool) - 1):
            if uses.get("detail:" + detail, 0) < 1:
                break
            detail = self.pick.pick(pool)
        said = uses.get("detail:" + detail, 0)
        uses["detail:" + detail] = said + 1
        self.drawn.append(detail)
        # Said in full once a conversation; after that the short way people name a thing
        # again ("the traffic outside", not "the traffic outside that I can't get to").
        return short_detail(detail) if said else detail

    def sensory(self, sense: str) -> str:
        """A sentence about one of the client's own sensory details (present tense)."""
        detail = self.detail(sense)
        self.last_detail = detail
        self.last_sense = sense
        self.detail_turn = len(self.turns)
        return self.fill(
            self.pick.pick(self.ccommon["sensory"][sense]),
            {"detail": detail, "detail_cap": cap(detail), **agreement("detail", detail)},
        )

    def suds_text(self, value: int, direction: str, level: float, scene: bool = False) -> str:
        """The client's SUDS statement: the number, how it moved, how it feels, and (during
        exposure, sometimes) what in the scene is driving it."""
        if self.verbal:
            level_words = self.pick.pick(verbal_level(value))
            stem = self.fill(
                self.pick.pick(
                    verbal_bank()["client"]["same" if direction == "near" else direction]
                ),
                {"level": level_words, "level_cap": level_words[:1].upper() + level_words[1:]},
            )
        else:
            stem = self.line(self.ccommon["suds"][direction], {"n": value})
        text = f"{stem} {self.reaction(level)}"
        if scene and self.rng.random() < 0.8:
            sense = self.pick.choice(SENSES)
            detail = self.detail(sense)
            extra = {"detail": detail, "detail_cap": cap(detail)}
            tail = self.line(self.ccommon["suds_tail"][sense], extra)
            text = f"{text} {tail}"
        if scene and self.rng.random() < 0.2:
            # A word about the retelling itself ("I know what's coming") beside the number.
            text = f"{text} {self.aside(level)}"
        return text

    def aside(self, level: float) -> str:
        """A remark about the retelling itself, graded coarsely (low / high distress)."""
        # Past the hot spot it is no longer coming ("I know that moment is coming" after it).
        high = "high_after" if self.after_hotspot and self.exposure else "high"
        return self.line(self.ccommon["aside"][high if level >= 6.5 else "low"])

    def maybe(self, p: float, pool: Sequence[str]) -> str:
        """A filled line of ``pool`` with probability ``p``, else an empty string."""
        return " " + self.line(pool) if self.rng.random() < p else ""
