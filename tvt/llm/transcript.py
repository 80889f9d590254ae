"""Turn an LLM's transcript text into validated conversation turns.

What is accepted (and repaired):

- speaker lines ``Therapist: ...`` / ``Client: ...``, also with the people's names as labels
  (``Murray:``, ``Dr. Parker:``), markdown emphasis (``**Therapist:**``, ``**Client**:``), list
  bullets, numbering (``12. Therapist:``), ``Turn 3 -`` prefixes and a ``(softly)`` after the label;
- noise lines: blank lines, code fences, horizontal rules, headings, ``BEGIN/END TRANSCRIPT``;
- continuation lines (text without a label) are merged into the turn above;
- standalone stage directions (``*(She closes her eyes.)*``) and trailing notes after a blank line
  (``Note: ...``, ``This conversation shows ...``) are dropped, as is text before the first label
  ("Here is the transcript:");
- when the answer was cut off (``finish_reason == "length"``) the last, possibly partial, turn is
  dropped.

What is rejected (the caller retries with a new seed): no dialogue at all, a refusal or AI
meta-text ("As an AI...") or a placeholder ("[... the session continues ...]") anywhere in the
dialogue, an empty turn, a client speaking first, two turns of the same speaker in a row after
merging, a turn longer than :data:`MAX_TURN_WORDS` words, and a turn count outside the phase's
bounds (seeds/prompts/generation/<version>/phases.json, printed in docs/prompts.md).

SUDS values are read by :func:`tvt.suds_text.read_suds`, the one SUDS reader of tvt (the
importer, the lexical rater and ``tvt audit`` read with it too), so a sentence means the same
number in an LLM dataset as everywhere else: "Sixty-six." after "Where is your distress now?" is
66. A rating said on 0-10 is stored on 0-100 and the turn records ``"suds_scale": 10``. Acts are
coarse labels (:func:`label_act`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tvt.records import Conversation, SudsLabelStats, Turn
from tvt.suds_text import asks_for_suds, read_suds

#: A turn longer than this is not a turn: the model wrote a narrative instead of a dialogue.
MAX_TURN_WORDS = 400


class TranscriptError(ValueError):
    """The text is not a usable transcript; ``reason`` says why in one phrase."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Transcript:
    """Validated turns (conversation-schema dicts) and the repairs applied to get them."""

    turns: list[Turn]
    repairs: list[str] = field(default_factory=list)


