"""Reading a model's rewrite and checking every rewritten turn against the composer's skeleton.

The answer is numbered lines (``4. Client: ...``); :func:`parse_answer` reads them, merges
continuation lines and refuses an answer whose numbers are not exactly the turns asked for (a
*format* problem: the whole answer is asked again). :class:`Checker` then checks each rewritten
turn in the context of the whole conversation (the other turns as they stand: rewritten, or still
the composer's draft):

* **speaker** - the line's speaker is the skeleton's;
* **SUDS** - read back by :func:`tvt.suds_text.read_suds`, the one SUDS reader of tvt: a client
  turn with a planned rating states exactly that number on 0-100, a turn without one states none,
  and a therapist turn whose draft asks for a rating still asks (else the answer after it is not
  read as a rating);
* **protocol elements** - every element lexicon of ``tvt audit`` the draft matches (the P5
  rationale elements, recording and in-vivo homework in P11, the parts of a risk assessment, the
  crisis resources and the clinic in a contact turn, a voiced risk) the rewrite matches too;
* **nothing added** - no 0-10 scale, method detail, graphic injury or explicit sexual content, and
  during the exposure (P10, P6, P7) no relaxation, breathing or grounding by the therapist, unless
  the draft has it (the composer's grounding when a client dissociates).

The lexicons are the audit's (``seeds/audit/rules.json``), so the rewrite is held to the rules
``tvt audit`` applies to a dataset. A problem is ``(kind, sentence)``: the kind is counted in the
manifest, the sentence goes back to the model with the retry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from tvt.audit.rules import RATIONALE_ELEMENTS, Rules, load_rules
from tvt.phases import EXPOSURE_PHASES
from tvt.resources import load_seed_json
from tvt.suds_text import asks_for_suds, read_suds

#: A rewritten turn longer than this many words, or this many times its draft, is not a turn.
MAX_WORDS = 160
MAX_GROWTH = 4.0

#: Element lexicons a turn must keep when its draft matches them, by phase and speaker...
PHASE_ELEMENTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("P5", "therapist"): tuple(f"rationale.{e}" for e in RATIONALE_ELEMENTS),
    ("P11", "therapist"): ("processing.recording_homework", "processing.in_vivo_homework"),
}
#: ... by act (the composer's risk assessment and between-session contact) ...
ACT_ELEMENTS: dict[str, tuple[str, ...]] = {
    "risk_assessment": (
        "safety.assess_thoughts",
        "safety.assess_plan",
        "safety.assess_intent",
        "safety.assess_resources",
    ),
    "contact": ("safety.assess_resources", "contact.clinic"),
    "homework": ("processing.recording_homework", "processing.in_vivo_homework"),
}
#: ... and in any client turn (a voiced risk stays voiced, so the assessment after it fits).
CLIENT_ELEMENTS = (
    "safety.passive_ideation",
    "safety.active_ideation",
    "safety.self_harm",
    "safety.harm_others",
)
#: Lexicons a rewrite may not match unless its draft does: anywhere ...
NOT_ADDED = ("suds.scale_10", "safety.method", "safety.graphic_injury", "safety.explicit_sexual")
#: ... and in a therapist turn during the exposure.
NOT_ADDED_EXPOSURE = ("exposure.relaxation", "exposure.grounding")

#: The clinic in a contact turn (the audit has no lexicon for it).
_CLINIC_RE = re.compile(r"\b(?:clinic|practice|office|service|reception|team)\b", re.IGNORECASE)
_META_RE = re.compile(
    r"\b(?:as an ai\b|language model|here (?:is|are) the (?:rewritten|revised)|"
    r"rewritten (?:turns?|lines?)|skeleton|draft\b)",
    re.IGNORECASE,
)

ELEMENT_NAMES: dict[str, str] = {
    "rationale.avoidance": "why: avoidance keeps the PTSD going",
    "rationale.eyes_closed": "eyes closed",
    "rationale.present_tense": "first person, present tense",
    "rationale.suds": "the SUDS ratings as we go",
    "rationale.suds_anchors": "the SUDS anchors (0 calm, 100 the worst)",
    "rationale.recording": "the session is recorded to listen to at home",
    "rationale.distress_course": "distress rises, then comes down on its own",
    "rationale.repetition": "the memory is gone through several times",
    "rationale.duration": "how long the exposure lasts",
    "processing.recording_homework": "homework: listen to the recording",
    "processing.in_vivo_homework": "homework: in-vivo practice",
    "safety.assess_thoughts": "asks directly about thoughts of suicide or self-harm",
    "safety.assess_plan": "asks about a plan",
    "safety.assess_intent": "asks about intent",
    "safety.assess_resources": "names the crisis line / emergency services or a safety plan",
    "contact.clinic": "how to reach the clinic",
    "safety.passive_ideation": "the client voices a wish to be dead",
    "safety.active_ideation": "the client voices thoughts of suicide",
    "safety.self_harm": "the client voices self-harm",
    "safety.harm_others": "the client voices harming someone",
}
_ADDED_NAMES = {
    "suds.scale_10": ("suds.scale_10", "uses a 0-10 scale; SUDS are 0-100"),
    "safety.method": ("safety.method", "adds a method or means of self-harm"),
    "safety.graphic_injury": ("safety.graphic_injury", "adds graphic injury detail"),
    "safety.explicit_sexual": ("safety.explicit_sexual", "adds explicit sexual content"),
    "exposure.relaxation": (
        "exposure.relaxation",
        "adds breathing or relaxation during the exposure",
    ),
    "exposure.grounding": ("exposure.grounding", "adds grounding during the exposure"),
    "suds.scale_100": (
        "suds.number",
        "asks for a number or a scale; in this session distress is said in words",
    ),
}


@cache
def distress_bands() -> tuple[tuple[int, tuple[str, ...]], ...]:
    """The verbal SUDS bands of the composer (``seeds/compose/verbal.json``): ``(max, words)``
    per band, lowest first; a band holds the SUDS from the previous band's max + 1."""
    levels = load_seed_json("compose", "verbal.json")["client"]["level"]
    return tuple((int(b["max"]), tuple(str(w) for w in b["words"])) for b in levels)


