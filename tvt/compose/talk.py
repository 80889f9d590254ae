"""What the phases outside exposure share: P5 (orientation, :mod:`tvt.compose.talk_p5`), P8
(eliciting thoughts and feelings, :mod:`tvt.compose.talk_p8`) and P11 (processing,
:mod:`tvt.compose.talk_p11`). They are built from *moves* (one therapist turn and the client's answer); the
required moves come first in protocol order and optional ones fill the conversation to its
planned length. SUDS, when asked, is derived from the phase intensity."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from tvt.compose.acts import ANSWERS
from tvt.compose.dialogue import Dialogue
from tvt.compose.language import derived_suds
from tvt.compose.voice import band_name
from tvt.records import Case

Move = Callable[[Dialogue, int], None]

#: When a list, every question-answer pair the talk phases compose is appended to it as
#: (phase, index of the client turn, question, answer); see :func:`recording_exchanges`.
_EXCHANGES: list[tuple[str, int, str, str]] | None = None


@contextmanager
def recording_exchanges() -> Iterator[list[tuple[str, int, str, str]]]:
    """Record the question-answer pairs composed inside the block (for the contract tests)."""
    global _EXCHANGES
    saved, _EXCHANGES = _EXCHANGES, []
    try:
        yield _EXCHANGES
    finally:
        _EXCHANGES = saved


def answered(d: Dialogue, question: str, answer: str) -> None:
    """Check the client turn just composed (``answer``, a client pool) against the therapist
    question before it (``question``, a therapist pool) in the contract of
    :data:`tvt.compose.acts.ANSWERS`: a pairing the contract does not list is a composer bug
    (the client would not be answering what was asked)."""
    fits = ANSWERS.get(f"{d.phase}.{question}")
    if fits is None or answer not in fits:
        raise AssertionError(f"{d.phase}: {answer!r} does not answer {question!r}")
    if _EXCHANGES is not None:
        _EXCHANGES.append((d.phase, len(d.turns) - 1, question, answer))


def _fit(required: list[Move], optional: list[list[Move]], k: int, insert_at: int) -> list[Move]:
    """Required moves in order, with as many optional groups as fit inserted at ``insert_at``.

    A group (a concern and its answer) is taken whole or not at all.
    """
    room = k - len(required)
    extra: list[Move] = []
    for group in optional:
        if len(group) <= room:
            extra += group
            room -= len(group)
    return required[:insert_at] + extra + required[insert_at:]


def _reason(d: Dialogue, level: int) -> str:
    """Why the SUDS is where it is (often), graded so it never contradicts the number."""
    return d.maybe(0.8, d.cb["suds_reason"]["high" if level >= 6 else "low"])


def _suds_move(d: Dialogue, level: int) -> None:
    d.t("suds_request", "suds_request", level)
    value = derived_suds(level, d.rng)
    text = f"{d.suds_text(value, 'first', level)} {d.after(level)}"
    # Why the number is where it is, in the client's own terms (fuller than a bare rating).
    d.c("suds_report", text + _reason(d, level), level, suds=value)
    answered(d, "suds_request", "suds_report")


#: In P11, whose turns have no cap of their own (tvt/compose/length.py), a line of how the
#: client is now goes only on a turn that stays within this many words with it: a P11 of long
#: answers averaged 50.6 words a client turn with it (bound 50, seed 3399, client 3399).
P11_ROOM = 60


def distress_now(
    d: Dialogue,
    level: float,
    p: float,
    base: str,
    most: int = 2,
    room: int | None = None,
    band: str | None = None,
) -> str:
    """How the client is right now, at the phase's planned distress, in their own story (" " and
    a line of ``distress_now_<band>`` of this phase's client bank, the band being the level's
    band name or ``band`` when given: P11's mid tier, 4-7, has its own ``distress_now_mid``),
    with probability ``p`` and at most ``most`` times a conversation, on a turn (``base``) that
    stays within ``room`` words with it when given; "" otherwise, and below a moderate band (a
    calm session says so in its other lines). A talk phase planned at 6 that reads as 4 says
    less than its plan: blind readers rated P8 and P11 about a point below it."""
    pool = d.cb.get("distress_now_" + (band or band_name(level)))
    said = d.voice.named.get("distress_now", 0)
    if not pool or said >= most or not d.pick.chance(p):
        return ""
    d.voice.named["distress_now"] = said + 1
    line = d.line(pool)
    # Drawn either way, so that a turn too long to take it changes nothing else in the session.
    if room is not None and len(base.split()) + len(line.split()) > room:
        return ""
    return " " + line


def _applicable(d: Dialogue, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Profile-specific items first (in random order), then general ones (in random order)."""
    profile = d.case["client_profile"]
    own, general = [], []
    for item in items:
        when = item.get("when", {})
        if not when:
            general.append(item)
        elif (
            when.get("behavior") in profile["exhibited_behaviors"]
            or when.get("condition") == profile["co_occurring_condition"]
        ):
            own.append(item)
    shuffle = d.rng.distinct
    return [own[i] for i in shuffle(len(own), len(own))] + [
        general[i] for i in shuffle(len(general), len(general))
    ]


def belief_kind(belief: str) -> str:
    """The hot-spot belief a stuck point expresses: ``guilt``, ``danger`` or ``incompetence``."""
    low = belief.lower()
    if re.search(r"can't cope|can't handle|weak|fall apart|useless|pathetic|failure|broken", low):
        return "incompetence"
    if re.search(
        r"safe|danger|trust|anywhere|again|nobody|no one|everyone|the world|happen|always", low
    ):
        if not re.search(r"fault|should|blame|deserve|stupid", low):
            return "danger"
    return "guilt"


def lv_of(d: Dialogue) -> int:
    """The phase's planned intensity (talk phases keep one level throughout)."""
    return int(d.case["plan"]["intensity"][d.phase])


def uses_substances(case: Case) -> bool:
    """Whether the profile has substance use (a behaviour or the co-occurring condition)."""
    profile = case["client_profile"]
    return (
        "substance abuse" in profile["exhibited_behaviors"]
        or profile["co_occurring_condition"] == "Substance Use Disorder"
    )


def _peak_words(value: int) -> str:
    """The therapist's words for a peak distress level (verbal SUDS)."""
    if value >= 86:
        return "about as bad as it gets"
    if value >= 71:
        return "very strong"
    return "strong" if value >= 56 else "noticeable"


def _end_words(value: int) -> str:
    """The therapist's words for where distress ended (verbal SUDS)."""
    if value <= 25:
        return "fairly low"
    if value <= 45:
        return "much milder"
    return "noticeably lower" if value <= 65 else "a little lower"


def risk_block(d: Dialogue, level: int) -> None:
    """A risk moment: passive suicidal ideation voiced once; the therapist pauses, asks about
    thoughts, plan and intent, names crisis resources, and agrees whether to go on."""
    cb = d.cb
    d.t("open_question", "follow_up", level)
    d.c("thought", d.line(cb["risk_disclose"]), level)
    answered(d, "follow_up", "risk_disclose")
    d.t("risk_assessment", "risk_pause", level)
    d.c("response", d.line(cb["risk_confirm"]), level)
    answered(d, "risk_pause", "risk_confirm")
    d.t("risk_assessment", "risk_plan", level)
    d.c("response", d.line(cb["risk_no_plan"]), level)
    answered(d, "risk_plan", "risk_no_plan")
    d.t("risk_assessment", "risk_resources", level)
    d.c("agreement", d.line(cb["risk_accept"]), level)
    answered(d, "risk_resources", "risk_accept")
    d.risk_done = True