# -- line classification --------------------------------------------------------------------------
_NOISE_RE = re.compile(
    r"""^(?:
        `{3,}.*                                   # code fence
      | [-*_=~]{3,}                               # horizontal rule
      | \#{1,6}\s.*                               # markdown heading
      | [\[(*_\s]*(?:begin|start|end)(?:\s+of)?(?:\s+the)?\s+
        (?:transcript|conversation|dialogue|session)\b.*   # BEGIN TRANSCRIPT / End of session
      | [*_]*(?:transcript|conversation|dialogue)[*_]*\s*:?\s*[*_]*   # a bare "Transcript:" title
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_PREFIX_RE = re.compile(
    r"^(?:[-•>]\s*|\*\s+|\(?\d{1,3}[.)]\s*|\[\d{1,3}\]\s*|turn\s+\d{1,3}\s*[:.)\-–—]?\s*)+",
    re.IGNORECASE,
)
_LABEL_RE = re.compile(
    r"""^(?:\*\*|__|\*|_)?\[?
        (?P<label>[^\W\d_][\w.'’\- ]{0,40}?)
        \]?\s*(?:\((?P<aside>[^)]{0,40})\))?\s*
        (?:\*\*|__|\*|_)?\s*[:：]\s*(?:\*\*|__|\*|_)?\s*
        (?P<text>.*)$""",
    re.VERBOSE,
)
_STAGE_RE = re.compile(r"^[*_]*[(\[][^()\[\]]*[)\]][*_]*$")
_TRAILER_RE = re.compile(
    r"^[\[(*_\s]*(?:note|notes|the end|fin|summary|disclaimer|i hope|let me know|feel free|"
    r"would you like|this (?:conversation|transcript|dialogue|session|exchange|example)|"
    r"in this (?:conversation|transcript|dialogue|session|exchange))\b",
    re.IGNORECASE,
)
_REFUSAL_RE = re.compile(
    r"\b(?:I'?m sorry,? but I|I apologi[sz]e,? but I|"
    r"I (?:can(?:no|')?t|can not|am unable to|won'?t|will not|must decline to) "
    r"(?:help|assist|create|generate|write|produce|provide|comply|fulfil|continue with)|"
    r"as an AI\b|as a (?:large )?language model)",
    re.IGNORECASE,
)
# Inside the dialogue a client may well say "I can't do this": only AI-speak counts there.
# The patterns below marked "lower" are matched against lower-cased text: IGNORECASE defeats the
# regex engine's literal-prefix search and made them most of the parse time.
_META_IN_TURN_RE = re.compile(  # lower
    r"\b(?:as an ai\b|(?:an|a large) language model|ai (?:assistant|model)\b|"
    r"i (?:can(?:no|')?t|am unable to|won'?t) (?:help|assist) with (?:this|that|your) request|"
    r"(?:create|generate|write) (?:this|such|that) (?:content|conversation|transcript|dialogue))"
)
_PLACEHOLDER_RE = re.compile(
    r"\[\s*(?:\.\.\.|…|insert\b|continue|more\b|rest of)|\(\s*(?:\.\.\.|…)\s*\)|"
    r"\b(?:conversation|session|dialogue|transcript|exposure) continues\b|"
    r"\b(?:and so on|etc\.)\s*[\])]?\s*$",
    re.MULTILINE,
)  # lower
_EMPH_EDGE_RE = re.compile(r"^(?:\*\*|__)\s*|\s*(?:\*\*|__)$")


def _strip_quotes(text: str) -> str:
    text = text.strip()
    if text[:1] in "*_" or text[-1:] in "*_":
        text = _EMPH_EDGE_RE.sub("", text).strip()
    for q1, q2 in (('"', '"'), ("“", "”")):
        if len(text) > 1 and text.startswith(q1) and text.endswith(q2) and text.count(q1) <= 2:
            text = text[1:-1].strip()
    return text


def speaker_aliases(case: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Lower-case labels -> speaker, including the case's names (``Murray``, ``Dr. Parker``)."""
    aliases = {
        "therapist": "therapist",
        "t": "therapist",
        "counselor": "therapist",
        "counsellor": "therapist",
        "client": "client",
        "c": "client",
        "patient": "client",
    }
    if case:
        for key, speaker in (("therapist_profile", "therapist"), ("client_profile", "client")):
            name = str(case.get(key, {}).get("name") or "").strip()
            if not name:
                continue
            parts = name.split()
            for label in {name, parts[0], parts[-1]}:
                aliases.setdefault(label.lower(), speaker)
                if speaker == "therapist":
                    for title in ("dr", "dr.", "doctor", "therapist"):
                        aliases.setdefault(f"{title} {label.lower()}", speaker)
            for label in {name, parts[0]}:
                aliases.setdefault(f"{speaker} {label.lower()}", speaker)
                aliases.setdefault(f"{speaker} ({label.lower()})", speaker)
    return aliases


def _speaker_of(line: str, aliases: Mapping[str, str]) -> tuple[str, str] | None:
    """``(speaker, text)`` if the line starts with a known speaker label."""
    body = _PREFIX_RE.sub("", line, count=1)
    m = _LABEL_RE.match(body)
    if not m:
        return None
    label = re.sub(r"\s+", " ", m.group("label").strip().strip("*_").strip()).lower()
    speaker = aliases.get(label)
    if speaker is None and m.group("aside"):
        speaker = aliases.get(f"{label} ({m.group('aside').strip().lower()})")
    if speaker is None:
        return None
    return speaker, m.group("text")


def split_turns(
    text: str, aliases: Mapping[str, str] | None = None
) -> tuple[list[dict[str, str]], list[str], str]:
    """Split raw text into ``[{speaker, text}]`` (continuations merged).

    Returns the turns, the repairs applied, and the text found before the first speaker line.
    """
    aliases = aliases or speaker_aliases()
    turns: list[dict[str, str]] = []
    repairs: list[str] = []
    preamble: list[str] = []
    blank_before = False
    in_trailer = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            blank_before = True
            continue
        if _NOISE_RE.match(line):
            blank_before = True
            continue
        found = _speaker_of(line, aliases)
        if found is not None:
            if in_trailer:
                raise TranscriptError("meta-text between dialogue lines")
            speaker, said = found
            turns.append({"speaker": speaker, "text": _strip_quotes(said)})
            blank_before = False
            continue
        if not turns:
            preamble.append(line)
            continue
        if _STAGE_RE.match(line):
            repairs.append("dropped a stage direction")
            continue
        if in_trailer or (blank_before and _TRAILER_RE.match(line)):
            in_trailer = True
            continue
        turns[-1]["text"] = (turns[-1]["text"] + " " + _strip_quotes(line)).strip()
        repairs.append("merged a continuation line")
        blank_before = False
    if preamble:
        repairs.append("dropped text before the first speaker line")
    if in_trailer:
        repairs.append("dropped a note after the dialogue")
    for turn in turns:
        turn["text"] = re.sub(r"\s+", " ", turn["text"]).strip()
    return turns, sorted(set(repairs)), "\n".join(preamble)


# -- the whole pipeline ----------------------------------------------------------------------------
def parse_transcript(
    text: str | None,
    *,
    bounds: tuple[int, int] = (2, 1000),
    aliases: Mapping[str, str] | None = None,
    finish_reason: str | None = None,
) -> Transcript:
    """Parse, repair and validate an LLM transcript; raise :class:`TranscriptError` if unusable."""
    if text is None or not text.strip():
        raise TranscriptError("empty answer")
    turns, repairs, _preamble = split_turns(text, aliases)
    if not turns:
        if _REFUSAL_RE.search(text):
            raise TranscriptError("refusal instead of a transcript")
        raise TranscriptError("no Therapist:/Client: lines")
    if finish_reason == "length":
        turns.pop()
        repairs.append("dropped the last turn (answer cut off at max tokens)")
    # One search over the whole dialogue; the turn is looked up only when something matched.
    joined = "\n".join(t["text"] for t in turns).lower()
    for pattern, what in (
        (_META_IN_TURN_RE, "refusal or AI meta-text"),
        (_PLACEHOLDER_RE, "placeholder instead of dialogue"),
    ):
        m = pattern.search(joined)
        if m:
            n = joined.count("\n", 0, m.start()) + 1
            raise TranscriptError(f"{what} in turn {n}")
    for n, turn in enumerate(turns, start=1):
        if not turn["text"]:
            raise TranscriptError(f"turn {n} is empty")
        words = len(turn["text"].split())
        if words > MAX_TURN_WORDS:
            raise TranscriptError(f"turn {n} has {words} words (more than {MAX_TURN_WORDS})")
    if turns and turns[0]["speaker"] != "therapist":
        raise TranscriptError("the client speaks first (the therapist must open)")
    for n in range(1, len(turns)):
        if turns[n]["speaker"] == turns[n - 1]["speaker"]:
            raise TranscriptError(
                f"two {turns[n]['speaker']} turns in a row (turns {n} and {n + 1})"
            )
    lo, hi = bounds
    if not lo <= len(turns) <= hi:
        raise TranscriptError(f"{len(turns)} turns, outside the bounds {lo}-{hi}")
    out: list[Turn] = [
        {"speaker": t["speaker"], "text": t["text"], "suds": None, "act": ""} for t in turns
    ]
    for statement in read_suds(out):
        out[statement.turn]["suds"] = statement.value
        if statement.scale == 10:
            out[statement.turn]["suds_scale"] = 10
    for labelled in out:
        labelled["act"] = label_act(labelled)
        # keep the schema's key order: speaker, text, suds, act, [suds_scale]
        if "suds_scale" in labelled:
            labelled["suds_scale"] = labelled.pop("suds_scale")
    return Transcript(out, repairs)


# -- acts ------------------------------------------------------------------------------------------
_REINFORCE_RE = re.compile(  # lower
    r"\b(?:doing (?:great|well|really well|so well)|stay with (?:it|that|this)|keep going|"
    r"well done|good job|that's (?:it|right|okay|ok)|you're safe|you are safe|you can do this|"
    r"brave|courage|i'm here|you're handling)"
)


def label_act(turn: Turn) -> str:
    """A coarse dialogue-act label for an LLM turn (the offline composer labels its own)."""
    text = turn["text"]
    if turn["speaker"] == "client":
        return "suds_report" if turn.get("suds") is not None else "response"
    if asks_for_suds(text):
        return "suds_check"
    if _REINFORCE_RE.search(text.lower()) and len(text.split()) <= 20:
        return "reinforcement"
    if text.rstrip().endswith("?"):
        return "question"
    return "statement"


def suds_label_stats(conversations: Iterable[Conversation]) -> SudsLabelStats:
    """How the SUDS labels of conversations came out: therapist turns that ask for a rating
    (:func:`tvt.suds_text.asks_for_suds`), how many of them the next client turn answered with a
    rating that was read, and all client turns labelled with a SUDS. The manifest reports these,
    so a dataset whose ratings went unread shows it."""
    questions = answered = labelled = 0
    for conv in conversations:
        turns = conv["turns"]
        for i, turn in enumerate(turns):
            if turn["speaker"] == "client":
                labelled += turn.get("suds") is not None
                continue
            if asks_for_suds(turn["text"]):
                questions += 1
                nxt = turns[i + 1] if i + 1 < len(turns) else None
                answered += bool(nxt and nxt["speaker"] == "client" and nxt.get("suds") is not None)
    return {
        "rating_questions": questions,
        "answered_with_rating": answered,
        "answered_share": round(answered / questions, 4) if questions else None,
        "labelled_turns": labelled,
    }