def band_of(suds: int) -> int:
    """The index of the band a planned SUDS falls in."""
    for k, (top, _words) in enumerate(distress_bands()):
        if suds <= top:
            return k
    return len(distress_bands()) - 1


@cache
def _band_patterns() -> tuple[tuple[re.Pattern[str], tuple[int, ...], str], ...]:
    """(phrase, the bands that list it, phrase), longest first: adjacent bands share words."""
    bands: dict[str, list[int]] = {}
    for k, (_top, words) in enumerate(distress_bands()):
        for w in words:
            bands.setdefault(w, []).append(k)
    out = sorted(bands.items(), key=lambda t: -len(t[0]))  # "really high" before "high"
    return tuple((re.compile(r"\b" + re.escape(w.lower()) + r"\b"), tuple(k), w) for w, k in out)


def read_bands(text: str) -> list[tuple[int, str]]:
    """``(band, words)`` of every band phrase in ``text``, longest first, once for each band
    that lists the phrase; a phrase inside a longer one found earlier is not counted again
    ("really high" is not also "high")."""
    low = text.lower()
    found: list[tuple[int, str]] = []
    for pattern, bands, words in _band_patterns():
        for m in pattern.finditer(low):
            found.extend((band, words) for band in bands)
            low = low[: m.start()] + " " * (m.end() - m.start()) + low[m.end() :]
    return found


Problem = tuple[str, str]


class AnswerError(ValueError):
    """An answer that cannot be used as a whole: ``kind`` is counted, ``reason`` sent back."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


_LINE_RE = re.compile(
    r"^\s*(?:[-*>]\s*)?(?:\*\*|__)?\s*(?:turn\s*)?\[?(?P<n>\d{1,3})\]?\s*[.):\-]?\s*"
    r"(?:\*\*|__)?\s*(?P<speaker>therapist|client)\s*(?:\*\*|__)?\s*[:\-–]\s*(?:\*\*|__)?"
    r"\s*(?P<text>.*)$",
    re.IGNORECASE,
)
_FENCE_RE = re.compile(r"^\s*(?:`{3,}|-{3,}|={3,})")


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^(?:\*\*|__)|(?:\*\*|__)$", "", text).strip()
    if len(text) > 1 and text[0] in '"“' and text[-1] in '"”' and text.count(text[0]) <= 2:
        text = text[1:-1].strip()
    return text


def parse_answer(
    text: str | None, wanted: Sequence[int], finish_reason: str | None = None
) -> dict[int, tuple[str, str]]:
    """``{turn number: (speaker, text)}`` of an answer that holds exactly the ``wanted`` numbers
    (1-based), else :class:`AnswerError`. A line without a number continues the turn above it
    until a blank line; anything else outside the numbered lines is ignored."""
    if text is None or not text.strip():
        raise AnswerError("format.empty", "the answer was empty")
    got: dict[int, list[str]] = {}
    speakers: dict[int, str] = {}
    duplicates: list[int] = []
    current: int | None = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        if not raw.strip() or _FENCE_RE.match(raw):
            current = None
            continue
        m = _LINE_RE.match(raw)
        if m:
            n = int(m.group("n"))
            if n in got:
                duplicates.append(n)
            got[n] = [m.group("text")]
            speakers[n] = m.group("speaker").lower()
            current = n
        elif current is not None:
            got[current].append(raw)
    if not got:
        raise AnswerError(
            "format.unreadable", 'no numbered "<n>. Therapist:" / "<n>. Client:" lines'
        )
    if duplicates:
        raise AnswerError("format.turn_count", f"turn {duplicates[0]} appears twice")
    want = set(wanted)
    if set(got) != want:
        missing = sorted(want - set(got))
        extra = sorted(set(got) - want)
        cut = " (the answer was cut off at the token limit)" if finish_reason == "length" else ""
        detail = []
        if missing:
            detail.append(f"turn(s) {_span(missing)} missing")
        if extra:
            detail.append(f"turn(s) {_span(extra)} not asked for")
        raise AnswerError(
            "format.turn_count",
            f"{len(got)} numbered turns instead of {len(want)}: {', '.join(detail)}{cut}",
        )
    return {n: (speakers[n], _clean(" ".join(got[n]))) for n in sorted(got)}


def _span(numbers: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:8])
    return shown + (f" and {len(numbers) - 8} more" if len(numbers) > 8 else "")


@dataclass
class Checker:
    """The checks of one rules file (the audit's default rules unless given)."""

    rules: Rules | None = None
    #: ``numeric`` (a planned SUDS is stated as the number) or ``verbal`` (said in the band's
    #: words of seeds/compose/verbal.json, no number)
    suds_style: str = "numeric"

    @cached_property
    def _rules(self) -> Rules:
        return self.rules if self.rules is not None else load_rules()

    def _matches(self, name: str, text: str) -> bool:
        if name == "contact.clinic":
            return _CLINIC_RE.search(text) is not None
        return self._rules.lex(name).find(text) is not None

    def elements(self, phase: str, turn: Mapping[str, Any]) -> list[str]:
        """The element lexicons the composer's draft of ``turn`` matches (what it carries)."""
        speaker = turn["speaker"]
        names = [*PHASE_ELEMENTS.get((phase, speaker), ()), *ACT_ELEMENTS.get(turn["act"], ())]
        if speaker == "client":
            names += CLIENT_ELEMENTS
        seen: list[str] = []
        for name in names:
            if name not in seen and self._matches(name, turn["text"]):
                seen.append(name)
        return seen

    def problems(
        self,
        phase: str,
        skeleton: Sequence[Mapping[str, Any]],
        texts: Sequence[str],
        speakers: Mapping[int, str],
        check: Sequence[int],
        elements: Sequence[Sequence[str]],
    ) -> dict[int, Problem]:
        """The first problem of each turn index in ``check`` (0-based) whose text is
        ``texts[i]``, in the conversation ``texts`` (``speakers`` as the model labelled them)."""
        found: dict[int, Problem] = {}
        turns = [{"speaker": s["speaker"], "text": t} for s, t in zip(skeleton, texts, strict=True)]
        read = {st.turn: st for st in read_suds(turns)}
        draft_read = {st.turn: st for st in read_suds(skeleton)}
        for i in check:
            problem = self._turn(phase, skeleton, i, texts[i], speakers.get(i), read, draft_read)
            if problem is None:
                problem = self._kept(phase, skeleton[i], texts[i], elements[i])
            if problem is not None:
                found[i] = problem
        return found

    def _turn(
        self,
        phase: str,
        skeleton: Sequence[Mapping[str, Any]],
        i: int,
        text: str,
        speaker: str | None,
        read: Mapping[int, Any],
        draft_read: Mapping[int, Any],
    ) -> Problem | None:
        turn = skeleton[i]
        if speaker is not None and speaker != turn["speaker"]:
            return "turn.speaker", f"is a {speaker} line; this turn is the {turn['speaker']}'s"
        if not text:
            return "turn.empty", "is empty"
        words = len(text.split())
        if words > MAX_WORDS or words > MAX_GROWTH * len(turn["text"].split()) + 20:
            return "turn.too_long", f"has {words} words; keep it near the draft's length"
        if _META_RE.search(text):
            return "turn.meta", "talks about the rewriting instead of being the turn"
        if turn["speaker"] == "therapist":
            if asks_for_suds(turn["text"]) and not asks_for_suds(text):
                return (
                    "suds.question_dropped",
                    "no longer asks for the SUDS rating (ask for the rating, the number, "
                    "or how distressed the client is)",
                )
            return None
        planned = turn.get("suds")
        got = read.get(i)
        if self.suds_style == "verbal":
            return _verbal(turn, text)
        if planned is not None:
            if got is None:
                return (
                    "suds.dropped",
                    f"does not state the SUDS rating {planned} (say the number {planned} near "
                    "the start of the turn)",
                )
            if got.scale == 10:
                return "suds.scale_10", f"states the rating on 0-10; say {planned} on 0-100"
            if got.value != planned:
                return "suds.wrong", f"states SUDS {got.value}; the plan has {planned}"
        elif got is not None and i not in draft_read:
            return (
                "suds.added",
                f"states a SUDS rating ({got.value}) where the plan has none; give no number",
            )
        return None

    def _kept(
        self, phase: str, turn: Mapping[str, Any], text: str, elements: Sequence[str]
    ) -> Problem | None:
        for name in elements:
            if not self._matches(name, text):
                what = ELEMENT_NAMES.get(name, name)
                return f"element.{name}", f"drops a protocol element the draft carries ({what})"
        added = list(NOT_ADDED)
        if self.suds_style == "verbal":
            added.append("suds.scale_100")
        if phase in EXPOSURE_PHASES and turn["speaker"] == "therapist":
            added += NOT_ADDED_EXPOSURE
        for name in added:
            if self._matches(name, text) and not self._matches(name, turn["text"]):
                return _ADDED_NAMES[name]
        return None


def _as_rating(text: str) -> Any:
    asked = [
        {"speaker": "therapist", "text": "What's your SUDS rating right now?"},
        {"speaker": "client", "text": text},
    ]
    return next((st for st in read_suds(asked) if st.turn == 1), None)


def _verbal(turn: Mapping[str, Any], text: str) -> Problem | None:
    """A client turn of a verbal-style conversation: no number (unless the draft has the same
    one, an age read as a rating, say), the planned band's words kept when the draft has them,
    and no other band's words the draft does not have."""
    # Read as the answer to a rating question whatever the turn before says: a number the
    # reader would take for a rating after "What's your SUDS?" is a number said as distress.
    got, before = _as_rating(text), _as_rating(str(turn["text"]))
    if got is not None and (before is None or before.value != got.value):
        return (
            "suds.number",
            f"states a number ({got.value}) as the distress; say it in words, no number",
        )
    planned = turn.get("suds")
    if planned is None:
        return None
    band = band_of(int(planned))
    words = ", ".join(f'"{w}"' for w in distress_bands()[band][1])
    drafted = {b for b, _w in read_bands(turn["text"])}
    said = read_bands(text)
    if band in drafted and band not in {b for b, _w in said}:
        return (
            "suds.band_dropped",
            f"does not say the planned distress level in words (use one of: {words})",
        )
    # A phrase is wrong when no band that lists it is the plan's and the draft did not say it.
    kept = {w for _b, w in read_bands(turn["text"])}
    fits = {w for b, w in said if b == band} | kept
    other = [w for _b, w in said if w not in fits]
    if other:
        return (
            "suds.band_wrong",
            f'says "{other[0]}", the words of another distress level; the plan\'s level is '
            f"one of: {words}",
        )
    return None
